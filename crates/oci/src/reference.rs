//! Parsing and normalisation of image references such as `python:3.11-slim` or `ghcr.io/o/r@sha256:…`.

use std::fmt;
use std::str::FromStr;

/// The distribution spec caps `[domain/]path` at this many bytes.
const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// One leading character plus up to 127 more.
const TAG_LENGTH_MAX: usize = 128;

const DOCKER_HUB: &str = "docker.io";
/// Older clients wrote this; it names the same registry as `docker.io`.
const DOCKER_HUB_LEGACY: &str = "index.docker.io";
/// `docker.io` is only a namespace: the registry API itself lives here.
const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
/// Docker Hub's "official images" live under this namespace.
const OFFICIAL_NAMESPACE: &str = "library/";
const LOCALHOST: &str = "localhost";

const TAG_RULE: &str = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";

/// A parsed, normalised image reference.
///
/// Normalisation follows the docker CLI so that references compare equal
/// whenever they name the same thing: `python`, `library/python`,
/// `docker.io/python` and `index.docker.io/library/python` are all
/// `docker.io/library/python`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

/// Why a reference (or a standalone tag) was rejected.
///
/// Every message names the grammar rule that was broken and quotes both the
/// whole input and the offending part, because users mostly see these on a
/// command line where the input may have been mangled by the shell.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid reference \"\": reference must not be empty")]
    Empty,

    #[error(
        "invalid reference {input:?}: name must be at most {NAME_TOTAL_LENGTH_MAX} characters (got {len})"
    )]
    NameTooLong { input: String, len: usize },

    /// Docker checks the length after normalisation, so a short name can
    /// still be too long once `docker.io/library/` is put in front of it.
    #[error(
        "invalid reference {input:?}: name must be at most {NAME_TOTAL_LENGTH_MAX} characters, and as {}… it has {}",
        normalised.chars().take(26).collect::<String>(),
        normalised.len()
    )]
    NormalisedNameTooLong { input: String, normalised: String },

    #[error("invalid reference {input:?}: repository name must not be empty")]
    EmptyRepository { input: String },

    #[error(
        "invalid reference {input:?}: too many ':' - only a registry port (before the first '/') and a tag (after the last '/') may use ':' ({part:?})"
    )]
    TooManyColons { input: String, part: String },

    #[error(
        "invalid reference {input:?}: registry host must be a DNS name, an IPv4 address or a bracketed IPv6 address ({host:?})"
    )]
    InvalidRegistryHost { input: String, host: String },

    #[error(
        "invalid reference {input:?}: registry port must be a number from 0 to 65535 ({port:?})"
    )]
    InvalidRegistryPort { input: String, port: String },

    #[error(
        "invalid reference {input:?}: repository path must not contain empty components ({path:?})"
    )]
    EmptyPathComponent { input: String, path: String },

    #[error("invalid reference {input:?}: repository name must be lowercase ({component:?})")]
    Uppercase { input: String, component: String },

    #[error(
        "invalid reference {input:?}: repository path component must start and end with [a-z0-9], not a separator ({component:?})"
    )]
    SeparatorAtEdge { input: String, component: String },

    #[error(
        "invalid reference {input:?}: repository path component must match [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)* ({component:?})"
    )]
    InvalidPathComponent { input: String, component: String },

    /// `reference` is `None` when the tag was validated on its own via
    /// [`validate_tag`], so the message does not pretend it was a reference.
    #[error("{}tag must match {TAG_RULE} ({tag:?})", tag_context(reference.as_deref(), tag))]
    InvalidTag {
        reference: Option<String>,
        tag: String,
    },

    #[error("invalid reference {input:?}: {rule} ({digest:?})")]
    InvalidDigest {
        input: String,
        digest: String,
        rule: &'static str,
    },
}

fn tag_context(reference: Option<&str>, tag: &str) -> String {
    match reference {
        Some(r) => format!("invalid reference {r:?}: "),
        None => format!("invalid tag {tag:?}: "),
    }
}

impl Reference {
    /// Parses `[domain[:port]/]path[:tag][@digest]` and applies docker.io normalisation.
    pub fn parse(s: &str) -> Result<Reference, ReferenceError> {
        if s.is_empty() {
            return Err(ReferenceError::Empty);
        }
        let input = || s.to_string();

        // A digest can never contain '@', so the first one is the boundary;
        // any further '@' lands in the digest and fails its grammar there.
        let (name_and_tag, digest) = match s.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (s, None),
        };

        // A ':' after the last '/' introduces the tag; one before it can only
        // be a registry port, which the domain check below deals with.
        let last_slash = name_and_tag.rfind('/');
        let (name, tag) = match name_and_tag.rfind(':') {
            Some(colon) if last_slash.is_none_or(|slash| colon > slash) => {
                (&name_and_tag[..colon], Some(&name_and_tag[colon + 1..]))
            }
            _ => (name_and_tag, None),
        };

        if name.is_empty() {
            return Err(ReferenceError::EmptyRepository { input: input() });
        }
        if name.len() > NAME_TOTAL_LENGTH_MAX {
            return Err(ReferenceError::NameTooLong {
                input: input(),
                len: name.len(),
            });
        }

        let (domain, path) = match name.split_once('/') {
            Some((first, rest)) if looks_like_domain(first) => (Some(first), rest),
            _ => (None, name),
        };
        if let Some(domain) = domain {
            validate_domain(s, domain)?;
        }
        validate_path(s, path)?;

        if let Some(tag) = tag {
            if !is_valid_tag(tag) {
                return Err(ReferenceError::InvalidTag {
                    reference: Some(input()),
                    tag: tag.to_string(),
                });
            }
        }
        if let Some(digest) = digest {
            if let Err(rule) = check_digest(digest) {
                return Err(ReferenceError::InvalidDigest {
                    input: input(),
                    digest: digest.to_string(),
                    rule,
                });
            }
        }

        let (registry, repository) = normalise(domain, path);
        if registry.len() + 1 + repository.len() > NAME_TOTAL_LENGTH_MAX {
            return Err(ReferenceError::NormalisedNameTooLong {
                input: input(),
                normalised: format!("{registry}/{repository}"),
            });
        }
        Ok(Reference {
            registry,
            repository,
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }

    /// The registry as written (after docker.io normalisation), e.g. `docker.io` or `localhost:5000`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The host (and port) to send registry API requests to.
    pub fn registry_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API_HOST
        } else {
            &self.registry
        }
    }

    /// The repository path within the registry, e.g. `library/python`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The tag to resolve: the explicit tag, else `latest`, except that a
    /// digest-only reference has no tag at all because the digest pins it.
    pub fn tag_or_latest(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(tag), _) => Some(tag),
            (None, Some(_)) => None,
            (None, None) => Some("latest"),
        }
    }

    /// `registry/repository` in full, e.g. `docker.io/library/python`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The short form a user would type, e.g. `python:3.11-slim`.
    ///
    /// Parsing the result yields an equal `Reference`.
    pub fn familiar(&self) -> String {
        let mut out = self.familiar_name();
        self.push_suffix(&mut out);
        out
    }

    fn familiar_name(&self) -> String {
        if self.registry != DOCKER_HUB {
            return self.name();
        }
        let short = match self.repository.strip_prefix(OFFICIAL_NAMESPACE) {
            Some(rest) if !rest.contains('/') => rest,
            _ => self.repository.as_str(),
        };
        // Dropping `docker.io/` would turn e.g. `docker.io/foo.bar/x` into a
        // reference on registry `foo.bar`, so keep it when that could happen.
        match short.split_once('/') {
            Some((first, _)) if looks_like_domain(first) => self.name(),
            _ => short.to_string(),
        }
    }

    fn push_suffix(&self, out: &mut String) {
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = self.name();
        self.push_suffix(&mut out);
        f.write_str(&out)
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}

/// Checks a tag on its own, e.g. one supplied separately from the image name.
pub fn validate_tag(tag: &str) -> Result<(), ReferenceError> {
    if is_valid_tag(tag) {
        Ok(())
    } else {
        Err(ReferenceError::InvalidTag {
            reference: None,
            tag: tag.to_string(),
        })
    }
}

fn is_valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let Some((&first, rest)) = bytes.split_first() else {
        return false;
    };
    bytes.len() <= TAG_LENGTH_MAX
        && (first.is_ascii_alphanumeric() || first == b'_')
        && rest
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Docker's rule for telling a registry from a Hub namespace: a first
/// component with '.' or ':' (or exactly `localhost`) can only be a host,
/// since Hub namespaces are plain lowercase words.
/// A leading '[' is also taken as a host so `[fe80::1]/x` errors about the
/// host rather than about path characters.
fn looks_like_domain(component: &str) -> bool {
    component.contains('.')
        || component.contains(':')
        || component == LOCALHOST
        || component.starts_with('[')
}

fn validate_domain(input: &str, domain: &str) -> Result<(), ReferenceError> {
    let bad_host = |host: &str| ReferenceError::InvalidRegistryHost {
        input: input.to_string(),
        host: host.to_string(),
    };

    let (host, port) = if let Some(after_bracket) = domain.strip_prefix('[') {
        let Some((inner, rest)) = after_bracket.split_once(']') else {
            return Err(bad_host(domain));
        };
        if !is_ipv6_literal(inner) {
            return Err(bad_host(domain));
        }
        let port = match rest {
            "" => None,
            _ => match rest.strip_prefix(':') {
                Some(port) => Some(port),
                None => return Err(bad_host(domain)),
            },
        };
        (&domain[..inner.len() + 2], port)
    } else {
        if domain.matches(':').count() > 1 {
            return Err(ReferenceError::TooManyColons {
                input: input.to_string(),
                part: domain.to_string(),
            });
        }
        match domain.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        }
    };

    if !host.starts_with('[') && !is_domain_name(host) {
        return Err(bad_host(host));
    }
    if let Some(port) = port {
        // `u16::from_str` accepts a leading '+', which is not a port number.
        let numeric = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
        if !numeric || port.parse::<u16>().is_err() {
            return Err(ReferenceError::InvalidRegistryPort {
                input: input.to_string(),
                port: port.to_string(),
            });
        }
    }
    Ok(())
}

/// Deliberately loose (hex digits and ':' only, like the distribution
/// grammar): the registry client will reject a malformed address anyway.
fn is_ipv6_literal(inner: &str) -> bool {
    inner.contains(':') && inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
}

/// Dot-separated labels of `[a-zA-Z0-9]` with inner '-'; this also admits IPv4 addresses.
fn is_domain_name(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            let bytes = label.as_bytes();
            match (bytes.first(), bytes.last()) {
                (Some(first), Some(last)) => {
                    first.is_ascii_alphanumeric()
                        && last.is_ascii_alphanumeric()
                        && bytes
                            .iter()
                            .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
                }
                _ => false,
            }
        })
}

fn validate_path(input: &str, path: &str) -> Result<(), ReferenceError> {
    if path.is_empty() {
        return Err(ReferenceError::EmptyRepository {
            input: input.to_string(),
        });
    }
    // Checked before the per-component rules so `Foo:bar:baz` is reported as
    // a colon problem rather than as an odd character in "Foo:bar".
    if path.contains(':') {
        return Err(ReferenceError::TooManyColons {
            input: input.to_string(),
            part: path.to_string(),
        });
    }
    for component in path.split('/') {
        let make = |fault: ComponentFault| {
            let input = input.to_string();
            let component = component.to_string();
            match fault {
                ComponentFault::Empty => ReferenceError::EmptyPathComponent {
                    input,
                    path: path.to_string(),
                },
                ComponentFault::Uppercase => ReferenceError::Uppercase { input, component },
                ComponentFault::SeparatorAtEdge => {
                    ReferenceError::SeparatorAtEdge { input, component }
                }
                ComponentFault::Invalid => {
                    ReferenceError::InvalidPathComponent { input, component }
                }
            }
        };
        check_path_component(component).map_err(make)?;
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ComponentFault {
    Empty,
    Uppercase,
    SeparatorAtEdge,
    Invalid,
}

/// Hand-rolled `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`, split into faults
/// so the error can say which part of the rule was broken.
fn check_path_component(component: &str) -> Result<(), ComponentFault> {
    let bytes = component.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return Err(ComponentFault::Empty);
    };
    if bytes.iter().any(u8::is_ascii_uppercase) {
        return Err(ComponentFault::Uppercase);
    }
    let is_alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let is_sep = |b: u8| matches!(b, b'.' | b'_' | b'-');
    if !bytes.iter().all(|&b| is_alnum(b) || is_sep(b)) {
        return Err(ComponentFault::Invalid);
    }
    if !is_alnum(first) || !is_alnum(last) {
        return Err(ComponentFault::SeparatorAtEdge);
    }
    // Every maximal run of separator bytes must itself be one separator.
    for run in component
        .split(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        .filter(|run| !run.is_empty())
    {
        let ok = matches!(run, "." | "_" | "__") || run.bytes().all(|b| b == b'-');
        if !ok {
            return Err(ComponentFault::Invalid);
        }
    }
    Ok(())
}

/// Returns the rule that was broken.
///
/// The algorithm grammar is the OCI one. Registered algorithms get their
/// exact length; others only need enough hex to be a plausible hash.
fn check_digest(digest: &str) -> Result<(), &'static str> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err("digest must be ALGORITHM:HEX, e.g. sha256:<64 lowercase hex>");
    };
    if !is_digest_algorithm(algorithm) {
        return Err("digest algorithm must match [a-z0-9]+(?:[+._-][a-z0-9]+)*");
    }
    let lower_hex = hex
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    match algorithm {
        "sha256" if !(lower_hex && hex.len() == 64) => {
            Err("sha256 digest must be 64 lowercase hex characters")
        }
        "sha512" if !(lower_hex && hex.len() == 128) => {
            Err("sha512 digest must be 128 lowercase hex characters")
        }
        _ if !(lower_hex && hex.len() >= 32) => {
            Err("digest must be at least 32 lowercase hex characters after the algorithm")
        }
        _ => Ok(()),
    }
}

fn is_digest_algorithm(algorithm: &str) -> bool {
    let is_alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    // Splitting on every separator leaves an empty piece exactly when a
    // separator is leading, trailing or doubled.
    algorithm
        .split(['+', '.', '_', '-'])
        .all(|piece| !piece.is_empty() && piece.chars().all(is_alnum))
}

fn normalise(domain: Option<&str>, path: &str) -> (String, String) {
    let registry = match domain {
        None => DOCKER_HUB.to_string(),
        // Host names are case-insensitive; only Hub's spellings are folded
        // because elsewhere the registry should stay as the user wrote it.
        Some(d)
            if d.eq_ignore_ascii_case(DOCKER_HUB) || d.eq_ignore_ascii_case(DOCKER_HUB_LEGACY) =>
        {
            DOCKER_HUB.to_string()
        }
        Some(d) => d.to_string(),
    };
    let repository = if registry == DOCKER_HUB && !path.contains('/') {
        format!("{OFFICIAL_NAMESPACE}{path}")
    } else {
        path.to_string()
    };
    (registry, repository)
}

#[cfg(test)]
mod tests;
