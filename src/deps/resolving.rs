//! Runs the resolver against the index: its fetches many at once, each
//! answer given back as it arrives, and what a warm cache makes free —
//! each wheel's metadata kept by the wheel's hash, the pages the project's last
//! resolution needed asked for at once, and the chosen wheels downloaded
//! while the resolver is still at work.

use std::collections::VecDeque;

use futures_util::stream::FuturesUnordered;
use futures_util::{future, FutureExt, StreamExt};

use super::download;
use super::pins::{download_one, page_of, wheel_metadata, Context};
use super::DepsError;
use crate::cache;
use crate::host::{Host, Progress};
use pycontainer_digest::Digest;
use pycontainer_pypi::index::{ProjectFile, ProjectPage};
use pycontainer_pypi::resolve::{self, Fetch, Resolver, Step};
use pycontainer_python::name::PackageName;

/// Index requests in flight at once while resolving. Pages and metadata
/// files are small, so each costs a round trip more than bandwidth; 16 is
/// the Node host's sockets per origin over HTTP/1.1. Over HTTP/2 they
/// share one connection, and 32 measured no faster (the core's work on
/// the pages, not the network, is what a warm resolution waits for).
const RESOLVE_FETCHES: usize = 16;

/// Wheels downloaded at once while resolving: they share the sockets with
/// the resolver's own requests, which matter more.
const PREFETCH_DOWNLOADS: usize = 4;

/// A wheel up to this size, whose metadata the index does not list, is
/// downloaded for it straight away rather than after asking for a
/// `.metadata` file the index may not have: the install needs the wheel
/// anyway once it is chosen, and on an index without such files the probe
/// is a round trip of pure delay on the resolution's critical path (this
/// machine's index: 120–160 ms for each 404, then 3–30 ms for the wheel).
const PROBE_ABOVE: u64 = 4 << 20;

/// At most this many pages are asked for on a hint, so that a hints file
/// gone wrong cannot send a flood of requests.
const MAX_HINTS: usize = 200;

/// A wheel a direct URL or path names, as the one file of its package.
pub type DirectWheel = (PackageName, ProjectFile);

/// Runs the resolver, stepping again as soon as any answer arrives rather
/// than once a step's every fetch is back, so that the page of a package
/// first named by one answer is asked for while the others are still on
/// their way (uv's prefetching, from what PubGrub itself asks for). The
/// resolution is the same whatever order answers arrive in (see
/// `pycontainer_pypi::resolve`). A fetch that fails fails the build only if
/// a later step still needs it: a version the resolver has moved away from
/// may have no readable metadata.
///
/// `hints` is where the packages of this project's last resolution are
/// recorded: their pages are asked for at the start, all at once, instead of
/// one dependency level per round trip. A hint is only a guess: a page the
/// resolver never needs costs a request and changes nothing.
pub async fn resolve<H: Host>(
    cx: &Context<'_, H>,
    mut resolver: Resolver,
    direct: Vec<DirectWheel>,
    hints: &str,
) -> Result<resolve::Resolution, DepsError> {
    cx.host.progress(&Progress::Phase { name: "resolve" });
    for (name, file) in direct {
        resolver.add_page(&name, ProjectPage { files: vec![file] });
    }
    // Every fetch started (answered or not), those waiting for a free slot,
    // and those that failed.
    let mut asked: Vec<Fetch> = Vec::new();
    let mut waiting: VecDeque<Fetch> = VecDeque::new();
    let mut failed: Vec<(Fetch, DepsError)> = Vec::new();
    let mut running = FuturesUnordered::new();
    let mut downloads = Downloads::new(cx);
    let hinted = read_hints(cx.host, hints).await;
    for name in &hinted {
        let page = Fetch::Page {
            url: resolver.page_url(name),
            name: name.clone(),
        };
        asked.push(page.clone());
        waiting.push_back(page);
    }
    loop {
        match resolver.step() {
            Step::Done(resolution) => {
                // Answers nothing needs any more: let them land (a wheel read for its
                // metadata is being written into the cache) rather than cut them off.
                while running.next().await.is_some() {}
                downloads.finish().await;
                write_hints(cx.host, hints, &hinted, &resolution).await;
                return Ok(resolution);
            }
            Step::Failed(e) => return Err(e.into()),
            Step::Need(fetches) => {
                for f in fetches {
                    if let Some(i) = failed.iter().position(|(g, _)| *g == f) {
                        return Err(failed.swap_remove(i).1);
                    }
                    if !asked.contains(&f) {
                        downloads.wanted(&f);
                        asked.push(f.clone());
                        waiting.push_back(f);
                    }
                }
            }
        }
        while running.len() < RESOLVE_FETCHES {
            let Some(f) = waiting.pop_front() else { break };
            running.push(async move {
                let answer = fetch(cx, &f).await;
                (f, answer)
            });
        }
        // Downloads move along while the resolver waits for its answers.
        let first = downloads.next(&mut running).await;
        let Some(first) = first else {
            return Err(DepsError::Resolve(resolve::ResolveError::Internal {
                reason: "the resolver asked again for what it was given".to_owned(),
            }));
        };
        // Every other answer already back joins this one before the next step.
        let mut got = vec![first];
        while let Some(Some(one)) = running.next().now_or_never() {
            got.push(one);
        }
        for (f, answer) in got {
            match answer {
                Ok(answer) => apply(&mut resolver, &f, answer),
                Err(e) => failed.push((f, e)),
            }
        }
    }
}

/// The wheels the resolver has chosen so far, downloaded into the cache
/// (where the install finds them by hash) while it goes on, as uv starts
/// its downloads during resolution. Only wheels whose metadata came from a
/// PEP 658 file: a wheel read for its metadata is downloaded anyway, and an
/// sdist is built by its own fetch. A wheel backtracking drops stays in the
/// cache, unused.
struct Downloads<'c, H: Host> {
    cx: &'c Context<'c, H>,
    queued: VecDeque<ProjectFile>,
    active: FuturesUnordered<future::LocalBoxFuture<'c, ()>>,
}

impl<'c, H: Host> Downloads<'c, H> {
    fn new(cx: &'c Context<'c, H>) -> Self {
        Downloads {
            cx,
            queued: VecDeque::new(),
            active: FuturesUnordered::new(),
        }
    }

    fn wanted(&mut self, f: &Fetch) {
        if let Fetch::Metadata { wheel, .. } = f {
            if !wheel.url.starts_with("file://") {
                self.queued.push_back(wheel.clone());
            }
        }
        self.start();
    }

    fn start(&mut self) {
        while self.active.len() < PREFETCH_DOWNLOADS {
            let Some(wheel) = self.queued.pop_front() else {
                break;
            };
            let cx = self.cx;
            self.active.push(Box::pin(async move {
                // A failure is the install's to report, with its context;
                // here a download is only a head start.
                let _ = download_one(cx, &wheel).await;
            }));
        }
    }

    /// Waits for the next of `answers`, moving the downloads along meanwhile.
    async fn next<T>(&mut self, answers: &mut FuturesUnordered<T>) -> Option<T::Output>
    where
        T: std::future::Future,
    {
        loop {
            if self.active.is_empty() {
                return answers.next().await;
            }
            match future::select(answers.next(), self.active.next()).await {
                future::Either::Left((answer, _)) => return answer,
                future::Either::Right(_) => self.start(),
            }
        }
    }

    /// Lets the downloads under way finish, so that the install never
    /// downloads a wheel a second time; those not yet started are left to
    /// it, which downloads with more at once.
    async fn finish(&mut self) {
        self.queued.clear();
        while self.active.next().await.is_some() {}
    }
}

/// What one fetch brought back.
enum Answer {
    Page(Option<ProjectPage>),
    Metadata(Vec<u8>),
}

async fn fetch<H: Host>(cx: &Context<'_, H>, f: &Fetch) -> Result<Answer, DepsError> {
    match f {
        Fetch::Page { name, .. } => Ok(Answer::Page(page_of(cx, name, None).await?)),
        Fetch::Metadata {
            url, hashes, wheel, ..
        } => {
            let expected = hashes
                .iter()
                .find(|(alg, _)| alg == "sha256")
                .map(|(_, hex)| hex.as_str());
            // A record is checked again: it is only as good as the disk it is on.
            let usable = |body: &[u8]| {
                expected.is_none_or(|hex| check_metadata_hash(url, hex, body).is_ok())
            };
            kept(cx, wheel, usable, async {
                let creds = &cx.indexes.credentials;
                match download::read_page(cx.host, url, None, creds).await? {
                    Some((body, _, _)) => {
                        if let Some(hex) = expected {
                            check_metadata_hash(url, hex, &body)?;
                        }
                        Ok(body)
                    }
                    None => wheel_metadata(cx, wheel).await,
                }
            })
            .await
        }
        Fetch::Sdist {
            name,
            version,
            sdist,
        } => {
            let path = download_one(cx, sdist).await?;
            let built =
                super::sdist::build(cx.host, cx.cache, &path, name, version, &sdist.filename)
                    .await?;
            Ok(Answer::Metadata(built.metadata))
        }
        Fetch::WheelMetadata { wheel, .. } => {
            if wheel.url.starts_with("file://") {
                return wheel_metadata(cx, wheel).await.map(Answer::Metadata);
            }
            kept(cx, wheel, |_| true, async {
                if wheel.size.is_some_and(|size| size <= PROBE_ABOVE) {
                    return wheel_metadata(cx, wheel).await;
                }
                // Some indexes serve PEP 658 files without saying so; one
                // small GET may save downloading a large wheel that
                // backtracking drops.
                let url = format!("{}.metadata", wheel.url);
                let creds = &cx.indexes.credentials;
                match download::read_page(cx.host, &url, None, creds).await {
                    Ok(Some((body, _, _))) => Ok(body),
                    _ => wheel_metadata(cx, wheel).await,
                }
            })
            .await
        }
    }
}

/// A wheel's metadata from its record when `usable` takes it, else what
/// `made` brings, which is then kept (see [`metadata_record`]).
async fn kept<H: Host>(
    cx: &Context<'_, H>,
    wheel: &ProjectFile,
    usable: impl Fn(&[u8]) -> bool,
    made: impl std::future::Future<Output = Result<Vec<u8>, DepsError>>,
) -> Result<Answer, DepsError> {
    let record = metadata_record(cx, wheel);
    if let Some(path) = record.as_deref() {
        if let Some(body) = cache::read_record(cx.host, path)
            .await
            .filter(|b| usable(b))
        {
            return Ok(Answer::Metadata(body));
        }
    }
    let body = made.await?;
    if let Some(path) = record.as_deref() {
        cache::write_record(cx.host, path, &body).await;
    }
    Ok(Answer::Metadata(body))
}

/// Where a wheel's core metadata is kept, by the wheel's sha256: a wheel
/// never changes, nor does what it says about itself, so a warm resolution
/// reads it from here instead of asking the index. `None` for a wheel the
/// index gave no sha256 for.
fn metadata_record<H: Host>(cx: &Context<'_, H>, wheel: &ProjectFile) -> Option<String> {
    let digest: Digest = format!("sha256:{}", wheel.sha256()?).parse().ok()?;
    Some(format!(
        "{}/{}/{}",
        cx.cache.root(),
        cache::METADATA_RECORDS,
        digest.hex()
    ))
}

fn apply(resolver: &mut Resolver, f: &Fetch, answer: Answer) {
    match (f, answer) {
        (Fetch::Page { name, .. }, Answer::Page(Some(page))) => resolver.add_page(name, page),
        (Fetch::Page { name, .. }, Answer::Page(None)) => resolver.add_not_found(name),
        (
            Fetch::Metadata { name, version, .. }
            | Fetch::WheelMetadata { name, version, .. }
            | Fetch::Sdist { name, version, .. },
            Answer::Metadata(body),
        ) => resolver.add_metadata(name, version, &body),
        _ => {}
    }
}

fn check_metadata_hash(url: &str, expected: &str, body: &[u8]) -> Result<(), DepsError> {
    let actual = Digest::of(pycontainer_digest::Sha256::portable(), body);
    if actual.hex() != expected {
        return Err(DepsError::HashMismatch {
            filename: filename(url),
            url: pycontainer_python::url::redacted(url),
            expected: expected.to_owned(),
            actual: actual.hex().to_owned(),
        });
    }
    Ok(())
}

fn filename(url: &str) -> String {
    url.rsplit('/').next().unwrap_or(url).to_owned()
}

/// The package names the last resolution recorded at `path`; none when
/// there is no record or it cannot be read (a hint is never an error).
async fn read_hints<H: Host>(host: &H, path: &str) -> Vec<PackageName> {
    let Some(bytes) = cache::read_record(host, path).await else {
        return Vec::new();
    };
    let names: Vec<String> = serde_json::from_slice(&bytes).unwrap_or_default();
    names
        .iter()
        .filter_map(|n| PackageName::new(n).ok())
        .take(MAX_HINTS)
        .collect()
}

/// Records the resolution's package names for the next resolution of the
/// same project, unless they are what was read.
async fn write_hints<H: Host>(
    host: &H,
    path: &str,
    read: &[PackageName],
    resolution: &resolve::Resolution,
) {
    let names: Vec<&PackageName> = resolution.packages.iter().map(|p| &p.name).collect();
    if names.iter().copied().eq(read.iter()) {
        return;
    }
    let text: Vec<String> = names.iter().map(ToString::to_string).collect();
    if let Ok(bytes) = serde_json::to_vec(&text) {
        cache::write_record(host, path, &bytes).await;
    }
}
