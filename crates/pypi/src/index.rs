//! The Simple Repository API, sans-I/O: which URL to ask, what to accept, and what a
//! project page lists. PEP 691 JSON is preferred; PEP 503 HTML is read too because private
//! indexes (devpi, Artifactory, a plain directory server) often serve only that.

pub mod compact;
mod html;
mod json;
pub(crate) mod url;

pub use url::{check_index_url, percent_decode};

use pycontainer_python::name::PackageName;
use pycontainer_python::pep440::SpecifierSet;

/// The `Accept` header for project pages: JSON first, HTML as the fallback (PEP 691).
pub const ACCEPT: &str = "application/vnd.pypi.simple.v1+json, \
                          application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// `(algorithm, lower-case hex digest)` pairs, such as `("sha256", "ab12…")`.
pub type Hashes = Vec<(String, String)>;

/// One project's page: every file the index offers, in the page's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectPage {
    pub files: Vec<ProjectFile>,
}

/// A file on a project page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    pub filename: String,
    /// Absolute, and without a fragment: a `#sha256=` fragment is moved into `hashes`.
    pub url: String,
    pub hashes: Hashes,
    /// `None` both when absent and when unparsable: like pip, a malformed `requires-python`
    /// (old uploads have `>=2.7.*` and the like) is ignored rather than hiding the file.
    pub requires_python: Option<SpecifierSet>,
    /// PEP 592: `Some(reason)` when yanked, `Some("")` when yanked without a reason.
    pub yanked: Option<String>,
    /// PEP 658/714: `Some` when a `.metadata` file is served beside the file, with its
    /// hashes when the index gave them (possibly none).
    pub core_metadata: Option<Hashes>,
    pub size: Option<u64>,
}

impl ProjectFile {
    /// A file known only by name and URL (a wheel named by path, a test's
    /// page); everything else the index would say is left out.
    pub fn new(filename: &str, url: &str) -> ProjectFile {
        ProjectFile {
            filename: filename.to_owned(),
            url: url.to_owned(),
            hashes: Vec::new(),
            requires_python: None,
            yanked: None,
            core_metadata: None,
            size: None,
        }
    }

    pub fn sha256(&self) -> Option<&str> {
        self.hashes
            .iter()
            .find(|(alg, _)| alg == "sha256")
            .map(|(_, hex)| hex.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error("{url}: the index answered with content type {content_type:?}, which is neither PEP 691 JSON nor PEP 503 HTML")]
    UnsupportedContentType { url: String, content_type: String },
    #[error("{url}: the index page is not valid PEP 691 JSON: {reason}")]
    InvalidJson { url: String, reason: String },
    #[error("{url}: the index speaks Simple API version {version}; only 1.x is understood")]
    UnsupportedApiVersion { url: String, version: String },
    #[error("{url}: a file link {href:?} cannot be made absolute")]
    InvalidUrl { url: String, href: String },
}

/// The project page URL, `{index}/{name}/`, whatever slashes `index` ends with.
pub fn project_url(index: &str, name: &PackageName) -> String {
    format!("{}/{name}/", index.trim_end_matches('/'))
}

/// Reads a project page. `content_type` is the response's header; without one the body is
/// sniffed (JSON starts with `{`). `page_url` is the URL the page was finally served from
/// (after redirects), which relative file links are resolved against.
pub fn parse_project(
    body: &[u8],
    content_type: Option<&str>,
    page_url: &str,
) -> Result<ProjectPage, IndexError> {
    match content_type.map(media_type) {
        Some(t) if t == "application/vnd.pypi.simple.v1+json" => json::parse(body, page_url),
        Some(t) if t == "application/vnd.pypi.simple.v1+html" || t == "text/html" => {
            html::parse(&String::from_utf8_lossy(body), page_url)
        }
        Some(t) => Err(IndexError::UnsupportedContentType {
            url: page_url.to_string(),
            content_type: t,
        }),
        None if body.trim_ascii_start().starts_with(b"{") => json::parse(body, page_url),
        None => html::parse(&String::from_utf8_lossy(body), page_url),
    }
}

/// PEP 658/714: where the file's core metadata is served, when the index says it is.
pub fn metadata_url(file: &ProjectFile) -> Option<String> {
    file.core_metadata
        .as_ref()
        .map(|_| format!("{}.metadata", file.url))
}

/// `Text/HTML; charset=utf-8` → `text/html`.
fn media_type(content_type: &str) -> String {
    let essence = content_type.split(';').next().unwrap_or_default();
    essence.trim().to_ascii_lowercase()
}

/// PEP 629: a major version other than 1 may change meaning, so it is refused.
fn check_api_version(version: &str, page_url: &str) -> Result<(), IndexError> {
    match version.trim().split('.').next() {
        Some("1") => Ok(()),
        _ => Err(IndexError::UnsupportedApiVersion {
            url: page_url.to_string(),
            version: version.to_string(),
        }),
    }
}

/// Splits `url#sha256=…` into the URL and the hashes its fragment names.
fn split_fragment(url: String) -> (String, Hashes) {
    let Some((location, fragment)) = url.split_once('#') else {
        return (url, Vec::new());
    };
    let mut hashes: Hashes = fragment
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(alg, _)| HASH_ALGORITHMS.contains(&alg.to_ascii_lowercase().as_str()))
        .filter(|(_, hex)| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .map(|(alg, hex)| (alg.to_ascii_lowercase(), hex.to_ascii_lowercase()))
        .collect();
    pycontainer_sort::sort(&mut hashes);
    (location.to_string(), hashes)
}

/// Python's `hashlib.algorithms_guaranteed`, which is what pip accepts in a fragment;
/// other `key=value` fragments (`egg=`, `subdirectory=`) are not hashes.
const HASH_ALGORITHMS: &[&str] = &[
    "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384",
    "sha3_512", "blake2b", "blake2s",
];

/// The last path segment, percent-decoded; `None` for a directory link.
fn filename_of(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    (!last.is_empty()).then(|| url::percent_decode(last))
}

fn requires_python(text: &str) -> Option<SpecifierSet> {
    text.trim()
        .parse()
        .ok()
        .filter(|set: &SpecifierSet| !set.is_empty())
}

#[cfg(test)]
mod tests;
