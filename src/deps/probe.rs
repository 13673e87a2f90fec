//! Reads the base image's layers for its Python environment, once per base:
//! the answer is kept in the cache under the base's config digest.

use crate::blobs;
use crate::cache::CacheDir;
use crate::host::{Host, Progress};
use crate::layout::Layout;
use crate::registry::Client;
use crate::source::BaseImage;
use pycontainer_archive::gunzip::Gunzip;
use pycontainer_archive::untar::Untar;
use pycontainer_oci::Descriptor;

use super::DepsError;
use pycontainer_wheel::target::{BaseEnv, Probe};

const CHUNK: usize = 1 << 20;

/// The base's Python environment, from the cache or by reading its layers.
pub async fn base_env<H: Host>(
    client: &Client<'_, H>,
    base: &BaseImage,
    cache: &CacheDir,
) -> Result<BaseEnv, DepsError> {
    let host = client.host();
    let record = cache
        .path()
        .zip(base.digest.as_ref())
        .map(|(c, d)| format!("{c}/{}/{}.json", crate::cache::TARGET_RECORDS, d.hex()));
    if let Some(path) = &record {
        if host.stat(path).await?.is_some() {
            if let Ok(env) = serde_json::from_slice(&host.read_all(path).await?) {
                return Ok(env);
            }
        }
    }
    let layers = base.image.layers();
    let dirs = blobs::local(client, layers, cache, "reading a registry base's layers").await?;
    host.progress(&Progress::Phase {
        name: "inspect base",
    });
    let mut probe = Probe::default();
    for (layer, dir) in layers.iter().zip(dirs) {
        probe.begin_layer();
        let path = Layout::new(host, &dir).blob_path(&layer.descriptor.digest);
        scan(host, &path, &layer.descriptor, &mut probe).await?;
    }
    let env = probe.finish(
        base.image
            .config()
            .config
            .as_ref()
            .and_then(|c| c.env.as_deref())
            .unwrap_or_default(),
    )?;
    if let Some(path) = &record {
        write_record(host, path, &serde_json::to_vec(&env).unwrap_or_default()).await;
    }
    Ok(env)
}

/// Streams one layer blob through gunzip (unless it is a plain tar) and the tar reader.
async fn scan<H: Host>(
    host: &H,
    path: &str,
    layer: &Descriptor,
    probe: &mut Probe,
) -> Result<(), DepsError> {
    let gzipped = layer.media_type.ends_with("gzip");
    if !gzipped && !layer.media_type.ends_with(".tar") && !layer.media_type.ends_with("tar") {
        return Err(DepsError::LayerFormat {
            digest: layer.digest.to_string(),
            media_type: layer.media_type.clone(),
        });
    }
    let mut gunzip = Gunzip::new();
    let mut untar = Untar::default();
    let mut offset = 0;
    let mut failure = None;
    loop {
        let chunk = host.read(path, offset, CHUNK).await?;
        offset += chunk.len() as u64;
        let mut feed = |bytes: &[u8]| {
            if failure.is_none() {
                if let Err(e) = untar.push(bytes, probe) {
                    failure = Some(e.to_string());
                }
            }
        };
        if gzipped {
            gunzip
                .push(&chunk, &mut feed)
                .map_err(|e| bad_layer(layer, e.to_string()))?;
        } else {
            feed(&chunk);
        }
        if let Some(message) = failure.take() {
            return Err(bad_layer(layer, message));
        }
        if chunk.len() < CHUNK {
            break;
        }
    }
    if gzipped {
        gunzip
            .finish()
            .map_err(|e| bad_layer(layer, e.to_string()))?;
    }
    Ok(())
}

fn bad_layer(layer: &Descriptor, message: String) -> DepsError {
    DepsError::BaseLayer {
        digest: layer.digest.to_string(),
        message,
    }
}

/// Keeps a small answer in the cache. A failure only costs a later rescan,
/// so it is not an error.
pub(crate) async fn write_record<H: Host>(host: &H, path: &str, bytes: &[u8]) {
    let _ = crate::temp::replace_file(host, path, bytes).await;
}
