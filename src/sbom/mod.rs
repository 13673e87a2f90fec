//! SBOMs of the built image: what its layers really hold (`gather`),
//! written beside the output layout (`files`), and as referrers of the
//! image (`referrer`) into the layout and each registry (`attach`).

mod attach;
mod files;
mod gather;
mod referrer;

pub use attach::attach;
pub use files::write_beside;
pub use gather::gather;
pub use referrer::{put as put_referrers, referrers};
