//! Reading images from a registry: manifests (down through an index to a
//! platform), the config, and layers streamed into a cache by digest.

use futures_util::StreamExt;

use super::auth::Scope;
use super::client::{self, Client, Request};
use super::RegistryError;
use crate::host::{Host, HostError, HttpResponse, Progress};
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
    let (content_type, bytes) = whole(client, || {
        let req = Request::get(url.clone()).header("accept", MANIFEST_ACCEPT);
        document(client, repo, &what, req)
    })
    .await?;
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
/// in the repository, to be pulled or mounted when a sink needs them. The
/// documents named by digest (the config, the manifest an index chose) come
/// from `cache` when it holds them; the one named by a tag is always asked
/// for, as a tag moves.
pub async fn resolve<H: Host>(
    client: &Client<'_, H>,
    reference: &Reference,
    wanted: Option<&Platform>,
    cache: Option<&Layout<'_, H>>,
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
        let chosen = Descriptor::new(&chosen.media_type, chosen.digest.clone(), chosen.size);
        let bytes = cached(cache, &chosen, || async {
            Ok(manifest(client, &repo, &chosen.digest.to_string())
                .await?
                .bytes)
        })
        .await?;
        doc = Document {
            descriptor: chosen,
            bytes,
        };
    }
    if !media::is_manifest(&doc.descriptor.media_type) {
        return Err(RegistryError::Protocol {
            what: name,
            message: format!("unsupported media type {}", doc.descriptor.media_type),
        });
    }
    let manifest: Manifest = parse(&name, &doc.bytes)?;
    let config_bytes = cached(cache, &manifest.config, || {
        blob_document(client, &repo, &manifest.config)
    })
    .await?;
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

/// The platforms `reference` offers: those its index lists, or its one
/// image's when it names a manifest.
pub async fn platforms<H: Host>(
    client: &Client<'_, H>,
    reference: &Reference,
) -> Result<Vec<Platform>, RegistryError> {
    let repo = client.pull_repo(reference);
    let first = reference
        .digest()
        .or(reference.tag_or_latest())
        .unwrap_or("latest");
    let doc = manifest(client, &repo, first).await?;
    if !media::is_index(&doc.descriptor.media_type) {
        return Ok(vec![resolve(client, reference, None, None)
            .await?
            .platform()]);
    }
    let index: Index = parse(&reference.to_string(), &doc.bytes)?;
    Ok(index
        .manifests
        .into_iter()
        .filter_map(|d| d.platform)
        .collect())
}

/// A document its descriptor names by digest, which never names other
/// bytes: from the cache when it holds it (checked against the digest as it
/// is read), else fetched and kept there for the next build. The cache only
/// helps: one that cannot be read or written is passed by.
async fn cached<H: Host, Fut>(
    cache: Option<&Layout<'_, H>>,
    desc: &Descriptor,
    fetch: impl FnOnce() -> Fut,
) -> Result<Vec<u8>, RegistryError>
where
    Fut: std::future::Future<Output = Result<Vec<u8>, RegistryError>>,
{
    if let Some(Ok(bytes)) = match cache {
        Some(cache) => Some(cache.read_document(desc).await),
        None => None,
    } {
        return Ok(bytes);
    }
    let bytes = fetch().await?;
    if let Some(cache) = cache {
        let _ = cache.put_bytes(&desc.media_type, &bytes).await;
    }
    Ok(bytes)
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
    let (_, bytes) = whole(client, || {
        document(client, repo, &what, blob_request(repo, desc))
    })
    .await?;
    let actual = Digest::of(client.host.sha256(), &bytes);
    check(repo, &what, &desc.digest, &actual, bytes.len() as u64)?;
    Ok(bytes)
}

fn blob_request<'a>(repo: &Repository, desc: &Descriptor) -> Request<'a> {
    Request::get(format!("/v2/{}/blobs/{}", repo.name, desc.digest))
}

/// Sends a GET and hands back its answer when it is a 200.
async fn get<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    what: &str,
    req: Request<'_>,
) -> Result<HttpResponse, RegistryError> {
    let resp = client
        .send(repo, &[Scope::pull(&repo.name)], what, req)
        .await?;
    if resp.status == 200 {
        Ok(resp)
    } else {
        Err(client.failure(repo, what, "pull", resp).await)
    }
}

/// How one download went, for `whole`.
enum Attempt {
    /// The connection broke off mid-body: worth fetching again.
    CutOff(RegistryError),
    Failed(RegistryError),
}

impl From<RegistryError> for Attempt {
    fn from(e: RegistryError) -> Self {
        Attempt::Failed(e)
    }
}

/// A failed body read, sorted: a dropped connection may mend, a host
/// that cannot read bodies at all will not.
fn read_failure(repo: &Repository, what: &str, e: HostError) -> Attempt {
    if retry::retryable_network(e.code.as_deref()) {
        Attempt::CutOff(client::network(&repo.registry, what, e))
    } else {
        Attempt::Failed(e.into())
    }
}

/// Runs `once` until a body arrives whole: a body cut off mid-read is
/// fetched again from its start, up to `MAX_ATTEMPTS` times in all.
async fn whole<H: Host, T, Fut>(
    client: &Client<'_, H>,
    mut once: impl FnMut() -> Fut,
) -> Result<T, RegistryError>
where
    Fut: std::future::Future<Output = Result<T, Attempt>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match once().await {
            Ok(v) => return Ok(v),
            Err(Attempt::CutOff(_)) if attempt < MAX_ATTEMPTS => {
                client.pause(attempt, None).await;
            }
            Err(Attempt::CutOff(e) | Attempt::Failed(e)) => return Err(e),
        }
    }
}

/// One GET of a small document (a manifest, a config), read whole: its
/// content type and bytes.
async fn document<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    what: &str,
    req: Request<'_>,
) -> Result<(Option<String>, Vec<u8>), Attempt> {
    let resp = get(client, repo, what, req).await?;
    let content_type = resp.header("content-type").map(str::to_owned);
    match client.read_limited(resp, MAX_DOCUMENT, true).await {
        Ok(bytes) => Ok((content_type, bytes)),
        // Reading is all read_limited does with the host.
        Err(RegistryError::Host(e)) => Err(read_failure(repo, what, e)),
        Err(e) => Err(e.into()),
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
    whole(client, || download(client, repo, desc, cache, &what)).await
}

/// One download of a blob into the cache, verified before it is named.
async fn download<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    desc: &Descriptor,
    cache: &Layout<'_, H>,
    what: &str,
) -> Result<(), Attempt> {
    let resp = get(client, repo, what, blob_request(repo, desc)).await?;
    let mut w = cache.begin_blob().await.map_err(RegistryError::from)?;
    let verified = stream_into(client, &mut w, resp, desc, repo, what)
        .await
        .and_then(|actual| {
            let size = w.size();
            // The size first: a blob of the wrong length also hashes
            // wrong, and "size mismatch" says more about what happened.
            if size != desc.size {
                return Err(Attempt::Failed(RegistryError::Size {
                    registry: repo.registry.clone(),
                    what: what.to_owned(),
                    expected: desc.size,
                    got: if size > desc.size {
                        format!("more than {} bytes arrived", desc.size)
                    } else {
                        format!("{size} bytes arrived")
                    },
                }));
            }
            Ok(check(repo, what, &desc.digest, &actual, size)?)
        });
    match verified {
        Ok(()) => Ok(w
            .commit(cache, &desc.digest)
            .await
            .map_err(RegistryError::from)?),
        Err(e) => {
            w.abort(cache).await;
            Err(e)
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

async fn stream_into<H: Host>(
    client: &Client<'_, H>,
    w: &mut BlobWriter,
    resp: HttpResponse,
    desc: &Descriptor,
    repo: &Repository,
    what: &str,
) -> Result<Digest, Attempt> {
    let host = client.host;
    let mut hasher = host.sha256();
    let digest = desc.digest.to_string();
    loop {
        let chunk = match host.read_body(resp.body, READ_CHUNK).await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => return Err(read_failure(repo, what, e)),
        };
        hasher.update(&chunk);
        w.write(host, &chunk).await.map_err(RegistryError::from)?;
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
