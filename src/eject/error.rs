//! Why a build cannot be written as a Dockerfile, or the files not put
//! where they were asked to go.

use crate::host::HostError;
use crate::plan::PlanError;

#[derive(Debug, thiserror::Error)]
pub enum EjectError {
    /// The build itself cannot be planned: as `build` would say.
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Host(#[from] HostError),
    /// The target is a file of the user's: pycontainer never replaces one.
    #[error("{path} exists and was not written by pycontainer (its first line is not \"{mark}\"); it is left as it is: move it away, or write pycontainer's elsewhere with --file PATH")]
    Foreign { path: String, mark: &'static str },
    /// The target is a directory, a symlink or something else: not replaced either.
    #[error(
        "{path} exists and is not a regular file; write the Dockerfile elsewhere with --file PATH"
    )]
    NotAFile { path: String },
    /// One Dockerfile builds one image, and the dependencies are resolved per platform.
    #[error("a Dockerfile builds one platform, and {count} were asked for; write one per platform with --platform and --file")]
    Platforms { count: usize },
    /// A base in a local OCI layout, which `FROM` cannot name.
    #[error("the base image {base} is a local OCI layout, which a Dockerfile's FROM cannot name; push it to a registry and use that reference as --base-image")]
    LocalBase { base: String },
    /// A wheel or sdist that only this machine can reach.
    #[error("{package}: its file {url} is not on an http(s) index, so a docker build could not fetch it; serve it from an index, or build with pycontainer")]
    LocalFile { package: String, url: String },
    /// A file with no sha256 to check it by, which pip's --require-hashes refuses.
    #[error("{package}: the index gave no sha256 for {file}, and the Dockerfile installs only files it can check")]
    NoHash { package: String, file: String },
    /// A value a Dockerfile line cannot hold as it is.
    #[error("{what} {value:?} cannot be written in a Dockerfile: {why}")]
    Unwritable {
        what: String,
        value: String,
        why: &'static str,
    },
}

impl EjectError {
    /// A stable, machine-readable code for scripts and the JS API.
    pub fn code(&self) -> &'static str {
        match self {
            EjectError::Plan(e) => e.code(),
            EjectError::Host(e) => e.code(),
            EjectError::Foreign { .. } | EjectError::NotAFile { .. } => "dockerfile-exists",
            EjectError::Platforms { .. } => "dockerfile-platforms",
            EjectError::LocalBase { .. } => "dockerfile-local-base",
            EjectError::LocalFile { .. } | EjectError::NoHash { .. } => "dockerfile-package",
            EjectError::Unwritable { .. } => "dockerfile-unwritable",
        }
    }

    /// The file at fault, for an editor or a script to point at.
    pub fn file(&self) -> Option<&str> {
        match self {
            EjectError::Foreign { path, .. } | EjectError::NotAFile { path } => Some(path),
            _ => None,
        }
    }
}
