//! Large index pages kept parsed: pydantic-core's page is 7 MB of JSON
//! listing 15,000 files, and parsing it again in the wasm took longer than
//! the rest of a warm resolution. When the index sends the same bytes as
//! last time (an index without validators, or a page the page cache kept),
//! the page is read back from its compact form instead
//! (`pycontainer_pypi::index::compact`). One record per page URL, replaced
//! when the page changes, so the cache holds one copy of each.

use super::pins::Context;
use super::DepsError;
use crate::cache;
use crate::host::Host;
use pycontainer_digest::{Digest, Sha256};
use pycontainer_pypi::index::{self, compact, ProjectPage};

/// Pages smaller than this are parsed each time: parsing them costs less
/// than a file in the cache.
const KEEP_ABOVE: usize = 256 << 10;

/// The page in `body`, served from `page_url` with `content_type`: read
/// back from the cache when these same bytes were parsed last time, else
/// parsed (and kept, when large).
pub async fn parse<H: Host>(
    cx: &Context<'_, H>,
    body: &[u8],
    content_type: Option<&str>,
    page_url: &str,
) -> Result<ProjectPage, DepsError> {
    if body.len() <= KEEP_ABOVE {
        return index::parse_project(body, content_type, page_url).map_err(DepsError::from);
    }
    // Relative links resolve against the page's URL and the content type
    // picks the parser: the record is the page's at that URL, of that type.
    let name = Digest::of(
        Sha256::portable(),
        format!("{}\n{page_url}", content_type.unwrap_or_default()).as_bytes(),
    );
    let path = format!("{}/{}/{}", cx.cache.root(), cache::PARSED_PAGES, name.hex());
    let bytes_digest = Digest::of(cx.host.sha256(), body);
    if let Some(record) = cache::read_record(cx.host, &path).await {
        let kept = record.strip_prefix(bytes_digest.hex().as_bytes());
        if let Some(page) = kept.and_then(compact::decode) {
            return Ok(page);
        }
    }
    let page = index::parse_project(body, content_type, page_url).map_err(DepsError::from)?;
    let mut record = bytes_digest.hex().as_bytes().to_vec();
    record.extend(compact::encode(&page));
    cache::write_record(cx.host, &path, &record).await;
    Ok(page)
}
