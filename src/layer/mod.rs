//! Layers: a deterministic tar stream, gzipped, with both digests computed while streaming.

pub mod gunzip;
pub mod gzip;
pub mod tar;

use crate::digest::{Digest, Sha256};
use gzip::GzipEncoder;

#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("path too long for a tar entry: {path}")]
    PathTooLong { path: String },
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
    pub uncompressed_size: u64,
}

/// Turns tar bytes into gzip bytes, hashing both sides. Sans-I/O: the
/// caller feeds it and drains `out`.
pub struct LayerEncoder {
    gzip: GzipEncoder,
    tar_hash: Sha256,
    blob_hash: Sha256,
    tar_len: u64,
    blob_len: u64,
    /// Compressed bytes ready for the sink.
    pub out: Vec<u8>,
}

impl LayerEncoder {
    pub fn new(tar_hash: Sha256, blob_hash: Sha256) -> Self {
        LayerEncoder {
            gzip: GzipEncoder::new(),
            tar_hash,
            blob_hash,
            tar_len: 0,
            blob_len: 0,
            out: Vec::new(),
        }
    }

    pub fn push(&mut self, tar_bytes: &[u8]) {
        self.tar_hash.update(tar_bytes);
        self.tar_len += tar_bytes.len() as u64;
        let before = self.out.len();
        self.gzip.push(tar_bytes, &mut self.out);
        self.hash_new_output(before);
    }

    /// Hands over the compressed bytes produced so far.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// Ends the tar and the gzip stream; returns the last bytes and the digests.
    pub fn finish(mut self) -> (Vec<u8>, LayerDigests) {
        self.push(&tar::END_OF_ARCHIVE);
        let before = self.out.len();
        self.gzip.finish(&mut self.out);
        self.hash_new_output(before);
        let digests = LayerDigests {
            digest: self.blob_hash.finish(),
            diff_id: self.tar_hash.finish(),
            size: self.blob_len,
            uncompressed_size: self.tar_len,
        };
        (self.out, digests)
    }

    fn hash_new_output(&mut self, from: usize) {
        let fresh = &self.out[from..];
        self.blob_hash.update(fresh);
        self.blob_len += fresh.len() as u64;
    }
}
