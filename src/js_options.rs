//! The options objects JS passes to `build`, `dockerfile`, `push` and `validate`, read
//! from their JSON. By hand rather than by `derive(Deserialize)`: the
//! derived code for `BuildOptions`' forty fields alone took 18 KB of wasm,
//! these readers share one small set of field readers.

use serde_json::{Map, Value};

use crate::config::{Given, RuntimeFlags};
use crate::deploy::DeployOptions;
use crate::eject::DockerfileOptions;
use crate::plan::BuildOptions;
use crate::publish::PushOptions;

/// What `validate` takes.
pub struct ValidateOptions {
    pub layout: String,
    pub tag: Option<String>,
}

/// The fields of one options object; each reader takes its field away, so
/// that what is left at the end is what no reader knew.
struct Fields {
    what: &'static str,
    map: Map<String, Value>,
}

impl Fields {
    fn new(what: &'static str, value: Value) -> Result<Self, String> {
        match value {
            Value::Object(map) => Ok(Fields { what, map }),
            other => Err(format!("{what} must be an object, not {}", kind(&other))),
        }
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> String {
        format!(
            "{} option `{key}` must be {expected}, not {}",
            self.what,
            kind(found)
        )
    }

    /// The field, with `null` read as left out (JSON has no `undefined`).
    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    fn text(&mut self, key: &str) -> Result<Option<String>, String> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong(key, "a string", &other)),
        }
    }

    fn required(&mut self, key: &str) -> Result<String, String> {
        self.text(key)?
            .ok_or_else(|| format!("{} option `{key}` is missing", self.what))
    }

    fn texts(&mut self, key: &str) -> Result<Vec<String>, String> {
        match self.take(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    other => Err(self.wrong(key, "an array of strings", &other)),
                })
                .collect(),
            Some(other) => Err(self.wrong(key, "an array of strings", &other)),
        }
    }

    fn maybe_flag(&mut self, key: &str) -> Result<Option<bool>, String> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(self.wrong(key, "true or false", &other)),
        }
    }

    fn flag(&mut self, key: &str) -> Result<bool, String> {
        Ok(self.maybe_flag(key)?.unwrap_or(false))
    }

    /// A count: a number, or a flag's text for the core to read.
    fn given(&mut self, key: &str) -> Result<Option<Given>, String> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64().map(Given::Number)),
            Some(Value::String(s)) => Ok(Some(Given::Text(s))),
            Some(other) => Err(self.wrong(key, "a number", &other)),
        }
    }

    /// Refuses the fields no reader took: a misspelt option must not be ignored.
    fn done(self) -> Result<(), String> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(key) => Err(format!("{}: unknown option `{key}`", self.what)),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl BuildOptions {
    /// Reads the object `build` was called with (`BuildOptions` in index.d.ts).
    pub fn from_json(value: Value) -> Result<Self, String> {
        let mut f = Fields::new("build", value)?;
        let options = BuildOptions::read(&mut f)?;
        f.done()?;
        Ok(options)
    }

    /// The build's fields of an options object, which may have others.
    fn read(f: &mut Fields) -> Result<Self, String> {
        Ok(BuildOptions {
            context: f.required("context")?,
            cwd: f.text("cwd")?,
            output: f.text("output")?,
            format: f.text("format")?,
            config: f.text("config")?,
            tags: f.texts("tags")?,
            base_image: f.text("baseImage")?,
            python: f.text("python")?,
            platform: f.text("platform")?,
            workdir: f.text("workdir")?,
            env: f.texts("env")?,
            env_file: f.text("envFile")?,
            labels: f.texts("labels")?,
            annotations: f.texts("annotations")?,
            ports: f.texts("ports")?,
            user: f.text("user")?,
            entrypoint: f.text("entrypoint")?,
            cmd: f.text("cmd")?,
            script: f.text("script")?,
            include: f.texts("include")?,
            exclude: f.texts("exclude")?,
            writable: f.texts("writable")?,
            dry_run: f.flag("dryRun")?,
            push: f.flag("push")?,
            cache_dir: f.text("cacheDir")?,
            insecure_registries: f.texts("insecureRegistries")?,
            parallel: f.given("parallel")?,
            chunk_size: f.given("chunkSize")?,
            registry_mirrors: f.texts("registryMirrors")?,
            include_deps: f.maybe_flag("includeDeps")?,
            requirements: f.text("requirements")?,
            extras: f.texts("extras")?,
            groups: f.texts("groups")?,
            index_url: f.text("indexUrl")?,
            extra_index_urls: f.texts("extraIndexUrls")?,
            pre: f.flag("pre")?,
            locked: f.flag("locked")?,
            compile: f.maybe_flag("compile")?,
            ignore_requires_python: f.flag("ignoreRequiresPython")?,
            sbom: f.texts("sbom")?,
        })
    }
}

impl DockerfileOptions {
    /// Reads the object `dockerfile` was called with: a build's, and `file`.
    pub fn from_json(value: Value) -> Result<Self, String> {
        let mut f = Fields::new("dockerfile", value)?;
        let options = DockerfileOptions {
            file: f.text("file")?,
            build: BuildOptions::read(&mut f)?,
        };
        f.done()?;
        Ok(options)
    }
}

impl DeployOptions {
    /// Reads the object `deploy` was called with: a build's options, and
    /// the runtime ones under `runtime`.
    pub fn from_json(value: Value) -> Result<Self, String> {
        let mut f = Fields::new("deploy", value)?;
        let runtime = match f.take("runtime") {
            None => RuntimeFlags::default(),
            Some(value) => {
                let mut r = Fields::new("deploy option `runtime`", value)?;
                let flags = RuntimeFlags {
                    replicas: r.given("replicas")?,
                    public: r.maybe_flag("public")?,
                    shards: r.given("shards")?,
                    job_iterations: r.given("jobIterations")?,
                    job_parallelism: r.given("jobParallelism")?,
                    cpu: r.text("cpu")?,
                    memory: r.text("memory")?,
                };
                r.done()?;
                flags
            }
        };
        Ok(DeployOptions {
            build: BuildOptions::from_json(Value::Object(f.map))?,
            runtime,
        })
    }
}

impl PushOptions {
    /// Reads the object `push` was called with.
    pub fn from_json(value: Value) -> Result<Self, String> {
        let mut f = Fields::new("push", value)?;
        let options = PushOptions {
            layout: f.required("layout")?,
            tag: f.text("tag")?,
            references: f.texts("references")?,
            insecure_registries: f.texts("insecureRegistries")?,
            parallel: f.given("parallel")?,
            chunk_size: f.given("chunkSize")?,
        };
        f.done()?;
        Ok(options)
    }
}

impl ValidateOptions {
    /// Reads the object `validate` was called with.
    pub fn from_json(value: Value) -> Result<Self, String> {
        let mut f = Fields::new("validate", value)?;
        let options = ValidateOptions {
            layout: f.required("layout")?,
            tag: f.text("tag")?,
        };
        f.done()?;
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_build_option_is_read_under_its_js_name() {
        let o = BuildOptions::from_json(json!({
            "context": "/w", "cwd": "/w", "output": "/o", "format": "oci-archive",
            "config": "/c.toml",
            "tags": ["a:1"], "baseImage": "scratch", "python": "3.12",
            "platform": "linux/arm64", "workdir": "/srv", "env": ["A=1"],
            "envFile": "/w/.env", "labels": ["k=v"], "annotations": ["n=1"],
            "ports": ["80"], "user": "1000", "entrypoint": "[]", "cmd": "x",
            "script": "app", "include": ["i"], "exclude": ["e"], "dryRun": true,
            "push": true, "cacheDir": "/cache", "insecureRegistries": ["r"],
            "parallel": 2, "chunkSize": "8M", "registryMirrors": ["a=b"],
            "includeDeps": false, "requirements": "/r.txt", "extras": ["x"],
            "groups": ["g"], "indexUrl": "https://i/simple",
            "extraIndexUrls": ["https://j/simple"], "pre": true, "locked": true,
            "ignoreRequiresPython": true
        }))
        .map_err(|e| e.to_string());
        let o = match o {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        };
        assert_eq!((o.context.as_str(), o.cwd.as_deref()), ("/w", Some("/w")));
        assert_eq!(o.base_image.as_deref(), Some("scratch"));
        assert_eq!(o.format.as_deref(), Some("oci-archive"));
        assert_eq!(o.parallel, Some(Given::Number(2.0)));
        assert_eq!(o.chunk_size, Some(Given::Text("8M".into())));
        assert_eq!(o.include_deps, Some(false));
        assert!(o.dry_run && o.push && o.pre && o.locked && o.ignore_requires_python);
        assert_eq!(o.extra_index_urls, ["https://j/simple"]);
        let some = BuildOptions::from_json(json!({"context": "/w", "python": null}))
            .map(|o| (o.include_deps, o.python));
        assert_eq!(some, Ok((None, None)), "left out or null stays unset");
        let d = DockerfileOptions::from_json(json!({"context": "/w", "file": "/w/D"}))
            .map(|d| (d.build.context, d.file));
        assert_eq!(d, Ok(("/w".to_owned(), Some("/w/D".to_owned()))));
        let v = ValidateOptions::from_json(json!({"layout": "/l", "tag": "1"}))
            .map(|v| (v.layout, v.tag));
        assert_eq!(v, Ok(("/l".to_owned(), Some("1".to_owned()))));
    }

    #[test]
    fn deploy_options_are_a_build_and_its_runtime() {
        let o = DeployOptions::from_json(json!({
            "context": "/w", "push": true,
            "runtime": {"replicas": 3, "public": true, "shards": "2", "jobIterations": 4,
                        "jobParallelism": 2, "cpu": "1", "memory": "1Gi"}
        }));
        let o = match o {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        };
        assert_eq!((o.build.context.as_str(), o.build.push), ("/w", true));
        assert_eq!(o.runtime.replicas, Some(Given::Number(3.0)));
        assert_eq!(o.runtime.shards, Some(Given::Text("2".into())));
        assert_eq!(o.runtime.public, Some(true));
        assert_eq!(o.runtime.memory.as_deref(), Some("1Gi"));
        let err = |v: Value| DeployOptions::from_json(v).map(drop).unwrap_err();
        assert_eq!(
            err(json!({"context": "/w", "runtime": {"replica": 2}})),
            "deploy option `runtime`: unknown option `replica`"
        );
        assert_eq!(
            err(json!({"context": "/w", "runtime": {"public": "yes"}})),
            "deploy option `runtime` option `public` must be true or false, not a string"
        );
    }

    #[test]
    fn wrong_shapes_and_unknown_options_are_named() {
        let err = |v: Value| BuildOptions::from_json(v).map(drop).unwrap_err();
        assert_eq!(err(json!([])), "build must be an object, not an array");
        assert_eq!(err(json!({})), "build option `context` is missing");
        assert_eq!(
            err(json!({"context": "/w", "tags": "a:1"})),
            "build option `tags` must be an array of strings, not a string"
        );
        assert_eq!(
            err(json!({"context": "/w", "ports": [80]})),
            "build option `ports` must be an array of strings, not a number"
        );
        assert_eq!(
            err(json!({"context": "/w", "dryRun": "yes"})),
            "build option `dryRun` must be true or false, not a string"
        );
        assert_eq!(
            err(json!({"context": "/w", "parallel": true})),
            "build option `parallel` must be a number, not a boolean"
        );
        assert_eq!(
            err(json!({"context": "/w", "baseimage": "scratch"})),
            "build: unknown option `baseimage`"
        );
        assert_eq!(
            PushOptions::from_json(json!({"layout": "/l", "references": ["r/a:1"], "x": 1}))
                .map(drop)
                .unwrap_err(),
            "push: unknown option `x`"
        );
        assert_eq!(
            ValidateOptions::from_json(json!({"tag": "1"}))
                .map(drop)
                .unwrap_err(),
            "validate option `layout` is missing"
        );
        assert_eq!(
            DockerfileOptions::from_json(json!({"context": "/w", "file": 1}))
                .map(drop)
                .unwrap_err(),
            "dockerfile option `file` must be a string, not a number"
        );
    }
}
