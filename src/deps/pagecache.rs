//! Index pages kept in the cache with the HTTP validators they came with, so
//! that resolving again asks the index only whether a page changed (a 304
//! carries no body, where a page such as pydantic-core's is 7 MB), or, while
//! the page's `max-age` lasts (pypi.org gives 600 s), asks nothing at all.
//!
//! A page is one file, named by the hash of its URL and Accept header: a JSON
//! line saying what the answer said about itself, then the body as it came.
//! One file, replaced whole, so a reader never pairs one answer's validators
//! with another's body. The cache is housekeeping: a copy that cannot be read
//! or written is fetched as if there were none.

use serde::{Deserialize, Serialize};

use super::download::{self, Credentials, PageAnswer};
use super::DepsError;
use crate::host::Host;
use pycontainer_digest::{Digest, Sha256};

/// What a cached answer said about itself.
#[derive(Serialize, Deserialize)]
struct Meta {
    /// The final URL, after redirects, which relative file URLs are resolved against.
    url: String,
    content_type: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    /// When the answer arrived, by the host's clock (ms since the epoch),
    /// and for how long after that it may be used without asking.
    received_ms: u64,
    fresh_ms: u64,
}

/// A page: its body, its Content-Type and its final URL.
pub type Body = (Vec<u8>, Option<String>, String);

/// Where the pages are kept: `dir` (the cache's `pycontainer/index`), or
/// nowhere, for a host whose fetch keeps its own HTTP cache.
pub struct PageCache<'a> {
    dir: Option<&'a str>,
}

impl<'a> PageCache<'a> {
    pub fn new<H: Host>(host: &H, dir: &'a str) -> PageCache<'a> {
        PageCache {
            dir: host.caches_index_pages().then_some(dir),
        }
    }

    /// The page at `url` asked for with `accept`: the cached copy while it is
    /// fresh, else the index's answer to a request conditional on the copy's
    /// validators; `None` for a 404.
    pub async fn read<H: Host>(
        &self,
        host: &H,
        url: &str,
        accept: Option<&str>,
        credentials: &[Credentials],
    ) -> Result<Option<Body>, DepsError> {
        let Some(dir) = self.dir else {
            return download::read_page(host, url, accept, credentials).await;
        };
        let path = format!("{dir}/{}", key(url, accept).hex());
        let cached = load(host, &path).await;
        let now = host.now_ms();
        if let Some((meta, body)) = &cached {
            // A host without a clock says 0: its copies are never fresh, only revalidated.
            if now != 0 && now >= meta.received_ms && now - meta.received_ms < meta.fresh_ms {
                return Ok(Some((
                    body.clone(),
                    meta.content_type.clone(),
                    meta.url.clone(),
                )));
            }
        }
        let conditional = cached
            .as_ref()
            .map(|(meta, _)| conditional_headers(meta))
            .unwrap_or_default();
        match download::read_page_if(host, url, accept, credentials, &conditional).await? {
            PageAnswer::NotFound => Ok(None),
            PageAnswer::NotModified { headers } => {
                let Some((mut meta, body)) = cached else {
                    return Ok(None);
                };
                if let Some(fresh_ms) = freshness(&headers) {
                    // Rewritten only when that makes later reads skip the request.
                    if fresh_ms > 0 {
                        meta.received_ms = now;
                        meta.fresh_ms = fresh_ms;
                        store(host, &path, &meta, &body).await;
                    }
                }
                Ok(Some((body, meta.content_type, meta.url)))
            }
            PageAnswer::Body(page) => {
                let meta = Meta {
                    url: page.url,
                    content_type: page.content_type,
                    etag: header(&page.headers, "etag"),
                    last_modified: header(&page.headers, "last-modified"),
                    received_ms: now,
                    fresh_ms: freshness(&page.headers).unwrap_or(0),
                };
                let storable = freshness(&page.headers).is_some()
                    && (meta.fresh_ms > 0 || meta.etag.is_some() || meta.last_modified.is_some());
                if storable {
                    store(host, &path, &meta, &page.body).await;
                }
                Ok(Some((page.body, meta.content_type, meta.url)))
            }
        }
    }
}

fn key(url: &str, accept: Option<&str>) -> Digest {
    let mut hasher = Sha256::portable();
    hasher.update(accept.unwrap_or_default().as_bytes());
    hasher.update(b"\n");
    hasher.update(url.as_bytes());
    hasher.finish()
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// How long an answer may be used without asking again, from its
/// Cache-Control and Age (RFC 9111; no heuristic freshness); `None` when it
/// must not be stored at all (`no-store`).
fn freshness(headers: &[(String, String)]) -> Option<u64> {
    let control = header(headers, "cache-control").unwrap_or_default();
    let mut max_age = None;
    for directive in control.split(',').map(str::trim) {
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        match name.to_ascii_lowercase().as_str() {
            "no-store" => return None,
            "no-cache" => return Some(0),
            "max-age" => max_age = value.trim_matches('"').parse::<u64>().ok(),
            _ => {}
        }
    }
    let age = header(headers, "age")
        .and_then(|a| a.trim().parse::<u64>().ok())
        .unwrap_or(0);
    Some(
        max_age
            .unwrap_or(0)
            .saturating_sub(age)
            .saturating_mul(1000),
    )
}

fn conditional_headers(meta: &Meta) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    if let Some(etag) = &meta.etag {
        headers.push(("If-None-Match".to_owned(), etag.clone()));
    }
    if let Some(date) = &meta.last_modified {
        headers.push(("If-Modified-Since".to_owned(), date.clone()));
    }
    headers
}

async fn load<H: Host>(host: &H, path: &str) -> Option<(Meta, Vec<u8>)> {
    let mut bytes = crate::cache::read_record(host, path).await?;
    let end = bytes.iter().position(|b| *b == b'\n')?;
    let meta = serde_json::from_slice(bytes.get(..end)?).ok()?;
    let body = bytes.split_off(end + 1);
    Some((meta, body))
}

async fn store<H: Host>(host: &H, path: &str, meta: &Meta, body: &[u8]) {
    let Ok(mut bytes) = serde_json::to_vec(meta) else {
        return;
    };
    bytes.push(b'\n');
    bytes.extend_from_slice(body);
    crate::cache::write_record(host, path, &bytes).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn freshness_follows_cache_control_less_the_age() {
        let pypi = headers(&[("cache-control", "max-age=600, public"), ("age", "60")]);
        assert_eq!(freshness(&pypi), Some(540_000));
        assert_eq!(
            freshness(&headers(&[("Cache-Control", "no-cache")])),
            Some(0)
        );
        assert_eq!(
            freshness(&headers(&[("cache-control", "no-store, max-age=600")])),
            None
        );
        assert_eq!(freshness(&headers(&[("age", "5")])), Some(0));
    }
}
