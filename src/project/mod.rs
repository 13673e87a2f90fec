//! Discovers a Python project: its metadata, its files, its import root and how it starts.

pub mod entrypoint;
pub mod files;
pub mod pyproject;
pub mod setupcfg;

use crate::host::{Host, HostError, Kind};
pub use entrypoint::{EntryPoint, Rule};
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
    #[error("{file}: `{key}` {message}")]
    PyprojectField {
        file: String,
        key: String,
        message: String,
    },
    #[error("console script {name:?} = {spec:?}: {reason}")]
    BadScript {
        name: String,
        spec: String,
        reason: String,
    },
    #[error("{path} is a symlink to {target:?}, outside the build context; symlinks are copied as links and never followed, so this one would dangle in the image (exclude it or replace it with the file)")]
    SymlinkEscapes { path: String, target: String },
    #[error("no entry point found in {path}: add [project.scripts], a package with __main__.py, or main.py / app.py")]
    NoEntryPoint { path: String },
    #[error(transparent)]
    Host(#[from] HostError),
}

/// A discovered project, ready to be planned into layers.
#[derive(Clone, Debug)]
pub struct Project {
    /// Absolute path of the build context.
    pub root: String,
    pub metadata: Metadata,
    /// Directory (relative to the context) that must be on `sys.path`: `src` or ``.
    pub import_root: String,
    pub entrypoint: EntryPoint,
    pub files: Vec<ContextFile>,
    pub excluded: Vec<Excluded>,
}

/// Looks at the context and works out everything the build needs from it.
/// `skip` holds absolute paths to leave out, such as the output directory.
pub async fn discover<H: Host>(
    host: &H,
    root: &str,
    skip: &[String],
) -> Result<Project, ProjectError> {
    match host.stat(root).await? {
        None => {
            return Err(ProjectError::ContextMissing {
                path: root.to_owned(),
            })
        }
        Some(info) if info.kind != Kind::Dir => {
            return Err(ProjectError::ContextNotDir {
                path: root.to_owned(),
            })
        }
        Some(_) => {}
    }
    let (files, excluded) = files::walk(host, root, skip).await?;
    let has = |rel: &str, kind: Kind| files.iter().any(|f| f.rel == rel && f.kind == kind);

    let metadata = if has("pyproject.toml", Kind::File) {
        let file = format!("{}/pyproject.toml", root.trim_end_matches('/'));
        let bytes = host.read_all(&file).await?;
        pyproject::parse(&file, &String::from_utf8_lossy(&bytes))?
    } else if files
        .iter()
        .any(|f| f.kind == Kind::File && f.rel.ends_with(".py"))
    {
        Metadata::default()
    } else {
        return Err(ProjectError::NotPython {
            path: root.to_owned(),
        });
    };

    let import_root = if is_src_layout(&files) { "src" } else { "" }.to_owned();
    let entrypoint = choose_entrypoint(&metadata, &files, &import_root).ok_or_else(|| {
        ProjectError::NoEntryPoint {
            path: root.to_owned(),
        }
    })??;
    Ok(Project {
        root: root.to_owned(),
        metadata,
        import_root,
        entrypoint,
        files,
        excluded,
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

/// The entry point rules, in order; `None` when no rule applies.
fn choose_entrypoint(
    metadata: &Metadata,
    files: &[ContextFile],
    import_root: &str,
) -> Option<Result<EntryPoint, ProjectError>> {
    if let Some((name, spec)) = metadata.scripts.first() {
        return Some(entrypoint::for_script(name, spec));
    }
    let prefix = if import_root.is_empty() {
        String::new()
    } else {
        format!("{import_root}/")
    };
    let package_main = files.iter().find_map(|f| {
        let rest = f.rel.strip_prefix(&prefix)?;
        let package = rest.strip_suffix("/__main__.py")?;
        (!package.contains('/')).then(|| package.to_owned())
    });
    if let Some(package) = package_main {
        return Some(Ok(entrypoint::for_package_main(&package)));
    }
    ["main.py", "app.py"]
        .iter()
        .find(|name| {
            files
                .iter()
                .any(|f| f.kind == Kind::File && f.rel == **name)
        })
        .map(|name| Ok(entrypoint::for_main_file(name)))
}
