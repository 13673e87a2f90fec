//! Checks an image in a layout against every invariant a registry or runtime relies on.
//!
//! Every blob's digest and size, each layer's gzip stream, tar headers and
//! diff_id against its uncompressed bytes, history against layers, and the platform in the
//! index against the config. Tests call it on every image they build.

use serde::Serialize;

use crate::host::Host;
use crate::layout::{self, Layout, LayoutError};
use pycontainer_archive::gunzip::Gunzip;
use pycontainer_archive::untar::{Header, Untar, Visitor, Want};
use pycontainer_digest::Digest;
use pycontainer_oci::{media, Descriptor, ImageConfig, Manifest};

const CHUNK: usize = 1 << 20;

/// What `validate` found.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ValidateReport"))]
pub struct Report {
    pub manifest_digest: Option<Digest>,
    pub tag: Option<String>,
    pub ok: bool,
    pub problems: Vec<String>,
    pub layers: usize,
}

/// Validates the image tagged `tag` (or the only one) in the layout at `path`.
pub async fn validate<H: Host>(host: &H, path: &str, tag: Option<&str>) -> Report {
    let layout = Layout::new(host, path);
    let mut problems = Vec::new();
    let mut report = Report {
        manifest_digest: None,
        tag: tag.map(str::to_owned),
        ok: false,
        problems: Vec::new(),
        layers: 0,
    };
    match host.stat(&format!("{}/oci-layout", layout.root())).await {
        Ok(Some(_)) => {}
        _ => problems.push("oci-layout file is missing".to_owned()),
    }
    match layout.leftovers().await {
        Ok(found) => problems.extend(
            found
                .into_iter()
                .map(|(name, owner)| leftover(&name, owner)),
        ),
        Err(e) => problems.push(e.to_string()),
    }
    let (descriptor, manifest, config) = match documents(&layout, tag).await {
        Ok(d) => d,
        Err(e) => {
            problems.push(e.to_string());
            report.problems = problems;
            return report;
        }
    };
    report.manifest_digest = Some(descriptor.digest.clone());
    report.layers = manifest.layers.len();
    if let Some(p) = &descriptor.platform {
        if !p.matches(&config.platform()) {
            problems.push(format!(
                "index says platform {p}, config says {}",
                config.platform()
            ));
        }
    }
    if config.rootfs.diff_ids.len() != manifest.layers.len() {
        problems.push(format!(
            "config lists {} diff_ids for {} layers",
            config.rootfs.diff_ids.len(),
            manifest.layers.len()
        ));
    }
    let non_empty = config.history.iter().filter(|h| !h.empty_layer).count();
    if !config.history.is_empty() && non_empty != manifest.layers.len() {
        problems.push(format!(
            "history has {non_empty} non-empty entries for {} layers",
            manifest.layers.len()
        ));
    }
    for (i, layer) in manifest.layers.iter().enumerate() {
        let want = config.rootfs.diff_ids.get(i);
        if let Err(p) = check_layer(host, &layout, layer, want).await {
            problems.push(format!("layer {i} ({}): {p}", layer.digest));
        }
    }
    report.ok = problems.is_empty();
    report.problems = problems;
    report
}

/// A temp file no running build owns, and what becomes of it.
fn leftover(name: &str, owner: Option<u32>) -> String {
    match owner {
        Some(pid) => format!(
            "leftover temp file {name}: process {pid}, which wrote it, no longer runs; the next build into this layout removes it"
        ),
        None => format!(
            "leftover temp file {name}: its writer is unknown; remove it when no build is running"
        ),
    }
}

/// The manifest and config of the image tagged `tag`, read here without
/// building an image from them: a checker must see an image the model
/// would refuse, to say what is wrong with it.
async fn documents<H: Host>(
    layout: &Layout<'_, H>,
    tag: Option<&str>,
) -> Result<(Descriptor, Manifest, ImageConfig), LayoutError> {
    let index = layout.index().await?;
    let descriptor = layout
        .select_platform(layout.entry(&index, tag)?.clone(), None)
        .await?;
    let manifest: Manifest = layout::parse(
        &layout.blob_path(&descriptor.digest),
        &layout.read_document(&descriptor).await?,
    )?;
    let config: ImageConfig = layout::parse(
        &layout.blob_path(&manifest.config.digest),
        &layout.read_document(&manifest.config).await?,
    )?;
    Ok((descriptor, manifest, config))
}

/// Hashes the blob and, for tar and gzip layers, the uncompressed stream.
async fn check_layer<H: Host>(
    host: &H,
    layout: &Layout<'_, H>,
    desc: &Descriptor,
    diff_id: Option<&Digest>,
) -> Result<(), String> {
    let path = layout.blob_path(&desc.digest);
    if host.stat(&path).await.map_err(|e| e.to_string())?.is_none() {
        return Err(LayoutError::BlobMissing {
            path: layout.root().to_owned(),
            digest: desc.digest.clone(),
        }
        .to_string());
    }
    let gzip = media::layer_is_gzip(&desc.media_type);
    let plain = media::layer_is_tar(&desc.media_type);
    let mut blob_hash = host.sha256();
    let mut tar_hash = host.sha256();
    let mut gunzip = Gunzip::new();
    let mut untar = Untar::default();
    let mut tar_error = None;
    let mut size = 0u64;
    loop {
        let chunk = host
            .read(&path, size, CHUNK)
            .await
            .map_err(|e| e.to_string())?;
        size += chunk.len() as u64;
        blob_hash.update(&chunk);
        let mut feed = |b: &[u8]| {
            tar_hash.update(b);
            if tar_error.is_none() {
                tar_error = untar.push(b, &mut Headers).err();
            }
        };
        if gzip {
            gunzip
                .push(&chunk, &mut feed)
                .map_err(|e| format!("not a gzip stream: {e}"))?;
        } else if plain {
            feed(&chunk);
        }
        if chunk.len() < CHUNK {
            break;
        }
    }
    if size != desc.size {
        return Err(format!(
            "size mismatch: the blob is {size} bytes, its descriptor says {}",
            desc.size
        ));
    }
    let actual = blob_hash.finish();
    if actual != desc.digest {
        return Err(format!(
            "content hashes to {actual}, descriptor says {}",
            desc.digest
        ));
    }
    if gzip {
        gunzip
            .finish()
            .map_err(|e| format!("not a gzip stream: {e}"))?;
    }
    if gzip || plain {
        if let Some(e) = tar_error {
            return Err(e.to_string());
        }
        untar.finish().map_err(|e| e.to_string())?;
    }
    let uncompressed = tar_hash.finish();
    match diff_id {
        Some(want) if (gzip || plain) && *want != uncompressed => Err(format!(
            "diff_id is {want}, uncompressed content hashes to {uncompressed}"
        )),
        None => Err("no diff_id in the config".to_owned()),
        _ => Ok(()),
    }
}

/// Reads every header and wants no data: validate checks that a layer is a
/// tar, not what is in it.
struct Headers;

impl Visitor for Headers {
    fn entry(&mut self, _header: &Header) -> Want {
        Want::Skip
    }
    fn data(&mut self, _bytes: &[u8]) {}
}
