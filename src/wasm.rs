//! The functions JS calls: build, deploy, dockerfile, push, validate, version.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::deploy::DeployOptions;
use crate::eject::DockerfileOptions;
use crate::host::{from_js, to_js, JsHost};
use crate::js_options::ValidateOptions;
use crate::plan::BuildOptions;
use crate::publish::PushOptions;

fn js_error(code: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    let _ = js_sys::Reflect::set(&e, &"code".into(), &code.into());
    e.into()
}

/// The core's error for JS: its code, and the flag, file, key, line and column at
/// fault where the core knows them, so an editor can point at the cause.
fn core_error(e: &crate::error::Error) -> JsValue {
    let js = js_error(e.code(), &e.to_string());
    for (name, value) in [("option", e.option()), ("file", e.file()), ("key", e.key())] {
        if let Some(value) = value {
            let _ = js_sys::Reflect::set(&js, &name.into(), &value.into());
        }
    }
    for (name, value) in [("line", e.line()), ("column", e.column())] {
        if let Some(value) = value {
            let _ = js_sys::Reflect::set(&js, &name.into(), &(value as f64).into());
        }
    }
    js
}

fn result<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    to_js(value).map_err(|e| js_error("internal", &e))
}

/// Builds an image; see `BuildOptions` and `BuildResult` for the shapes.
#[wasm_bindgen]
pub async fn build(options: JsValue, host: JsValue) -> Result<JsValue, JsValue> {
    let host = JsHost::new(host)?;
    let options = from_js(&options)
        .and_then(BuildOptions::from_json)
        .map_err(|e| js_error("invalid-option", &e))?;
    match crate::build::build(&host, &options).await {
        Ok(done) => result(&done),
        Err(e) => Err(core_error(&e)),
    }
}

/// Builds and pushes an image, then makes the Kubernetes manifests that
/// run it; see `DeployOptions` and `DeployResult`.
#[wasm_bindgen]
pub async fn deploy(options: JsValue, host: JsValue) -> Result<JsValue, JsValue> {
    let host = JsHost::new(host)?;
    let options = from_js(&options)
        .and_then(DeployOptions::from_json)
        .map_err(|e| js_error("invalid-option", &e))?;
    match crate::deploy::deploy(&host, options).await {
        Ok(done) => result(&done),
        Err(e) => Err(core_error(&e)),
    }
}

/// Plans a build and writes it as a Dockerfile and its ignore file; see
/// `DockerfileOptions` and `DockerfileResult`. Resolves to the texts: the
/// caller writes them.
#[wasm_bindgen]
pub async fn dockerfile(options: JsValue, host: JsValue) -> Result<JsValue, JsValue> {
    let host = JsHost::new(host)?;
    let options = from_js(&options)
        .and_then(DockerfileOptions::from_json)
        .map_err(|e| js_error("invalid-option", &e))?;
    match crate::eject::dockerfile(&host, &options).await {
        Ok(done) => result(&done),
        Err(e) => Err(core_error(&e.into())),
    }
}

/// Pushes an image from an OCI layout; see `PushOptions` and `PushResult`.
#[wasm_bindgen]
pub async fn push(options: JsValue, host: JsValue) -> Result<JsValue, JsValue> {
    let host = JsHost::new(host)?;
    let options = from_js(&options)
        .and_then(PushOptions::from_json)
        .map_err(|e| js_error("invalid-option", &e))?;
    match crate::publish::push_layout(&host, &options).await {
        Ok(done) => result(&done),
        Err(e) => Err(core_error(&e.into())),
    }
}

/// Checks an image in a layout; resolves to a report, never rejects for a bad image.
#[wasm_bindgen]
pub async fn validate(options: JsValue, host: JsValue) -> Result<JsValue, JsValue> {
    let host = JsHost::new(host)?;
    let options = from_js(&options)
        .and_then(ValidateOptions::from_json)
        .map_err(|e| js_error("invalid-option", &e))?;
    result(&crate::validate::validate(&host, &options.layout, options.tag.as_deref()).await)
}

/// The layer compressor's unit of work, for a host's worker threads: the
/// same code as the core's, so a chunk is the same bytes wherever it runs.
/// The result (the deflated chunk, then its CRC-32) is the core's to read;
/// a host passes it back as it is.
#[wasm_bindgen(js_name = deflateChunk)]
pub fn deflate_chunk(data: &[u8]) -> Vec<u8> {
    pycontainer_archive::gzip::compress_chunk(data)
}

/// `deflateChunk` into a caller's buffer, so that a worker allocates no JS
/// memory per chunk; the length written, or `u32::MAX` when `out` is too small.
#[wasm_bindgen(js_name = deflateChunkInto)]
pub fn deflate_chunk_into(data: &[u8], out: &mut [u8]) -> u32 {
    let deflated = pycontainer_archive::gzip::compress_chunk(data);
    match out.get_mut(..deflated.len()) {
        Some(dest) => {
            dest.copy_from_slice(&deflated);
            deflated.len() as u32
        }
        None => u32::MAX,
    }
}

#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
