//! Which of the context's files go into the image: `.dockerignore`, then
//! the exclude settings, then the include settings.

use super::PlanError;
use crate::config::{Layers, Settings};
use crate::host::{Host, Kind};
use crate::project::files::Selection;
use crate::project::ignore::IgnoreRules;
use crate::project::{self};

/// .dockerignore, then `exclude`, then `include`: the later rule wins, so
/// an explicit include beats any exclude, the default ones too.
pub(super) async fn selection<H: Host>(
    host: &H,
    context: &str,
    settings: &Settings,
    layers: &Layers,
) -> Result<Selection, PlanError> {
    let exclude_origin = layers.origin("--exclude", |s| !s.exclude.is_empty());
    let include_origin = layers.origin("--include", |s| !s.include.is_empty());
    let file = format!("{}/.dockerignore", context.trim_end_matches('/'));
    // A directory is read too, so that it fails naming itself as Docker's
    // does: skipping it would silently exclude nothing. A symlink is not
    // followed, here as anywhere in the context.
    let mut rules = match host.stat(&file).await? {
        Some(info) if matches!(info.kind, Kind::File | Kind::Dir) => IgnoreRules::parse(
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
            return Err(PlanError::setting(
                &include_origin,
                format!("{pattern:?} is outside the build context; only paths inside it can be included"),
            ));
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
