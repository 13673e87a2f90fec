//! The OCI image model, with no I/O: references, platforms, descriptors,
//! manifests, indexes and configs, and the derivation of an image from a base.
//!
//! Documents keep the fields they do not know (`extra`), so that a base
//! image's config and manifest survive a round trip unchanged.

pub mod annotation;
pub mod assemble;
mod config;
mod descriptor;
mod flavor;
mod image;
mod index;
mod json;
mod manifest;
pub mod media;
pub mod mutate;
pub mod platform;
pub mod reference;
pub mod referrer;
mod repository;

pub use config::{ContainerConfig, History, ImageConfig, RootFs};
pub use descriptor::Descriptor;
pub use flavor::Flavor;
pub use image::{Artifact, BlobSource, Image, ImageError, ImageIndex, Layer, LayerJson};
pub use index::Index;
pub use json::to_canonical_json;
pub use manifest::Manifest;
pub use platform::Platform;
pub use reference::Reference;
pub use referrer::Referrer;
pub use repository::Repository;
