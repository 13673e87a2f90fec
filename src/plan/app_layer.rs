//! The app layer's entries: the context's files under the workdir, the
//! console scripts' launchers, the non-root user's home, and the project's
//! own dist-info.

use pycontainer_archive::{Content, Entry};
use pycontainer_wheel::dist_info::{dist_info, ProjectInfo};

use super::scripts::Scripts;
use super::writable::{Scope, WritableDir};
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
    // The files come sorted, so a directory's files mostly follow one
    // another: their parents are listed once per run of them, not once per
    // file. Per file, a 50,000-file tree listed some 360,000 directories,
    // nearly all duplicates, before the dedup below: 36 MiB of wasm memory.
    let mut last_parent = None;
    for f in &project.files {
        let path = format!("{base}/{}", f.rel);
        if let Some((parent, _)) = f.rel.rsplit_once('/') {
            // A file re-included from an excluded directory still needs its parents.
            if last_parent != Some(parent) {
                entries.extend(dirs_down_to(&format!("{workdir}/{parent}")));
                last_parent = Some(parent);
            }
        }
        entries.push(match f.kind {
            Kind::Dir => Entry::dir(path, 0),
            Kind::Symlink => Entry::symlink(path, f.target.clone().unwrap_or_default()),
            // Normalised: anyone may read; executable stays executable. A
            // file its owner kept from group and others stays the owner's
            // (root's) alone: the context's 0600 is no accident to undo.
            _ => Entry::file(
                path,
                match (f.mode & 0o044 == 0, f.mode & 0o111 != 0) {
                    (true, true) => 0o700,
                    (true, false) => 0o600,
                    (false, true) => 0o755,
                    (false, false) => 0o644,
                },
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

/// Puts the lock the build writes into the context into the app layer,
/// with the text it will have: a first build without a lock then ships
/// what every later build reads back, and both give one digest. `ships`
/// says whether the selection (`.dockerignore`, excludes) lets a new
/// file at that path in; an existing one is already in `entries`.
pub(super) fn with_written_lock(entries: &mut Vec<Entry>, path: &str, text: &str, ships: bool) {
    let entry = Entry::bytes(path, 0o644, text.as_bytes().to_vec());
    match entries.binary_search_by(|e| e.path.as_str().cmp(path)) {
        Ok(i) => entries[i] = entry,
        Err(i) if ships => entries.insert(i, entry),
        Err(_) => {}
    }
}

/// Hands `paths` to `owner`, each as far as its scope says, with missing
/// directories made and their parents left root's.
pub(super) fn make_writable(entries: &mut Vec<Entry>, paths: &[WritableDir], owner: u32) {
    for p in paths.iter().filter(|p| p.scope != Scope::File) {
        entries.extend(dirs_down_to(&p.path));
    }
    pycontainer_sort::sort_by(entries, |a, b| a.path.cmp(&b.path));
    entries.dedup_by(|a, b| a.path == b.path);
    for p in paths {
        let path = p.path.trim_start_matches('/');
        let under = format!("{path}/");
        for e in entries.iter_mut() {
            if e.path == path || (p.scope == Scope::Tree && e.path.starts_with(&under)) {
                e.owner = owner;
            }
        }
    }
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
    fn every_file_gets_its_parents_once_however_directories_interleave() {
        // In the walk's order: a/b's files come on both sides of a/b/c's,
        // and build/x.txt was re-included from an excluded build/.
        let file = |rel: &str| crate::project::ContextFile {
            rel: rel.to_owned(),
            kind: Kind::File,
            size: 0,
            mode: 0o644,
            target: None,
        };
        let project = Project {
            root: "/ctx".into(),
            metadata: Metadata::default(),
            metadata_file: None,
            import_root: String::new(),
            files: ["a/b/c/y.py", "a/b/x.py", "a/z.py", "build/x.txt", "main.py"]
                .map(file)
                .to_vec(),
            excluded: Vec::new(),
            shipped_secrets: Vec::new(),
        };
        let scripts = Scripts {
            dir: String::new(),
            in_venv: true,
            launchers: Vec::new(),
        };
        let layer = app_layer(&project, "/app", "--workdir", &scripts, false, Vec::new()).unwrap();
        let paths: Vec<&str> = layer.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "app",
                "app/a",
                "app/a/b",
                "app/a/b/c",
                "app/a/b/c/y.py",
                "app/a/b/x.py",
                "app/a/z.py",
                "app/build",
                "app/build/x.txt",
                "app/main.py"
            ]
        );
        assert!(layer[..4].iter().all(Entry::is_dir));
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

    #[test]
    fn the_lock_to_write_replaces_or_joins_the_layer_unless_left_out() {
        let layer = || {
            vec![
                Entry::dir("app", 0),
                Entry::bytes("app/main.py", 0o644, b"".to_vec()),
                Entry::bytes("app/z.py", 0o644, b"".to_vec()),
            ]
        };
        let text_of = |entries: &[Entry]| -> Vec<(String, u64)> {
            entries.iter().map(|e| (e.path.clone(), e.size())).collect()
        };
        let mut joined = layer();
        with_written_lock(&mut joined, "app/pylock.toml", "new", true);
        assert_eq!(text_of(&joined)[2], ("app/pylock.toml".to_owned(), 3));
        let mut left_out = layer();
        with_written_lock(&mut left_out, "app/pylock.toml", "new", false);
        assert_eq!(text_of(&left_out), text_of(&layer()));
        let mut stale = layer();
        stale.insert(
            2,
            Entry::bytes("app/pylock.toml", 0o644, b"stale lock".to_vec()),
        );
        with_written_lock(&mut stale, "app/pylock.toml", "new", false);
        assert_eq!(text_of(&stale)[2], ("app/pylock.toml".to_owned(), 3));
        assert_eq!(stale.len(), 4);
    }
}
