//! The bill of a built image, read from its own layers, the base's first:
//! the distributions whose METADATA the running container would see and
//! the base's package database, joined with the install plan for where
//! each wheel came from and its hash.

use std::collections::BTreeMap;

use pycontainer_digest::{Digest, Sha256};
use pycontainer_oci::{Image, Layer};
use pycontainer_python::name::normalize;
use pycontainer_python::url::recorded;
use pycontainer_sbom::contents::{Contents, Installed};
use pycontainer_sbom::{Base, License, PythonDist, Sbom, Subject, Wheel};

use crate::blobs;
use crate::clock;
use crate::deps::probe;
use crate::error::Error;
use crate::host::{Host, Progress};
use crate::layout::Layout;
use crate::plan::Plan;
use crate::registry::Client;

pub async fn gather<H: Host>(
    client: &Client<'_, H>,
    image: &Image,
    plan: &Plan,
) -> Result<Sbom, Error> {
    let host = client.host();
    host.progress(&Progress::Phase { name: "sbom" });
    let layers = image.layers();
    // What the layers below the last hold is the same for every build on
    // that base with those dependencies: it is kept in the cache after each
    // of them, and a later build reads on from the longest part kept, which
    // leaves it only its own app layer to read.
    let records = prefix_records(plan, layers);
    let (mut contents, start) = resume(host, &records).await;
    let dirs = blobs::local(
        client,
        &layers[start..],
        &plan.cache,
        "reading a registry base's layers for the SBOM",
    )
    .await
    .map_err(crate::sink::SinkError::from)?;
    // Written only once the SBOM is made: a database it cannot read leaves
    // nothing behind.
    let mut pending = Vec::new();
    for (i, (layer, dir)) in layers.iter().zip(dirs).enumerate().skip(start) {
        contents.begin_layer();
        let path = Layout::new(host, &dir).blob_path(&layer.descriptor.digest);
        probe::scan(host, &path, layer, &mut contents).await?;
        if let Some(record) = records.get(i) {
            pending.push((record, contents.snapshot()));
        }
    }
    let os = contents.os()?;
    let project_name = plan.project.metadata.name.as_deref().map(normalize);
    let mut project = None;
    let mut python = Vec::new();
    for installed in contents.python() {
        if Some(&installed.name) == project_name.as_ref() {
            project = Some(dist(installed, None));
        } else {
            let wheel = wheel_of(plan, &installed.name);
            python.push(dist(installed, wheel));
        }
    }
    // Without a venv the project has no dist-info: it is still what the image runs.
    if project.is_none() {
        let metadata = &plan.project.metadata;
        if let (Some(name), Some(version)) = (&project_name, &metadata.version) {
            project = Some(PythonDist {
                name: name.clone(),
                version: version.clone(),
                license: License::NoAssertion,
                wheel: None,
            });
        }
    }
    let subject_name = plan
        .tags
        .first()
        .map(|t| t.name.clone())
        .or_else(|| plan.layout().map(|l| l.path.clone()))
        .unwrap_or_default();
    for (record, snapshot) in pending {
        write_record(host, record, &snapshot).await;
    }
    Ok(Sbom {
        subject: Subject {
            name: subject_name,
            digest: image.digest().clone(),
        },
        base: plan.base.digest.as_ref().map(|digest| Base {
            reference: plan.base.name.clone(),
            digest: Some(digest.clone()),
        }),
        project,
        python,
        os,
        created: clock::rfc3339(plan.epoch),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    }
    .sorted())
}

/// Where what the first k+1 layers hold is kept, for each k below the last
/// layer: by those layers' digests in order (whiteouts make a layer's
/// meaning depend on those below it). None without a cache.
fn prefix_records(plan: &Plan, layers: &[Layer]) -> Vec<String> {
    let Some(root) = plan.cache.path() else {
        return Vec::new();
    };
    let mut chain = String::new();
    let below_last = layers.len().saturating_sub(1);
    layers[..below_last]
        .iter()
        .map(|layer| {
            chain.push_str(&format!("{}\n", layer.descriptor.digest));
            let key = Digest::of(Sha256::portable(), chain.as_bytes());
            format!("{root}/{}/{}.json", crate::cache::SBOM_LAYERS, key.hex())
        })
        .collect()
}

/// The contents of the longest run of lower layers kept, and how many
/// layers that is; nothing kept, none. A record that cannot be read is read
/// from the layers again.
async fn resume<H: Host>(host: &H, records: &[String]) -> (Contents, usize) {
    for (k, path) in records.iter().enumerate().rev() {
        if let Some(saved) = read_record(host, path).await {
            return (saved, k + 1);
        }
    }
    (Contents::default(), 0)
}

async fn read_record<H: Host>(host: &H, path: &str) -> Option<Contents> {
    let bytes = crate::cache::read_record(host, path).await?;
    let files: BTreeMap<String, String> = serde_json::from_slice(&bytes).ok()?;
    Some(Contents::from_snapshot(files))
}

async fn write_record<H: Host>(host: &H, path: &str, snapshot: &BTreeMap<String, String>) {
    if let Ok(bytes) = serde_json::to_vec(snapshot) {
        crate::cache::write_record(host, path, &bytes).await;
    }
}

fn dist(installed: Installed, wheel: Option<Wheel>) -> PythonDist {
    PythonDist {
        name: installed.name,
        version: installed.version,
        license: installed.license,
        wheel,
    }
}

/// The file the plan installed for `name`: its hash, and its URL without
/// credentials. None for a distribution the base brought.
fn wheel_of(plan: &Plan, name: &str) -> Option<Wheel> {
    let install = plan.deps.as_ref()?.install.as_ref()?;
    let pick = install.picks.iter().find(|p| p.name.as_str() == name)?;
    Some(Wheel {
        sha256: pick.wanted.sha256.clone(),
        url: Some(recorded(&pick.wanted.url)),
    })
}
