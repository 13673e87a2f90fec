//! The functions JS calls: build, validate, version.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::host::JsHost;
use crate::plan::BuildOptions;

fn js_error(code: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    let _ = js_sys::Reflect::set(&e, &"code".into(), &code.into());
    e.into()
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error("internal", &e.to_string()))
}

/// Builds an image; see `BuildOptions` and `BuildResult` for the shapes.
#[wasm_bindgen]
pub async fn build(options: JsValue, host: JsValue) -> Result<JsValue, JsValue> {
    let host = JsHost::new(host)?;
    let options: BuildOptions = serde_wasm_bindgen::from_value(options)
        .map_err(|e| js_error("invalid-option", &format!("build options: {e}")))?;
    match crate::build::build(&host, &options).await {
        Ok(result) => to_js(&result),
        Err(e) => Err(js_error(e.code(), &e.to_string())),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidateOptions {
    layout: String,
    tag: Option<String>,
}

/// Checks an image in a layout; resolves to a report, never rejects for a bad image.
#[wasm_bindgen]
pub async fn validate(options: JsValue, host: JsValue) -> Result<JsValue, JsValue> {
    let host = JsHost::new(host)?;
    let options: ValidateOptions = serde_wasm_bindgen::from_value(options)
        .map_err(|e| js_error("invalid-option", &format!("validate options: {e}")))?;
    to_js(&crate::validate::validate(&host, &options.layout, options.tag.as_deref()).await)
}

#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
