//! Settings from a table of the schema's keys: a config file's, the
//! environment's (`PYCONTAINER_*`, read into one), or the flags'.

use std::collections::BTreeMap;

use pycontainer_pypi::index::check_index_url;
use toml::{Table, Value};

use super::runtime::{RuntimeSettings, RuntimeTable};
use super::schema::{env_var, flag, Settings, KEYS};
use super::words::{check_command, closest, parse_command, port, user};
use super::ConfigError;
use crate::host::Host;

impl Settings {
    /// Reads a `[build]` or `[tool.pycontainer]` table; `file` names it in errors.
    pub fn from_table(file: &str, table: &Table) -> Result<Self, ConfigError> {
        Settings::read(Origin::File(file), table)
    }

    /// Reads the flags (or JS API options), given as a table of the same
    /// keys: repeated flags as arrays, `KEY=VALUE` ones as arrays of those.
    /// Errors name the flag and its value as the user gave them.
    pub fn from_flags(table: &Table) -> Result<Self, ConfigError> {
        Settings::read(Origin::Flags, table)
    }

    fn read(origin: Origin<'_>, table: &Table) -> Result<Self, ConfigError> {
        let mut s = Settings::default();
        for (key, value) in table {
            let f = Field { origin, key, value };
            f.characters(value, false)?;
            match key.as_str() {
                "base-image" => s.base_image = Some(f.string()?),
                "python" => s.python = Some(f.string()?),
                "ignore-requires-python" => s.ignore_requires_python = Some(f.boolean()?),
                "platform" => s.platform = Some(f.string()?),
                "workdir" => s.workdir = Some(f.string()?),
                "output" => s.output = Some(f.string()?),
                "format" => s.format = Some(f.string()?),
                "tags" => s.tags = Some(f.strings()?),
                "env" => s.env = f.map()?,
                "env-file" => s.env_file = Some(f.string()?),
                "labels" => s.labels = f.map()?,
                "annotations" => s.annotations = f.map()?,
                "ports" => s.ports = Some(f.ports()?),
                "user" => s.user = Some(f.user()?),
                "entrypoint" => s.entrypoint = Some(f.command()?),
                "cmd" => s.cmd = Some(f.command()?),
                "script" => s.script = Some(f.string()?),
                "include" => s.include = f.strings()?,
                "exclude" => s.exclude = f.strings()?,
                "writable" => s.writable = f.strings()?,
                "include-deps" => s.deps.include = Some(f.boolean()?),
                "requirements" => s.deps.requirements = Some(f.string()?),
                "extras" => s.deps.extras = Some(f.strings()?),
                "groups" => s.deps.groups = Some(f.strings()?),
                "index-url" => s.deps.index_url = Some(f.url(&f.string()?)?),
                "extra-index-urls" => {
                    let urls = f.strings()?;
                    for url in &urls {
                        f.url(url)?;
                    }
                    s.deps.extra_index_urls = Some(urls);
                }
                "pre" => s.deps.pre = Some(f.boolean()?),
                "compile" => s.deps.compile = Some(f.boolean()?),
                _ => {
                    return Err(ConfigError::UnknownKey {
                        file: origin.name().to_owned(),
                        key: key.clone(),
                        suggestion: closest(key, KEYS).map(str::to_owned),
                    })
                }
            }
        }
        Ok(s)
    }

    /// Reads `PYCONTAINER_<KEY>` variables, the key upper-cased with `_` for `-`.
    /// Lists are comma-separated; maps are not settable this way (use a file).
    pub fn from_env<H: Host>(host: &H) -> Result<Self, ConfigError> {
        let mut table = Table::new();
        for key in KEYS {
            if matches!(*key, "env" | "labels" | "annotations") {
                continue;
            }
            let var = env_var(key);
            let Some(raw) = host.env(&var).filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            let value = match *key {
                "tags" | "include" | "exclude" | "writable" | "extras" | "groups"
                | "extra-index-urls" => Value::Array(
                    raw.split(',')
                        .map(|p| Value::String(p.trim().to_owned()))
                        .filter(|v| v.as_str() != Some(""))
                        .collect(),
                ),
                "ports" => Value::Array(
                    raw.split(',')
                        .map(|p| Value::String(p.trim().to_owned()))
                        .collect(),
                ),
                _ => Value::String(raw),
            };
            table.insert((*key).to_owned(), value);
        }
        Settings::read(Origin::Env, &table)
    }
}

/// Where a table of settings came from, which decides how its errors name a setting.
#[derive(Clone, Copy)]
enum Origin<'a> {
    /// A config file's table, or the environment read as one: `file: \`key\``.
    File(&'a str),
    /// The `PYCONTAINER_*` variables, read as one table: each error
    /// names its own variable (`PYCONTAINER_TAGS`), not the flag.
    Env,
    /// The flags: `--flag "value"`.
    Flags,
}

impl Origin<'_> {
    fn name(&self) -> &str {
        match self {
            Origin::File(file) => file,
            Origin::Env => "environment (PYCONTAINER_*)",
            Origin::Flags => "flags",
        }
    }
}

struct Field<'a> {
    origin: Origin<'a>,
    key: &'a str,
    value: &'a Value,
}

impl Field<'_> {
    fn wrong(&self, expected: &'static str) -> ConfigError {
        match self.origin {
            Origin::File(file) => ConfigError::WrongType {
                file: file.to_owned(),
                key: self.key.to_owned(),
                expected,
                found: self.value.type_str().to_owned(),
            },
            Origin::Env | Origin::Flags => self.invalid(
                Some(self.value.as_str().unwrap_or(self.value.type_str())),
                format!("must be {expected}"),
            ),
        }
    }

    /// `value` is the part of the setting at fault (for a list, one item),
    /// or `None` when it must not be shown.
    fn invalid(&self, value: Option<&str>, message: String) -> ConfigError {
        match self.origin {
            Origin::File(file) => ConfigError::Invalid {
                file: file.to_owned(),
                key: self.key.to_owned(),
                message,
            },
            Origin::Env => ConfigError::Variable {
                var: env_var(self.key),
                value: value.map(str::to_owned),
                message,
            },
            Origin::Flags => ConfigError::flag(&flag(self.key), value, message),
        }
    }

    /// Refuses a NUL anywhere in the value: no C string (an argv word, a
    /// path, an env entry) can carry one. A line break would split a tag, a
    /// path, a user or a key in two, so it is refused too, except in the
    /// free text: env, label and annotation values, which OCI lets be any
    /// string and programs read multi-line (a PEM certificate in a
    /// variable), and the words of entrypoint and cmd, which are argv.
    /// `in_value` is set below a map's key.
    fn characters(&self, value: &Value, in_value: bool) -> Result<(), ConfigError> {
        let map = matches!(self.key, "env" | "labels" | "annotations");
        let words = matches!(self.key, "entrypoint" | "cmd");
        let check = |text: &str, lines_ok: bool| {
            if text.contains('\0') {
                Err(self.invalid(None, "must not hold a NUL character".to_owned()))
            } else if text.contains(['\n', '\r']) && !lines_ok {
                Err(self.invalid(None, "must not hold a line break".to_owned()))
            } else {
                Ok(())
            }
        };
        match value {
            // A flag gives a map entry as `KEY=VALUE`: the key part is a key.
            Value::String(s) if map && !in_value => match s.split_once('=') {
                Some((k, v)) => check(k, false).and(check(v, true)),
                None => check(s, false),
            },
            Value::String(s) => check(s, in_value || words),
            Value::Array(items) => items.iter().try_for_each(|v| self.characters(v, in_value)),
            Value::Table(t) => t
                .iter()
                .try_for_each(|(k, v)| check(k, false).and(self.characters(v, map))),
            _ => Ok(()),
        }
    }

    fn string(&self) -> Result<String, ConfigError> {
        self.value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| self.wrong("a string"))
    }

    /// A boolean, or its spelling in an environment variable.
    fn boolean(&self) -> Result<bool, ConfigError> {
        match self.value {
            Value::Boolean(b) => Ok(*b),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" => Ok(false),
                _ => Err(self.wrong("true or false")),
            },
            _ => Err(self.wrong("true or false")),
        }
    }

    fn strings(&self) -> Result<Vec<String>, ConfigError> {
        let arr = self
            .value
            .as_array()
            .ok_or_else(|| self.wrong("an array of strings"))?;
        arr.iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| self.wrong("an array of strings"))
            })
            .collect()
    }

    fn map(&self) -> Result<BTreeMap<String, String>, ConfigError> {
        if let Origin::Flags = self.origin {
            return self.pairs();
        }
        let t = self
            .value
            .as_table()
            .ok_or_else(|| self.wrong("a table of strings"))?;
        t.iter()
            .map(|(k, v)| {
                // Only the keys the flags' KEY=VALUE can give: in the image's
                // `Env`, `"A=B" = "1"` would silently be A set to `B=1`.
                if k.trim().is_empty() || k.contains('=') {
                    return Err(self.invalid(
                        Some(k),
                        format!("{k:?}: a KEY must be non-empty and hold no '='"),
                    ));
                }
                match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    // Numbers and booleans are what people write for env values.
                    Value::Integer(i) => Ok((k.clone(), i.to_string())),
                    Value::Boolean(b) => Ok((k.clone(), b.to_string())),
                    _ => Err(self.wrong("a table of strings")),
                }
            })
            .collect()
    }

    /// `KEY=VALUE` items, as flags give a map; the value may be empty.
    fn pairs(&self) -> Result<BTreeMap<String, String>, ConfigError> {
        self.strings()?
            .iter()
            .map(|v| match v.split_once('=') {
                Some((k, val)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), val.to_owned())),
                _ => Err(self.invalid(Some(v), "needs KEY=VALUE with a non-empty KEY".to_owned())),
            })
            .collect()
    }

    fn ports(&self) -> Result<Vec<String>, ConfigError> {
        let arr = self
            .value
            .as_array()
            .ok_or_else(|| self.wrong("an array of port numbers"))?;
        arr.iter()
            .map(|v| match v {
                Value::Integer(i) => {
                    let text = i.to_string();
                    port(&text).map_err(|m| self.invalid(Some(&text), m))
                }
                Value::String(s) => port(s).map_err(|m| self.invalid(Some(s), m)),
                _ => Err(self.wrong("an array of port numbers")),
            })
            .collect()
    }

    /// A package index URL, checked here so that a typo fails before any
    /// download. The URL is not repeated: its userinfo may be a token.
    fn url(&self, url: &str) -> Result<String, ConfigError> {
        check_index_url(url).map_err(|problem| self.invalid(None, problem.to_owned()))?;
        Ok(url.to_owned())
    }

    fn user(&self) -> Result<String, ConfigError> {
        match self.value {
            Value::Integer(i) if *i >= 0 && *i <= i64::from(u32::MAX) => Ok(i.to_string()),
            Value::String(s) if !s.trim().is_empty() => {
                let text = s.trim();
                user(text).map_err(|m| self.invalid(Some(text), m))?;
                Ok(text.to_owned())
            }
            _ => Err(self.wrong("a user name or uid[:gid]")),
        }
    }

    /// An array of words, or a string (JSON array or shell words).
    fn command(&self) -> Result<Vec<String>, ConfigError> {
        let text = self.value.as_str().unwrap_or_default();
        let words = match self.value {
            Value::String(s) => parse_command(s).map_err(|m| self.invalid(Some(text), m))?,
            Value::Array(_) => self.strings()?,
            _ => return Err(self.wrong("a string or an array of strings")),
        };
        check_command(self.key, words).map_err(|m| self.invalid(Some(text), m))
    }
}

/// A pycontainer.toml: `[build]`, the image, and `[runtime]`, how `deploy` runs it.
#[derive(Debug, Default)]
pub struct ConfigFile {
    pub build: Settings,
    pub runtime: Option<RuntimeTable>,
}

/// Reads a pycontainer.toml's `[build]`.
pub fn from_config_file(file: &str, text: &str) -> Result<Settings, ConfigError> {
    read_config_file(file, text).map(|c| c.build)
}

/// Reads a pycontainer.toml: both tables, each checked, whichever command reads it.
pub fn read_config_file(file: &str, text: &str) -> Result<ConfigFile, ConfigError> {
    let doc: Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Invalid {
            file: file.to_owned(),
            key: "(syntax)".to_owned(),
            message: e.to_string().trim().to_owned(),
        })?;
    const TABLES: &[&str] = &["build", "runtime"];
    for (key, value) in &doc {
        if !TABLES.contains(&key.as_str()) {
            let suggestion = if value.is_table() {
                closest(key, TABLES)
            } else {
                closest(key, KEYS).map(|_| "[build]")
            };
            return Err(ConfigError::UnknownKey {
                file: file.to_owned(),
                key: key.clone(),
                suggestion: suggestion.map(str::to_owned),
            });
        }
    }
    let table = |key: &str| match doc.get(key) {
        None => Ok(None),
        Some(Value::Table(t)) => Ok(Some((format!("{file} [{key}]"), t))),
        Some(other) => Err(ConfigError::WrongType {
            file: file.to_owned(),
            key: key.to_owned(),
            expected: "a table",
            found: other.type_str().to_owned(),
        }),
    };
    let build = match table("build")? {
        None => Settings::default(),
        Some((name, t)) => Settings::from_table(&name, t)?,
    };
    let runtime = match table("runtime")? {
        None => None,
        Some((name, t)) => Some(RuntimeTable {
            settings: RuntimeSettings::from_table(&name, t)?,
            file: name,
        }),
    };
    Ok(ConfigFile { build, runtime })
}

impl Settings {
    /// Makes relative file paths (output, env-file, an `oci:` base) relative to `dir`.
    pub(super) fn relative_to(mut self, dir: &str) -> Self {
        let dir = dir.trim_end_matches('/');
        let fix = |p: &mut Option<String>| {
            if let Some(path) = p {
                if !path.starts_with('/') {
                    *path = format!("{dir}/{path}");
                }
            }
        };
        fix(&mut self.output);
        fix(&mut self.env_file);
        if let Some(layout) = self
            .base_image
            .as_deref()
            .and_then(|b| b.strip_prefix("oci:"))
        {
            if !layout.starts_with('/') {
                self.base_image = Some(format!("oci:{dir}/{layout}"));
            }
        }
        self
    }
}
