//! `WWW-Authenticate` challenges (RFC 7235), as registries send them.

use std::collections::BTreeMap;

/// How a registry wants to be authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// A token from `realm`, asked for with `service` and scopes.
    Bearer {
        realm: String,
        service: Option<String>,
    },
    /// The credentials themselves on every request.
    Basic,
}

impl Challenge {
    /// The first challenge we can answer from a header value; `None` when
    /// there is none (an unknown scheme, or a malformed header).
    pub fn parse(header: &str) -> Option<Challenge> {
        let (scheme, params) = split_scheme(header);
        if scheme.eq_ignore_ascii_case("basic") {
            return Some(Challenge::Basic);
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let mut params = parse_params(params);
        Some(Challenge::Bearer {
            realm: params.remove("realm")?,
            service: params.remove("service"),
        })
    }

    /// The `error` parameter of a Bearer challenge (`insufficient_scope`, …).
    pub fn error(header: &str) -> Option<String> {
        parse_params(split_scheme(header).1).remove("error")
    }
}

fn split_scheme(header: &str) -> (&str, &str) {
    let header = header.trim();
    header.split_once([' ', '\t']).unwrap_or((header, ""))
}

/// `key=value` and `key="quoted \" value"` pairs separated by commas; keys
/// are case-insensitive.
fn parse_params(mut s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    loop {
        s = s.trim_start_matches([' ', '\t', ',']);
        let Some((key, rest)) = s.split_once('=') else {
            return out;
        };
        let key = key.trim().to_ascii_lowercase();
        let rest = rest.trim_start();
        let (value, rest) = match rest.strip_prefix('"') {
            Some(quoted) => quoted_string(quoted),
            None => {
                let end = rest.find(',').unwrap_or(rest.len());
                (rest[..end].trim().to_owned(), &rest[end..])
            }
        };
        out.insert(key, value);
        s = rest;
    }
}

/// The text of a quoted string whose opening quote is gone, and what follows it.
fn quoted_string(s: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (value, &s[i + 1..]),
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            c => value.push(c),
        }
    }
    (value, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(realm: &str, service: Option<&str>) -> Option<Challenge> {
        Some(Challenge::Bearer {
            realm: realm.into(),
            service: service.map(Into::into),
        })
    }

    #[test]
    fn parses_docker_hub_challenge() {
        let h = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull""#;
        assert_eq!(
            Challenge::parse(h),
            bearer("https://auth.docker.io/token", Some("registry.docker.io"))
        );
    }

    #[test]
    fn parses_unquoted_spaced_and_escaped_values() {
        assert_eq!(
            Challenge::parse(r#"bearer  Realm=http://t/token , service = "a \"b\" c""#),
            bearer("http://t/token", Some(r#"a "b" c"#))
        );
        assert_eq!(Challenge::parse(r#"Bearer realm="r""#), bearer("r", None));
    }

    #[test]
    fn basic_and_unknown_schemes() {
        assert_eq!(
            Challenge::parse(r#"Basic realm="basic-realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(Challenge::parse("Negotiate"), None);
        assert_eq!(Challenge::parse(r#"Bearer service="s""#), None);
        assert_eq!(Challenge::parse(""), None);
    }

    #[test]
    fn reads_the_error_parameter() {
        let h = r#"Bearer realm="r",service="s",scope="repository:a:pull,push",error="insufficient_scope""#;
        assert_eq!(Challenge::error(h).as_deref(), Some("insufficient_scope"));
        assert_eq!(Challenge::error(r#"Bearer realm="r""#), None);
    }

    #[test]
    fn unterminated_quote_takes_the_rest() {
        assert_eq!(
            Challenge::parse(r#"Bearer realm="http://t/tok"#),
            bearer("http://t/tok", None)
        );
    }
}
