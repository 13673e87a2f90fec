//! Reading images from a registry: manifests (down through an index to a
//! platform), the config, and layers streamed into a cache by digest.

use futures_util::StreamExt;

use super::auth::Scope;
use super::client::{Client, Request};
use super::RegistryError;
use crate::host::{Host, Progress};
use crate::http::retry::{self, MAX_ATTEMPTS};
use crate::layout::{BlobWriter, Layout};
use pycontainer_digest::Digest;
use pycontainer_oci::platform::Platform;
use pycontainer_oci::reference::Reference;
use pycontainer_oci::Repository;
use pycontainer_oci::{media, BlobSource, Descriptor, Image, ImageError, Index, Manifest};

/// Every manifest kind we can read, so the registry never falls back to
/// Docker schema 1 (which it would convert, and sign, on the fly).
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.docker.distribution.manifest.v2+json";
/// Larger manifests and configs are refused rather than read into memory.
const MAX_DOCUMENT: usize = 4 << 20;
const READ_CHUNK: usize = 1 << 20;

/// A small document fetched whole and checked: a manifest, index or config.
pub struct Document {
    pub descriptor: Descriptor,
    pub bytes: Vec<u8>,
}

/// Fetches the manifest (or index) named by a tag or digest.
pub async fn manifest<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    reference: &str,
) -> Result<Document, RegistryError> {
    let what = format!("manifest {repo}:{reference}");
    let url = format!("/v2/{}/manifests/{reference}", repo.name);
    let req = Request::get(url).header("accept", MANIFEST_ACCEPT);
    let resp = client
        .send(repo, &[Scope::pull(&repo.name)], &what, req)
        .await?;
    if resp.status != 200 {
        return Err(client.failure(repo, &what, "pull", resp).await);
    }
    let content_type = resp.header("content-type").map(str::to_owned);
    let bytes = client.read_limited(resp, MAX_DOCUMENT, true).await?;
    let media_type = media_type_of(content_type.as_deref(), &bytes).map_err(|message| {
        RegistryError::Protocol {
            what: what.clone(),
            message,
        }
    })?;
    let digest = Digest::of(client.host.sha256(), &bytes);
    if let Ok(expected) = reference.parse::<Digest>() {
        check(repo, &what, &expected, &digest, bytes.len() as u64)?;
    }
    let size = bytes.len() as u64;
    Ok(Document {
        descriptor: Descriptor::new(&media_type, digest, size),
        bytes,
    })
}

/// The manifest's media type: the header when it names one we know, else
/// the document's own `mediaType`, else its shape (some registries serve
/// indexes with neither).
fn media_type_of(content_type: Option<&str>, bytes: &[u8]) -> Result<String, String> {
    let known = |m: &str| media::is_index(m) || media::is_manifest(m);
    let header = content_type.map(|c| c.split(';').next().unwrap_or("").trim());
    if let Some(m) = header.filter(|m| known(m)) {
        return Ok(m.to_owned());
    }
    let doc: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if let Some(m) = doc
        .get("mediaType")
        .and_then(|m| m.as_str())
        .filter(|m| known(m))
    {
        return Ok(m.to_owned());
    }
    if doc.get("schemaVersion").and_then(|v| v.as_u64()) == Some(1) {
        return Err("Docker schema 1 manifests are not supported".to_owned());
    }
    if doc.get("manifests").is_some() {
        Ok(media::OCI_INDEX.to_owned())
    } else if doc.get("layers").is_some() && doc.get("config").is_some() {
        Ok(media::OCI_MANIFEST.to_owned())
    } else {
        Err(format!(
            "it is neither an image manifest nor an index (content type {:?})",
            header.unwrap_or("none")
        ))
    }
}

/// Resolves a reference to one image for `wanted` (the default target
/// when `None`), reading its manifest and config but no layers: those stay
/// in the repository, to be pulled or mounted when a sink needs them.
pub async fn resolve<H: Host>(
    client: &Client<'_, H>,
    reference: &Reference,
    wanted: Option<&Platform>,
) -> Result<Image, RegistryError> {
    let repo = client.pull_repo(reference);
    let name = reference.to_string();
    let first = reference
        .digest()
        .or(reference.tag_or_latest())
        .unwrap_or("latest");
    let mut doc = manifest(client, &repo, first).await?;
    // Nested indexes are legal; three levels is more than any real image uses.
    for _ in 0..3 {
        if !media::is_index(&doc.descriptor.media_type) {
            break;
        }
        let index: Index = parse(&name, &doc.bytes)?;
        let target = wanted.cloned().unwrap_or_else(Platform::default_target);
        let chosen = index
            .select(&target)
            .map_err(|available| RegistryError::NoPlatform {
                image: name.clone(),
                wanted: target.to_string(),
                available,
            })?;
        doc = manifest(client, &repo, &chosen.digest.to_string()).await?;
    }
    if !media::is_manifest(&doc.descriptor.media_type) {
        return Err(RegistryError::Protocol {
            what: name,
            message: format!("unsupported media type {}", doc.descriptor.media_type),
        });
    }
    let manifest: Manifest = parse(&name, &doc.bytes)?;
    let config_bytes = blob_document(client, &repo, &manifest.config).await?;
    let documents = (manifest, doc.bytes);
    let image = Image::from_documents(doc.descriptor, documents, config_bytes, |_, _| {
        BlobSource::Registry(repo.clone())
    })
    .map_err(|e| RegistryError::Protocol {
        what: match e {
            ImageError::Config { .. } => format!("{name} config"),
            ImageError::LayerCount { .. } => name.clone(),
        },
        message: e.to_string(),
    })?;
    if let Some(wanted) = wanted {
        let found = image.platform();
        if !wanted.matches(&found) {
            return Err(RegistryError::WrongPlatform {
                image: name,
                wanted: wanted.to_string(),
                found: found.to_string(),
            });
        }
    }
    Ok(image)
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, RegistryError> {
    serde_json::from_slice(bytes).map_err(|e| RegistryError::Protocol {
        what: what.to_owned(),
        message: e.to_string(),
    })
}

/// A small blob (a config), fetched whole and checked.
async fn blob_document<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    desc: &Descriptor,
) -> Result<Vec<u8>, RegistryError> {
    let what = format!("blob {}", desc.digest);
    let resp = get_blob(client, repo, desc, &what).await?;
    let bytes = client.read_limited(resp, MAX_DOCUMENT, true).await?;
    let actual = Digest::of(client.host.sha256(), &bytes);
    check(repo, &what, &desc.digest, &actual, bytes.len() as u64)?;
    Ok(bytes)
}

async fn get_blob<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    desc: &Descriptor,
    what: &str,
) -> Result<crate::host::HttpResponse, RegistryError> {
    let url = format!("/v2/{}/blobs/{}", repo.name, desc.digest);
    let resp = client
        .send(repo, &[Scope::pull(&repo.name)], what, Request::get(url))
        .await?;
    if resp.status == 200 {
        Ok(resp)
    } else {
        Err(client.failure(repo, what, "pull", resp).await)
    }
}

fn check(
    repo: &Repository,
    what: &str,
    expected: &Digest,
    actual: &Digest,
    size: u64,
) -> Result<(), RegistryError> {
    if expected == actual {
        return Ok(());
    }
    Err(RegistryError::Digest {
        registry: repo.registry.clone(),
        what: what.to_owned(),
        expected: expected.clone(),
        actual: actual.clone(),
        size,
    })
}

/// Makes sure `cache` holds the blob, downloading it when it does not. The
/// download is hashed as it streams and named only once verified, so a
/// corrupt or cut-off download never enters the cache.
pub async fn fetch_blob<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    desc: &Descriptor,
    cache: &Layout<'_, H>,
) -> Result<(), RegistryError> {
    if cache.has_blob(desc).await? {
        return Ok(());
    }
    let what = format!("layer {}", desc.digest);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let resp = get_blob(client, repo, desc, &what).await?;
        let mut w = cache.begin_blob().await?;
        match stream_into(client, &mut w, resp, desc).await {
            Ok(actual) => {
                let size = w.size();
                // The size first: a blob of the wrong length also hashes
                // wrong, and "size mismatch" says more about what happened.
                let verified = if size != desc.size {
                    Err(RegistryError::Size {
                        registry: repo.registry.clone(),
                        what: what.clone(),
                        expected: desc.size,
                        got: if size > desc.size {
                            format!("more than {} bytes arrived", desc.size)
                        } else {
                            format!("{size} bytes arrived")
                        },
                    })
                } else {
                    check(repo, &what, &desc.digest, &actual, size)
                };
                return match verified {
                    Ok(()) => Ok(w.commit(cache, &desc.digest).await?),
                    Err(e) => {
                        w.abort(cache).await;
                        Err(e)
                    }
                };
            }
            Err(StreamError::Network(code, e)) => {
                w.abort(cache).await;
                if attempt >= MAX_ATTEMPTS || !retry::retryable_network(code.as_deref()) {
                    return Err(e);
                }
                client.pause(attempt, None).await;
            }
            Err(StreamError::Other(e)) => {
                w.abort(cache).await;
                return Err(e);
            }
        }
    }
}

/// `fetch_blob` for several blobs, `parallel` at a time.
pub async fn fetch_blobs<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    descs: &[Descriptor],
    cache: &Layout<'_, H>,
) -> Result<(), RegistryError> {
    let scopes = [Scope::pull(&repo.name)];
    client
        .authenticate(repo, &scopes, &format!("pull from {repo}"))
        .await?;
    let mut pending = futures_util::stream::iter(descs)
        .map(|desc| fetch_blob(client, repo, desc, cache))
        .buffer_unordered(client.options.parallel.max(1));
    while let Some(outcome) = pending.next().await {
        outcome?;
    }
    Ok(())
}

enum StreamError {
    /// The connection failed mid-body: worth another try.
    Network(Option<String>, RegistryError),
    Other(RegistryError),
}

async fn stream_into<H: Host>(
    client: &Client<'_, H>,
    w: &mut BlobWriter,
    resp: crate::host::HttpResponse,
    desc: &Descriptor,
) -> Result<Digest, StreamError> {
    let host = client.host;
    let mut hasher = host.sha256();
    let digest = desc.digest.to_string();
    loop {
        let chunk = match host.read_body(resp.body, READ_CHUNK).await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                let code = e.code.clone();
                return Err(StreamError::Network(code, e.into()));
            }
        };
        hasher.update(&chunk);
        w.write(host, &chunk)
            .await
            .map_err(|e| StreamError::Other(e.into()))?;
        host.progress(&Progress::Transfer {
            digest: &digest,
            action: "pull",
            bytes: w.size(),
            total: desc.size,
        });
        if w.size() > desc.size {
            host.discard_body(resp.body).await;
            break;
        }
    }
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_from_header_then_document_then_shape() {
        let oci = media::OCI_MANIFEST;
        assert_eq!(
            media_type_of(
                Some("application/vnd.oci.image.manifest.v1+json; charset=utf-8"),
                b"{}"
            ),
            Ok(oci.to_owned())
        );
        let listed = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}"#;
        assert_eq!(
            media_type_of(Some("application/json"), listed),
            Ok(media::DOCKER_LIST.to_owned())
        );
        assert_eq!(
            media_type_of(None, br#"{"schemaVersion":2,"manifests":[]}"#),
            Ok(media::OCI_INDEX.to_owned())
        );
        assert_eq!(
            media_type_of(None, br#"{"schemaVersion":2,"config":{},"layers":[]}"#),
            Ok(oci.to_owned())
        );
        assert!(media_type_of(None, br#"{"schemaVersion":1,"fsLayers":[]}"#)
            .is_err_and(|e| e.contains("schema 1")));
        assert!(media_type_of(Some("text/html"), b"<html>").is_err());
    }
}
