//! The archive formats of images and wheels, with no I/O: layer entries,
//! deterministic tar headers, the layer encoder (tar, chunked gzip and both
//! digests while streaming), and push-fed readers for gzip, tar and zip.

mod encoder;
mod entry;
pub mod gunzip;
pub mod gzip;
mod inflate;
pub mod tar;
pub mod untar;
pub mod zip;

pub use encoder::{ChunkError, LayerDigests, LayerEncoder};
pub use entry::{Content, Entry, EntryKind, ZipMember};
