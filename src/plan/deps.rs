//! The plan's decisions about dependencies: which input names them, the
//! extras and groups checked against it before any base layer is pulled,
//! and, once the base is read, the venv and one wheel per package.

use pycontainer_oci::Platform;
use pycontainer_pypi::lock::{Locked, Selection};
use pycontainer_python::interpreters::PythonConstraint;
use pycontainer_python::name::{ExtraName, PackageName};
use pycontainer_python::pep508::MarkerEnv;
use pycontainer_wheel::target::BaseEnv;

use super::PlanError;
use crate::cache::CacheDir;
use crate::config::{Layers, Settings};
use crate::deps::decide::{self, Install};
use crate::deps::input::{self, Input, InputError};
use crate::deps::{pins, DepsError, DepsRequest};
use crate::project::Project;
use crate::registry::Client;
use crate::source::BaseImage;

/// What the plan decided about dependencies.
pub struct DepsPlan {
    pub input: Input,
    /// What goes into the venv; `None` only in a dry run that did not
    /// read its registry base, whose Python it therefore cannot know.
    pub install: Option<Install>,
}

/// The dependency input, found and checked before the Python is chosen,
/// since a lock's requires-python and wheels narrow that choice.
pub(super) struct Found {
    pub input: Input,
    selection: Selection,
    /// A lock's text, read once.
    text: Option<String>,
}

impl Found {
    /// What the lock pins for `env`; `None` when the input is no lock.
    pub fn lock(&self, project: &Project, env: &MarkerEnv) -> Result<Option<Locked>, DepsError> {
        pins::read_lock(
            &self.input,
            project,
            &self.selection,
            self.text.as_deref(),
            env,
        )
    }

    /// The lock's own requires-python, as a constraint naming the lock.
    pub fn requires_python(&self) -> Result<Option<PythonConstraint>, PlanError> {
        let Some(text) = pins::lock_requires_python(&self.input, self.text.as_deref())? else {
            return Ok(None);
        };
        Ok(Some(PythonConstraint::requires_python(
            &text,
            self.input.file_name(),
        )?))
    }
}

/// What deciding the install needs from the rest of the plan.
pub(super) struct Context<'a> {
    pub project: &'a Project,
    pub settings: &'a Settings,
    pub locked: bool,
    pub base: &'a BaseImage,
    /// The base's Python, read from its layers; `None` only in a dry run
    /// that did not read its registry base.
    pub env: Option<&'a BaseEnv>,
    pub platform: &'a Platform,
    pub cache: &'a CacheDir,
}

/// The input, with every selected extra and group checked against it, or
/// `None` when there are no dependencies to install. Needs no base.
pub(super) async fn find<H: crate::host::Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
    layers: &Layers,
) -> Result<Option<Found>, PlanError> {
    let requirements = layers.origin("--requirements", |s| s.deps.requirements.is_some());
    let from_project = layers.set_by_project(|s| s.deps.requirements.is_some());
    let found = input::find(host, project, &settings.deps, &requirements, from_project).await;
    let input = match found {
        Ok(Some(input)) => input,
        Ok(None) => return Ok(None),
        Err(e) => {
            let origin = match &e {
                DepsError::Input(InputError::Missing { .. }) => requirements,
                DepsError::Input(InputError::NothingToInclude) => {
                    layers.origin("--include-deps", |s| s.deps.include.is_some())
                }
                _ => return Err(e.into()),
            };
            return Err(PlanError::Deps {
                origin,
                source: Box::new(e),
            });
        }
    };
    let selection = Selection {
        extras: names(
            &layers.origin("--extra", |s| s.deps.extras.is_some()),
            &settings.deps.extras,
        )?,
        groups: names(
            &layers.origin("--group", |s| s.deps.groups.is_some()),
            &settings.deps.groups,
        )?,
    };
    let text = decide::check(host, project, &input, &selection).await?;
    Ok(Some(Found {
        input,
        selection,
        text,
    }))
}

/// The dependency layer for `found`, once the base's Python is known.
pub(super) async fn plan<H: crate::host::Host>(
    client: &Client<'_, H>,
    cx: &Context<'_>,
    found: Option<Found>,
) -> Result<Option<DepsPlan>, PlanError> {
    let Some(Found {
        input,
        selection,
        text,
    }) = found
    else {
        return Ok(None);
    };
    let Some(env) = cx.env else {
        return Ok(Some(DepsPlan {
            input,
            install: None,
        }));
    };
    let req = DepsRequest {
        project: cx.project,
        input: &input,
        settings: &cx.settings.deps,
        selection: &selection,
        locked: cx.locked,
        base: cx.base,
        platform: cx.platform,
        cache: cx.cache,
    };
    let install = match decide::decide(client, &req, text.as_deref(), env).await {
        Ok(install) => install,
        Err(e @ DepsError::StaleLock { .. }) => return Err(PlanError::Locked(Box::new(e))),
        Err(e) => return Err(e.into()),
    };
    Ok(Some(DepsPlan {
        input,
        install: Some(install),
    }))
}

/// Extra or group names, normalised; `origin` names the setting in errors.
fn names(origin: &str, values: &Option<Vec<String>>) -> Result<Vec<ExtraName>, PlanError> {
    values
        .iter()
        .flatten()
        .map(|v| PackageName::new(v).map_err(|e| PlanError::setting(origin, e.to_string())))
        .collect()
}
