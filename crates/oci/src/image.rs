//! Images as the model knows them: an image for one platform (its manifest
//! and config, parsed and as the exact bytes their digests are of, and its
//! layers with where each blob can be read), an index of images, and what a
//! tag points at.

use pycontainer_digest::{Digest, Sha256};
use serde::{Serialize, Serializer};

use crate::config::ImageConfig;
use crate::descriptor::Descriptor;
use crate::flavor::Flavor;
use crate::index::Index;
use crate::json::to_canonical_json;
use crate::manifest::Manifest;
use crate::media;
use crate::platform::Platform;
use crate::repository::Repository;

/// Where a blob's bytes can be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlobSource {
    /// An OCI layout directory (an output, the cache, a base's layout), by digest.
    Layout(String),
    /// A registry repository: read through the cache, and mounted rather
    /// than uploaded when pushed within the same registry.
    Registry(Repository),
    /// A layout, which `repo` probably holds too (the base of an image
    /// pushed from a layout): mounted when it can be, else read from the layout.
    Mirrored { layout: String, repo: Repository },
}

/// A layer: its blob's descriptor, the digest of its uncompressed tar (the
/// config's diff_id), and where the blob is.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(as = "LayerJson<'static>"))]
pub struct Layer {
    pub descriptor: Descriptor,
    pub diff_id: Digest,
    pub source: BlobSource,
}

/// A layer as people and `--json` see it; where its blob is stays inside.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "Layer"))]
pub struct LayerJson<'a> {
    /// Of the blob, compressed: what the manifest lists.
    pub digest: &'a Digest,
    /// Of the uncompressed tar: what the config's rootfs lists.
    pub diff_id: &'a Digest,
    /// Of the blob, compressed.
    pub size: u64,
    pub media_type: &'a str,
}

impl Serialize for Layer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        LayerJson {
            digest: &self.descriptor.digest,
            diff_id: &self.diff_id,
            size: self.descriptor.size,
            media_type: &self.descriptor.media_type,
        }
        .serialize(s)
    }
}

/// Why stored documents make no image; the caller names the documents.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The config is not an image config.
    #[error("{message}")]
    Config { message: String },
    #[error("its manifest lists {layers} layers, but its config {diff_ids} diff_ids")]
    LayerCount { layers: usize, diff_ids: usize },
}

/// An image for one platform.
#[derive(Clone, Debug)]
pub struct Image {
    descriptor: Descriptor,
    manifest: Manifest,
    manifest_bytes: Vec<u8>,
    config: ImageConfig,
    config_bytes: Vec<u8>,
    layers: Vec<Layer>,
}

impl Image {
    /// An image from its stored manifest (already parsed: its config had to
    /// be found) and config, whose digests the caller has checked; `source`
    /// says where the layers' blobs are.
    pub fn from_documents(
        descriptor: Descriptor,
        (manifest, manifest_bytes): (Manifest, Vec<u8>),
        config_bytes: Vec<u8>,
        source: impl Fn(usize, &Descriptor) -> BlobSource,
    ) -> Result<Image, ImageError> {
        let config: ImageConfig =
            serde_json::from_slice(&config_bytes).map_err(|e| ImageError::Config {
                message: e.to_string(),
            })?;
        let diff_ids = &config.rootfs.diff_ids;
        if diff_ids.len() != manifest.layers.len() {
            return Err(ImageError::LayerCount {
                layers: manifest.layers.len(),
                diff_ids: diff_ids.len(),
            });
        }
        let layers = manifest
            .layers
            .iter()
            .zip(diff_ids)
            .enumerate()
            .map(|(i, (d, diff_id))| Layer {
                descriptor: d.clone(),
                diff_id: diff_id.clone(),
                source: source(i, d),
            })
            .collect();
        Ok(Image {
            descriptor,
            manifest,
            manifest_bytes,
            config,
            config_bytes,
            layers,
        })
    }

    /// An image from documents made here, `config_bytes` being `config`'s
    /// canonical JSON: the manifest's are too, and its descriptor carries
    /// the config's platform, as an index entry does.
    pub(crate) fn made(
        manifest: Manifest,
        config: ImageConfig,
        config_bytes: Vec<u8>,
        layers: Vec<Layer>,
    ) -> Image {
        let manifest_bytes = to_canonical_json(&manifest);
        let mut descriptor = Descriptor::new(
            manifest
                .media_type
                .as_deref()
                .unwrap_or(media::OCI_MANIFEST),
            Digest::of(Sha256::portable(), &manifest_bytes),
            manifest_bytes.len() as u64,
        );
        descriptor.platform = Some(config.platform());
        Image {
            descriptor,
            manifest,
            manifest_bytes,
            config,
            config_bytes,
            layers,
        }
    }

    /// The empty image for `platform`, which `scratch` names.
    pub fn empty(platform: &Platform) -> Image {
        let config = ImageConfig::scratch(platform);
        let bytes = to_canonical_json(&config);
        let config_desc = Descriptor::new(
            media::OCI_CONFIG,
            Digest::of(Sha256::portable(), &bytes),
            bytes.len() as u64,
        );
        let manifest =
            crate::mutate::manifest(Flavor::Oci, config_desc, Vec::new(), Default::default());
        Image::made(manifest, config, bytes, Vec::new())
    }

    /// The manifest's descriptor: media type, digest and size, and the platform.
    pub fn descriptor(&self) -> &Descriptor {
        &self.descriptor
    }

    pub fn digest(&self) -> &Digest {
        &self.descriptor.digest
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn manifest_bytes(&self) -> &[u8] {
        &self.manifest_bytes
    }

    pub fn config(&self) -> &ImageConfig {
        &self.config
    }

    pub fn config_bytes(&self) -> &[u8] {
        &self.config_bytes
    }

    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Says anew where each layer's blob is; the image stays the same.
    pub fn relocate(&mut self, source: impl Fn(usize, &Layer) -> BlobSource) {
        for (i, layer) in self.layers.iter_mut().enumerate() {
            layer.source = source(i, layer);
        }
    }

    /// OCI or Docker: the manifest's own media type, else its descriptor's.
    pub fn flavor(&self) -> Flavor {
        Flavor::of_manifest(Some(
            self.manifest
                .media_type
                .as_deref()
                .unwrap_or(&self.descriptor.media_type),
        ))
    }

    pub fn platform(&self) -> Platform {
        self.config.platform()
    }

    /// The config, the manifest and every layer, compressed. Saturating:
    /// the layer sizes come from a base's manifest, which may claim anything.
    pub fn size(&self) -> u64 {
        self.layers
            .iter()
            .map(|l| l.descriptor.size)
            .fold(self.manifest_bytes.len() as u64, u64::saturating_add)
            .saturating_add(self.config_bytes.len() as u64)
    }
}

/// An image index (or Docker manifest list) and what it lists.
#[derive(Clone, Debug)]
pub struct ImageIndex {
    pub descriptor: Descriptor,
    pub index: Index,
    pub bytes: Vec<u8>,
    pub manifests: Vec<Artifact>,
}

/// What a manifest descriptor points at: an image, or an index of them.
#[derive(Clone, Debug)]
pub enum Artifact {
    Image(Box<Image>),
    Index(Box<ImageIndex>),
}

impl Artifact {
    pub fn descriptor(&self) -> &Descriptor {
        match self {
            Artifact::Image(i) => i.descriptor(),
            Artifact::Index(i) => &i.descriptor,
        }
    }

    /// The images it is or lists, in order (an index's nested ones too).
    pub fn images(&self) -> Vec<&Image> {
        match self {
            Artifact::Image(i) => vec![i],
            Artifact::Index(i) => i.manifests.iter().flat_map(Artifact::images).collect(),
        }
    }

    /// The manifest or index, as stored.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Artifact::Image(i) => i.manifest_bytes(),
            Artifact::Index(i) => &i.bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzzer (crates/fuzz, oci): a base manifest whose layer
    /// claims 2^64-1 bytes overflowed the image's size (a panic in debug
    /// builds, a wrapped total in the wasm).
    #[test]
    fn an_absurd_layer_size_saturates_the_image_size() {
        let layer = r#"{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":18446744073709551615}"#;
        let manifest =
            format!(r#"{{"schemaVersion":2,"config":{layer},"layers":[{layer},{layer}]}}"#);
        let config = r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"]}}"#;
        let parsed = serde_json::from_str(&manifest).unwrap();
        let descriptor = Descriptor::new(
            "application/vnd.oci.image.manifest.v1+json",
            Digest::of(Sha256::portable(), manifest.as_bytes()),
            manifest.len() as u64,
        );
        let image = Image::from_documents(
            descriptor,
            (parsed, manifest.into_bytes()),
            config.as_bytes().to_vec(),
            |_, _| BlobSource::Layout("base".to_owned()),
        )
        .unwrap();
        assert_eq!(image.size(), u64::MAX);
    }
}
