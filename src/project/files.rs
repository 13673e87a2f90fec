//! Walks the build context: what goes into the image, what stays out, and why.

use crate::host::{Host, Kind};

use super::ignore::{IgnoreRules, Verdict};
use super::secrets;
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
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Excluded {
    pub path: String,
    pub reason: String,
    /// A build output left out by pycontainer's own rules: the app may
    /// read one at run time, so the plan looks for its name in the sources.
    #[serde(skip)]
    pub output: bool,
    /// The first of the project's sources that names this build output, so
    /// that it is shown without `--verbose`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub referenced_by: Option<String>,
}

impl Excluded {
    fn new(path: String, reason: impl Into<String>) -> Self {
        Excluded {
            path,
            reason: reason.into(),
            output: false,
            referenced_by: None,
        }
    }
}

/// Where a default exclude applies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// At any depth: names that only tools write (`__pycache__`, `.git`).
    Any,
    /// Only at the top of the context, as a `.dockerignore` line `/build`
    /// would: `app/templates/build/` is the project's own.
    Top,
}

/// Directory names never shipped: VCS data, virtualenvs, caches, build outputs.
const EXCLUDED_DIRS: &[(&str, &str, Depth)] = &[
    (".git", "version control", Depth::Any),
    (".hg", "version control", Depth::Any),
    (".svn", "version control", Depth::Any),
    (".venv", "virtualenv", Depth::Any),
    // A package may be called venv; a nested virtualenv is still found by its pyvenv.cfg.
    ("venv", "virtualenv", Depth::Top),
    ("__pycache__", "bytecode cache", Depth::Any),
    (".pytest_cache", "tool cache", Depth::Any),
    (".mypy_cache", "tool cache", Depth::Any),
    (".ruff_cache", "tool cache", Depth::Any),
    (".tox", "tool cache", Depth::Any),
    ("node_modules", "node packages", Depth::Any),
    ("dist", BUILD_OUTPUT, Depth::Top),
    ("build", BUILD_OUTPUT, Depth::Top),
];

const BUILD_OUTPUT: &str = "build output";

/// Why a directory called `name` stays out by default, `top` when it sits
/// at the top of the context.
fn excluded_dir(name: &str, top: bool) -> Option<&'static str> {
    // setuptools' metadata, wherever the package sits (`src/pkg.egg-info`);
    // no project names a directory of its own like that.
    if name.ends_with(".egg-info") {
        return Some(BUILD_OUTPUT);
    }
    EXCLUDED_DIRS
        .iter()
        .find(|(n, _, depth)| *n == name && (top || *depth == Depth::Any))
        .map(|(_, why, _)| *why)
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

/// What the walk found.
pub struct Walked {
    pub files: Vec<ContextFile>,
    pub excluded: Vec<Excluded>,
    /// Credentials a default would leave out, brought back by an include
    /// or a `!` rule: they ship, with a warning.
    pub shipped_secrets: Vec<Excluded>,
}

/// The user's say over which paths go in, on top of the default excludes.
#[derive(Default)]
pub struct Selection {
    /// .dockerignore, then `--exclude`, then `--include` as `!` rules:
    /// Docker's semantics, where a `!` rule re-includes what a rule excluded.
    pub rules: IgnoreRules,
    /// `**` then each `--include` as a `!` rule: what it re-includes also
    /// lifts pycontainer's default excludes, so `--include dist` ships dist/.
    pub includes: IgnoreRules,
}

impl Selection {
    /// Why `rel` stays out, or `None` when it goes in.
    fn reason(&self, rel: &str, default: Option<&str>, inherited: Option<&str>) -> Option<String> {
        match self.rules.verdict(rel) {
            Verdict::Excluded(rule) => Some(format!("{} ({})", rule.pattern, rule.source)),
            Verdict::Included(_) => None,
            Verdict::NoRule if matches!(self.includes.verdict(rel), Verdict::Included(_)) => None,
            Verdict::NoRule => inherited.or(default).map(str::to_owned),
        }
    }

    /// Whether a file written at `rel` (the lock pycontainer writes) goes
    /// in: no rule of the user's and no default leaves it out.
    pub fn ships(&self, rel: &str) -> bool {
        self.reason(rel, excluded_file(rel), None).is_none()
    }

    fn may_reinclude_under(&self, dir: &str) -> bool {
        self.rules.may_reinclude_under(dir) || self.includes.may_reinclude_under(dir)
    }
}

/// Everything in `root` that belongs in the image, sorted by path, plus
/// what was left out and why. `skip` holds absolute paths to leave out (the output).
pub async fn walk<H: Host>(
    host: &H,
    root: &str,
    skip: &[String],
    selection: &Selection,
) -> Result<Walked, ProjectError> {
    let mut files = Vec::new();
    let mut excluded = Vec::new();
    let mut shipped_secrets = Vec::new();
    // (directory, why it is left out when it is searched only for re-included paths)
    let mut stack: Vec<(String, Option<String>)> = vec![(String::new(), None)];
    while let Some((dir, dir_reason)) = stack.pop() {
        let abs = join(root, &dir);
        let mut entries = host.list_dir(&abs).await?;
        pycontainer_sort::sort_by(&mut entries, |a, b| a.name.cmp(&b.name));
        if !dir.is_empty() && dir_reason.is_none() && entries.iter().any(|e| e.name == "pyvenv.cfg")
        {
            excluded.push(Excluded::new(dir.clone(), "virtualenv (pyvenv.cfg)"));
            files.retain(|f: &ContextFile| f.rel != dir);
            continue;
        }
        let mut subdirs = Vec::new();
        for e in entries {
            let rel = if dir.is_empty() {
                e.name.clone()
            } else {
                format!("{dir}/{}", e.name)
            };
            let abs_child = join(root, &rel);
            if skip.iter().any(|s| s.trim_end_matches('/') == abs_child) {
                excluded.push(Excluded::new(rel, "output directory"));
                continue;
            }
            let default = match e.info.kind {
                Kind::Dir => {
                    excluded_dir(&e.name, dir.is_empty()).or_else(|| secrets::dir_reason(&rel))
                }
                Kind::Other => Some("not a file, directory or symlink"),
                Kind::File => {
                    match excluded_file(&e.name).or_else(|| secrets::file_reason(&rel, &e.name)) {
                        Some(why) => Some(why),
                        None if secrets::needs_sniffing(&e.name) => {
                            let head = host.read(&abs_child, 0, secrets::SNIFF_LIMIT).await?;
                            secrets::private_key(&e.name, &head)
                        }
                        None => None,
                    }
                }
                Kind::Symlink => {
                    excluded_file(&e.name).or_else(|| secrets::file_reason(&rel, &e.name))
                }
            };
            let reason = if e.info.kind == Kind::Other {
                default.map(str::to_owned)
            } else {
                selection.reason(&rel, default, dir_reason.as_deref())
            };
            if reason.is_none() && e.name_bytes.is_some() {
                // It cannot go in under its own name, and must not vanish.
                return Err(ProjectError::NameNotUtf8 { path: abs_child });
            }
            if reason.is_none() {
                // Brought back by an include or a `!` rule: said, not refused.
                if let Some(why) = default.filter(|d| d.starts_with(secrets::CREDENTIALS)) {
                    shipped_secrets.push(Excluded::new(rel.clone(), why));
                }
            }
            if let Some(reason) = reason {
                if e.info.kind == Kind::Dir && selection.may_reinclude_under(&rel) {
                    // Something inside may be re-included: look, and list what stays out.
                    subdirs.push((rel, Some(reason)));
                } else {
                    let output = e.info.kind == Kind::Dir && reason == BUILD_OUTPUT;
                    excluded.push(Excluded {
                        output,
                        ..Excluded::new(rel, reason)
                    });
                }
                continue;
            }
            match e.info.kind {
                Kind::Symlink => {
                    let target = e.info.target.clone().unwrap_or_default();
                    if escapes(&rel, &target) {
                        return Err(ProjectError::SymlinkEscapes {
                            path: abs_child,
                            target,
                        });
                    }
                }
                Kind::Dir => subdirs.push((rel.clone(), None)),
                _ => {}
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
    pycontainer_sort::sort_by(&mut files, |a, b| a.rel.cmp(&b.rel));
    pycontainer_sort::sort_by(&mut excluded, |a, b| a.path.cmp(&b.path));
    Ok(Walked {
        files,
        excluded,
        shipped_secrets,
    })
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
pub(super) fn escapes(rel: &str, target: &str) -> bool {
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
    fn a_name_that_is_not_utf8_is_refused_by_name_unless_left_out() {
        use std::os::unix::ffi::OsStrExt;
        let dir = std::env::temp_dir().join(format!("pycontainer-utf8-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pkg")).unwrap_or_default();
        std::fs::write(dir.join("pkg/ok.py"), "").unwrap_or_default();
        let bad = std::ffi::OsStr::from_bytes(b"caf\xe9-\xff.py");
        std::fs::write(dir.join("pkg").join(bad), "").unwrap_or_default();
        let root = dir.to_string_lossy().into_owned();
        let host = crate::host::NativeHost::new();
        let walked = |selection: &Selection| {
            pollster::block_on(walk(&host, &root, &[], selection)).map(|w| w.files.len())
        };
        let e = walked(&Selection::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with(&format!(
                "{root}/pkg/caf\\xe9-\\xff.py: the name is not UTF-8"
            )),
            "{e}"
        );
        let mut selection = Selection::default();
        selection
            .rules
            .push("pkg/caf*", "--exclude")
            .unwrap_or_default();
        let files = walked(&selection).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(files, 2, "pkg and pkg/ok.py");
    }

    #[test]
    fn default_rules() {
        assert!(excluded_dir(".git", false).is_some());
        assert!(excluded_dir("pkg.egg-info", false).is_some());
        assert!(excluded_dir("src", true).is_none());
        assert!(excluded_dir("build", true).is_some());
        assert!(
            excluded_dir("build", false).is_none(),
            "anchored at the top"
        );
        assert!(excluded_dir("venv", false).is_none());
        assert!(excluded_dir("node_modules", false).is_some());
        assert!(excluded_file(".env.local").is_some());
        assert!(excluded_file(".envrc").is_none());
        assert!(excluded_file("m.pyc").is_some());
    }
}
