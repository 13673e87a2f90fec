//! The layers of settings, highest first, kept apart after merging so that
//! a rule can say which source set a value.

use toml::Table;

use super::confine;
use super::runtime::RuntimeTable;
use super::schema::{env_var, key_of_flag, Settings};
use super::table::read_config_file;
use super::ConfigError;
use crate::host::Host;

/// A source of settings that set something, for `--dry-run`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Source {
    pub kind: SourceKind,
    /// The file, for the two config files.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub file: Option<String>,
}

/// The sources of settings, highest precedence first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum SourceKind {
    #[serde(rename = "flag")]
    Flag,
    #[serde(rename = "env")]
    Env,
    #[serde(rename = "pycontainer.toml")]
    ConfigFile,
    #[serde(rename = "pyproject")]
    Pyproject,
}

/// All layers of settings, before merging, so that a rule can say which one spoke.
pub struct Layers {
    pub flags: Settings,
    pub env: Settings,
    pub file: Settings,
    pub file_path: Option<String>,
    /// The file was named by `--config`, not found in the context.
    pub file_explicit: bool,
    pub tool: Settings,
    /// pycontainer.toml's `[runtime]`, for `deploy`.
    pub runtime: Option<RuntimeTable>,
}

impl Layers {
    /// Reads every source. `config` is an explicit `--config`; otherwise
    /// `pycontainer.toml` in the context is used when present. Relative
    /// paths in a file are taken from that file's directory.
    pub async fn gather<H: Host>(
        host: &H,
        flags: Settings,
        context: &str,
        config: Option<&str>,
        tool: Option<&Table>,
    ) -> Result<Self, ConfigError> {
        let env = Settings::from_env(host)?;
        let default_path = format!("{}/pycontainer.toml", context.trim_end_matches('/'));
        let file_path = match config {
            Some(path) => Some(path.to_owned()),
            None => host
                .stat(&default_path)
                .await
                .ok()
                .flatten()
                .map(|_| default_path),
        };
        let mut runtime = None;
        let file = match &file_path {
            Some(path) => {
                let text = host
                    .read_all(path)
                    .await
                    .map_err(|e| ConfigError::Invalid {
                        file: path.clone(),
                        key: "--config".to_owned(),
                        message: if e.is_not_found() {
                            "no such file".to_owned()
                        } else {
                            e.message.clone()
                        },
                    })?;
                let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                let read = read_config_file(path, &String::from_utf8_lossy(&text))?;
                runtime = read.runtime;
                let file = read.build;
                if config.is_none() {
                    confine::check(host, context, &format!("{path} [build]"), &file).await?;
                }
                file.relative_to(dir)
            }
            None => Settings::default(),
        };
        let tool = match tool {
            Some(t) => {
                let name = "pyproject.toml [tool.pycontainer]";
                let tool = Settings::from_table(name, t)?;
                confine::check(host, context, name, &tool).await?;
                tool.relative_to(context)
            }
            None => Settings::default(),
        };
        Ok(Layers {
            flags,
            env,
            file,
            file_path,
            file_explicit: config.is_some(),
            tool,
            runtime,
        })
    }

    /// Whether the value `has` looks for comes from the project's own
    /// config (its pycontainer.toml or `[tool.pycontainer]`), which may
    /// name only files inside the context.
    pub fn set_by_project(&self, has: fn(&Settings) -> bool) -> bool {
        !has(&self.flags)
            && !has(&self.env)
            && ((has(&self.file) && !self.file_explicit) || (!has(&self.file) && has(&self.tool)))
    }

    /// Flags over environment over pycontainer.toml over `[tool.pycontainer]`.
    pub fn merged(&self) -> Settings {
        self.flags.clone().over(
            self.env
                .clone()
                .over(self.file.clone().over(self.tool.clone())),
        )
    }

    /// The sources that set anything, highest first.
    pub fn sources(&self) -> Vec<Source> {
        let none = Settings::default();
        let mut out = Vec::new();
        let mut add = |s: &Settings, kind: SourceKind, file: Option<String>| {
            if *s != none {
                out.push(Source { kind, file });
            }
        };
        add(&self.flags, SourceKind::Flag, None);
        add(&self.env, SourceKind::Env, None);
        add(&self.file, SourceKind::ConfigFile, self.file_path.clone());
        add(
            &self.tool,
            SourceKind::Pyproject,
            Some("pyproject.toml".to_owned()),
        );
        out
    }

    /// Which source set a value, named for people: `--workdir`,
    /// `PYCONTAINER_WORKDIR`, `…/pycontainer.toml [build] workdir`, or
    /// `pyproject.toml [tool.pycontainer] workdir`; the flag when none did.
    pub fn origin(&self, flag: &str, has: fn(&Settings) -> bool) -> String {
        let key = key_of_flag(flag);
        if has(&self.flags) {
            flag.to_owned()
        } else if has(&self.env) {
            env_var(key)
        } else if has(&self.file) {
            format!(
                "{} [build] {key}",
                self.file_path.as_deref().unwrap_or("pycontainer.toml")
            )
        } else if has(&self.tool) {
            format!("pyproject.toml [tool.pycontainer] {key}")
        } else {
            flag.to_owned()
        }
    }
}
