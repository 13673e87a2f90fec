//! Carries out a plan: base blobs, the app layer, config and manifest, and the tag last.

use serde::Serialize;

use crate::digest::Digest;
use crate::error::Error;
use crate::host::{Host, Offloaded, Progress};
use crate::image::{self, AddedLayer};
use crate::layer::{gzip, tar, LayerEncoder};
use crate::layout::{BlobWriter, Layout};
use crate::oci::{self, Descriptor};
use crate::plan::{self, BuildOptions, Content, Plan, PlannedEntry};
use crate::plan::{FileCount, PlanView};
use crate::project::Excluded;

/// Bytes read from a file per host call, and compressed bytes gathered per write.
const IO_CHUNK: usize = 1 << 20;

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
    pub output: String,
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
    pub plan: PlanView,
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
            plan: view,
        }
    }
}

/// Builds the image the options describe into an OCI layout; with
/// `dry_run`, only plans it.
pub async fn build<H: Host>(host: &H, options: &BuildOptions) -> Result<BuildResult, Error> {
    host.progress(&Progress::Phase { name: "plan" });
    let plan = plan::make(host, options).await?;
    if options.dry_run {
        return Ok(BuildResult::planned(&plan));
    }
    execute(host, &plan).await
}

/// Writes the planned image; on failure, leaves the output as it found it.
pub async fn execute<H: Host>(host: &H, plan: &Plan) -> Result<BuildResult, Error> {
    let out = Layout::new(host, &plan.output);
    out.begin().await?;
    let written = write_image(host, &out, plan).await;
    if written.is_err() {
        out.undo().await;
    }
    written
}

async fn write_image<H: Host>(
    host: &H,
    out: &Layout<'_, H>,
    plan: &Plan,
) -> Result<BuildResult, Error> {
    if let Some(src) = &plan.base.layout {
        host.progress(&Progress::Phase { name: "base" });
        let src = Layout::new(host, src);
        for layer in &plan.base.layers {
            if !out.has_blob(layer).await? {
                out.copy_blob(&src, layer).await?;
            }
        }
    }

    host.progress(&Progress::Phase { name: "layer" });
    let flavor = plan.base.flavor;
    let (app, diff_id) =
        write_layer(host, out, &plan.app_layer, plan.epoch, flavor.gzip_layer()).await?;

    host.progress(&Progress::Phase { name: "write" });
    let added = AddedLayer {
        diff_id: diff_id.clone(),
        created_by: format!("pycontainer: app layer at {}", plan.changes.working_dir),
    };
    let config = image::derive_config(&plan.base.config, &[added], &plan.changes);
    let config_desc = out
        .put_bytes(flavor.config(), &oci::to_canonical_json(&config))
        .await?;
    let mut layers = plan.base.layers.clone();
    layers.push(app.clone());
    let manifest = image::manifest(
        flavor,
        config_desc.clone(),
        layers.clone(),
        plan.annotations.clone(),
    );
    let mut manifest_desc = out
        .put_bytes(flavor.manifest(), &oci::to_canonical_json(&manifest))
        .await?;
    manifest_desc.platform = Some(plan.platform.clone());
    let tags: Vec<(String, String)> = plan
        .tags
        .iter()
        .map(|t| (t.tag.clone(), t.name.clone()))
        .collect();
    out.tag(plan.existing_index.clone(), &manifest_desc, &tags)
        .await?;

    let layer_infos: Vec<LayerInfo> = layers
        .iter()
        .zip(&config.rootfs.diff_ids)
        .map(|(d, diff_id)| LayerInfo {
            digest: d.digest.clone(),
            diff_id: diff_id.clone(),
            size: d.size,
            media_type: d.media_type.clone(),
        })
        .collect();
    Ok(BuildResult {
        dry_run: false,
        size: manifest_desc.size + config_desc.size + layers.iter().map(|l| l.size).sum::<u64>(),
        manifest_digest: Some(manifest_desc.digest),
        config_digest: Some(config_desc.digest),
        layers: layer_infos,
        ..BuildResult::planned(plan)
    })
}

/// Streams entries through tar and gzip into a new blob; returns its descriptor and diff_id.
async fn write_layer<H: Host>(
    host: &H,
    out: &Layout<'_, H>,
    entries: &[PlannedEntry],
    mtime: u64,
    media_type: &str,
) -> Result<(Descriptor, Digest), Error> {
    let mut blob = out.begin_blob().await?;
    match encode_into(host, &mut blob, entries, mtime).await {
        Ok(d) => {
            blob.commit(out, &d.digest).await?;
            Ok((Descriptor::new(media_type, d.digest, d.size), d.diff_id))
        }
        Err(e) => {
            blob.abort(out).await;
            Err(e)
        }
    }
}

async fn encode_into<H: Host>(
    host: &H,
    blob: &mut BlobWriter,
    entries: &[PlannedEntry],
    mtime: u64,
) -> Result<crate::layer::LayerDigests, Error> {
    let mut enc = LayerEncoder::new(host.sha256(), host.sha256());
    let mut pipeline = Pipeline::default();
    for planned in entries {
        enc.push(&tar::header(&planned.entry, mtime)?);
        let size = planned.entry.size();
        match &planned.content {
            Content::None => {}
            Content::Bytes(bytes) => enc.push(bytes),
            Content::File(path) => {
                let mut offset = 0;
                while offset < size {
                    let want = IO_CHUNK.min((size - offset) as usize);
                    let chunk = host.read(path, offset, want).await?;
                    if chunk.len() < want {
                        return Err(Error::FileChanged { path: path.clone() });
                    }
                    enc.push(&chunk);
                    offset += want as u64;
                    pipeline.compress(host, &mut enc).await?;
                    drain(host, blob, &mut enc).await?;
                }
            }
        }
        enc.push(&[0; tar::BLOCK][..tar::padding(size)]);
        pipeline.compress(host, &mut enc).await?;
        drain(host, blob, &mut enc).await?;
    }
    pipeline.flush(&mut enc).await?;
    let (rest, digests) = enc.finish();
    blob.write(host, &rest).await?;
    Ok(digests)
}

/// Deflates full chunks two at a time where the host offers a second core:
/// chunk k goes to the host while chunk k+1 is deflated here, and both are
/// put back in order.
#[derive(Default)]
struct Pipeline {
    ahead: Option<Offloaded>,
}

impl Pipeline {
    async fn compress<H: Host>(&mut self, host: &H, enc: &mut LayerEncoder) -> Result<(), Error> {
        while let Some(chunk) = enc.take_chunk() {
            match self.ahead.take() {
                Some(remote) => {
                    let local = gzip::deflate_chunk(&chunk);
                    enc.put(&remote.await?);
                    enc.put(&local);
                }
                None => match host.deflate_chunk(&chunk) {
                    Some(remote) => self.ahead = Some(remote),
                    None => enc.put(&gzip::deflate_chunk(&chunk)),
                },
            }
        }
        Ok(())
    }

    async fn flush(&mut self, enc: &mut LayerEncoder) -> Result<(), Error> {
        if let Some(remote) = self.ahead.take() {
            enc.put(&remote.await?);
        }
        Ok(())
    }
}

/// Writes out compressed bytes once a chunk's worth has gathered.
async fn drain<H: Host>(
    host: &H,
    blob: &mut BlobWriter,
    enc: &mut LayerEncoder,
) -> Result<(), Error> {
    if enc.out.len() >= IO_CHUNK {
        blob.write(host, &enc.take_output()).await?;
        host.progress(&Progress::Blob {
            digest: None,
            label: "app layer",
            bytes: blob.size(),
        });
    }
    Ok(())
}
