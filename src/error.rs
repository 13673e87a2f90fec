//! The one error type the outside sees: each module's own error, with the
//! stable code that module gives it and a message for people.

use crate::cache::CacheError;
use crate::deps::DepsError;
use crate::eject::EjectError;
use crate::host::HostError;
use crate::layer::LayerError;
use crate::layout::LayoutError;
use crate::plan::PlanError;
use crate::publish::PublishError;
use crate::registry::RegistryError;
use crate::sink::SinkError;
use pycontainer_deploy::DeployError;
use pycontainer_sbom::SbomError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error(transparent)]
    Deps(Box<DepsError>),
    #[error(transparent)]
    Layer(#[from] LayerError),
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Sink(#[from] SinkError),
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(transparent)]
    Sbom(#[from] SbomError),
    #[error(transparent)]
    Eject(EjectError),
    #[error(transparent)]
    Deploy(#[from] DeployError),
    /// A plan made for a dry run, whose registry base was not read, cannot be built.
    #[error("the plan leaves the dependencies undecided (a dry run does not read a registry base); plan again without dry_run to build")]
    Undecided,
}

impl From<DepsError> for Error {
    fn from(e: DepsError) -> Self {
        Error::Deps(Box::new(e))
    }
}

/// A plan's or the host's error inside `dockerfile` is the one `build`
/// gives, with its flag, file and key.
impl From<EjectError> for Error {
    fn from(e: EjectError) -> Self {
        match e {
            EjectError::Plan(e) => Error::Plan(e),
            EjectError::Host(e) => Error::Host(e),
            e => Error::Eject(e),
        }
    }
}

impl Error {
    /// A stable, machine-readable code for scripts and the JS API.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Plan(e) => e.code(),
            Error::Publish(e) => e.code(),
            Error::Deps(e) => e.code(),
            Error::Layer(e) => e.code(),
            Error::Layout(e) => e.code(),
            Error::Registry(e) => e.code(),
            Error::Cache(e) => e.code(),
            Error::Sink(e) => e.code(),
            Error::Host(e) => e.code(),
            Error::Sbom(e) => e.code(),
            Error::Eject(e) => e.code(),
            Error::Deploy(e) => e.code(),
            Error::Undecided => "internal",
        }
    }

    /// The flag at fault, when the command line (not a file) is wrong: the
    /// CLI reports those as usage errors.
    pub fn option(&self) -> Option<&str> {
        match self {
            Error::Plan(e) => e.option(),
            Error::Publish(e) => e.option(),
            _ => None,
        }
    }

    /// The config file at fault, when one is (or the file `dockerfile`
    /// will not replace): JS callers point at it.
    pub fn file(&self) -> Option<&str> {
        match self {
            Error::Plan(e) => e.file(),
            Error::Deps(e) => e.file(),
            Error::Eject(e) => e.file(),
            _ => None,
        }
    }

    /// The key in `file`, or the `PYCONTAINER_*` variable, at fault.
    pub fn key(&self) -> Option<&str> {
        match self {
            Error::Plan(e) => e.key(),
            Error::Deps(e) => e.key(),
            _ => None,
        }
    }

    /// The line of `file` at fault (1-based), when it is known.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Plan(e) => e.line(),
            Error::Deps(e) => e.line(),
            _ => None,
        }
    }

    /// The column at fault on `line` (1-based), when it is known.
    pub fn column(&self) -> Option<usize> {
        match self {
            Error::Plan(e) => e.column(),
            Error::Deps(e) => e.column(),
            _ => None,
        }
    }
}
