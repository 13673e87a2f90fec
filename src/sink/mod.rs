//! Where a built image goes. A sink writes an image's blobs, then its
//! config and manifest, the manifest last: into an OCI layout directory, or
//! to registries. Each is transactional on its own: a layout that fails
//! half-way is taken back, a registry never gets a tag whose blobs it lacks.

mod layout;
mod registry;

use pycontainer_oci::reference::Reference;
use pycontainer_oci::Index;

use crate::blobs::BlobError;
use crate::cache::CacheError;
use crate::layout::LayoutError;
use crate::registry::RegistryError;

pub use layout::LayoutSink;
pub use registry::RegistrySink;

/// A sink the plan asks for.
#[derive(Clone, Debug)]
pub enum Target {
    Layout(LayoutTarget),
    Registry(RegistryTarget),
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
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl SinkError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            SinkError::Layout(e) => e.code(),
            SinkError::Registry(e) => e.code(),
            SinkError::Blob(e) => e.code(),
            SinkError::Cache(e) => e.code(),
        }
    }
}
