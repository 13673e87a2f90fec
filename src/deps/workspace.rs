//! A lock in a parent directory, for a context that has none of its own: the
//! lock of the uv workspace the context is a member of, or the poetry.lock of
//! the Poetry project that has the context as a path dependency. Only the
//! lock is read from there; the image's files are still the context's alone.
//!
//! The walk goes up from the context's parent, at most [`MAX_LEVELS`]
//! directories, and stops at the file system's root or after a directory
//! holding `.git` (a repository's root, where a workspace ends). The first
//! directory that decides, decides:
//!
//! - a pyproject.toml with `[tool.uv.workspace]`: the context is a member
//!   (its `uv.lock` is used, for that member's package), excluded (a project
//!   of its own), or matched by neither list, which is an error as in uv;
//! - a pyproject.toml with a poetry.lock: the lock is used when it has the
//!   context as a `directory` package, and otherwise the context is a
//!   project of its own.
//!
//! Other pyproject.tomls are passed over, as uv passes over projects that are
//! not workspace roots. A context with no pyproject.toml and no dependencies
//! cannot be a member or a path dependency: if a locked project holds it,
//! the build would leave out dependencies its code imports, so that is an
//! error naming the project to build instead.

use pycontainer_pypi::lock::poetry;
use pycontainer_pypi::workspace::{self, Membership, WorkspaceError};

use super::input::{is_file, Format, Input, WorkspaceLock};
use super::DepsError;
use crate::host::Host;
use crate::project::Project;

/// How far up a workspace root may be: deeper than any monorepo layout
/// (`services/python/backend` is 3), and a bound on what a misplaced
/// context makes the build read.
const MAX_LEVELS: usize = 6;

/// The parent directory's lock that names the project's dependencies, if any.
pub async fn parent_lock<H: Host>(host: &H, project: &Project) -> Result<Option<Input>, DepsError> {
    let context = project.root.trim_end_matches('/');
    let own_file = project.path("pyproject.toml");
    let own = read_text(host, &own_file).await?;
    match &own {
        // A workspace root is where its own lock belongs, never a member.
        Some(text) if workspace::uv_workspace(text, &own_file)?.is_some() => return Ok(None),
        // setup.cfg's dependencies are the project's own list.
        None if !project.metadata.dependencies.is_empty() => return Ok(None),
        _ => {}
    }
    if host.stat(&project.path(".git")).await?.is_some() {
        return Ok(None);
    }
    let mut dir = context;
    for level in 1..=MAX_LEVELS {
        let Some((parent, _)) = dir.rsplit_once('/') else {
            break;
        };
        dir = parent;
        let at = |name: &str| format!("{dir}/{name}");
        // The context, relative to this directory, as locks and globs name it.
        let member = context.get(dir.len() + 1..).unwrap_or_default().to_owned();
        let up = vec![".."; level].join("/");
        let file = at("pyproject.toml");
        if let Some(text) = read_text(host, &file).await? {
            let uv_lock = at("uv.lock");
            let poetry_lock = at("poetry.lock");
            let has_uv = is_file(host, &uv_lock).await?;
            let has_poetry = is_file(host, &poetry_lock).await?;
            if own.is_none() {
                if has_uv || has_poetry {
                    return Err(WorkspaceError::InsideProject {
                        project: file,
                        lock: if has_uv { "uv.lock" } else { "poetry.lock" }.to_owned(),
                    }
                    .into());
                }
            } else if let Some(ws) = workspace::uv_workspace(&text, &file)? {
                return match ws.membership(&member) {
                    Membership::Member if has_uv => Ok(Some(Input {
                        format: Format::UvLock,
                        path: Some(uv_lock),
                        rule: format!(
                            "uv.lock of the uv workspace at {up} (this directory is its member {member})"
                        ),
                        workspace: Some(WorkspaceLock { root: up, member }),
                        includes_within: None,
                    })),
                    // An unlocked workspace, or a project uv keeps out of it: the
                    // project's own dependencies, as without a workspace.
                    Membership::Member | Membership::Excluded => Ok(None),
                    Membership::Outside => Err(WorkspaceError::NotAMember {
                        file,
                        member,
                        members: ws.members,
                    }
                    .into()),
                };
            } else if has_poetry {
                let text =
                    String::from_utf8_lossy(&host.read_all(&poetry_lock).await?).into_owned();
                let shown = format!("{up}/poetry.lock");
                let Some(name) = poetry::directory_package(&text, &shown, &member)? else {
                    return Ok(None);
                };
                return Ok(Some(Input {
                    format: Format::PoetryLock,
                    path: Some(poetry_lock),
                    rule: format!(
                        "poetry.lock of the Poetry project at {up} (this directory is its path dependency {name})"
                    ),
                    workspace: Some(WorkspaceLock { root: up, member }),
                    includes_within: None,
                }));
            }
        }
        if dir.is_empty() || host.stat(&at(".git")).await?.is_some() {
            break;
        }
    }
    Ok(None)
}

async fn read_text<H: Host>(host: &H, path: &str) -> Result<Option<String>, DepsError> {
    if !is_file(host, path).await? {
        return Ok(None);
    }
    Ok(Some(
        String::from_utf8_lossy(&host.read_all(path).await?).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NativeHost;
    use crate::project::Metadata;
    use std::path::{Path, PathBuf};

    const UV_LOCK: &str = "version = 1\nrequires-python = \">=3.11\"\n";
    const POETRY_LOCK: &str = "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\noptional = false\npython-versions = \"^3.11\"\nfiles = []\n\n[package.source]\ntype = \"directory\"\nurl = \"app\"\n\n[metadata]\nlock-version = \"2.1\"\npython-versions = \"^3.11\"\ncontent-hash = \"00\"\n";

    /// A fresh directory holding `files` (path, text), with a `.git` at its top
    /// so the walk never reaches the machine's own directories.
    fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("pycontainer-ws-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        root
    }

    fn find(context: &Path) -> Result<Option<Input>, DepsError> {
        let project = Project {
            root: context.to_string_lossy().into_owned(),
            metadata: Metadata::default(),
            metadata_file: None,
            import_root: String::new(),
            files: vec![],
            excluded: vec![],
            shipped_secrets: vec![],
        };
        pollster::block_on(parent_lock(&NativeHost::new(), &project))
    }

    const ROOT: &str = "[project]\nname = \"root\"\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\nexclude = [\"packages/legacy\"]\n";
    const MEMBER: &str = "[project]\nname = \"m\"\n";

    #[test]
    fn a_uv_member_uses_the_workspace_lock() {
        let root = tree(
            "uv",
            &[
                ("pyproject.toml", ROOT),
                ("uv.lock", UV_LOCK),
                ("packages/backend/pyproject.toml", MEMBER),
                ("packages/legacy/pyproject.toml", MEMBER),
                ("tools/lint/pyproject.toml", MEMBER),
            ],
        );
        let input = find(&root.join("packages/backend")).unwrap().unwrap();
        assert_eq!(input.format, Format::UvLock);
        assert_eq!(
            input.path.as_deref(),
            Some(root.join("uv.lock").to_str().unwrap())
        );
        assert_eq!(
            input.rule,
            "uv.lock of the uv workspace at ../.. (this directory is its member packages/backend)"
        );
        assert_eq!(input.file_name(), "../../uv.lock");
        assert_eq!(input.member(), Some("packages/backend"));
        // Excluded: a project of its own.
        assert_eq!(find(&root.join("packages/legacy")).unwrap(), None);
        // Inside the root, but no member: uv refuses it too.
        let err = find(&root.join("tools/lint")).unwrap_err();
        assert_eq!(err.code(), "dependencies");
        assert_eq!(
            err.to_string(),
            format!(
                "tools/lint is inside the uv workspace of {}, but none of its members (packages/*) match it; add it to `members`, or to `exclude` to build it as a project of its own",
                root.join("pyproject.toml").display()
            )
        );
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn an_unlocked_workspace_or_a_git_root_stops_the_walk() {
        let root = tree(
            "unlocked",
            &[
                ("pyproject.toml", ROOT),
                ("packages/api/pyproject.toml", MEMBER),
                ("repo/.git/HEAD", ""),
                ("repo/svc/pyproject.toml", MEMBER),
            ],
        );
        assert_eq!(find(&root.join("packages/api")).unwrap(), None);
        // The workspace above repo/ is never reached: repo/ is a repository's root.
        std::fs::write(root.join("uv.lock"), UV_LOCK).unwrap();
        assert_eq!(find(&root.join("repo/svc")).unwrap(), None);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_poetry_path_dependency_uses_the_parents_lock() {
        let root = tree(
            "poetry",
            &[
                ("pyproject.toml", "[tool.poetry]\nname = \"mono\"\n"),
                ("poetry.lock", POETRY_LOCK),
                ("app/pyproject.toml", MEMBER),
                ("other/pyproject.toml", MEMBER),
                ("scripts/run.py", ""),
            ],
        );
        let input = find(&root.join("app")).unwrap().unwrap();
        assert_eq!(input.format, Format::PoetryLock);
        assert_eq!(
            input.rule,
            "poetry.lock of the Poetry project at .. (this directory is its path dependency app)"
        );
        // Not in the lock: a project of its own.
        assert_eq!(find(&root.join("other")).unwrap(), None);
        // No pyproject.toml: part of the project above, built from the wrong place.
        let err = find(&root.join("scripts")).unwrap_err();
        assert_eq!(err.code(), "dependencies");
        assert!(
            err.to_string().starts_with(&format!(
                "the context has no pyproject.toml, requirements.txt or lock of its own, and is inside the project of {}, whose poetry.lock",
                root.join("pyproject.toml").display()
            )),
            "{err}"
        );
        std::fs::remove_dir_all(root).unwrap();
    }
}
