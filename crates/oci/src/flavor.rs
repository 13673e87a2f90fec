//! OCI or Docker: the media-type family an image uses, which an image built on it keeps.

/// Which family of media types an image uses; a derived image keeps its base's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Oci,
    Docker,
}

impl Flavor {
    pub fn of_manifest(media_type: Option<&str>) -> Self {
        if media_type == Some(crate::media::DOCKER_MANIFEST) {
            Flavor::Docker
        } else {
            Flavor::Oci
        }
    }

    pub fn manifest(self) -> &'static str {
        match self {
            Flavor::Oci => crate::media::OCI_MANIFEST,
            Flavor::Docker => crate::media::DOCKER_MANIFEST,
        }
    }

    pub fn config(self) -> &'static str {
        match self {
            Flavor::Oci => crate::media::OCI_CONFIG,
            Flavor::Docker => crate::media::DOCKER_CONFIG,
        }
    }

    pub fn gzip_layer(self) -> &'static str {
        match self {
            Flavor::Oci => crate::media::OCI_LAYER_GZIP,
            Flavor::Docker => crate::media::DOCKER_LAYER_GZIP,
        }
    }
}
