//! The pieces of registry auth that need no I/O: scopes, token requests and
//! responses, Basic headers and the token cache.

use std::collections::HashMap;

use base64::Engine;

use crate::host::Credentials;

/// A token lives this long when the server does not say (the spec's default).
const DEFAULT_TOKEN_SECONDS: u64 = 60;
/// A token this close to expiry is renewed rather than sent.
const RENEW_MARGIN_MS: u64 = 10_000;

/// What a token must allow: `repository:NAME:ACTIONS`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    pub repository: String,
    pub push: bool,
}

impl Scope {
    pub fn pull(repository: &str) -> Scope {
        Scope {
            repository: repository.to_owned(),
            push: false,
        }
    }

    pub fn push(repository: &str) -> Scope {
        Scope {
            repository: repository.to_owned(),
            push: true,
        }
    }

    pub fn to_param(&self) -> String {
        let actions = if self.push { "pull,push" } else { "pull" };
        format!("repository:{}:{actions}", self.repository)
    }
}

/// The scopes of one operation, sorted and without duplicates, so that a
/// push and its mount sources share one token.
pub fn scope_set(scopes: impl IntoIterator<Item = Scope>) -> Vec<Scope> {
    let mut v: Vec<Scope> = scopes.into_iter().collect();
    pycontainer_sort::sort(&mut v);
    // A push scope on a repository covers its pull scope.
    v.dedup_by(|later, earlier| {
        later.repository == earlier.repository && {
            earlier.push |= later.push;
            true
        }
    });
    v
}

/// `Authorization: Basic …` for a username and password.
pub fn basic_header(username: &str, password: &str) -> String {
    let raw = format!("{username}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// A token request to `realm`: GET with Basic credentials, or the OAuth2
/// refresh-token POST for an identity token (as docker does).
pub struct TokenRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

pub fn token_request(
    realm: &str,
    service: Option<&str>,
    scopes: &[Scope],
    credentials: Option<&Credentials>,
) -> TokenRequest {
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(service) = service {
        params.push(("service", service.to_owned()));
    }
    for scope in scopes {
        params.push(("scope", scope.to_param()));
    }
    match credentials {
        Some(Credentials::IdentityToken(token)) => {
            params.push(("grant_type", "refresh_token".to_owned()));
            params.push(("refresh_token", token.clone()));
            params.push(("client_id", "pycontainer".to_owned()));
            TokenRequest {
                method: "POST",
                url: realm.to_owned(),
                headers: vec![(
                    "content-type".to_owned(),
                    "application/x-www-form-urlencoded".to_owned(),
                )],
                body: Some(form(&params).into_bytes()),
            }
        }
        Some(Credentials::Basic { username, password }) => {
            params.push(("account", username.clone()));
            TokenRequest {
                method: "GET",
                url: with_query(realm, &form(&params)),
                headers: vec![("authorization".to_owned(), basic_header(username, password))],
                body: None,
            }
        }
        None => TokenRequest {
            method: "GET",
            url: with_query(realm, &form(&params)),
            headers: Vec::new(),
            body: None,
        },
    }
}

fn with_query(url: &str, query: &str) -> String {
    if query.is_empty() {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{query}")
}

/// `application/x-www-form-urlencoded`, as Go's `url.Values.Encode` writes it.
fn form(params: &[(&str, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    token: Option<String>,
    access_token: Option<String>,
    expires_in: Option<u64>,
}

/// A bearer token and when it stops working (0: unknown, trust until a 401).
#[derive(Clone, Debug)]
pub struct Token {
    pub value: String,
    pub expires_at_ms: u64,
}

/// Reads a token endpoint's answer; `token` and `access_token` are synonyms.
pub fn parse_token(body: &[u8], now_ms: u64) -> Result<Token, String> {
    let r: TokenResponse = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let value = r
        .token
        .or(r.access_token)
        .filter(|t| !t.is_empty())
        .ok_or("it has no token")?;
    let secs = r.expires_in.unwrap_or(DEFAULT_TOKEN_SECONDS);
    Ok(Token {
        value,
        expires_at_ms: if now_ms == 0 { 0 } else { now_ms + secs * 1000 },
    })
}

/// Tokens per scope set. A token for pulling is never sent for a push: the
/// key is the whole set, actions included.
#[derive(Default)]
pub struct TokenCache {
    tokens: HashMap<String, Token>,
}

impl TokenCache {
    pub fn key(scopes: &[Scope]) -> String {
        scopes
            .iter()
            .map(Scope::to_param)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn get(&self, scopes: &[Scope], now_ms: u64) -> Option<&Token> {
        self.tokens
            .get(&Self::key(scopes))
            .filter(|t| t.expires_at_ms == 0 || now_ms + RENEW_MARGIN_MS < t.expires_at_ms)
    }

    pub fn insert(&mut self, scopes: &[Scope], token: Token) {
        self.tokens.insert(Self::key(scopes), token);
    }

    pub fn forget(&mut self, scopes: &[Scope]) {
        self.tokens.remove(&Self::key(scopes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_sets_merge_pull_into_push() {
        let set = scope_set([
            Scope::pull("b"),
            Scope::push("a"),
            Scope::pull("a"),
            Scope::pull("b"),
        ]);
        assert_eq!(set, vec![Scope::push("a"), Scope::pull("b")]);
        assert_eq!(
            TokenCache::key(&set),
            "repository:a:pull,push repository:b:pull"
        );
    }

    #[test]
    fn basic_header_is_base64() {
        assert_eq!(basic_header("user", "pass"), "Basic dXNlcjpwYXNz");
    }

    #[test]
    fn token_request_sends_credentials_and_every_scope() {
        let creds = Credentials::Basic {
            username: "ci bot".into(),
            password: "s3cret".into(),
        };
        let r = token_request(
            "https://auth.example/token",
            Some("registry.example"),
            &[Scope::push("team/app"), Scope::pull("library/python")],
            Some(&creds),
        );
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.url,
            "https://auth.example/token?service=registry.example\
             &scope=repository%3Ateam%2Fapp%3Apull%2Cpush\
             &scope=repository%3Alibrary%2Fpython%3Apull&account=ci%20bot"
        );
        assert_eq!(
            r.headers,
            vec![("authorization".into(), basic_header("ci bot", "s3cret"))]
        );
        assert!(!r.url.contains("s3cret"));
    }

    #[test]
    fn anonymous_and_identity_token_requests() {
        let r = token_request("http://t/token?x=1", None, &[Scope::pull("a")], None);
        assert_eq!(r.url, "http://t/token?x=1&scope=repository%3Aa%3Apull");
        assert!(r.headers.is_empty());

        let idt = Credentials::IdentityToken("refresh".into());
        let r = token_request("http://t/token", Some("s"), &[Scope::pull("a")], Some(&idt));
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "http://t/token");
        let body = String::from_utf8(r.body.unwrap_or_default()).unwrap_or_default();
        assert_eq!(
            body,
            "service=s&scope=repository%3Aa%3Apull&grant_type=refresh_token\
             &refresh_token=refresh&client_id=pycontainer"
        );
    }

    #[test]
    fn parses_token_responses() {
        let t = parse_token(br#"{"token":"abc","expires_in":300}"#, 1_000).ok();
        assert_eq!(
            t.map(|t| (t.value, t.expires_at_ms)),
            Some(("abc".into(), 301_000))
        );
        let t = parse_token(br#"{"access_token":"xyz"}"#, 1_000).ok();
        assert_eq!(t.map(|t| t.expires_at_ms), Some(61_000));
        let t = parse_token(br#"{"token":"abc"}"#, 0).ok();
        assert_eq!(t.map(|t| t.expires_at_ms), Some(0));
        assert!(parse_token(br#"{"token":""}"#, 0).is_err());
        assert!(parse_token(b"<html>", 0).is_err());
    }

    #[test]
    fn cache_renews_before_expiry_and_keys_on_actions() {
        let mut c = TokenCache::default();
        let pull = [Scope::pull("a")];
        let push = [Scope::push("a")];
        c.insert(
            &pull,
            Token {
                value: "t".into(),
                expires_at_ms: 100_000,
            },
        );
        assert!(c.get(&pull, 50_000).is_some());
        assert!(c.get(&pull, 95_000).is_none(), "renewed 10 s early");
        assert!(
            c.get(&push, 50_000).is_none(),
            "a pull token is not a push token"
        );
        c.forget(&pull);
        assert!(c.get(&pull, 0).is_none());
    }
}
