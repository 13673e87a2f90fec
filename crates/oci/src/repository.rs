//! A repository in a registry, as requests and credentials need it.

use std::fmt;

use crate::reference::Reference;

/// A repository in a registry: where requests go, and whose credentials apply.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Repository {
    /// The registry as users and docker config name it (`docker.io`).
    pub registry: String,
    /// The host (and port) the API is served on (`registry-1.docker.io`).
    pub api_host: String,
    /// The repository path (`library/python`).
    pub name: String,
}

impl Repository {
    pub fn of(reference: &Reference) -> Repository {
        Repository {
            registry: reference.registry().to_owned(),
            api_host: reference.registry_host().to_owned(),
            name: reference.repository().to_owned(),
        }
    }
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.name)
    }
}
