//! Carries out a plan: base blobs, the app layer, config and manifest, and the tag last.

use serde::Serialize;

use crate::deps::decide::InstalledPackage;
use crate::deps::layer::DepsLayer;
use crate::error::Error;
use crate::host::{Host, Progress};
use crate::layer::write_layer;
use crate::layout::Layout;
use crate::plan::{self, BuildOptions, Plan};
use crate::plan::{FileCount, PlanView};
use crate::project::Excluded;
use crate::registry::push::{self, Blob, PushStats, Pushed, Source, Upload};
use crate::registry::{pull, Client};
use crate::source::Origin;
use pycontainer_digest::Digest;
use pycontainer_oci::mutate::{self, AddedLayer};
use pycontainer_oci::{self as oci, Descriptor, ImageConfig};
use pycontainer_wheel::venv::VENV;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerInfo {
    pub digest: Digest,
    pub diff_id: Digest,
    pub size: u64,
    pub media_type: String,
}

/// What a build made (or, in a dry run, would make), for people and `--json`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildResult {
    pub dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<Digest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<Digest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    pub tags: Vec<String>,
    pub names: Vec<String>,
    pub platform: String,
    pub base: String,
    pub entrypoint: Vec<String>,
    pub entrypoint_rule: String,
    pub layers: Vec<LayerInfo>,
    /// Config, manifest and every layer, compressed.
    pub size: u64,
    pub files: FileCount,
    pub excluded: Vec<Excluded>,
    /// Where `--push` sent the image, with the digest each registry confirmed.
    pub pushed: Vec<Pushed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push_stats: Option<PushStats>,
    /// What went into the dependency layer, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<DepsResult>,
    pub plan: PlanView,
}

/// The dependency layer, for people and `--json`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DepsResult {
    /// The platform the wheels were chosen for.
    pub target: String,
    pub venv: String,
    pub packages: Vec<InstalledPackage>,
}

impl BuildResult {
    /// The result of a plan before anything is written.
    fn planned(plan: &Plan) -> Self {
        let view = plan.view();
        BuildResult {
            dry_run: true,
            manifest_digest: None,
            config_digest: None,
            output: plan.output.clone(),
            tags: plan.tags.iter().map(|t| t.tag.clone()).collect(),
            names: plan.tags.iter().map(|t| t.name.clone()).collect(),
            platform: plan.platform.to_string(),
            base: plan.base.name.clone(),
            entrypoint: plan.changes.entrypoint.clone(),
            entrypoint_rule: view.entrypoint.rule.clone(),
            layers: Vec::new(),
            size: 0,
            files: view.files.clone(),
            excluded: view.excluded.clone(),
            pushed: Vec::new(),
            push_stats: None,
            dependencies: None,
            plan: view,
        }
    }
}

/// Builds the image the options describe into an OCI layout, a registry,
/// or both; with `dry_run`, only plans it.
pub async fn build<H: Host>(host: &H, options: &BuildOptions) -> Result<BuildResult, Error> {
    let client = Client::new(host, options.client_options(host)?);
    host.progress(&Progress::Phase { name: "plan" });
    let plan = plan::make(&client, options).await?;
    if options.dry_run {
        return Ok(BuildResult::planned(&plan));
    }
    execute(&client, &plan).await
}

/// Writes the planned image, then pushes it. A failed write leaves the
/// output layout as it found it; a push sends the manifest only once every
/// blob is in place.
pub async fn execute<H: Host>(client: &Client<'_, H>, plan: &Plan) -> Result<BuildResult, Error> {
    let host = client.host();
    let install = match &plan.deps {
        Some(d) => Some(d.install.as_ref().ok_or(Error::Undecided)?),
        None => None,
    };
    let deps = match install {
        Some(install) => Some(
            crate::deps::layer::write(
                host,
                install,
                &plan.cache,
                plan.epoch,
                plan.base.flavor.gzip_layer(),
                client.options.parallel,
            )
            .await?,
        ),
        None => None,
    };
    let deps = deps.as_ref();
    let image = match &plan.output {
        Some(path) => {
            let out = Layout::new(host, path);
            out.begin().await?;
            let written = write_layout(client, &out, plan, deps).await;
            if written.is_err() {
                out.undo().await;
            }
            written?
        }
        None => {
            let store = plan.cache.require("a build that writes no layout")?;
            compose(host, &Layout::new(host, store), plan, deps).await?
        }
    };
    let (pushed, push_stats) = if plan.push.is_empty() {
        (Vec::new(), None)
    } else {
        host.progress(&Progress::Phase { name: "push" });
        let (pushed, stats) = push::push(client, &upload(plan, &image, deps)?, &plan.push).await?;
        (pushed, Some(stats))
    };
    let layers = image
        .layers
        .iter()
        .zip(&image.config.rootfs.diff_ids)
        .map(|(d, diff_id)| LayerInfo {
            digest: d.digest.clone(),
            diff_id: diff_id.clone(),
            size: d.size,
            media_type: d.media_type.clone(),
        })
        .collect();
    Ok(BuildResult {
        dry_run: false,
        size: image.manifest_bytes.len() as u64
            + image.config_bytes.len() as u64
            + image.layers.iter().map(|l| l.size).sum::<u64>(),
        manifest_digest: Some(Digest::of(host.sha256(), &image.manifest_bytes)),
        config_digest: Some(image.config_desc.digest.clone()),
        layers,
        pushed,
        push_stats,
        dependencies: install.map(|i| DepsResult {
            target: i.target.describe(),
            venv: VENV.to_owned(),
            packages: i.packages(),
        }),
        ..BuildResult::planned(plan)
    })
}

/// An image put together: its app layer in `store`, its config and
/// manifest in memory.
struct Composed {
    store: String,
    layers: Vec<Descriptor>,
    config: ImageConfig,
    config_bytes: Vec<u8>,
    config_desc: Descriptor,
    manifest_bytes: Vec<u8>,
}

async fn compose<H: Host>(
    host: &H,
    store: &Layout<'_, H>,
    plan: &Plan,
    deps: Option<&DepsLayer>,
) -> Result<Composed, Error> {
    host.progress(&Progress::Phase { name: "layer" });
    let flavor = plan.base.flavor;
    let (app, diff_id) = write_layer(
        host,
        store,
        &plan.app_layer,
        plan.epoch,
        flavor.gzip_layer(),
        "app layer",
    )
    .await?;
    let mut added = Vec::new();
    let mut layers = plan.base.layers.clone();
    if let Some(d) = deps {
        let install = plan.deps.as_ref().and_then(|p| p.install.as_ref());
        added.push(AddedLayer {
            diff_id: d.diff_id.clone(),
            created_by: format!(
                "pycontainer: {} packages into {VENV} for {}",
                install.map_or(0, |i| i.picks.len()),
                install.map(|i| i.target.describe()).unwrap_or_default()
            ),
        });
        layers.push(d.desc.clone());
    }
    added.push(AddedLayer {
        diff_id,
        created_by: format!("pycontainer: app layer at {}", plan.changes.working_dir),
    });
    let config = mutate::derive_config(&plan.base.config, &added, &plan.changes);
    let config_bytes = oci::to_canonical_json(&config);
    let config_desc = Descriptor::new(
        flavor.config(),
        Digest::of(host.sha256(), &config_bytes),
        config_bytes.len() as u64,
    );
    layers.push(app);
    let manifest = mutate::manifest(
        flavor,
        config_desc.clone(),
        layers.clone(),
        plan.annotations.clone(),
    );
    Ok(Composed {
        store: store.root().to_owned(),
        layers,
        config,
        config_bytes,
        config_desc,
        manifest_bytes: oci::to_canonical_json(&manifest),
    })
}

/// The whole image into the output layout: base blobs, app layer, config,
/// manifest, and the tags last.
async fn write_layout<H: Host>(
    client: &Client<'_, H>,
    out: &Layout<'_, H>,
    plan: &Plan,
    deps: Option<&DepsLayer>,
) -> Result<Composed, Error> {
    let host = client.host();
    let from = match &plan.base.origin {
        Origin::None => None,
        Origin::Layout(path) => Some(path.as_str()),
        Origin::Registry(repo) => {
            host.progress(&Progress::Phase { name: "pull" });
            let dir = plan.cache.require("a registry base's layers")?;
            pull::fetch_blobs(client, repo, &plan.base.layers, &Layout::new(host, dir)).await?;
            Some(dir)
        }
    };
    if let Some(src) = from {
        host.progress(&Progress::Phase { name: "base" });
        let src = Layout::new(host, src);
        for layer in &plan.base.layers {
            if !out.has_blob(layer).await? {
                out.copy_blob(&src, layer).await?;
            }
        }
    }
    if let Some(d) = deps {
        if !out.has_blob(&d.desc).await? {
            out.copy_blob(&Layout::new(host, &d.store), &d.desc).await?;
        }
    }
    let image = compose(host, out, plan, deps).await?;
    host.progress(&Progress::Phase { name: "write" });
    out.put_bytes(image.config_desc.media_type.as_str(), &image.config_bytes)
        .await?;
    let mut manifest_desc = out
        .put_bytes(plan.base.flavor.manifest(), &image.manifest_bytes)
        .await?;
    manifest_desc.platform = Some(plan.platform.clone());
    let tags: Vec<(String, String)> = plan
        .tags
        .iter()
        .map(|t| (t.tag.clone(), t.name.clone()))
        .collect();
    out.tag(plan.existing_index.clone(), &manifest_desc, &tags)
        .await?;
    Ok(image)
}

/// What to push: base layers from where the base is (mounted when it is in
/// the target registry), the app layer from its store, the config from memory.
fn upload<'a>(
    plan: &'a Plan,
    image: &'a Composed,
    deps: Option<&'a DepsLayer>,
) -> Result<Upload<'a>, Error> {
    let base_source = match &plan.base.origin {
        Origin::Registry(repo) => Source::Remote {
            repo,
            cache: plan.cache.require("a registry base's layers")?,
        },
        Origin::Layout(path) => Source::Layout(path),
        Origin::None => Source::Layout(&image.store),
    };
    let mut blobs: Vec<Blob<'a>> = plan
        .base
        .layers
        .iter()
        .map(|desc| Blob {
            desc: desc.clone(),
            source: base_source,
        })
        .collect();
    if let Some(d) = deps {
        blobs.push(Blob {
            desc: d.desc.clone(),
            source: Source::Layout(&d.store),
        });
    }
    if let Some(app) = image.layers.last() {
        blobs.push(Blob {
            desc: app.clone(),
            source: Source::Layout(&image.store),
        });
    }
    blobs.push(Blob {
        desc: image.config_desc.clone(),
        source: Source::Bytes(&image.config_bytes),
    });
    Ok(Upload {
        blobs,
        media_type: plan.base.flavor.manifest().to_owned(),
        manifest: image.manifest_bytes.clone(),
        children: Vec::new(),
    })
}
