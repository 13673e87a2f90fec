//! Where a built image goes. A sink writes an image's blobs, then its
//! config and manifest, the manifest last: into an OCI layout directory, an
//! archive file, or to registries. Each is transactional on its own: a
//! layout that fails half-way is taken back, an archive appears whole or
//! not at all, a registry never gets a tag whose blobs it lacks.

mod archive;
mod docker;
mod layout;
mod registry;
mod writable;

use pycontainer_oci::reference::Reference;
use pycontainer_oci::Index;

use crate::blobs::BlobError;
use crate::cache::CacheError;
use crate::host::HostError;
use crate::layout::LayoutError;
use crate::registry::RegistryError;

pub use archive::{check_writable as check_archive, ArchiveError, ArchiveSink};
pub use layout::LayoutSink;
pub use registry::RegistrySink;
pub use writable::check_writable;

/// A sink the plan asks for.
#[derive(Clone, Debug)]
pub enum Target {
    Layout(LayoutTarget),
    Archive(ArchiveTarget),
    Registry(RegistryTarget),
}

/// What `--format` asks for: a layout directory, or one of the archives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Layout,
    Archive(ArchiveFormat),
}

impl Format {
    /// Every value with its `--format` name; the first is the default.
    pub const ALL: [(&'static str, Format); 3] = [
        ("oci", Format::Layout),
        ("oci-archive", Format::Archive(ArchiveFormat::Oci)),
        ("docker-archive", Format::Archive(ArchiveFormat::Docker)),
    ];

    pub fn parse(value: &str) -> Option<Format> {
        Format::ALL
            .iter()
            .find(|(name, _)| *name == value)
            .map(|(_, f)| *f)
    }

    /// Its `--format` value.
    pub fn name(self) -> &'static str {
        Format::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("oci", |(name, _)| name)
    }
}

/// The two tar files an image can be written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// An OCI layout in one tar (`skopeo copy oci-archive:…`).
    Oci,
    /// `docker save`'s format (`docker load`, `podman load`): one image,
    /// for it has no index to hold several platforms' images.
    Docker,
}

/// A tar file the image is written to.
#[derive(Clone, Debug)]
pub struct ArchiveTarget {
    pub path: String,
    pub format: ArchiveFormat,
}

/// An OCI layout directory.
#[derive(Clone, Debug)]
pub struct LayoutTarget {
    pub path: String,
    /// The layout's index as the plan found it; its other tags are kept.
    pub existing: Option<Index>,
}

/// References in registries, which the image is pushed to.
#[derive(Clone, Debug)]
pub struct RegistryTarget {
    pub references: Vec<Reference>,
}

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("{path} cannot be written: {reason}")]
    NotWritable { path: String, reason: String },
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Host(#[from] HostError),
}

impl SinkError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            SinkError::NotWritable { .. } => "output",
            SinkError::Layout(e) => e.code(),
            SinkError::Archive(e) => e.code(),
            SinkError::Registry(e) => e.code(),
            SinkError::Blob(e) => e.code(),
            SinkError::Cache(e) => e.code(),
            SinkError::Host(e) => e.code(),
        }
    }
}
