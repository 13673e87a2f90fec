//! `pycontainer push`: an image already in an OCI layout, to registries.

use serde::Serialize;

use pycontainer_digest::Digest;
use pycontainer_oci::annotation::BASE_NAME;
use pycontainer_oci::reference::{Reference, ReferenceError};
use pycontainer_oci::{Artifact, BlobSource, Repository};

use crate::cache::CacheDir;
use crate::config::{insecure_registries, ConfigError, Given, Transfer};
use crate::host::Host;
use crate::layout::{Layout, LayoutError};
use crate::registry::push::{PushStats, Pushed};
use crate::registry::{referrers, Client, ClientOptions};
use crate::sink::{RegistrySink, RegistryTarget, SinkError};

/// Why a push cannot start: its references or options cannot be used.
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
    #[error(transparent)]
    Option(#[from] ConfigError),
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error(transparent)]
    Sink(#[from] SinkError),
}

impl PublishError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            PublishError::Reference { .. } => "invalid-tag",
            PublishError::NoReference | PublishError::Digest { .. } => "invalid-option",
            PublishError::Option(e) => e.code(),
            PublishError::Layout(e) => e.code(),
            PublishError::Sink(e) => e.code(),
        }
    }

    /// The flag at fault, when the command line is wrong.
    pub fn option(&self) -> Option<&str> {
        match self {
            PublishError::Option(e) => e.option(),
            _ => None,
        }
    }
}

/// What `pycontainer push` is asked to do; JS passes it as JSON (`js_options`).
#[derive(Clone, Debug, Default)]
pub struct PushOptions {
    pub layout: String,
    /// The layout's tag to push; may be left out when it holds one image.
    pub tag: Option<String>,
    pub references: Vec<String>,
    pub insecure_registries: Vec<String>,
    pub parallel: Option<Given>,
    pub chunk_size: Option<Given>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PushResult {
    /// The digest of what was pushed: the manifest, or the index.
    pub manifest_digest: Digest,
    pub media_type: String,
    pub pushed: Vec<Pushed>,
    pub push_stats: PushStats,
    /// The SBOM artifacts pushed with it: the referrers the layout lists
    /// for the image (or for each image of the index).
    pub referrers: Vec<Digest>,
}

/// Pushes the image (or index) a layout holds under `options.tag`, through
/// the same registry sink as `build --push`.
pub async fn push_layout<H: Host>(
    host: &H,
    options: &PushOptions,
) -> Result<PushResult, PublishError> {
    let references = references(&options.references)?;
    let transfer = Transfer::read(options.parallel.as_ref(), options.chunk_size.as_ref())?;
    let layout = Layout::new(host, &options.layout);
    let index = layout.index().await?;
    let entry = layout.entry(&index, options.tag.as_deref())?;
    let mut artifact = layout.artifact(entry).await?;
    mount_bases(&mut artifact, layout.root());
    let client = Client::new(
        host,
        ClientOptions::new(
            &insecure_registries(&options.insecure_registries)?,
            transfer.parallel,
            transfer.chunk_size,
        ),
    );
    client.push_to(&references);
    let target = RegistryTarget { references };
    // Every blob is in the layout: none is pulled through a cache.
    let cache = CacheDir::find(host, None);
    // Read before anything is sent: a broken referrer fails the push whole.
    let mut referrers = Vec::new();
    for image in artifact.images() {
        let subject = image.digest();
        referrers.push((subject, layout.referrers_of(&index, subject).await?));
    }
    let (pushed, push_stats) = RegistrySink::new(&target, &cache)
        .write(&client, &artifact)
        .await?;
    for (subject, listed) in &referrers {
        if !listed.is_empty() {
            referrers::attach(&client, subject, listed, &target.references)
                .await
                .map_err(SinkError::from)?;
        }
    }
    Ok(PushResult {
        manifest_digest: entry.digest.clone(),
        media_type: entry.media_type.clone(),
        pushed,
        push_stats,
        referrers: referrers
            .iter()
            .flat_map(|(_, listed)| listed.iter().map(|r| r.descriptor.digest.clone()))
            .collect(),
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

/// The layers of an image pycontainer built on a registry base (it records
/// `org.opencontainers.image.base.name`), all but the last, are probably
/// still in that repository: they are mounted when they can be, and a mount
/// that misses costs one request and falls back to the upload.
fn mount_bases(artifact: &mut Artifact, layout: &str) {
    match artifact {
        Artifact::Index(index) => {
            for child in &mut index.manifests {
                mount_bases(child, layout);
            }
        }
        Artifact::Image(image) => {
            let base = image
                .manifest()
                .annotations
                .get(BASE_NAME)
                .and_then(|n| Reference::parse(n).ok());
            if let Some(base) = base {
                let repo = Repository::of(&base);
                let last = image.layers().len().saturating_sub(1);
                image.relocate(|i, layer| match i < last {
                    true => BlobSource::Mirrored {
                        layout: layout.to_owned(),
                        repo: repo.clone(),
                    },
                    false => layer.source.clone(),
                });
            }
        }
    }
}
