//! An image index over images built from one project for several platforms.

use std::collections::BTreeMap;

use pycontainer_digest::{Digest, Sha256};

use crate::descriptor::Descriptor;
use crate::flavor::Flavor;
use crate::image::{Artifact, Image, ImageIndex};
use crate::index::Index;
use crate::json::to_canonical_json;

/// The index listing `images`, each entry with its config's platform
/// (variant and all), in the order given. A Docker base makes a Docker
/// manifest list, so that the media types do not mix within one artifact.
pub fn index_of(images: Vec<Image>, annotations: BTreeMap<String, String>) -> ImageIndex {
    let flavor = images.first().map_or(Flavor::Oci, Image::flavor);
    let media_type = match flavor {
        Flavor::Oci => crate::media::OCI_INDEX,
        Flavor::Docker => crate::media::DOCKER_LIST,
    };
    let manifests = images
        .iter()
        .map(|image| {
            let mut d = image.descriptor().clone();
            d.platform = Some(image.platform());
            d
        })
        .collect();
    let index = Index {
        schema_version: 2,
        media_type: Some(media_type.to_owned()),
        manifests,
        // A Docker manifest list has no annotations field.
        annotations: match flavor {
            Flavor::Oci => annotations,
            Flavor::Docker => BTreeMap::new(),
        },
        extra: serde_json::Map::new(),
    };
    let bytes = to_canonical_json(&index);
    let descriptor = Descriptor::new(
        media_type,
        Digest::of(Sha256::portable(), &bytes),
        bytes.len() as u64,
    );
    ImageIndex {
        descriptor,
        index,
        bytes,
        manifests: images
            .into_iter()
            .map(|i| Artifact::Image(Box::new(i)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Platform;

    #[test]
    fn each_entry_carries_its_images_platform_with_the_variant() {
        let amd = Image::empty(&Platform::default_target());
        let arm = Image::empty(&Platform::parse("linux/arm/v6").unwrap());
        let index = index_of(vec![amd.clone(), arm.clone()], BTreeMap::new());
        let platforms: Vec<String> = index
            .index
            .manifests
            .iter()
            .map(|d| d.platform.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(platforms, ["linux/amd64", "linux/arm/v6"]);
        assert_eq!(index.index.manifests[1].digest, *arm.digest());
        assert_eq!(
            index.descriptor.digest,
            Digest::of(Sha256::portable(), &index.bytes)
        );
        let parsed: Index = serde_json::from_slice(&index.bytes).unwrap();
        assert_eq!(parsed.media_type.as_deref(), Some(crate::media::OCI_INDEX));
    }
}
