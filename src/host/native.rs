//! A `Host` over `std::fs`, for native tests and tools.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{DirEntry, FileInfo, Host, HostError, Kind, Offloaded, Progress, WriteHandle};

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

fn info(path: &str, meta: &fs::Metadata) -> Result<FileInfo, HostError> {
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
        let t = fs::read_link(path).map_err(|e| err("readlink", path, e))?;
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
            Ok(meta) => info(path, &meta).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(err("stat", path, e)),
        }
    }

    async fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>, HostError> {
        let mut out = Vec::new();
        for entry in fs::read_dir(path).map_err(|e| err("list", path, e))? {
            let entry = entry.map_err(|e| err("list", path, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = format!("{}/{}", path.trim_end_matches('/'), name);
            let meta = fs::symlink_metadata(&child).map_err(|e| err("stat", &child, e))?;
            out.push(DirEntry {
                name,
                info: info(&child, &meta)?,
            });
        }
        Ok(out)
    }

    async fn read(&self, path: &str, offset: u64, len: usize) -> Result<Vec<u8>, HostError> {
        let mut f = File::open(path).map_err(|e| err("open", path, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| err("read", path, e))?;
        let mut buf = Vec::with_capacity(len);
        f.take(len as u64)
            .read_to_end(&mut buf)
            .map_err(|e| err("read", path, e))?;
        Ok(buf)
    }

    async fn create(&self, path: &str) -> Result<WriteHandle, HostError> {
        if let Some(parent) = Path::new(path).parent() {
            fs::create_dir_all(parent).map_err(|e| err("mkdir", path, e))?;
        }
        let f = File::create(path).map_err(|e| err("create", path, e))?;
        let mut next = self.next.borrow_mut();
        *next += 1;
        self.files.borrow_mut().insert(*next, f);
        Ok(WriteHandle(*next))
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

    fn deflate_chunk(&self, chunk: &[u8]) -> Option<Offloaded> {
        if !self.threads {
            return None;
        }
        let chunk = chunk.to_vec();
        let worker = std::thread::spawn(move || crate::layer::gzip::deflate_chunk(&chunk));
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

fn bad_handle(op: &'static str, handle: WriteHandle) -> HostError {
    HostError {
        op,
        path: String::new(),
        message: format!("no open file with handle {}", handle.0),
        code: None,
    }
}
