//! Dependencies for the target image: what to install, for which platform, and the layer they make.

pub mod input;
pub mod probe;
pub mod tags;
pub mod target;
pub mod wheelfile;
pub mod zip;

/// Everything that can go wrong between a project's dependency list and its layer.
#[derive(Debug, thiserror::Error)]
pub enum DepsError {
    #[error(transparent)]
    Target(#[from] target::TargetError),
    #[error(transparent)]
    Input(#[from] input::InputError),
    #[error("base layer {digest} has media type {media_type}, which pycontainer cannot read to find the base's Python (gzip and plain tar layers are supported)")]
    LayerFormat { digest: String, media_type: String },
    #[error("base layer {digest} cannot be read: {message}")]
    BaseLayer { digest: String, message: String },
    #[error("{wheel}: {source}")]
    Zip {
        wheel: String,
        source: zip::ZipError,
    },
    #[error("the cached wheel {path} is gone; build again to download it")]
    WheelMissing { path: String },
    #[error("{wheel}: {entry} is {size} bytes, too large to be a metadata file")]
    MemberTooLarge {
        wheel: String,
        entry: String,
        size: u64,
    },
    #[error("{wheel}: {entry} does not match the hash its RECORD gives (RECORD says {expected}, the file is {actual}); the wheel is corrupt or was altered")]
    RecordMismatch {
        wheel: String,
        entry: String,
        expected: String,
        actual: String,
    },
    #[error(transparent)]
    Host(#[from] crate::host::HostError),
}

impl DepsError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            DepsError::Target(_) | DepsError::LayerFormat { .. } | DepsError::BaseLayer { .. } => {
                "base-python"
            }
            DepsError::Input(_) => "dependencies",
            DepsError::Zip { .. }
            | DepsError::MemberTooLarge { .. }
            | DepsError::RecordMismatch { .. } => "bad-wheel",
            DepsError::WheelMissing { .. } | DepsError::Host(_) => "io",
        }
    }
}
