//! `pycontainer push`: an image already in an OCI layout, to registries.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::host::{Host, Progress};
use crate::layout::{self, Layout, LayoutError};
use crate::registry::push::{self, Blob, PushStats, Pushed, Source, Upload};
use crate::registry::{Client, ClientOptions, Repo};
use pycontainer_digest::Digest;
use pycontainer_oci::annotation::BASE_NAME;
use pycontainer_oci::reference::{Reference, ReferenceError};
use pycontainer_oci::{media, Descriptor, Index, Manifest};

/// Why the references to push to cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("REF: name at least one reference to push to, e.g. registry.example.com/team/app:1.0")]
    NoReference,
    #[error("REF {value:?}: {source}")]
    Reference {
        value: String,
        source: ReferenceError,
    },
    #[error("REF: {value:?} names a digest; push to a NAME[:TAG]")]
    Digest { value: String },
}

impl PublishError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            PublishError::Reference { .. } => "invalid-tag",
            PublishError::NoReference | PublishError::Digest { .. } => "invalid-option",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PushOptions {
    pub layout: String,
    /// The layout's tag to push; may be left out when it holds one image.
    pub tag: Option<String>,
    pub references: Vec<String>,
    #[serde(default)]
    pub insecure_registries: Vec<String>,
    pub parallel: Option<usize>,
    pub chunk_size: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushResult {
    /// The digest of what was pushed: the manifest, or the index.
    pub manifest_digest: Digest,
    pub media_type: String,
    pub pushed: Vec<Pushed>,
    pub push_stats: PushStats,
}

pub async fn push_layout<H: Host>(host: &H, options: &PushOptions) -> Result<PushResult, Error> {
    let targets = references(&options.references)?;
    let layout = Layout::new(host, &options.layout);
    let index = layout
        .read_index()
        .await?
        .ok_or_else(|| LayoutError::NotALayout {
            path: options.layout.clone(),
        })?;
    let entry = layout.entry(&index, options.tag.as_deref())?;
    let mut bases = Vec::new();
    // Every blob is checked before the first request, so a broken layout
    // fails here rather than half-way through a push.
    collect_bases(&layout, entry, &mut bases).await?;
    let upload = Box::pin(upload_tree(&layout, entry, &bases, 0)).await?;
    let client = Client::new(
        host,
        ClientOptions::new(
            &options.insecure_registries,
            options.parallel,
            options.chunk_size,
        ),
    );
    host.progress(&Progress::Phase { name: "push" });
    let (pushed, push_stats) = push::push(&client, &upload, &targets).await?;
    Ok(PushResult {
        manifest_digest: entry.digest.clone(),
        media_type: upload.media_type,
        pushed,
        push_stats,
    })
}

fn references(values: &[String]) -> Result<Vec<Reference>, PublishError> {
    if values.is_empty() {
        return Err(PublishError::NoReference);
    }
    values
        .iter()
        .map(|v| {
            let r = Reference::parse(v).map_err(|source| PublishError::Reference {
                value: v.clone(),
                source,
            })?;
            match r.digest() {
                Some(_) => Err(PublishError::Digest { value: v.clone() }),
                None => Ok(r),
            }
        })
        .collect()
}

/// The repositories named by `org.opencontainers.image.base.name` in the
/// image's manifests (pycontainer records it for registry bases): their
/// layers can be mounted rather than uploaded.
async fn collect_bases<H: Host>(
    layout: &Layout<'_, H>,
    desc: &Descriptor,
    out: &mut Vec<(Digest, Repo)>,
) -> Result<(), Error> {
    let bytes = layout.read_document(desc).await?;
    let file = layout.blob_path(&desc.digest);
    if media::is_index(&desc.media_type) {
        let index: Index = layout::parse(&file, &bytes)?;
        for child in &index.manifests {
            Box::pin(collect_bases(layout, child, out)).await?;
        }
    } else if media::is_manifest(&desc.media_type) {
        let manifest: Manifest = layout::parse(&file, &bytes)?;
        let base = manifest
            .annotations
            .get(BASE_NAME)
            .and_then(|n| Reference::parse(n).ok());
        if let Some(base) = base {
            out.push((desc.digest.clone(), Repo::of(&base)));
        }
    }
    Ok(())
}

/// The image or index at `desc`, with everything it refers to.
async fn upload_tree<'l, H: Host>(
    layout: &'l Layout<'_, H>,
    desc: &Descriptor,
    bases: &'l [(Digest, Repo)],
    depth: u32,
) -> Result<Upload<'l>, Error> {
    let bytes = layout.read_document(desc).await?;
    let file = layout.blob_path(&desc.digest);
    if media::is_index(&desc.media_type) && depth < 3 {
        let index: Index = layout::parse(&file, &bytes)?;
        let mut children = Vec::new();
        for child in &index.manifests {
            children.push(Box::pin(upload_tree(layout, child, bases, depth + 1)).await?);
        }
        return Ok(Upload {
            blobs: Vec::new(),
            media_type: desc.media_type.clone(),
            manifest: bytes,
            children,
        });
    }
    if !media::is_manifest(&desc.media_type) {
        return Err(LayoutError::Unsupported {
            path: layout.root().to_owned(),
            what: format!("manifest {}", desc.digest),
            media_type: desc.media_type.clone(),
        }
        .into());
    }
    let manifest: Manifest = layout::parse(&file, &bytes)?;
    let base = bases
        .iter()
        .find(|(d, _)| *d == desc.digest)
        .map(|(_, r)| r);
    let mut blobs = Vec::new();
    for (i, d) in manifest.layers.iter().chain([&manifest.config]).enumerate() {
        if !layout.has_blob(d).await? {
            return Err(LayoutError::BlobMissing {
                path: layout.root().to_owned(),
                digest: d.digest.clone(),
            }
            .into());
        }
        // Any layer but the last (the app's) may be the base's; a mount
        // that misses costs one request and falls back to the upload.
        let source = match base {
            Some(repo) if i + 1 < manifest.layers.len() => Source::Mirrored {
                layout: layout.root(),
                repo,
            },
            _ => Source::Layout(layout.root()),
        };
        blobs.push(Blob {
            desc: d.clone(),
            source,
        });
    }
    Ok(Upload {
        blobs,
        media_type: desc.media_type.clone(),
        manifest: bytes,
        children: Vec::new(),
    })
}
