//! Layers written through the host: entries streamed through the archive
//! crate's encoder into a new blob of a layout, with files and wheel members
//! read as they go, and compression spread over a second core when the host
//! has one.

mod error;
mod write;

pub use error::LayerError;
pub use write::write_layer;
