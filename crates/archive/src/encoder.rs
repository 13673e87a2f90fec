//! A layer's bytes: a deterministic tar stream, gzipped, with both digests computed while streaming.

use pycontainer_digest::{Digest, Sha256};

use crate::gzip::{self, Trailer};
use crate::tar;

/// A compressed chunk handed back without the checksum `gzip::compress_chunk`
/// puts after it: whoever compressed it did not run that function.
#[derive(Debug, thiserror::Error)]
#[error("a compressed layer chunk came back with {len} bytes, too few to end in its checksum")]
pub struct ChunkError {
    pub len: usize,
}

/// What a finished layer is known by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerDigests {
    /// sha256 of the gzip blob, as in the manifest.
    pub digest: Digest,
    /// sha256 of the uncompressed tar, as in the config's `rootfs.diff_ids`.
    pub diff_id: Digest,
    /// Size of the gzip blob.
    pub size: u64,
}

/// Turns tar bytes into gzip bytes, hashing both sides. Sans-I/O: the
/// caller feeds tar bytes, takes each full chunk, has it compressed (here or
/// on another core, with `gzip::compress_chunk`, which also checksums it),
/// and puts the results back in order.
pub struct LayerEncoder {
    tar_hash: Sha256,
    blob_hash: Sha256,
    trailer: Trailer,
    blob_len: u64,
    pending: Vec<u8>,
    /// Compressed bytes ready for the sink.
    pub out: Vec<u8>,
}

impl LayerEncoder {
    pub fn new(tar_hash: Sha256, blob_hash: Sha256) -> Self {
        let mut enc = LayerEncoder {
            tar_hash,
            blob_hash,
            trailer: Trailer::default(),
            blob_len: 0,
            pending: Vec::with_capacity(gzip::CHUNK),
            out: Vec::new(),
        };
        enc.put(&gzip::HEADER);
        enc
    }

    pub fn push(&mut self, tar_bytes: &[u8]) {
        self.tar_hash.update(tar_bytes);
        self.pending.extend_from_slice(tar_bytes);
    }

    /// The next full chunk of tar bytes, to be deflated and `put` back in order.
    pub fn take_chunk(&mut self) -> Option<Vec<u8>> {
        if self.pending.len() < gzip::CHUNK {
            return None;
        }
        let rest = self.pending.split_off(gzip::CHUNK);
        Some(std::mem::replace(&mut self.pending, rest))
    }

    /// Appends `gzip::compress_chunk`'s result for the next chunk
    /// `take_chunk` gave out.
    pub fn put_chunk(&mut self, result: &[u8]) -> Result<(), ChunkError> {
        self.put_chunk_of(result, gzip::CHUNK)
    }

    fn put_chunk_of(&mut self, result: &[u8], len: usize) -> Result<(), ChunkError> {
        let (deflated, crc) =
            gzip::split_compressed(result).ok_or(ChunkError { len: result.len() })?;
        self.trailer.add_chunk(crc, len as u64);
        self.put(deflated);
        Ok(())
    }

    /// Appends bytes to the blob as they are.
    fn put(&mut self, compressed: &[u8]) {
        self.blob_hash.update(compressed);
        self.blob_len += compressed.len() as u64;
        self.out.extend_from_slice(compressed);
    }

    /// Compresses a chunk here and appends it; a result made here always
    /// holds its checksum.
    fn put_chunk_whole(&mut self, chunk: &[u8]) {
        let _ = self.put_chunk_of(&gzip::compress_chunk(chunk), chunk.len());
    }

    /// Hands over the compressed bytes produced so far.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// Ends the tar and the gzip stream; returns the last bytes and the digests.
    /// Every full chunk must have been taken and put back first.
    pub fn finish(mut self) -> (Vec<u8>, LayerDigests) {
        self.push(&tar::END_OF_ARCHIVE);
        while let Some(chunk) = self.take_chunk() {
            self.put_chunk_whole(&chunk);
        }
        let last = std::mem::take(&mut self.pending);
        self.put_chunk_whole(&last);
        let trailer = std::mem::take(&mut self.trailer).finish();
        self.put(&trailer);
        let digests = LayerDigests {
            digest: self.blob_hash.finish(),
            diff_id: self.tar_hash.finish(),
            size: self.blob_len,
        };
        (self.out, digests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(parts: &[&[u8]], offload: bool) -> (Vec<u8>, LayerDigests) {
        let mut enc = LayerEncoder::new(Sha256::portable(), Sha256::portable());
        let mut out = Vec::new();
        for p in parts {
            enc.push(p);
            while let Some(chunk) = enc.take_chunk() {
                let compressed = if offload {
                    std::thread::spawn(move || gzip::compress_chunk(&chunk))
                        .join()
                        .unwrap_or_default()
                } else {
                    gzip::compress_chunk(&chunk)
                };
                enc.put_chunk(&compressed).unwrap();
            }
            out.extend(enc.take_output());
        }
        let (rest, digests) = enc.finish();
        out.extend(rest);
        (out, digests)
    }

    #[test]
    fn a_chunk_back_without_its_checksum_is_refused() {
        let mut enc = LayerEncoder::new(Sha256::portable(), Sha256::portable());
        enc.push(&vec![7; gzip::CHUNK]);
        let chunk = enc.take_chunk().unwrap();
        assert_eq!(enc.put_chunk(&[0x03]).unwrap_err().len, 1);
        assert!(enc.put_chunk(&gzip::compress_chunk(&chunk)).is_ok());
    }

    #[test]
    fn the_blob_depends_only_on_the_bytes_not_on_how_or_where_they_were_compressed() {
        let data: Vec<u8> = (0..3 * gzip::CHUNK + 1234)
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let (whole, d1) = encode(&[&data], false);
        let split: Vec<&[u8]> = data.chunks(777).collect();
        let (pieces, d2) = encode(&split, true);
        assert_eq!(whole, pieces);
        assert_eq!(d1, d2);
        assert_eq!(d1.size, whole.len() as u64);
        assert_eq!(Digest::of(Sha256::portable(), &whole), d1.digest);
    }
}
