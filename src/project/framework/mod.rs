//! Detects a Python project's web framework from its own sources and picks the command that serves it.

mod detect;
mod scan;

use std::collections::BTreeSet;

use pycontainer_python::name::normalize as normalize_name;

pub use detect::{detect, Framework, FrameworkError, Served};

/// One of the project's own Python files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceFile<'a> {
    /// Path relative to the import root, with `/` separators: `svc/main.py`.
    pub rel: &'a str,
    pub text: &'a str,
}

/// The names of the project's dependencies, normalised as PEP 503 says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deps {
    names: BTreeSet<String>,
}

impl Deps {
    /// Takes requirement strings (PEP 508, or lines of a requirements file)
    /// and keeps the names; strings that name no project are skipped.
    pub fn from_requirements<I, S>(requirements: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let names = requirements
            .into_iter()
            .filter_map(|r| requirement_name(r.as_ref()))
            .collect();
        Self { names }
    }

    /// Whether the project depends on `name`, however it is spelled.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(&normalize_name(name))
    }

    #[cfg(test)]
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The normalised project name in one requirement, or `None` when it names
/// none (blank, comment, pip option, bare URL or path).
pub fn requirement_name(requirement: &str) -> Option<String> {
    let line = strip_requirement_comment(requirement).trim();
    if let Some(option) = line.strip_prefix('-') {
        // Of pip's options only an editable install names a project, and
        // then only through its `#egg=` fragment.
        let target = option
            .strip_prefix("-editable")
            .or_else(|| option.strip_prefix('e'))?;
        return egg_name(target);
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let raw = &line[..end];
    let rest = line[end..].trim_start();
    if !raw.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return egg_name(line);
    }
    if rest.is_empty() {
        let lower = raw.to_ascii_lowercase();
        if lower.ends_with(".whl") {
            // Wheel file names start with the distribution name, and escape
            // any `-` in it, so the first `-` ends the name.
            return raw.split('-').next().map(normalize_name);
        }
        if [".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"]
            .iter()
            .any(|ext| lower.ends_with(ext))
        {
            return None;
        }
    } else if !rest.starts_with(['[', '(', '<', '>', '=', '!', '~', ';', '@', ',']) {
        // `git+https://…`, `./path`, `C:\…`: a location, not a name.
        return egg_name(line);
    }
    let name = raw.trim_end_matches(['-', '_', '.']);
    (!name.is_empty()).then(|| normalize_name(name))
}

/// pip only treats `#` as a comment at the start or after whitespace, so the
/// `#sha256=` or `#egg=` fragment of a URL survives.
fn strip_requirement_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return &line[..i];
        }
        prev_space = c.is_whitespace();
    }
    line
}

fn egg_name(target: &str) -> Option<String> {
    let at = target.find("egg=")?;
    let fragment = &target[at + "egg=".len()..];
    let end = fragment
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(fragment.len());
    let name = fragment[..end].trim_end_matches(['-', '_', '.']);
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        .then(|| normalize_name(name))
}

#[cfg(test)]
mod tests;
