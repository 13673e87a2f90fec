//! The blob cache: an OCI layout that holds pulled base layers, downloaded
//! wheels and made dependency layers by digest, shared by every build.

use crate::host::Host;

/// A record the cache keeps beside its blobs (a probe, a page, metadata):
/// its bytes, or none when it is missing or cannot be read. Records are
/// housekeeping: one that cannot be read is made again.
pub async fn read_record<H: Host>(host: &H, path: &str) -> Option<Vec<u8>> {
    host.read_all(path).await.ok()
}

/// Writes a record whole (temp name, then rename). Housekeeping: a cache
/// that cannot take it costs the work again next time, never the build.
pub async fn write_record<H: Host>(host: &H, path: &str, bytes: &[u8]) {
    let _ = crate::temp::replace_file(host, path, bytes).await;
}

/// Where the cache keeps the dependency layers it made, by their key.
pub const DEPS_RECORDS: &str = "pycontainer/deps";
/// Where it keeps each base's Python environment, by the base's config digest.
pub const TARGET_RECORDS: &str = "pycontainer/targets";
/// Where it keeps package index pages with their HTTP validators (`deps::pagecache`).
pub const INDEX_PAGES: &str = "pycontainer/index";
/// Where it keeps the package names of each project's last resolution, which
/// the next one asks the index for at once (`deps::resolving`).
pub const RESOLUTION_HINTS: &str = "pycontainer/resolutions";
/// Where it keeps large index pages already parsed, by their bytes (`deps::parsedpages`).
pub const PARSED_PAGES: &str = "pycontainer/index-parsed";
/// Where it keeps each wheel's core metadata, by the wheel's sha256 (`deps::resolving`).
pub const METADATA_RECORDS: &str = "pycontainer/metadata";
/// Where it keeps what an image's lower layers hold for an SBOM (package
/// databases, distributions), by those layers' digests (`sbom::gather`).
pub const SBOM_LAYERS: &str = "pycontainer/sbom-layers";

/// Where the cache is, when the host has a place for one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheDir(Option<String>);

#[derive(Debug, thiserror::Error)]
#[error("there is no cache directory, and {needed} needs one: neither --cache-dir, PYCONTAINER_CACHE_DIR, XDG_CACHE_HOME nor HOME is set; pass --cache-dir DIR")]
pub struct CacheError {
    /// What needed the cache, for the message.
    pub needed: &'static str,
}

impl CacheError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        "invalid-option"
    }
}

impl CacheDir {
    /// `--cache-dir`, `PYCONTAINER_CACHE_DIR`, then the XDG cache directory.
    pub fn find<H: Host>(host: &H, flag: Option<&str>) -> CacheDir {
        let dir = flag
            .map(str::to_owned)
            .or_else(|| host.env("PYCONTAINER_CACHE_DIR"))
            .or_else(|| {
                host.env("XDG_CACHE_HOME")
                    .map(|d| format!("{d}/pycontainer"))
            })
            .or_else(|| host.env("HOME").map(|d| format!("{d}/.cache/pycontainer")));
        CacheDir(dir.map(|d| format!("{}/oci", d.trim_end_matches('/'))))
    }

    /// The cache layout's path, when there is one.
    pub fn path(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Removes the temp files killed builds left: blobs being downloaded or
    /// made, records being written. Housekeeping: a cache it cannot tidy
    /// (another user's, read-only) is still used as it is.
    pub async fn sweep<H: Host>(&self, host: &H) {
        let Some(root) = self.path() else {
            return;
        };
        for dir in [
            "blobs/sha256",
            DEPS_RECORDS,
            TARGET_RECORDS,
            INDEX_PAGES,
            PARSED_PAGES,
            RESOLUTION_HINTS,
            METADATA_RECORDS,
            SBOM_LAYERS,
        ] {
            let _ = crate::temp::sweep(host, &format!("{root}/{dir}")).await;
        }
    }

    /// The cache layout's path; `needed` says what wanted it when there is none.
    pub fn require(&self, needed: &'static str) -> Result<&str, CacheError> {
        self.path().ok_or(CacheError { needed })
    }
}
