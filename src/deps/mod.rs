//! Dependencies for the target image, through the host: which input names
//! them, what the base image runs Python with, one wheel per package from a
//! lock or a resolution, and the venv layer they make. The parsing, the
//! resolver and the install plans are the `pycontainer-pypi` and
//! `pycontainer-wheel` crates'; this module does their I/O.

pub mod bytecode;
pub mod decide;
pub mod download;
pub mod indexes;
pub mod input;
pub mod layer;
pub mod lockfile;
pub mod pagecache;
pub mod parsedpages;
pub mod pins;
pub mod probe;
pub mod project;
pub mod reqfile;
pub mod resolving;
pub mod sdist;
pub mod workspace;

use pycontainer_oci::Platform;
use pycontainer_pypi::lock::Selection;
use pycontainer_pypi::workspace::WorkspaceError;

use crate::cache::CacheDir;
use crate::config::DepsSettings;
use crate::project::Project;
use crate::source::BaseImage;

/// What deciding the dependencies reads: the project and its input, the
/// settings and selection, the base and its platform, and the cache.
pub struct DepsRequest<'a> {
    pub project: &'a Project,
    pub input: &'a input::Input,
    pub settings: &'a DepsSettings,
    /// `--extra` and `--group`, as normalised names.
    pub selection: &'a Selection,
    /// The lock must be there and fresh: no resolution.
    pub locked: bool,
    pub base: &'a BaseImage,
    pub platform: &'a Platform,
    pub cache: &'a CacheDir,
}

/// Everything that can go wrong between a project's dependency list and its layer.
#[derive(Debug, thiserror::Error)]
pub enum DepsError {
    #[error(transparent)]
    Target(#[from] pycontainer_wheel::target::TargetError),
    #[error(transparent)]
    Cache(#[from] crate::cache::CacheError),
    #[error(transparent)]
    Blob(#[from] crate::blobs::BlobError),
    #[error(transparent)]
    Input(#[from] input::InputError),
    #[error("base layer {digest} has media type {media_type}, which pycontainer cannot read to find the base's Python (gzip and plain tar layers are supported)")]
    LayerFormat { digest: String, media_type: String },
    #[error("base layer {digest} cannot be read: {message}")]
    BaseLayer { digest: String, message: String },
    #[error(transparent)]
    Wheel(#[from] crate::wheelfile::WheelFileError),
    #[error(transparent)]
    Layer(#[from] crate::layer::LayerError),
    #[error("the wheel {path} does not exist (relative wheel paths are taken from the context)")]
    LocalWheel { path: String },
    #[error("{url}: {message}")]
    Network { url: String, message: String },
    #[error("package index {url}: {message}")]
    Index { url: String, message: String },
    #[error("{filename} from {url} has sha256 {actual}, but {expected} was expected; nothing was installed")]
    HashMismatch {
        filename: String,
        url: String,
        expected: String,
        actual: String,
    },
    #[error("the image's platform {platform} has no Python machine name, so no wheel can be chosen for it")]
    Machine { platform: String },
    #[error("compile: bytecode was asked for, but {why}; drop --compile to build without it")]
    NoBytecode { why: String },
    #[error(transparent)]
    Install(#[from] pycontainer_wheel::install::InstallError),
    #[error(transparent)]
    Lock(#[from] pycontainer_pypi::lock::LockError),
    #[error(transparent)]
    Workspace(#[from] pycontainer_pypi::workspace::WorkspaceError),
    #[error(transparent)]
    Resolve(#[from] pycontainer_pypi::resolve::ResolveError),
    #[error(transparent)]
    IndexPage(#[from] pycontainer_pypi::index::IndexError),
    #[error("{package} {version} ({origin}) has no wheel for {target}{}{}", if *.sdist_only { "; it has only a source distribution, which would need a build" } else { "" }, .nearest.as_ref().map(|v| format!("; the nearest version with a wheel for it is {v}")).unwrap_or_default())]
    NoWheel {
        package: String,
        version: String,
        origin: String,
        target: String,
        sdist_only: bool,
        nearest: Option<String>,
    },
    #[error("{package} {version} ({origin}): its wheel for this image, {filename}, has {hash}, which is not among the hashes listed for it; the file changed or the list is out of date")]
    HashNotListed {
        package: String,
        version: String,
        origin: String,
        filename: String,
        hash: String,
    },
    #[error("{filename}: the hash {hash} is not a sha256 digest")]
    BadHash { filename: String, hash: String },
    #[error("{file}: there is no {what} {name:?} (asked for with --{what}, or its setting); it has: {}", if .available.is_empty() { "none".to_owned() } else { .available.join(", ") })]
    UnknownSelection {
        what: &'static str,
        name: String,
        file: String,
        available: Vec<String>,
    },
    #[error("{file}: `{key}`: {message}")]
    ProjectRequirement {
        file: String,
        key: String,
        message: String,
    },
    #[error("{path} is missing or was not resolved from the current {input}")]
    StaleLock { path: String, input: String },
    #[error("{0}")]
    WheelName(String),
    #[error("the requirement {requirement:?} names a file that is not a wheel; only wheels can be installed without a build")]
    NotAWheel { requirement: String },
    #[error("{path}: {message}")]
    Requirements { path: String, message: String },
    #[error("{path}, included from {from}, {why}; a requirements file the project's config names includes only files inside the context")]
    IncludeOutside {
        path: String,
        from: String,
        why: String,
    },
    #[error("{package} {version} ({filename}): {reason}; pycontainer builds a wheel from an sdist only when no code would run (static metadata, pure-Python sources, a known build backend's file selection): ask for a version with a wheel for the image, or build the wheel and name it in the requirements")]
    SdistRefused {
        package: String,
        version: String,
        filename: String,
        reason: pycontainer_sdist::Refusal,
    },
    #[error("{filename} cannot be read as an sdist: {message}")]
    BadSdist { filename: String, message: String },
    #[error("{wheel} has no {member}")]
    NoMetadata { wheel: String, member: String },
    #[error(transparent)]
    Layout(#[from] crate::layout::LayoutError),
    #[error(transparent)]
    Host(#[from] crate::host::HostError),
}

impl DepsError {
    /// The stable code the CLI and JS API report.
    /// The file at fault (a lock, requirements file, pyproject.toml or wheel),
    /// as the message names it, when one is.
    pub fn file(&self) -> Option<&str> {
        match self {
            DepsError::Lock(e) => Some(e.file()),
            DepsError::Input(input::InputError::Missing { path })
            | DepsError::LocalWheel { path }
            | DepsError::StaleLock { path, .. }
            | DepsError::Requirements { path, .. }
            | DepsError::IncludeOutside { path, .. } => Some(path),
            DepsError::UnknownSelection { file, .. }
            | DepsError::ProjectRequirement { file, .. } => Some(file),
            _ => None,
        }
    }

    /// The key at fault in `file`, when one is.
    pub fn key(&self) -> Option<&str> {
        match self {
            DepsError::Lock(e) => e.key(),
            DepsError::ProjectRequirement { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The line at fault in `file` (1-based), when it is known.
    pub fn line(&self) -> Option<usize> {
        match self {
            DepsError::Lock(e) => e.line(),
            _ => None,
        }
    }

    /// The column at fault on `line` (1-based), when it is known.
    pub fn column(&self) -> Option<usize> {
        match self {
            DepsError::Lock(e) => e.column(),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            DepsError::Target(_) | DepsError::LayerFormat { .. } | DepsError::BaseLayer { .. } => {
                "base-python"
            }
            DepsError::Input(_) => "dependencies",
            DepsError::Cache(e) => e.code(),
            DepsError::Blob(e) => e.code(),
            DepsError::Wheel(e) => e.code(),
            DepsError::Layer(e) => e.code(),
            DepsError::LocalWheel { .. } | DepsError::Host(_) | DepsError::Layout(_) => "io",
            DepsError::Network { .. } | DepsError::Index { .. } | DepsError::IndexPage(_) => {
                "index"
            }
            DepsError::Machine { .. } => "platform",
            DepsError::NoBytecode { .. } => "no-bytecode",
            DepsError::Install(_)
            | DepsError::WheelName(_)
            | DepsError::NotAWheel { .. }
            | DepsError::NoMetadata { .. } => "bad-wheel",
            DepsError::Lock(_) | DepsError::BadHash { .. } => "lock",
            DepsError::Workspace(WorkspaceError::Syntax { .. } | WorkspaceError::Field { .. }) => {
                "pyproject"
            }
            DepsError::Workspace(_) => "dependencies",
            DepsError::StaleLock { .. } => "stale-lock",
            DepsError::Resolve(_) => "resolve",
            DepsError::NoWheel { .. } => "no-wheel",
            DepsError::SdistRefused { .. } => "sdist-refused",
            DepsError::BadSdist { .. } => "bad-sdist",
            DepsError::UnknownSelection { .. }
            | DepsError::ProjectRequirement { .. }
            | DepsError::Requirements { .. } => "dependencies",
            DepsError::IncludeOutside { .. } => "config-path-outside",
            DepsError::HashMismatch { .. } | DepsError::HashNotListed { .. } => "hash-mismatch",
        }
    }
}
