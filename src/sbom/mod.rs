//! SBOMs of the built image: what its layers really hold (`gather`),
//! written beside the output layout (`files`) and into it as referrers of
//! the image (`referrer`).

mod files;
mod gather;
mod referrer;

pub use files::write_beside;
pub use gather::gather;
pub use referrer::put as put_referrers;
