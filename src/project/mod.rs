//! Discovers a Python project: its metadata, its files, its import root and how it starts.

pub mod entrypoint;
pub mod files;
pub mod framework;
pub mod ignore;
pub mod pyproject;
pub mod scripts;
mod secrets;
pub mod setupcfg;

use crate::host::{Host, HostError, Kind};
pub use entrypoint::EntryPoint;
use files::Selection;
pub use files::{ContextFile, Excluded};
pub use pyproject::Metadata;

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("build context {path} does not exist")]
    ContextMissing { path: String },
    #[error("build context {path} is not a directory")]
    ContextNotDir { path: String },
    #[error("{path} is not a Python project: it has no pyproject.toml and no .py file")]
    NotPython { path: String },
    #[error("{file}:{line}:{column}: invalid TOML: {message}")]
    PyprojectSyntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file} {source}")]
    SetupCfg {
        file: String,
        source: pycontainer_python::setupcfg::SetupCfgError,
    },
    #[error("{file}: `{key}` {message}")]
    PyprojectField {
        file: String,
        key: String,
        message: String,
    },
    #[error("{file}: `{key}` {name:?} = {spec:?}: {reason}")]
    BadScript {
        file: String,
        key: String,
        name: String,
        spec: String,
        reason: String,
    },
    #[error("{path} is a symlink to {target:?}, outside the build context; symlinks are copied as links and never followed, so this one would dangle in the image (exclude it or replace it with the file)")]
    SymlinkEscapes { path: String, target: String },
    #[error(
        "{path} is {kind}; pycontainer reads it as a project file, so make it a file or remove it"
    )]
    NotAFile { path: String, kind: &'static str },
    #[error("{path} is a symlink to {target:?}, which does not exist; point it at the file or remove it")]
    Dangling { path: String, target: String },
    #[error("{path}: byte {offset} is not UTF-8; save the file as UTF-8 (TOML and Python's packaging files must be)")]
    TextNotUtf8 { path: String, offset: usize },
    #[error("{path}: the name is not UTF-8 (shown with its bytes escaped as \\xNN); image layers store names as UTF-8, so rename it, or leave it out with .dockerignore or --exclude")]
    NameNotUtf8 { path: String },
    #[error("no entry point found in {path}: add [project.scripts], a package with __main__.py, or main.py / app.py, or set --entrypoint")]
    NoEntryPoint { path: String },
    #[error("{name:?}: no such console script; {}", if available.is_empty() { "the project declares none".to_owned() } else { format!("the project has: {}", available.join(", ")) })]
    NoScript {
        name: String,
        available: Vec<String>,
    },
    #[error(transparent)]
    Framework(#[from] framework::FrameworkError),
    #[error(transparent)]
    Ignore(#[from] ignore::IgnoreError),
    #[error(transparent)]
    Host(#[from] HostError),
}

impl ProjectError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            ProjectError::Host(_) => "io",
            ProjectError::PyprojectSyntax { .. }
            | ProjectError::PyprojectField { .. }
            | ProjectError::SetupCfg { .. } => "pyproject",
            ProjectError::Framework(_) => "ambiguous-entrypoint",
            ProjectError::Ignore(_) => "dockerignore",
            _ => "project",
        }
    }

    /// The project file at fault, as the message names it, when one is.
    pub fn file(&self) -> Option<&str> {
        match self {
            ProjectError::PyprojectSyntax { file, .. }
            | ProjectError::SetupCfg { file, .. }
            | ProjectError::PyprojectField { file, .. }
            | ProjectError::BadScript { file, .. } => Some(file),
            ProjectError::SymlinkEscapes { path, .. }
            | ProjectError::NotAFile { path, .. }
            | ProjectError::Dangling { path, .. }
            | ProjectError::TextNotUtf8 { path, .. }
            | ProjectError::NameNotUtf8 { path } => Some(path),
            ProjectError::Ignore(e) => e.file(),
            _ => None,
        }
    }

    /// The key at fault in `file`, when one is.
    pub fn key(&self) -> Option<&str> {
        match self {
            ProjectError::PyprojectField { key, .. } | ProjectError::BadScript { key, .. } => {
                Some(key)
            }
            _ => None,
        }
    }

    /// The line at fault in `file` (1-based), when it is known.
    pub fn line(&self) -> Option<usize> {
        match self {
            ProjectError::PyprojectSyntax { line, .. } => Some(*line),
            ProjectError::Ignore(e) => e.line(),
            _ => None,
        }
    }

    /// The column at fault on `line` (1-based), when it is known.
    pub fn column(&self) -> Option<usize> {
        match self {
            ProjectError::PyprojectSyntax { column, .. } => Some(*column),
            _ => None,
        }
    }
}

/// A discovered project, ready to be planned into layers.
#[derive(Clone, Debug)]
pub struct Project {
    /// Absolute path of the build context.
    pub root: String,
    pub metadata: Metadata,
    /// The file the metadata came from (`pyproject.toml`, `setup.cfg`), if any.
    pub metadata_file: Option<String>,
    /// Directory (relative to the context) that must be on `sys.path`: `src` or ``.
    pub import_root: String,
    pub files: Vec<ContextFile>,
    pub excluded: Vec<Excluded>,
    /// Credentials that ship because an include brought them back.
    pub shipped_secrets: Vec<Excluded>,
}

impl Project {
    pub fn path(&self, rel: &str) -> String {
        format!("{}/{rel}", self.root.trim_end_matches('/'))
    }

    /// `path` relative to the context, when it is inside it.
    pub fn relative<'p>(&self, path: &'p str) -> Option<&'p str> {
        path.strip_prefix(self.root.trim_end_matches('/'))?
            .strip_prefix('/')
    }

    pub fn has_file(&self, rel: &str) -> bool {
        self.files
            .iter()
            .any(|f| f.rel == rel && f.kind == Kind::File)
    }

    /// The project's own Python sources under the import root, relative to it:
    /// never tests, hidden directories or anything already excluded.
    pub fn own_sources(&self) -> Vec<(&ContextFile, String)> {
        let prefix = if self.import_root.is_empty() {
            String::new()
        } else {
            format!("{}/", self.import_root)
        };
        self.files
            .iter()
            .filter(|f| f.kind == Kind::File && f.rel.ends_with(".py"))
            .filter_map(|f| f.rel.strip_prefix(&prefix).map(|rel| (f, rel.to_owned())))
            .filter(|(_, rel)| {
                !rel.split('/').any(|part| {
                    part.starts_with('.')
                        || part == "tests"
                        || part == "test"
                        || part == "site-packages"
                })
            })
            .collect()
    }
}

/// Fails unless `root` is a directory.
pub async fn check_context<H: Host>(host: &H, root: &str) -> Result<(), ProjectError> {
    match host.stat(root).await? {
        None => Err(ProjectError::ContextMissing {
            path: root.to_owned(),
        }),
        Some(info) if info.kind != Kind::Dir => Err(ProjectError::ContextNotDir {
            path: root.to_owned(),
        }),
        Some(_) => Ok(()),
    }
}

/// Metadata from pyproject.toml, else setup.cfg; requirements.txt adds dependency names.
pub async fn read_metadata<H: Host>(
    host: &H,
    root: &str,
) -> Result<(Metadata, Option<String>), ProjectError> {
    let at = |name: &str| format!("{}/{name}", root.trim_end_matches('/'));
    let mut found = None;
    let mut metadata = Metadata::default();
    if let Some(text) = read_text(host, &at("pyproject.toml")).await? {
        metadata = pyproject::parse(&at("pyproject.toml"), &text)?;
        found = Some("pyproject.toml".to_owned());
    }
    let declared = metadata.name.is_some() || !metadata.scripts.is_empty();
    if !declared {
        if let Some(text) = read_text(host, &at("setup.cfg")).await? {
            let cfg = setupcfg::parse(&at("setup.cfg"), &text)?;
            metadata = Metadata {
                tool_config: metadata.tool_config.take(),
                ..cfg
            };
            found = Some("setup.cfg".to_owned());
        }
    }
    if let Some(text) = read_text(host, &at("requirements.txt")).await? {
        metadata.requirements_txt.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with(['#', '-']))
                .map(str::to_owned),
        );
    }
    Ok((metadata, found))
}

/// A project file at the top of the context, `None` when there is none.
/// Anything else by that name (a directory, a dangling link) is an error
/// naming it: taken for "no file", it would silently build another project.
async fn read_text<H: Host>(host: &H, path: &str) -> Result<Option<String>, ProjectError> {
    let Some(info) = host.stat(path).await? else {
        return Ok(None);
    };
    let target = info.target.clone().unwrap_or_default();
    match info.kind {
        Kind::File => {}
        Kind::Symlink => {
            let name = path.rsplit('/').next().unwrap_or(path);
            if files::escapes(name, &target) {
                return Err(ProjectError::SymlinkEscapes {
                    path: path.to_owned(),
                    target,
                });
            }
        }
        Kind::Dir | Kind::Other => {
            return Err(ProjectError::NotAFile {
                path: path.to_owned(),
                kind: if info.kind == Kind::Dir {
                    "a directory"
                } else {
                    "not a regular file"
                },
            })
        }
    }
    match host.read_all(path).await {
        // Never read lossily: a replaced byte could turn a key into another
        // and build a project other than the one on disk.
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|e| ProjectError::TextNotUtf8 {
                path: path.to_owned(),
                offset: e.utf8_error().valid_up_to(),
            }),
        Err(e) if e.is_not_found() && info.kind == Kind::Symlink => Err(ProjectError::Dangling {
            path: path.to_owned(),
            target,
        }),
        Err(e) => Err(e.into()),
    }
}

/// Walks the context and works out the import root.
/// `skip` holds absolute paths to leave out, such as the output directory.
pub async fn discover<H: Host>(
    host: &H,
    root: &str,
    metadata: (Metadata, Option<String>),
    skip: &[String],
    selection: &Selection,
) -> Result<Project, ProjectError> {
    let files::Walked {
        files,
        excluded,
        shipped_secrets,
    } = files::walk(host, root, skip, selection).await?;
    let python = files
        .iter()
        .any(|f| f.kind == Kind::File && f.rel.ends_with(".py"));
    if metadata.1.is_none() && !python {
        return Err(ProjectError::NotPython {
            path: root.to_owned(),
        });
    }
    let import_root = if is_src_layout(&files) { "src" } else { "" }.to_owned();
    Ok(Project {
        root: root.to_owned(),
        metadata: metadata.0,
        metadata_file: metadata.1,
        import_root,
        files,
        excluded,
        shipped_secrets,
    })
}

/// A `src/` directory holding a package or a module means the src layout.
fn is_src_layout(files: &[ContextFile]) -> bool {
    files.iter().any(|f| {
        f.kind == Kind::File
            && f.rel.strip_prefix("src/").is_some_and(|rest| {
                rest.ends_with(".py")
                    && (!rest.contains('/')
                        || rest.matches('/').count() == 1 && rest.ends_with("/__init__.py"))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NativeHost;

    /// read_metadata on a context holding `pyproject.toml` made by `make`.
    fn metadata_error(name: &str, make: impl Fn(&std::path::Path)) -> String {
        let dir =
            std::env::temp_dir().join(format!("pycontainer-meta-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_default();
        make(&dir.join("pyproject.toml"));
        let root = dir.to_string_lossy().into_owned();
        let out = pollster::block_on(read_metadata(&NativeHost::new(), &root));
        let _ = std::fs::remove_dir_all(&dir);
        out.err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn a_pyproject_that_is_no_file_is_named() {
        let e = metadata_error("dir", |p| std::fs::create_dir_all(p).unwrap_or_default());
        assert!(e.contains("pyproject.toml is a directory"), "{e}");
        let e = metadata_error("dangling", |p| {
            std::os::unix::fs::symlink("gone.toml", p).unwrap_or_default()
        });
        assert!(
            e.contains("pyproject.toml is a symlink to \"gone.toml\", which does not exist"),
            "{e}"
        );
        let e = metadata_error("outside", |p| {
            std::os::unix::fs::symlink("/etc/hostname", p).unwrap_or_default()
        });
        assert!(
            e.contains("pyproject.toml is a symlink") && e.contains("outside the build context"),
            "{e}"
        );
        let e = metadata_error("inside", |p| {
            std::fs::write(p.with_file_name("real.toml"), "[project]\nname = 1\n")
                .unwrap_or_default();
            std::os::unix::fs::symlink("real.toml", p).unwrap_or_default()
        });
        assert!(e.contains("`project.name` must be a string"), "{e}");
    }
}
