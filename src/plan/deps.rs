//! The plan's decisions about dependencies: which input names them, the
//! extras and groups checked against it before any base layer is pulled,
//! and, once the base is read, the venv and one wheel per package.

use pycontainer_oci::Platform;
use pycontainer_pypi::lock::Selection;
use pycontainer_python::name::{ExtraName, PackageName};

use super::PlanError;
use crate::cache::CacheDir;
use crate::config::{Layers, Settings};
use crate::deps::decide::{self, Install};
use crate::deps::input::{self, Input, InputError};
use crate::deps::{DepsError, DepsRequest};
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

/// What deciding needs from the rest of the plan.
pub(super) struct Context<'a> {
    pub project: &'a Project,
    pub settings: &'a Settings,
    pub layers: &'a Layers,
    pub locked: bool,
    pub base: &'a BaseImage,
    pub base_resolved: bool,
    pub platform: &'a Platform,
    pub cache: &'a CacheDir,
}

/// The dependencies, or `None` when there are none to install.
pub(super) async fn plan<H: crate::host::Host>(
    client: &Client<'_, H>,
    cx: &Context<'_>,
) -> Result<Option<DepsPlan>, PlanError> {
    let host = client.host();
    let layers = cx.layers;
    let requirements = layers.origin("--requirements", |s| s.deps.requirements.is_some());
    let found = input::find(host, cx.project, &cx.settings.deps, &requirements).await;
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
            &cx.settings.deps.extras,
        )?,
        groups: names(
            &layers.origin("--group", |s| s.deps.groups.is_some()),
            &cx.settings.deps.groups,
        )?,
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
    let text = decide::check(host, &req).await?;
    if !cx.base_resolved {
        return Ok(Some(DepsPlan {
            input,
            install: None,
        }));
    }
    let install = match decide::decide(client, &req, text.as_deref()).await {
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
