//! A `Host` over a plain JS object (see docs/host-interface.md), for Node and the browser.

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{
    Body, BodyHandle, Credentials, DirEntry, FileInfo, Host, HostError, HttpRequest, HttpResponse,
    Offloaded, Progress, PySource, WriteHandle,
};
use pycontainer_digest::{HostSha256, Sha256};

pub struct JsHost {
    obj: Object,
}

/// A missing or mistyped host method, reported as the JS error it will become.
pub fn missing_method(name: &str) -> JsValue {
    js_sys::Error::new(&format!("host object has no method `{name}`")).into()
}

impl JsHost {
    /// Checks that every required method is present before any is called.
    pub fn new(obj: JsValue) -> Result<Self, JsValue> {
        let obj: Object = obj.dyn_into().map_err(|_| missing_method("stat"))?;
        let host = JsHost { obj };
        for name in [
            "stat", "listDir", "read", "create", "write", "close", "rename", "remove", "env",
            "progress",
        ] {
            host.method(name).ok_or_else(|| missing_method(name))?;
        }
        Ok(host)
    }

    fn method(&self, name: &str) -> Option<Function> {
        Reflect::get(&self.obj, &JsValue::from_str(name))
            .ok()?
            .dyn_into()
            .ok()
    }

    /// Calls a method and awaits its result, which may or may not be a promise.
    async fn call(
        &self,
        op: &'static str,
        path: &str,
        name: &str,
        args: &[JsValue],
    ) -> Result<JsValue, HostError> {
        let f = self
            .method(name)
            .ok_or_else(|| host_error(op, path, &missing_method(name)))?;
        let arr: js_sys::Array = args.iter().collect();
        let value = f
            .apply(&self.obj, &arr)
            .map_err(|e| host_error(op, path, &e))?;
        JsFuture::from(Promise::resolve(&value))
            .await
            .map_err(|e| host_error(op, path, &e))
    }
}

fn host_error(op: &'static str, path: &str, e: &JsValue) -> HostError {
    let get = |key: &str| {
        Reflect::get(e, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
    };
    HostError {
        op,
        path: path.to_owned(),
        message: get("message")
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "unknown error".to_owned()),
        code: get("code"),
    }
}

/// A plain JS value as a Rust one, through its JSON text: serde_json is in
/// the wasm anyway, and a second (de)serializer for JS values would add its
/// own copy of every type's code.
pub(crate) fn from_js<T: serde::de::DeserializeOwned>(v: &JsValue) -> Result<T, String> {
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| "not a plain JSON value".to_owned())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// A Rust value as a plain JS one, through its JSON text (see `from_js`).
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    js_sys::JSON::parse(&text).map_err(|_| "JSON.parse refused the core's JSON".to_owned())
}

fn decode<T: serde::de::DeserializeOwned>(
    op: &'static str,
    path: &str,
    v: JsValue,
) -> Result<T, HostError> {
    from_js(&v).map_err(|e| HostError {
        op,
        path: path.to_owned(),
        message: format!("host returned a malformed value: {e}"),
        code: None,
    })
}

/// A view of wasm memory for the duration of one synchronous JS call.
fn view(data: &[u8]) -> JsValue {
    // SAFETY: the view is handed straight to a JS function and not kept
    // (the contract says so); nothing allocates in wasm before it is used.
    unsafe { Uint8Array::view(data) }.into()
}

impl Host for JsHost {
    async fn stat(&self, path: &str) -> Result<Option<FileInfo>, HostError> {
        let v = self.call("stat", path, "stat", &[path.into()]).await?;
        if v.is_null() || v.is_undefined() {
            return Ok(None);
        }
        decode("stat", path, v).map(Some)
    }

    async fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>, HostError> {
        let v = self.call("list", path, "listDir", &[path.into()]).await?;
        let entries: Vec<DirEntry> = decode("list", path, v)?;
        Ok(entries.into_iter().map(DirEntry::with_name_bytes).collect())
    }

    async fn read(&self, path: &str, offset: u64, len: usize) -> Result<Vec<u8>, HostError> {
        let f = self
            .method("read")
            .ok_or_else(|| host_error("read", path, &missing_method("read")))?;
        let args: js_sys::Array = [
            path.into(),
            JsValue::from_f64(offset as f64),
            JsValue::from_f64(len as f64),
        ]
        .iter()
        .collect();
        let value = f
            .apply(&self.obj, &args)
            .map_err(|e| host_error("read", path, &e))?;
        // The Node host answers at once with a view of one scratch buffer
        // that its next read reuses; copied here, before any await lets
        // another read of a concurrent task run.
        if let Some(arr) = value.dyn_ref::<Uint8Array>() {
            return Ok(arr.to_vec());
        }
        let v = JsFuture::from(Promise::resolve(&value))
            .await
            .map_err(|e| host_error("read", path, &e))?;
        let arr: Uint8Array = v.dyn_into().map_err(|_| HostError {
            op: "read",
            path: path.to_owned(),
            message: "host read did not return a Uint8Array".to_owned(),
            code: None,
        })?;
        Ok(arr.to_vec())
    }

    async fn create(&self, path: &str) -> Result<WriteHandle, HostError> {
        let v = self.call("create", path, "create", &[path.into()]).await?;
        let n = v.as_f64().ok_or_else(|| HostError {
            op: "create",
            path: path.to_owned(),
            message: "host create did not return a number".to_owned(),
            code: None,
        })?;
        Ok(WriteHandle(n as u32))
    }

    async fn create_new(&self, path: &str) -> Result<Option<WriteHandle>, HostError> {
        if self.method("createNew").is_none() {
            // One process (a browser tab): checking first is enough.
            if self.stat(path).await?.is_some() {
                return Ok(None);
            }
            return self.create(path).await.map(Some);
        }
        let v = self
            .call("create", path, "createNew", &[path.into()])
            .await?;
        if v.is_null() || v.is_undefined() {
            return Ok(None);
        }
        let n = v.as_f64().ok_or_else(|| HostError {
            op: "create",
            path: path.to_owned(),
            message: "host createNew did not return a number or null".to_owned(),
            code: None,
        })?;
        Ok(Some(WriteHandle(n as u32)))
    }

    fn pid(&self) -> Option<u32> {
        let n = self.method("pid")?.call0(&self.obj).ok()?.as_f64()?;
        (n >= 0.0 && n <= f64::from(u32::MAX)).then_some(n as u32)
    }

    fn alive(&self, pid: u32) -> Option<bool> {
        self.method("alive")?
            .call1(&self.obj, &JsValue::from(pid))
            .ok()?
            .as_bool()
    }

    async fn write(&self, handle: WriteHandle, data: &[u8]) -> Result<(), HostError> {
        self.call("write", "", "write", &[JsValue::from(handle.0), view(data)])
            .await
            .map(drop)
    }

    async fn close(&self, handle: WriteHandle) -> Result<(), HostError> {
        self.call("close", "", "close", &[JsValue::from(handle.0)])
            .await
            .map(drop)
    }

    async fn rename(&self, from: &str, to: &str) -> Result<(), HostError> {
        self.call("rename", from, "rename", &[from.into(), to.into()])
            .await
            .map(drop)
    }

    /// The host's `copyFile`, or through the core for a host without one.
    async fn copy_file(&self, from: &str, to: &str) -> Result<(), HostError> {
        if self.method("copyFile").is_none() {
            return super::copy_through(self, from, to).await;
        }
        self.call("copy", from, "copyFile", &[from.into(), to.into()])
            .await
            .map(drop)
    }

    /// The host's `linkFile`, or a copy for a host without one.
    async fn link_file(&self, from: &str, to: &str) -> Result<(), HostError> {
        if self.method("linkFile").is_none() {
            return self.copy_file(from, to).await;
        }
        self.call("link", from, "linkFile", &[from.into(), to.into()])
            .await
            .map(drop)
    }

    async fn remove(&self, path: &str) -> Result<(), HostError> {
        self.call("remove", path, "remove", &[path.into()])
            .await
            .map(drop)
    }

    async fn remove_dir(&self, path: &str) -> Result<(), HostError> {
        self.call("rmdir", path, "removeDir", &[path.into()])
            .await
            .map(drop)
    }

    fn env(&self, name: &str) -> Option<String> {
        self.method("env")?
            .call1(&self.obj, &name.into())
            .ok()?
            .as_string()
    }

    fn progress(&self, event: &Progress<'_>) {
        if let (Some(f), Ok(v)) = (self.method("progress"), to_js(event)) {
            // Progress is advisory: a failing callback must not fail the build.
            let _ = f.call1(&self.obj, &v);
        }
    }

    fn deflate_chunk(&self, chunk: &[u8]) -> Option<Offloaded> {
        let f = self.method("deflateChunk")?;
        // Hands a result's buffer back once it is copied out, for the host
        // to pool: several chunks are out at once, so only the core knows
        // when a result has been read.
        let release = self.method("deflateRelease");
        let obj = self.obj.clone();
        // A view: the host copies it (into a pooled buffer) before returning.
        let started = f
            .call1(&self.obj, &view(chunk))
            .map(|p| JsFuture::from(Promise::resolve(&p)));
        Some(Box::pin(async move {
            let value = started
                .map_err(|e| host_error("deflate", "", &e))?
                .await
                .map_err(|e| host_error("deflate", "", &e))?;
            // `dyn_into`, not `Uint8Array::new`, which would copy the view into a new buffer.
            let bytes: Uint8Array = value.dyn_into().map_err(|_| HostError {
                op: "deflate",
                path: String::new(),
                message: "host deflateChunk did not resolve to a Uint8Array".to_owned(),
                code: None,
            })?;
            let out = bytes.to_vec();
            if let Some(release) = release {
                // Only the pool's loss if it fails: the bytes are copied.
                let _ = release.call1(&obj, &bytes);
            }
            Ok(out)
        }))
    }

    fn bytecode_magic(&self, minor: &str) -> Option<[u8; 4]> {
        let hex = self
            .method("bytecodeMagic")?
            .call1(&self.obj, &minor.into())
            .ok()?
            .as_string()?;
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
            })
            .collect::<Option<_>>()?;
        bytes.try_into().ok()
    }

    fn prepare_bytecode(&self, minor: &str) {
        if let Some(f) = self.method("prepareBytecode") {
            // Advisory, like progress: compile_bytecode reports any failure.
            let _ = f.call1(&self.obj, &minor.into());
        }
    }

    /// Sources go over as one buffer and a JSON list of paths and lengths;
    /// the pycs come back the same way, a `null` length for a refused one.
    async fn compile_bytecode(
        &self,
        minor: &str,
        sources: &[PySource<'_>],
    ) -> Result<Vec<Option<Vec<u8>>>, HostError> {
        let mut joined = Vec::with_capacity(sources.iter().map(|s| s.text.len()).sum());
        let mut index = Vec::with_capacity(sources.len());
        for s in sources {
            joined.extend_from_slice(s.text);
            index.push(serde_json::json!([s.path, s.text.len()]));
        }
        let index = serde_json::Value::Array(index).to_string();
        let v = self
            .call(
                "compile",
                minor,
                "compileBytecode",
                &[minor.into(), index.into(), view(&joined)],
            )
            .await?;
        let bad = |message: &str| HostError {
            op: "compile",
            path: minor.to_owned(),
            message: message.to_owned(),
            code: None,
        };
        let get = |key: &str| Reflect::get(&v, &JsValue::from_str(key)).ok();
        let lengths: Vec<Option<usize>> = get("lengths")
            .and_then(|l| l.as_string())
            .and_then(|l| serde_json::from_str(&l).ok())
            .ok_or_else(|| bad("host compileBytecode gave no JSON `lengths`"))?;
        let bytes = get("bytes")
            .and_then(|b| b.dyn_into::<Uint8Array>().ok())
            .ok_or_else(|| bad("host compileBytecode gave no Uint8Array `bytes`"))?
            .to_vec();
        if lengths.len() != sources.len() || lengths.iter().flatten().sum::<usize>() != bytes.len()
        {
            return Err(bad(
                "host compileBytecode's lengths do not match its sources and bytes",
            ));
        }
        let mut at = 0;
        Ok(lengths
            .into_iter()
            .map(|len| {
                len.map(|n| {
                    at += n;
                    bytes[at - n..at].to_vec()
                })
            })
            .collect())
    }

    async fn fetch(&self, req: &HttpRequest<'_>) -> Result<HttpResponse, HostError> {
        let headers: js_sys::Array = req
            .headers
            .iter()
            .map(|(k, v)| -> JsValue { js_sys::Array::of2(&k.into(), &v.into()).into() })
            .collect();
        let init = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&init, &k.into(), v).map(drop);
        let (body, body_file) = match req.body {
            None => (JsValue::NULL, JsValue::NULL),
            // A copy, not a view: the host sends it after wasm memory may have moved.
            Some(Body::Bytes(b)) => (Uint8Array::from(b).into(), JsValue::NULL),
            Some(Body::File { path, offset, len }) => {
                let file = Object::new();
                Reflect::set(&file, &"path".into(), &path.into())
                    .and_then(|_| Reflect::set(&file, &"offset".into(), &(offset as f64).into()))
                    .and_then(|_| Reflect::set(&file, &"length".into(), &(len as f64).into()))
                    .map_err(|e| host_error("fetch", req.url, &e))?;
                (JsValue::NULL, file.into())
            }
        };
        set("method", &req.method.into())
            .and_then(|()| set("url", &req.url.into()))
            .and_then(|()| set("headers", &headers))
            .and_then(|()| set("body", &body))
            .and_then(|()| set("bodyFile", &body_file))
            .and_then(|()| set("tlsVerify", &req.tls_verify.into()))
            .and_then(|()| set("progress", &upload_progress(req.progress)))
            .map_err(|e| host_error("fetch", req.url, &e))?;
        let v = self.call("fetch", req.url, "fetch", &[init.into()]).await?;
        let r: JsResponse = decode("fetch", req.url, v)?;
        Ok(HttpResponse {
            status: r.status,
            url: r.url,
            headers: r.headers,
            body: BodyHandle(r.body),
        })
    }

    async fn read_body(&self, body: BodyHandle, max: usize) -> Result<Option<Vec<u8>>, HostError> {
        let v = self
            .call(
                "read",
                "response body",
                "readBody",
                &[JsValue::from(body.0), JsValue::from_f64(max as f64)],
            )
            .await?;
        if v.is_null() || v.is_undefined() {
            return Ok(None);
        }
        let arr: Uint8Array = v.dyn_into().map_err(|_| HostError {
            op: "read",
            path: "response body".to_owned(),
            message: "host readBody did not return a Uint8Array".to_owned(),
            code: None,
        })?;
        Ok(Some(arr.to_vec()))
    }

    async fn discard_body(&self, body: BodyHandle) {
        let _ = self
            .call("discard", "", "discardBody", &[JsValue::from(body.0)])
            .await;
    }

    async fn sleep(&self, ms: u64) {
        if self.method("sleep").is_some() {
            let _ = self
                .call("sleep", "", "sleep", &[JsValue::from_f64(ms as f64)])
                .await;
        }
    }

    async fn credentials(
        &self,
        registry: &str,
        explicit: bool,
    ) -> Result<Option<Credentials>, HostError> {
        if self.method("credentials").is_none() {
            return Ok(None);
        }
        let v = self
            .call(
                "credentials",
                registry,
                "credentials",
                &[registry.into(), explicit.into()],
            )
            .await?;
        if v.is_null() || v.is_undefined() {
            return Ok(None);
        }
        let c: JsCredentials = decode("credentials", registry, v)?;
        match c {
            JsCredentials {
                identity_token: Some(token),
                ..
            } => Ok(Some(Credentials::IdentityToken(token))),
            JsCredentials {
                username: Some(username),
                password: Some(password),
                ..
            } => Ok(Some(Credentials::Basic { username, password })),
            _ => Err(HostError {
                op: "credentials",
                path: registry.to_owned(),
                message:
                    "host credentials() returned neither {username, password} nor {identityToken}"
                        .to_owned(),
                code: None,
            }),
        }
    }

    /// The host object's `cachesIndexPages: true` (the Node host's).
    fn caches_index_pages(&self) -> bool {
        Reflect::get(&self.obj, &JsValue::from_str("cachesIndexPages"))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    fn random(&self) -> u64 {
        (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
    }

    fn sha256(&self) -> Sha256 {
        let hasher = self
            .method("sha256")
            .and_then(|f| f.call0(&self.obj).ok())
            .and_then(|h| {
                let update: Function = Reflect::get(&h, &"update".into()).ok()?.dyn_into().ok()?;
                let digest: Function = Reflect::get(&h, &"digest".into()).ok()?.dyn_into().ok()?;
                Some(JsSha256 {
                    obj: h,
                    update,
                    digest,
                })
            });
        match hasher {
            Some(h) => Sha256::Host(Box::new(h)),
            None => Sha256::portable(),
        }
    }
}

/// `{digest, offset, total}` for the host to report upload progress with, or null.
fn upload_progress(p: Option<super::UploadProgress<'_>>) -> JsValue {
    let Some(p) = p else {
        return JsValue::NULL;
    };
    let o = Object::new();
    let _ = Reflect::set(&o, &"digest".into(), &p.digest.into());
    let _ = Reflect::set(&o, &"offset".into(), &(p.offset as f64).into());
    let _ = Reflect::set(&o, &"total".into(), &(p.total as f64).into());
    o.into()
}

#[derive(serde::Deserialize)]
struct JsResponse {
    status: u16,
    url: String,
    headers: Vec<(String, String)>,
    body: u32,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsCredentials {
    username: Option<String>,
    password: Option<String>,
    identity_token: Option<String>,
}

struct JsSha256 {
    obj: JsValue,
    update: Function,
    digest: Function,
}

impl HostSha256 for JsSha256 {
    fn update(&mut self, data: &[u8]) {
        // The host hasher is synchronous by contract; a throw here would be
        // a broken host, which the digest check downstream would expose.
        let _ = self.update.call1(&self.obj, &view(data));
    }

    fn finish(self: Box<Self>) -> [u8; 32] {
        let mut out = [0u8; 32];
        if let Ok(v) = self.digest.call0(&self.obj) {
            let arr = Uint8Array::new(&v);
            if arr.length() == 32 {
                arr.copy_to(&mut out);
            }
        }
        out
    }
}
