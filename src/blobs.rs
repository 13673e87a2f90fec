//! Layer blobs on the host: the layout each one can be read from, with
//! those in a registry pulled into the cache first, verified, several at once.

use pycontainer_oci::{BlobSource, Layer, Repository};

use crate::cache::{CacheDir, CacheError};
use crate::host::{Host, Progress};
use crate::layout::Layout;
use crate::registry::{pull, Client, RegistryError};

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Registry(Box<RegistryError>),
}

impl BlobError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            BlobError::Cache(e) => e.code(),
            BlobError::Registry(e) => e.code(),
        }
    }
}

/// The layout that holds each of `layers`' blobs, in order. `needed` says
/// what pulls them, for the error when there is no cache to pull into.
pub async fn local<H: Host>(
    client: &Client<'_, H>,
    layers: &[Layer],
    cache: &CacheDir,
    needed: &'static str,
) -> Result<Vec<String>, BlobError> {
    let mut remote: Vec<(&Repository, Vec<_>)> = Vec::new();
    for layer in layers {
        if let BlobSource::Registry(repo) = &layer.source {
            match remote.iter_mut().find(|(r, _)| *r == repo) {
                Some((_, descs)) => descs.push(layer.descriptor.clone()),
                None => remote.push((repo, vec![layer.descriptor.clone()])),
            }
        }
    }
    let cache_dir = match remote.is_empty() {
        true => None,
        false => Some(cache.require(needed)?),
    };
    if let Some(dir) = cache_dir {
        let host = client.host();
        host.progress(&Progress::Phase { name: "pull" });
        let store = Layout::new(host, dir);
        for (repo, descs) in &remote {
            store
                .cleaning(pull::fetch_blobs(client, repo, descs, &store))
                .await
                .map_err(|e| BlobError::Registry(Box::new(e)))?;
        }
    }
    Ok(layers
        .iter()
        .map(|layer| match &layer.source {
            BlobSource::Layout(dir) | BlobSource::Mirrored { layout: dir, .. } => dir.clone(),
            BlobSource::Registry(_) => cache_dir.unwrap_or_default().to_owned(),
        })
        .collect())
}
