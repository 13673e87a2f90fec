//! pycontainer: builds OCI images from Python projects, with no Docker and no Python.
//!
//! The data flows one way: project → plan → layers → image → sinks. Every
//! module is private; what a host (the wasm boundary, or a native caller
//! such as the tests) needs is re-exported here.

mod blobs;
mod build;
mod cache;
mod clock;
mod config;
#[cfg(test)]
mod contract;
mod deploy;
mod deps;
mod eject;
mod error;
mod host;
mod http;
#[cfg(any(target_arch = "wasm32", test))]
mod js_options;
mod layer;
mod layout;
mod lock;
mod plan;
mod project;
mod publish;
mod registry;
mod sbom;
mod sink;
mod source;
mod temp;
mod validate;
#[cfg(target_arch = "wasm32")]
mod wasm;
mod wheelfile;

pub use build::{build, BuildResult};
pub use config::{Given, RuntimeFlags};
pub use deploy::{deploy, DeployOptions, DeployResult};
pub use eject::{dockerfile, DockerfileOptions, DockerfileResult};
pub use error::Error;
#[cfg(not(target_arch = "wasm32"))]
pub use host::NativeHost;
pub use host::{Host, HostError};
pub use plan::{BuildOptions, PlanError, PlanView};
pub use publish::{push_layout, PushOptions, PushResult};
pub use validate::{validate, Report};

/// The readers of untrusted text that live in this crate, so that the fuzz
/// targets (`crates/fuzz`) can reach them; builds go through [`build`].
pub mod parsers {
    pub use crate::config::{from_config_file, parse_env_file, Settings};
    pub use crate::project::pyproject::parse as pyproject;
    pub use crate::registry::challenge::Challenge;
}

/// The errors `Error` and `PlanError` wrap, for callers that tell them apart.
pub mod errors {
    pub use crate::eject::EjectError;
    pub use crate::layout::LayoutError;
    pub use crate::project::ProjectError;
    pub use crate::registry::RegistryError;
    pub use crate::sink::SinkError;
    pub use crate::source::SourceError;
}
