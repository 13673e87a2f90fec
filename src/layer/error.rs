//! Why a layer could not be written.

use pycontainer_archive::tar::TarError;
use pycontainer_archive::ChunkError;

use crate::host::HostError;
use crate::layout::LayoutError;
use crate::wheelfile::WheelFileError;

#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("{path} changed while it was being read; build again")]
    FileChanged { path: String },
    #[error(transparent)]
    Tar(#[from] TarError),
    #[error(transparent)]
    Wheel(#[from] WheelFileError),
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error(transparent)]
    Host(#[from] HostError),
    /// The host's `deflateChunk` answered with something other than the
    /// core's own `deflateChunk` result.
    #[error("the host's deflateChunk: {0}")]
    Chunk(#[from] ChunkError),
}

impl LayerError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            LayerError::FileChanged { .. } => "file-changed",
            LayerError::Tar(_) => "layer",
            LayerError::Wheel(e) => e.code(),
            LayerError::Layout(_) => "output",
            LayerError::Host(_) | LayerError::Chunk(_) => "io",
        }
    }
}
