//! setup.cfg's INI subset, as setuptools documents it for declarative
//! configuration: sections, `key = value`, indented continuation lines and
//! `#`/`;` comments. What the keys mean is the reader's business.

/// A line Python's configparser refuses (and so setuptools): `line` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct SetupCfgError {
    pub line: usize,
    pub message: &'static str,
}

/// (section, key, value) triples in file order: sections lowercased, keys
/// lowercased with `-` as `_` (setuptools accepts both), continuation lines
/// joined with `\n`. A line that is none of these is an error, as in
/// configparser: skipped, a `[metadata` missing its `]` would hide the
/// section's keys and build a project without its name or scripts.
pub fn entries(text: &str) -> Result<Vec<(String, String, String)>, SetupCfgError> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    let mut section = String::new();
    for (number, raw) in text.lines().enumerate() {
        let bad = |message| SetupCfgError {
            line: number + 1,
            message,
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if indented {
            let last = out
                .last_mut()
                .ok_or(bad("an indented line continues no key"))?;
            last.2.push('\n');
            last.2.push_str(trimmed);
        } else if let Some(name) = trimmed.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or(bad("a section header without its closing ]"))?;
            section = name.trim().to_ascii_lowercase();
        } else if section.is_empty() {
            return Err(bad("a key before the first [section] header"));
        } else if let Some((k, v)) = trimmed.split_once(['=', ':']) {
            out.push((
                section.clone(),
                k.trim().to_ascii_lowercase().replace('-', "_"),
                v.trim().to_owned(),
            ));
        } else {
            return Err(bad("neither a [section], a `key = value` nor a comment"));
        }
    }
    Ok(out)
}

/// A multi-line value's non-empty lines, trimmed.
pub fn lines(value: &str) -> Vec<String> {
    value
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
