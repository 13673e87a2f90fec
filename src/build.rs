//! Carries out a plan: the layers it lists, the image they make on the
//! base, and that image into each sink the plan names.

use pycontainer_digest::Digest;
use pycontainer_oci::mutate::{self, Addendum};
use pycontainer_oci::{Artifact, Image, Layer};
use pycontainer_wheel::venv::VENV;
use serde::Serialize;

use crate::error::Error;
use crate::host::{Host, Progress};
use crate::layer::write_layer;
use crate::layout::Layout;
use crate::plan::PlanView;
use crate::plan::{self, BuildOptions, Plan};
use crate::registry::push::{PushStats, Pushed};
use crate::registry::Client;
use crate::sbom;
use crate::sink::{ArchiveSink, LayoutSink, RegistrySink, Target};

/// What a build made (or, in a dry run, would make), for people and `--json`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BuildResult {
    /// True when nothing was written: the plan alone.
    pub dry_run: bool,
    /// Every decision with the rule behind it, and the config and layers
    /// they make: what the build follows.
    pub plan: PlanView,
    /// The image's identity: pull or run it by this digest. Absent in a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub manifest_digest: Option<Digest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub config_digest: Option<Digest>,
    /// Every layer of the image, the base's first; empty in a dry run.
    pub layers: Vec<Layer>,
    /// Config, manifest and every layer, compressed; 0 in a dry run.
    pub size: u64,
    /// The layout or archive written (to be written, in a dry run); absent
    /// when the image only goes to registries.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub output: Option<String>,
    /// What `output` is: `oci` (a layout directory), `oci-archive` or
    /// `docker-archive` (a tar file); absent when `output` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        test,
        ts(optional, type = r#""oci" | "oci-archive" | "docker-archive""#)
    )]
    pub format: Option<&'static str>,
    /// The image's tags in that layout: the TAG parts, as `oci:LAYOUT:TAG` names them.
    pub tags: Vec<String>,
    /// Where `--push` sent the image, with the digest each registry confirmed.
    pub pushed: Vec<Pushed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub push_stats: Option<PushStats>,
    /// The SBOM files `--sbom` wrote beside the layout.
    pub sbom: Vec<String>,
}

impl BuildResult {
    /// The result of a plan before anything is written.
    fn planned(plan: &Plan) -> Self {
        BuildResult {
            dry_run: true,
            plan: plan.view(),
            manifest_digest: None,
            config_digest: None,
            layers: Vec::new(),
            size: 0,
            output: plan.output().map(|(path, _)| path.to_owned()),
            format: plan.output().map(|(_, format)| format.name()),
            tags: plan.tags.iter().map(|t| t.tag.clone()).collect(),
            pushed: Vec::new(),
            push_stats: None,
            sbom: Vec::new(),
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

/// Makes the planned layers and image, and writes it to each sink in turn.
/// A layout that fails is left as it was found; a push sends the manifest
/// only once every blob is in place; an archive is put in place last, once
/// everything else succeeded.
pub async fn execute<H: Host>(client: &Client<'_, H>, plan: &Plan) -> Result<BuildResult, Error> {
    let host = client.host();
    plan.cache.sweep(host).await;
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
                plan.base.image.flavor().gzip_layer(),
                client.options.parallel,
            )
            .await?,
        ),
        None => None,
    };
    // The layout takes the app layer as it is written, so that it needs no
    // copy; without one the layer goes into the cache.
    let layout = match plan.layout() {
        Some(target) => Some(LayoutSink::open(host, target, &plan.tags).await?),
        None => None,
    };
    let cache_store;
    let store = match &layout {
        Some(sink) => sink.store(),
        None => {
            cache_store = Layout::new(host, plan.cache.require("a build that writes no layout")?);
            // Noting what is there, so that a failure takes back only this build's part.
            cache_store.begin().await?;
            &cache_store
        }
    };
    let archives: Vec<ArchiveSink<'_, H>> = plan
        .sinks
        .iter()
        .filter_map(|t| match t {
            Target::Archive(target) => Some(ArchiveSink::new(host, target, &plan.tags, plan.epoch)),
            _ => None,
        })
        .collect();
    let done = async {
        let image = compose(host, store, plan, deps).await?;
        if let Some(sink) = &layout {
            sink.write(client, &image, &plan.cache).await?;
        }
        for sink in &archives {
            sink.write(client, &image, &plan.cache).await?;
        }
        // Read from the image's own layers before anything is tagged, so
        // that a base whose package database cannot be read fails the build.
        let bill = match plan.sbom.is_empty() {
            true => None,
            false => Some(sbom::gather(client, &image, plan).await?),
        };
        let referrers = match &bill {
            Some(bill) => sbom::referrers(&image, bill, &plan.sbom),
            None => Vec::new(),
        };
        let listed = match &layout {
            Some(sink) => sbom::put_referrers(sink.store(), &referrers).await?,
            None => Vec::new(),
        };
        // Before the tag: a failure after it would take back blobs that
        // index.json then names.
        let sbom_files = match (&bill, plan.output()) {
            (Some(bill), Some((path, _))) => {
                sbom::write_beside(host, path, bill, &plan.sbom).await?
            }
            _ => Vec::new(),
        };
        let mut result = BuildResult {
            dry_run: false,
            size: image.size(),
            manifest_digest: Some(image.digest().clone()),
            config_digest: Some(image.manifest().config.digest.clone()),
            layers: image.layers().to_vec(),
            sbom: sbom_files,
            ..BuildResult::planned(plan)
        };
        let image_digest = image.digest().clone();
        let artifact = Artifact::Image(Box::new(image));
        for target in &plan.sinks {
            if let Target::Registry(target) = target {
                let (pushed, stats) = RegistrySink::new(target, &plan.cache)
                    .write(client, &artifact)
                    .await?;
                result.pushed.extend(pushed);
                result.push_stats = Some(stats);
                if !referrers.is_empty() {
                    sbom::attach(client, &image_digest, &referrers, &target.references).await?;
                }
            }
        }
        // Tagged last: a build whose push fails leaves the layout as it
        // was, like any other failure, and its retry starts clean.
        if let (Some(sink), Artifact::Image(image)) = (&layout, &artifact) {
            sink.tag(image, &listed).await?;
        }
        for sink in &archives {
            sink.commit().await?;
        }
        Ok::<_, Error>(result)
    }
    .await;
    if done.is_err() {
        for sink in &archives {
            sink.undo().await;
        }
        // What this build wrote through `store` goes: the layout is left as
        // it was found, and without one the app layer leaves the cache.
        // Downloads and the deps layer went in through their own handles
        // and stay, cached for the retry.
        store.undo().await;
    }
    done
}

/// The image: the app layer written into `store`, then the deps and app
/// layers on the base with the plan's config changes.
async fn compose<H: Host>(
    host: &H,
    store: &Layout<'_, H>,
    plan: &Plan,
    deps: Option<Layer>,
) -> Result<Image, Error> {
    host.progress(&Progress::Phase { name: "layer" });
    let base = &plan.base.image;
    let app = write_layer(
        host,
        store,
        &plan.app_layer,
        plan.epoch,
        base.flavor().gzip_layer(),
        "app layer",
    )
    .await?;
    let mut added = Vec::new();
    if let (Some(layer), Some(install)) =
        (deps, plan.deps.as_ref().and_then(|d| d.install.as_ref()))
    {
        added.push(Addendum {
            layer,
            created_by: format!(
                "pycontainer: {} packages into {VENV} for {}",
                install.picks.len(),
                install.target.describe()
            ),
        });
    }
    added.push(Addendum {
        layer: app,
        created_by: format!("pycontainer: app layer at {}", plan.changes.working_dir),
    });
    Ok(mutate::append(
        base,
        added,
        &plan.changes,
        plan.annotations.clone(),
    ))
}
