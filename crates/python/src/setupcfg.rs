//! setup.cfg's INI subset, as setuptools documents it for declarative
//! configuration: sections, `key = value`, indented continuation lines and
//! `#`/`;` comments. What the keys mean is the reader's business.

/// (section, key, value) triples in file order: sections lowercased, keys
/// lowercased with `-` as `_` (setuptools accepts both), continuation lines
/// joined with `\n`.
pub fn entries(text: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    let mut section = String::new();
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if indented {
            if let Some(last) = out.last_mut() {
                last.2.push('\n');
                last.2.push_str(trimmed);
            }
        } else if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = name.trim().to_ascii_lowercase();
        } else if let Some((k, v)) = trimmed.split_once(['=', ':']) {
            out.push((
                section.clone(),
                k.trim().to_ascii_lowercase().replace('-', "_"),
                v.trim().to_owned(),
            ));
        }
    }
    out
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
