//! A `Host` over `std::fs`, for native tests and tools.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{
    Body, BodyHandle, Credentials, DirEntry, FileInfo, Host, HostError, HttpRequest, HttpResponse,
    Kind, Offloaded, Progress, WriteHandle,
};

/// Reads and writes the real file system; the environment is the process's,
/// unless overridden for a test.
#[derive(Default)]
pub struct NativeHost {
    files: RefCell<HashMap<u32, File>>,
    next: RefCell<u32>,
    /// `None`: the process environment; `Some`: exactly these variables.
    env: Option<HashMap<String, String>>,
    /// Deflate chunks on a second thread, as the Node host does in a worker.
    threads: bool,
    bodies: RefCell<HashMap<u32, Box<dyn Read>>>,
    credentials: Option<Credentials>,
}

impl NativeHost {
    pub fn new() -> Self {
        Self::default()
    }

    /// The same host, deflating chunks on another thread.
    pub fn with_threads(self) -> Self {
        NativeHost {
            threads: true,
            ..self
        }
    }

    /// The same host, answering `credentials` with these for every registry.
    pub fn with_credentials(self, username: &str, password: &str) -> Self {
        NativeHost {
            credentials: Some(Credentials::Basic {
                username: username.to_owned(),
                password: password.to_owned(),
            }),
            ..self
        }
    }

    fn next_handle(&self) -> u32 {
        let mut next = self.next.borrow_mut();
        *next += 1;
        *next
    }

    /// A host whose `env` answers from this map instead of the process.
    pub fn with_env(vars: &[(&str, &str)]) -> Self {
        NativeHost {
            env: Some(
                vars.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            ..Self::default()
        }
    }
}

fn err(op: &'static str, path: &str, e: io::Error) -> HostError {
    let code = match e.kind() {
        io::ErrorKind::NotFound => Some("ENOENT".to_owned()),
        io::ErrorKind::PermissionDenied => Some("EACCES".to_owned()),
        _ => None,
    };
    HostError {
        op,
        path: path.to_owned(),
        message: e.to_string(),
        code,
    }
}

/// `shown` names `path` in errors.
fn info(path: &Path, shown: &str, meta: &fs::Metadata) -> Result<FileInfo, HostError> {
    let ft = meta.file_type();
    let kind = if ft.is_symlink() {
        Kind::Symlink
    } else if ft.is_dir() {
        Kind::Dir
    } else if ft.is_file() {
        Kind::File
    } else {
        Kind::Other
    };
    let target = if kind == Kind::Symlink {
        let t = fs::read_link(path).map_err(|e| err("readlink", shown, e))?;
        Some(t.to_string_lossy().into_owned())
    } else {
        None
    };
    Ok(FileInfo {
        kind,
        size: meta.len(),
        mode: meta.permissions().mode() & 0o7777,
        target,
    })
}

impl Host for NativeHost {
    async fn stat(&self, path: &str) -> Result<Option<FileInfo>, HostError> {
        match fs::symlink_metadata(path) {
            Ok(meta) => info(Path::new(path), path, &meta).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(err("stat", path, e)),
        }
    }

    async fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>, HostError> {
        let mut out = Vec::new();
        for entry in fs::read_dir(path).map_err(|e| err("list", path, e))? {
            let entry = entry.map_err(|e| err("list", path, e))?;
            let raw = entry.file_name();
            let name_bytes = raw.to_str().is_none().then(|| raw.as_bytes().to_vec());
            let entry_path = entry.path();
            let name = raw.to_string_lossy().into_owned();
            let child = format!("{}/{}", path.trim_end_matches('/'), name);
            let meta = fs::symlink_metadata(&entry_path).map_err(|e| err("stat", &child, e))?;
            out.push(
                DirEntry {
                    name,
                    name_bytes,
                    info: info(&entry_path, &child, &meta)?,
                }
                .with_name_bytes(),
            );
        }
        Ok(out)
    }

    async fn read(&self, path: &str, offset: u64, len: usize) -> Result<Vec<u8>, HostError> {
        read_range(path, offset, len as u64)
    }

    async fn create(&self, path: &str) -> Result<WriteHandle, HostError> {
        if let Some(parent) = Path::new(path).parent() {
            fs::create_dir_all(parent).map_err(|e| err("mkdir", path, e))?;
        }
        let f = File::create(path).map_err(|e| err("create", path, e))?;
        let handle = self.next_handle();
        self.files.borrow_mut().insert(handle, f);
        Ok(WriteHandle(handle))
    }

    async fn create_new(&self, path: &str) -> Result<Option<WriteHandle>, HostError> {
        if let Some(parent) = Path::new(path).parent() {
            fs::create_dir_all(parent).map_err(|e| err("mkdir", path, e))?;
        }
        let f = match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(None),
            Err(e) => return Err(err("create", path, e)),
        };
        let handle = self.next_handle();
        self.files.borrow_mut().insert(handle, f);
        Ok(Some(WriteHandle(handle)))
    }

    fn pid(&self) -> Option<u32> {
        Some(std::process::id())
    }

    /// Linux's /proc lists every live process; elsewhere this host cannot tell.
    fn alive(&self, pid: u32) -> Option<bool> {
        if !Path::new("/proc/self").exists() {
            return None;
        }
        Some(Path::new(&format!("/proc/{pid}")).exists())
    }

    async fn write(&self, handle: WriteHandle, data: &[u8]) -> Result<(), HostError> {
        let mut files = self.files.borrow_mut();
        let f = files
            .get_mut(&handle.0)
            .ok_or_else(|| bad_handle("write", handle))?;
        f.write_all(data).map_err(|e| err("write", "", e))
    }

    async fn close(&self, handle: WriteHandle) -> Result<(), HostError> {
        let f = self
            .files
            .borrow_mut()
            .remove(&handle.0)
            .ok_or_else(|| bad_handle("close", handle))?;
        f.sync_all().map_err(|e| err("fsync", "", e))
    }

    async fn rename(&self, from: &str, to: &str) -> Result<(), HostError> {
        fs::rename(from, to).map_err(|e| err("rename", from, e))
    }

    /// `std::fs::copy` (`copy_file_range` on Linux, so the kernel moves the
    /// bytes), then an fsync, as `close` gives.
    async fn copy_file(&self, from: &str, to: &str) -> Result<(), HostError> {
        if let Some(parent) = Path::new(to).parent() {
            fs::create_dir_all(parent).map_err(|e| err("mkdir", to, e))?;
        }
        fs::copy(from, to).map_err(|e| err("copy", from, e))?;
        File::open(to)
            .and_then(|f| f.sync_all())
            .map_err(|e| err("fsync", to, e))
    }

    /// A hard link; a copy where the file system refuses one (another
    /// device, no links).
    async fn link_file(&self, from: &str, to: &str) -> Result<(), HostError> {
        if let Some(parent) = Path::new(to).parent() {
            fs::create_dir_all(parent).map_err(|e| err("mkdir", to, e))?;
        }
        match fs::hard_link(from, to) {
            Ok(()) => Ok(()),
            Err(_) => self.copy_file(from, to).await,
        }
    }

    async fn remove(&self, path: &str) -> Result<(), HostError> {
        match fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(err("remove", path, e)),
            _ => Ok(()),
        }
    }

    async fn remove_dir(&self, path: &str) -> Result<(), HostError> {
        match fs::remove_dir(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(err("rmdir", path, e)),
            _ => Ok(()),
        }
    }

    fn env(&self, name: &str) -> Option<String> {
        match &self.env {
            None => std::env::var(name).ok(),
            Some(vars) => vars.get(name).cloned(),
        }
    }

    fn progress(&self, _event: &Progress<'_>) {}

    async fn fetch(&self, req: &HttpRequest<'_>) -> Result<HttpResponse, HostError> {
        let net = |e: ureq::Error| HostError {
            op: "fetch",
            path: format!("{} {}", req.method, req.url),
            message: e.to_string(),
            code: Some(net_code(&e).to_owned()),
        };
        let mut builder = ureq::http::Request::builder()
            .method(req.method)
            .uri(req.url);
        for (k, v) in req.headers {
            builder = builder.header(k, v);
        }
        let body = match req.body {
            None => Vec::new(),
            Some(Body::Bytes(b)) => b.to_vec(),
            // A test host: reading the range whole is fine here.
            Some(Body::File { path, offset, len }) => read_range(path, offset, len)?,
        };
        let request = builder.body(body).map_err(|e| HostError {
            op: "fetch",
            path: req.url.to_owned(),
            message: e.to_string(),
            code: None,
        })?;
        let response = agent().run(request).map_err(net)?;
        let url = ureq::ResponseExt::get_uri(&response).to_string();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (k.as_str().to_ascii_lowercase(), value)
            })
            .collect();
        let handle = self.next_handle();
        let reader = response.into_body().into_reader();
        self.bodies.borrow_mut().insert(handle, Box::new(reader));
        Ok(HttpResponse {
            status,
            url,
            headers,
            body: BodyHandle(handle),
        })
    }

    async fn read_body(&self, body: BodyHandle, max: usize) -> Result<Option<Vec<u8>>, HostError> {
        let mut bodies = self.bodies.borrow_mut();
        let Some(reader) = bodies.get_mut(&body.0) else {
            return Ok(None);
        };
        let mut buf = Vec::with_capacity(max.min(1 << 20));
        let n = reader
            .take(max as u64)
            .read_to_end(&mut buf)
            .map_err(|e| err("read", "response body", e))?;
        if n == 0 {
            bodies.remove(&body.0);
            return Ok(None);
        }
        Ok(Some(buf))
    }

    async fn discard_body(&self, body: BodyHandle) {
        self.bodies.borrow_mut().remove(&body.0);
    }

    async fn sleep(&self, ms: u64) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }

    async fn credentials(
        &self,
        _registry: &str,
        _explicit: bool,
    ) -> Result<Option<Credentials>, HostError> {
        Ok(self.credentials.clone())
    }

    fn caches_index_pages(&self) -> bool {
        true
    }

    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    fn random(&self) -> u64 {
        use std::hash::{BuildHasher, Hasher};
        // std seeds each RandomState from the OS: randomness without a crate.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(self.next_handle() as u64);
        h.finish()
    }

    fn deflate_chunk(&self, chunk: &[u8]) -> Option<Offloaded> {
        if !self.threads {
            return None;
        }
        let chunk = chunk.to_vec();
        let worker = std::thread::spawn(move || pycontainer_archive::gzip::compress_chunk(&chunk));
        // Joining blocks the poll, which is fine for tests: the thread has
        // been working since the spawn, alongside the caller.
        Some(Box::pin(async move {
            worker.join().map_err(|_| HostError {
                op: "deflate",
                path: String::new(),
                message: "the deflate thread panicked".to_owned(),
                code: None,
            })
        }))
    }
}

fn read_range(path: &str, offset: u64, len: u64) -> Result<Vec<u8>, HostError> {
    let mut f = File::open(path).map_err(|e| err("open", path, e))?;
    f.seek(SeekFrom::Start(offset))
        .map_err(|e| err("read", path, e))?;
    let mut buf = Vec::with_capacity(len.min(1 << 24) as usize);
    f.take(len)
        .read_to_end(&mut buf)
        .map_err(|e| err("read", path, e))?;
    Ok(buf)
}

/// One agent per process: it pools connections to the registry.
fn agent() -> &'static ureq::Agent {
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into()
    })
}

/// The code the Node host would give, so that retry rules see one vocabulary.
fn net_code(e: &ureq::Error) -> &'static str {
    match e {
        ureq::Error::Io(io) => match io.kind() {
            io::ErrorKind::ConnectionRefused => "ECONNREFUSED",
            io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof => "ECONNRESET",
            io::ErrorKind::TimedOut => "ETIMEDOUT",
            _ => "ENETWORK",
        },
        ureq::Error::Timeout(_) => "ETIMEDOUT",
        // Protocol and TLS failures (https to a plain-http registry) will
        // not mend on a retry.
        _ => "EPROTO",
    }
}

fn bad_handle(op: &'static str, handle: WriteHandle) -> HostError {
    HostError {
        op,
        path: String::new(),
        message: format!("no open file with handle {}", handle.0),
        code: None,
    }
}
