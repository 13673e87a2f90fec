//! pycontainer: builds OCI images from Python projects, with no Docker and no Python.

pub mod blobs;
pub mod build;
pub mod cache;
pub mod clock;
pub mod config;
pub mod deps;
pub mod error;
pub mod host;
pub mod http;
pub mod layer;
pub mod layout;
pub mod plan;
pub mod project;
pub mod publish;
pub mod registry;
pub mod sink;
pub mod source;
pub mod validate;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
pub mod wheelfile;
