//! The one interface through which the core reaches files, the environment and progress.
//!
//! See `docs/host-interface.md` for the contract shared by every host.

#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(target_arch = "wasm32")]
pub use js::JsHost;
#[cfg(target_arch = "wasm32")]
pub(crate) use js::{from_js, to_js};
#[cfg(not(target_arch = "wasm32"))]
pub use native::NativeHost;

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

use pycontainer_digest::Sha256;

/// Work the host runs on another core; it has started by the time this is returned.
pub type Offloaded = Pin<Box<dyn Future<Output = Result<Vec<u8>, HostError>>>>;

/// What a path is, as `lstat` sees it (a final symlink is never followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub kind: Kind,
    pub size: u64,
    /// Permission bits only (`st_mode & 0o7777`).
    pub mode: u32,
    /// The link text, for symlinks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirEntry {
    /// The name; one that is not UTF-8 shows its bytes escaped (`escape_name`).
    pub name: String,
    /// The name's bytes, given only when they are not UTF-8, so that the
    /// core can refuse the file by name instead of losing it.
    #[serde(default, rename = "nameBytes", skip_serializing_if = "Option::is_none")]
    pub name_bytes: Option<Vec<u8>>,
    #[serde(flatten)]
    pub info: FileInfo,
}

impl DirEntry {
    /// An entry whose name arrived as raw bytes (`None` when they are UTF-8).
    pub(crate) fn with_name_bytes(mut self) -> Self {
        if let Some(bytes) = &self.name_bytes {
            self.name = escape_name(bytes);
        }
        self
    }
}

/// A name that is not UTF-8, readable and one line: the valid runs as they
/// are, every other byte as `\xNN`. Every host shows a name alike, so a
/// `.dockerignore` line can match it.
pub fn escape_name(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// An open output file, as the host numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteHandle(pub u32);

/// A failed host operation, with the path it was about.
#[derive(Debug, thiserror::Error)]
#[error("{op} {path}: {message}")]
pub struct HostError {
    pub op: &'static str,
    pub path: String,
    pub message: String,
    /// The OS error code when the host gives one (`ENOENT`, `EACCES`, …).
    pub code: Option<String>,
}

impl HostError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        "io"
    }

    pub fn is_not_found(&self) -> bool {
        self.code.as_deref() == Some("ENOENT")
    }
}

/// An HTTP request for the host to send (the registry client's only way out).
#[derive(Clone, Copy, Debug)]
pub struct HttpRequest<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Option<Body<'a>>,
    /// False only for an `--insecure-registry` over https.
    pub tls_verify: bool,
    /// For an upload: the blob whose bytes the body carries. A host that
    /// streams the body reports `Progress::Transfer` as it goes, which the
    /// core cannot do inside one request.
    pub progress: Option<UploadProgress<'a>>,
}

#[derive(Clone, Copy, Debug)]
pub struct UploadProgress<'a> {
    pub digest: &'a str,
    /// Where the body starts within the blob.
    pub offset: u64,
    pub total: u64,
}

/// What a request sends.
#[derive(Clone, Copy, Debug)]
pub enum Body<'a> {
    Bytes(&'a [u8]),
    /// `len` bytes of a file from `offset`, which the host streams from
    /// disk: a layer upload never passes through the core's memory.
    File {
        path: &'a str,
        offset: u64,
        len: u64,
    },
}

/// A response whose body is still with the host, to be read in pieces.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// The final URL, after redirects.
    pub url: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: BodyHandle,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response body the host holds open, as the host numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyHandle(pub u32);

/// Registry credentials, as the host finds them (flags, env, docker config).
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth2 refresh token (docker config's `identitytoken`).
    IdentityToken(String),
}

/// Never shows a secret, so no `--verbose` or error path can print one.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { username, .. } => write!(f, "Basic({username}:****)"),
            Credentials::IdentityToken(_) => f.write_str("IdentityToken(****)"),
        }
    }
}

/// Progress events for the host to show; hosts may ignore them.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ProgressEvent"))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Progress<'a> {
    /// A phase of the build started: `plan`, `base`, `inspect base`,
    /// `dependencies`, `resolve`, `download`, `install`, `compile`, `layer`,
    /// `pull`, `write` or `push`, in the order the build reaches them.
    Phase { name: &'a str },
    /// Bytes of one blob written so far; `digest` once it is known.
    Blob {
        digest: Option<&'a str>,
        label: &'a str,
        bytes: u64,
    },
    /// Bytes moving over the network: a registry blob, or a wheel from a
    /// package index (`download`, whose `digest` is the wheel's file name).
    Transfer {
        digest: &'a str,
        /// `exists`: the registry already had the blob, nothing moved.
        #[cfg_attr(
            test,
            ts(type = r#""pull" | "push" | "mount" | "exists" | "download""#)
        )]
        action: &'a str,
        bytes: u64,
        total: u64,
    },
    /// Something the user should know that does not stop the build.
    Warning {
        /// Stable: a plan warning's code (`Warning::code`), or
        /// `lock-unwritten` (the lock a resolution made could not be saved).
        code: &'a str,
        message: &'a str,
    },
}

/// A Python source to compile: where it is in the image, and its text.
pub struct PySource<'a> {
    pub path: &'a str,
    pub text: &'a [u8],
}

/// Everything the core needs from its environment.
///
/// Methods are async because browser hosts and fetch are; the Node and
/// native hosts answer synchronously and cost only a ready future.
#[allow(async_fn_in_trait)]
pub trait Host {
    async fn stat(&self, path: &str) -> Result<Option<FileInfo>, HostError>;
    async fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>, HostError>;
    /// Up to `len` bytes at `offset`; fewer only at the end of the file.
    async fn read(&self, path: &str, offset: u64, len: usize) -> Result<Vec<u8>, HostError>;
    /// Opens a new file for writing, creating its parent directories.
    async fn create(&self, path: &str) -> Result<WriteHandle, HostError>;
    /// Creates `path` only if nothing is there (`O_EXCL`), for lock files;
    /// `None` when it exists. A host without it checks first, which is
    /// enough where one process is all there is (a browser tab).
    async fn create_new(&self, path: &str) -> Result<Option<WriteHandle>, HostError> {
        if self.stat(path).await?.is_some() {
            return Ok(None);
        }
        self.create(path).await.map(Some)
    }
    /// This process's id, recorded in lock files for people and in temp
    /// file names, so that a later build can tell whose they are.
    fn pid(&self) -> Option<u32> {
        None
    }
    /// Whether the process `pid` runs on this machine; `None` when the host
    /// cannot tell, and then nothing it owns is taken for stale.
    fn alive(&self, _pid: u32) -> Option<bool> {
        None
    }
    async fn write(&self, handle: WriteHandle, data: &[u8]) -> Result<(), HostError>;
    /// Flushes to stable storage and closes.
    async fn close(&self, handle: WriteHandle) -> Result<(), HostError>;
    async fn rename(&self, from: &str, to: &str) -> Result<(), HostError>;
    /// Copies the whole file `from` to the new name `to` (creating its
    /// parent directories), flushed to stable storage as `close` does. The
    /// bytes need not pass through the core: a host with a faster way (a
    /// reflink, a kernel copy) takes it, for base layers are tens of
    /// megabytes each. Without one they stream through `read` and `write`.
    async fn copy_file(&self, from: &str, to: &str) -> Result<(), HostError> {
        copy_through(self, from, to).await
    }
    /// Gives the new name `to` the bytes of `from`, where the caller
    /// promises that nothing writes into either again (a blob of the cache,
    /// whose every blob is written under a temp name, then renamed): a hard
    /// link where the host can make one, so no byte moves and nothing needs
    /// syncing; else `copy_file`.
    async fn link_file(&self, from: &str, to: &str) -> Result<(), HostError> {
        self.copy_file(from, to).await
    }
    /// Deletes a file; a missing file is not an error.
    async fn remove(&self, path: &str) -> Result<(), HostError>;
    /// Deletes an empty directory; a missing one is not an error.
    async fn remove_dir(&self, path: &str) -> Result<(), HostError>;
    fn env(&self, name: &str) -> Option<String>;
    fn progress(&self, event: &Progress<'_>);
    /// A SHA-256 hasher, host-native where the host has a faster one.
    fn sha256(&self) -> Sha256 {
        Sha256::portable()
    }
    /// Runs `layer::gzip::deflate_chunk` on another core, where the host has
    /// one to offer; the same function everywhere, so the bytes are the same.
    fn deflate_chunk(&self, _chunk: &[u8]) -> Option<Offloaded> {
        None
    }

    /// The magic number of the CPython `minor` (`3.11`) bytecode this host
    /// can compile, when it has such a compiler (the Node host's CPython
    /// in WebAssembly); `None` where it has none, such as a browser.
    fn bytecode_magic(&self, _minor: &str) -> Option<[u8; 4]> {
        None
    }
    /// Says that `compile_bytecode` for `minor` follows, so that a host
    /// whose compiler takes seconds to start can start it now, while the
    /// wheels download.
    fn prepare_bytecode(&self, _minor: &str) {}
    /// Compiles each source to an unchecked-hash `.pyc` for CPython
    /// `minor`, with its path in the image recorded for tracebacks; `None`
    /// for a source the compiler refuses (bad syntax), as pip skips those.
    async fn compile_bytecode(
        &self,
        minor: &str,
        _sources: &[PySource<'_>],
    ) -> Result<Vec<Option<Vec<u8>>>, HostError> {
        Err(HostError {
            op: "compile",
            path: minor.to_owned(),
            message: "this host has no bytecode compiler".to_owned(),
            code: None,
        })
    }

    /// Whether the core keeps index pages in its cache with their HTTP
    /// validators and revalidates them itself: where `fetch` keeps no HTTP
    /// cache of its own (Node, native). A browser's fetch has one, and a
    /// conditional header there would cost a CORS preflight per page.
    fn caches_index_pages(&self) -> bool {
        false
    }

    /// Sends a request, following redirects (dropping `Authorization` on a
    /// cross-origin one, as fetch does). Network failures are errors;
    /// HTTP error statuses are not.
    async fn fetch(&self, req: &HttpRequest<'_>) -> Result<HttpResponse, HostError> {
        Err(HostError {
            op: "fetch",
            path: req.url.to_owned(),
            message: "this host has no network access".to_owned(),
            code: Some("ENETWORK".to_owned()),
        })
    }
    /// The next piece of a body, at most `max` bytes; `None` at its end,
    /// after which the handle is released.
    async fn read_body(
        &self,
        _body: BodyHandle,
        _max: usize,
    ) -> Result<Option<Vec<u8>>, HostError> {
        Ok(None)
    }
    /// Abandons a body the core does not want (an error page, a HEAD).
    async fn discard_body(&self, _body: BodyHandle) {}
    /// Waits, between retries.
    async fn sleep(&self, _ms: u64) {}
    /// Credentials for a registry (`docker.io` for Docker Hub; the core
    /// names registries, normalised, and a host only matches its own config
    /// keys against them). `explicit` says whether credentials the user gave
    /// for this run (`--username`) apply to it: it is pushed to, or nothing is.
    async fn credentials(
        &self,
        _registry: &str,
        _explicit: bool,
    ) -> Result<Option<Credentials>, HostError> {
        Ok(None)
    }
    /// Wall-clock milliseconds, for token expiry and the freshness of cached
    /// index pages (never for image content).
    fn now_ms(&self) -> u64 {
        0
    }
    /// A random number, for retry jitter and temp-file names shared caches need.
    fn random(&self) -> u64 {
        0
    }

    /// Reads a whole (small) file.
    async fn read_all(&self, path: &str) -> Result<Vec<u8>, HostError> {
        const CHUNK: usize = 1 << 20;
        let mut out = Vec::new();
        loop {
            let chunk = self.read(path, out.len() as u64, CHUNK).await?;
            let done = chunk.len() < CHUNK;
            out.extend_from_slice(&chunk);
            if done {
                return Ok(out);
            }
        }
    }
}

/// `Host::copy_file` through the core, a megabyte at a time, for a host
/// that has no copy of its own.
pub(crate) async fn copy_through<H: Host + ?Sized>(
    host: &H,
    from: &str,
    to: &str,
) -> Result<(), HostError> {
    const CHUNK: usize = 1 << 20;
    let handle = host.create(to).await?;
    let copied = async {
        let mut offset = 0;
        loop {
            let chunk = host.read(from, offset, CHUNK).await?;
            host.write(handle, &chunk).await?;
            offset += chunk.len() as u64;
            if chunk.len() < CHUNK {
                return Ok(());
            }
        }
    }
    .await;
    let closed = host.close(handle).await;
    copied.and(closed)
}

/// The directory holding `path`; `None` for a relative name's last part.
pub fn parent(path: &str) -> Option<&str> {
    match path.rsplit_once('/') {
        Some(("", rest)) if !rest.is_empty() => Some("/"),
        Some(("", _)) => None,
        Some((p, _)) => Some(p),
        None => None,
    }
}

/// `dir` and those of its parents that do not exist, outermost first: the
/// directories a first write under `dir` creates, which a failed build
/// takes back.
pub async fn missing_dirs<H: Host>(host: &H, dir: &str) -> Result<Vec<String>, HostError> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if host.stat(d).await?.is_some() {
            break;
        }
        missing.push(d.to_owned());
        cur = parent(d);
    }
    missing.reverse();
    Ok(missing)
}
