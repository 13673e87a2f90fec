//! One wheel per package for the target: from a lock as it stands, or from
//! a resolution against the index, which is then written down as a lock.

use futures_util::StreamExt;

use crate::config::DepsSettings;
use crate::host::Host;
use crate::layout::Layout;
use crate::project::Project;
use pycontainer_digest::Digest;
use pycontainer_python::name::PackageName;
use pycontainer_python::pep440::Version;
use pycontainer_python::pep508::{MarkerEnv, Requirement};
use pycontainer_python::wheel::WheelName;

use super::download::{self, Wanted};
use super::indexes::Indexes;
use super::input::{Format, Input};
use super::pagecache::PageCache;
use super::resolving::{self, DirectWheel};
use super::{lockfile, project, DepsError, DepsRequest};
use crate::wheelfile::WheelFile;
use pycontainer_pypi::index::{self, ProjectFile, ProjectPage};
use pycontainer_pypi::lock::requirements::Requirements;
use pycontainer_pypi::lock::{self, FileHash, Locked, Pinned, Selection};
use pycontainer_pypi::ownlock;
use pycontainer_pypi::resolve::{self, Resolver};
use pycontainer_python::tags::{Tags, Target};

/// A package at a version, and the wheel of it the target installs (or
/// the sdist a wheel is built from).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    pub name: PackageName,
    pub version: Version,
    pub wanted: Wanted,
}

impl Pick {
    /// The file is an sdist, which the install builds a wheel from.
    pub fn is_sdist(&self) -> bool {
        pycontainer_sdist::is_sdist(&self.wanted.filename)
    }
}

/// Everything `pick` needs besides the input.
pub struct Context<'a, H: Host> {
    pub host: &'a H,
    pub cache: &'a Layout<'a, H>,
    pub target: &'a Target,
    pub tags: Tags,
    pub indexes: Indexes,
    pub parallel: usize,
    /// The project directory, which relative wheel paths are taken from.
    pub context: &'a str,
}

impl<'a, H: Host> Context<'a, H> {
    /// The same context with a requirements file's `--index-url` and
    /// `--extra-index-url`, which settings from flags or config override,
    /// and the credentials of the direct URLs among `requirements`, for
    /// their hosts: the lock records those URLs without them.
    fn with_indexes(
        &self,
        settings: &DepsSettings,
        reqs: Option<&Requirements>,
        requirements: &[Requirement],
    ) -> Context<'a, H> {
        let from_file: Vec<String> = reqs
            .map(|r| {
                r.index_url
                    .iter()
                    .chain(&r.extra_index_urls)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut indexes = Indexes::new(settings, &from_file);
        indexes.credentials.extend(
            requirements
                .iter()
                .filter_map(|r| r.url.as_ref())
                .filter_map(|u| download::split_credentials(u.fetched()).1),
        );
        Context {
            host: self.host,
            cache: self.cache,
            target: self.target,
            tags: Tags::for_target(self.target),
            indexes,
            parallel: self.parallel,
            context: self.context,
        }
    }
}

/// A resolution to write down as a lock once the layer it makes exists, so
/// that a failed build leaves the context as it was.
pub struct PendingLock {
    path: String,
    text: String,
    /// What the text was made from, for a lock of several platforms.
    resolution: resolve::Resolution,
    inputs: String,
    target: Target,
}

impl PendingLock {
    /// One lock for every platform of a multi-platform build, each of which
    /// resolved on its own; `None` when they resolved to different
    /// packages (see `ownlock::render_all`).
    pub fn merged(locks: &[&PendingLock]) -> Option<PendingLock> {
        let first = locks.first()?;
        let parts: Vec<_> = locks
            .iter()
            .map(|l| (&l.resolution, l.inputs.as_str(), &l.target))
            .collect();
        Some(PendingLock {
            path: first.path.clone(),
            text: ownlock::render_all(&parts)?,
            resolution: first.resolution.clone(),
            inputs: first.inputs.clone(),
            target: first.target.clone(),
        })
    }

    /// Where the lock goes.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the lock will say: the app layer ships these bytes when the
    /// lock is in the context, so the first build equals the next.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub async fn write<H: Host>(&self, host: &H) {
        lockfile::write(host, &self.path, &self.text).await;
    }
}

/// The wheels to install, sorted by package name, and the lock to write
/// when they come from a new resolution. `text` is the input file's.
pub async fn pick<H: Host>(
    cx: &Context<'_, H>,
    req: &DepsRequest<'_>,
    text: Option<&str>,
) -> Result<(Vec<Pick>, Option<PendingLock>), DepsError> {
    let env = cx.target.marker_env();
    match read_lock(req.input, req.project, req.selection, text, &env)? {
        Some(locked) => Ok((from_locked(cx, &locked).await?, None)),
        None => resolved(cx, req).await,
    }
}

/// What a lock pins for `env`; `None` when the input is no lock (a
/// requirements file, or the project's list, which are resolved). `text`
/// is the input file's.
pub fn read_lock(
    input: &Input,
    project: &Project,
    selection: &Selection,
    text: Option<&str>,
    env: &MarkerEnv,
) -> Result<Option<Locked>, DepsError> {
    let name = input.file_name();
    let locked = match (input.format, text) {
        (Format::Pylock, Some(text)) => lock::pylock::read(text, &name, env, selection),
        (Format::UvLock, Some(text)) => {
            lock::uvlock::read(text, &name, env, selection, input.member())
        }
        (Format::PoetryLock, Some(text)) => {
            // A parent's lock also holds the context's packages when the context is its
            // path dependency: the roots are still the context's own requirements.
            let roots = project::requirements(project, selection)?;
            lock::poetry::read(text, &name, env, selection, &roots)
        }
        _ => return Ok(None),
    }?;
    Ok(Some(locked))
}

/// The `requires-python` at the top of a pylock.toml or uv.lock, which the
/// image's Python must satisfy as the project's does. poetry.lock's
/// `python-versions` repeats pyproject.toml's, which is read already.
pub fn lock_requires_python(
    input: &Input,
    text: Option<&str>,
) -> Result<Option<String>, DepsError> {
    let name = input.file_name();
    Ok(match (input.format, text) {
        (Format::Pylock, Some(text)) => lock::pylock::requires_python(text, &name)?,
        (Format::UvLock, Some(text)) => lock::uvlock::requires_python(text, &name)?,
        _ => None,
    })
}

/// Pins from a lock: each package's best wheel among the files it lists,
/// or among the index's files for that version when it lists none.
pub async fn from_locked<H: Host>(
    cx: &Context<'_, H>,
    locked: &Locked,
) -> Result<Vec<Pick>, DepsError> {
    // Packages whose files the lock does not name ask the index, so they
    // go `parallel` at a time; `buffered` keeps the lock's order.
    futures_util::stream::iter(&locked.packages)
        .map(|pinned| from_pinned(cx, pinned, &locked.source))
        .buffered(cx.parallel.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

async fn from_pinned<H: Host>(
    cx: &Context<'_, H>,
    pinned: &Pinned,
    source: &str,
) -> Result<Pick, DepsError> {
    let listed = best_listed(&cx.tags, pinned);
    let needs_index = listed.as_ref().is_none_or(|f| f.url.is_none());
    let page = if needs_index {
        page_of(cx, &pinned.name, pinned.index.as_deref()).await?
    } else {
        None
    };
    let chosen = match (listed, &page) {
        (Some(file), Some(page)) if file.url.is_none() => page
            .files
            .iter()
            .find(|f| f.filename == file.filename)
            .map(|f| chosen_from(f, &file.hashes)),
        (Some(file), _) => Some(Chosen {
            filename: file.filename.clone(),
            url: file.url.clone().unwrap_or_default(),
            hashes: file.hashes.clone(),
            size: file.size,
        }),
        (None, Some(page)) if pinned.files.is_empty() => {
            best_on_page(&cx.tags, page, &pinned.version, &pinned.hashes)
        }
        _ => None,
    };
    let Some(chosen) = chosen else {
        if let Some(unlisted) = page
            .as_ref()
            .filter(|_| !pinned.hashes.is_empty())
            .and_then(|p| best_on_page(&cx.tags, p, &pinned.version, &[]))
        {
            return Err(DepsError::HashNotListed {
                package: pinned.name.to_string(),
                version: pinned.version.to_string(),
                origin: source.to_owned(),
                filename: unlisted.filename,
                hash: unlisted
                    .hashes
                    .iter()
                    .find(|h| h.algorithm == "sha256")
                    .map_or_else(|| "unknown".to_owned(), |h| h.to_string()),
            });
        }
        return Err(no_wheel(cx, pinned, source, page.as_ref()).await?);
    };
    let url = local_url(cx, &chosen.url);
    Ok(Pick {
        name: pinned.name.clone(),
        version: pinned.version.clone(),
        wanted: Wanted {
            sha256: sha256_of(&chosen.hashes, &chosen.filename)?,
            url,
            filename: chosen.filename,
            size: chosen.size,
        },
    })
}

/// A wheel named by path (a vendored wheel in a requirements file) as a
/// `file://` URL. Relative paths are taken from the context, as pip takes
/// them from the directory it runs in.
fn local_url<H: Host>(cx: &Context<'_, H>, url: &str) -> String {
    if url.contains("://") {
        return url.to_owned();
    }
    let path = url.trim_start_matches("./");
    if path.starts_with('/') {
        format!("file://{path}")
    } else {
        format!("file://{}/{path}", cx.context.trim_end_matches('/'))
    }
}

struct Chosen {
    filename: String,
    url: String,
    hashes: Vec<FileHash>,
    size: Option<u64>,
}

/// The file with the lock's hashes for it first, then the index's. Hashes
/// that any file may match (requirements `--hash`) are not among them:
/// they select the file instead.
fn chosen_from(file: &ProjectFile, listed: &[FileHash]) -> Chosen {
    let mut hashes: Vec<FileHash> = listed.to_vec();
    hashes.extend(
        file.hashes
            .iter()
            .filter_map(|(alg, hex)| FileHash::new(alg, hex)),
    );
    Chosen {
        filename: file.filename.clone(),
        url: file.url.clone(),
        hashes,
        size: file.size,
    }
}

/// The lock's best wheel for the target, by tag priority, then name; else
/// the sdist it lists, which is then built.
fn best_listed<'a>(tags: &Tags, pinned: &'a Pinned) -> Option<&'a lock::LockedFile> {
    pinned
        .files
        .iter()
        .filter_map(|f| Some((priority(tags, &f.filename, &pinned.version)?, f)))
        .min_by(|(a, fa), (b, fb)| a.cmp(b).then_with(|| fa.filename.cmp(&fb.filename)))
        .map(|(_, f)| f)
        .or_else(|| {
            pinned
                .files
                .iter()
                .find(|f| pycontainer_sdist::is_sdist(&f.filename))
        })
}

/// The index's best wheel of `version`, else its sdist; with hashes given (hash-checking
/// mode), only a file that has one of them counts.
fn best_on_page(
    tags: &Tags,
    page: &ProjectPage,
    version: &Version,
    hashes: &[FileHash],
) -> Option<Chosen> {
    page.files
        .iter()
        .filter(|f| {
            hashes.is_empty()
                || f.hashes
                    .iter()
                    .any(|(alg, hex)| hashes.iter().any(|h| h.algorithm == *alg && h.hex == *hex))
        })
        .filter_map(|f| {
            let rank = match priority(tags, &f.filename, version) {
                Some(rank) => rank,
                // After every wheel: the version's sdist, which is then built.
                None if pycontainer_sdist::is_sdist(&f.filename)
                    && version_of(&f.filename).as_ref() == Some(version) =>
                {
                    usize::MAX
                }
                None => return None,
            };
            Some((rank, f))
        })
        .min_by(|(a, fa), (b, fb)| a.cmp(b).then_with(|| fa.filename.cmp(&fb.filename)))
        .map(|(_, f)| chosen_from(f, &[]))
}

fn priority(tags: &Tags, filename: &str, version: &Version) -> Option<usize> {
    let wheel = WheelName::parse(filename).ok()?;
    if wheel.version != *version {
        return None;
    }
    tags.priority(&wheel)
}

/// The sha256 the download must have: the lock's, else the index's.
fn sha256_of(hashes: &[FileHash], filename: &str) -> Result<Option<Digest>, DepsError> {
    let Some(hash) = hashes.iter().find(|h| h.algorithm == "sha256") else {
        return Ok(None);
    };
    format!("sha256:{}", hash.hex)
        .parse::<Digest>()
        .map(Some)
        .map_err(|_| DepsError::BadHash {
            filename: filename.to_owned(),
            hash: hash.to_string(),
        })
}

/// The error for a pinned package with no wheel the target can use, with
/// the nearest version that has one.
async fn no_wheel<H: Host>(
    cx: &Context<'_, H>,
    pinned: &Pinned,
    source: &str,
    page: Option<&ProjectPage>,
) -> Result<DepsError, DepsError> {
    let fetched;
    let page = match page {
        Some(p) => Some(p),
        None => {
            fetched = page_of(cx, &pinned.name, pinned.index.as_deref()).await?;
            fetched.as_ref()
        }
    };
    let files: Vec<String> = match page {
        Some(p) => p
            .files
            .iter()
            .filter(|f| version_of(&f.filename).as_ref() == Some(&pinned.version))
            .map(|f| f.filename.clone())
            .collect(),
        None => pinned.files.iter().map(|f| f.filename.clone()).collect(),
    };
    Ok(DepsError::NoWheel {
        package: pinned.name.to_string(),
        version: pinned.version.to_string(),
        origin: source.to_owned(),
        target: cx.target.describe(),
        sdist_only: !files.is_empty() && files.iter().all(|f| !f.ends_with(".whl")),
        nearest: page
            .and_then(|p| nearest(&cx.tags, p, &pinned.version))
            .map(|v| v.to_string()),
    })
}

/// The version closest to `version` that has a wheel for the target; the
/// later one on a tie.
pub fn nearest(tags: &Tags, page: &ProjectPage, version: &Version) -> Option<Version> {
    let mut with_wheel: Vec<Version> = page
        .files
        .iter()
        .filter(|f| f.yanked.is_none())
        .filter_map(|f| WheelName::parse(&f.filename).ok())
        .filter(|w| tags.priority(w).is_some())
        .map(|w| w.version)
        .collect();
    pycontainer_sort::sort(&mut with_wheel);
    with_wheel.dedup();
    let at = with_wheel.partition_point(|v| v < version);
    let after = with_wheel.get(at);
    let before = at.checked_sub(1).and_then(|i| with_wheel.get(i));
    match (before, after) {
        (Some(b), Some(a)) => {
            // Closeness by release segments: same minor beats same major.
            let shared = |v: &Version| {
                v.release()
                    .iter()
                    .zip(version.release())
                    .take_while(|(x, y)| x == y)
                    .count()
            };
            Some(if shared(b) > shared(a) { b } else { a }.clone())
        }
        (Some(v), None) | (None, Some(v)) => Some(v.clone()),
        (None, None) => None,
    }
}

/// A file's version, for a wheel or an sdist named `name-version.tar.gz`.
fn version_of(filename: &str) -> Option<Version> {
    if let Ok(w) = WheelName::parse(filename) {
        return Some(w.version);
    }
    let stem = filename
        .strip_suffix(".tar.gz")
        .or_else(|| filename.strip_suffix(".zip"))?;
    stem.rsplit_once('-')?.1.parse().ok()
}

/// The project's page from the first index that has it (uv's
/// `first-index` rule, which keeps a public index from shadowing a
/// private package), trying first the index the lock names.
pub(super) async fn page_of<H: Host>(
    cx: &Context<'_, H>,
    name: &PackageName,
    preferred: Option<&str>,
) -> Result<Option<ProjectPage>, DepsError> {
    let indexes: Vec<&str> = preferred
        .into_iter()
        .chain(cx.indexes.urls.iter().map(String::as_str))
        .collect();
    let dir = format!("{}/{}", cx.cache.root(), crate::cache::INDEX_PAGES);
    let pages = PageCache::new(cx.host, &dir);
    for index in indexes {
        let url = index::project_url(index, name);
        let answer = pages
            .read(cx.host, &url, Some(index::ACCEPT), &cx.indexes.credentials)
            .await?;
        if let Some((body, content_type, final_url)) = answer {
            let parsed = super::parsedpages::parse(cx, &body, content_type.as_deref(), &final_url);
            return parsed.await.map(Some);
        }
    }
    Ok(None)
}

/// Requirements that need resolving: from our own lock when it is fresh,
/// else resolved now and locked. A requirements file in pip's
/// hash-checking mode is a lock already: pip guarantees it is complete.
async fn resolved<H: Host>(
    cx: &Context<'_, H>,
    req: &DepsRequest<'_>,
) -> Result<(Vec<Pick>, Option<PendingLock>), DepsError> {
    let env = cx.target.marker_env();
    let selection = req.selection;
    let (requirements, source, pre, from_file) = match req.input.format {
        Format::Requirements => {
            let path = req.input.path.as_deref().unwrap_or_default();
            let within = req.input.includes_within.as_deref();
            let reqs = super::reqfile::read(cx.host, path, within).await?;
            let hashed =
                reqs.require_hashes || reqs.requirements.iter().any(|e| !e.hashes.is_empty());
            if hashed {
                if let Some(locked) = reqs.pinned(&env, selection).map_err(DepsError::from)? {
                    let cx = cx.with_indexes(req.settings, Some(&reqs), &[]);
                    return Ok((from_locked(&cx, &locked).await?, None));
                }
            }
            (
                reqs.roots(&env, selection),
                reqs.source.clone(),
                reqs.pre,
                Some(reqs),
            )
        }
        _ => (
            project::requirements(req.project, selection)?,
            "pyproject.toml".to_owned(),
            false,
            None,
        ),
    };
    let cx = &cx.with_indexes(req.settings, from_file.as_ref(), &requirements);
    let options = resolve::Options {
        allow_prereleases: pre || req.settings.pre.unwrap_or(false),
        constraints: from_file
            .as_ref()
            .map(|reqs| reqs.constraints(&env))
            .unwrap_or_default(),
    };
    let inputs = ownlock::inputs_key(&requirements, &cx.indexes.urls, &options, cx.target);
    let lock_path = req.project.path(ownlock::FILE);
    if let Some(locked) =
        lockfile::read_fresh(cx.host, &lock_path, &inputs, selection, cx.target).await?
    {
        return Ok((from_locked(cx, &locked).await?, None));
    }
    if req.locked {
        return Err(DepsError::StaleLock {
            path: lock_path,
            input: source,
        });
    }
    let (plain, direct) = direct_wheels(cx, &requirements)?;
    let resolver =
        Resolver::new(&plain, cx.target, cx.indexes.main(), options).map_err(DepsError::from)?;
    let hints = hints_path(cx, &lock_path);
    let mut resolution = resolving::resolve(cx, resolver, direct, &hints).await?;
    hash_unhashed(cx, &mut resolution).await?;
    let picks: Vec<Pick> = resolution
        .packages
        .iter()
        .map(|p| {
            let hashes: Vec<FileHash> = p
                .file
                .hashes
                .iter()
                .filter_map(|(a, h)| FileHash::new(a, h))
                .collect();
            Ok(Pick {
                name: p.name.clone(),
                version: p.version.clone(),
                wanted: Wanted {
                    url: p.file.url.clone(),
                    filename: p.file.filename.clone(),
                    sha256: sha256_of(&hashes, &p.file.filename)?,
                    size: p.file.size,
                },
            })
        })
        .collect::<Result<_, DepsError>>()?;
    let resolution = as_written(cx, resolution, &requirements);
    let pending = PendingLock {
        path: lock_path,
        text: lockfile::render(&resolution, &inputs, cx.target),
        resolution,
        inputs,
        target: cx.target.clone(),
    };
    Ok((picks, Some(pending)))
}

/// Where the packages of this project's last resolution for the target are
/// recorded, which the next resolution asks the index for at once (see
/// `resolving::resolve`): by the lock's path, the indexes and the target.
fn hints_path<H: Host>(cx: &Context<'_, H>, lock_path: &str) -> String {
    let key = format!(
        "{lock_path}\n{}\n{}",
        cx.indexes.urls.join("\n"),
        cx.target.describe()
    );
    let key = Digest::of(pycontainer_digest::Sha256::portable(), key.as_bytes());
    format!(
        "{}/{}/{}.json",
        cx.cache.root(),
        crate::cache::RESOLUTION_HINTS,
        key.hex()
    )
}

/// Gives every resolved file its sha256, from the file itself where its
/// source named none (a direct URL without `#sha256=`), so that the lock
/// passes its own reader, which wants a hash on every file. The download
/// lands in the cache, where the install finds it by that hash.
async fn hash_unhashed<H: Host>(
    cx: &Context<'_, H>,
    resolution: &mut resolve::Resolution,
) -> Result<(), DepsError> {
    for p in &mut resolution.packages {
        if p.file.sha256().is_none() {
            let wanted = Wanted {
                url: p.file.url.clone(),
                filename: p.file.filename.clone(),
                sha256: None,
                size: p.file.size,
            };
            let (_, digest) =
                download::wheel(cx.host, cx.cache, &wanted, &cx.indexes.credentials).await?;
            p.file
                .hashes
                .push(("sha256".to_owned(), digest.hex().to_owned()));
        }
    }
    Ok(())
}

/// The resolution with each direct URL as the requirement wrote it (its
/// `${VAR}`s unexpanded, never a literal userinfo), for the lock.
fn as_written<H: Host>(
    cx: &Context<'_, H>,
    mut resolution: resolve::Resolution,
    requirements: &[Requirement],
) -> resolve::Resolution {
    for p in &mut resolution.packages {
        let written = requirements
            .iter()
            .filter_map(|r| r.url.as_ref())
            .find(|u| local_url(cx, u.fetched()) == p.file.url && u.fetched().contains("://"));
        if let Some(url) = written {
            p.file.url = url.to_string();
        }
    }
    resolution
}

/// Requirements that name a wheel by URL or path (`name @ url`, a wheel
/// path in a requirements file) become pins on that wheel's version, and
/// the wheel the only file of a page the resolver is given up front: its
/// dependencies are then resolved like any other's.
fn direct_wheels<H: Host>(
    cx: &Context<'_, H>,
    requirements: &[Requirement],
) -> Result<(Vec<Requirement>, Vec<DirectWheel>), DepsError> {
    let mut plain = Vec::with_capacity(requirements.len());
    let mut direct = Vec::new();
    for r in requirements {
        let Some(url) = r.url.as_ref().map(|u| u.fetched()) else {
            plain.push(r.clone());
            continue;
        };
        let filename = url
            .rsplit('/')
            .next()
            .unwrap_or(url)
            .split(['#', '?'])
            .next()
            .unwrap_or_default()
            .to_owned();
        let wheel = WheelName::parse(&filename).map_err(|_| DepsError::NotAWheel {
            requirement: r.to_string(),
        })?;
        let exact = pycontainer_python::pep440::Specifier::new(
            pycontainer_python::pep440::Operator::Equal,
            wheel.version.clone(),
            false,
        )
        .map_err(|e| DepsError::WheelName(e.to_string()))?;
        plain.push(Requirement {
            url: None,
            version: pycontainer_python::pep440::SpecifierSet(vec![exact]),
            ..r.clone()
        });
        direct.push((
            r.name.clone(),
            ProjectFile::new(&filename, &local_url(cx, url)),
        ));
    }
    Ok((plain, direct))
}

/// METADATA out of the wheel itself, for indexes without PEP 658 files:
/// the wheel is downloaded into the cache, where the install will find it.
pub(super) async fn wheel_metadata<H: Host>(
    cx: &Context<'_, H>,
    wheel: &ProjectFile,
) -> Result<Vec<u8>, DepsError> {
    let path = download_one(cx, wheel).await?;
    let name =
        WheelName::parse(&wheel.filename).map_err(|e| DepsError::WheelName(e.to_string()))?;
    let file = WheelFile::open(cx.host, &path, &wheel.filename)
        .await
        .map_err(DepsError::from)?;
    let member = format!("{}/METADATA", name.dist_info_dir());
    let entry = file.entry(&member).ok_or_else(|| DepsError::NoMetadata {
        wheel: wheel.filename.clone(),
        member: member.clone(),
    })?;
    file.read(cx.host, entry).await.map_err(DepsError::from)
}

/// One index file into the cache (where the install finds it again), checked
/// against the index's sha256; its cached path.
pub(super) async fn download_one<H: Host>(
    cx: &Context<'_, H>,
    file: &ProjectFile,
) -> Result<String, DepsError> {
    let hashes: Vec<FileHash> = file
        .hashes
        .iter()
        .filter_map(|(a, h)| FileHash::new(a, h))
        .collect();
    let wanted = Wanted {
        url: file.url.clone(),
        filename: file.filename.clone(),
        sha256: sha256_of(&hashes, &file.filename)?,
        size: file.size,
    };
    let creds = &cx.indexes.credentials;
    let paths = download::files(cx.host, cx.cache, std::slice::from_ref(&wanted), creds, 1).await?;
    Ok(paths.first().cloned().unwrap_or_default())
}
