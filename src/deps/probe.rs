//! Reads the base image's layers for its Python environment, once per base:
//! the answer is kept in the cache under the base's config digest.

use crate::blobs;
use crate::cache::CacheDir;
use crate::host::{Host, Progress};
use crate::layout::Layout;
use crate::registry::Client;
use crate::source::BaseImage;
use pycontainer_archive::gunzip::Gunzip;
use pycontainer_archive::untar::{Untar, Visitor};
use pycontainer_oci::{Descriptor, Layer};

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
        scan(host, &path, layer, &mut probe).await?;
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
        crate::cache::write_record(host, path, &serde_json::to_vec(&env).unwrap_or_default()).await;
    }
    Ok(env)
}

/// Streams one layer blob through gunzip (unless it is a plain tar) and the tar reader.
///
/// This is where a build reads a base layer's content, so this is where a
/// bad one is refused: bytes that do not match the descriptor's size and
/// digest, a gzip stream that is not one, impossible tar headers, or
/// content whose hash is not the config's diff_id. A build without
/// dependencies never decompresses the base: it copies or mounts the blobs,
/// checked against their size and digest (`Layout::copy_blob`, the pull),
/// and `pycontainer validate` checks the rest.
pub(crate) async fn scan<H: Host>(
    host: &H,
    path: &str,
    layer: &Layer,
    probe: &mut dyn Visitor,
) -> Result<(), DepsError> {
    let desc = &layer.descriptor;
    let gzipped = desc.media_type.ends_with("gzip");
    if !gzipped && !desc.media_type.ends_with("tar") {
        return Err(DepsError::LayerFormat {
            digest: desc.digest.to_string(),
            media_type: desc.media_type.clone(),
        });
    }
    let mut gunzip = Gunzip::new();
    let mut untar = Untar::default();
    let mut blob_hash = host.sha256();
    let mut tar_hash = host.sha256();
    let mut offset = 0;
    let mut failure = None;
    loop {
        let chunk = host.read(path, offset, CHUNK).await?;
        offset += chunk.len() as u64;
        blob_hash.update(&chunk);
        let mut feed = |bytes: &[u8]| {
            tar_hash.update(bytes);
            if failure.is_none() {
                if let Err(e) = untar.push(bytes, probe) {
                    failure = Some(e.to_string());
                }
            }
        };
        if gzipped {
            gunzip
                .push(&chunk, &mut feed)
                .map_err(|e| bad_layer(desc, format!("not a gzip stream: {e}")))?;
        } else {
            feed(&chunk);
        }
        if let Some(message) = failure.take() {
            return Err(bad_layer(desc, message));
        }
        if chunk.len() < CHUNK {
            break;
        }
    }
    if offset != desc.size {
        return Err(bad_layer(
            desc,
            format!(
                "size mismatch: the blob is {offset} bytes, its descriptor says {}",
                desc.size
            ),
        ));
    }
    let actual = blob_hash.finish();
    if actual != desc.digest {
        return Err(bad_layer(desc, format!("its content hashes to {actual}")));
    }
    if gzipped {
        gunzip
            .finish()
            .map_err(|e| bad_layer(desc, format!("not a gzip stream: {e}")))?;
    }
    untar.finish().map_err(|e| bad_layer(desc, e.to_string()))?;
    let uncompressed = tar_hash.finish();
    if uncompressed != layer.diff_id {
        return Err(bad_layer(
            desc,
            format!(
                "its uncompressed content hashes to {uncompressed}, but the config's rootfs.diff_ids says {}",
                layer.diff_id
            ),
        ));
    }
    Ok(())
}

fn bad_layer(layer: &Descriptor, message: String) -> DepsError {
    DepsError::BaseLayer {
        digest: layer.digest.to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NativeHost;
    use pycontainer_archive::gzip::{deflate_chunk, Trailer, HEADER};
    use pycontainer_archive::tar::{header, END_OF_ARCHIVE};
    use pycontainer_archive::Entry;
    use pycontainer_digest::{Digest, Sha256};
    use pycontainer_oci::{media, BlobSource};

    /// A whole gzip stream, as a layer writer makes one from a small tar.
    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut trailer = Trailer::default();
        trailer.update(data);
        let mut out = HEADER.to_vec();
        out.extend(deflate_chunk(data));
        out.extend(trailer.finish());
        out
    }

    fn tar() -> Vec<u8> {
        let mut tar = header(&Entry::dir("usr", 0), 0).unwrap_or_default();
        tar.extend(END_OF_ARCHIVE);
        tar
    }

    /// `scan` over `blob` stored in a file, described as a gzip layer of
    /// `tar`'s diff_id; the error it gives, if any.
    fn scan_error(name: &str, blob: &[u8], tar: &[u8], size: Option<u64>) -> String {
        let path =
            std::env::temp_dir().join(format!("pycontainer-probe-{name}-{}", std::process::id()));
        std::fs::write(&path, blob).unwrap_or_default();
        let sha = || Sha256::portable();
        let descriptor = Descriptor::new(
            media::OCI_LAYER_GZIP,
            Digest::of(sha(), blob),
            size.unwrap_or(blob.len() as u64),
        );
        let layer = Layer {
            descriptor,
            diff_id: Digest::of(sha(), tar),
            source: BlobSource::Layout(String::new()),
        };
        let host = NativeHost::new();
        let out = pollster::block_on(scan(
            &host,
            &path.to_string_lossy(),
            &layer,
            &mut Probe::default(),
        ));
        let _ = std::fs::remove_file(&path);
        out.err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn a_base_layer_that_is_not_what_it_claims_is_refused_naming_its_digest() {
        let good = tar();
        assert_eq!(scan_error("good", &gzip(&good), &good, None), "");
        let e = scan_error("plain", &good, &good, None);
        assert!(
            e.starts_with("base layer sha256:") && e.contains("not a gzip stream"),
            "{e}"
        );
        let mut damaged = good.clone();
        damaged[0] = b'X';
        let e = scan_error("header", &gzip(&damaged), &damaged, None);
        assert!(e.contains("checksum"), "{e}");
        let e = scan_error("diff-id", &gzip(&good), b"other", None);
        assert!(e.contains("rootfs.diff_ids says sha256:"), "{e}");
        let e = scan_error("size", &gzip(&good), &good, Some(3));
        assert!(e.contains("size mismatch"), "{e}");
        let digest = Digest::of(Sha256::portable(), &gzip(&good));
        assert!(e.contains(&digest.to_string()), "{e}");
    }
}
