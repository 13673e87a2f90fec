//! Streams a layer's entries into a new blob: tar headers and content in,
//! gzip out, both digests computed on the way, never the whole layer in memory.

use pycontainer_archive::{gzip, tar, Content, Entry, EntryKind, LayerDigests, LayerEncoder};
use pycontainer_oci::{BlobSource, Descriptor, Layer};

use super::LayerError;
use crate::host::{Host, Offloaded, Progress};
use crate::layout::{BlobWriter, Layout};
use crate::wheelfile::Member;

/// Bytes read from a file per host call, and compressed bytes gathered per write.
const IO_CHUNK: usize = 1 << 20;

/// Streams entries through tar and gzip into a new blob of `out`, and
/// returns the layer. `label` names it in progress events.
pub async fn write_layer<H: Host>(
    host: &H,
    out: &Layout<'_, H>,
    entries: &[Entry],
    mtime: u64,
    media_type: &str,
    label: &str,
) -> Result<Layer, LayerError> {
    let mut blob = out.begin_blob().await?;
    match encode_into(host, &mut blob, entries, mtime, label).await {
        Ok(d) => {
            blob.commit(out, &d.digest).await?;
            Ok(Layer {
                descriptor: Descriptor::new(media_type, d.digest, d.size),
                diff_id: d.diff_id,
                source: BlobSource::Layout(out.root().to_owned()),
            })
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
    entries: &[Entry],
    mtime: u64,
    label: &str,
) -> Result<LayerDigests, LayerError> {
    let mut enc = LayerEncoder::new(host.sha256(), host.sha256());
    let mut pipeline = Pipeline::default();
    for entry in entries {
        enc.push(&tar::header(entry, mtime)?);
        let size = entry.size();
        if let EntryKind::File { content, .. } = &entry.kind {
            match content {
                Content::Bytes(bytes) => enc.push(bytes),
                Content::Path(path) => {
                    let mut offset = 0;
                    while offset < size {
                        let want = IO_CHUNK.min((size - offset) as usize);
                        let chunk = host.read(path, offset, want).await?;
                        if chunk.len() < want {
                            return Err(LayerError::FileChanged { path: path.clone() });
                        }
                        enc.push(&chunk);
                        offset += want as u64;
                        pipeline.compress(host, &mut enc).await?;
                        drain(host, blob, &mut enc, label).await?;
                    }
                }
                Content::ZipMember(m) => {
                    let mut member =
                        Member::open(host, &m.archive, &m.label, &m.entry, Some(&m.expected))
                            .await?;
                    while let Some(chunk) = member.next(host).await? {
                        enc.push(&chunk);
                        pipeline.compress(host, &mut enc).await?;
                        drain(host, blob, &mut enc, label).await?;
                    }
                }
            }
        }
        enc.push(&[0; tar::BLOCK][..tar::padding(size)]);
        pipeline.compress(host, &mut enc).await?;
        drain(host, blob, &mut enc, label).await?;
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
    async fn compress<H: Host>(
        &mut self,
        host: &H,
        enc: &mut LayerEncoder,
    ) -> Result<(), LayerError> {
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

    async fn flush(&mut self, enc: &mut LayerEncoder) -> Result<(), LayerError> {
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
    label: &str,
) -> Result<(), LayerError> {
    if enc.out.len() >= IO_CHUNK {
        blob.write(host, &enc.take_output()).await?;
        host.progress(&Progress::Blob {
            digest: None,
            label,
            bytes: blob.size(),
        });
    }
    Ok(())
}
