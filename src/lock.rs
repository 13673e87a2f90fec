//! An exclusive lock file through the host, around the read-modify-write
//! of a shared file (a layout's index.json): made with exclusive create,
//! holding its owner's pid and when it was taken, and broken when it is
//! older than any holder could need, which is what a killed build leaves.

use serde::{Deserialize, Serialize};

use crate::host::{Host, HostError};

/// Holders keep the lock for one read and one rename of a small file.
/// One older than this was left by a process that died holding it.
const STALE_MS: u64 = 30_000;
/// How long a build waits for the others before it gives up.
const WAIT_MS: u64 = 120_000;
const POLL_MS: u64 = 20;

#[derive(Serialize, Deserialize)]
struct Owner {
    pid: Option<u32>,
    at: u64,
}

/// A lock held; `release` it on every path.
pub struct Lock {
    path: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(transparent)]
    Host(#[from] HostError),
    #[error("{path} is held by {owner} and was not released within {} s; if no build is running, remove it", WAIT_MS / 1000)]
    Busy { path: String, owner: String },
}

impl LockError {
    pub fn code(&self) -> &'static str {
        match self {
            LockError::Host(e) => e.code(),
            LockError::Busy { .. } => "locked",
        }
    }
}

/// Takes the lock at `path`, waiting for its holder, and breaking it when stale.
pub async fn acquire<H: Host>(host: &H, path: &str) -> Result<Lock, LockError> {
    let me = serde_json::to_vec(&Owner {
        pid: host.pid(),
        at: host.now_ms(),
    })
    .unwrap_or_default();
    let mut waited = 0;
    loop {
        if let Some(handle) = host.create_new(path).await? {
            host.write(handle, &me).await?;
            host.close(handle).await?;
            return Ok(Lock {
                path: path.to_owned(),
            });
        }
        let owner: Option<Owner> = match host.read_all(path).await {
            Ok(bytes) => serde_json::from_slice(&bytes).ok(),
            // Released between our create and this read: try again.
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        // A lock being written has no owner yet; only an old one is stale.
        let stale = owner
            .as_ref()
            .is_some_and(|o| host.now_ms().saturating_sub(o.at) > STALE_MS);
        if stale {
            host.remove(path).await?;
            continue;
        }
        if waited >= WAIT_MS {
            return Err(LockError::Busy {
                path: path.to_owned(),
                owner: match owner.and_then(|o| o.pid) {
                    Some(pid) => format!("process {pid}"),
                    None => "another build".to_owned(),
                },
            });
        }
        host.sleep(POLL_MS).await;
        waited += POLL_MS;
    }
}

impl Lock {
    /// Gives the lock up; a failure leaves a lock that turns stale.
    pub async fn release<H: Host>(self, host: &H) {
        let _ = host.remove(&self.path).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NativeHost;

    #[test]
    fn a_lock_is_exclusive_released_and_broken_when_stale() {
        let dir = std::env::temp_dir().join(format!("pycontainer-lock-{}", std::process::id()));
        let path = dir.join("index.json.lock").to_string_lossy().into_owned();
        let host = NativeHost::new();
        pollster::block_on(async {
            let lock = acquire(&host, &path)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let owner: Owner = serde_json::from_slice(&std::fs::read(&path).unwrap_or_default())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(owner.pid, Some(std::process::id()));
            assert!(
                host.create_new(&path).await.ok().flatten().is_none(),
                "held"
            );
            lock.release(&host).await;
            assert!(!std::path::Path::new(&path).exists(), "released");
            // What a killed build leaves: taken long ago.
            std::fs::write(&path, br#"{"pid":1,"at":0}"#).unwrap_or_default();
            let lock = acquire(&host, &path)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            lock.release(&host).await;
        });
        let _ = std::fs::remove_dir_all(dir);
    }
}
