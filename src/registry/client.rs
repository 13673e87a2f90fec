//! Sends registry requests through the host: picks the scheme, answers
//! auth challenges, retries what is safe to retry, and turns failures into
//! errors that name the registry and what was being done.

use std::cell::RefCell;
use std::collections::HashMap;

use super::auth::{self, Scope, TokenCache};
use super::challenge::Challenge;
use super::RegistryError;
use crate::host::{Body, Credentials, Host, HostError, HttpRequest, HttpResponse, UploadProgress};
use crate::http;
use crate::http::retry::{self, MAX_ATTEMPTS};
use pycontainer_oci::reference::Reference;
use pycontainer_oci::Repository;

/// Error bodies and token answers larger than this are cut short.
const SMALL_BODY: usize = 64 << 10;

#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Registries (`host[:port]`) that may use plain http or an unverified
    /// certificate. Loopback registries may always use plain http.
    pub insecure: Vec<String>,
    /// Blob uploads in flight at once.
    pub parallel: usize,
    /// Blobs larger than this go up in PATCH chunks of this size; by
    /// default every blob goes in one streamed PUT, as skopeo and crane
    /// send them, and only a registry that refuses a body as too large
    /// (413) gets chunks.
    pub chunk_size: usize,
    /// Pulls from a registry (`docker.io`) go to its mirror (`host:port`)
    /// instead, as Docker's `registry-mirrors` do; pushes never do.
    pub mirrors: Vec<(String, String)>,
}

impl ClientOptions {
    /// The options as callers give them, with defaults for what is unset.
    pub fn new(insecure: &[String], parallel: Option<usize>, chunk_size: Option<usize>) -> Self {
        ClientOptions {
            insecure: insecure.to_vec(),
            parallel: parallel.unwrap_or(4),
            chunk_size: chunk_size.unwrap_or(usize::MAX),
            mirrors: Vec::new(),
        }
    }

    /// The form a mirror entry must have, for messages.
    pub const MIRROR_FORM: &'static str =
        "needs REGISTRY=MIRROR, e.g. docker.io=mirror.example.com:5000";

    /// Adds `REGISTRY=MIRROR` entries; the error is the bad entry.
    pub fn with_mirrors(mut self, entries: &[String]) -> Result<Self, String> {
        for entry in entries {
            match entry.split_once('=') {
                Some((from, to)) if !from.trim().is_empty() && !to.trim().is_empty() => {
                    let to = to
                        .trim()
                        .trim_start_matches("https://")
                        .trim_start_matches("http://");
                    self.mirrors
                        .push((from.trim().to_owned(), to.trim_end_matches('/').to_owned()));
                }
                _ => return Err(entry.clone()),
            }
        }
        Ok(self)
    }
}

/// What the client has learnt about one registry.
#[derive(Default)]
struct Endpoint {
    /// `https://host` or `http://host`, once a ping has answered.
    base: Option<String>,
    challenge: Option<Challenge>,
    credentials: Option<Option<Credentials>>,
    tokens: TokenCache,
}

/// The host error code for an answer the browser kept from the page (see
/// docs/host-interface.md): the server is there, its CORS headers are not.
const CORS_BLOCKED: &str = "ECORS";

/// What one ping said about its scheme.
enum Ping {
    /// A registry answered (200 or 401): this is its base URL.
    Registry(String),
    /// The scheme speaks HTTP there, but the registry is failing or
    /// overloaded (5xx, 429), with its `Retry-After`.
    Busy(RegistryError, Option<String>),
    /// The connection dropped or timed out: the scheme may yet answer.
    Dropped(RegistryError),
    /// No registry on this scheme: a TLS failure, a refused connection, a
    /// status no registry gives.
    Wrong(RegistryError),
    /// A server answered, but the browser would not let the page read the
    /// answer (no CORS headers for it): the host's `ECORS`. Neither another
    /// scheme nor another try can change that.
    Blocked(RegistryError),
}

/// One request, before auth: `url` is absolute or a `/v2/…` path.
pub struct Request<'a> {
    pub method: &'a str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body<'a>>,
    pub progress: Option<UploadProgress<'a>>,
    /// Whether sending it twice is harmless, so a failure may be retried
    /// here. Upload-session writes are not: their caller restarts the blob.
    pub idempotent: bool,
}

impl<'a> Request<'a> {
    pub fn get(url: String) -> Self {
        Request {
            method: "GET",
            url,
            headers: Vec::new(),
            body: None,
            progress: None,
            idempotent: true,
        }
    }

    pub fn new(method: &'a str, url: String) -> Self {
        Request {
            method,
            ..Request::get(url)
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: Body<'a>) -> Self {
        self.body = Some(body);
        self
    }

    pub fn progress(mut self, progress: UploadProgress<'a>) -> Self {
        self.progress = Some(progress);
        self
    }

    pub fn once(mut self) -> Self {
        self.idempotent = false;
        self
    }
}

pub struct Client<'h, H: Host> {
    pub(super) host: &'h H,
    pub options: ClientOptions,
    endpoints: RefCell<HashMap<String, Endpoint>>,
    /// The registries the run pushes to, once known; `None` while it pushes
    /// nowhere. Credentials the user gave apply to these alone.
    push_registries: RefCell<Option<Vec<String>>>,
}

impl<'h, H: Host> Client<'h, H> {
    pub fn new(host: &'h H, options: ClientOptions) -> Self {
        Client {
            host,
            options,
            endpoints: RefCell::new(HashMap::new()),
            push_registries: RefCell::new(None),
        }
    }

    /// Says where the run pushes, before the first request: credentials
    /// the user gave then go to those registries only.
    pub fn push_to(&self, targets: &[Reference]) {
        let registries = targets.iter().map(|t| t.registry().to_owned()).collect();
        *self.push_registries.borrow_mut() = Some(registries);
    }

    pub fn host(&self) -> &'h H {
        self.host
    }

    /// Where to pull `reference` from: its registry, or that registry's
    /// mirror, whose own credentials then apply.
    pub fn pull_repo(&self, reference: &Reference) -> Repository {
        let mut repo = Repository::of(reference);
        if let Some((_, mirror)) = self
            .options
            .mirrors
            .iter()
            .find(|(r, _)| *r == repo.registry)
        {
            repo.registry = mirror.clone();
            repo.api_host = mirror.clone();
        }
        repo
    }

    fn insecure(&self, repo: &Repository) -> bool {
        let listed = |h: &str| self.options.insecure.iter().any(|i| i == h);
        listed(&repo.registry) || listed(&repo.api_host)
    }

    /// Learns the registry's scheme and challenge and gets the token for
    /// `scopes` now, so that requests sent together afterwards share them
    /// instead of each pinging and asking for a token of its own.
    pub async fn authenticate(
        &self,
        repo: &Repository,
        scopes: &[Scope],
        what: &str,
    ) -> Result<(), RegistryError> {
        self.base(repo, what).await?;
        self.authorization(repo, scopes, what).await.map(drop)
    }

    /// Sends `req` with the auth `scopes` need, renewing auth once on a 401.
    pub async fn send(
        &self,
        repo: &Repository,
        scopes: &[Scope],
        what: &str,
        req: Request<'_>,
    ) -> Result<HttpResponse, RegistryError> {
        let base = self.base(repo, what).await?;
        let url = absolute(&base, &req.url);
        let mut renewed = false;
        loop {
            let mut headers = req.headers.clone();
            if let Some(value) = self.authorization(repo, scopes, what).await? {
                headers.push(("authorization".to_owned(), value));
            }
            let http = HttpRequest {
                method: req.method,
                url: &url,
                headers: &headers,
                body: req.body,
                tls_verify: !self.insecure(repo),
                progress: req.progress,
            };
            let resp = self
                .fetch_retrying(&repo.registry, what, &http, req.idempotent)
                .await?;
            if resp.status != 401 {
                return Ok(resp);
            }
            let challenge = resp.header("www-authenticate").map(str::to_owned);
            self.host.discard_body(resp.body).await;
            if renewed {
                return Err(self.refused(repo, challenge.as_deref()).await);
            }
            renewed = true;
            self.renew(repo, scopes, challenge.as_deref());
        }
    }

    /// Fetches, retrying network failures and overload answers when `idempotent`.
    async fn fetch_retrying(
        &self,
        registry: &str,
        what: &str,
        req: &HttpRequest<'_>,
        idempotent: bool,
    ) -> Result<HttpResponse, RegistryError> {
        http::fetch_retrying(self.host, req, idempotent)
            .await
            .map_err(|e| network(registry, what, e))
    }

    pub(super) async fn pause(&self, attempt: u32, retry_after: Option<&str>) {
        http::pause(self.host, attempt, retry_after).await;
    }

    /// The registry's base URL: https, or plain http for loopback and
    /// `--insecure-registry` hosts when https is not spoken there. The ping
    /// also learns how the registry wants to be authenticated.
    ///
    /// A ping that fails for a passing reason (5xx, 429, a dropped
    /// connection) is sent again, with backoff, before a scheme is given
    /// up, so that a registry that is restarting is not taken for one
    /// without TLS. A 5xx or 429 shows that the scheme speaks HTTP there:
    /// only that scheme is tried again, and its status is what is reported.
    async fn base(&self, repo: &Repository, what: &str) -> Result<String, RegistryError> {
        if let Some(base) = self.endpoint(repo, |e| e.base.clone()).flatten() {
            return Ok(base);
        }
        let plain_ok = is_loopback(&repo.api_host) || self.insecure(repo);
        // Loopback registries mostly speak plain http (a test or CI
        // registry), so it goes first there, as ko and crane do it; https
        // first everywhere else.
        let schemes: &[&str] = match (is_loopback(&repo.api_host), plain_ok) {
            (true, _) => &["http", "https"],
            (false, true) => &["https", "http"],
            (false, false) => &["https"],
        };
        let mut candidates = schemes.to_vec();
        // The failure that says most: the lowest rank, the latest of equals.
        let mut reported: Option<(u8, RegistryError)> = None;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut again = Vec::new();
            let mut retry_after = None;
            for scheme in candidates {
                let (rank, e) = match self.ping(repo, scheme, what).await {
                    Ping::Registry(base) => return Ok(base),
                    Ping::Blocked(e) => return Err(e),
                    Ping::Busy(e, after) => {
                        again = vec![scheme];
                        retry_after = after;
                        (0, e)
                    }
                    Ping::Dropped(e) => {
                        again.push(scheme);
                        (1, e)
                    }
                    // The https failure says what went wrong with TLS,
                    // where plain http's (a TLS port's 400) says nothing.
                    Ping::Wrong(e) if scheme == "https" => (2, e),
                    Ping::Wrong(e) => (3, e),
                };
                if reported.as_ref().is_none_or(|(r, _)| rank <= *r) {
                    reported = Some((rank, e));
                }
                if rank == 0 {
                    break;
                }
            }
            if again.is_empty() || attempt >= MAX_ATTEMPTS {
                break;
            }
            self.pause(attempt, retry_after.as_deref()).await;
            candidates = again;
        }
        Err(match reported {
            Some((
                2..,
                RegistryError::Network {
                    registry,
                    what,
                    message,
                    hint: "",
                },
            )) if !plain_ok => RegistryError::Network {
                registry,
                what,
                message,
                hint: "; for a registry without TLS, pass --insecure-registry",
            },
            Some((_, e)) => e,
            None => RegistryError::Protocol {
                what: what.to_owned(),
                message: "no scheme to try".to_owned(),
            },
        })
    }

    /// One `GET /v2/` over `scheme`, sorted by what it says about the
    /// scheme. It is sent once: `base` decides what to try again, since
    /// browsers report every network failure alike and a wrong scheme
    /// must not eat a whole retry budget.
    async fn ping(&self, repo: &Repository, scheme: &str, what: &str) -> Ping {
        let base = format!("{scheme}://{}", repo.api_host);
        let url = format!("{base}/v2/");
        let req = HttpRequest {
            method: "GET",
            url: &url,
            headers: &[],
            body: None,
            tls_verify: !self.insecure(repo),
            progress: None,
        };
        let resp = match self.host.fetch(&req).await {
            Ok(resp) => resp,
            Err(e) if e.code.as_deref() == Some(CORS_BLOCKED) => {
                return Ping::Blocked(network(&repo.registry, what, e))
            }
            Err(e) if retry::retryable_network(e.code.as_deref()) => {
                return Ping::Dropped(network(&repo.registry, what, e))
            }
            Err(e) => return Ping::Wrong(network(&repo.registry, what, e)),
        };
        match resp.status {
            // The spec's answers; anything else (a TLS port's 400 to plain
            // http, a web server's 404) is no registry.
            200 | 401 => {
                let challenge = resp.header("www-authenticate").and_then(Challenge::parse);
                self.host.discard_body(resp.body).await;
                self.with_endpoint(repo, |e| {
                    e.base = Some(base.clone());
                    e.challenge = challenge;
                });
                Ping::Registry(base)
            }
            status if retry::retryable_status(status) => {
                let after = resp.header("retry-after").map(str::to_owned);
                Ping::Busy(self.failure(repo, &url, "pull", resp).await, after)
            }
            _ => Ping::Wrong(self.failure(repo, &url, "pull", resp).await),
        }
    }

    fn endpoint<T>(&self, repo: &Repository, f: impl FnOnce(&Endpoint) -> T) -> Option<T> {
        self.endpoints.borrow().get(&repo.api_host).map(f)
    }

    fn with_endpoint<T>(&self, repo: &Repository, f: impl FnOnce(&mut Endpoint) -> T) -> T {
        f(self
            .endpoints
            .borrow_mut()
            .entry(repo.api_host.clone())
            .or_default())
    }

    async fn credentials(&self, repo: &Repository) -> Result<Option<Credentials>, RegistryError> {
        if let Some(known) = self.endpoint(repo, |e| e.credentials.clone()).flatten() {
            return Ok(known);
        }
        let explicit = self
            .push_registries
            .borrow()
            .as_ref()
            .is_none_or(|r| r.contains(&repo.registry));
        let found = self.host.credentials(&repo.registry, explicit).await?;
        self.with_endpoint(repo, |e| e.credentials = Some(found.clone()));
        Ok(found)
    }

    /// The `Authorization` value for `scopes`, fetching a token when needed.
    async fn authorization(
        &self,
        repo: &Repository,
        scopes: &[Scope],
        what: &str,
    ) -> Result<Option<String>, RegistryError> {
        let challenge = self.endpoint(repo, |e| e.challenge.clone()).flatten();
        match challenge {
            None => Ok(None),
            Some(Challenge::Basic) => Ok(match self.credentials(repo).await? {
                Some(Credentials::Basic { username, password }) => {
                    Some(auth::basic_header(&username, &password))
                }
                _ => None,
            }),
            Some(Challenge::Bearer { realm, service }) => {
                let now = self.host.now_ms();
                let cached = self.endpoint(repo, |e| e.tokens.get(scopes, now).cloned());
                if let Some(token) = cached.flatten() {
                    return Ok(Some(format!("Bearer {}", token.value)));
                }
                let token = self
                    .token(repo, &realm, service.as_deref(), scopes, what)
                    .await?;
                let header = format!("Bearer {}", token.value);
                self.with_endpoint(repo, |e| e.tokens.insert(scopes, token));
                Ok(Some(header))
            }
        }
    }

    async fn token(
        &self,
        repo: &Repository,
        realm: &str,
        service: Option<&str>,
        scopes: &[Scope],
        what: &str,
    ) -> Result<auth::Token, RegistryError> {
        let credentials = self.credentials(repo).await?;
        let tr = auth::token_request(realm, service, scopes, credentials.as_ref());
        let req = HttpRequest {
            method: tr.method,
            url: &tr.url,
            headers: &tr.headers,
            body: tr.body.as_deref().map(Body::Bytes),
            tls_verify: !self.insecure(repo),
            progress: None,
        };
        let resp = self
            .fetch_retrying(&repo.registry, what, &req, true)
            .await?;
        let status = resp.status;
        let body = self.read_small(resp).await?;
        match status {
            200..=299 => auth::parse_token(&body, self.host.now_ms()).map_err(|message| {
                RegistryError::Protocol {
                    what: format!("token from {realm}"),
                    message,
                }
            }),
            401 | 403 if credentials.is_some() => Err(RegistryError::AuthFailed {
                registry: repo.registry.clone(),
                detail: format!(
                    "the token service refused the credentials ({})",
                    error_detail(&body).unwrap_or_else(|| status.to_string())
                ),
            }),
            401 | 403 => Err(RegistryError::AuthRequired {
                registry: repo.registry.clone(),
            }),
            _ => Err(RegistryError::Status {
                registry: repo.registry.clone(),
                what: format!("token from {realm}"),
                status,
                detail: detail_suffix(&body),
            }),
        }
    }

    /// After a 401: adopt the challenge it carried and drop the token it refused.
    fn renew(&self, repo: &Repository, scopes: &[Scope], header: Option<&str>) {
        let challenge = header.and_then(Challenge::parse);
        self.with_endpoint(repo, |e| {
            if challenge.is_some() {
                e.challenge = challenge;
            }
            e.tokens.forget(scopes);
        });
    }

    /// The error for a second 401 in a row.
    async fn refused(&self, repo: &Repository, challenge: Option<&str>) -> RegistryError {
        match self.credentials(repo).await {
            Ok(Some(_)) => RegistryError::AuthFailed {
                registry: repo.registry.clone(),
                detail: match challenge.and_then(Challenge::error) {
                    Some(e) if e == "insufficient_scope" => {
                        "the credentials lack the permission this needs".to_owned()
                    }
                    _ => "the registry refused the credentials".to_owned(),
                },
            },
            Ok(None) => RegistryError::AuthRequired {
                registry: repo.registry.clone(),
            },
            Err(e) => e,
        }
    }

    /// Reads a small body whole (an error, a token), cut at 64 KiB.
    pub(super) async fn read_small(&self, resp: HttpResponse) -> Result<Vec<u8>, RegistryError> {
        self.read_limited(resp, SMALL_BODY, false).await
    }

    /// Reads a body of at most `limit` bytes; longer is an error when
    /// `strict`, and cut short otherwise.
    pub(super) async fn read_limited(
        &self,
        resp: HttpResponse,
        limit: usize,
        strict: bool,
    ) -> Result<Vec<u8>, RegistryError> {
        let mut out = Vec::new();
        while let Some(chunk) = self.host.read_body(resp.body, 1 << 20).await? {
            out.extend_from_slice(&chunk);
            if out.len() > limit {
                self.host.discard_body(resp.body).await;
                if strict {
                    return Err(RegistryError::Protocol {
                        what: resp.url.clone(),
                        message: format!("the document is larger than {limit} bytes"),
                    });
                }
                out.truncate(limit);
                break;
            }
        }
        Ok(out)
    }

    /// The error for an unexpected status, with the registry's own words.
    pub(super) async fn failure(
        &self,
        repo: &Repository,
        what: &str,
        action: &'static str,
        resp: HttpResponse,
    ) -> RegistryError {
        let status = resp.status;
        let body = match self.read_small(resp).await {
            Ok(b) => b,
            Err(e) => return e,
        };
        match status {
            404 => RegistryError::NotFound {
                registry: repo.registry.clone(),
                what: what.to_owned(),
            },
            403 => RegistryError::Denied {
                registry: repo.registry.clone(),
                repository: repo.name.clone(),
                action,
                detail: error_detail(&body).unwrap_or_else(|| "403 Forbidden".to_owned()),
            },
            _ => RegistryError::Status {
                registry: repo.registry.clone(),
                what: what.to_owned(),
                status,
                detail: detail_suffix(&body),
            },
        }
    }
}

/// A failed fetch or body read, as the error that names the registry and
/// what was being done, with a hint when the cause suggests one.
pub(super) fn network(registry: &str, what: &str, e: HostError) -> RegistryError {
    let code = e.code.as_deref().unwrap_or_default();
    let tls = code.contains("CERT") || code.contains("SSL") || code.contains("TLS");
    // getaddrinfo's codes: no such name, or no answer from the resolver.
    // Neither https nor plain http can help, so no scheme hint either.
    let dns = matches!(code, "ENOTFOUND" | "EAI_AGAIN" | "EAI_NONAME" | "EAI_FAIL");
    RegistryError::Network {
        registry: registry.to_owned(),
        what: what.to_owned(),
        message: match e.code {
            Some(code) if !e.message.contains(&code) => format!("{} ({code})", e.message),
            _ => e.message,
        },
        hint: if tls {
            "; to trust a private CA, add it to NODE_EXTRA_CA_CERTS, or pass --insecure-registry to skip verification"
        } else if dns {
            "; the host name does not resolve (DNS): check the registry's name and this machine's network"
        } else {
            ""
        },
    }
}

/// `url` against the registry's base, when it is a path (or a relative
/// `Location`, which registries may send).
pub(super) fn absolute(base: &str, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        url.to_owned()
    } else if url.starts_with('/') {
        format!("{base}{url}")
    } else {
        format!("{base}/{url}")
    }
}

/// `localhost`, `127.0.0.0/8` and `::1`, with or without a port.
fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name == "localhost" || name.ends_with(".localhost") || name == "::1" || {
        let octets: Vec<&str> = name.split('.').collect();
        octets.len() == 4 && octets[0] == "127" && octets.iter().all(|o| o.parse::<u8>().is_ok())
    }
}

/// The messages in a registry error body (`{"errors":[{code,message}]}`).
fn error_detail(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<Item>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        code: Option<String>,
        message: Option<String>,
    }
    let parsed: Errors = serde_json::from_slice(body).ok()?;
    let parts: Vec<String> = parsed
        .errors
        .into_iter()
        .filter_map(|e| match (e.code, e.message) {
            (Some(c), Some(m)) => Some(format!("{c}: {m}")),
            (c, m) => c.or(m),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn detail_suffix(body: &[u8]) -> String {
    match error_detail(body) {
        Some(d) => format!(": {d}"),
        None => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() || text.len() > 200 {
                String::new()
            } else {
                format!(": {text}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{DirEntry, FileInfo, NativeHost, Progress, WriteHandle};

    /// The native host, with every credentials request recorded.
    struct Recording {
        inner: NativeHost,
        asked: RefCell<Vec<(String, bool)>>,
    }

    impl Host for Recording {
        async fn stat(&self, path: &str) -> Result<Option<FileInfo>, HostError> {
            self.inner.stat(path).await
        }
        async fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>, HostError> {
            self.inner.list_dir(path).await
        }
        async fn read(&self, path: &str, offset: u64, len: usize) -> Result<Vec<u8>, HostError> {
            self.inner.read(path, offset, len).await
        }
        async fn create(&self, path: &str) -> Result<WriteHandle, HostError> {
            self.inner.create(path).await
        }
        async fn write(&self, handle: WriteHandle, data: &[u8]) -> Result<(), HostError> {
            self.inner.write(handle, data).await
        }
        async fn close(&self, handle: WriteHandle) -> Result<(), HostError> {
            self.inner.close(handle).await
        }
        async fn rename(&self, from: &str, to: &str) -> Result<(), HostError> {
            self.inner.rename(from, to).await
        }
        async fn remove(&self, path: &str) -> Result<(), HostError> {
            self.inner.remove(path).await
        }
        async fn remove_dir(&self, path: &str) -> Result<(), HostError> {
            self.inner.remove_dir(path).await
        }
        fn env(&self, name: &str) -> Option<String> {
            self.inner.env(name)
        }
        fn progress(&self, _event: &Progress<'_>) {}
        async fn credentials(
            &self,
            registry: &str,
            explicit: bool,
        ) -> Result<Option<Credentials>, HostError> {
            self.asked
                .borrow_mut()
                .push((registry.to_owned(), explicit));
            Ok(None)
        }
    }

    #[test]
    fn credentials_given_for_a_run_go_to_the_registries_it_pushes_to() {
        let host = Recording {
            inner: NativeHost::with_env(&[]),
            asked: RefCell::new(Vec::new()),
        };
        let repo = |r: &str| Repository::of(&Reference::parse(r).unwrap_or_else(|e| panic!("{e}")));
        let options = ClientOptions::new(&[], None, None);
        // Pushing nowhere: they apply everywhere, the base's registry too.
        let client = Client::new(&host, options.clone());
        pollster::block_on(client.credentials(&repo("ghcr.io/org/base:1"))).ok();
        // Pushing: to the targets' registries alone, however a target spells Docker Hub.
        let client = Client::new(&host, options);
        client.push_to(&[
            Reference::parse("index.docker.io/team/app:1").unwrap_or_else(|e| panic!("{e}"))
        ]);
        pollster::block_on(client.credentials(&repo("python:3.12-slim"))).ok();
        pollster::block_on(client.credentials(&repo("ghcr.io/org/base:1"))).ok();
        assert_eq!(
            host.asked.take(),
            [
                ("ghcr.io".to_owned(), true),
                ("docker.io".to_owned(), true),
                ("ghcr.io".to_owned(), false)
            ]
        );
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:5000",
            "127.1.2.3",
            "[::1]:5000",
            "reg.localhost:80",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "128.0.0.1",
            "127.0.0",
            "example.com:5000",
            "10.0.0.1",
            "[::2]",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn resolves_locations() {
        let b = "http://127.0.0.1:5000";
        assert_eq!(
            absolute(b, "/v2/a/blobs/uploads/x"),
            "http://127.0.0.1:5000/v2/a/blobs/uploads/x"
        );
        assert_eq!(absolute(b, "https://s3/x?y"), "https://s3/x?y");
        assert_eq!(absolute(b, "v2/a"), "http://127.0.0.1:5000/v2/a");
    }

    #[test]
    fn reads_registry_error_bodies() {
        let body = br#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"},{"code":"DENIED"}]}"#;
        assert_eq!(
            error_detail(body).as_deref(),
            Some("BLOB_UNKNOWN: blob unknown to registry; DENIED")
        );
        assert_eq!(detail_suffix(b"plain words"), ": plain words");
        assert_eq!(detail_suffix(b""), "");
        assert_eq!(error_detail(b"{}"), None);
    }
}
