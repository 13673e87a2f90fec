//! Why a plan could not be made, for errors about a setting's value: each
//! names the setting by where it came from (a flag, a `PYCONTAINER_*`
//! variable, a config file's key), which only the plan knows.

use pycontainer_oci::reference::ReferenceError;

use pycontainer_python::interpreters::InterpreterError;

use crate::clock::ClockError;
use crate::config::ConfigError;
use crate::deps::DepsError;
use crate::host::HostError;
use crate::layout::LayoutError;
use crate::project::ignore::IgnoreError;
use crate::project::ProjectError;
use crate::sink::SinkError;
use crate::source::SourceError;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{origin}: {message}")]
    Setting { origin: String, message: String },
    /// The file a well-formed setting names cannot be read: not a usage error.
    #[error("{origin}: {message}")]
    Unreadable { origin: String, message: String },
    #[error("{origin} {value:?}: {source}")]
    Tag {
        origin: String,
        value: String,
        source: ReferenceError,
    },
    /// The base image the setting names cannot be used.
    #[error("{origin} {source}")]
    Base {
        origin: String,
        source: Box<SourceError>,
    },
    /// The console script the setting names does not exist.
    #[error("{origin} {source}")]
    Script {
        origin: String,
        source: Box<ProjectError>,
    },
    /// The output the setting names cannot be written.
    #[error("{origin}: {source}")]
    Output {
        origin: String,
        source: Box<SinkError>,
    },
    /// The dependencies the settings ask for cannot be had.
    #[error("{origin}: {source}")]
    Deps {
        origin: String,
        source: Box<DepsError>,
    },
    /// `--locked` (a flag only), and the lock is not what a resolution would use.
    #[error("--locked: {0}; build once without --locked to lock again")]
    Locked(Box<DepsError>),
    #[error(transparent)]
    Config(Box<ConfigError>),
    #[error(transparent)]
    Clock(#[from] ClockError),
    #[error(transparent)]
    Project(Box<ProjectError>),
    #[error(transparent)]
    Python(Box<InterpreterError>),
    #[error(transparent)]
    Source(Box<SourceError>),
    #[error(transparent)]
    Layout(Box<LayoutError>),
    #[error(transparent)]
    DepsInput(Box<DepsError>),
    #[error(transparent)]
    Host(#[from] HostError),
}

/// The module errors the plan passes on as they are, boxed: a plan's
/// error is rare, its `Result`s are not.
macro_rules! boxed_from {
    ($($variant:ident($error:ty)),*) => {
        $(impl From<$error> for PlanError {
            fn from(e: $error) -> Self {
                PlanError::$variant(Box::new(e))
            }
        })*
    };
}

boxed_from!(
    Config(ConfigError),
    Project(ProjectError),
    Python(InterpreterError),
    Source(SourceError),
    Layout(LayoutError),
    DepsInput(DepsError)
);

impl PlanError {
    /// The stable code the CLI and JS API report: a wrapped error keeps its own.
    pub fn code(&self) -> &'static str {
        match self {
            PlanError::Setting { .. } => "invalid-option",
            PlanError::Unreadable { .. } => "io",
            PlanError::Tag { .. } => "invalid-tag",
            PlanError::Base { source, .. } => source.code(),
            PlanError::Script { source, .. } => source.code(),
            PlanError::Output { source, .. } => source.code(),
            PlanError::Deps { source, .. } => source.code(),
            PlanError::Locked(source) | PlanError::DepsInput(source) => source.code(),
            PlanError::Config(e) => e.code(),
            PlanError::Clock(e) => e.code(),
            PlanError::Project(e) => e.code(),
            PlanError::Python(e) => e.code(),
            PlanError::Source(e) => e.code(),
            PlanError::Layout(e) => e.code(),
            PlanError::Host(e) => e.code(),
        }
    }

    /// The flag at fault, when the command line (not a file) is wrong: a
    /// malformed flag value is a usage error (exit 2), as docs/configuration.md
    /// says. A well-formed value naming what is not there (a script, an image)
    /// is not: the command line was right, the world was not.
    pub fn option(&self) -> Option<&str> {
        let flag = |origin: &str| origin.starts_with("--");
        match self {
            PlanError::Config(e) => e.option(),
            PlanError::Setting { origin, .. } | PlanError::Tag { origin, .. } if flag(origin) => {
                Some(origin)
            }
            PlanError::Base { origin, source }
                if flag(origin) && matches!(**source, SourceError::Invalid { .. }) =>
            {
                Some(origin)
            }
            PlanError::Project(e) => match &**e {
                ProjectError::Ignore(IgnoreError::BadPattern { origin, .. }) if flag(origin) => {
                    Some(origin)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The file at fault, when one is: a config or env file, a project file,
    /// a lock or requirements file.
    pub fn file(&self) -> Option<&str> {
        match self {
            PlanError::Config(e) => e.file(),
            PlanError::Project(e) | PlanError::Script { source: e, .. } => e.file(),
            PlanError::Deps { source: e, .. } | PlanError::Locked(e) | PlanError::DepsInput(e) => {
                e.file()
            }
            _ => None,
        }
    }

    /// The key (or variable) at fault, when one is.
    pub fn key(&self) -> Option<&str> {
        match self {
            PlanError::Config(e) => e.key(),
            PlanError::Project(e) | PlanError::Script { source: e, .. } => e.key(),
            PlanError::Deps { source: e, .. } | PlanError::Locked(e) | PlanError::DepsInput(e) => {
                e.key()
            }
            _ => None,
        }
    }

    /// The line of `file` at fault (1-based), when it is known.
    pub fn line(&self) -> Option<usize> {
        match self {
            PlanError::Project(e) | PlanError::Script { source: e, .. } => e.line(),
            PlanError::Deps { source: e, .. } | PlanError::Locked(e) | PlanError::DepsInput(e) => {
                e.line()
            }
            _ => None,
        }
    }

    /// The column at fault on `line` (1-based), when it is known.
    pub fn column(&self) -> Option<usize> {
        match self {
            PlanError::Project(e) | PlanError::Script { source: e, .. } => e.column(),
            PlanError::Deps { source: e, .. } | PlanError::Locked(e) | PlanError::DepsInput(e) => {
                e.column()
            }
            _ => None,
        }
    }

    pub(crate) fn setting(origin: &str, message: impl Into<String>) -> PlanError {
        PlanError::Setting {
            origin: origin.to_owned(),
            message: message.into(),
        }
    }
}
