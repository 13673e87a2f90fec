//! Build settings (and `[runtime]`'s, in `runtime`) from every source, merged by precedence: flags > `PYCONTAINER_*` > pycontainer.toml > `[tool.pycontainer]`.
//!
//! One schema serves every source. Scalars and whole lists come from the
//! highest source that sets them; maps (env, labels, annotations) merge key
//! by key; include and exclude patterns add up, the higher source last so
//! that it has the final word under last-match-wins.

pub mod confine;
mod layers;
mod runtime;
mod schema;
mod table;
mod transfer;
mod words;

#[cfg(test)]
pub use layers::SourceKind;
pub use layers::{Layers, Source};
pub use runtime::{Executor, RuntimeFlags, RuntimeSettings, RuntimeTable};
pub use schema::{DepsSettings, Settings};
pub use table::from_config_file;
pub use transfer::{insecure_registries, Given, Transfer};
pub use words::parse_env_file;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: unknown key `{key}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownKey {
        file: String,
        key: String,
        suggestion: Option<String>,
    },
    #[error("{file}: `{key}` must be {expected}, found {found}")]
    WrongType {
        file: String,
        key: String,
        expected: &'static str,
        found: String,
    },
    #[error("{file}: `{key}`: {message}")]
    Invalid {
        file: String,
        key: String,
        message: String,
    },
    /// A flag's value (or the JS API option's) is wrong. `value` is what
    /// was given, when it may be shown: an index URL may carry a token.
    #[error("{flag}{}: {message}", value.as_ref().map(|v| format!(" {v:?}")).unwrap_or_default())]
    Flag {
        flag: String,
        value: Option<String>,
        message: String,
    },
    /// A `PYCONTAINER_*` variable's value is wrong; `value` as for `Flag`.
    #[error("{var}{}: {message}", value.as_ref().map(|v| format!(" {v:?}")).unwrap_or_default())]
    Variable {
        var: String,
        value: Option<String>,
        message: String,
    },
    #[error("{file}: `{key}` = {path:?} {why}; a project's config names only files inside its context (a flag or a PYCONTAINER_* variable may name one outside)")]
    PathOutside {
        file: String,
        key: String,
        path: String,
        why: String,
    },
    #[error("{file}:{line}: {message}")]
    EnvFile {
        file: String,
        line: usize,
        message: String,
    },
}

impl ConfigError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::Flag { .. } => "invalid-option",
            ConfigError::PathOutside { .. } => "config-path-outside",
            _ => "config",
        }
    }

    /// The flag at fault, when the command line (not a file) is wrong.
    pub fn option(&self) -> Option<&str> {
        match self {
            ConfigError::Flag { flag, .. } => Some(flag),
            _ => None,
        }
    }

    /// The config file (or env file) at fault, when a file is wrong.
    pub fn file(&self) -> Option<&str> {
        match self {
            ConfigError::UnknownKey { file, .. }
            | ConfigError::WrongType { file, .. }
            | ConfigError::Invalid { file, .. }
            | ConfigError::PathOutside { file, .. }
            | ConfigError::EnvFile { file, .. } => Some(file),
            ConfigError::Flag { .. } | ConfigError::Variable { .. } => None,
        }
    }

    /// The key at fault in `file`, or the `PYCONTAINER_*` variable.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::UnknownKey { key, .. }
            | ConfigError::WrongType { key, .. }
            | ConfigError::Invalid { key, .. }
            | ConfigError::PathOutside { key, .. } => Some(key),
            ConfigError::Variable { var, .. } => Some(var),
            ConfigError::Flag { .. } | ConfigError::EnvFile { .. } => None,
        }
    }

    pub(crate) fn flag(flag: &str, value: Option<&str>, message: impl Into<String>) -> Self {
        ConfigError::Flag {
            flag: flag.to_owned(),
            value: value.map(str::to_owned),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests;
