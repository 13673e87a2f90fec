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
    pub ports: Option<Vec<u16>>,
    pub user: Option<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub script: Option<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
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
                "tags" | "include" | "exclude" => Value::Array(
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

    fn ports(&self) -> Result<Vec<u16>, ConfigError> {
        let arr = self
            .value
            .as_array()
            .ok_or_else(|| self.wrong("an array of port numbers"))?;
        arr.iter()
            .map(|v| {
                let n = match v {
                    Value::Integer(i) => *i,
                    Value::String(s) => s
                        .trim()
                        .trim_end_matches("/tcp")
                        .parse()
                        .map_err(|_| self.invalid(format!("{s:?} is not a port number")))?,
                    _ => return Err(self.wrong("an array of port numbers")),
                };
                u16::try_from(n)
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| self.invalid(format!("port {n} is out of range (1-65535)")))
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

    /// An array of words, or a string split like a shell would.
    fn command(&self) -> Result<Vec<String>, ConfigError> {
        match self.value {
            Value::String(s) => split_words(s).map_err(|m| self.invalid(m)),
            Value::Array(_) => self.strings(),
            _ => Err(self.wrong("a string or an array of strings")),
        }
    }
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
    if words.is_empty() {
        return Err("the command is empty".to_owned());
    }
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
        assert_eq!(s.ports, Some(vec![8000, 9000]));
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
        assert!(split_words("   ").is_err());
    }
}
