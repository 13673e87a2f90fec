//! SBOMs of the built image: what its layers really hold (`gather`),
//! written beside the output layout (`files`), and as referrers of the
//! image (`referrer`), which the layout and each registry then list.

mod files;
mod gather;
mod referrer;

pub use files::write_beside;
pub use gather::gather;
pub use referrer::referrers;
