//! The project itself as an installed distribution: a `.dist-info` in the
//! venv, so that `importlib.metadata` finds its version, requirements and
//! entry points. Its code stays where the app layer puts it, on PYTHONPATH;
//! no build backend runs.

use pycontainer_archive::Entry;
use pycontainer_digest::{Digest, Sha256};
use pycontainer_python::name::PackageName;
use pycontainer_python::record::{self, RecordEntry, RecordHash};

use crate::install::relative;

/// What the project's pyproject.toml says of it, as its dist-info records it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProjectInfo<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub summary: Option<&'a str>,
    pub license: Option<&'a str>,
    pub requires_python: Option<&'a str>,
    /// `[project.urls]`, in file order.
    pub urls: &'a [(String, String)],
    /// PEP 508 requirement strings.
    pub dependencies: &'a [String],
    pub optional_dependencies: &'a [(String, Vec<String>)],
    /// (command name, `module:object`), in file order.
    pub scripts: &'a [(String, String)],
    pub gui_scripts: &'a [(String, String)],
}

/// The dist-info entries for the app layer, or none when the project's
/// name is not a valid distribution name. `launchers` are the project's
/// script launchers, (path, bytes) relative to the image root as
/// `site_packages` is: RECORD lists them, as pip's does, so that
/// `importlib.metadata` sees them among the project's files.
pub fn dist_info(
    meta: &ProjectInfo<'_>,
    site_packages: &str,
    launchers: &[(String, Vec<u8>)],
) -> Vec<Entry> {
    let (name, version) = (meta.name, meta.version);
    let Ok(normalized) = PackageName::new(name) else {
        return Vec::new();
    };
    let dir = format!("{}-{version}.dist-info", normalized.as_dist_info_name());
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("INSTALLER".to_owned(), b"pycontainer\n".to_vec()),
        (
            "METADATA".to_owned(),
            metadata(meta, name, version).into_bytes(),
        ),
    ];
    if let Some(eps) = entry_points(meta) {
        files.push(("entry_points.txt".to_owned(), eps.into_bytes()));
    }
    let row = |path: String, bytes: &[u8]| RecordEntry {
        path,
        hash: Some(RecordHash::sha256(&Digest::of(Sha256::portable(), bytes))),
        size: Some(bytes.len() as u64),
    };
    let mut record: Vec<RecordEntry> = launchers
        .iter()
        .map(|(path, bytes)| row(relative(site_packages, path), bytes))
        .chain(
            files
                .iter()
                .map(|(f, bytes)| row(format!("{dir}/{f}"), bytes)),
        )
        .collect();
    record.push(RecordEntry {
        path: format!("{dir}/RECORD"),
        hash: None,
        size: None,
    });
    files.push(("RECORD".to_owned(), record::write(&record).into_bytes()));
    let base = format!("{site_packages}/{dir}");
    let mut out = vec![Entry::dir(base.clone(), 0)];
    out.extend(
        files
            .into_iter()
            .map(|(f, bytes)| Entry::bytes(format!("{base}/{f}"), 0o644, bytes)),
    );
    pycontainer_sort::sort_by(&mut out, |a, b| a.path.cmp(&b.path));
    out
}

/// Core metadata 2.1 from what pyproject.toml says.
fn metadata(meta: &ProjectInfo<'_>, name: &str, version: &str) -> String {
    let mut out = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    let mut field = |key: &str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.contains('\n')) {
            out.push_str(&format!("{key}: {v}\n"));
        }
    };
    field("Summary", meta.summary);
    field("License", meta.license);
    field("Requires-Python", meta.requires_python);
    for (label, url) in meta.urls {
        out.push_str(&format!("Project-URL: {label}, {url}\n"));
    }
    for dep in meta.dependencies {
        out.push_str(&format!("Requires-Dist: {dep}\n"));
    }
    for (extra, deps) in meta.optional_dependencies {
        out.push_str(&format!("Provides-Extra: {extra}\n"));
        for dep in deps {
            let joined = if dep.contains(';') {
                let (req, marker) = dep.split_once(';').unwrap_or((dep, ""));
                format!(
                    "{}; ({}) and extra == \"{extra}\"",
                    req.trim(),
                    marker.trim()
                )
            } else {
                format!("{dep}; extra == \"{extra}\"")
            };
            out.push_str(&format!("Requires-Dist: {joined}\n"));
        }
    }
    out
}

fn entry_points(meta: &ProjectInfo<'_>) -> Option<String> {
    let mut out = String::new();
    for (section, scripts) in [
        ("console_scripts", meta.scripts),
        ("gui_scripts", meta.gui_scripts),
    ] {
        if scripts.is_empty() {
            continue;
        }
        out.push_str(&format!("[{section}]\n"));
        for (name, target) in scripts {
            out.push_str(&format!("{name} = {target}\n"));
        }
        out.push('\n');
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(entries: &[Entry], suffix: &str) -> String {
        let e = entries
            .iter()
            .find(|e| e.path.ends_with(suffix))
            .unwrap_or_else(|| panic!("no {suffix}"));
        match &e.kind {
            pycontainer_archive::EntryKind::File {
                content: pycontainer_archive::Content::Bytes(b),
                ..
            } => String::from_utf8_lossy(b).into_owned(),
            _ => panic!("{suffix} has no bytes"),
        }
    }

    #[test]
    fn a_project_with_name_and_version_gets_a_dist_info() {
        let dependencies = ["fastapi>=0.115,<1".to_owned()];
        let optional = [(
            "dev".to_owned(),
            vec!["pytest; python_version >= '3.8'".to_owned()],
        )];
        let scripts = [("deps-demo".to_owned(), "deps_demo.main:run".to_owned())];
        let meta = ProjectInfo {
            name: "Deps.Demo",
            version: "0.1.0",
            requires_python: Some(">=3.11"),
            dependencies: &dependencies,
            optional_dependencies: &optional,
            scripts: &scripts,
            ..ProjectInfo::default()
        };
        let launcher = ("app/.venv/bin/deps-demo".to_owned(), b"#!python\n".to_vec());
        let entries = dist_info(&meta, "app/.venv/lib/python3.11/site-packages", &[launcher]);
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        let dir = "app/.venv/lib/python3.11/site-packages/deps_demo-0.1.0.dist-info";
        assert_eq!(
            paths,
            [
                dir.to_owned(),
                format!("{dir}/INSTALLER"),
                format!("{dir}/METADATA"),
                format!("{dir}/RECORD"),
                format!("{dir}/entry_points.txt"),
            ]
        );
        let md = text(&entries, "METADATA");
        assert!(
            md.starts_with("Metadata-Version: 2.1\nName: Deps.Demo\nVersion: 0.1.0\n"),
            "{md}"
        );
        assert!(md.contains("Requires-Dist: fastapi>=0.115,<1\n"));
        assert!(
            md.contains("Requires-Dist: pytest; (python_version >= '3.8') and extra == \"dev\"\n")
        );
        assert_eq!(
            text(&entries, "entry_points.txt"),
            "[console_scripts]\ndeps-demo = deps_demo.main:run\n\n"
        );
        let rec = text(&entries, "RECORD");
        assert!(
            rec.contains("deps_demo-0.1.0.dist-info/METADATA,sha256="),
            "{rec}"
        );
        assert!(rec.contains("deps_demo-0.1.0.dist-info/RECORD,,"), "{rec}");
        assert!(
            rec.starts_with("../../../bin/deps-demo,sha256="),
            "the launcher by its path from site-packages, as pip writes it: {rec}"
        );
    }

    #[test]
    fn a_name_that_is_no_distribution_name_gets_none() {
        let meta = ProjectInfo {
            name: "not a name!",
            version: "1.0",
            ..ProjectInfo::default()
        };
        assert!(dist_info(&meta, "s", &[]).is_empty());
    }
}
