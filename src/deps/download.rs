//! Package index traffic: pages and metadata read whole, wheels and sdists
//! streamed into the cache by sha256 and checked before they get their name.

use futures_util::StreamExt;

use crate::host::{Host, HttpRequest, HttpResponse, Progress};
use crate::http::{self, retry};
use crate::layout::{BlobWriter, Layout};
use pycontainer_digest::Digest;

use super::DepsError;
use pycontainer_pypi::index::percent_decode;
use pycontainer_python::url::redacted;

const READ_CHUNK: usize = 1 << 20;
/// Index pages list every file of a project; the largest on PyPI are a few MB.
const MAX_PAGE: usize = 64 << 20;

/// A file to download: where from, and what it must hash to when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    pub url: String,
    pub filename: String,
    pub sha256: Option<Digest>,
    pub size: Option<u64>,
}

/// A GET with the URL's own userinfo as its credentials (a direct URL
/// `https://user:token@host/x.whl`), else an index's (from its URL's
/// userinfo) when the request goes to that index's own host. The userinfo
/// itself is never sent: fetch would drop it, and a proxy log would keep it.
async fn get<H: Host>(
    host: &H,
    url: &str,
    accept: Option<&str>,
    credentials: &[Credentials],
    conditional: &[(String, String)],
) -> Result<HttpResponse, DepsError> {
    let mut headers = conditional.to_vec();
    if let Some(a) = accept {
        headers.push(("Accept".to_owned(), a.to_owned()));
    }
    let (plain, own) = split_credentials(url);
    if let Some(c) = own
        .as_ref()
        .or_else(|| credentials.iter().find(|c| c.applies_to(url)))
    {
        headers.push(("Authorization".to_owned(), c.header.clone()));
    }
    let req = HttpRequest {
        method: "GET",
        url: &plain,
        headers: &headers,
        body: None,
        tls_verify: true,
        progress: None,
    };
    http::fetch_retrying(host, &req, true)
        .await
        .map_err(|e| DepsError::Network {
            url: redacted(url),
            message: e.message,
        })
}

/// A page or metadata file, whole; `None` for a 404.
pub async fn read_page<H: Host>(
    host: &H,
    url: &str,
    accept: Option<&str>,
    credentials: &[Credentials],
) -> Result<Option<(Vec<u8>, Option<String>, String)>, DepsError> {
    Ok(
        match read_page_if(host, url, accept, credentials, &[]).await? {
            PageAnswer::Body(page) => Some((page.body, page.content_type, page.url)),
            PageAnswer::NotFound | PageAnswer::NotModified { .. } => None,
        },
    )
}

/// A page as the index sent it, with the headers a cache keeps.
pub struct Page {
    pub body: Vec<u8>,
    pub content_type: Option<String>,
    /// The final URL, after redirects.
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// What a GET of a page brought back.
pub enum PageAnswer {
    Body(Page),
    NotFound,
    /// A 304 to a conditional request: the cached copy is still the page.
    NotModified {
        headers: Vec<(String, String)>,
    },
}

/// A page or metadata file, whole, sent with the `conditional` headers
/// (`If-None-Match`, `If-Modified-Since`) of a cached copy.
pub async fn read_page_if<H: Host>(
    host: &H,
    url: &str,
    accept: Option<&str>,
    credentials: &[Credentials],
    conditional: &[(String, String)],
) -> Result<PageAnswer, DepsError> {
    let resp = get(host, url, accept, credentials, conditional).await?;
    if resp.status == 404 {
        host.discard_body(resp.body).await;
        return Ok(PageAnswer::NotFound);
    }
    if resp.status == 304 && !conditional.is_empty() {
        host.discard_body(resp.body).await;
        return Ok(PageAnswer::NotModified {
            headers: resp.headers,
        });
    }
    check_status(host, &resp, url).await?;
    let content_type = resp.header("content-type").map(str::to_owned);
    // Sized once from Content-Length: pydantic-core's page is 7 MB, which
    // growing by doubling would copy several times over.
    let declared = resp
        .header("content-length")
        .and_then(|n| n.trim().parse::<usize>().ok());
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(MAX_PAGE));
    while let Some(chunk) = host.read_body(resp.body, READ_CHUNK).await? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_PAGE {
            host.discard_body(resp.body).await;
            return Err(DepsError::Index {
                url: redacted(url),
                message: format!("the answer is larger than {MAX_PAGE} bytes"),
            });
        }
    }
    Ok(PageAnswer::Body(Page {
        body,
        content_type,
        url: resp.url,
        headers: resp.headers,
    }))
}

async fn check_status<H: Host>(host: &H, resp: &HttpResponse, url: &str) -> Result<(), DepsError> {
    if (200..300).contains(&resp.status) {
        return Ok(());
    }
    host.discard_body(resp.body).await;
    let hint = match resp.status {
        401 | 403 => "; the index wants credentials: put them in the index URL (https://user:token@host/simple)",
        _ => "",
    };
    Err(DepsError::Index {
        url: redacted(url),
        message: format!("HTTP {}{hint}", resp.status),
    })
}

/// Downloads every wanted file into the cache, `parallel` at a time, and
/// returns the path of each, in order.
pub async fn files<H: Host>(
    host: &H,
    cache: &Layout<'_, H>,
    wanted: &[Wanted],
    credentials: &[Credentials],
    parallel: usize,
) -> Result<Vec<String>, DepsError> {
    let mut pending = futures_util::stream::iter(wanted.iter().enumerate())
        .map(|(i, w)| async move { (i, wheel(host, cache, w, credentials).await) })
        .buffer_unordered(parallel.max(1));
    let mut paths = vec![String::new(); wanted.len()];
    while let Some((i, outcome)) = pending.next().await {
        if let Some(slot) = paths.get_mut(i) {
            *slot = outcome?.0;
        }
    }
    Ok(paths)
}

/// One file into the cache, unless a file with its hash is there already;
/// its path there and its sha256.
pub async fn wheel<H: Host>(
    host: &H,
    cache: &Layout<'_, H>,
    w: &Wanted,
    credentials: &[Credentials],
) -> Result<(String, Digest), DepsError> {
    if let Some(digest) = &w.sha256 {
        let path = cache.blob_path(digest);
        if host.stat(&path).await?.is_some() {
            return Ok((path, digest.clone()));
        }
    }
    if let Some(path) = w.url.strip_prefix("file://") {
        return local(host, cache, w, path).await;
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        let resp = get(host, &w.url, None, credentials, &[]).await?;
        check_status(host, &resp, &w.url).await?;
        let mut blob = cache.begin_blob().await?;
        match stream(host, &mut blob, resp.body, w).await {
            Ok(actual) => return settle(cache, blob, w, actual).await,
            Err(Streamed::Network(e))
                if attempt < retry::MAX_ATTEMPTS && retry::retryable_network(e.code.as_deref()) =>
            {
                blob.abort(cache).await;
                http::pause(host, attempt, None).await;
            }
            Err(Streamed::Network(e)) => {
                blob.abort(cache).await;
                return Err(DepsError::Network {
                    url: redacted(&w.url),
                    message: e.message,
                });
            }
            Err(Streamed::Other(e)) => {
                blob.abort(cache).await;
                return Err(e);
            }
        }
    }
}

/// A wheel on this machine, copied into the cache so that it is checked
/// and read like a downloaded one.
async fn local<H: Host>(
    host: &H,
    cache: &Layout<'_, H>,
    w: &Wanted,
    path: &str,
) -> Result<(String, Digest), DepsError> {
    if host.stat(path).await?.is_none() {
        return Err(DepsError::LocalWheel {
            path: path.to_owned(),
        });
    }
    let mut blob = cache.begin_blob().await?;
    let mut hasher = host.sha256();
    let copied = async {
        loop {
            let chunk = host.read(path, blob.size(), READ_CHUNK).await?;
            hasher.update(&chunk);
            blob.write(host, &chunk).await?;
            if chunk.len() < READ_CHUNK {
                return Ok::<(), DepsError>(());
            }
        }
    }
    .await;
    if let Err(e) = copied {
        blob.abort(cache).await;
        return Err(e);
    }
    settle(cache, blob, w, hasher.finish()).await
}

/// Names the blob by its hash once it is known to be the wanted file.
async fn settle<H: Host>(
    cache: &Layout<'_, H>,
    blob: BlobWriter,
    w: &Wanted,
    actual: Digest,
) -> Result<(String, Digest), DepsError> {
    if let Some(expected) = w.sha256.as_ref().filter(|e| **e != actual) {
        blob.abort(cache).await;
        return Err(DepsError::HashMismatch {
            filename: w.filename.clone(),
            url: redacted(&w.url),
            expected: expected.hex().to_owned(),
            actual: actual.hex().to_owned(),
        });
    }
    blob.commit(cache, &actual).await?;
    Ok((cache.blob_path(&actual), actual))
}

enum Streamed {
    Network(crate::host::HostError),
    Other(DepsError),
}

async fn stream<H: Host>(
    host: &H,
    blob: &mut BlobWriter,
    body: crate::host::BodyHandle,
    w: &Wanted,
) -> Result<Digest, Streamed> {
    let mut hasher = host.sha256();
    let total = w.size.unwrap_or(0);
    while let Some(chunk) = host
        .read_body(body, READ_CHUNK)
        .await
        .map_err(Streamed::Network)?
    {
        hasher.update(&chunk);
        blob.write(host, &chunk)
            .await
            .map_err(|e| Streamed::Other(e.into()))?;
        host.progress(&Progress::Transfer {
            digest: &w.filename,
            action: "download",
            bytes: blob.size(),
            total: total.max(blob.size()),
        });
    }
    Ok(hasher.finish())
}

/// Basic credentials taken from an index URL's userinfo, sent only to that host.
#[derive(Clone)]
pub struct Credentials {
    origin: String,
    header: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({} <redacted>)", self.origin)
    }
}

impl Credentials {
    fn applies_to(&self, url: &str) -> bool {
        origin(url).is_some_and(|(o, _)| o == self.origin)
    }
}

/// Splits `https://user:pass@host/simple` into the URL without userinfo and
/// the credentials for its host.
pub fn split_credentials(url: &str) -> (String, Option<Credentials>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let Some((userinfo, hostport)) = authority.rsplit_once('@') else {
        return (url.to_owned(), None);
    };
    let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let plain = format!("{scheme}://{hostport}{path}");
    let header = crate::registry::auth::basic_header(&percent_decode(user), &percent_decode(pass));
    let origin = format!("{scheme}://{hostport}").to_ascii_lowercase();
    (plain, Some(Credentials { origin, header }))
}

/// `scheme://host:port` of a URL, and the rest.
fn origin(url: &str) -> Option<(String, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some((
        format!("{scheme}://{hostport}").to_ascii_lowercase(),
        &rest[end..],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_out_of_the_url_and_stay_on_its_host() {
        let (url, creds) = split_credentials("https://me:s%40cret@pkgs.example.com/simple/");
        assert_eq!(url, "https://pkgs.example.com/simple/");
        let creds = creds.unwrap();
        // base64("me:s@cret")
        assert_eq!(creds.header, "Basic bWU6c0BjcmV0");
        assert!(creds.applies_to("https://pkgs.example.com/files/x.whl"));
        assert!(!creds.applies_to("https://files.example.org/x.whl"));
        assert!(!format!("{creds:?}").contains("bWU"));
        assert_eq!(
            split_credentials("https://pypi.org/simple/").1.map(|_| ()),
            None
        );
    }
}
