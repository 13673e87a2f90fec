//! Detects a Python project's web framework from its own sources and picks the command that serves it.

mod detect;
mod scan;
mod settings;

use std::collections::BTreeSet;

use pycontainer_pypi::lock::requirements::name_of;
use pycontainer_python::name::PackageName;

pub use detect::{detect, Framework, FrameworkError, Served};
pub use settings::{django_writes, SettingPath};

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
    names: BTreeSet<PackageName>,
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
            .filter_map(|r| name_of(r.as_ref()))
            .collect();
        Self { names }
    }

    /// Whether the project depends on `name`, however it is spelled.
    pub fn contains(&self, name: &str) -> bool {
        PackageName::new(name).is_ok_and(|name| self.names.contains(&name))
    }

    #[cfg(test)]
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(PackageName::as_str)
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[cfg(test)]
mod tests;
