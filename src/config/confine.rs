//! A project's own config names only files inside its context. A cloned
//! repository must not be able to read the builder's files (an env file,
//! a requirements file, a base layout) into the image, nor write an
//! output elsewhere. Flags, `PYCONTAINER_*` variables and an explicit
//! `--config` are the choice of the person running the build, and may
//! name any file.

use std::collections::VecDeque;

use super::schema::Settings;
use super::ConfigError;
use crate::host::{Host, Kind};

/// Links followed before a path counts as a loop, as Linux's `ELOOP` does.
const MAX_LINKS: usize = 40;

/// Refuses every path-valued key of `settings`, a config file's as
/// written (before its paths are joined to `root`), that leaves `root`.
/// `file` names the table in errors.
pub async fn check<H: Host>(
    host: &H,
    root: &str,
    file: &str,
    settings: &Settings,
) -> Result<(), ConfigError> {
    for (key, path) in paths(settings) {
        let outside = |why: String| ConfigError::PathOutside {
            file: file.to_owned(),
            key: key.to_owned(),
            path: path.to_owned(),
            why,
        };
        if path.starts_with('/') {
            return Err(outside("is absolute".to_owned()));
        }
        let joined = format!("{}/{path}", root.trim_end_matches('/'));
        inside(host, root, &joined).await.map_err(outside)?;
    }
    Ok(())
}

/// The keys that name a file or directory on the build machine, and their
/// values. (`include` and `exclude` are patterns the context's walk applies;
/// `workdir` and `writable` are paths in the image.)
fn paths(s: &Settings) -> Vec<(&'static str, &str)> {
    let base = s
        .base_image
        .as_deref()
        .and_then(|b| b.strip_prefix("oci:"))
        .map(layout_path);
    [
        ("env-file", s.env_file.as_deref()),
        ("output", s.output.as_deref()),
        ("requirements", s.deps.requirements.as_deref()),
        ("base-image", base),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect()
}

/// The path of `oci:PATH[:TAG]`: a tag never holds `/` (as `source` reads it).
fn layout_path(rest: &str) -> &str {
    match rest.rsplit_once(':') {
        Some((path, tag)) if !tag.contains('/') => path,
        _ => rest,
    }
}

/// Whether the absolute `path` stays inside `root`, by its text and through
/// every symlink on the way (followed by hand, since the host's `stat` does
/// not follow them); `Err` says how it leaves. A part that does not exist
/// ends the walk: whoever reads the path reports it missing.
pub async fn inside<H: Host>(host: &H, root: &str, path: &str) -> Result<(), String> {
    let root = normalize(root);
    let mut rest = below(&root, &normalize(path))
        .ok_or_else(|| "leaves the context through '..'".to_owned())?;
    let mut current = root.clone();
    let mut links = 0;
    while let Some(part) = rest.pop_front() {
        let candidate = format!("{}/{part}", current.trim_end_matches('/'));
        let info = host.stat(&candidate).await.ok().flatten();
        match info {
            Some(info) if info.kind == Kind::Symlink => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(format!("has more than {MAX_LINKS} links in a row"));
                }
                let target = info.target.unwrap_or_default();
                let resolved = if target.starts_with('/') {
                    normalize(&target)
                } else {
                    normalize(&format!("{current}/{target}"))
                };
                let mut again = below(&root, &resolved).ok_or_else(|| {
                    format!("resolves outside the context through the symlink {candidate}")
                })?;
                again.extend(rest);
                rest = again;
                current = root.clone();
            }
            Some(_) => current = candidate,
            None => return Ok(()),
        }
    }
    Ok(())
}

/// `path`'s parts below `root` (both normalized), or `None` when it is not
/// under it.
fn below(root: &str, path: &str) -> Option<VecDeque<String>> {
    let root = root.trim_end_matches('/');
    let tail = if path == root {
        ""
    } else {
        path.strip_prefix(root)?.strip_prefix('/')?
    };
    Some(
        tail.split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

/// An absolute path with `.` and `..` worked out by text (`..` at the top
/// stays at the top, as the kernel does).
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_worked_out_by_text() {
        assert_eq!(normalize("/a/./b/../c/"), "/a/c");
        assert_eq!(normalize("/../x"), "/x");
        assert_eq!(
            below("/a/b", "/a/b/c/d"),
            Some(VecDeque::from(["c".to_owned(), "d".to_owned()]))
        );
        assert_eq!(below("/a/b", "/a/b"), Some(VecDeque::new()));
        assert_eq!(below("/a/b", "/a/bc"), None);
        assert_eq!(below("/a/b", "/a"), None);
        assert_eq!(layout_path("base:3.11"), "base");
        assert_eq!(layout_path("../b/c"), "../b/c");
    }
}
