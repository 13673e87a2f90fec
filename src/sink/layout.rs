//! The layout sink: an image into an OCI layout directory, blobs first,
//! then config and manifest (and an index of several), the tags last, in one rename of index.json.

use pycontainer_oci::{BlobSource, Descriptor, Image, ImageIndex};

use super::{LayoutTarget, SinkError};
use crate::blobs;
use crate::cache::CacheDir;
use crate::host::{Host, Progress};
use crate::layout::{Checked, Layout, LayoutError, Tag};
use crate::registry::Client;

pub struct LayoutSink<'h, H: Host> {
    layout: Layout<'h, H>,
    target: &'h LayoutTarget,
    tags: &'h [Tag],
}

impl<'h, H: Host> LayoutSink<'h, H> {
    /// Opens the layout, noting what is there, so that a failure takes back
    /// only what this build adds; the image will get `tags` in it.
    pub async fn open(
        host: &'h H,
        target: &'h LayoutTarget,
        tags: &'h [Tag],
    ) -> Result<Self, LayoutError> {
        let layout = Layout::new(host, &target.path);
        layout.begin().await?;
        Ok(LayoutSink {
            layout,
            target,
            tags,
        })
    }

    /// Where the build may write new layers: here, so that they need no copy.
    pub fn store(&self) -> &Layout<'h, H> {
        &self.layout
    }

    /// Every blob the image has that the layout lacks (those in a registry
    /// pulled through the cache), its config and manifest; `tag` then names it.
    pub async fn write(
        &self,
        client: &Client<'_, H>,
        image: &Image,
        cache: &CacheDir,
    ) -> Result<(), SinkError> {
        let host = client.host();
        let out = &self.layout;
        let layers = image.layers();
        let dirs = blobs::local(client, layers, cache, "a registry base's layers").await?;
        host.progress(&Progress::Phase { name: "base" });
        for (layer, dir) in layers.iter().zip(&dirs) {
            if !out.has_blob(&layer.descriptor).await? {
                // A registry's blob is read from the cache, which checked it on the way in.
                let checked = match layer.source {
                    BlobSource::Registry(_) => Checked::Verified,
                    BlobSource::Layout(_) | BlobSource::Mirrored { .. } => Checked::Unchecked,
                };
                out.copy_blob(&Layout::new(host, dir), &layer.descriptor, checked)
                    .await?;
            }
        }
        host.progress(&Progress::Phase { name: "write" });
        let config = &image.manifest().config;
        out.put_bytes(&config.media_type, image.config_bytes())
            .await?;
        out.put_bytes(&image.descriptor().media_type, image.manifest_bytes())
            .await?;
        Ok(())
    }

    /// An index of images `write` put here.
    pub async fn write_index(&self, index: &ImageIndex) -> Result<(), LayoutError> {
        self.layout
            .put_bytes(&index.descriptor.media_type, &index.bytes)
            .await?;
        Ok(())
    }

    /// Points the tags at the written image (or index), and lists its
    /// `referrers`, in one rename of index.json.
    pub async fn tag(
        &self,
        written: &Descriptor,
        referrers: &[Descriptor],
    ) -> Result<(), LayoutError> {
        self.layout
            .tag(self.target.existing.clone(), written, self.tags, referrers)
            .await?;
        Ok(())
    }
}
