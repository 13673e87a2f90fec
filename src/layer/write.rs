//! Streams a layer's entries into a new blob: tar headers and content in,
//! gzip out, both digests computed on the way, never the whole layer in memory.

use std::collections::VecDeque;

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
    // A layer smaller than the chunks the host has out at once is all
    // written here: it still reports its bytes.
    host.progress(&Progress::Blob {
        digest: None,
        label,
        bytes: blob.size(),
    });
    Ok(digests)
}

/// Deflates full chunks on the host's other cores where it offers them:
/// every chunk goes out, up to [`AHEAD`] at a time, and comes back in order,
/// while this thread reads, tars and hashes the next ones. A host without
/// them gets each chunk deflated here.
#[derive(Default)]
struct Pipeline {
    ahead: VecDeque<Offloaded>,
}

/// Chunks out at once: enough to keep four cores busy while this thread
/// waits on reads, and a megabyte of the host's memory each.
const AHEAD: usize = 4;

impl Pipeline {
    async fn compress<H: Host>(
        &mut self,
        host: &H,
        enc: &mut LayerEncoder,
    ) -> Result<(), LayerError> {
        while let Some(chunk) = enc.take_chunk() {
            if self.ahead.len() == AHEAD {
                self.put_oldest(enc).await?;
            }
            match host.deflate_chunk(&chunk) {
                Some(remote) => self.ahead.push_back(remote),
                None => {
                    self.flush(enc).await?;
                    enc.put_chunk(&gzip::compress_chunk(&chunk))?;
                }
            }
        }
        Ok(())
    }

    async fn put_oldest(&mut self, enc: &mut LayerEncoder) -> Result<(), LayerError> {
        if let Some(remote) = self.ahead.pop_front() {
            enc.put_chunk(&remote.await?)?;
        }
        Ok(())
    }

    async fn flush(&mut self, enc: &mut LayerEncoder) -> Result<(), LayerError> {
        while !self.ahead.is_empty() {
            self.put_oldest(enc).await?;
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
