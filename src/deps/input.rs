//! Which file says what the image's dependencies are.

use serde::Serialize;

use super::DepsError;
use crate::config::DepsSettings;
use crate::host::{Host, Kind};
use crate::project::Project;

/// The formats a dependency list comes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum Format {
    /// PEP 751.
    Pylock,
    UvLock,
    PoetryLock,
    Requirements,
    /// `[project.dependencies]` (or Poetry's), resolved here.
    Project,
}

/// Where the dependencies come from, and why that source was chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Input {
    pub format: Format,
    /// The file, absolute; `None` for `[project.dependencies]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub path: Option<String>,
    pub rule: String,
    /// Set when the lock is a parent directory's: the context is a uv workspace member, or a
    /// path dependency of the Poetry project there.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub workspace: Option<WorkspaceLock>,
    /// The directory a requirements file's `-r` and `-c` must stay in: the
    /// context, when the project's own config named the file.
    #[serde(skip)]
    pub includes_within: Option<String>,
}

/// Where a parent directory's lock is, and what it calls the context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct WorkspaceLock {
    /// The lock's directory, relative to the context: `..`, `../..`.
    pub root: String,
    /// The context's directory, relative to `root`, as the lock names it (`packages/backend`).
    pub member: String,
}

/// Lock files first, since they pin what a resolution would only choose.
const FOUND_IN_ORDER: [(&str, Format); 4] = [
    ("pylock.toml", Format::Pylock),
    ("uv.lock", Format::UvLock),
    ("poetry.lock", Format::PoetryLock),
    ("requirements.txt", Format::Requirements),
];

/// Why no input could be used. The plan, which knows which setting asked,
/// names it in front of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{path} does not exist")]
    Missing { path: String },
    #[error("the project declares no dependencies (there is no pylock.toml, uv.lock, poetry.lock or requirements.txt, and pyproject.toml lists none)")]
    NothingToInclude,
}

impl Input {
    /// The input file's name, for messages: with the way up to it for a parent directory's
    /// lock (`../uv.lock`); empty for `[project.dependencies]`.
    pub fn file_name(&self) -> String {
        let path = self.path.as_deref().unwrap_or_default();
        let name = path.rsplit('/').next().unwrap_or(path);
        match &self.workspace {
            Some(w) => format!("{}/{name}", w.root),
            None => name.to_owned(),
        }
    }

    /// The workspace member the lock is read for, when it is a parent directory's.
    pub fn member(&self) -> Option<&str> {
        self.workspace.as_ref().map(|w| w.member.as_str())
    }
}

/// The dependency input for the project, or `None` when there is nothing
/// to install or the settings say not to (`include-deps` false). Without a
/// lock or requirements.txt of its own, a parent directory's lock may be the
/// project's (see `workspace`). `origin`
/// names where an explicit `requirements` setting came from, for its rule;
/// `from_project` says it came from the project's own config.
pub async fn find<H: Host>(
    host: &H,
    project: &Project,
    settings: &DepsSettings,
    origin: &str,
    from_project: bool,
) -> Result<Option<Input>, DepsError> {
    if settings.include == Some(false) {
        return Ok(None);
    }
    if let Some(rel) = &settings.requirements {
        // Flags arrive absolute (the CLI resolves them against the cwd);
        // config files name paths in the context.
        let path = if rel.starts_with('/') {
            rel.clone()
        } else {
            project.path(rel.trim_start_matches("./"))
        };
        if !is_file(host, &path).await? {
            return Err(InputError::Missing { path }.into());
        }
        return Ok(Some(Input {
            format: format_of(rel),
            path: Some(path),
            rule: format!("{rel} ({origin})"),
            workspace: None,
            includes_within: from_project.then(|| project.root.clone()),
        }));
    }
    for (name, format) in FOUND_IN_ORDER {
        let path = project.path(name);
        if is_file(host, &path).await? {
            // A lock this tool wrote records a resolution of another
            // input; that input is found next, and the lock checked then.
            if format == Format::Pylock
                && pycontainer_pypi::ownlock::is_ours(&String::from_utf8_lossy(
                    &host.read_all(&path).await?,
                ))
            {
                continue;
            }
            return Ok(Some(Input {
                format,
                path: Some(path),
                rule: format!("{name} found in the context"),
                workspace: None,
                includes_within: None,
            }));
        }
    }
    if let Some(input) = super::workspace::parent_lock(host, project).await? {
        return Ok(Some(input));
    }
    // An extra or group asked for is the project's to define, even when it
    // has no other dependencies: checked (and resolved) like the rest, never
    // dropped unsaid.
    let asked = |names: &Option<Vec<String>>| names.as_ref().is_some_and(|n| !n.is_empty());
    if !project.metadata.dependencies.is_empty()
        || asked(&settings.extras)
        || asked(&settings.groups)
    {
        let file = project.metadata_file.as_deref().unwrap_or("pyproject.toml");
        return Ok(Some(Input {
            format: Format::Project,
            path: None,
            rule: format!("the dependencies listed in {file}, resolved"),
            workspace: None,
            includes_within: None,
        }));
    }
    if settings.include == Some(true) {
        return Err(InputError::NothingToInclude.into());
    }
    Ok(None)
}

/// A file's format from its name: PEP 751 names are `pylock.toml` and
/// `pylock.<name>.toml`; anything else not a known lock is a requirements file.
pub fn format_of(path: &str) -> Format {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "uv.lock" => Format::UvLock,
        "poetry.lock" => Format::PoetryLock,
        n if n == "pylock.toml" || (n.starts_with("pylock.") && n.ends_with(".toml")) => {
            Format::Pylock
        }
        _ => Format::Requirements,
    }
}

pub(super) async fn is_file<H: Host>(host: &H, path: &str) -> Result<bool, crate::host::HostError> {
    Ok(matches!(host.stat(path).await?, Some(info) if info.kind == Kind::File))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_file_names() {
        assert_eq!(format_of("pylock.toml"), Format::Pylock);
        assert_eq!(format_of("locks/pylock.prod.toml"), Format::Pylock);
        assert_eq!(format_of("uv.lock"), Format::UvLock);
        assert_eq!(format_of("sub/poetry.lock"), Format::PoetryLock);
        assert_eq!(format_of("requirements/prod.txt"), Format::Requirements);
        assert_eq!(format_of("constraints.in"), Format::Requirements);
    }
}
