//! The one error type the outside sees: a stable code and a message for people.

use crate::clock::ClockError;
use crate::config::ConfigError;
use crate::deps::DepsError;
use crate::host::HostError;
use crate::layer::LayerError;
use crate::layout::LayoutError;
use crate::project::ProjectError;
use crate::registry::RegistryError;
use crate::source::SourceError;
use pycontainer_oci::reference::ReferenceError;
use pycontainer_python::interpreters::InterpreterError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{flag}: {message}")]
    Option { flag: String, message: String },
    #[error("{origin} {value:?}: {source}")]
    Tag {
        origin: String,
        value: String,
        source: ReferenceError,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Python(#[from] InterpreterError),
    #[error(transparent)]
    Base(#[from] SourceError),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error(transparent)]
    Layer(#[from] LayerError),
    #[error(transparent)]
    Clock(#[from] ClockError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(transparent)]
    Deps(Box<DepsError>),
}

impl From<DepsError> for Error {
    fn from(e: DepsError) -> Self {
        Error::Deps(Box::new(e))
    }
}

impl Error {
    /// A stable, machine-readable code for scripts and the JS API.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Option { .. } => "invalid-option",
            Error::Config(ConfigError::Flag { .. }) => "invalid-option",
            Error::Config(_) => "config",
            Error::Python(_) => "python-version",
            Error::Tag { .. } => "invalid-tag",
            Error::Base(SourceError::Registry { source, .. }) => source.code(),
            Error::Registry(source) => source.code(),
            Error::Base(_) => "base-image",
            Error::Project(ProjectError::Host(_)) | Error::Host(_) => "io",
            Error::Project(
                ProjectError::PyprojectSyntax { .. } | ProjectError::PyprojectField { .. },
            ) => "pyproject",
            Error::Project(ProjectError::Framework(_)) => "ambiguous-entrypoint",
            Error::Project(ProjectError::Ignore(_)) => "dockerignore",
            Error::Project(_) => "project",
            Error::Layout(_) => "output",
            Error::Layer(e) => e.code(),
            Error::Clock(_) => "source-date-epoch",
            Error::Deps(e) => e.code(),
        }
    }
}
