//! Writing images to a registry: every blob first (skipped when present,
//! mounted from another repository when possible, else uploaded, several at
//! once), then the manifests, the tags last, so that no tag ever points at
//! a manifest whose blobs are missing.

use futures_util::StreamExt;
use serde::Serialize;

use super::auth::{self, Scope};
use super::client::{Client, Request};
use super::{pull, RegistryError};
use crate::host::{Body, Host, HttpResponse, Progress, UploadProgress};
use crate::http::retry::{self, MAX_ATTEMPTS};
use crate::layout::Layout;
use pycontainer_digest::Digest;
use pycontainer_oci::reference::Reference;
use pycontainer_oci::Descriptor;
use pycontainer_oci::Repository;

/// Chunks never shrink below this when a registry refuses large bodies.
const MIN_CHUNK: usize = 256 << 10;
const OCTET_STREAM: &str = "application/octet-stream";

/// Where a blob's bytes are when it has to be uploaded.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// In an OCI layout (an output, or the cache), by digest.
    Layout(&'a str),
    /// In memory (a config).
    Bytes(&'a [u8]),
    /// In another repository: mounted when it is on the same registry,
    /// else pulled into the `cache` layout and uploaded from there.
    Remote {
        repo: &'a Repository,
        cache: &'a str,
    },
    /// In a layout, and probably in `repo` too (a base layer of a pushed
    /// layout): mounted when it can be, else uploaded from the layout.
    Mirrored {
        layout: &'a str,
        repo: &'a Repository,
    },
}

pub struct Blob<'a> {
    pub desc: Descriptor,
    pub source: Source<'a>,
}

/// An image to push: its blobs (layers and config), its manifest, and for
/// an index the images it lists.
pub struct Upload<'a> {
    pub blobs: Vec<Blob<'a>>,
    /// The manifest's (or index's) media type, digest and size.
    pub descriptor: &'a Descriptor,
    pub manifest: &'a [u8],
    pub children: Vec<Upload<'a>>,
}

/// What a push did, for people and `--json`.
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PushStats {
    pub uploaded: u32,
    pub mounted: u32,
    pub existing: u32,
    pub bytes_uploaded: u64,
}

/// A reference the image now answers to, with the digest the registry confirmed.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Pushed {
    pub reference: String,
    pub digest: Digest,
}

/// Pushes `image` to every target, one repository at a time: its blobs,
/// then its manifests, then each tag.
pub async fn push<H: Host>(
    client: &Client<'_, H>,
    image: &Upload<'_>,
    targets: &[Reference],
) -> Result<(Vec<Pushed>, PushStats), RegistryError> {
    let mut stats = PushStats::default();
    let mut pushed = Vec::new();
    let mut repos: Vec<Repository> = Vec::new();
    for t in targets {
        let repo = Repository::of(t);
        if !repos.contains(&repo) {
            repos.push(repo);
        }
    }
    for repo in &repos {
        let scopes = scopes_for(repo, image);
        client
            .authenticate(repo, &scopes, &format!("push to {repo}"))
            .await?;
        push_content(client, repo, &scopes, image, &mut stats).await?;
        let digest = &image.descriptor.digest;
        for t in targets.iter().filter(|t| Repository::of(t) == *repo) {
            let reference = t.tag().map_or_else(|| digest.to_string(), str::to_owned);
            put_manifest(client, repo, &scopes, image, &reference).await?;
            pushed.push(Pushed {
                reference: format!(
                    "{}/{}{}",
                    t.registry(),
                    t.repository(),
                    pushed_suffix(t, digest)
                ),
                digest: digest.clone(),
            });
        }
    }
    Ok((pushed, stats))
}

fn pushed_suffix(t: &Reference, digest: &Digest) -> String {
    match t.tag() {
        Some(tag) => format!(":{tag}@{digest}"),
        None => format!("@{digest}"),
    }
}

/// Push on the target, and pull on every repository a blob may be mounted
/// from, in one token: registries grant mounts only with both.
fn scopes_for(repo: &Repository, image: &Upload<'_>) -> Vec<Scope> {
    let mut scopes = vec![Scope::push(&repo.name)];
    collect_mount_scopes(repo, image, &mut scopes);
    auth::scope_set(scopes)
}

fn collect_mount_scopes(target: &Repository, image: &Upload<'_>, out: &mut Vec<Scope>) {
    for blob in &image.blobs {
        if let Some(from) = mount_source(target, blob.source) {
            out.push(Scope::pull(&from.name));
        }
    }
    for child in &image.children {
        collect_mount_scopes(target, child, out);
    }
}

/// Everything an image's manifest refers to: the listed images (each with
/// its manifest, by digest) and the blobs.
async fn push_content<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    image: &Upload<'_>,
    stats: &mut PushStats,
) -> Result<(), RegistryError> {
    for child in &image.children {
        Box::pin(push_content(client, repo, scopes, child, stats)).await?;
        let digest = child.descriptor.digest.to_string();
        put_manifest(client, repo, scopes, child, &digest).await?;
    }
    push_blobs(client, repo, scopes, &image.blobs, stats).await
}

/// Up to `parallel` blobs at once; the first failure stops the rest.
async fn push_blobs<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    blobs: &[Blob<'_>],
    stats: &mut PushStats,
) -> Result<(), RegistryError> {
    let mut pending = futures_util::stream::iter(blobs)
        .map(|blob| push_blob(client, repo, scopes, blob))
        .buffer_unordered(client.options.parallel.max(1));
    while let Some(outcome) = pending.next().await {
        match outcome? {
            Outcome::Existing => stats.existing += 1,
            Outcome::Mounted => stats.mounted += 1,
            Outcome::Uploaded(bytes) => {
                stats.uploaded += 1;
                stats.bytes_uploaded += bytes;
            }
        }
    }
    Ok(())
}

enum Outcome {
    Existing,
    Mounted,
    Uploaded(u64),
}

async fn push_blob<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    blob: &Blob<'_>,
) -> Result<Outcome, RegistryError> {
    let desc = &blob.desc;
    if exists(client, repo, scopes, desc).await? {
        transferred(client, desc, "exists");
        return Ok(Outcome::Existing);
    }
    let mut session = None;
    if let Some(from) = mount_source(repo, blob.source) {
        match mount(client, repo, scopes, from, desc).await? {
            None => {
                transferred(client, desc, "mount");
                return Ok(Outcome::Mounted);
            }
            // The registry could not mount it (the source is gone, or not
            // ours to read): upload into the session it opened instead.
            Some(location) => session = Some(location),
        }
    }
    let data = match blob.source {
        Source::Remote { repo: from, cache } => pulled(client, from, desc, cache).await?,
        Source::Layout(root) | Source::Mirrored { layout: root, .. } => {
            Data::File(Layout::new(client.host, root).blob_path(&desc.digest))
        }
        Source::Bytes(bytes) => Data::Bytes(bytes),
    };
    upload(client, repo, scopes, desc, &data, session).await?;
    Ok(Outcome::Uploaded(desc.size))
}

/// The repository a blob can be mounted from: another one on the target's registry.
fn mount_source<'a>(target: &Repository, source: Source<'a>) -> Option<&'a Repository> {
    match source {
        Source::Remote { repo, .. } | Source::Mirrored { repo, .. }
            if repo.api_host == target.api_host && repo.name != target.name =>
        {
            Some(repo)
        }
        _ => None,
    }
}

fn transferred<H: Host>(client: &Client<'_, H>, desc: &Descriptor, action: &str) {
    client.host.progress(&Progress::Transfer {
        digest: &desc.digest.to_string(),
        action,
        bytes: desc.size,
        total: desc.size,
    });
}

/// The blob's bytes, once the cache holds them.
async fn pulled<'a, H: Host>(
    client: &Client<'_, H>,
    from: &Repository,
    desc: &Descriptor,
    cache: &str,
) -> Result<Data<'a>, RegistryError> {
    let cache = Layout::new(client.host, cache);
    pull::fetch_blob(client, from, desc, &cache).await?;
    Ok(Data::File(cache.blob_path(&desc.digest)))
}

enum Data<'a> {
    File(String),
    Bytes(&'a [u8]),
}

impl Data<'_> {
    /// `len` bytes from `offset`, as a request body: a file range the host
    /// streams from disk, or a slice of the bytes.
    fn range(&self, offset: u64, len: u64) -> Body<'_> {
        match self {
            Data::File(path) => Body::File { path, offset, len },
            Data::Bytes(b) => {
                let start = (offset as usize).min(b.len());
                let end = start.saturating_add(len as usize).min(b.len());
                Body::Bytes(&b[start..end])
            }
        }
    }

    /// A file shorter or longer than the blob would fail half-way through
    /// an upload; it is found out before the first byte is sent.
    async fn check<H: Host>(&self, host: &H, desc: &Descriptor) -> Result<(), RegistryError> {
        let Data::File(path) = self else {
            return Ok(());
        };
        match host.stat(path).await? {
            Some(info) if info.size == desc.size => Ok(()),
            found => Err(RegistryError::Protocol {
                what: format!("blob {}", desc.digest),
                message: format!(
                    "{path} holds {} bytes, the manifest says {}",
                    found.map_or(0, |i| i.size),
                    desc.size
                ),
            }),
        }
    }
}

async fn exists<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    desc: &Descriptor,
) -> Result<bool, RegistryError> {
    let what = format!("blob {} in {repo}", desc.digest);
    let url = format!("/v2/{}/blobs/{}", repo.name, desc.digest);
    let resp = client
        .send(repo, scopes, &what, Request::new("HEAD", url))
        .await?;
    match resp.status {
        200 => {
            client.host.discard_body(resp.body).await;
            Ok(true)
        }
        404 => {
            client.host.discard_body(resp.body).await;
            Ok(false)
        }
        _ => Err(client.failure(repo, &what, "push", resp).await),
    }
}

/// A cross-repository mount: `None` when done, else the upload session the
/// registry opened instead (202).
async fn mount<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    from: &Repository,
    desc: &Descriptor,
) -> Result<Option<String>, RegistryError> {
    let what = format!("mount of {} from {from} into {repo}", desc.digest);
    let url = format!(
        "/v2/{}/blobs/uploads/?mount={}&from={}",
        repo.name,
        auth::encode(&desc.digest.to_string()),
        auth::encode(&from.name)
    );
    let resp = client
        .send(repo, scopes, &what, Request::new("POST", url))
        .await?;
    match resp.status {
        201 => {
            client.host.discard_body(resp.body).await;
            Ok(None)
        }
        202 => location(client, repo, &what, resp).await.map(Some),
        _ => Err(client.failure(repo, &what, "push", resp).await),
    }
}

async fn location<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    what: &str,
    resp: HttpResponse,
) -> Result<String, RegistryError> {
    let loc = resp.header("location").map(str::to_owned);
    client.host.discard_body(resp.body).await;
    loc.ok_or_else(|| RegistryError::Protocol {
        what: format!("{what} ({})", repo.registry),
        message: "the answer has no Location header".to_owned(),
    })
}

/// Why one upload attempt failed.
enum Failed {
    /// A fault that may pass: try the whole blob again in a new session.
    Transient(RegistryError),
    /// The final PUT went out but its answer never came: the registry
    /// may have the blob, and the session is then closed.
    Unanswered(RegistryError),
    /// The registry refuses bodies this large (413): use smaller chunks.
    TooLarge(RegistryError),
    Fatal(RegistryError),
}

/// Uploads a blob in a session of its own, restarting it on transient
/// failures: a half-written session cannot be trusted, a new one can.
/// When the answer to the final PUT is lost, the blob is looked for
/// first: a PUT into a session the registry has closed would fail.
async fn upload<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    desc: &Descriptor,
    data: &Data<'_>,
    mut session: Option<String>,
) -> Result<(), RegistryError> {
    data.check(client.host, desc).await?;
    report(client, desc, 0);
    let mut chunk = client.options.chunk_size.max(MIN_CHUNK);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let location = match session.take() {
            Some(l) => l,
            None => start(client, repo, scopes, desc).await?,
        };
        let outcome = if desc.size <= chunk as u64 {
            monolithic(client, repo, scopes, desc, data, location).await
        } else {
            chunked(client, repo, scopes, desc, data, location, chunk).await
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err(Failed::TooLarge(e)) => {
                if chunk <= MIN_CHUNK {
                    return Err(e);
                }
                let largest = (desc.size as usize).min(chunk);
                chunk = (largest / 4).max(MIN_CHUNK);
            }
            Err(Failed::Unanswered(_)) if exists(client, repo, scopes, desc).await? => {
                report(client, desc, desc.size);
                return Ok(());
            }
            Err(Failed::Transient(_) | Failed::Unanswered(_)) if attempt < MAX_ATTEMPTS => {
                client.pause(attempt, None).await;
            }
            Err(Failed::Transient(e) | Failed::Unanswered(e) | Failed::Fatal(e)) => return Err(e),
        }
    }
}

async fn start<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    desc: &Descriptor,
) -> Result<String, RegistryError> {
    let what = format!("upload of {} to {repo}", desc.digest);
    let url = format!("/v2/{}/blobs/uploads/", repo.name);
    let resp = client
        .send(repo, scopes, &what, Request::new("POST", url))
        .await?;
    if resp.status != 202 {
        return Err(client.failure(repo, &what, "push", resp).await);
    }
    location(client, repo, &what, resp).await
}

/// One PUT with the whole blob.
async fn monolithic<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    desc: &Descriptor,
    data: &Data<'_>,
    location: String,
) -> Result<(), Failed> {
    let what = format!("upload of {} to {repo}", desc.digest);
    let digest = desc.digest.to_string();
    let req = Request::new("PUT", with_digest(&location, &desc.digest))
        .header("content-type", OCTET_STREAM)
        .body(data.range(0, desc.size))
        .progress(UploadProgress {
            digest: &digest,
            offset: 0,
            total: desc.size,
        })
        .once();
    let resp = send_once(client, repo, scopes, &what, req, Sent::Last).await?;
    finish(client, repo, &what, resp, 201).await?;
    report(client, desc, desc.size);
    Ok(())
}

/// PATCHes of `chunk` bytes, then a PUT that names the digest.
async fn chunked<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    desc: &Descriptor,
    data: &Data<'_>,
    mut location: String,
    chunk: usize,
) -> Result<(), Failed> {
    let what = format!("upload of {} to {repo}", desc.digest);
    let digest = desc.digest.to_string();
    let mut offset = 0u64;
    while offset < desc.size {
        let want = (chunk as u64).min(desc.size - offset);
        let end = offset + want - 1;
        let req = Request::new("PATCH", location.clone())
            .header("content-type", OCTET_STREAM)
            .header("content-range", &format!("{offset}-{end}"))
            .body(data.range(offset, want))
            .progress(UploadProgress {
                digest: &digest,
                offset,
                total: desc.size,
            })
            .once();
        let resp = send_once(client, repo, scopes, &what, req, Sent::Part).await?;
        let next = resp.header("location").map(str::to_owned);
        finish(client, repo, &what, resp, 202).await?;
        location = next.unwrap_or(location);
        offset += want;
        report(client, desc, offset);
    }
    let req = Request::new("PUT", with_digest(&location, &desc.digest)).once();
    let resp = send_once(client, repo, scopes, &what, req, Sent::Last).await?;
    finish(client, repo, &what, resp, 201).await
}

fn report<H: Host>(client: &Client<'_, H>, desc: &Descriptor, bytes: u64) {
    client.host.progress(&Progress::Transfer {
        digest: &desc.digest.to_string(),
        action: "push",
        bytes,
        total: desc.size,
    });
}

/// Which request of an upload session is sent.
#[derive(Clone, Copy, PartialEq)]
enum Sent {
    /// A PATCH: the session stays open whatever happens to it.
    Part,
    /// The PUT that names the digest and closes the session.
    Last,
}

/// Sends a request of an upload session, sorting a failure for `upload`.
async fn send_once<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    what: &str,
    req: Request<'_>,
    sent: Sent,
) -> Result<HttpResponse, Failed> {
    client
        .send(repo, scopes, what, req)
        .await
        .map_err(|e| match e {
            RegistryError::Network { .. } if sent == Sent::Last => Failed::Unanswered(e),
            RegistryError::Network { .. } => Failed::Transient(e),
            e => Failed::Fatal(e),
        })
}

/// Checks a session answer: `expected`, or a failure sorted for `upload`.
async fn finish<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    what: &str,
    resp: HttpResponse,
    expected: u16,
) -> Result<(), Failed> {
    let status = resp.status;
    if status == expected {
        client.host.discard_body(resp.body).await;
        return Ok(());
    }
    let e = client.failure(repo, what, "push", resp).await;
    Err(if status == 413 {
        Failed::TooLarge(e)
    } else if retry::retryable_status(status) {
        Failed::Transient(e)
    } else {
        Failed::Fatal(e)
    })
}

fn with_digest(location: &str, digest: &Digest) -> String {
    let sep = if location.contains('?') { '&' } else { '?' };
    format!(
        "{location}{sep}digest={}",
        auth::encode(&digest.to_string())
    )
}

/// PUTs `image`'s manifest under `reference`, and checks that the registry
/// stored those bytes.
async fn put_manifest<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    scopes: &[Scope],
    image: &Upload<'_>,
    reference: &str,
) -> Result<(), RegistryError> {
    let ours = &image.descriptor.digest;
    let what = format!("manifest {repo}:{reference}");
    let url = format!("/v2/{}/manifests/{reference}", repo.name);
    let req = Request::new("PUT", url)
        .header("content-type", &image.descriptor.media_type)
        .body(Body::Bytes(image.manifest));
    let resp = client.send(repo, scopes, &what, req).await?;
    if resp.status != 201 {
        return Err(client.failure(repo, &what, "push", resp).await);
    }
    let confirmed = resp.header("docker-content-digest").map(str::to_owned);
    client.host.discard_body(resp.body).await;
    match confirmed.map(|d| d.parse::<Digest>()) {
        Some(Ok(theirs)) if theirs != *ours => Err(RegistryError::Protocol {
            what,
            message: format!("the registry stored it as {theirs}, not {ours}"),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(api_host: &str, name: &str) -> Repository {
        Repository {
            registry: api_host.to_owned(),
            api_host: api_host.to_owned(),
            name: name.to_owned(),
        }
    }

    fn blob(source: Source<'_>) -> Blob<'_> {
        let d: Digest = format!("sha256:{}", "b".repeat(64))
            .parse()
            .unwrap_or_else(|_| unreachable!());
        Blob {
            desc: Descriptor::new("application/octet-stream", d, 1),
            source,
        }
    }

    #[test]
    fn mounts_only_from_other_repositories_of_the_same_registry() {
        let target = repo("r:5000", "team/app");
        let same = repo("r:5000", "library/python");
        let other = repo("elsewhere", "library/python");
        let itself = repo("r:5000", "team/app");
        let remote = |r| Source::Remote {
            repo: r,
            cache: "/c",
        };
        let mirrored = |r| Source::Mirrored {
            layout: "/l",
            repo: r,
        };
        assert_eq!(mount_source(&target, remote(&same)), Some(&same));
        assert_eq!(mount_source(&target, mirrored(&same)), Some(&same));
        assert_eq!(mount_source(&target, remote(&other)), None);
        assert_eq!(mount_source(&target, remote(&itself)), None);
        assert_eq!(mount_source(&target, Source::Layout("/l")), None);

        let descriptor = blob(Source::Bytes(b"")).desc;
        let image = Upload {
            blobs: vec![
                blob(remote(&same)),
                blob(remote(&other)),
                blob(Source::Bytes(b"{}")),
            ],
            descriptor: &descriptor,
            manifest: &[],
            children: Vec::new(),
        };
        // One token: push on the target, pull on the mount source only.
        assert_eq!(
            scopes_for(&target, &image),
            vec![Scope::pull("library/python"), Scope::push("team/app")]
        );
    }

    #[test]
    fn digest_goes_into_the_location_query() {
        let d: Digest = format!("sha256:{}", "a".repeat(64))
            .parse()
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(
            with_digest("/v2/a/blobs/uploads/u1?_state=x", &d),
            format!(
                "/v2/a/blobs/uploads/u1?_state=x&digest=sha256%3A{}",
                "a".repeat(64)
            )
        );
        assert!(with_digest("/v2/a/blobs/uploads/u1", &d).contains("/u1?digest="));
    }
}
