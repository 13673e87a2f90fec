//! The OCI distribution protocol over the host's fetch: auth, pull and push.
//!
//! `client` sends requests (auth, retries); `pull` and `push` are the two
//! directions built on it. See docs/registry.md.

pub mod auth;
pub mod challenge;
mod client;
pub mod pull;
pub mod push;
pub mod referrers;

pub use client::{Client, ClientOptions, Request};

use crate::host::HostError;
use crate::layout::LayoutError;
use pycontainer_digest::Digest;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("authentication required for {registry}: log in with `docker login {registry}`, or pass --username and --password-stdin")]
    AuthRequired { registry: String },
    #[error("authentication failed for {registry}: {detail}")]
    AuthFailed { registry: String, detail: String },
    #[error("{registry}: access to {repository} denied ({detail}); check that the credentials may {action} it")]
    Denied {
        registry: String,
        repository: String,
        action: &'static str,
        detail: String,
    },
    #[error("{what} not found in {registry}")]
    NotFound { registry: String, what: String },
    #[error("{what}: {registry} answered {status}{detail}")]
    Status {
        registry: String,
        what: String,
        status: u16,
        detail: String,
    },
    #[error("{what}: cannot reach {registry}: {message}{hint}")]
    Network {
        registry: String,
        what: String,
        message: String,
        hint: &'static str,
    },
    #[error(
        "no image for platform {wanted} in {image}; {}",
        crate::layout::list("platforms", available)
    )]
    NoPlatform {
        image: String,
        wanted: String,
        available: Vec<String>,
    },
    #[error("{image} is for {found}, not the requested platform {wanted}")]
    WrongPlatform {
        image: String,
        wanted: String,
        found: String,
    },
    #[error("{what}: the registry's response is not valid: {message}")]
    Protocol { what: String, message: String },
    #[error("{what} from {registry} is corrupt: expected {expected}, but its {size} bytes hash to {actual}; nothing was cached")]
    Digest {
        registry: String,
        what: String,
        expected: Digest,
        actual: Digest,
        size: u64,
    },
    #[error("{what} from {registry}: size mismatch: {got}, the manifest says {expected} bytes; nothing was cached")]
    Size {
        registry: String,
        what: String,
        expected: u64,
        /// What arrived, in words: the read stops past the expected size.
        got: String,
    },
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error(transparent)]
    Host(#[from] HostError),
}

impl RegistryError {
    /// A stable code for scripts and the JS API.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::AuthRequired { .. }
            | RegistryError::AuthFailed { .. }
            | RegistryError::Denied { .. } => "registry-auth",
            RegistryError::NotFound { .. } => "not-found",
            RegistryError::NoPlatform { .. } | RegistryError::WrongPlatform { .. } => "platform",
            RegistryError::Digest { .. } => "digest-mismatch",
            RegistryError::Size { .. } => "size-mismatch",
            RegistryError::Network { .. } => "network",
            RegistryError::Layout(_) | RegistryError::Host(_) => "io",
            RegistryError::Status { .. } | RegistryError::Protocol { .. } => "registry",
        }
    }
}
