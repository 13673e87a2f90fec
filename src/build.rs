//! Carries out a plan: the layers it lists, the image they make on the
//! base, and that image into each sink the plan names.

use futures_util::future::join_all;
use pycontainer_digest::Digest;
use pycontainer_oci::assemble;
use pycontainer_oci::mutate::{self, Addendum};
use pycontainer_oci::{Artifact, Image, Layer, Referrer};
use pycontainer_wheel::venv::VENV;
use serde::Serialize;

use crate::error::Error;
use crate::host::{Host, Progress};
use crate::layer::write_layer;
use crate::layout::Layout;
use crate::plan::PlanView;
use crate::plan::{self, BuildOptions, Plan};
use crate::registry::push::{PushStats, Pushed};
use crate::registry::{self, Client};
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
    /// The image's identity (an index's, for several platforms): pull or
    /// run it by this digest. Absent in a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub manifest_digest: Option<Digest>,
    /// Absent in a dry run and for an index (each platform's is in `platforms`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub config_digest: Option<Digest>,
    /// Every layer of the image, the base's first; empty in a dry run and
    /// for an index.
    pub layers: Vec<Layer>,
    /// Config, manifest and every layer, compressed (an index: it and every
    /// platform's image, the shared layers counted in each); 0 in a dry run.
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
    /// The SBOM files `--sbom` wrote beside the output.
    pub sbom: Vec<String>,
    /// With several platforms, each one's image, in the order named
    /// (`manifestDigest` is then the index's, which lists them); empty for one.
    pub platforms: Vec<PlatformImage>,
}

/// One platform's image in an index.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PlatformImage {
    pub platform: String,
    /// Absent, as is the config's, in a dry run.
    pub manifest_digest: Option<Digest>,
    pub config_digest: Option<Digest>,
    /// Config, manifest and every layer, compressed; 0 in a dry run.
    pub size: u64,
    /// The base image chosen for this platform, from the base's index.
    pub base_digest: Option<Digest>,
    /// The packages in its venv layer, which differ from platform to platform.
    pub dependencies: Option<crate::plan::view::DepsView>,
}

impl BuildResult {
    /// The result of the plans before anything is written.
    fn planned(plans: &[Plan]) -> Self {
        let plan = &plans[0];
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
            platforms: match plans {
                [_] => Vec::new(),
                _ => plans
                    .iter()
                    .map(|p| PlatformImage::planned(p, None))
                    .collect(),
            },
        }
    }
}

impl PlatformImage {
    fn planned(plan: &Plan, image: Option<&Image>) -> Self {
        PlatformImage {
            platform: plan.platform.to_string(),
            manifest_digest: image.map(|i| i.digest().clone()),
            config_digest: image.map(|i| i.manifest().config.digest.clone()),
            size: image.map_or(0, Image::size),
            base_digest: plan.base.digest.clone(),
            dependencies: plan.view().dependencies,
        }
    }
}

/// Builds the image the options describe (an index of one image per
/// platform, when several are named) into an OCI layout, a registry, or
/// both; with `dry_run`, only plans it.
pub async fn build<H: Host>(host: &H, options: &BuildOptions) -> Result<BuildResult, Error> {
    build_checked(host, options, &mut |_| Ok(())).await
}

/// `build`, with `check` given the plans before anything is written (not
/// in a dry run), so that a caller's own decisions (deploy's) fail as the
/// plan's do. A `dyn` check: one copy of the build in the wasm for both.
pub async fn build_checked<H: Host>(
    host: &H,
    options: &BuildOptions,
    check: &mut dyn FnMut(&[Plan]) -> Result<(), Error>,
) -> Result<BuildResult, Error> {
    let client = Client::new(host, options.client_options(host)?);
    host.progress(&Progress::Phase { name: "plan" });
    let plans = plan::make_all(&client, options).await?;
    if options.dry_run {
        return Ok(BuildResult::planned(&plans));
    }
    check(&plans)?;
    execute(&client, &plans).await
}

/// Makes each plan's layers and image, one platform after the other, and
/// writes them (in an index, when there are several) to each sink in turn.
/// The plans share their sinks and tags. A layout that fails is left as it
/// was found; a push sends each manifest only once every blob is in place,
/// and the index after its manifests; an archive is put in place last,
/// once everything else succeeded.
pub async fn execute<H: Host>(
    client: &Client<'_, H>,
    plans: &[Plan],
) -> Result<BuildResult, Error> {
    let host = client.host();
    let first = &plans[0];
    first.cache.sweep(host).await;
    // The layout takes the app layers as they are written, so that they
    // need no copy; without one they go into the cache.
    let layout = match first.layout() {
        Some(target) => Some(LayoutSink::open(host, target, &first.tags).await?),
        None => None,
    };
    let cache_store;
    let store = match &layout {
        Some(sink) => sink.store(),
        None => {
            cache_store = Layout::new(host, first.cache.require("a build that writes no layout")?);
            // Noting what is there, so that a failure takes back only this build's part.
            cache_store.begin().await?;
            &cache_store
        }
    };
    let archives: Vec<ArchiveSink<'_, H>> = first
        .sinks
        .iter()
        .filter_map(|t| match t {
            Target::Archive(target) => {
                Some(ArchiveSink::new(host, target, &first.tags, first.epoch))
            }
            _ => None,
        })
        .collect();
    let done = async {
        let mut images = images(client, store, plans).await?;
        if let Some(sink) = &layout {
            for (plan, image) in plans.iter().zip(&images) {
                sink.write(client, image, &plan.cache).await?;
            }
        }
        // Read from each image's own layers before anything is tagged, so
        // that a base whose package database cannot be read fails the build.
        let mut bills = Vec::new();
        if !first.sbom.is_empty() {
            for (plan, image) in plans.iter().zip(&images) {
                let bill = sbom::gather(client, image, plan).await?;
                let referrers = sbom::referrers(image, &bill, &first.sbom);
                bills.push((plan, image.digest().clone(), bill, referrers));
            }
        }
        let referrers: Vec<&Referrer> = bills.iter().flat_map(|b| &b.3).collect();
        let listed = match &layout {
            Some(sink) => sink.store().put_referrers(&referrers).await?,
            None => Vec::new(),
        };
        // Before the tag: a failure after it would take back blobs that
        // index.json then names.
        let mut sbom_files = Vec::new();
        if let Some((path, _)) = first.output() {
            for (plan, _, bill, _) in &bills {
                let platform = (plans.len() > 1).then_some(&plan.platform);
                sbom_files
                    .extend(sbom::write_beside(host, path, platform, bill, &first.sbom).await?);
            }
        }
        let mut result = BuildResult {
            dry_run: false,
            sbom: sbom_files,
            ..BuildResult::planned(plans)
        };
        let artifact = match images.len() {
            1 => {
                let image = images.remove(0);
                result.size = image.size();
                result.manifest_digest = Some(image.digest().clone());
                result.config_digest = Some(image.manifest().config.digest.clone());
                result.layers = image.layers().to_vec();
                Artifact::Image(Box::new(image))
            }
            _ => {
                result.platforms = plans
                    .iter()
                    .zip(&images)
                    .map(|(plan, image)| PlatformImage::planned(plan, Some(image)))
                    .collect();
                let index = assemble::index_of(images, first.index_annotations.clone());
                if let Some(sink) = &layout {
                    sink.write_index(&index).await?;
                }
                result.size = result
                    .platforms
                    .iter()
                    .fold(index.descriptor.size, |sum, p| sum.saturating_add(p.size));
                result.manifest_digest = Some(index.descriptor.digest.clone());
                Artifact::Index(Box::new(index))
            }
        };
        for sink in &archives {
            sink.write(client, &artifact, &referrers, &first.cache)
                .await?;
        }
        for target in &first.sinks {
            if let Target::Registry(target) = target {
                let (pushed, stats) = RegistrySink::new(target, &first.cache)
                    .write(client, &artifact)
                    .await?;
                result.pushed.extend(pushed);
                result.push_stats = Some(stats);
                for (_, subject, _, referrers) in &bills {
                    registry::referrers::attach(client, subject, referrers, &target.references)
                        .await?;
                }
            }
        }
        // Tagged last: a build whose push fails leaves the layout as it
        // was, like any other failure, and its retry starts clean.
        if let Some(sink) = &layout {
            sink.tag(artifact.descriptor(), &listed).await?;
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
        // Downloads and the deps layers went in through their own handles
        // and stay, cached for the retry.
        store.undo().await;
    }
    done
}

/// The plan's venv layer, when it has dependencies.
async fn deps_layer<H: Host>(client: &Client<'_, H>, plan: &Plan) -> Result<Option<Layer>, Error> {
    let install = match &plan.deps {
        Some(d) => d.install.as_ref().ok_or(Error::Undecided)?,
        None => return Ok(None),
    };
    Ok(Some(
        crate::deps::layer::write(
            client.host(),
            install,
            &plan.cache,
            plan.epoch,
            plan.base.image.flavor().gzip_layer(),
            client.options.parallel,
        )
        .await?,
    ))
}

/// Each plan's image. The dependency layers are made all at once: one
/// platform's downloads overlap another's compression, and the host's
/// deflate workers stay busy. The app layer, alike for every platform, is
/// written once.
async fn images<H: Host>(
    client: &Client<'_, H>,
    store: &Layout<'_, H>,
    plans: &[Plan],
) -> Result<Vec<Image>, Error> {
    let host = client.host();
    // Every one is waited for, so that none is dropped halfway through a
    // write; the first error then fails the build.
    let deps = join_all(plans.iter().map(|plan| deps_layer(client, plan))).await;
    let mut apps: Vec<(&Plan, Layer)> = Vec::new();
    let mut images = Vec::with_capacity(plans.len());
    for (plan, deps) in plans.iter().zip(deps) {
        let deps = deps?;
        let media_type = plan.base.image.flavor().gzip_layer();
        let written = apps.iter().find(|(p, _)| {
            p.app_layer == plan.app_layer
                && p.epoch == plan.epoch
                && p.base.image.flavor().gzip_layer() == media_type
        });
        let app = match written {
            Some((_, layer)) => layer.clone(),
            None => {
                host.progress(&Progress::Phase { name: "layer" });
                let layer = write_layer(
                    host,
                    store,
                    &plan.app_layer,
                    plan.epoch,
                    media_type,
                    "app layer",
                )
                .await?;
                apps.push((plan, layer.clone()));
                layer
            }
        };
        images.push(compose(plan, deps, app));
    }
    Ok(images)
}

/// The image: the deps and app layers on the base, with the plan's config changes.
fn compose(plan: &Plan, deps: Option<Layer>, app: Layer) -> Image {
    let base = &plan.base.image;
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
    mutate::append(base, added, &plan.changes, plan.annotations.clone())
}
