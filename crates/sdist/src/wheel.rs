//! The wheel's own files (WHEEL, entry_points.txt, license files, RECORD)
//! and the archive: a zip of stored members with a fixed timestamp, so the
//! same sdist always makes the same bytes.

use pycontainer_digest::{Digest, Sha256};
use pycontainer_python::record::{self, RecordEntry, RecordHash};
use toml::Value;

use crate::backend::{fnmatch, table, Backend, Project, Selection};
use crate::metadata::Metadata;
use crate::tree::Tree;
use crate::Refusal;

/// pycontainer's build makes pure wheels for any Python 3.
const WHEEL: &str =
    "Wheel-Version: 1.0\nGenerator: pycontainer\nRoot-Is-Purelib: true\nTag: py3-none-any\n";

/// The dist-info files besides METADATA, WHEEL and RECORD: (name below
/// the dist-info directory, bytes).
pub(crate) fn dist_info_files(
    tree: &Tree,
    project: &Project,
    metadata: &Metadata,
) -> Result<Vec<(String, Vec<u8>)>, Refusal> {
    let mut out = Vec::new();
    let egg_info = egg_info(tree, project);
    if egg_info.is_empty() {
        if let Some(text) = entry_points(project)? {
            out.push(("entry_points.txt".to_owned(), text));
        }
    }
    out.extend(egg_info);
    for (from, to) in license_files(tree, project.backend, metadata) {
        if let Some(bytes) = tree.files.get(&from) {
            out.push((to, bytes.clone()));
        }
    }
    Ok(out)
}

/// License files, under `licenses/` as PEP 639 puts them and as every
/// backend's current release does (a frontend builds with the newest the
/// sdist's `[build-system] requires` allows): the `License-File` paths
/// PKG-INFO lists, else the backend's default globs at the sdist's top.
/// <https://peps.python.org/pep-0639/#add-license-files-key>
fn license_files(tree: &Tree, backend: Backend, metadata: &Metadata) -> Vec<(String, String)> {
    let to = |f: &str| (f.to_owned(), format!("licenses/{f}"));
    if !metadata.license_files.is_empty() {
        return metadata.license_files.iter().map(|f| to(f)).collect();
    }
    let globs: &[&str] = match backend {
        Backend::FlitCore => &["COPYING*", "LICEN[CS]E*"],
        Backend::PoetryCore => &["LICENSE*", "COPYING*", "LICENSES/*"],
        Backend::PdmBackend => &[
            "LICENSES/*",
            "LICEN[CS]E*",
            "COPYING*",
            "NOTICE*",
            "AUTHORS*",
        ],
        Backend::Setuptools | Backend::Hatchling => {
            &["LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*"]
        }
    };
    tree.files
        .keys()
        .filter(|p| globs.iter().any(|g| fnmatch(g, p)))
        .map(|p| to(p))
        .collect()
}

/// egg-info files setuptools' sdist carries (at the top or in src/) that
/// its wheel build turns into dist-info files: it writes them again from
/// the same configuration, so they are taken as they are. Those it leaves
/// out of the wheel are left out here.
/// <https://setuptools.pypa.io/en/latest/deprecated/python_eggs.html#eggs-and-their-formats>
fn egg_info(tree: &Tree, project: &Project) -> Vec<(String, Vec<u8>)> {
    const NOT_IN_WHEEL: &[&str] = &[
        "PKG-INFO",
        "requires.txt",
        "SOURCES.txt",
        "not-zip-safe",
        "dependency_links.txt",
    ];
    if project.backend != Backend::Setuptools {
        return Vec::new();
    }
    tree.files
        .iter()
        .filter_map(|(path, bytes)| {
            let rest = path.strip_prefix("src/").unwrap_or(path);
            let (dir, name) = rest.split_once('/')?;
            let kept =
                dir.ends_with(".egg-info") && !name.contains('/') && !NOT_IN_WHEEL.contains(&name);
            kept.then(|| (name.to_owned(), bytes.clone()))
        })
        .collect()
}

/// entry_points.txt from `[project.scripts]`, `[project.gui-scripts]` and
/// `[project.entry-points]`, or the older `[tool.flit.scripts]`,
/// `[tool.poetry.scripts]` and their entry point tables. pdm-backend writes
/// the two script groups even when empty.
/// <https://packaging.python.org/en/latest/specifications/entry-points/>
fn entry_points(project: &Project) -> Result<Option<Vec<u8>>, Refusal> {
    if project.backend == Backend::Setuptools
        && project
            .setup_cfg
            .iter()
            .any(|(s, _, _)| s == "options.entry_points")
    {
        return Err(Refusal::Layout(
            "setup.cfg declares entry points but the sdist has no egg-info to take entry_points.txt from".to_owned(),
        ));
    }
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let pairs = |value: Option<&Value>| -> Result<Vec<(String, String)>, Refusal> {
        let Some(value) = value else {
            return Ok(Vec::new());
        };
        let Some(t) = value.as_table() else {
            return Ok(Vec::new());
        };
        t.iter()
            .map(|(k, v)| match v.as_str() {
                Some(s) => Ok((k.clone(), s.to_owned())),
                None => Err(Refusal::Option {
                    backend: project.backend.name(),
                    option: format!("script {k} that is not a module:object string"),
                }),
            })
            .collect()
    };
    let root = &project.pyproject;
    let at = |path: &[&str]| -> Option<Value> {
        let (last, parent) = path.split_last()?;
        table(root, parent)?.get(*last).cloned()
    };
    let console = [
        at(&["project", "scripts"]),
        at(&["tool", "flit", "scripts"]),
        at(&["tool", "poetry", "scripts"]),
    ];
    let console: Vec<(String, String)> = console
        .iter()
        .map(|v| pairs(v.as_ref()))
        .collect::<Result<Vec<_>, _>>()?
        .concat();
    groups.push(("console_scripts".to_owned(), console));
    groups.push((
        "gui_scripts".to_owned(),
        pairs(at(&["project", "gui-scripts"]).as_ref())?,
    ));
    for path in [
        &["project", "entry-points"][..],
        &["tool", "flit", "entrypoints"],
        &["tool", "poetry", "plugins"],
    ] {
        if let Some(Value::Table(t)) = at(path) {
            for (group, value) in t {
                groups.push((group.clone(), pairs(Some(&value))?));
            }
        }
    }
    let mut text = String::new();
    let always = |group: &str| {
        project.backend == Backend::PdmBackend && matches!(group, "console_scripts" | "gui_scripts")
    };
    for (group, entries) in groups.iter().filter(|(g, e)| !e.is_empty() || always(g)) {
        text.push_str(&format!("[{group}]\n"));
        for (name, reference) in entries {
            text.push_str(&format!("{name} = {reference}\n"));
        }
        text.push('\n');
    }
    Ok((!text.is_empty()).then(|| text.into_bytes()))
}

/// The wheel: the selected files, then the dist-info ones, RECORD last.
pub(crate) fn write(
    tree: &Tree,
    files: &Selection,
    dist_info: &str,
    extra: &[(String, Vec<u8>)],
    metadata: &[u8],
) -> Vec<u8> {
    let mut members: Vec<(String, &[u8])> = files
        .iter()
        .filter_map(|(from, to)| Some((to.clone(), tree.files.get(from)?.as_slice())))
        .collect();
    pycontainer_sort::sort_by(&mut members, |a, b| a.0.cmp(&b.0));
    members.push((format!("{dist_info}/METADATA"), metadata));
    members.push((format!("{dist_info}/WHEEL"), WHEEL.as_bytes()));
    for (name, bytes) in extra {
        members.push((format!("{dist_info}/{name}"), bytes));
    }
    let mut rows: Vec<RecordEntry> = members
        .iter()
        .map(|(path, bytes)| RecordEntry {
            path: path.clone(),
            hash: Some(RecordHash::sha256(&Digest::of(Sha256::portable(), bytes))),
            size: Some(bytes.len() as u64),
        })
        .collect();
    let record_path = format!("{dist_info}/RECORD");
    rows.push(RecordEntry {
        path: record_path.clone(),
        hash: None,
        size: None,
    });
    let record = record::write(&rows).into_bytes();
    members.push((record_path, &record));
    zip(&members)
}

/// A zip of stored members dated 1980-01-01, mode 0644.
fn zip(members: &[(String, &[u8])]) -> Vec<u8> {
    const DOS_DATE: u16 = (1 << 5) | 1;
    let mut out = Vec::new();
    let mut central = Vec::new();
    let put16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let put32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for (name, data) in members {
        let offset = out.len() as u32;
        let crc = crc32fast::hash(data);
        let size = data.len() as u32;
        let flags: u16 = if name.is_ascii() { 0 } else { 0x0800 };
        put32(&mut out, 0x0403_4b50);
        for x in [20, flags, 0, 0, DOS_DATE] {
            put16(&mut out, x);
        }
        for x in [crc, size, size] {
            put32(&mut out, x);
        }
        put16(&mut out, name.len() as u16);
        put16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        put32(&mut central, 0x0201_4b50);
        for x in [(3 << 8) | 20, 20, flags, 0, 0, DOS_DATE] {
            put16(&mut central, x);
        }
        for x in [crc, size, size] {
            put32(&mut central, x);
        }
        for x in [name.len() as u16, 0, 0, 0, 0] {
            put16(&mut central, x);
        }
        put32(&mut central, 0o100_644 << 16);
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    let count = members.len() as u16;
    out.extend_from_slice(&central);
    put32(&mut out, 0x0605_4b50);
    for x in [0, 0, count, count] {
        put16(&mut out, x);
    }
    put32(&mut out, central.len() as u32);
    put32(&mut out, central_offset);
    put16(&mut out, 0);
    out
}
