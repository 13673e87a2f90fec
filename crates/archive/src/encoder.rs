//! A layer's bytes: a deterministic tar stream, gzipped, with both digests computed while streaming.

use pycontainer_digest::{Digest, Sha256};

use crate::gzip::{self, Trailer};
use crate::tar;

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
/// caller feeds tar bytes, takes each full chunk, has it deflated (here or on
/// another core, with `gzip::deflate_chunk`), and puts the results back in order.
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
        self.trailer.update(tar_bytes);
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

    /// Appends compressed bytes (a deflated chunk) to the blob.
    pub fn put(&mut self, compressed: &[u8]) {
        self.blob_hash.update(compressed);
        self.blob_len += compressed.len() as u64;
        self.out.extend_from_slice(compressed);
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
            self.put(&gzip::deflate_chunk(&chunk));
        }
        let last = std::mem::take(&mut self.pending);
        self.put(&gzip::deflate_chunk(&last));
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
                let deflated = if offload {
                    std::thread::spawn(move || gzip::deflate_chunk(&chunk))
                        .join()
                        .unwrap_or_default()
                } else {
                    gzip::deflate_chunk(&chunk)
                };
                enc.put(&deflated);
            }
            out.extend(enc.take_output());
        }
        let (rest, digests) = enc.finish();
        out.extend(rest);
        (out, digests)
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
