//! Temporary files that carry their owner's pid in their names, so that the
//! ones a killed build left behind can be told from the ones a running build
//! is writing: `NAME.tmp-PID-RANDOM`, and `.tmp-PID-RANDOM-N` for a blob.
//! A file is written under such a name and renamed into place, so that a
//! reader sees it whole or not at all. A temp file whose owner no longer
//! runs is stale; a later build removes it and `validate` reports it.

use crate::host::{Host, HostError, Kind};

/// What every temp name holds, before its owner.
const MARK: &str = ".tmp-";

/// The temp name for a file that will become `path`.
pub fn beside<H: Host>(host: &H, path: &str) -> String {
    format!("{path}{MARK}{}-{:x}", owner_text(host), host.random())
}

/// Writes a whole file under a temporary name, then renames it into place,
/// so that a reader sees the old file or the new one, never half of one.
pub async fn replace_file<H: Host>(host: &H, path: &str, bytes: &[u8]) -> Result<(), HostError> {
    let temp = beside(host, path);
    let h = host.create(&temp).await?;
    let written = async {
        host.write(h, bytes).await?;
        host.close(h).await?;
        host.rename(&temp, path).await
    }
    .await;
    if written.is_err() {
        let _ = host.remove(&temp).await;
    }
    written
}

/// A temp name in `dir`, unique within this process by `n`.
pub fn in_dir<H: Host>(host: &H, dir: &str, n: u32) -> String {
    format!("{dir}/{MARK}{}-{:x}-{n}", owner_text(host), host.random())
}

/// The pid, or `x` on a host that has none (a browser tab): never stale.
fn owner_text<H: Host>(host: &H) -> String {
    host.pid()
        .map_or_else(|| "x".to_owned(), |pid| pid.to_string())
}

/// A temp file found in a directory: its name and who wrote it.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    pub name: String,
    /// `None` when the name carries no pid.
    pub owner: Option<u32>,
}

/// The owner a file name says wrote it, when it is a temp file's name.
fn parse(name: &str) -> Option<Found> {
    let (_, rest) = name.rsplit_once(MARK)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let owner = match rest.get(digits.len()..) {
        Some(after) if after.starts_with('-') => digits.parse().ok(),
        _ => None,
    };
    Some(Found {
        name: name.to_owned(),
        owner,
    })
}

/// The temp files in `dir` that no live process owns: those whose owner the
/// host says is gone, or (with `unknown_too`) whose owner it cannot tell.
/// A missing directory holds none.
pub async fn stale<H: Host>(
    host: &H,
    dir: &str,
    unknown_too: bool,
) -> Result<Vec<Found>, HostError> {
    if host.stat(dir).await?.is_none_or(|i| i.kind != Kind::Dir) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in host.list_dir(dir).await? {
        if entry.info.kind != Kind::File {
            continue;
        }
        let Some(found) = parse(&entry.name) else {
            continue;
        };
        let alive = match found.owner {
            Some(pid) if Some(pid) == host.pid() => Some(true),
            Some(pid) => host.alive(pid),
            None => None,
        };
        let stale = match alive {
            Some(alive) => !alive,
            None => unknown_too,
        };
        if stale {
            out.push(found);
        }
    }
    Ok(out)
}

/// Removes the temp files in `dir` that a killed process left: those whose
/// owner the host says is gone. One it cannot judge is left alone.
pub async fn sweep<H: Host>(host: &H, dir: &str) -> Result<(), HostError> {
    for found in stale(host, dir, false).await? {
        host.remove(&format!("{dir}/{}", found.name)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NativeHost;

    #[test]
    fn names_carry_the_owner() {
        let host = NativeHost::new();
        let pid = std::process::id();
        let name = beside(&host, "/l/index.json");
        let file = name.rsplit('/').next().unwrap_or_default();
        assert_eq!(parse(file).and_then(|f| f.owner), Some(pid));
        let blob = in_dir(&host, "/l/blobs/sha256", 3);
        let file = blob.rsplit('/').next().unwrap_or_default();
        assert!(file.starts_with(".tmp-"), "{file}");
        assert_eq!(parse(file).and_then(|f| f.owner), Some(pid));
        assert_eq!(parse("index.json"), None);
        assert_eq!(
            parse(".tmp-x-1f-2"),
            Some(Found {
                name: ".tmp-x-1f-2".to_owned(),
                owner: None
            })
        );
    }

    #[test]
    fn a_sweep_takes_only_what_dead_processes_left() {
        let dir = std::env::temp_dir().join(format!("pycontainer-temp-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let dir_s = dir.to_string_lossy().into_owned();
        // A process that has exited: its pid names no live process.
        let dead = std::process::Command::new("true")
            .spawn()
            .and_then(|mut c| c.wait().map(|_| c.id()))
            .unwrap_or_else(|e| panic!("{e}"));
        let mine = std::process::id();
        for name in [
            format!("index.json.tmp-{dead}-ab"),
            format!(".tmp-{dead}-cd-1"),
            format!(".tmp-{mine}-ef-2"),
            ".tmp-x-12-3".to_owned(),
            "keep".to_owned(),
        ] {
            std::fs::write(dir.join(name), b"x").unwrap_or_default();
        }
        let host = NativeHost::new();
        let unknown: Vec<String> = pollster::block_on(stale(&host, &dir_s, true))
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert!(unknown.contains(&".tmp-x-12-3".to_owned()), "{unknown:?}");
        assert_eq!(unknown.len(), 3, "{unknown:?}");
        pollster::block_on(sweep(&host, &dir_s)).unwrap_or_else(|e| panic!("{e}"));
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        pycontainer_sort::sort_by(&mut left, |a, b| a.cmp(b));
        assert_eq!(
            left,
            [
                format!(".tmp-{mine}-ef-2"),
                ".tmp-x-12-3".to_owned(),
                "keep".to_owned()
            ]
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
