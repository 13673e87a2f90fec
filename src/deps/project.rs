//! The project's own requirements: `[project.dependencies]`, the selected
//! extras' optional dependencies and the selected PEP 735 groups, as written
//! in its pyproject.toml.

use pycontainer_pypi::lock::Selection;
use pycontainer_python::name::PackageName;
use pycontainer_python::pep508::Requirement;

use super::DepsError;
use crate::project::{Metadata, Project};

/// The project's requirements for the selection: `[project.dependencies]`,
/// the selected extras' optional dependencies, and the selected groups.
pub fn requirements(
    project: &Project,
    selection: &Selection,
) -> Result<Vec<Requirement>, DepsError> {
    let meta = &project.metadata;
    // The full path, as every other message about the project's files has it.
    let file = format!(
        "{}/{}",
        project.root.trim_end_matches('/'),
        project.metadata_file.as_deref().unwrap_or("pyproject.toml")
    );
    let mut texts: Vec<(String, &str)> = meta
        .dependencies
        .iter()
        .map(|d| ("dependencies".to_owned(), d.as_str()))
        .collect();
    for extra in &selection.extras {
        let (name, list) = named(&meta.optional_dependencies, extra, "extra", &file)?;
        texts.extend(
            list.iter()
                .map(|d| (format!("optional-dependencies.{name}"), d.as_str())),
        );
    }
    for group in &selection.groups {
        group_requirements(meta, group, &file, &mut texts, 0)?;
    }
    texts
        .into_iter()
        .map(|(key, text)| {
            Requirement::parse(text).map_err(|e| DepsError::ProjectRequirement {
                file: file.clone(),
                key,
                message: e.to_string(),
            })
        })
        .collect()
}

/// The extra or group `wanted` among `lists`, however it is spelled there.
fn named<'m>(
    lists: &'m [(String, Vec<String>)],
    wanted: &PackageName,
    what: &'static str,
    file: &str,
) -> Result<(&'m String, &'m Vec<String>), DepsError> {
    lists
        .iter()
        .find(|(name, _)| PackageName::new(name).ok().as_ref() == Some(wanted))
        .map(|(name, list)| (name, list))
        .ok_or_else(|| DepsError::UnknownSelection {
            what,
            name: wanted.to_string(),
            file: file.to_owned(),
            available: lists.iter().map(|(n, _)| n.clone()).collect(),
        })
}

/// A PEP 735 group's requirements, following `include-group` (never in a cycle).
fn group_requirements<'m>(
    meta: &'m Metadata,
    group: &PackageName,
    file: &str,
    out: &mut Vec<(String, &'m str)>,
    depth: usize,
) -> Result<(), DepsError> {
    let (name, list) = named(&meta.dependency_groups, group, "group", file)?;
    if depth > meta.dependency_groups.len() {
        return Err(DepsError::ProjectRequirement {
            file: file.to_owned(),
            key: format!("dependency-groups.{name}"),
            message: "include-group forms a cycle".to_owned(),
        });
    }
    for item in list {
        match item.strip_prefix("include-group:") {
            Some(other) => {
                let other = PackageName::new(other).map_err(|e| DepsError::ProjectRequirement {
                    file: file.to_owned(),
                    key: format!("dependency-groups.{name}"),
                    message: e.to_string(),
                })?;
                group_requirements(meta, &other, file, out, depth + 1)?;
            }
            None => out.push((format!("dependency-groups.{name}"), item.as_str())),
        }
    }
    Ok(())
}
