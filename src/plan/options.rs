//! What a caller asks for: the options of a build, as the CLI and the JS API pass them.

use serde::Deserialize;

use super::PlanError;
use crate::config::Flags;
use crate::host::Host;
use crate::registry::ClientOptions;

/// What a caller asks for. Paths are absolute (the JS side resolves them);
/// anything left unset falls through to the config files, then to inference.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuildOptions {
    pub context: String,
    /// The caller's working directory: the default output goes there.
    pub cwd: Option<String>,
    pub output: Option<String>,
    pub config: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub base_image: Option<String>,
    pub python: Option<String>,
    pub platform: Option<String>,
    pub workdir: Option<String>,
    #[serde(default)]
    pub env: Vec<String>,
    pub env_file: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub annotations: Vec<String>,
    #[serde(default)]
    pub ports: Vec<String>,
    pub user: Option<String>,
    pub entrypoint: Option<String>,
    pub cmd: Option<String>,
    pub script: Option<String>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub dry_run: bool,
    /// Push the image to every `--tag` (which must then name a registry).
    #[serde(default)]
    pub push: bool,
    /// Where pulled blobs are kept, by digest.
    pub cache_dir: Option<String>,
    /// Registries that may be reached over plain http or unverified TLS.
    #[serde(default)]
    pub insecure_registries: Vec<String>,
    /// Blob uploads in flight at once.
    pub parallel: Option<usize>,
    /// Bytes per upload request; larger blobs go up in chunks of this size.
    pub chunk_size: Option<usize>,
    /// `REGISTRY=MIRROR` pairs: base images are pulled from the mirror.
    #[serde(default)]
    pub registry_mirrors: Vec<String>,
    /// `--include-deps` (true) or `--no-deps` (false); unset follows the files.
    pub include_deps: Option<bool>,
    /// The lock or requirements file to install from.
    pub requirements: Option<String>,
    #[serde(default)]
    pub extras: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    pub index_url: Option<String>,
    #[serde(default)]
    pub extra_index_urls: Vec<String>,
    /// Allow pre-releases when resolving.
    #[serde(default)]
    pub pre: bool,
    /// Fail instead of resolving again when the lock is missing or stale.
    #[serde(default)]
    pub locked: bool,
}

impl BuildOptions {
    /// The settings the options give, as the highest of the config layers.
    pub fn flags(&self) -> Flags<'_> {
        Flags {
            tags: &self.tags,
            base_image: self.base_image.as_deref(),
            python: self.python.as_deref(),
            platform: self.platform.as_deref(),
            workdir: self.workdir.as_deref(),
            output: self.output.as_deref(),
            env: &self.env,
            env_file: self.env_file.as_deref(),
            labels: &self.labels,
            annotations: &self.annotations,
            ports: &self.ports,
            user: self.user.as_deref(),
            entrypoint: self.entrypoint.as_deref(),
            cmd: self.cmd.as_deref(),
            script: self.script.as_deref(),
            include: &self.include,
            exclude: &self.exclude,
            include_deps: self.include_deps,
            requirements: self.requirements.as_deref(),
            extras: &self.extras,
            groups: &self.groups,
            index_url: self.index_url.as_deref(),
            extra_index_urls: &self.extra_index_urls,
            pre: self.pre.then_some(true),
        }
    }

    /// The registry options; mirrors come from `--registry-mirror`, else
    /// `PYCONTAINER_REGISTRY_MIRRORS` (comma-separated).
    pub fn client_options<H: Host>(&self, host: &H) -> Result<ClientOptions, PlanError> {
        let (flag, mirrors) = if self.registry_mirrors.is_empty() {
            let env = host.env("PYCONTAINER_REGISTRY_MIRRORS").unwrap_or_default();
            let list = env
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect();
            ("PYCONTAINER_REGISTRY_MIRRORS", list)
        } else {
            ("--registry-mirror", self.registry_mirrors.clone())
        };
        ClientOptions::new(&self.insecure_registries, self.parallel, self.chunk_size)
            .with_mirrors(&mirrors)
            .map_err(|message| PlanError::setting(flag, message))
    }
}
