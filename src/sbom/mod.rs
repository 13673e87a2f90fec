//! SBOMs of the built image: what its layers really hold (`gather`),
//! written beside the output layout (`files`).

mod files;
mod gather;

pub use files::write_beside;
pub use gather::gather;
