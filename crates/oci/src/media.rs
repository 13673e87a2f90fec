//! Media types of OCI and Docker image documents and layers, and the families they fall in.

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

pub fn is_index(m: &str) -> bool {
    m == OCI_INDEX || m == DOCKER_LIST
}

pub fn is_manifest(m: &str) -> bool {
    m == OCI_MANIFEST || m == DOCKER_MANIFEST
}

/// Layers we can read to check diff_ids: gzip-compressed or plain tar.
pub fn layer_is_gzip(m: &str) -> bool {
    m == OCI_LAYER_GZIP || m == DOCKER_LAYER_GZIP
}

pub fn layer_is_tar(m: &str) -> bool {
    m == OCI_LAYER_TAR || m == "application/vnd.docker.image.rootfs.diff.tar"
}
