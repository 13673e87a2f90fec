//! Where compiled bytecode goes in the venv, as `compileall` puts it:
//! `__pycache__/NAME.cpython-3XY.pyc` beside each module of site-packages.
//! The compiling itself is the host's; this decides what and where.

use pycontainer_archive::{Content, Entry, EntryKind};

/// `cpython-311` for `3.11`: the tag in a `.pyc`'s name.
pub fn cache_tag(minor: &str) -> Option<String> {
    let (major, minor) = minor.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(major) && digits(minor)).then(|| format!("cpython-{major}{minor}"))
}

/// The `.pyc` path for the module at `py`.
pub fn pyc_path(py: &str, tag: &str) -> Option<String> {
    let stem = py.strip_suffix(".py")?;
    let (dir, name) = stem.rsplit_once('/').unwrap_or(("", stem));
    Some(match dir {
        "" => format!("__pycache__/{name}.{tag}.pyc"),
        dir => format!("{dir}/__pycache__/{name}.{tag}.pyc"),
    })
}

/// The entries to compile: the `.py` files under `site_packages` (paths
/// as the layer has them, no leading `/`) whose `.pyc` is not already there.
pub fn sources(entries: &[Entry], site_packages: &str, tag: &str) -> Vec<usize> {
    let prefix = format!("{}/", site_packages.trim_matches('/'));
    let have = |path: &str| {
        entries
            .binary_search_by(|e| e.path.as_str().cmp(path))
            .is_ok()
    };
    (0..entries.len())
        .filter(|&i| {
            let e = &entries[i];
            matches!(e.kind, EntryKind::File { .. })
                && e.path.starts_with(&prefix)
                && pyc_path(&e.path, tag).is_some_and(|pyc| !have(&pyc))
        })
        .collect()
}

/// `entries` (sorted by path) with each compiled module's `.pyc` and its
/// `__pycache__` directory added, still sorted.
pub fn add(mut entries: Vec<Entry>, compiled: Vec<(String, Vec<u8>)>, tag: &str) -> Vec<Entry> {
    for (py, pyc) in compiled {
        let Some(path) = pyc_path(&py, tag) else {
            continue;
        };
        if let Some((dir, _)) = path.rsplit_once('/') {
            entries.push(Entry::dir(dir, 0));
        }
        let size = pyc.len() as u64;
        entries.push(Entry::file(path, 0o644, size, Content::Bytes(pyc)));
    }
    pycontainer_sort::sort_by(&mut entries, |a, b| a.path.cmp(&b.path));
    entries.dedup_by(|a, b| a.path == b.path);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pycs_go_into_pycache_beside_their_module() {
        assert_eq!(cache_tag("3.11").as_deref(), Some("cpython-311"));
        assert_eq!(cache_tag("3"), None);
        assert_eq!(
            pyc_path("a/site-packages/six.py", "cpython-311").as_deref(),
            Some("a/site-packages/__pycache__/six.cpython-311.pyc")
        );
        assert_eq!(pyc_path("a/b/data.json", "cpython-311"), None);
    }

    #[test]
    fn only_site_packages_modules_without_a_pyc_are_compiled() {
        let sp = "app/.venv/lib/python3.11/site-packages";
        let entries = vec![
            Entry::bytes("app/.venv/bin/tool.py", 0o755, vec![]),
            Entry::bytes(format!("{sp}/__pycache__/m.cpython-311.pyc"), 0o644, vec![]),
            Entry::bytes(format!("{sp}/m.py"), 0o644, vec![]),
            Entry::dir(format!("{sp}/pkg"), 0),
            Entry::bytes(format!("{sp}/pkg/__init__.py"), 0o644, vec![]),
            Entry::bytes(format!("{sp}/pkg/data.txt"), 0o644, vec![]),
        ];
        let picked: Vec<&str> = sources(&entries, &format!("/{sp}"), "cpython-311")
            .into_iter()
            .map(|i| entries[i].path.as_str())
            .collect();
        assert_eq!(picked, [format!("{sp}/pkg/__init__.py")]);
        let added = add(
            entries,
            vec![(format!("{sp}/pkg/__init__.py"), b"pyc".to_vec())],
            "cpython-311",
        );
        let paths: Vec<&str> = added.iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&format!("{sp}/pkg/__pycache__").as_str()));
        assert!(paths.contains(&format!("{sp}/pkg/__pycache__/__init__.cpython-311.pyc").as_str()));
        assert!(paths.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    }
}
