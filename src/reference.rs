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
mod tests {
    use super::*;

    const HEX64: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    struct Good {
        input: String,
        registry: &'static str,
        repository: &'static str,
        tag: Option<&'static str>,
        digest: Option<String>,
        display: String,
        familiar: String,
    }

    fn good(
        input: &str,
        registry: &'static str,
        repository: &'static str,
        tag: Option<&'static str>,
        digest: Option<&str>,
        display: &str,
        familiar: &str,
    ) -> Good {
        Good {
            input: input.to_string(),
            registry,
            repository,
            tag,
            digest: digest.map(str::to_string),
            display: display.to_string(),
            familiar: familiar.to_string(),
        }
    }

    fn good_cases() -> Vec<Good> {
        let d = format!("sha256:{HEX64}");
        vec![
            good(
                "python",
                "docker.io",
                "library/python",
                None,
                None,
                "docker.io/library/python",
                "python",
            ),
            good(
                "python:3.11-slim",
                "docker.io",
                "library/python",
                Some("3.11-slim"),
                None,
                "docker.io/library/python:3.11-slim",
                "python:3.11-slim",
            ),
            good(
                "library/python",
                "docker.io",
                "library/python",
                None,
                None,
                "docker.io/library/python",
                "python",
            ),
            good(
                "docker.io/python",
                "docker.io",
                "library/python",
                None,
                None,
                "docker.io/library/python",
                "python",
            ),
            good(
                "index.docker.io/library/python:3",
                "docker.io",
                "library/python",
                Some("3"),
                None,
                "docker.io/library/python:3",
                "python:3",
            ),
            good(
                "localhost:5000/x",
                "localhost:5000",
                "x",
                None,
                None,
                "localhost:5000/x",
                "localhost:5000/x",
            ),
            good(
                "localhost/x:1",
                "localhost",
                "x",
                Some("1"),
                None,
                "localhost/x:1",
                "localhost/x:1",
            ),
            good(
                "127.0.0.1:5000/a/b:tag",
                "127.0.0.1:5000",
                "a/b",
                Some("tag"),
                None,
                "127.0.0.1:5000/a/b:tag",
                "127.0.0.1:5000/a/b:tag",
            ),
            good(
                &format!("ghcr.io/o/r@{d}"),
                "ghcr.io",
                "o/r",
                None,
                Some(&d),
                &format!("ghcr.io/o/r@{d}"),
                &format!("ghcr.io/o/r@{d}"),
            ),
            good(
                &format!("ghcr.io/o/r:t@{d}"),
                "ghcr.io",
                "o/r",
                Some("t"),
                Some(&d),
                &format!("ghcr.io/o/r:t@{d}"),
                &format!("ghcr.io/o/r:t@{d}"),
            ),
            good(
                "[::1]:5000/x:y",
                "[::1]:5000",
                "x",
                Some("y"),
                None,
                "[::1]:5000/x:y",
                "[::1]:5000/x:y",
            ),
            good(
                "a.b/c__d/e-f---g:v1.0_x",
                "a.b",
                "c__d/e-f---g",
                Some("v1.0_x"),
                None,
                "a.b/c__d/e-f---g:v1.0_x",
                "a.b/c__d/e-f---g:v1.0_x",
            ),
            good(
                "myuser/app:1",
                "docker.io",
                "myuser/app",
                Some("1"),
                None,
                "docker.io/myuser/app:1",
                "myuser/app:1",
            ),
            good(
                "docker.io/library/a/b",
                "docker.io",
                "library/a/b",
                None,
                None,
                "docker.io/library/a/b",
                "library/a/b",
            ),
            // Without the registry this would re-parse as registry `foo.bar`.
            good(
                "docker.io/foo.bar/baz",
                "docker.io",
                "foo.bar/baz",
                None,
                None,
                "docker.io/foo.bar/baz",
                "docker.io/foo.bar/baz",
            ),
            good(
                "docker.io/localhost/x",
                "docker.io",
                "localhost/x",
                None,
                None,
                "docker.io/localhost/x",
                "docker.io/localhost/x",
            ),
            good(
                "Docker.IO/python",
                "docker.io",
                "library/python",
                None,
                None,
                "docker.io/library/python",
                "python",
            ),
            good(
                &format!("python@{d}"),
                "docker.io",
                "library/python",
                None,
                Some(&d),
                &format!("docker.io/library/python@{d}"),
                &format!("python@{d}"),
            ),
            good(
                "Registry.Example.COM/x",
                "Registry.Example.COM",
                "x",
                None,
                None,
                "Registry.Example.COM/x",
                "Registry.Example.COM/x",
            ),
            good(
                "[fe80::1]/x",
                "[fe80::1]",
                "x",
                None,
                None,
                "[fe80::1]/x",
                "[fe80::1]/x",
            ),
        ]
    }

    #[test]
    fn good_references() {
        for g in good_cases() {
            let r = Reference::parse(&g.input).unwrap_or_else(|e| panic!("{}: {e}", g.input));
            assert_eq!(r.registry(), g.registry, "registry of {}", g.input);
            assert_eq!(r.repository(), g.repository, "repository of {}", g.input);
            assert_eq!(r.tag(), g.tag, "tag of {}", g.input);
            assert_eq!(r.digest(), g.digest.as_deref(), "digest of {}", g.input);
            assert_eq!(r.to_string(), g.display, "Display of {}", g.input);
            assert_eq!(r.familiar(), g.familiar, "familiar of {}", g.input);
            assert_eq!(r.name(), format!("{}/{}", g.registry, g.repository));
        }
    }

    #[test]
    fn display_and_familiar_round_trip() {
        for g in good_cases() {
            let r = Reference::parse(&g.input).unwrap();
            assert_eq!(Reference::parse(&r.to_string()).unwrap(), r, "{}", g.input);
            assert_eq!(Reference::parse(&r.familiar()).unwrap(), r, "{}", g.input);
        }
    }

    #[test]
    fn spellings_of_the_same_image_are_equal() {
        let a = Reference::parse("python").unwrap();
        for other in [
            "library/python",
            "docker.io/python",
            "index.docker.io/library/python",
        ] {
            assert_eq!(Reference::parse(other).unwrap(), a, "{other}");
        }
    }

    #[test]
    fn from_str_matches_parse() {
        let r: Reference = "python:3".parse().unwrap();
        assert_eq!(r, Reference::parse("python:3").unwrap());
        assert!("".parse::<Reference>().is_err());
    }

    #[test]
    fn registry_host() {
        let host = |s: &str| Reference::parse(s).unwrap().registry_host().to_string();
        assert_eq!(host("python"), "registry-1.docker.io");
        assert_eq!(host("index.docker.io/x/y"), "registry-1.docker.io");
        assert_eq!(host("ghcr.io/o/r"), "ghcr.io");
        assert_eq!(host("localhost:5000/x"), "localhost:5000");
        assert_eq!(host("[::1]:5000/x"), "[::1]:5000");
    }

    #[test]
    fn tag_or_latest() {
        let t = |s: &str| {
            Reference::parse(s)
                .unwrap()
                .tag_or_latest()
                .map(str::to_string)
        };
        assert_eq!(t("python").as_deref(), Some("latest"));
        assert_eq!(t("python:3").as_deref(), Some("3"));
        assert_eq!(t(&format!("python@sha256:{HEX64}")), None);
        assert_eq!(t(&format!("python:3@sha256:{HEX64}")).as_deref(), Some("3"));
    }

    #[test]
    fn other_digest_algorithms() {
        let sha512 = format!("sha512:{HEX64}{HEX64}");
        let r = Reference::parse(&format!("x@{sha512}")).unwrap();
        assert_eq!(r.digest(), Some(sha512.as_str()));
        let generic = format!("multihash+base58.v1:{}", &HEX64[..32]);
        assert!(Reference::parse(&format!("x@{generic}")).is_ok());
    }

    #[test]
    fn length_limits() {
        let tag128 = format!("a{}", "b".repeat(127));
        assert_eq!(
            Reference::parse(&format!("x:{tag128}")).unwrap().tag(),
            Some(tag128.as_str())
        );
        let name255 = format!("a/{}", "b".repeat(253));
        assert!(Reference::parse(&name255).is_ok());
        // The limit applies to the name only, never to tag or digest.
        assert!(Reference::parse(&format!("{name255}:{tag128}@sha256:{HEX64}")).is_ok());
    }

    fn bad_cases() -> Vec<(String, &'static str)> {
        vec![
            ("Foo:bar:baz".into(), "too many ':'"),
            (
                "Foo:bar".into(),
                r#"repository name must be lowercase ("Foo")"#,
            ),
            (
                "app:".into(),
                r#"tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} ("")"#,
            ),
            (":tag".into(), "repository name must not be empty"),
            (
                "a//b".into(),
                r#"repository path must not contain empty components ("a//b")"#,
            ),
            ("a/".into(), "must not contain empty components"),
            ("/a".into(), "must not contain empty components"),
            (
                "-a".into(),
                r#"must start and end with [a-z0-9], not a separator ("-a")"#,
            ),
            (
                "a-".into(),
                r#"must start and end with [a-z0-9], not a separator ("a-")"#,
            ),
            ("x/_a".into(), "not a separator"),
            (
                "a:tag with space".into(),
                r#"tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} ("tag with space")"#,
            ),
            (
                format!("a:{}", "t".repeat(129)),
                "tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}",
            ),
            ("a:.x".into(), "tag must match"),
            ("a:-x".into(), "tag must match"),
            (
                "x@sha256:abc".into(),
                r#"sha256 digest must be 64 lowercase hex characters ("sha256:abc")"#,
            ),
            (
                format!("x@sha256:{}", HEX64.to_uppercase()),
                "sha256 digest must be 64 lowercase hex",
            ),
            (
                format!("x@sha256:{HEX64}0"),
                "sha256 digest must be 64 lowercase hex",
            ),
            ("x@".into(), "digest must be ALGORITHM:HEX"),
            ("x@md5".into(), "digest must be ALGORITHM:HEX"),
            (format!("x@SHA256:{HEX64}"), "digest algorithm must match"),
            (format!("x@sha256+:{HEX64}"), "digest algorithm must match"),
            ("x@foo:abcdef".into(), "at least 32 lowercase hex"),
            (
                format!("x@sha256:{HEX64}@sha256:{HEX64}"),
                "sha256 digest must be 64",
            ),
            ("".into(), "reference must not be empty"),
            (
                format!("a/{}", "b".repeat(254)),
                "name must be at most 255 characters (got 256)",
            ),
            (
                "a..b".into(),
                "must match [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*",
            ),
            ("a___b".into(), "must match [a-z0-9]+"),
            ("a._b".into(), "must match [a-z0-9]+"),
            ("a-.b".into(), "must match [a-z0-9]+"),
            ("a b".into(), "must match [a-z0-9]+"),
            ("caf\u{e9}".into(), "must match [a-z0-9]+"),
            ("a/B".into(), r#"repository name must be lowercase ("B")"#),
            ("a:1:2/b".into(), r#"too many ':'"#),
            ("a/b:c/d".into(), r#"too many ':'"#),
            ("ghcr.io/".into(), "repository name must not be empty"),
            (
                format!("@sha256:{HEX64}"),
                "repository name must not be empty",
            ),
            (
                "localhost:99999/x".into(),
                r#"registry port must be a number from 0 to 65535 ("99999")"#,
            ),
            ("localhost:/x".into(), r#"registry port must be a number"#),
            ("localhost:+5/x".into(), r#"registry port must be a number"#),
            (
                "ex_ample.com/x".into(),
                r#"registry host must be a DNS name"#,
            ),
            ("a_b.c-d/e".into(), r#"registry host must be a DNS name"#),
            ("-a.com/x".into(), r#"registry host must be a DNS name"#),
            ("a..com/x".into(), r#"registry host must be a DNS name"#),
            ("[::1/x".into(), r#"registry host must be a DNS name"#),
            ("[::1]x/y".into(), r#"registry host must be a DNS name"#),
            ("[zz]/y".into(), r#"registry host must be a DNS name"#),
            ("[]:5000/y".into(), r#"registry host must be a DNS name"#),
        ]
    }

    #[test]
    fn bad_references_name_the_rule() {
        for (input, rule) in bad_cases() {
            match Reference::parse(&input) {
                Ok(r) => panic!("{input:?} should be rejected, parsed as {r}"),
                Err(e) => {
                    let msg = e.to_string();
                    assert!(
                        msg.contains(rule),
                        "{input:?}: {msg:?} should mention {rule:?}"
                    );
                    assert!(
                        msg.starts_with(&format!("invalid reference {input:?}: ")),
                        "{input:?}: {msg:?} should quote the input"
                    );
                }
            }
        }
    }

    #[test]
    fn exact_messages() {
        let msg = |s: &str| Reference::parse(s).unwrap_err().to_string();
        assert_eq!(
            msg("Foo:bar"),
            r#"invalid reference "Foo:bar": repository name must be lowercase ("Foo")"#
        );
        assert_eq!(
            msg("app:"),
            r#"invalid reference "app:": tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} ("")"#
        );
        assert_eq!(
            msg("Foo:bar:baz"),
            r#"invalid reference "Foo:bar:baz": too many ':' - only a registry port (before the first '/') and a tag (after the last '/') may use ':' ("Foo:bar")"#
        );
        assert_eq!(
            msg(""),
            r#"invalid reference "": reference must not be empty"#
        );
    }

    #[test]
    fn error_variants() {
        let err = |s: &str| Reference::parse(s).unwrap_err();
        assert_eq!(err(""), ReferenceError::Empty);
        assert!(matches!(
            err("Foo:bar:baz"),
            ReferenceError::TooManyColons { .. }
        ));
        assert!(matches!(err("Foo:bar"), ReferenceError::Uppercase { .. }));
        assert!(matches!(
            err("app:"),
            ReferenceError::InvalidTag {
                reference: Some(_),
                ..
            }
        ));
        assert!(matches!(
            err(":tag"),
            ReferenceError::EmptyRepository { .. }
        ));
        assert!(matches!(
            err("a//b"),
            ReferenceError::EmptyPathComponent { .. }
        ));
        assert!(matches!(err("-a"), ReferenceError::SeparatorAtEdge { .. }));
        assert!(matches!(
            err("a..b"),
            ReferenceError::InvalidPathComponent { .. }
        ));
        assert!(matches!(
            err("x@sha256:abc"),
            ReferenceError::InvalidDigest { .. }
        ));
        assert!(matches!(
            err(&"a".repeat(256)),
            ReferenceError::NameTooLong { len: 256, .. }
        ));
        assert!(matches!(
            err("a.com:x/b"),
            ReferenceError::InvalidRegistryPort { .. }
        ));
        assert!(matches!(
            err("a_b.com/b"),
            ReferenceError::InvalidRegistryHost { .. }
        ));
    }

    #[test]
    fn standalone_tags() {
        for ok in ["latest", "3.11-slim", "_", "A", "v1.0_x", &"a".repeat(128)] {
            assert_eq!(validate_tag(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            ".a",
            "-a",
            "a b",
            "a/b",
            "a:b",
            "a@b",
            "\u{e9}",
            &"a".repeat(129),
        ] {
            let err = validate_tag(bad).unwrap_err();
            assert_eq!(
                err,
                ReferenceError::InvalidTag {
                    reference: None,
                    tag: bad.to_string()
                }
            );
        }
        assert_eq!(
            validate_tag("a b").unwrap_err().to_string(),
            r#"invalid tag "a b": tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} ("a b")"#
        );
    }

    #[test]
    fn path_component_grammar() {
        for ok in [
            "a",
            "0",
            "a.b",
            "a_b",
            "a__b",
            "a-b",
            "a---b",
            "a.b_c__d-e",
            "a1.2b",
        ] {
            assert_eq!(check_path_component(ok), Ok(()), "{ok}");
        }
        let cases = [
            ("", ComponentFault::Empty),
            ("A", ComponentFault::Uppercase),
            (".a", ComponentFault::SeparatorAtEdge),
            ("a_", ComponentFault::SeparatorAtEdge),
            ("a..b", ComponentFault::Invalid),
            ("a___b", ComponentFault::Invalid),
            ("a-_b", ComponentFault::Invalid),
            ("a+b", ComponentFault::Invalid),
        ];
        for (input, fault) in cases {
            assert_eq!(check_path_component(input), Err(fault), "{input}");
        }
    }
}
