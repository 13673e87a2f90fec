//! Annotation keys pycontainer reads and writes.

/// Annotation that names a manifest's tag inside an OCI layout.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// The base image's reference, on images built on a registry base.
pub const BASE_NAME: &str = "org.opencontainers.image.base.name";
/// Annotation containerd and Docker read for the full image name on import.
pub const CONTAINERD_NAME: &str = "io.containerd.image.name";
