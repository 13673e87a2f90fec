//! The small grammars settings are written in: ports, commands (a JSON
//! array or shell words), env files, and the nearest key to a typo.

use std::collections::BTreeMap;

use super::ConfigError;

/// `8000`, `8000/tcp` or `53/udp`, normalised to `N/proto`.
/// `NAME`, `UID`, `UID:GID` or `NAME:GROUP`, as the config's `User` takes
/// it: names as POSIX portable ones (letters, digits, `.`, `_`, `-`, not
/// starting with `-`), numbers up to 2^32 - 1, at most one `:`.
pub fn user(value: &str) -> Result<(), String> {
    let part = |p: &str| {
        let numeric = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if numeric {
            return p.parse::<u32>().is_ok();
        }
        !p.is_empty()
            && !p.starts_with('-')
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    let parts: Vec<&str> = value.split(':').collect();
    if parts.len() > 2 || !parts.iter().all(|p| part(p)) {
        return Err("is not NAME, UID, UID:GID or NAME:GROUP (names of letters, digits, '.', '_' and '-'; ids up to 4294967295)".to_owned());
    }
    Ok(())
}

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
pub(super) fn parse_command(text: &str) -> Result<Vec<String>, String> {
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(text).map_err(|e| format!("not a JSON array of strings: {e}"));
    }
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    split_words(text)
}

/// An empty entrypoint runs nothing; an empty cmd is how one says "no arguments".
pub(super) fn check_command(key: &str, words: Vec<String>) -> Result<Vec<String>, String> {
    if words.is_empty() && key == "entrypoint" {
        return Err("the entrypoint is empty".to_owned());
    }
    Ok(words)
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
pub(super) fn closest<'a>(key: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let normal = key.to_ascii_lowercase().replace('_', "-");
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
