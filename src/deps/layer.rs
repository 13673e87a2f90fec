//! The dependency layer made from the plan's picks: found in the cache, or
//! made there from downloaded wheels (or wheels built from sdists),
//! installed into the venv. The lock a
//! resolution produced is written only once the layer exists, so that a
//! failed build leaves the context as it was.

use std::collections::BTreeMap;

use pycontainer_digest::Digest;
use pycontainer_oci::{BlobSource, Descriptor, Layer};
use pycontainer_python::name::PackageName;
use pycontainer_wheel::install;
use pycontainer_wheel::venv::Venv;
use serde::{Deserialize, Serialize};

use super::bytecode::{self, Bytecode};
use super::decide::Install;
use super::download::{self, Wanted};
use super::{sdist, DepsError};
use crate::cache::CacheDir;
use crate::host::{Host, Progress};
use crate::layout::Layout;
use crate::wheelfile::WheelFile;

/// Bump when the layer's bytes would change for the same wheels (2: the
/// zlib-rs compressor): the cache key includes it, so old cached layers
/// are not reused.
const LAYOUT_VERSION: &str = "pycontainer-deps-2";

/// What the cache keeps for a finished deps layer.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    digest: Digest,
    diff_id: Digest,
    size: u64,
}

/// Makes the layer `install` describes in the cache layout, or finds it there.
pub async fn write<H: Host>(
    host: &H,
    install: &Install,
    cache: &CacheDir,
    epoch: u64,
    media_type: &str,
    parallel: usize,
) -> Result<Layer, DepsError> {
    let cache_dir = cache.require("installing dependencies")?;
    let store = Layout::new(host, cache_dir);
    let key = cache_key(install, epoch);
    let record_path = format!(
        "{cache_dir}/{}/{}.json",
        crate::cache::DEPS_RECORDS,
        key.hex()
    );
    let layer = match read_record(host, &record_path).await {
        Some(record) if store.has_blob(&record.descriptor(media_type)).await? => Layer {
            descriptor: record.descriptor(media_type),
            diff_id: record.diff_id,
            source: BlobSource::Layout(cache_dir.to_owned()),
        },
        _ => {
            let layer = store
                .cleaning(make(host, install, &store, epoch, media_type, parallel))
                .await?;
            let record = Record {
                digest: layer.descriptor.digest.clone(),
                diff_id: layer.diff_id.clone(),
                size: layer.descriptor.size,
            };
            crate::cache::write_record(
                host,
                &record_path,
                &serde_json::to_vec(&record).unwrap_or_default(),
            )
            .await;
            layer
        }
    };
    if let Some(lock) = &install.lock {
        lock.write(host).await;
    }
    Ok(layer)
}

impl Record {
    fn descriptor(&self, media_type: &str) -> Descriptor {
        Descriptor::new(media_type, self.digest.clone(), self.size)
    }
}

/// Downloads the wheels, plans each install, and writes the venv's entries.
async fn make<H: Host>(
    host: &H,
    install: &Install,
    store: &Layout<'_, H>,
    epoch: u64,
    media_type: &str,
    parallel: usize,
) -> Result<Layer, DepsError> {
    if let Bytecode::Compiled { minor, .. } = &install.bytecode {
        host.prepare_bytecode(minor);
    }
    let wanted: Vec<Wanted> = install.picks.iter().map(|p| p.wanted.clone()).collect();
    host.progress(&Progress::Phase { name: "download" });
    let paths = download::files(host, store, &wanted, &install.credentials, parallel).await?;
    host.progress(&Progress::Phase { name: "install" });
    let mut wheels = Vec::with_capacity(install.picks.len());
    for (pick, path) in install.picks.iter().zip(paths) {
        let (path, filename) = if pick.is_sdist() {
            let built = sdist::build(
                host,
                store,
                &path,
                &pick.name,
                &pick.version,
                &pick.wanted.filename,
            )
            .await?;
            (built.path, built.filename)
        } else {
            (path, pick.wanted.filename.clone())
        };
        let planned = install_plan(host, &path, &filename, &pick.name, &install.venv).await?;
        wheels.push((path, filename, planned));
    }
    let mut entries = install.venv.entries(&wheels);
    if let Bytecode::Compiled { minor, tag, .. } = &install.bytecode {
        let site_packages = install.venv.site_packages();
        entries = bytecode::compile(host, entries, &site_packages, minor, tag).await?;
    }
    Ok(crate::layer::write_layer(host, store, &entries, epoch, media_type, "deps layer").await?)
}

/// One wheel's install plan: its paths checked, its metadata read.
async fn install_plan<H: Host>(
    host: &H,
    path: &str,
    filename: &str,
    name: &PackageName,
    venv: &Venv,
) -> Result<install::Plan, DepsError> {
    let file = WheelFile::open(host, path, filename).await?;
    let wheel = install::Wheel::new(filename, file.entries.clone())?;
    let mut contents = BTreeMap::new();
    for entry in wheel.needed() {
        contents.insert(entry.name.clone(), file.read(host, entry).await?);
    }
    Ok(wheel.plan(&contents, &venv.scheme(name))?)
}

/// The layer's identity before it is made: the wheels by hash, the venv,
/// the target, the bytecode and the timestamp, so an app-only change finds it again.
fn cache_key(install: &Install, epoch: u64) -> Digest {
    let venv = &install.venv;
    let mut text = format!(
        "{LAYOUT_VERSION}\n{}\n{}\n{}\n{}\n{epoch}\n",
        venv.interpreter,
        venv.version,
        install.target.describe(),
        install.bytecode.key()
    );
    for p in &install.picks {
        let hash = p.wanted.sha256.as_ref().map_or("", |d| d.hex());
        // A wheel built from an sdist changes with the builder's rules.
        let builder = if p.is_sdist() {
            pycontainer_sdist::BUILDER
        } else {
            ""
        };
        text.push_str(&format!(
            "{} {} {hash} {builder}\n",
            p.name, p.wanted.filename
        ));
    }
    Digest::of(pycontainer_digest::Sha256::portable(), text.as_bytes())
}

async fn read_record<H: Host>(host: &H, path: &str) -> Option<Record> {
    serde_json::from_slice(&crate::cache::read_record(host, path).await?).ok()
}
