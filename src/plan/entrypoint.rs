//! What the image runs: an explicit entry point or script, else what the
//! project's own sources say (a web framework's app, a console script, a
//! `__main__`).

use super::PlanError;
use crate::config::{Layers, Settings};
use crate::host::Host;
use crate::project::entrypoint::{self, EntryPoint, Inputs};
use crate::project::framework::{self, Deps, Served, SourceFile};
use crate::project::{self, Project, ProjectError};

/// Larger source files are not scanned for frameworks: generated code, not apps.
const MAX_SCANNED_SOURCE: u64 = 1 << 20;

/// Explicit entry point or script first; only then the project's own sources are scanned.
pub(super) async fn choose_entrypoint<H: Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
    layers: &Layers,
) -> Result<EntryPoint, PlanError> {
    let origin = layers.origin("--entrypoint", |s| s.entrypoint.is_some());
    let explicit = settings.entrypoint.as_deref().map(|c| (c, origin.as_str()));
    let served = if explicit.is_none() && settings.script.is_none() {
        detect_framework(host, project, settings).await?
    } else {
        None
    };
    let inputs = Inputs {
        explicit,
        script: settings.script.as_deref(),
        served,
    };
    entrypoint::choose(project, inputs).map_err(|e| match e {
        e @ ProjectError::NoScript { .. } => PlanError::Script {
            origin: layers.origin("--script", |s| s.script.is_some()),
            source: Box::new(e),
        },
        e => e.into(),
    })
}

async fn detect_framework<H: Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
) -> Result<Option<Served>, PlanError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
