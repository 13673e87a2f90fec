//! The layers of settings, highest first, kept apart after merging so that
//! a rule can say which source set a value.

use toml::Table;

use super::schema::Settings;
use super::table::from_config_file;
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
    pub tool: Settings,
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
                from_config_file(path, &String::from_utf8_lossy(&text))?.relative_to(dir)
            }
            None => Settings::default(),
        };
        let tool = match tool {
            Some(t) => {
                Settings::from_table("pyproject.toml [tool.pycontainer]", t)?.relative_to(context)
            }
            None => Settings::default(),
        };
        Ok(Layers {
            flags,
            env,
            file,
            file_path,
            tool,
        })
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
        // Repeatable flags are singular and their keys plural: `--tag` is `tags`.
        let key = super::schema::KEYS
            .iter()
            .find(|k| super::table::flag(k) == flag)
            .copied()
            .unwrap_or_else(|| flag.trim_start_matches('-'));
        if has(&self.flags) {
            flag.to_owned()
        } else if has(&self.env) {
            format!("PYCONTAINER_{}", key.to_ascii_uppercase().replace('-', "_"))
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
