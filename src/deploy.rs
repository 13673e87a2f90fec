//! `pycontainer deploy`: the build, pushed, and the Kubernetes manifests
//! that run the image by the digest the registry confirmed, shaped by the
//! runtime flags over pycontainer.toml's `[runtime]`.

use pycontainer_deploy::{manifests, to_yaml, App, DeployError, Port, Resources, Runtime, Shape};
use pycontainer_oci::Reference;
use serde::Serialize;

use crate::build::{self, BuildResult};
use crate::config::{ConfigError, Executor, RuntimeFlags, RuntimeSettings};
use crate::error::Error;
use crate::host::Host;
use crate::plan::{BuildOptions, Plan, PlanError, PlanView, FRAMEWORK_LABEL};

/// What `deploy` takes: a build's options, and the runtime flags.
pub struct DeployOptions {
    pub build: BuildOptions,
    pub runtime: RuntimeFlags,
}

/// What a deploy made: the build (pushed), and the manifests for its image.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DeployResult {
    pub build: BuildResult,
    /// The image as the manifests name it: `registry/repository@sha256:…`.
    pub image: String,
    /// The objects, in the order they are applied.
    pub manifests: Vec<ManifestView>,
    /// Every object, as one multi-document YAML stream for `kubectl apply -f -`.
    pub yaml: String,
}

/// One Kubernetes object of a deploy.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ManifestView {
    pub kind: String,
    pub name: String,
}

/// Plans the build, checks the runtime settings and the manifests they
/// make before anything is written, then builds and pushes the image and
/// makes the manifests again with its digest.
pub async fn deploy<H: Host>(host: &H, options: DeployOptions) -> Result<DeployResult, Error> {
    let DeployOptions {
        build: mut options,
        runtime: flags,
    } = options;
    if options.dry_run {
        let why = "deploy names the image by the digest its push gives; `pycontainer build --dry-run` shows the plan";
        return Err(PlanError::from(ConfigError::flag("--dry-run", None, why)).into());
    }
    // The cluster pulls the image from a registry: deploy always pushes.
    options.push = true;
    let flags = RuntimeSettings::from_flags(&flags).map_err(PlanError::from)?;
    let mut decided = None;
    let built = build::build_checked(host, &options, &mut |plans| {
        let (settings, runtime) = runtime_of(&plans[0], flags.clone())?;
        // Every check before a byte is written: the manifests with the
        // image not yet named.
        manifests(&app(&plans[0].view(), &settings, String::new()), &runtime)?;
        decided = Some((settings, runtime));
        Ok(())
    })
    .await?;
    // Not decided only when nothing was built, and so nothing pushed.
    let (settings, runtime) = decided.ok_or(DeployError::NotPushed)?;
    let pushed = built.pushed.first().ok_or(DeployError::NotPushed)?;
    // The reference parsed back, for its repository without the tag.
    let image = match Reference::parse(&pushed.reference) {
        Ok(r) => format!("{}/{}@{}", r.registry(), r.repository(), pushed.digest),
        Err(_) => return Err(DeployError::NotPushed.into()),
    };
    let made = manifests(&app(&built.plan, &settings, image.clone()), &runtime)?;
    Ok(DeployResult {
        image,
        manifests: made
            .iter()
            .map(|m| ManifestView {
                kind: m.kind.to_owned(),
                name: m.name.clone(),
            })
            .collect(),
        yaml: to_yaml(&made),
        build: built,
    })
}

/// The runtime settings, the flags over pycontainer.toml's `[runtime]`,
/// and the runtime they make; a local `executor` is refused.
fn runtime_of(plan: &Plan, flags: RuntimeSettings) -> Result<(RuntimeSettings, Runtime), Error> {
    let file = plan.runtime.clone();
    if let Some(table) = &file {
        if let Some(local @ (Executor::Docker | Executor::Podman)) = table.settings.executor {
            return Err(PlanError::from(ConfigError::Invalid {
                file: table.file.clone(),
                key: "executor".to_owned(),
                message: format!(
                    "is {:?}: that runs the image on this machine, as `pycontainer run` does; deploy is for \"kubernetes\"",
                    local.name()
                ),
            })
            .into());
        }
    }
    let settings = flags.over(file.map(|t| t.settings).unwrap_or_default());
    let defaults = Resources::default();
    let runtime = Runtime {
        shape: settings.shape.clone().unwrap_or(Shape::Replicas(1)),
        public: settings.public.unwrap_or(false),
        resources: Resources {
            cpu: settings.cpu.clone().unwrap_or(defaults.cpu),
            memory: settings.memory.clone().unwrap_or(defaults.memory),
        },
    };
    Ok((settings, runtime))
}

/// What the manifests need of the image: its name and version (the
/// project's, else the first tag's repository), the ports it serves (the
/// runtime's, else its `ExposedPorts`), the web server's port when a
/// framework was detected, its user, and whether it writes any directory.
fn app(view: &PlanView, settings: &RuntimeSettings, image: String) -> App {
    let label = |key: &str| view.labels.get(key).cloned();
    let name = label("org.opencontainers.image.title").unwrap_or_else(|| {
        view.tags
            .first()
            .and_then(|t| Reference::parse(t).ok())
            .and_then(|r| r.repository().rsplit('/').next().map(str::to_owned))
            .unwrap_or_default()
    });
    let exposed: Vec<Port> = view
        .config
        .exposed_ports
        .iter()
        .flat_map(|ports| ports.keys())
        .filter_map(|p| Port::parse(p))
        .collect();
    let server_port = exposed
        .iter()
        .find(|p| !p.udp)
        .filter(|_| view.labels.contains_key(FRAMEWORK_LABEL))
        .map(|p| p.number);
    let ports = match &settings.ports {
        Some(ports) => ports.iter().filter_map(|p| Port::parse(p)).collect(),
        None => exposed,
    };
    App {
        name,
        image,
        version: label("org.opencontainers.image.version"),
        ports,
        server_port,
        user: view.config.user.clone(),
        writes: !view.writable.is_empty(),
    }
}
