//! The app layer's entries: the context's files under the workdir, the
//! console scripts' launchers, the non-root user's home, and the project's
//! own dist-info.

use pycontainer_archive::{Content, Entry};
use pycontainer_wheel::dist_info::{dist_info, ProjectInfo};

use super::scripts::Scripts;
use super::{PlanError, NONROOT, NONROOT_HOME};
use crate::host::Kind;
use crate::project::{Metadata, Project};

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

/// The app layer: the context under the workdir, the launchers, the
/// non-root user's home, and the project's dist-info when it is installed
/// in a venv. Every file's parents are present, but the dist-info's and
/// the launchers' in the venv, which the venv in the layer below has.
pub(super) fn app_layer(
    project: &Project,
    workdir: &str,
    workdir_origin: &str,
    scripts: &Scripts,
    home: bool,
    dist_info: Vec<Entry>,
) -> Result<Vec<Entry>, PlanError> {
    let mut entries = dirs_down_to(workdir);
    entries.extend(dist_info);
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
    if !scripts.in_venv && !scripts.launchers.is_empty() {
        entries.extend(dirs_down_to(&scripts.dir));
    }
    entries.extend(
        scripts
            .launchers
            .iter()
            .map(|l| Entry::bytes(l.path.trim_start_matches('/'), 0o755, l.content.clone())),
    );
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
        return Err(PlanError::setting(
            workdir_origin,
            format!("/{} would come both from the context and from pycontainer (launcher, home or dist-info); choose another workdir", pair[0].path),
        ));
    }
    entries.dedup_by(|a, b| a.path == b.path);
    Ok(entries)
}

/// The project's dist-info for the venv's site-packages, its RECORD
/// listing the launchers; none without a static name and version (a
/// dynamic version needs the project's build backend, which pycontainer
/// does not run).
pub(super) fn project_dist_info(
    meta: &Metadata,
    site_packages: &str,
    scripts: &Scripts,
) -> Vec<Entry> {
    let launchers: Vec<(String, Vec<u8>)> = scripts
        .launchers
        .iter()
        .map(|l| (l.path.trim_start_matches('/').to_owned(), l.content.clone()))
        .collect();
    match project_info(meta) {
        Some(info) => dist_info(&info, site_packages, &launchers),
        None => Vec::new(),
    }
}

fn project_info(meta: &Metadata) -> Option<ProjectInfo<'_>> {
    Some(ProjectInfo {
        name: meta.name.as_deref()?,
        version: meta.version.as_deref()?,
        summary: meta.description.as_deref(),
        license: meta.license.as_deref(),
        requires_python: meta.requires_python.as_deref(),
        urls: &meta.urls,
        dependencies: &meta.dependencies,
        optional_dependencies: &meta.optional_dependencies,
        scripts: &meta.scripts,
        gui_scripts: &meta.gui_scripts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_first() {
        let paths: Vec<String> = dirs_down_to("/srv/app")
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, vec!["srv", "srv/app"]);
    }

    #[test]
    fn a_dynamic_version_gets_no_dist_info() {
        let meta = Metadata {
            name: Some("x".into()),
            ..Metadata::default()
        };
        let none = Scripts {
            dir: String::new(),
            in_venv: true,
            launchers: Vec::new(),
        };
        assert!(project_dist_info(&meta, "s", &none).is_empty());
        let meta = Metadata {
            version: Some("1.0".into()),
            ..meta
        };
        assert_eq!(project_dist_info(&meta, "s", &none).len(), 4);
    }
}
