//! What the image runs: an explicit entry point or script, else what the
//! project's own sources say (a web framework's app, a console script, a
//! `__main__`).

use super::PlanError;
use crate::config::{Layers, Settings};
use crate::project::entrypoint::{self, EntryPoint, Inputs, Rule};
use crate::project::framework::{self, Deps, Served, SourceFile};
use crate::project::{self, Project, ProjectError};

/// Explicit entry point or script first; only then the project's own sources are scanned.
pub(super) fn choose_entrypoint(
    project: &Project,
    settings: &Settings,
    layers: &Layers,
    sources: &[(String, String)],
) -> Result<(EntryPoint, Option<Served>), PlanError> {
    let origin = layers.origin("--entrypoint", |s| s.entrypoint.is_some());
    let explicit = settings.entrypoint.as_deref().map(|c| (c, origin.as_str()));
    let served = if wants_framework(settings) {
        detect_framework(project, settings, sources)?
    } else {
        None
    };
    let inputs = Inputs {
        explicit,
        script: settings.script.as_deref(),
        served: served.clone(),
    };
    let entrypoint = entrypoint::choose(project, inputs).map_err(|e| match e {
        e @ ProjectError::NoScript { .. } => PlanError::Script {
            origin: layers.origin("--script", |s| s.script.is_some()),
            source: Box::new(e),
        },
        e => e.into(),
    })?;
    // What was detected, when the entry point is what serves it.
    let served = served.filter(|_| matches!(entrypoint.rule, Rule::Framework { .. }));
    Ok((entrypoint, served))
}

/// Whether the sources are searched for a web framework: only when no
/// entry point or script was given.
pub(super) fn wants_framework(settings: &Settings) -> bool {
    settings.entrypoint.is_none() && settings.script.is_none()
}

fn detect_framework(
    project: &Project,
    settings: &Settings,
    sources: &[(String, String)],
) -> Result<Option<Served>, PlanError> {
    let files: Vec<SourceFile> = sources
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
