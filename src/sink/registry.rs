//! The registry sink: an image, or an index of them, pushed to every
//! reference of the target. Blobs the registry has are skipped; those in
//! another repository of the same registry are mounted; the rest are
//! uploaded from where they are. Manifests go last.

use pycontainer_oci::{Artifact, BlobSource, Image};

use super::{RegistryTarget, SinkError};
use crate::cache::{CacheDir, CacheError};
use crate::host::{Host, Progress};
use crate::registry::push::{self, Blob, PushStats, Pushed, Source, Upload};
use crate::registry::Client;

pub struct RegistrySink<'a> {
    target: &'a RegistryTarget,
    cache: &'a CacheDir,
}

impl<'a> RegistrySink<'a> {
    /// `cache` is where blobs from another registry are pulled through.
    pub fn new(target: &'a RegistryTarget, cache: &'a CacheDir) -> Self {
        RegistrySink { target, cache }
    }

    pub async fn write<H: Host>(
        &self,
        client: &Client<'_, H>,
        artifact: &Artifact,
    ) -> Result<(Vec<Pushed>, PushStats), SinkError> {
        let upload = upload(artifact, self.cache)?;
        client.host().progress(&Progress::Phase { name: "push" });
        Ok(push::push(client, &upload, &self.target.references).await?)
    }
}

/// What to push for `artifact`: each blob from where it is, the config
/// from memory, and for an index every image it lists.
fn upload<'a>(artifact: &'a Artifact, cache: &'a CacheDir) -> Result<Upload<'a>, CacheError> {
    match artifact {
        Artifact::Image(image) => image_upload(image, cache),
        Artifact::Index(index) => Ok(Upload {
            blobs: Vec::new(),
            descriptor: &index.descriptor,
            manifest: &index.bytes,
            children: index
                .manifests
                .iter()
                .map(|a| upload(a, cache))
                .collect::<Result<_, _>>()?,
        }),
    }
}

fn image_upload<'a>(image: &'a Image, cache: &'a CacheDir) -> Result<Upload<'a>, CacheError> {
    let mut blobs = Vec::with_capacity(image.layers().len() + 1);
    for layer in image.layers() {
        let source = match &layer.source {
            BlobSource::Layout(dir) => Source::Layout(dir),
            BlobSource::Registry(repo) => Source::Remote {
                repo,
                cache: cache.require("a registry base's layers")?,
            },
            BlobSource::Mirrored { layout, repo } => Source::Mirrored { layout, repo },
        };
        blobs.push(Blob {
            desc: layer.descriptor.clone(),
            source,
        });
    }
    blobs.push(Blob {
        desc: image.manifest().config.clone(),
        source: Source::Bytes(image.config_bytes()),
    });
    Ok(Upload {
        blobs,
        descriptor: image.descriptor(),
        manifest: image.manifest_bytes(),
        children: Vec::new(),
    })
}
