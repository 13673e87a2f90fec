//! Walks the build context: what goes into the image, what stays out, and why.

use crate::host::{Host, Kind};

use super::ProjectError;

/// A path in the context that goes into the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextFile {
    /// Relative to the context, `/`-separated.
    pub rel: String,
    pub kind: Kind,
    pub size: u64,
    pub mode: u32,
    /// Link text, for symlinks (kept as links, never followed).
    pub target: Option<String>,
}

/// A path left out, with the rule that left it out.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Excluded {
    pub path: String,
    pub reason: &'static str,
}

/// Directory names never shipped: VCS data, virtualenvs, caches, build outputs.
const EXCLUDED_DIRS: &[(&str, &str)] = &[
    (".git", "version control"),
    (".hg", "version control"),
    (".svn", "version control"),
    (".venv", "virtualenv"),
    ("venv", "virtualenv"),
    ("__pycache__", "bytecode cache"),
    (".pytest_cache", "tool cache"),
    (".mypy_cache", "tool cache"),
    (".ruff_cache", "tool cache"),
    (".tox", "tool cache"),
    ("node_modules", "node packages"),
    ("dist", "build output"),
    ("build", "build output"),
];

fn excluded_dir(name: &str) -> Option<&'static str> {
    if name.ends_with(".egg-info") {
        return Some("build output");
    }
    EXCLUDED_DIRS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, why)| *why)
}

fn excluded_file(name: &str) -> Option<&'static str> {
    if name == ".env" || name.starts_with(".env.") {
        Some("secrets (.env)")
    } else if name.ends_with(".pyc") || name.ends_with(".pyo") {
        Some("bytecode cache")
    } else {
        None
    }
}

/// Everything in `root` that belongs in the image, sorted by path, plus
/// what was left out. `skip` holds absolute paths to leave out (the output).
pub async fn walk<H: Host>(
    host: &H,
    root: &str,
    skip: &[String],
) -> Result<(Vec<ContextFile>, Vec<Excluded>), ProjectError> {
    let mut files = Vec::new();
    let mut excluded = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(dir) = stack.pop() {
        let abs = join(root, &dir);
        let mut entries = host.list_dir(&abs).await?;
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        if entries.iter().any(|e| e.name == "pyvenv.cfg") && !dir.is_empty() {
            excluded.push(Excluded {
                path: dir.clone(),
                reason: "virtualenv (pyvenv.cfg)",
            });
            files.retain(|f: &ContextFile| f.rel != dir);
            continue;
        }
        // Push subdirectories in reverse so they pop in name order.
        let mut subdirs = Vec::new();
        for e in entries {
            let rel = if dir.is_empty() {
                e.name.clone()
            } else {
                format!("{dir}/{}", e.name)
            };
            let abs_child = join(root, &rel);
            if skip.iter().any(|s| s.trim_end_matches('/') == abs_child) {
                excluded.push(Excluded {
                    path: rel,
                    reason: "output directory",
                });
                continue;
            }
            let rule = match e.info.kind {
                Kind::Dir => excluded_dir(&e.name),
                _ => excluded_file(&e.name),
            };
            if let Some(reason) = rule {
                excluded.push(Excluded { path: rel, reason });
                continue;
            }
            match e.info.kind {
                Kind::Other => {
                    excluded.push(Excluded {
                        path: rel,
                        reason: "not a file, directory or symlink",
                    });
                    continue;
                }
                Kind::Symlink => {
                    let target = e.info.target.clone().unwrap_or_default();
                    if escapes(&rel, &target) {
                        return Err(ProjectError::SymlinkEscapes {
                            path: abs_child,
                            target,
                        });
                    }
                }
                Kind::Dir => subdirs.push(rel.clone()),
                Kind::File => {}
            }
            files.push(ContextFile {
                rel,
                kind: e.info.kind,
                size: e.info.size,
                mode: e.info.mode,
                target: e.info.target,
            });
        }
        stack.extend(subdirs.into_iter().rev());
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok((files, excluded))
}

fn join(root: &str, rel: &str) -> String {
    if rel.is_empty() {
        root.to_owned()
    } else {
        format!("{}/{rel}", root.trim_end_matches('/'))
    }
}

/// Whether a link at `rel` (relative to the context) pointing at `target`
/// leaves the context. Absolute targets always do: inside the image they
/// would name the image's own files, not the ones beside the link.
fn escapes(rel: &str, target: &str) -> bool {
    if target.starts_with('/') || target.is_empty() {
        return true;
    }
    let mut depth: i64 = rel.matches('/').count() as i64;
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_that_leave_the_context_are_caught() {
        assert!(!escapes("a/link", "../b"));
        assert!(!escapes("link", "sub/file"));
        assert!(escapes("link", "../outside"));
        assert!(escapes("a/link", "../../x"));
        assert!(escapes("a/link", "b/../../../x"));
        assert!(escapes("link", "/etc/passwd"));
    }

    #[test]
    fn default_rules() {
        assert!(excluded_dir(".git").is_some());
        assert!(excluded_dir("pkg.egg-info").is_some());
        assert!(excluded_dir("src").is_none());
        assert!(excluded_file(".env.local").is_some());
        assert!(excluded_file(".envrc").is_none());
        assert!(excluded_file("m.pyc").is_some());
    }
}
