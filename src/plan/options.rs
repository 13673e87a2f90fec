//! What a caller asks for: the options of a build, as the CLI and the JS API pass them.

use toml::{Table, Value};

use super::PlanError;
use crate::config::{insecure_registries, ConfigError, Given, Settings, Transfer};
use crate::host::Host;
use crate::registry::ClientOptions;

/// What a caller asks for. Paths are absolute (the JS side resolves them);
/// anything left unset falls through to the config files, then to inference.
/// JS passes it as JSON (`js_options` reads it, names in camelCase).
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub context: String,
    /// The caller's working directory: the default output goes there.
    pub cwd: Option<String>,
    pub output: Option<String>,
    /// `oci` (the default), `oci-archive` or `docker-archive`.
    pub format: Option<String>,
    pub config: Option<String>,
    pub tags: Vec<String>,
    pub base_image: Option<String>,
    pub python: Option<String>,
    pub platform: Option<String>,
    pub workdir: Option<String>,
    pub env: Vec<String>,
    pub env_file: Option<String>,
    pub labels: Vec<String>,
    pub annotations: Vec<String>,
    pub ports: Vec<String>,
    pub user: Option<String>,
    pub entrypoint: Option<String>,
    pub cmd: Option<String>,
    pub script: Option<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub writable: Vec<String>,
    pub dry_run: bool,
    /// Push the image to every `--tag` (which must then name a registry).
    pub push: bool,
    /// Where pulled blobs are kept, by digest.
    pub cache_dir: Option<String>,
    /// Registries that may be reached over plain http or unverified TLS.
    pub insecure_registries: Vec<String>,
    /// Blob uploads in flight at once.
    pub parallel: Option<Given>,
    /// Bytes per upload request; larger blobs go up in chunks of this size.
    pub chunk_size: Option<Given>,
    /// `REGISTRY=MIRROR` pairs: base images are pulled from the mirror.
    pub registry_mirrors: Vec<String>,
    /// `--include-deps` (true) or `--no-deps` (false); unset follows the files.
    pub include_deps: Option<bool>,
    /// The lock or requirements file to install from.
    pub requirements: Option<String>,
    pub extras: Vec<String>,
    pub groups: Vec<String>,
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    /// Allow pre-releases when resolving.
    pub pre: bool,
    /// Fail instead of resolving again when the lock is missing or stale.
    pub locked: bool,
    /// `--compile` (true) or `--no-compile` (false); unset follows the files.
    pub compile: Option<bool>,
    /// Build even when the project's requires-python excludes the image's Python.
    pub ignore_requires_python: bool,
    /// `--sbom spdx,cyclonedx`: the SBOM formats written beside the output.
    pub sbom: Vec<String>,
}

impl BuildOptions {
    /// The settings the options give, the highest layer of the config:
    /// the options as a table of the schema's keys, read like any other
    /// source, whose errors name the flags. Options left out set nothing.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let mut table = Table::new();
        let mut put = |key: &str, value: Value| {
            table.insert(key.to_owned(), value);
        };
        let texts = [
            ("base-image", &self.base_image),
            ("python", &self.python),
            ("platform", &self.platform),
            ("workdir", &self.workdir),
            ("output", &self.output),
            ("format", &self.format),
            ("env-file", &self.env_file),
            ("user", &self.user),
            ("entrypoint", &self.entrypoint),
            ("cmd", &self.cmd),
            ("script", &self.script),
            ("requirements", &self.requirements),
            ("index-url", &self.index_url),
        ];
        for (key, value) in texts {
            if let Some(v) = value {
                put(key, Value::String(v.clone()));
            }
        }
        // A repeatable flag given at least once replaces the files' list.
        let lists = [
            ("tags", &self.tags),
            ("env", &self.env),
            ("labels", &self.labels),
            ("annotations", &self.annotations),
            ("ports", &self.ports),
            ("include", &self.include),
            ("exclude", &self.exclude),
            ("writable", &self.writable),
            ("extras", &self.extras),
            ("groups", &self.groups),
            ("extra-index-urls", &self.extra_index_urls),
        ];
        for (key, values) in lists {
            if !values.is_empty() {
                put(
                    key,
                    Value::Array(values.iter().cloned().map(Value::String).collect()),
                );
            }
        }
        if let Some(include) = self.include_deps {
            put("include-deps", Value::Boolean(include));
        }
        if self.pre {
            put("pre", Value::Boolean(true));
        }
        if let Some(compile) = self.compile {
            put("compile", Value::Boolean(compile));
        }
        if self.ignore_requires_python {
            put("ignore-requires-python", Value::Boolean(true));
        }
        Settings::from_flags(&table)
    }

    /// The registry options; mirrors come from `--registry-mirror`, else
    /// `PYCONTAINER_REGISTRY_MIRRORS` (comma-separated).
    pub fn client_options<H: Host>(&self, host: &H) -> Result<ClientOptions, PlanError> {
        let transfer = Transfer::read(self.parallel.as_ref(), self.chunk_size.as_ref())?;
        let options = ClientOptions::new(
            &insecure_registries(&self.insecure_registries)?,
            transfer.parallel,
            transfer.chunk_size,
        );
        if !self.registry_mirrors.is_empty() {
            return options
                .with_mirrors(&self.registry_mirrors)
                .map_err(|entry| {
                    ConfigError::flag(
                        "--registry-mirror",
                        Some(&entry),
                        ClientOptions::MIRROR_FORM,
                    )
                    .into()
                });
        }
        let env = host.env("PYCONTAINER_REGISTRY_MIRRORS").unwrap_or_default();
        let mirrors: Vec<String> = env
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
            .collect();
        options.with_mirrors(&mirrors).map_err(|entry| {
            PlanError::setting(
                "PYCONTAINER_REGISTRY_MIRRORS",
                format!("{entry:?} {}", ClientOptions::MIRROR_FORM),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_become_settings_and_errors_name_the_flag() {
        let none = BuildOptions::default()
            .settings()
            .map_err(|e| e.to_string());
        assert_eq!(none, Ok(Settings::default()), "no options, no settings");
        let options = BuildOptions {
            env: vec!["FOO".into()],
            ..BuildOptions::default()
        };
        assert_eq!(
            options.settings().map_err(|e| e.to_string()),
            Err("--env \"FOO\": needs KEY=VALUE with a non-empty KEY".to_owned())
        );
        let options = BuildOptions {
            ports: vec!["70000".into()],
            ..BuildOptions::default()
        };
        let e = options.settings().map_err(|e| e.to_string()).unwrap_err();
        assert!(
            e.starts_with("--port \"70000\"") && e.contains("65535"),
            "{e}"
        );
        let options = BuildOptions {
            entrypoint: Some(r#"["uvicorn", "a:b"]"#.into()),
            cmd: Some("--reload 'x y'".into()),
            tags: vec!["a:1".into()],
            include_deps: Some(false),
            pre: true,
            ignore_requires_python: true,
            ..BuildOptions::default()
        };
        let s = options.settings().unwrap_or_default();
        assert_eq!(s.ignore_requires_python, Some(true));
        assert_eq!(s.entrypoint, Some(vec!["uvicorn".into(), "a:b".into()]));
        assert_eq!(s.cmd, Some(vec!["--reload".into(), "x y".into()]));
        assert_eq!(s.tags, Some(vec!["a:1".into()]));
        assert_eq!((s.deps.include, s.deps.pre), (Some(false), Some(true)));
    }
}
