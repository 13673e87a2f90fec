//! Build settings from every source, merged by precedence: flags > `PYCONTAINER_*` > pycontainer.toml > `[tool.pycontainer]`.
//!
//! One schema serves both files. Scalars and whole lists come from the
//! highest source that sets them; maps (env, labels, annotations) merge key
//! by key; include and exclude patterns add up, the higher source last so
//! that it has the final word under last-match-wins.

use std::collections::BTreeMap;

use toml::{Table, Value};

use crate::host::Host;

/// Where a setting came from, for messages and `--dry-run`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Origin(pub String);

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
    #[error("{flag} {value:?}: {message}")]
    Flag {
        flag: &'static str,
        value: String,
        message: String,
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
            _ => "config",
        }
    }
}

/// One source's settings; `None` or empty where it says nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub base_image: Option<String>,
    pub python: Option<String>,
    pub platform: Option<String>,
    pub workdir: Option<String>,
    pub output: Option<String>,
    pub tags: Option<Vec<String>>,
    pub env: BTreeMap<String, String>,
    pub env_file: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// `N/tcp` or `N/udp`, as ExposedPorts writes them.
    pub ports: Option<Vec<String>>,
    pub user: Option<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub script: Option<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub deps: DepsSettings,
}

/// How dependencies are chosen and where they come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DepsSettings {
    /// `include-deps`: install them (the default when there are any) or not.
    pub include: Option<bool>,
    /// The lock or requirements file to install from, instead of the one found.
    pub requirements: Option<String>,
    pub extras: Option<Vec<String>>,
    pub groups: Option<Vec<String>>,
    pub index_url: Option<String>,
    pub extra_index_urls: Option<Vec<String>>,
    /// Allow pre-releases when resolving.
    pub pre: Option<bool>,
}

impl DepsSettings {
    fn over(self, lower: DepsSettings) -> DepsSettings {
        DepsSettings {
            include: self.include.or(lower.include),
            requirements: self.requirements.or(lower.requirements),
            extras: self.extras.or(lower.extras),
            groups: self.groups.or(lower.groups),
            index_url: self.index_url.or(lower.index_url),
            extra_index_urls: self.extra_index_urls.or(lower.extra_index_urls),
            pre: self.pre.or(lower.pre),
        }
    }
}

/// Every key of the schema, as written in the files.
pub const KEYS: &[&str] = &[
    "base-image",
    "python",
    "platform",
    "workdir",
    "output",
    "tags",
    "env",
    "env-file",
    "labels",
    "annotations",
    "ports",
    "user",
    "entrypoint",
    "cmd",
    "script",
    "include",
    "exclude",
    "include-deps",
    "requirements",
    "extras",
    "groups",
    "index-url",
    "extra-index-urls",
    "pre",
];

impl Settings {
    /// Reads a `[build]` or `[tool.pycontainer]` table; `file` names it in errors.
    pub fn from_table(file: &str, table: &Table) -> Result<Self, ConfigError> {
        let mut s = Settings::default();
        for (key, value) in table {
            let f = Field { file, key, value };
            match key.as_str() {
                "base-image" => s.base_image = Some(f.string()?),
                "python" => s.python = Some(f.string()?),
                "platform" => s.platform = Some(f.string()?),
                "workdir" => s.workdir = Some(f.string()?),
                "output" => s.output = Some(f.string()?),
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
                "include-deps" => s.deps.include = Some(f.boolean()?),
                "requirements" => s.deps.requirements = Some(f.string()?),
                "extras" => s.deps.extras = Some(f.strings()?),
                "groups" => s.deps.groups = Some(f.strings()?),
                "index-url" => s.deps.index_url = Some(f.string()?),
                "extra-index-urls" => s.deps.extra_index_urls = Some(f.strings()?),
                "pre" => s.deps.pre = Some(f.boolean()?),
                _ => {
                    return Err(ConfigError::UnknownKey {
                        file: file.to_owned(),
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
            let var = format!("PYCONTAINER_{}", key.to_uppercase().replace('-', "_"));
            let Some(raw) = host.env(&var).filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            let value = match *key {
                "tags" | "include" | "exclude" | "extras" | "groups" | "extra-index-urls" => {
                    Value::Array(
                        raw.split(',')
                            .map(|p| Value::String(p.trim().to_owned()))
                            .filter(|v| v.as_str() != Some(""))
                            .collect(),
                    )
                }
                "ports" => Value::Array(
                    raw.split(',')
                        .map(|p| Value::String(p.trim().to_owned()))
                        .collect(),
                ),
                _ => Value::String(raw),
            };
            table.insert((*key).to_owned(), value);
        }
        Settings::from_table("environment (PYCONTAINER_*)", &table)
    }

    /// `self` over `lower`: this source's values win where it has any.
    pub fn over(self, lower: Settings) -> Settings {
        let merge = |mut low: BTreeMap<String, String>, high: BTreeMap<String, String>| {
            low.extend(high);
            low
        };
        let concat = |mut low: Vec<String>, high: Vec<String>| {
            low.extend(high);
            low
        };
        Settings {
            base_image: self.base_image.or(lower.base_image),
            python: self.python.or(lower.python),
            platform: self.platform.or(lower.platform),
            workdir: self.workdir.or(lower.workdir),
            output: self.output.or(lower.output),
            tags: self.tags.or(lower.tags),
            env: merge(lower.env, self.env),
            env_file: self.env_file.or(lower.env_file),
            labels: merge(lower.labels, self.labels),
            annotations: merge(lower.annotations, self.annotations),
            ports: self.ports.or(lower.ports),
            user: self.user.or(lower.user),
            entrypoint: self.entrypoint.or(lower.entrypoint),
            cmd: self.cmd.or(lower.cmd),
            script: self.script.or(lower.script),
            include: concat(lower.include, self.include),
            exclude: concat(lower.exclude, self.exclude),
            deps: self.deps.over(lower.deps),
        }
    }
}

struct Field<'a> {
    file: &'a str,
    key: &'a str,
    value: &'a Value,
}

impl Field<'_> {
    fn wrong(&self, expected: &'static str) -> ConfigError {
        ConfigError::WrongType {
            file: self.file.to_owned(),
            key: self.key.to_owned(),
            expected,
            found: self.value.type_str().to_owned(),
        }
    }

    fn invalid(&self, message: String) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_owned(),
            key: self.key.to_owned(),
            message,
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
        let t = self
            .value
            .as_table()
            .ok_or_else(|| self.wrong("a table of strings"))?;
        t.iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                // Numbers and booleans are what people write for env values.
                Value::Integer(i) => Ok((k.clone(), i.to_string())),
                Value::Boolean(b) => Ok((k.clone(), b.to_string())),
                _ => Err(self.wrong("a table of strings")),
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
                Value::Integer(i) => port(&i.to_string()).map_err(|m| self.invalid(m)),
                Value::String(s) => port(s).map_err(|m| self.invalid(m)),
                _ => Err(self.wrong("an array of port numbers")),
            })
            .collect()
    }

    fn user(&self) -> Result<String, ConfigError> {
        match self.value {
            Value::Integer(i) if *i >= 0 => Ok(i.to_string()),
            Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            _ => Err(self.wrong("a user name or uid[:gid]")),
        }
    }

    /// An array of words, or a string (JSON array or shell words).
    fn command(&self) -> Result<Vec<String>, ConfigError> {
        let words = match self.value {
            Value::String(s) => parse_command(s).map_err(|m| self.invalid(m))?,
            Value::Array(_) => self.strings()?,
            _ => return Err(self.wrong("a string or an array of strings")),
        };
        check_command(self.key, words).map_err(|m| self.invalid(m))
    }
}

/// The settings given as flags (or JS API options); unset flags say nothing.
pub struct Flags<'a> {
    pub tags: &'a [String],
    pub base_image: Option<&'a str>,
    pub python: Option<&'a str>,
    pub platform: Option<&'a str>,
    pub workdir: Option<&'a str>,
    pub output: Option<&'a str>,
    pub env: &'a [String],
    pub env_file: Option<&'a str>,
    pub labels: &'a [String],
    pub annotations: &'a [String],
    pub ports: &'a [String],
    pub user: Option<&'a str>,
    pub entrypoint: Option<&'a str>,
    pub cmd: Option<&'a str>,
    pub script: Option<&'a str>,
    pub include: &'a [String],
    pub exclude: &'a [String],
    /// `--include-deps` (true) or `--no-deps` (false).
    pub include_deps: Option<bool>,
    pub requirements: Option<&'a str>,
    pub extras: &'a [String],
    pub groups: &'a [String],
    pub index_url: Option<&'a str>,
    pub extra_index_urls: &'a [String],
    pub pre: Option<bool>,
}

impl Flags<'_> {
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let own = |v: Option<&str>| v.map(str::to_owned);
        Ok(Settings {
            base_image: own(self.base_image),
            python: own(self.python),
            platform: own(self.platform),
            workdir: own(self.workdir),
            output: own(self.output),
            tags: list(self.tags),
            env: pairs("--env", self.env)?,
            env_file: own(self.env_file),
            labels: pairs("--label", self.labels)?,
            annotations: pairs("--annotation", self.annotations)?,
            ports: if self.ports.is_empty() {
                None
            } else {
                Some(
                    self.ports
                        .iter()
                        .map(|p| {
                            port(p).map_err(|message| ConfigError::Flag {
                                flag: "--port",
                                value: p.clone(),
                                message,
                            })
                        })
                        .collect::<Result<_, _>>()?,
                )
            },
            user: own(self.user),
            entrypoint: self
                .entrypoint
                .map(|v| command("--entrypoint", v))
                .transpose()?,
            cmd: self.cmd.map(|v| command("--cmd", v)).transpose()?,
            script: own(self.script),
            include: self.include.to_vec(),
            exclude: self.exclude.to_vec(),
            deps: DepsSettings {
                include: self.include_deps,
                requirements: own(self.requirements),
                extras: list(self.extras),
                groups: list(self.groups),
                index_url: own(self.index_url),
                extra_index_urls: list(self.extra_index_urls),
                pre: self.pre,
            },
        })
    }
}

/// A repeatable flag: given at least once, it replaces the files' list.
fn list(values: &[String]) -> Option<Vec<String>> {
    (!values.is_empty()).then(|| values.to_vec())
}

fn pairs(flag: &'static str, values: &[String]) -> Result<BTreeMap<String, String>, ConfigError> {
    values
        .iter()
        .map(|v| match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), val.to_owned())),
            _ => Err(ConfigError::Flag {
                flag,
                value: v.clone(),
                message: "expected KEY=VALUE".to_owned(),
            }),
        })
        .collect()
}

/// `8000`, `8000/tcp` or `53/udp`, normalised to `N/proto`.
pub fn port(value: &str) -> Result<String, String> {
    let (number, proto) = value
        .trim()
        .split_once('/')
        .unwrap_or((value.trim(), "tcp"));
    if !matches!(proto, "tcp" | "udp") {
        return Err(format!("unknown protocol {proto:?}; use tcp or udp"));
    }
    let n: u32 = number
        .parse()
        .map_err(|_| format!("{value:?} is not a port number such as 8000"))?;
    match u16::try_from(n) {
        Ok(p) if p > 0 => Ok(format!("{p}/{proto}")),
        _ => Err(format!("port {n} is out of range (1-65535)")),
    }
}

/// A command from text: a JSON array of words, or words split like a
/// shell would. Every source reads it this way, so a value means the same
/// whether it comes from a flag, a variable or a file.
fn parse_command(text: &str) -> Result<Vec<String>, String> {
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(text).map_err(|e| format!("not a JSON array of strings: {e}"));
    }
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    split_words(text)
}

/// An empty entrypoint runs nothing; an empty cmd is how one says "no arguments".
fn check_command(key: &str, words: Vec<String>) -> Result<Vec<String>, String> {
    if words.is_empty() && key == "entrypoint" {
        return Err("the entrypoint is empty".to_owned());
    }
    Ok(words)
}

fn command(flag: &'static str, value: &str) -> Result<Vec<String>, ConfigError> {
    parse_command(value)
        .and_then(|w| check_command(flag.trim_start_matches('-'), w))
        .map_err(|message| ConfigError::Flag {
            flag,
            value: value.to_owned(),
            message,
        })
}

/// Reads a pycontainer.toml: everything lives under `[build]`.
pub fn from_config_file(file: &str, text: &str) -> Result<Settings, ConfigError> {
    let doc: Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Invalid {
            file: file.to_owned(),
            key: "(syntax)".to_owned(),
            message: e.to_string().trim().to_owned(),
        })?;
    for (key, value) in &doc {
        if key != "build" {
            let suggestion = if value.is_table() {
                closest(key, &["build"])
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
    match doc.get("build") {
        None => Ok(Settings::default()),
        Some(Value::Table(t)) => Settings::from_table(&format!("{file} [build]"), t),
        Some(other) => Err(ConfigError::WrongType {
            file: file.to_owned(),
            key: "build".to_owned(),
            expected: "a table",
            found: other.type_str().to_owned(),
        }),
    }
}

/// Parses an env file: `KEY=VALUE` lines, `#` comments, an optional
/// `export `, and single or double quotes around the value.
pub fn parse_env_file(file: &str, text: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut out = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let bad = |message: &str| ConfigError::EnvFile {
            file: file.to_owned(),
            line: i + 1,
            message: message.to_owned(),
        };
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| bad("expected KEY=VALUE"))?;
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad("a variable name holds only letters, digits and '_'"));
        }
        let value = value.trim();
        let unquoted = match (value.chars().next(), value.chars().last()) {
            (Some(q @ ('"' | '\'')), Some(e)) if value.len() >= 2 && q == e => {
                &value[1..value.len() - 1]
            }
            _ => value,
        };
        out.insert(key.to_owned(), unquoted.to_owned());
    }
    Ok(out)
}

/// Splits a command line into words with POSIX-shell quoting (no expansion).
pub fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => w.push(ch),
                        None => return Err(format!("unterminated ' in {s:?}")),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => w.push(ch),
                            Some(ch) => {
                                w.push('\\');
                                w.push(ch);
                            }
                            None => return Err(format!("unterminated \" in {s:?}")),
                        },
                        Some(ch) => w.push(ch),
                        None => return Err(format!("unterminated \" in {s:?}")),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(ch) => word.get_or_insert_with(String::new).push(ch),
                None => return Err(format!("trailing \\ in {s:?}")),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// The candidate nearest to `key` by edit distance, if it is near enough to be a typo.
pub fn closest<'a>(key: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let normal = key.to_lowercase().replace('_', "-");
    candidates
        .iter()
        .map(|c| (edit_distance(&normal, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NativeHost;

    fn table(text: &str) -> Table {
        text.parse().unwrap_or_default()
    }

    #[test]
    fn reads_every_key() {
        let s = Settings::from_table(
            "f",
            &table(
                r#"base-image = "b"
python = "3.12"
tags = ["a:1"]
env = { A = "1", N = 2 }
ports = [8000, "9000/tcp"]
user = 1000
entrypoint = "python -m 'my app'"
cmd = ["--x"]
exclude = ["docs"]"#,
            ),
        );
        let s = s.unwrap_or_default();
        assert_eq!(s.base_image.as_deref(), Some("b"));
        assert_eq!(s.env.get("N").map(String::as_str), Some("2"));
        assert_eq!(s.ports, Some(vec!["8000/tcp".into(), "9000/tcp".into()]));
        assert_eq!(s.user.as_deref(), Some("1000"));
        assert_eq!(
            s.entrypoint,
            Some(vec!["python".into(), "-m".into(), "my app".into()])
        );
    }

    #[test]
    fn unknown_keys_get_a_suggestion_and_wrong_types_a_clear_word() {
        let e = Settings::from_table("pycontainer.toml", &table("base_image = 'x'"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            e,
            "pycontainer.toml: unknown key `base_image` (did you mean `base-image`?)"
        );
        let e = Settings::from_table("p", &table("entrypont = 'x'"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("did you mean `entrypoint`"), "{e}");
        let e = Settings::from_table("p", &table("zzzzzz = 1"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(!e.contains("did you mean"), "{e}");
        let e = Settings::from_table("p", &table("tags = 'a:1'"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(e, "p: `tags` must be an array of strings, found string");
        let e = Settings::from_table("p", &table("ports = [70000]"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("out of range"), "{e}");
    }

    #[test]
    fn higher_sources_win_and_maps_merge() {
        let low = Settings {
            python: Some("3.11".into()),
            workdir: Some("/srv".into()),
            env: BTreeMap::from([("A".into(), "low".into()), ("B".into(), "low".into())]),
            exclude: vec!["a".into()],
            ..Settings::default()
        };
        let high = Settings {
            python: Some("3.12".into()),
            env: BTreeMap::from([("A".into(), "high".into())]),
            exclude: vec!["b".into()],
            ..Settings::default()
        };
        let s = high.over(low);
        assert_eq!(s.python.as_deref(), Some("3.12"));
        assert_eq!(
            s.workdir.as_deref(),
            Some("/srv"),
            "an unset value never clobbers a lower one"
        );
        assert_eq!(s.env.get("A").map(String::as_str), Some("high"));
        assert_eq!(s.env.get("B").map(String::as_str), Some("low"));
        assert_eq!(s.exclude, vec!["a", "b"]);
    }

    #[test]
    fn environment_variables_use_the_same_schema() {
        let host = NativeHost::with_env(&[
            ("PYCONTAINER_BASE_IMAGE", "oci:/b"),
            ("PYCONTAINER_TAGS", "a:1, a:2"),
            ("PYCONTAINER_PORTS", "80,x"),
        ]);
        let e = Settings::from_env(&host)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("PYCONTAINER") && e.contains("ports") && e.contains("\"x\""),
            "{e}"
        );
        let host = NativeHost::with_env(&[
            ("PYCONTAINER_BASE_IMAGE", "oci:/b"),
            ("PYCONTAINER_TAGS", "a:1, a:2"),
        ]);
        let s = Settings::from_env(&host).unwrap_or_default();
        assert_eq!(s.base_image.as_deref(), Some("oci:/b"));
        assert_eq!(s.tags, Some(vec!["a:1".into(), "a:2".into()]));
    }

    #[test]
    fn dependency_settings_read_from_files_and_env_and_flags_win() {
        let table: Table = "include-deps = false\nextras = [\"standard\"]\npre = true\nindex-url = \"https://idx/simple\"\nrequirements = \"requirements/prod.txt\""
            .parse()
            .unwrap();
        let file = Settings::from_table("pycontainer.toml", &table).unwrap();
        assert_eq!(file.deps.include, Some(false));
        assert_eq!(file.deps.extras, Some(vec!["standard".to_owned()]));
        assert_eq!(
            file.deps.requirements.as_deref(),
            Some("requirements/prod.txt")
        );
        let host = NativeHost::with_env(&[
            ("PYCONTAINER_INCLUDE_DEPS", "yes"),
            (
                "PYCONTAINER_EXTRA_INDEX_URLS",
                "https://a/simple, https://b/simple",
            ),
        ]);
        let env = Settings::from_env(&host).unwrap();
        assert_eq!(env.deps.include, Some(true));
        assert_eq!(
            env.deps.extra_index_urls,
            Some(vec![
                "https://a/simple".to_owned(),
                "https://b/simple".to_owned()
            ])
        );
        let merged = env.over(file);
        assert_eq!(merged.deps.include, Some(true));
        assert_eq!(merged.deps.pre, Some(true));
        let bad: Table = "pre = \"maybe\"".parse().unwrap();
        let e = Settings::from_table("pycontainer.toml", &bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            "pycontainer.toml: `pre` must be true or false, found string"
        );
    }

    #[test]
    fn flags_are_checked_and_name_themselves() {
        let none: &[String] = &[];
        let base = Flags {
            tags: none,
            base_image: None,
            python: None,
            platform: None,
            workdir: None,
            output: None,
            env: none,
            env_file: None,
            labels: none,
            annotations: none,
            ports: none,
            user: None,
            entrypoint: None,
            cmd: None,
            script: None,
            include: none,
            exclude: none,
            include_deps: None,
            requirements: None,
            extras: none,
            groups: none,
            index_url: None,
            extra_index_urls: none,
            pre: None,
        };
        assert_eq!(
            base.settings().ok(),
            Some(Settings::default()),
            "no flags, no settings"
        );
        let env = ["FOO".to_owned()];
        let e = Flags { env: &env, ..base }
            .settings()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(e, "--env \"FOO\": expected KEY=VALUE");
        let ports = ["70000".to_owned()];
        let e = Flags {
            ports: &ports,
            ..base
        }
        .settings()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            e.starts_with("--port \"70000\"") && e.contains("65535"),
            "{e}"
        );
        let s = Flags {
            entrypoint: Some(r#"["uvicorn", "a:b"]"#),
            cmd: Some("--reload 'x y'"),
            ..base
        }
        .settings()
        .unwrap_or_default();
        assert_eq!(s.entrypoint, Some(vec!["uvicorn".into(), "a:b".into()]));
        assert_eq!(s.cmd, Some(vec!["--reload".into(), "x y".into()]));
    }

    #[test]
    fn a_config_file_keeps_settings_under_build() {
        let s = from_config_file("pycontainer.toml", "[build]\npython = \"3.12\"\n")
            .unwrap_or_default();
        assert_eq!(s.python.as_deref(), Some("3.12"));
        let e = from_config_file("pycontainer.toml", "[bulid]\npython = 1\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("`bulid`") && e.contains("did you mean `build`"),
            "{e}"
        );
        let e = from_config_file("pycontainer.toml", "python = '3.12'\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("did you mean `[build]`"), "{e}");
        let e = from_config_file("pycontainer.toml", "[build]\nports = 'x'\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("pycontainer.toml [build]") && e.contains("`ports`"),
            "{e}"
        );
    }

    #[test]
    fn env_files_read_like_dotenv() {
        let m =
            parse_env_file("e", "# c\nA=1\nexport B=\"two words\"\nC='x=y'\n").unwrap_or_default();
        assert_eq!(m.get("B").map(String::as_str), Some("two words"));
        assert_eq!(m.get("C").map(String::as_str), Some("x=y"));
        let e = parse_env_file("prod.env", "A=1\nbroken\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(e, "prod.env:2: expected KEY=VALUE");
    }

    #[test]
    fn splits_words_like_a_shell() {
        assert_eq!(
            split_words(r#"a "b c" 'd e' f\ g "h\"i""#).ok(),
            Some(vec![
                "a".into(),
                "b c".into(),
                "d e".into(),
                "f g".into(),
                "h\"i".into()
            ])
        );
        assert!(split_words("a 'b").is_err());
        assert_eq!(split_words("   ").ok(), Some(vec![]));
        let env = NativeHost::with_env(&[
            ("PYCONTAINER_ENTRYPOINT", r#"["python3", "-m", "a b"]"#),
            ("PYCONTAINER_CMD", "[]"),
        ]);
        let s = Settings::from_env(&env).unwrap_or_default();
        assert_eq!(
            s.entrypoint,
            Some(vec!["python3".into(), "-m".into(), "a b".into()]),
            "JSON from any source"
        );
        assert_eq!(s.cmd, Some(vec![]));
        let e = Settings::from_table("f", &table("entrypoint = []"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("`entrypoint`") && e.contains("empty"), "{e}");
    }
}

/// Where each layer of settings came from, highest first, for `--dry-run`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
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
        let mut add = |s: &Settings, kind: &'static str, file: Option<String>| {
            if *s != none {
                out.push(Source { kind, file });
            }
        };
        add(&self.flags, "flag", None);
        add(&self.env, "env", None);
        add(&self.file, "pycontainer.toml", self.file_path.clone());
        add(&self.tool, "pyproject", Some("pyproject.toml".to_owned()));
        out
    }

    /// Which source set a value, named for people: `--workdir`,
    /// `PYCONTAINER_WORKDIR`, `…/pycontainer.toml [build] workdir`, or
    /// `pyproject.toml [tool.pycontainer] workdir`; the flag when none did.
    pub fn origin(&self, flag: &str, has: impl Fn(&Settings) -> bool) -> String {
        let key = flag.trim_start_matches('-');
        if has(&self.flags) {
            flag.to_owned()
        } else if has(&self.env) {
            format!("PYCONTAINER_{}", key.to_uppercase().replace('-', "_"))
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

impl Settings {
    /// Makes relative file paths (output, env-file) relative to `dir`.
    fn relative_to(mut self, dir: &str) -> Self {
        let fix = |p: &mut Option<String>| {
            if let Some(path) = p {
                if !path.starts_with('/') {
                    *path = format!("{}/{path}", dir.trim_end_matches('/'));
                }
            }
        };
        fix(&mut self.output);
        fix(&mut self.env_file);
        self
    }
}
