//! Package and extra names, compared as PEP 503 says: case-insensitive, with
//! every run of `-`, `_` and `.` the same.

use std::fmt;

use serde::{Serialize, Serializer};

/// A distribution's name, normalised (`Foo.Bar_baz` → `foo-bar-baz`), so that
/// two spellings of one project are equal. The spelling as written is not kept.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackageName(String);

/// An extra's name, normalised the same way (PEP 685).
pub type ExtraName = PackageName;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a valid package name: it must start and end with a letter or digit, with only letters, digits, '-', '_' and '.' between")]
pub struct NameError {
    pub name: String,
}

impl PackageName {
    /// Checks the name against PEP 508's grammar, then normalises it.
    pub fn new(name: &str) -> Result<Self, NameError> {
        let valid = name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.ends_with(|c: char| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if valid {
            Ok(PackageName(normalize(name)))
        } else {
            Err(NameError {
                name: name.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form wheel and `.dist-info` names use (PEP 427): `-` becomes `_`.
    pub fn as_dist_info_name(&self) -> String {
        self.0.replace('-', "_")
    }
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PackageName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// PEP 503 normalisation: lowercase, and every run of `-`, `_`, `.` becomes one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_run = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_are_equal() {
        let a = PackageName::new("Foo.Bar__Baz--Qux").unwrap();
        assert_eq!(a.as_str(), "foo-bar-baz-qux");
        assert_eq!(a, PackageName::new("foo_bar.baz-qux").unwrap());
        assert_eq!(a.as_dist_info_name(), "foo_bar_baz_qux");
        assert_eq!(normalize("a-_.-b"), "a-b");
    }

    #[test]
    fn names_outside_the_grammar_are_refused() {
        for bad in ["", "-a", "a-", "a b", "a/b", "ü"] {
            let err = PackageName::new(bad).unwrap_err();
            assert!(
                err.to_string().contains("is not a valid package name"),
                "{bad}"
            );
        }
    }
}
