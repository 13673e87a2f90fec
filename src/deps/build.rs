//! From the project's dependency input to the deps layer: pins for the
//! target, one wheel each, downloads into the cache, and the venv layer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::DepsSettings;
use crate::error::Error;
use crate::host::{Host, Progress};
use crate::layout::Layout;
use crate::plan::Plan;
use crate::registry::Client;
use pycontainer_digest::Digest;
use pycontainer_oci::Descriptor;
use pycontainer_python::name::{ExtraName, PackageName};

use super::download::{self, Credentials, Wanted};
use super::input::Input;
use super::pins::{self, Pick};
use super::{probe, DepsError};
use crate::wheelfile::WheelFile;
use pycontainer_pypi::lock::Selection;
use pycontainer_python::tags::{Tags, Target};
use pycontainer_wheel::install;
use pycontainer_wheel::venv::Venv;

/// Bump when the layer's bytes would change for the same wheels: the
/// cache key includes it, so old cached layers are not reused.
const LAYOUT_VERSION: &str = "pycontainer-deps-1";

/// The default index, as pip and uv use it.
pub const PYPI: &str = "https://pypi.org/simple";

/// What the plan decided about dependencies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepsPlan {
    pub input: Input,
    pub settings: DepsSettings,
    /// `--locked`: the lock must be there and fresh.
    pub locked: bool,
}

/// The deps layer, made or found in the cache.
#[derive(Clone, Debug)]
pub struct DepsLayer {
    pub desc: Descriptor,
    pub diff_id: Digest,
    /// The layout the blob is in.
    pub store: String,
    /// Variables the venv needs in the image config.
    pub env: Vec<(String, String)>,
    pub packages: Vec<InstalledPackage>,
    pub target: String,
    /// The venv's site-packages, relative to the image root.
    pub site_packages: String,
}

/// One installed distribution, for the build result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledPackage {
    pub name: String,
    pub version: String,
    pub wheel: String,
}

/// What the cache keeps for a finished deps layer.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    digest: Digest,
    diff_id: Digest,
    size: u64,
}

/// The index settings: the main index (credentials split off) and the extra ones.
pub struct Indexes {
    pub urls: Vec<String>,
    pub credentials: Vec<Credentials>,
}

impl Indexes {
    pub fn new(settings: &DepsSettings, from_input: &[String]) -> Indexes {
        let main = settings
            .index_url
            .clone()
            .or_else(|| from_input.first().cloned())
            .unwrap_or_else(|| PYPI.to_owned());
        let extra = settings
            .extra_index_urls
            .clone()
            .unwrap_or_else(|| from_input.iter().skip(1).cloned().collect());
        let mut urls = Vec::new();
        let mut credentials = Vec::new();
        for url in std::iter::once(main).chain(extra) {
            let (plain, creds) = download::split_credentials(&url);
            if !urls.contains(&plain) {
                urls.push(plain);
            }
            credentials.extend(creds);
        }
        Indexes { urls, credentials }
    }
}

/// Makes the deps layer in the cache layout, or finds it there.
pub async fn layer<H: Host>(
    client: &Client<'_, H>,
    plan: &Plan,
    deps: &DepsPlan,
) -> Result<DepsLayer, Error> {
    let host = client.host();
    let cache_dir = plan.cache.as_deref().ok_or_else(|| Error::Option {
        flag: "--cache-dir".to_owned(),
        message: "dependencies are downloaded into a cache, and there is none (neither HOME nor XDG_CACHE_HOME is set); pass --cache-dir DIR".to_owned(),
    })?;
    let cache = Layout::new(host, cache_dir);
    host.progress(&Progress::Phase {
        name: "dependencies",
    });
    let env = probe::base_env(client, &plan.base, Some(cache_dir)).await?;
    let machine = plan
        .platform
        .python_machine()
        .ok_or_else(|| DepsError::Machine {
            platform: plan.platform.to_string(),
        })?;
    let target = Target {
        python: env.version().map_err(DepsError::from)?,
        machine: machine.to_owned(),
        libc: env.libc,
    };
    let selection = selection(&deps.settings)?;
    let indexes = Indexes::new(&deps.settings, &[]);
    let cx = pins::Context {
        host,
        cache: &cache,
        target: &target,
        tags: Tags::for_target(&target),
        indexes,
        parallel: client.options.parallel,
        context: &plan.project.root,
    };
    let (picks, lock) = pins::pick(&cx, plan, deps, &selection).await?;
    let venv = Venv {
        interpreter: env.interpreter.clone(),
        version: env.python.clone(),
        minor: env.minor(),
    };
    let key = cache_key(&venv, &target, &picks, plan.epoch);
    let record_path = format!("{cache_dir}/pycontainer/deps/{}.json", key.hex());
    let media_type = plan.base.flavor.gzip_layer();
    let packages: Vec<InstalledPackage> = picks
        .iter()
        .map(|p| InstalledPackage {
            name: p.name.to_string(),
            version: p.version.to_string(),
            wheel: p.wanted.filename.clone(),
        })
        .collect();
    let made = |desc: Descriptor, diff_id: Digest| DepsLayer {
        desc,
        diff_id,
        store: cache_dir.to_owned(),
        env: venv.env(base_path(plan)),
        packages,
        target: target.describe(),
        site_packages: venv.site_packages(),
    };
    if let Some(record) = read_record(host, &record_path).await {
        let desc = Descriptor::new(media_type, record.digest, record.size);
        if cache.has_blob(&desc).await? {
            if let Some(lock) = &lock {
                lock.write(host, &target).await;
            }
            return Ok(made(desc, record.diff_id));
        }
    }
    let wanted: Vec<Wanted> = picks.iter().map(|p| p.wanted.clone()).collect();
    host.progress(&Progress::Phase { name: "download" });
    let paths =
        download::wheels(host, &cache, &wanted, &cx.indexes.credentials, cx.parallel).await?;
    host.progress(&Progress::Phase { name: "install" });
    let mut wheels = Vec::with_capacity(picks.len());
    for (pick, path) in picks.iter().zip(paths) {
        let planned = install_plan(host, &path, pick, &venv).await?;
        wheels.push((path, pick.wanted.filename.clone(), planned));
    }
    let entries = venv.entries(&wheels);
    let (desc, diff_id) =
        crate::layer::write_layer(host, &cache, &entries, plan.epoch, media_type, "deps layer")
            .await?;
    let record = Record {
        digest: desc.digest.clone(),
        diff_id: diff_id.clone(),
        size: desc.size,
    };
    probe::write_record(
        host,
        &record_path,
        &serde_json::to_vec(&record).unwrap_or_default(),
    )
    .await;
    if let Some(lock) = &lock {
        lock.write(host, &target).await;
    }
    Ok(made(desc, diff_id))
}

/// One wheel's install plan: its paths checked, its metadata read.
async fn install_plan<H: Host>(
    host: &H,
    path: &str,
    pick: &Pick,
    venv: &Venv,
) -> Result<install::Plan, Error> {
    let file = WheelFile::open(host, path, &pick.wanted.filename)
        .await
        .map_err(DepsError::from)?;
    let wheel = install::Wheel::new(&pick.wanted.filename, file.entries.clone())
        .map_err(DepsError::from)?;
    let mut contents = BTreeMap::new();
    for entry in wheel.needed() {
        contents.insert(
            entry.name.clone(),
            file.read(host, entry).await.map_err(DepsError::from)?,
        );
    }
    Ok(wheel
        .plan(&contents, &venv.scheme(&pick.name))
        .map_err(DepsError::from)?)
}

/// The layer's identity before it is made: the wheels by hash, the venv,
/// the target and the timestamp, so an app-only change finds it again.
fn cache_key(venv: &Venv, target: &Target, picks: &[Pick], epoch: u64) -> Digest {
    let mut text = format!(
        "{LAYOUT_VERSION}\n{}\n{}\n{}\n{epoch}\n",
        venv.interpreter,
        venv.version,
        target.describe()
    );
    for p in picks {
        let hash = p.wanted.sha256.as_ref().map_or("", |d| d.hex());
        text.push_str(&format!("{} {} {hash}\n", p.name, p.wanted.filename));
    }
    Digest::of(pycontainer_digest::Sha256::portable(), text.as_bytes())
}

async fn read_record<H: Host>(host: &H, path: &str) -> Option<Record> {
    host.stat(path).await.ok()??;
    serde_json::from_slice(&host.read_all(path).await.ok()?).ok()
}

fn base_path(plan: &Plan) -> Option<&str> {
    plan.base
        .config
        .config
        .as_ref()
        .and_then(|c| c.env.as_ref())
        .and_then(|env| env.iter().find_map(|e| e.strip_prefix("PATH=")))
}

/// `--extra` and `--group`, as normalised names.
fn selection(settings: &DepsSettings) -> Result<Selection, Error> {
    let names = |flag: &str, values: &Option<Vec<String>>| -> Result<Vec<ExtraName>, Error> {
        values
            .iter()
            .flatten()
            .map(|v| {
                PackageName::new(v).map_err(|e| Error::Option {
                    flag: flag.to_owned(),
                    message: e.to_string(),
                })
            })
            .collect()
    };
    Ok(Selection {
        extras: names("--extra", &settings.extras)?,
        groups: names("--group", &settings.groups)?,
    })
}
