//! Whether an output can be written at all, asked while planning, before a
//! build does any work: a build whose output is under a file, on a read-only
//! file system or in a directory it may not write would otherwise fail only
//! at its end. Nothing is left behind by the asking.

use super::SinkError;
use crate::host::{parent, Host, Kind};

/// Checks that files can be created where `path` (a layout directory or an
/// archive file, existing or not) goes: its nearest existing directory is
/// one, and takes a new file, which is removed at once.
pub async fn check_writable<H: Host>(host: &H, path: &str) -> Result<(), SinkError> {
    let refuse = |reason: String| SinkError::NotWritable {
        path: path.to_owned(),
        reason,
    };
    let mut dir = path;
    let found = loop {
        match host.stat(dir).await? {
            Some(info) if info.kind == Kind::Dir => break dir,
            // The output itself may be a file (an archive to replace).
            Some(_) if dir == path => {}
            Some(_) => return Err(refuse(format!("{dir} is not a directory"))),
            None => {}
        }
        match parent(dir) {
            Some(p) => dir = p,
            None => return Ok(()),
        }
    };
    let probe = crate::temp::in_dir(host, found.trim_end_matches('/'), 0);
    let created = match host.create(&probe).await {
        Ok(handle) => host.close(handle).await,
        Err(e) => Err(e),
    };
    let _ = host.remove(&probe).await;
    created.map_err(|e| refuse(format!("{found} takes no new files ({})", e.message)))
}

#[cfg(test)]
mod tests {
    use super::parent;

    #[test]
    fn parents_end_at_the_root() {
        assert_eq!(parent("/a/b.tar"), Some("/a"));
        assert_eq!(parent("/a"), Some("/"));
        assert_eq!(parent("/"), None);
        assert_eq!(parent("a"), None);
    }
}
