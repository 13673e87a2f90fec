//! The build plan: every decision made from the options and the project, before anything is written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock;
use crate::config::{self, Flags, Layers, Settings, Source};
use crate::deps;
use crate::deps::build::DepsPlan;
use crate::deps::input::Input;
use crate::error::Error;
use crate::host::{Host, Kind};
use crate::layout::Layout;
use crate::project::entrypoint::{self, EntryPoint, Inputs};
use crate::project::files::Selection;
use crate::project::framework::{self, Deps, Served, SourceFile};
use crate::project::ignore::IgnoreRules;
use crate::project::{self, Excluded, Project};
use crate::registry::Client;
use crate::source::{self, BaseImage, BaseRef};
use pycontainer_archive::{Content, Entry};
use pycontainer_digest::Digest;
use pycontainer_oci::mutate::ConfigChanges;
use pycontainer_oci::platform::Platform;
use pycontainer_oci::reference::Reference;
use pycontainer_oci::Index;
use pycontainer_python::interpreters::{self, PythonChoice, PythonConstraint};

pub const DEFAULT_WORKDIR: &str = "/app";
pub const DEFAULT_OUTPUT: &str = "pycontainer-out";
/// The default user: the uid distroless and ko use for "nonroot", so that
/// file ownership reads the same across images built by either.
pub const NONROOT: u32 = 65532;
pub const NONROOT_HOME: &str = "/home/nonroot";
/// Label naming the web framework pycontainer detected.
pub const FRAMEWORK_LABEL: &str = "io.pycontainer.framework";
/// Larger source files are not scanned for frameworks: generated code, not apps.
const MAX_SCANNED_SOURCE: u64 = 1 << 20;

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
    fn flags(&self) -> Flags<'_> {
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
}

/// A tag in the output layout: its ref name and the full image name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageTag {
    pub tag: String,
    pub name: String,
}

/// A choice and the rule that made it, for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Chosen<T> {
    #[serde(flatten)]
    pub value: T,
    pub rule: String,
}

pub struct Plan {
    pub project: Project,
    pub base: BaseImage,
    pub base_rule: String,
    /// False in a dry run whose base is in a registry: it was not fetched.
    pub base_resolved: bool,
    pub python: Chosen<PythonChoice>,
    /// The layout to write; `None` when the image only goes to a registry.
    pub output: Option<String>,
    pub existing_index: Option<Index>,
    pub tags: Vec<ImageTag>,
    /// Where to push it (`--push`): the tags, as references.
    pub push: Vec<Reference>,
    /// The blob cache (an OCI layout), when the host has a place for one.
    pub cache: Option<String>,
    pub platform: Platform,
    pub epoch: u64,
    pub entrypoint: EntryPoint,
    pub app_layer: Vec<Entry>,
    pub changes: ConfigChanges,
    pub annotations: BTreeMap<String, String>,
    pub sources: Vec<Source>,
    /// Dependencies to install into a venv layer, when there are any.
    pub deps: Option<DepsPlan>,
}

/// Decides everything; reads the context, the config and the base, writes nothing.
pub async fn make<H: Host>(client: &Client<'_, H>, options: &BuildOptions) -> Result<Plan, Error> {
    let host = client.host();
    let epoch = clock::build_epoch(host)?;
    let context = options.context.as_str();
    project::check_context(host, context).await?;
    let metadata = project::read_metadata(host, context).await?;
    let layers = Layers::gather(
        host,
        options.flags().settings()?,
        context,
        options.config.as_deref(),
        metadata.0.tool_config.as_ref(),
    )
    .await?;
    let settings = layers.merged();
    let origin = |flag: &str, has: fn(&Settings) -> bool| layers.origin(flag, has);
    let workdir = workdir(
        settings.workdir.as_deref().unwrap_or(DEFAULT_WORKDIR),
        &origin("--workdir", |s| s.workdir.is_some()),
    )?;
    let output = output_path(
        options,
        &settings,
        &origin("--output", |s| s.output.is_some()),
    )?;
    let wanted = settings
        .platform
        .as_deref()
        .map(|p| {
            Platform::parse(p).map_err(|e| Error::Option {
                flag: origin("--platform", |s| s.platform.is_some()),
                message: e.to_string(),
            })
        })
        .transpose()?;
    // Pushing alone writes no layout, unless an output was asked for.
    let output = (!options.push || settings.output.is_some()).then_some(output);
    let existing_index = match &output {
        Some(out) => Layout::new(host, out).check_writable().await?,
        None => None,
    };
    let selection = selection(host, context, &settings, &layers).await?;
    let project = project::discover(host, context, metadata, output.as_slice(), &selection).await?;
    let tags = tags(
        settings.tags.as_deref().unwrap_or(&[]),
        &project,
        &origin("--tag", |s| s.tags.is_some()),
    )?;
    let python = choose_python(
        host,
        &project,
        &settings,
        &origin("--python", |s| s.python.is_some()),
    )
    .await?;
    // Before the base: a wrong --script is reported as such, not as a base problem.
    let entrypoint = choose_entrypoint(host, &project, &settings, &layers).await?;
    let (base_value, base_rule) = match &settings.base_image {
        Some(v) => (
            v.clone(),
            format!(
                "set explicitly ({})",
                layers.origin("--base-image", |s| s.base_image.is_some())
            ),
        ),
        None => (
            python.value.base_image.clone(),
            format!("python:X.Y-slim for {}", python.rule),
        ),
    };
    let push = push_targets(
        options.push,
        settings.tags.is_some(),
        &tags,
        &origin("--tag", |s| s.tags.is_some()),
    )?;
    let (base, base_resolved) =
        resolve_base(client, &base_value, wanted.as_ref(), options.dry_run).await?;
    let user = user(&settings, &base);
    let home = user
        .as_deref()
        .is_some_and(|u| u == format!("{NONROOT}:{NONROOT}"));
    let app_layer = app_layer(&project, &workdir, &entrypoint, home)?;
    let env = env(host, &project, &settings, &workdir, home).await?;
    let ports = match &settings.ports {
        Some(p) => p.clone(),
        None => entrypoint
            .port
            .map(|p| vec![format!("{p}/tcp")])
            .unwrap_or_default(),
    };
    let working_dir = match &entrypoint.subdir {
        Some(sub) => format!("{workdir}/{sub}"),
        None => workdir.clone(),
    };
    let changes = ConfigChanges {
        created: clock::rfc3339(epoch),
        env,
        working_dir,
        entrypoint: entrypoint.command.clone(),
        cmd: settings.cmd.clone().filter(|c| !c.is_empty()),
        user,
        ports,
        labels: labels(&project, &base, &base_value, &entrypoint, epoch, &settings),
    };
    let annotations = annotations(&base, &base_value, &settings);
    let deps = deps::input::find(
        host,
        &project,
        &settings.deps,
        &layers.origin("--requirements", |s| s.deps.requirements.is_some()),
    )
    .await?
    .map(|input| DepsPlan {
        input,
        settings: settings.deps.clone(),
        locked: options.locked,
    });
    Ok(Plan {
        platform: base.config.platform(),
        project,
        base,
        base_rule,
        base_resolved,
        python,
        output,
        existing_index,
        tags,
        push,
        cache: cache_dir(host, options),
        epoch,
        entrypoint,
        app_layer,
        changes,
        annotations,
        sources: layers.sources(),
        deps,
    })
}

/// The output layout: from the settings, else `pycontainer-out` in the caller's directory.
fn output_path(options: &BuildOptions, settings: &Settings, origin: &str) -> Result<String, Error> {
    let cwd = options.cwd.as_deref().unwrap_or(&options.context);
    let path = settings
        .output
        .clone()
        .unwrap_or_else(|| DEFAULT_OUTPUT.to_owned());
    if path.trim().is_empty() {
        return Err(Error::Option {
            flag: origin.to_owned(),
            message: "must not be empty".to_owned(),
        });
    }
    Ok(if path.starts_with('/') {
        path
    } else {
        format!("{}/{path}", cwd.trim_end_matches('/'))
    })
}

/// .dockerignore, then `exclude`, then `include`: the later rule wins, so
/// an explicit include beats any exclude, the default ones too.
async fn selection<H: Host>(
    host: &H,
    context: &str,
    settings: &Settings,
    layers: &Layers,
) -> Result<Selection, Error> {
    let exclude_origin = layers.origin("--exclude", |s| !s.exclude.is_empty());
    let include_origin = layers.origin("--include", |s| !s.include.is_empty());
    let file = format!("{}/.dockerignore", context.trim_end_matches('/'));
    let mut rules = match host.stat(&file).await? {
        Some(info) if info.kind == Kind::File => IgnoreRules::parse(
            &file,
            &String::from_utf8_lossy(&host.read_all(&file).await?),
        )
        .map_err(project::ProjectError::from)?,
        _ => IgnoreRules::new(),
    };
    for pattern in &settings.exclude {
        rules
            .push(pattern, &exclude_origin)
            .map_err(project::ProjectError::from)?;
    }
    let mut includes = IgnoreRules::new();
    if !settings.include.is_empty() {
        includes
            .push("**", &include_origin)
            .map_err(project::ProjectError::from)?;
    }
    for pattern in &settings.include {
        let clean = pattern.trim().trim_start_matches("./");
        if clean.starts_with('/') || clean == ".." || clean.starts_with("../") {
            return Err(Error::Option { flag: include_origin.clone(), message: format!("{pattern:?} is outside the build context; only paths inside it can be included") });
        }
        rules
            .push(&format!("!{clean}"), &include_origin)
            .map_err(project::ProjectError::from)?;
        includes
            .push(&format!("!{clean}"), &include_origin)
            .map_err(project::ProjectError::from)?;
    }
    Ok(Selection { rules, includes })
}

/// The CPython the image is for: `python` setting > requires-python > Poetry > .python-version > newest.
async fn choose_python<H: Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
    origin: &str,
) -> Result<Chosen<PythonChoice>, Error> {
    let meta = &project.metadata;
    let file = project
        .metadata_file
        .clone()
        .unwrap_or_else(|| "pyproject.toml".to_owned());
    let constraint = if let Some(v) = &settings.python {
        let (major, minor) =
            interpreters::parse_python_version_file(v).map_err(|e| Error::Option {
                flag: origin.to_owned(),
                message: e.to_string(),
            })?;
        PythonConstraint::exact(major, minor, origin)
    } else if let Some(rp) = &meta.requires_python {
        PythonConstraint::requires_python(rp, file)?
    } else if let Some(p) = &meta.poetry_python {
        PythonConstraint::poetry(p, "pyproject.toml [tool.poetry.dependencies]")?
    } else if project.has_file(".python-version") {
        let text = host.read_all(&project.path(".python-version")).await?;
        let (major, minor) =
            interpreters::parse_python_version_file(&String::from_utf8_lossy(&text))?;
        PythonConstraint::exact(major, minor, ".python-version")
    } else {
        PythonConstraint::requires_python("", "no constraint in the project")?
    };
    let value = interpreters::choose(&constraint)?;
    let rule = format!("{constraint} → Python {}", value.minor_version());
    Ok(Chosen { value, rule })
}

async fn resolve_base<H: Host>(
    client: &Client<'_, H>,
    value: &str,
    wanted: Option<&Platform>,
    dry_run: bool,
) -> Result<(BaseImage, bool), Error> {
    if dry_run {
        if let BaseRef::Registry(_) = BaseRef::parse(value)? {
            let mut base = source::resolve(client, "scratch", wanted).await?;
            base.name = value.to_owned();
            return Ok((base, false));
        }
    }
    Ok((source::resolve(client, value, wanted).await?, true))
}

/// The references `--push` sends the image to: the explicit tags, never
/// ones derived from the project, which would name Docker Hub.
fn push_targets(
    push: bool,
    explicit: bool,
    tags: &[ImageTag],
    origin: &str,
) -> Result<Vec<Reference>, Error> {
    if !push {
        return Ok(Vec::new());
    }
    if !explicit {
        return Err(Error::Option {
            flag: "--push".to_owned(),
            message: "needs a --tag naming the registry and repository to push to, \
                      e.g. --tag registry.example.com/team/app:1.0"
                .to_owned(),
        });
    }
    tags.iter()
        .map(|t| {
            Reference::parse(&t.name).map_err(|source| Error::Tag {
                origin: origin.to_owned(),
                value: t.name.clone(),
                source,
            })
        })
        .collect()
}

/// `--cache-dir`, `PYCONTAINER_CACHE_DIR`, then the XDG cache directory.
fn cache_dir<H: Host>(host: &H, options: &BuildOptions) -> Option<String> {
    let dir = options
        .cache_dir
        .clone()
        .or_else(|| host.env("PYCONTAINER_CACHE_DIR"))
        .or_else(|| {
            host.env("XDG_CACHE_HOME")
                .map(|d| format!("{d}/pycontainer"))
        })
        .or_else(|| host.env("HOME").map(|d| format!("{d}/.cache/pycontainer")))?;
    Some(format!("{}/oci", dir.trim_end_matches('/')))
}

/// Explicit entry point or script first; only then the project's own sources are scanned.
async fn choose_entrypoint<H: Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
    layers: &Layers,
) -> Result<EntryPoint, Error> {
    let origin = layers.origin("--entrypoint", |s| s.entrypoint.is_some());
    let explicit = settings.entrypoint.as_deref().map(|c| (c, origin.as_str()));
    let served = if explicit.is_none() && settings.script.is_none() {
        detect_framework(host, project, settings).await?
    } else {
        None
    };
    Ok(entrypoint::choose(
        project,
        Inputs {
            explicit,
            script: settings.script.as_deref(),
            served,
        },
    )?)
}

async fn detect_framework<H: Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
) -> Result<Option<Served>, Error> {
    // Only files that name a framework are kept, so memory follows the app,
    // not the size of the tree.
    let mut texts = Vec::new();
    for (file, rel) in project.own_sources() {
        if file.size <= MAX_SCANNED_SOURCE {
            let bytes = host.read_all(&project.path(&file.rel)).await?;
            if mentions_framework(&bytes) {
                texts.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    let files: Vec<SourceFile> = texts
        .iter()
        .map(|(rel, text)| SourceFile { rel, text })
        .collect();
    let meta = &project.metadata;
    let deps = Deps::from_requirements(meta.dependencies.iter().chain(&meta.requirements_txt));
    Ok(framework::detect(&files, &deps, first_tcp_port(settings))
        .map_err(project::ProjectError::from)?)
}

/// An explicit port also moves a detected server, so that what the image
/// exposes is what listens.
fn first_tcp_port(settings: &Settings) -> Option<u16> {
    settings
        .ports
        .as_ref()?
        .iter()
        .find_map(|p| p.strip_suffix("/tcp")?.parse().ok())
}

/// Whether a source imports a framework or names Django's settings, which
/// every app module and manage.py does. Looking only at `import`/`from`
/// lines and that name keeps the scan cheap: most files are dropped undecoded.
fn mentions_framework(text: &[u8]) -> bool {
    const NAMES: [&[u8]; 4] = [b"fastapi", b"starlette", b"flask", b"django"];
    let names = |line: &[u8]| {
        line.windows(5).enumerate().any(|(i, w)| {
            NAMES.iter().any(|n| {
                w.eq_ignore_ascii_case(&n[..5])
                    && line
                        .get(i..i + n.len())
                        .is_some_and(|x| x.eq_ignore_ascii_case(n))
            })
        })
    };
    text.split(|b| *b == b'\n').any(|line| {
        let line = line.trim_ascii_start();
        ((line.starts_with(b"import ") || line.starts_with(b"from ")) && names(line))
            || line.windows(22).any(|w| w == b"DJANGO_SETTINGS_MODULE")
    })
}

/// `--user`, else the base's non-root user, else 65532 (`None`: keep the base's).
fn user(settings: &Settings, base: &BaseImage) -> Option<String> {
    match settings.user.as_deref() {
        Some("root") => Some("0:0".to_owned()),
        Some(u) => Some(u.to_owned()),
        None => {
            let inherited = base
                .config
                .config
                .as_ref()
                .and_then(|c| c.user.as_deref())
                .unwrap_or("");
            if matches!(inherited, "" | "0" | "root" | "0:0" | "root:root") {
                Some(format!("{NONROOT}:{NONROOT}"))
            } else {
                None
            }
        }
    }
}

/// The variables pycontainer sets, then an env file's, then explicit ones.
async fn env<H: Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
    workdir: &str,
    home: bool,
) -> Result<Vec<(String, String)>, Error> {
    let import_root = if project.import_root.is_empty() {
        workdir.to_owned()
    } else {
        format!("{workdir}/{}", project.import_root)
    };
    let mut env = vec![
        ("PYTHONPATH".to_owned(), import_root),
        // Logs reach `docker logs` at once instead of sitting in a buffer.
        ("PYTHONUNBUFFERED".to_owned(), "1".to_owned()),
        // The app dir is read-only to the non-root user that runs it.
        ("PYTHONDONTWRITEBYTECODE".to_owned(), "1".to_owned()),
    ];
    if home {
        env.push(("HOME".to_owned(), NONROOT_HOME.to_owned()));
    }
    if let Some(file) = &settings.env_file {
        let text = host.read_all(file).await.map_err(|e| Error::Option {
            flag: "--env-file".to_owned(),
            message: format!("{file}: {}", e.message),
        })?;
        env.extend(config::parse_env_file(
            file,
            &String::from_utf8_lossy(&text),
        )?);
    }
    env.extend(settings.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    Ok(env)
}

fn labels(
    project: &Project,
    base: &BaseImage,
    base_value: &str,
    entrypoint: &EntryPoint,
    epoch: u64,
    settings: &Settings,
) -> BTreeMap<String, String> {
    let meta = &project.metadata;
    let url_for = |keys: &[&str]| {
        meta.urls
            .iter()
            .find(|(k, _)| keys.iter().any(|want| k.eq_ignore_ascii_case(want)))
            .map(|(_, v)| v.clone())
    };
    let mut labels = BTreeMap::new();
    labels.extend(
        [
            ("title", meta.name.clone()),
            ("version", meta.version.clone()),
            ("description", meta.description.clone()),
            ("licenses", meta.license.clone()),
            (
                "source",
                url_for(&["source", "repository", "source code", "code"]),
            ),
            (
                "url",
                url_for(&["homepage", "home", "documentation"])
                    .or_else(|| meta.urls.first().map(|(_, v)| v.clone())),
            ),
            ("created", Some(clock::rfc3339(epoch))),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (format!("org.opencontainers.image.{k}"), v))),
    );
    labels.extend(base_labels(base, base_value));
    if let entrypoint::Rule::Framework { framework, .. } = &entrypoint.rule {
        labels.insert(
            FRAMEWORK_LABEL.to_owned(),
            framework.dependency().to_owned(),
        );
    }
    labels.extend(settings.labels.clone());
    labels
}

/// `base.name` (registry bases only: a local path is no image name, and
/// would make the image depend on where the build ran) and `base.digest`.
fn base_labels(base: &BaseImage, base_value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(r) = Reference::parse(base_value) {
        if base_value != "scratch" {
            out.push((
                pycontainer_oci::annotation::BASE_NAME.to_owned(),
                r.to_string(),
            ));
        }
    }
    if let Some(d) = &base.manifest_digest {
        out.push((
            "org.opencontainers.image.base.digest".to_owned(),
            d.to_string(),
        ));
    }
    out
}

fn annotations(
    base: &BaseImage,
    base_value: &str,
    settings: &Settings,
) -> BTreeMap<String, String> {
    // Extended, not collected: collecting into a map sorts, with a copy of the sort per type.
    let mut out = BTreeMap::new();
    out.extend(base_labels(base, base_value));
    out.extend(settings.annotations.clone());
    out
}

/// An absolute, normalised directory other than `/`.
fn workdir(value: &str, origin: &str) -> Result<String, Error> {
    let bad = |message: &str| Error::Option {
        flag: origin.to_owned(),
        message: format!("{value:?} {message}"),
    };
    if !value.starts_with('/') {
        return Err(bad("must be an absolute path"));
    }
    let parts: Vec<&str> = value
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(bad("must not contain '..'"));
    }
    if parts.is_empty() {
        return Err(bad(
            "must not be / (the app would be spread over the image's root)",
        ));
    }
    Ok(format!("/{}", parts.join("/")))
}

fn tags(values: &[String], project: &Project, origin: &str) -> Result<Vec<ImageTag>, Error> {
    let default;
    let values = if values.is_empty() {
        default = [format!("{}:latest", repository_name(project))];
        &default[..]
    } else {
        values
    };
    let mut out: Vec<ImageTag> = Vec::new();
    for value in values {
        let reference = Reference::parse(value).map_err(|source| Error::Tag {
            origin: origin.to_owned(),
            value: value.clone(),
            source,
        })?;
        if reference.digest().is_some() {
            return Err(Error::Option {
                flag: origin.to_owned(),
                message: format!("{value:?} names a digest; a tag is NAME[:TAG]"),
            });
        }
        let tag = reference.tag_or_latest().unwrap_or("latest").to_owned();
        let name = format!("{}:{tag}", reference.name());
        match out.iter().find(|t| t.tag == tag) {
            Some(prev) if prev.name != name => {
                return Err(Error::Option {
                    flag: origin.to_owned(),
                    message: format!("{} and {name} would share the layout tag {tag:?}; an OCI layout names images by tag alone", prev.name),
                })
            }
            Some(_) => {}
            None => out.push(ImageTag { tag, name }),
        }
    }
    Ok(out)
}

/// A valid repository name from the project name (or the context's folder name).
fn repository_name(project: &Project) -> String {
    let raw = project
        .metadata
        .name
        .clone()
        .unwrap_or_else(|| project.root.rsplit('/').next().unwrap_or("").to_owned());
    let mut name = String::new();
    for c in raw.to_lowercase().chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && (name.is_empty() || name.ends_with('-'))) {
            name.push(c);
        }
    }
    let name = name.trim_end_matches('-').to_owned();
    if name.is_empty() {
        "app".to_owned()
    } else {
        name
    }
}

/// Directory entries for `path` and each of its parents, root first.
fn dirs_down_to(path: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut acc = String::new();
    for part in path.trim_matches('/').split('/').filter(|p| !p.is_empty()) {
        if !acc.is_empty() {
            acc.push('/');
        }
        acc.push_str(part);
        out.push(Entry::dir(acc.clone(), 0));
    }
    out
}

/// The app layer: the context under the workdir, the launcher, and the
/// non-root user's home. Every file's parents are present.
fn app_layer(
    project: &Project,
    workdir: &str,
    entrypoint: &EntryPoint,
    home: bool,
) -> Result<Vec<Entry>, Error> {
    let mut entries = dirs_down_to(workdir);
    let base = workdir.trim_start_matches('/');
    for f in &project.files {
        let path = format!("{base}/{}", f.rel);
        if let Some((parent, _)) = f.rel.rsplit_once('/') {
            // A file re-included from an excluded directory still needs its parents.
            entries.extend(dirs_down_to(&format!("{workdir}/{parent}")));
        }
        entries.push(match f.kind {
            Kind::Dir => Entry::dir(path, 0),
            Kind::Symlink => Entry::symlink(path, f.target.clone().unwrap_or_default()),
            // Normalised: anyone may read; executable stays executable.
            _ => Entry::file(
                path,
                if f.mode & 0o111 != 0 { 0o755 } else { 0o644 },
                f.size,
                Content::Path(project.path(&f.rel)),
            ),
        });
    }
    if let Some(launcher) = &entrypoint.launcher {
        let (dir, _) = launcher.path.rsplit_once('/').unwrap_or(("", ""));
        entries.extend(dirs_down_to(dir));
        entries.push(Entry::bytes(
            launcher.path.trim_start_matches('/'),
            0o755,
            launcher.content.clone().into_bytes(),
        ));
    }
    if home {
        let (parent, _) = NONROOT_HOME.rsplit_once('/').unwrap_or(("", ""));
        entries.extend(dirs_down_to(parent));
        entries.push(Entry::dir(NONROOT_HOME.trim_start_matches('/'), NONROOT));
    }
    pycontainer_sort::sort_by(&mut entries, |a, b| a.path.cmp(&b.path));
    // Shared parent directories are expected; a file landing on another
    // (a context file where the launcher goes) would silently lose one.
    if let Some(pair) = entries
        .windows(2)
        .find(|p| p[0].path == p[1].path && !(p[0].is_dir() && p[1].is_dir()))
    {
        return Err(Error::Option {
            flag: "--workdir".to_owned(),
            message: format!("/{} would come both from the context and from pycontainer (launcher or home); choose another --workdir", pair[0].path),
        });
    }
    entries.dedup_by(|a, b| a.path == b.path);
    Ok(entries)
}

/// The plan as people and `--json` see it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    pub base: BaseView,
    pub python: Chosen<PythonChoice>,
    pub platform: String,
    pub workdir: String,
    pub user: Option<String>,
    pub entrypoint: EntryView,
    pub cmd: Option<Vec<String>>,
    pub env: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub ports: Vec<String>,
    pub tags: Vec<String>,
    pub files: FileCount,
    pub excluded: Vec<Excluded>,
    pub layers: Vec<LayerView>,
    pub sources: Vec<Source>,
    /// Where the dependencies come from; absent when none are installed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Input>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BaseView {
    pub image: String,
    pub rule: String,
    pub resolved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EntryView {
    pub command: Vec<String>,
    pub rule: String,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct FileCount {
    pub count: usize,
    pub bytes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct LayerView {
    pub name: String,
    pub entries: usize,
    pub bytes: u64,
}

impl Plan {
    pub fn view(&self) -> PlanView {
        let files = self.project.files.iter().filter(|f| f.kind == Kind::File);
        let rule = serde_json::to_value(&self.entrypoint.rule)
            .ok()
            .and_then(|v| v.get("rule").and_then(|r| r.as_str().map(str::to_owned)))
            .unwrap_or_default();
        PlanView {
            base: BaseView {
                image: self.base.name.clone(),
                rule: self.base_rule.clone(),
                resolved: self.base_resolved,
                digest: self.base.manifest_digest.clone(),
            },
            python: self.python.clone(),
            platform: self.platform.to_string(),
            workdir: self.changes.working_dir.clone(),
            user: self.changes.user.clone(),
            entrypoint: EntryView {
                command: self.entrypoint.command.clone(),
                rule,
                detail: self.entrypoint.rule.describe(),
            },
            cmd: self.changes.cmd.clone(),
            env: self.changes.env.iter().cloned().collect(),
            labels: self.changes.labels.clone(),
            annotations: self.annotations.clone(),
            ports: self.changes.ports.clone(),
            tags: self.tags.iter().map(|t| t.name.clone()).collect(),
            files: FileCount {
                count: files.clone().count(),
                bytes: files.map(|f| f.size).sum(),
            },
            excluded: self.project.excluded.clone(),
            layers: vec![LayerView {
                name: "app".to_owned(),
                entries: self.app_layer.len(),
                bytes: self.app_layer.iter().map(Entry::size).sum(),
            }],
            sources: self.sources.clone(),
            dependencies: self.deps.as_ref().map(|d| d.input.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workdir_is_normalised_and_checked() {
        assert_eq!(workdir("/app/", "--workdir").ok().as_deref(), Some("/app"));
        assert_eq!(
            workdir("/srv//./app", "--workdir").ok().as_deref(),
            Some("/srv/app")
        );
        for bad in ["app", "/", "/a/../b", ""] {
            let e = workdir(bad, "PYCONTAINER_WORKDIR")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.starts_with("PYCONTAINER_WORKDIR"), "{bad}: {e}");
        }
    }

    #[test]
    fn framework_imports_are_noticed() {
        assert!(mentions_framework(
            b"\"\"\"doc\"\"\"\nfrom FastAPI import x"
        ));
        assert!(mentions_framework(b"import os\n    import flask as f\n"));
        assert!(mentions_framework(
            b"os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'm.settings')"
        ));
        assert!(!mentions_framework(
            b"# we moved off flask\nprint('fastapi')\nfrom os import path\n"
        ));
    }

    #[test]
    fn parents_come_first() {
        let paths: Vec<String> = dirs_down_to("/srv/app")
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, vec!["srv", "srv/app"]);
    }
}
