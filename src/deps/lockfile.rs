//! Reading and writing pycontainer's own pylock.toml in the context; what
//! goes in it, and when it still holds, is `pycontainer_pypi::ownlock`'s.

use pycontainer_pypi::lock::{Locked, Selection};
use pycontainer_pypi::ownlock;
use pycontainer_pypi::resolve::Resolution;
use pycontainer_python::tags::Target;

use super::DepsError;
use crate::host::{Host, Progress};

/// The lock at `path` when it is ours and was made from the same inputs.
pub async fn read_fresh<H: Host>(
    host: &H,
    path: &str,
    inputs: &str,
    selection: &Selection,
    target: &Target,
) -> Result<Option<Locked>, DepsError> {
    if host.stat(path).await?.is_none() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&host.read_all(path).await?).into_owned();
    Ok(ownlock::fresh(&text, inputs, selection, target, &|name| {
        host.env(name)
    })?)
}

/// The lock's text for a new resolution. It is made while planning, so
/// that the app layer ships the bytes the build then writes.
pub fn render(resolution: &Resolution, inputs: &str, target: &Target) -> String {
    ownlock::render(resolution, inputs, target)
}

/// Writes the lock. A context that cannot be written to (read-only
/// checkout) costs only the next build's resolution, so it is a warning.
pub async fn write<H: Host>(host: &H, path: &str, text: &str) {
    if let Err(e) = crate::temp::replace_file(host, path, text.as_bytes()).await {
        host.progress(&Progress::Warning {
            code: "lock-unwritten",
            message: &format!(
                "could not write {path} ({}); the next build resolves again",
                e.message
            ),
        });
    }
}
