//! The settings schema: every key, in one struct that each source fills
//! where it says something, and the merge of two sources.

use std::collections::BTreeMap;

/// One source's settings; `None` or empty where it says nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub base_image: Option<String>,
    pub python: Option<String>,
    /// Build even when the project's requires-python excludes the image's Python.
    pub ignore_requires_python: Option<bool>,
    pub platform: Option<String>,
    pub workdir: Option<String>,
    pub output: Option<String>,
    /// `--format`: `oci` (a layout), `oci-archive` or `docker-archive`.
    pub format: Option<String>,
    pub tags: Option<Vec<String>>,
    pub env: BTreeMap<String, String>,
    pub env_file: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// `N/tcp` or `N/udp`, as ExposedPorts writes them.
    pub ports: Option<Vec<String>>,
    pub user: Option<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub script: Option<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Directories the app writes, owned by the user it runs as.
    pub writable: Vec<String>,
    pub deps: DepsSettings,
}

/// How dependencies are chosen and where they come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DepsSettings {
    /// `include-deps`: install them (the default when there are any) or not.
    pub include: Option<bool>,
    /// The lock or requirements file to install from, instead of the one found.
    pub requirements: Option<String>,
    pub extras: Option<Vec<String>>,
    pub groups: Option<Vec<String>>,
    pub index_url: Option<String>,
    pub extra_index_urls: Option<Vec<String>>,
    /// Allow pre-releases when resolving.
    pub pre: Option<bool>,
    /// Compile the dependencies' bytecode: `None` where the host can,
    /// `Some(true)` required, `Some(false)` never (`--no-compile`).
    pub compile: Option<bool>,
}

impl DepsSettings {
    fn over(self, lower: DepsSettings) -> DepsSettings {
        DepsSettings {
            include: self.include.or(lower.include),
            requirements: self.requirements.or(lower.requirements),
            extras: self.extras.or(lower.extras),
            groups: self.groups.or(lower.groups),
            index_url: self.index_url.or(lower.index_url),
            extra_index_urls: self.extra_index_urls.or(lower.extra_index_urls),
            pre: self.pre.or(lower.pre),
            compile: self.compile.or(lower.compile),
        }
    }
}

/// Every key of the schema, as written in the files.
pub const KEYS: &[&str] = &[
    "base-image",
    "python",
    "ignore-requires-python",
    "platform",
    "workdir",
    "output",
    "format",
    "tags",
    "env",
    "env-file",
    "labels",
    "annotations",
    "ports",
    "user",
    "entrypoint",
    "cmd",
    "script",
    "include",
    "exclude",
    "writable",
    "include-deps",
    "requirements",
    "extras",
    "groups",
    "index-url",
    "extra-index-urls",
    "pre",
    "compile",
];

/// Keys whose flag is singular because it repeats (`--tag`, `--port`).
const SINGULAR_FLAGS: &[(&str, &str)] = &[
    ("tags", "tag"),
    ("labels", "label"),
    ("annotations", "annotation"),
    ("ports", "port"),
    ("extras", "extra"),
    ("groups", "group"),
    ("extra-index-urls", "extra-index-url"),
];

/// The flag that sets `key` (`tags` → `--tag`).
pub fn flag(key: &str) -> String {
    let name = SINGULAR_FLAGS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, f)| f);
    format!("--{name}")
}

/// The key a flag sets (`--tag` → `tags`).
pub fn key_of_flag(flag: &str) -> &str {
    let name = flag.trim_start_matches('-');
    SINGULAR_FLAGS
        .iter()
        .find(|(_, f)| *f == name)
        .map_or(name, |(k, _)| k)
}

/// The variable that sets `key`: upper-cased, `_` for `-` (`PYCONTAINER_TAGS`).
pub fn env_var(key: &str) -> String {
    format!("PYCONTAINER_{}", key.to_ascii_uppercase().replace('-', "_"))
}

impl Settings {
    /// `self` over `lower`: this source's values win where it has any.
    pub fn over(self, lower: Settings) -> Settings {
        let merge = |mut low: BTreeMap<String, String>, high: BTreeMap<String, String>| {
            low.extend(high);
            low
        };
        let concat = |mut low: Vec<String>, high: Vec<String>| {
            low.extend(high);
            low
        };
        Settings {
            base_image: self.base_image.or(lower.base_image),
            python: self.python.or(lower.python),
            ignore_requires_python: self.ignore_requires_python.or(lower.ignore_requires_python),
            platform: self.platform.or(lower.platform),
            workdir: self.workdir.or(lower.workdir),
            output: self.output.or(lower.output),
            format: self.format.or(lower.format),
            tags: self.tags.or(lower.tags),
            env: merge(lower.env, self.env),
            env_file: self.env_file.or(lower.env_file),
            labels: merge(lower.labels, self.labels),
            annotations: merge(lower.annotations, self.annotations),
            ports: self.ports.or(lower.ports),
            user: self.user.or(lower.user),
            entrypoint: self.entrypoint.or(lower.entrypoint),
            cmd: self.cmd.or(lower.cmd),
            script: self.script.or(lower.script),
            include: concat(lower.include, self.include),
            exclude: concat(lower.exclude, self.exclude),
            writable: concat(lower.writable, self.writable),
            deps: self.deps.over(lower.deps),
        }
    }
}
