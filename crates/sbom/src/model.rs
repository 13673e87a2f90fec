//! What an SBOM says, before any format: every list sorted, so that the
//! serializers only have to walk it.

use pycontainer_digest::Digest;
use pycontainer_sort::sort_by;

use crate::license::License;

/// The whole bill for one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbom {
    pub subject: Subject,
    pub base: Option<Base>,
    /// The project the image was built from, when it is a distribution.
    pub project: Option<PythonDist>,
    /// Every distribution installed by the build (the venv or site-packages layer).
    pub python: Vec<PythonDist>,
    /// The base image's OS packages, when its layers carry a database.
    pub os: Option<OsPackages>,
    /// RFC 3339 UTC, from the build's epoch (`SOURCE_DATE_EPOCH`, or 0): never the wall clock.
    pub created: String,
    /// The tool's version, named as a creator.
    pub tool_version: String,
}

/// The image the bill is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The image's name (the first tag, or the output's name).
    pub name: String,
    /// The image manifest's digest: what the bill describes, and what its ids derive from.
    pub digest: Digest,
}

/// The base image as the build resolved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    /// As the user named it (`python:3.12-slim`, `oci:dir:tag`).
    pub reference: String,
    pub digest: Option<Digest>,
}

/// An installed Python distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonDist {
    /// PEP 503 normalised.
    pub name: String,
    pub version: String,
    pub license: License,
    /// The wheel it was installed from; none for the project built in place.
    pub wheel: Option<Wheel>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wheel {
    /// The downloaded file's hash, when the index or lock gave one (of the
    /// sdist, for a wheel the build made from one).
    pub sha256: Option<Digest>,
    /// Where it was downloaded from, credentials already taken out.
    pub url: Option<String>,
}

/// The OS packages of the base, from one package manager's database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsPackages {
    pub manager: Manager,
    /// The purl namespace and `distro` qualifier: `debian` and `debian-12`.
    pub namespace: String,
    pub distro: Option<String>,
    pub packages: Vec<OsPackage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    Dpkg,
    Apk,
}

impl Manager {
    /// The purl type.
    pub fn purl_type(self) -> &'static str {
        match self {
            Manager::Dpkg => "deb",
            Manager::Apk => "apk",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsPackage {
    pub name: String,
    pub version: String,
    pub arch: Option<String>,
    /// apk records one; dpkg keeps licenses in copyright files, not the database.
    pub license: License,
}

impl Sbom {
    /// Sorts every list, so that the documents do not depend on the order
    /// the layers or the install plan listed things in.
    pub fn sorted(mut self) -> Self {
        sort_by(&mut self.python, |a, b| {
            (&a.name, &a.version).cmp(&(&b.name, &b.version))
        });
        if let Some(os) = &mut self.os {
            sort_by(&mut os.packages, |a, b| {
                (&a.name, &a.version, &a.arch).cmp(&(&b.name, &b.version, &b.arch))
            });
        }
        self
    }
}
