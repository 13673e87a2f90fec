//! Software bills of materials of what an image really holds: its Python
//! distributions, the project, the base's OS packages and the base image, in
//! SPDX 2.3 and CycloneDX 1.6 JSON. Pure: the caller reads the files (the
//! installed METADATA, the base's package databases) and hands over their text.

pub mod apk;
pub mod contents;
pub mod cyclonedx;
pub mod dpkg;
mod entry;
mod id;
pub mod license;
pub mod model;
pub mod os_release;
mod purl;
pub mod spdx;

pub use license::License;
pub use model::{Base, Manager, OsPackage, OsPackages, PythonDist, Sbom, Subject, Wheel};

/// A package database that cannot be read as its format says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SbomError {
    #[error("{file}: record at line {line} has no {field} field")]
    MissingField {
        file: String,
        line: usize,
        field: &'static str,
    },
}

impl SbomError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            SbomError::MissingField { .. } => "sbom-package-database",
        }
    }
}

/// The SBOM formats, as `--sbom` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Spdx,
    CycloneDx,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Spdx, Format::CycloneDx];

    /// The word `--sbom` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Spdx => "spdx",
            Format::CycloneDx => "cyclonedx",
        }
    }

    pub fn parse(word: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == word)
    }

    /// The file name's ending next to the output, and what registries and
    /// layouts name the artifact's type.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Spdx => "spdx.json",
            Format::CycloneDx => "cdx.json",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Spdx => "application/spdx+json",
            Format::CycloneDx => "application/vnd.cyclonedx+json",
        }
    }

    /// The document's bytes.
    pub fn write(self, sbom: &Sbom) -> Vec<u8> {
        match self {
            Format::Spdx => spdx::write(sbom),
            Format::CycloneDx => cyclonedx::write(sbom),
        }
    }
}

#[cfg(test)]
mod tests;
