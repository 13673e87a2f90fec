//! PEP 751 `pylock.toml`: read for one target environment, and written by the resolver.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use toml::Spanned;

use super::tree::{Doc, Table};
use super::{
    admits_python, check_requires_python, describe, image_python, Entries, FileHash, LockError,
    Locked, LockedFile, PackageAt, Pinned, Problem, Selection,
};
use pycontainer_python::name::ExtraName;
use pycontainer_python::pep440::Version;
use pycontainer_python::pep508::{Marker, MarkerEnv};
use pycontainer_python::url;

/// The major format version this module reads and writes; PEP 751 makes a newer major an error.
const MAJOR: &str = "1";

struct Document {
    lock_version: String,
    environments: Option<Vec<String>>,
    requires_python: Option<String>,
    /// The extras and groups the lock was made for, when it says.
    extras: Option<Vec<String>>,
    dependency_groups: Option<Vec<String>>,
    default_groups: Vec<String>,
    packages: Vec<Spanned<Package>>,
}

impl Document {
    fn read(doc: &Table) -> Result<Document, LockError> {
        Ok(Document {
            lock_version: doc.require("lock-version")?.string()?,
            environments: doc.strings("environments")?,
            requires_python: doc.string("requires-python")?,
            extras: doc.strings("extras")?,
            dependency_groups: doc.strings("dependency-groups")?,
            default_groups: doc.strings("default-groups")?.unwrap_or_default(),
            packages: doc.spanned_tables("packages", Package::read)?,
        })
    }
}

struct Package {
    name: String,
    version: Option<String>,
    marker: Option<String>,
    requires_python: Option<String>,
    index: Option<String>,
    vcs: Option<Place>,
    directory: Option<Place>,
    archive: Option<Place>,
    sdist: Option<File>,
    wheels: Option<Vec<File>>,
}

impl Package {
    fn read(table: &Table) -> Result<Package, LockError> {
        let place = |key| Ok::<_, LockError>(table.table(key)?.map(|t| Place::read(&t)));
        let wheels = table.get("wheels").map(|w| w.tables(File::read));
        Ok(Package {
            name: table.require("name")?.string()?,
            version: table.string("version")?,
            marker: table.string("marker")?,
            requires_python: table.string("requires-python")?,
            index: table.string("index")?,
            vcs: place("vcs")?,
            directory: place("directory")?,
            archive: place("archive")?,
            sdist: table.table("sdist")?.map(|f| File::read(&f)).transpose()?,
            wheels: wheels.transpose()?,
        })
    }
}

/// Where a `vcs`, `directory` or `archive` source is; other keys of those tables do not
/// matter here, as such a package is refused or skipped.
struct Place {
    url: Option<String>,
    path: Option<String>,
}

impl Place {
    /// A `url` or `path` that is not a string is ignored, as it was when the table was kept
    /// whole.
    fn read(table: &Table) -> Place {
        let text = |key| table.get(key).and_then(|v| v.string().ok());
        Place {
            url: text("url"),
            path: text("path"),
        }
    }
}

struct File {
    name: Option<String>,
    url: Option<String>,
    path: Option<String>,
    size: Option<u64>,
    hashes: BTreeMap<String, String>,
}

impl File {
    fn read(table: &Table) -> Result<File, LockError> {
        Ok(File {
            name: table.string("name")?,
            url: table.string("url")?,
            path: table.string("path")?,
            size: table.u64("size")?,
            hashes: table.string_map("hashes")?,
        })
    }
}

/// The packages a pylock.toml installs for `env`.
///
/// `extras` and `dependency_groups` in package markers are evaluated against the selected
/// extras and groups together; with no group selected, the file's `default-groups` apply,
/// as PEP 751's installation steps say.
pub fn read(
    text: &str,
    source: &str,
    env: &MarkerEnv,
    selection: &Selection,
) -> Result<Locked, LockError> {
    let doc = Document::read(&Doc::parse(source, text)?.root())?;
    check_lock_version(source, &doc.lock_version)?;
    check_selected(source, &doc, selection)?;
    let python = image_python(source, env)?;
    if let Some(requires) = &doc.requires_python {
        check_requires_python(source, requires, &python)?;
    }
    if let Some(environments) = &doc.environments {
        check_environments(source, environments, env)?;
    }
    let requested = requested(source, selection, &doc.default_groups)?;
    let entries = Entries::new(source, text, &doc.packages, |p| &p.name);
    let mut pins: BTreeMap<_, (Pinned, Option<usize>)> = BTreeMap::new();
    for entry in &doc.packages {
        let package = entry.get_ref();
        let at = entries.at_entry(entry);
        if let Some(marker) = &package.marker {
            if !at.marker(marker)?.evaluate(env, &requested) {
                continue;
            }
        }
        if is_the_project(package) {
            continue;
        }
        let pin = pin(&at, package, &python)?;
        match pins.entry(pin.name.clone()) {
            Entry::Vacant(slot) => {
                slot.insert((pin, at.line));
            }
            Entry::Occupied(first) => {
                return Err(at.error(Problem::Ambiguous {
                    versions: format!("{} and {}", first.get().0.version, pin.version),
                }));
            }
        }
    }
    Ok(Locked {
        source: source.to_owned(),
        packages: pins.into_values().map(|(pin, _)| pin).collect(),
    })
}

/// The lock's top-level `requires-python`, which the project's Python must satisfy too.
pub fn requires_python(text: &str, source: &str) -> Result<Option<String>, LockError> {
    Ok(Document::read(&Doc::parse(source, text)?.root())?.requires_python)
}

/// Checks that the lock has every extra and group `selection` names, where
/// it lists what it has; no target is needed, so this comes before the base is read.
pub fn check_selection(text: &str, source: &str, selection: &Selection) -> Result<(), LockError> {
    let doc = Document::read(&Doc::parse(source, text)?.root())?;
    check_lock_version(source, &doc.lock_version)?;
    check_selected(source, &doc, selection)
}

fn check_selected(file: &str, doc: &Document, selection: &Selection) -> Result<(), LockError> {
    let lists = [
        ("extra", &selection.extras, &doc.extras),
        (
            "dependency group",
            &selection.groups,
            &doc.dependency_groups,
        ),
    ];
    for (what, wanted, listed) in lists {
        let Some(listed) = listed else { continue };
        if let Some(missing) = wanted.iter().find(|w| {
            !listed
                .iter()
                .any(|l| ExtraName::new(l).ok().as_ref() == Some(*w))
        }) {
            return Err(LockError::NotDefined {
                file: file.to_owned(),
                what,
                name: missing.to_string(),
                available: listed.clone(),
            });
        }
    }
    Ok(())
}

fn check_lock_version(file: &str, found: &str) -> Result<(), LockError> {
    let major = found.split('.').next().unwrap_or_default();
    if major.is_empty() || !major.chars().all(|c| c.is_ascii_digit()) {
        return Err(LockError::Field {
            file: file.to_owned(),
            key: "lock-version".to_owned(),
            message: format!("{found:?} is not a version such as \"1.0\""),
        });
    }
    if major.trim_start_matches('0') != MAJOR {
        return Err(LockError::FormatVersion {
            file: file.to_owned(),
            key: "lock-version",
            found: found.to_owned(),
            supported: "1.x",
        });
    }
    Ok(())
}

fn check_environments(
    file: &str,
    environments: &[String],
    env: &MarkerEnv,
) -> Result<(), LockError> {
    for text in environments {
        let marker = Marker::parse(text).map_err(|e| LockError::Field {
            file: file.to_owned(),
            key: "environments".to_owned(),
            message: format!("invalid marker {text:?}: {e}"),
        })?;
        if marker.evaluate(env, &[]) {
            return Ok(());
        }
    }
    Err(LockError::Environment {
        file: file.to_owned(),
        environments: environments.to_vec(),
        image: describe(env),
    })
}

/// The names `extras` and `dependency_groups` markers are tested against.
fn requested(
    file: &str,
    selection: &Selection,
    default_groups: &[String],
) -> Result<Vec<ExtraName>, LockError> {
    let defaults = default_groups
        .iter()
        .map(|g| {
            ExtraName::new(g).map_err(|e| LockError::Field {
                file: file.to_owned(),
                key: "default-groups".to_owned(),
                message: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let groups = if selection.groups.is_empty() {
        defaults
    } else {
        selection.groups.clone()
    };
    let mut names: Vec<ExtraName> = selection.extras.iter().cloned().chain(groups).collect();
    pycontainer_sort::sort(&mut names);
    names.dedup();
    Ok(names)
}

fn pin(at: &PackageAt, package: &Package, python: &Version) -> Result<Pinned, LockError> {
    let name = at.name()?;
    if let Some(what) = build_source(package) {
        return Err(at.error(Problem::NeedsBuild { what }));
    }
    let version = at.version(package.version.as_deref())?;
    if let Some(requires) = &package.requires_python {
        check_package_python(at, requires, python)?;
    }
    let files = at.files(
        package
            .sdist
            .iter()
            .chain(package.wheels.iter().flatten())
            .map(|file| locked_file(at, file)),
    )?;
    Ok(Pinned {
        name,
        version,
        files,
        index: package.index.clone(),
        hashes: Vec::new(),
    })
}

/// The project itself, as `uv export` lists it: the lock's own directory.
/// The app layer holds it, so it is not a dependency to install.
fn is_the_project(package: &Package) -> bool {
    package
        .directory
        .as_ref()
        .and_then(|d| d.path.as_deref())
        .is_some_and(|p| matches!(p, "." | "./"))
}

/// Describes a VCS, directory or archive source, none of which is a ready wheel.
fn build_source(package: &Package) -> Option<String> {
    let (kind, source) = [
        ("a VCS repository", &package.vcs),
        ("the local directory", &package.directory),
        ("the archive", &package.archive),
    ]
    .into_iter()
    .find_map(|(kind, source)| source.as_ref().map(|s| (kind, s)))?;
    let place = source.url.as_deref().or(source.path.as_deref());
    Some(match place {
        Some(place) => format!("{kind} {}", url::redacted(place)),
        None => kind.to_owned(),
    })
}

fn check_package_python(at: &PackageAt, requires: &str, python: &Version) -> Result<(), LockError> {
    let admitted = admits_python(requires, python).map_err(|e| {
        at.error(Problem::RequiresPythonSyntax {
            requires: requires.to_owned(),
            message: e.to_string(),
        })
    })?;
    if admitted {
        Ok(())
    } else {
        Err(at.error(Problem::Python {
            requires: requires.to_owned(),
            python: python.to_string(),
        }))
    }
}

fn locked_file(at: &PackageAt, file: &File) -> Result<LockedFile, LockError> {
    let (filename, url) = at.file_place(
        file.name.as_deref(),
        file.url.as_deref(),
        file.path.as_deref(),
    )?;
    if file.hashes.is_empty() {
        return Err(at.error(Problem::NoHash(filename)));
    }
    let hashes = file
        .hashes
        .iter()
        .map(|(algorithm, hex)| {
            FileHash::new(algorithm, hex)
                .ok_or_else(|| at.error(Problem::Hash(format!("{algorithm} = {hex:?}"))))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LockedFile {
        filename,
        url: Some(url),
        hashes,
        size: file.size,
    })
}

/// Writes `locked` as a pylock.toml, byte for byte the same for the same input.
///
/// The lock is for the environments it was resolved for, each of which installs every
/// package, so it carries no markers; `header` (comment lines) says so. Files whose name
/// ends in `.whl` become `wheels`, the first other file the `sdist`. [`Pinned::hashes`] has
/// no place in PEP 751 (it hashes each file), so the resolver must put every hash on its file.
pub fn write(
    locked: &Locked,
    header: &str,
    created_by: &str,
    requires_python: Option<&str>,
) -> String {
    let mut out = header.to_owned();
    out.push_str("lock-version = \"1.0\"\n");
    if let Some(requires) = requires_python {
        let _ = writeln!(out, "requires-python = {}", quote(requires));
    }
    let _ = writeln!(out, "created-by = {}", quote(created_by));
    let mut packages: Vec<&Pinned> = locked.packages.iter().collect();
    pycontainer_sort::sort_by(&mut packages, |a, b| {
        a.name.cmp(&b.name).then(a.version.cmp(&b.version))
    });
    for package in packages {
        write_package(&mut out, package);
    }
    out
}

fn write_package(out: &mut String, package: &Pinned) {
    let _ = write!(
        out,
        "\n[[packages]]\nname = {}\nversion = {}\n",
        quote(package.name.as_str()),
        quote(&package.version.to_string())
    );
    if let Some(index) = &package.index {
        let _ = writeln!(out, "index = {}", quote(index));
    }
    let (mut wheels, others): (Vec<&LockedFile>, Vec<&LockedFile>) = package
        .files
        .iter()
        .partition(|f| f.filename.ends_with(".whl"));
    if let Some(sdist) = others.first() {
        let _ = writeln!(out, "sdist = {}", inline_file(sdist));
    }
    if !wheels.is_empty() {
        pycontainer_sort::sort_by(&mut wheels, |a, b| a.filename.cmp(&b.filename));
        out.push_str("wheels = [\n");
        for wheel in wheels {
            let _ = writeln!(out, "    {},", inline_file(wheel));
        }
        out.push_str("]\n");
    }
}

fn inline_file(file: &LockedFile) -> String {
    let mut fields = vec![format!("name = {}", quote(&file.filename))];
    if let Some(url) = &file.url {
        fields.push(format!("url = {}", quote(url)));
    }
    if let Some(size) = file.size {
        fields.push(format!("size = {size}"));
    }
    let mut hashes: Vec<&FileHash> = file.hashes.iter().collect();
    pycontainer_sort::sort(&mut hashes);
    let hashes: Vec<String> = hashes
        .iter()
        .map(|h| format!("{} = {}", key(&h.algorithm), quote(&h.hex)))
        .collect();
    fields.push(format!("hashes = {{ {} }}", hashes.join(", ")));
    format!("{{ {} }}", fields.join(", "))
}

/// A bare key when TOML allows one, else a quoted key.
fn key(text: &str) -> String {
    let bare = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        text.to_owned()
    } else {
        quote(text)
    }
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pycontainer_python::name::PackageName;

    fn linux(python: &str) -> MarkerEnv {
        MarkerEnv::linux_cpython(&python.parse().unwrap(), "x86_64")
    }

    fn names(locked: &Locked) -> Vec<String> {
        locked
            .packages
            .iter()
            .map(|p| format!("{}=={}", p.name, p.version))
            .collect()
    }

    fn extras(names: &[&str]) -> Vec<ExtraName> {
        names.iter().map(|n| ExtraName::new(n).unwrap()).collect()
    }

    #[test]
    fn its_requires_python_is_read_alone() {
        assert_eq!(
            requires_python(PEP_EXAMPLE, "pylock.toml")
                .unwrap()
                .as_deref(),
            Some("==3.12")
        );
        assert_eq!(
            requires_python("lock-version = '1.0'\n", "pylock.toml").unwrap(),
            None
        );
    }

    /// PEP 751's own example, with its `[tool]` table and attestation identities.
    const PEP_EXAMPLE: &str = r#"
lock-version = '1.0'
environments = ["sys_platform == 'win32'", "sys_platform == 'linux'"]
requires-python = '==3.12'
created-by = 'mousebender'

[[packages]]
name = 'attrs'
version = '25.1.0'
requires-python = '>=3.8'
wheels = [
  {name = 'attrs-25.1.0-py3-none-any.whl', upload-time = 2025-01-25T11:30:10.164985+00:00, url = 'https://files.pythonhosted.org/packages/fc/30/d4986a882011f9df997a55e6becd864812ccfcd821d64aac8570ee39f719/attrs-25.1.0-py3-none-any.whl', size = 63152, hashes = {sha256 = 'c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a'}},
]
[[packages.attestation-identities]]
environment = 'release-pypi'
kind = 'GitHub'
repository = 'python-attrs/attrs'
workflow = 'pypi-package.yml'

[[packages]]
name = 'cattrs'
version = '24.1.2'
requires-python = '>=3.8'
dependencies = [
    {name = 'attrs'},
]
wheels = [
  {name = 'cattrs-24.1.2-py3-none-any.whl', upload-time = 2024-09-22T14:58:34.812643+00:00, url = 'https://files.pythonhosted.org/packages/c8/d5/867e75361fc45f6de75fe277dd085627a9db5ebb511a87f27dc1396b5351/cattrs-24.1.2-py3-none-any.whl', size = 66446, hashes = {sha256 = '67c7495b760168d931a10233f979b28dc04daf853b30752246f4f8471c6d68d0'}},
]

[[packages]]
name = 'numpy'
version = '2.2.3'
requires-python = '>=3.10'
wheels = [
  {name = 'numpy-2.2.3-cp312-cp312-win_amd64.whl', upload-time = 2025-02-13T16:51:21.821880+00:00, url = 'https://files.pythonhosted.org/packages/42/6e/55580a538116d16ae7c9aa17d4edd56e83f42126cb1dfe7a684da7925d2c/numpy-2.2.3-cp312-cp312-win_amd64.whl', size = 12626357, hashes = {sha256 = '83807d445817326b4bcdaaaf8e8e9f1753da04341eceec705c001ff342002e5d'}},
  {name = 'numpy-2.2.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', upload-time = 2025-02-13T16:50:00.079662+00:00, url = 'https://files.pythonhosted.org/packages/39/04/78d2e7402fb479d893953fb78fa7045f7deb635ec095b6b4f0260223091a/numpy-2.2.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', size = 16116679, hashes = {sha256 = '3b787adbf04b0db1967798dba8da1af07e387908ed1553a0d6e74c084d1ceafe'}},
]

[tool.mousebender]
command = ['.', 'lock', '--platform', 'cpython3.12-windows-x64', '--platform', 'cpython3.12-manylinux2014-x64', 'cattrs', 'numpy']
run-on = 2025-03-06T12:28:57.760769
"#;

    #[test]
    fn the_peps_example_reads_for_linux() {
        let locked = read(
            PEP_EXAMPLE,
            "pylock.toml",
            &linux("3.12"),
            &Selection::default(),
        )
        .unwrap();
        assert_eq!(locked.source, "pylock.toml");
        assert_eq!(
            names(&locked),
            ["attrs==25.1.0", "cattrs==24.1.2", "numpy==2.2.3"]
        );
        let numpy = &locked.packages[2];
        assert_eq!(numpy.files.len(), 2);
        let linux_wheel = &numpy.files[1];
        assert_eq!(
            linux_wheel.filename,
            "numpy-2.2.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        );
        assert_eq!(linux_wheel.size, Some(16116679));
        assert_eq!(
            linux_wheel.hashes,
            [FileHash::new(
                "sha256",
                "3b787adbf04b0db1967798dba8da1af07e387908ed1553a0d6e74c084d1ceafe"
            )
            .unwrap()]
        );
        assert_eq!(numpy.index, None);
    }

    #[test]
    fn the_peps_example_refuses_another_python_or_platform() {
        let err = read(
            PEP_EXAMPLE,
            "pylock.toml",
            &linux("3.11.9"),
            &Selection::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "pylock.toml requires Python ==3.12, but the image has Python 3.11.9"
        );
        let mut mac = linux("3.12");
        mac.sys_platform = "darwin".to_owned();
        mac.platform_system = "Darwin".to_owned();
        let err = read(PEP_EXAMPLE, "pylock.toml", &mac, &Selection::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pylock.toml is locked for sys_platform == 'win32' | sys_platform == 'linux', and the image (Darwin x86_64, Python 3.12) is none of them"
        );
    }

    /// A multi-use lock as uv exports one: markers over extras, groups and the platform.
    const MULTI_USE: &str = r#"
lock-version = "1.0"
requires-python = ">=3.10"
extras = ["socks"]
dependency-groups = ["dev"]
default-groups = ["default"]
created-by = "uv"

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "sys_platform == 'win32' and 'dev' in dependency_groups"
index = "https://pypi.org/simple"
wheels = [{ url = "https://files.pythonhosted.org/packages/d1/d6/3965ed04c63042e047cb6a3e6ed1a63a35087b6a609aa3a15ed8ac56c221/colorama-0.4.6-py2.py3-none-any.whl", upload-time = 2022-10-25T02:36:20Z, size = 25335, hashes = { sha256 = "4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6" } }]

[[packages]]
name = "pysocks"
version = "1.7.1"
marker = "'socks' in extras"
index = "https://pypi.org/simple"
sdist = { url = "https://files.pythonhosted.org/packages/bd/11/293dd436aea955d45fc4e8a35b6ae7270f5b8e00b53cf6c024c83b657a11/PySocks-1.7.1.tar.gz", size = 284872, hashes = { sha256 = "3f8804571ebe159c380ac6de37643bb4685970655d3bba243530d6558b799aa0" } }
wheels = [{ url = "https://files.pythonhosted.org/packages/8d/59/b4572118e098ac8e46e399a1dd0f2d85403ce8bbaad9ec79373ed6badaf9/PySocks-1.7.1-py3-none-any.whl", size = 16725, hashes = { sha256 = "2725bd0a9925919b9b51739eea5f9e2bae91e83288108a9ad338b2e3a4435ee5" } }]

[[packages]]
name = "pytest"
version = "8.3.3"
marker = "'dev' in dependency_groups"
index = "https://pypi.org/simple"
wheels = [{ url = "https://files.pythonhosted.org/packages/6b/77/7440a06a8ead44c7757a64362dd22df5760f9b12dc5f11b6188cd2fc27a0/pytest-8.3.3-py3-none-any.whl", size = 342345, hashes = { sha256 = "a6853c7375b2663155079443d2e45de913a911a11d669df02a50814944db57b2" } }]

[[packages]]
name = "requests"
version = "2.32.3"
marker = "'default' in dependency_groups"
index = "https://pypi.org/simple"
wheels = [{ url = "https://files.pythonhosted.org/packages/f9/9b/335f9764261e915ed497fcdeb11df5dfd6f7bf257d4a6a2a686d80da4d54/requests-2.32.3-py3-none-any.whl", size = 64928, hashes = { sha256 = "70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6" } }]
"#;

    #[test]
    fn an_extra_or_group_the_lock_does_not_list_is_an_error() {
        let ask = |wanted: &[&str], groups: &[&str]| {
            let selection = Selection {
                extras: extras(wanted),
                groups: extras(groups),
            };
            check_selection(MULTI_USE, "pylock.toml", &selection).map_err(|e| e.to_string())
        };
        assert_eq!(ask(&["socks"], &["dev"]), Ok(()));
        assert_eq!(
            ask(&["postgres"], &[]),
            Err("pylock.toml: extra \"postgres\" is not defined; it has: socks".to_owned())
        );
        assert_eq!(
            ask(&[], &["docs"]),
            Err("pylock.toml: dependency group \"docs\" is not defined; it has: dev".to_owned())
        );
        let selection = Selection {
            extras: extras(&["postgres"]),
            groups: vec![],
        };
        assert!(read(MULTI_USE, "pylock.toml", &linux("3.11.9"), &selection).is_err());
    }

    #[test]
    fn extras_and_groups_select_packages() {
        let env = linux("3.11.9");
        let read_with = |selection: Selection| {
            names(&read(MULTI_USE, "pylock.toml", &env, &selection).unwrap())
        };
        assert_eq!(read_with(Selection::default()), ["requests==2.32.3"]);
        assert_eq!(
            read_with(Selection {
                extras: extras(&["socks"]),
                groups: vec![]
            }),
            ["pysocks==1.7.1", "requests==2.32.3"]
        );
        // Naming a group replaces the default groups, and colorama stays Windows-only.
        assert_eq!(
            read_with(Selection {
                extras: vec![],
                groups: extras(&["dev"])
            }),
            ["pytest==8.3.3"]
        );
        let locked = read(
            MULTI_USE,
            "pylock.toml",
            &env,
            &Selection {
                extras: extras(&["socks"]),
                groups: vec![],
            },
        )
        .unwrap();
        let pysocks = &locked.packages[0];
        assert_eq!(pysocks.index.as_deref(), Some("https://pypi.org/simple"));
        let files: Vec<&str> = pysocks.files.iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(
            files,
            ["PySocks-1.7.1.tar.gz", "PySocks-1.7.1-py3-none-any.whl"]
        );
    }

    fn one_package(body: &str) -> String {
        format!("lock-version = \"1.0\"\ncreated-by = \"test\"\n\n[[packages]]\nname = \"demo\"\n{body}")
    }

    fn error(text: &str) -> String {
        read(text, "pylock.toml", &linux("3.11.9"), &Selection::default())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn sources_that_need_a_build_are_refused_by_name() {
        assert_eq!(
            error(&one_package("vcs = { type = \"git\", url = \"https://github.com/pallets/flask.git\", commit-id = \"2b8f7a1\" }\n")),
            "pylock.toml: package \"demo\" (line 4): comes from a VCS repository https://github.com/pallets/flask.git, which would need a build; only packages from an index can go in the image as wheels"
        );
        assert!(
            error(&one_package("directory = { path = \"./libs/demo\" }\n"))
                .contains("comes from the local directory ./libs/demo")
        );
        // The project itself (uv export's `directory = { path = "." }`) is skipped.
        assert!(
            read(
                "lock-version = \"1.0\"\ncreated-by = \"uv\"\n[[packages]]\nname = \"demo\"\ndirectory = { path = \".\", editable = true }\n",
                "pylock.toml",
                &linux("3.11.9"),
                &Selection::default()
            )
            .unwrap()
            .packages
            .is_empty()
        );
        assert!(error(&one_package(
            "archive = { url = \"https://example.com/demo.zip\", hashes = { sha256 = \"ab\" } }\n"
        ))
        .contains("comes from the archive https://example.com/demo.zip"));
        // A token in the source's URL is never repeated.
        assert!(error(&one_package(
            "vcs = { type = \"git\", url = \"https://u:s3cret@example.com/demo.git\", commit-id = \"ab\" }\n"
        ))
        .contains("a VCS repository https://***@example.com/demo.git"));
    }

    #[test]
    fn bad_packages_are_named_with_their_line() {
        let wheel = "wheels = [{ url = \"https://example.com/demo-1.0-py3-none-any.whl\", hashes = { sha256 = \"ab12\" } }]\n";
        assert_eq!(
            error(&one_package(wheel)),
            "pylock.toml: package \"demo\" (line 4): has no version"
        );
        assert!(error(&one_package(&format!(
            "version = \"1.0\"\nrequires-python = \">=3.12\"\n{wheel}"
        )))
        .ends_with("requires Python >=3.12, but the image has Python 3.11.9"));
        assert!(error(&one_package("version = \"1.0\"\nwheels = [{ path = \"dist/demo-1.0-py3-none-any.whl\", hashes = { sha256 = \"ab\" } }]\n"))
            .ends_with("a file has no url (demo-1.0-py3-none-any.whl); files given only by a local path are not supported"));
        assert!(error(&one_package("version = \"1.0\"\nwheels = [{ url = \"https://example.com/demo-1.0-py3-none-any.whl\", hashes = {} }]\n"))
            .contains("demo-1.0-py3-none-any.whl has no hash"));
        assert!(error(&one_package("version = \"1.0\"\nwheels = [{ url = \"https://example.com/demo-1.0-py3-none-any.whl\", hashes = { sha256 = \"not hex\" } }]\n"))
            .contains("invalid hash \"sha256 = \\\"not hex\\\"\""));
        assert!(error(&one_package("version = \"1.0\"\n")).ends_with("lists no wheel and no sdist"));
        assert!(error(&one_package(&format!(
            "version = \"1.0\"\nmarker = \"python_version >\"\n{wheel}"
        )))
        .contains("invalid marker \"python_version >\""));
    }

    #[test]
    fn two_entries_for_one_environment_are_ambiguous() {
        let wheel = |v: &str| {
            format!("[[packages]]\nname = \"demo\"\nversion = \"{v}\"\nwheels = [{{ url = \"https://example.com/demo-{v}-py3-none-any.whl\", hashes = {{ sha256 = \"ab\" }} }}]\n")
        };
        let text = format!(
            "lock-version = \"1.0\"\ncreated-by = \"t\"\n{}{}",
            wheel("1.0"),
            wheel("2.0")
        );
        assert_eq!(
            error(&text),
            "pylock.toml: package \"demo\" (line 7): is locked more than once for this environment (1.0 and 2.0); the lock must narrow it to one"
        );
    }

    #[test]
    fn newer_formats_and_broken_toml_are_refused() {
        assert_eq!(
            error("lock-version = \"2.0\"\ncreated-by = \"t\"\n"),
            "pylock.toml: lock-version = \"2.0\" is a newer format than pycontainer reads (1.x)"
        );
        // A minor bump only adds keys, which are ignored.
        assert!(read(
            "lock-version = \"1.3\"\ncreated-by = \"t\"\nnew-key = 1\n",
            "pylock.toml",
            &linux("3.11"),
            &Selection::default()
        )
        .is_ok());
        assert!(error("lock-version = \"one\"\n").contains("`lock-version`"));
        assert_eq!(
            error("lock-version = \"1.0\"\npackages = 3\n")
                .split(':')
                .next(),
            Some("pylock.toml (line 2, column 12)")
        );
    }

    fn sample() -> Locked {
        let wheel = |name: &str, hex: &str, size| LockedFile {
            filename: name.to_owned(),
            url: Some(format!("https://files.pythonhosted.org/packages/xx/{name}")),
            hashes: vec![FileHash::new("sha256", hex).unwrap()],
            size: Some(size),
        };
        Locked {
            source: "pylock.toml".to_owned(),
            packages: vec![
                Pinned {
                    name: PackageName::new("anyio").unwrap(),
                    version: "4.4.0".parse().unwrap(),
                    files: vec![
                        wheel("anyio-4.4.0.tar.gz", "e5d2", 173233),
                        wheel("anyio-4.4.0-py3-none-any.whl", "c1b2", 86780),
                    ],
                    index: Some("https://pypi.org/simple".to_owned()),
                    hashes: vec![],
                },
                Pinned {
                    name: PackageName::new("PyYAML").unwrap(),
                    version: "6.0.2".parse().unwrap(),
                    files: vec![
                        wheel("PyYAML-6.0.2-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", "0a1b", 739),
                        wheel("PyYAML-6.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "ff0c", 762),
                    ],
                    index: Some("https://pypi.org/simple".to_owned()),
                    hashes: vec![],
                },
                Pinned {
                    name: PackageName::new("torch").unwrap(),
                    version: "2.6.0+cpu".parse().unwrap(),
                    files: vec![LockedFile {
                        filename: "torch-2.6.0+cpu-cp311-cp311-linux_x86_64.whl".to_owned(),
                        url: Some("https://download.pytorch.org/whl/cpu/torch-2.6.0%2Bcpu-cp311-cp311-linux_x86_64.whl".to_owned()),
                        hashes: vec![FileHash::new("sha256", "aa").unwrap(), FileHash::new("sha512", "bb").unwrap()],
                        size: None,
                    }],
                    index: Some("https://download.pytorch.org/whl/cpu".to_owned()),
                    hashes: vec![],
                },
            ],
        }
    }

    #[test]
    fn the_writer_round_trips_through_the_reader() {
        let locked = sample();
        let text = write(&locked, "# a header\n", "pycontainer 0.1.0", Some(">=3.11"));
        let back = read(
            &text,
            "pylock.toml",
            &linux("3.11.9"),
            &Selection::default(),
        )
        .unwrap();
        assert_eq!(back, locked);
        // The same input always gives the same bytes, whatever the order it came in.
        let mut shuffled = sample();
        shuffled.packages.reverse();
        shuffled.packages[1].files.reverse();
        assert_eq!(
            write(
                &shuffled,
                "# a header\n",
                "pycontainer 0.1.0",
                Some(">=3.11")
            ),
            text
        );
    }

    #[test]
    fn the_writer_output_is_readable_pylock() {
        let text = write(&sample(), "# a header\n", "pycontainer \"dev\"", None);
        assert!(text.starts_with("# a header\nlock-version = \"1.0\"\n"));
        assert!(text.contains("\ncreated-by = \"pycontainer \\\"dev\\\"\"\n"));
        assert!(!text.contains("requires-python"));
        assert!(text.contains(
            "\n[[packages]]\nname = \"anyio\"\nversion = \"4.4.0\"\nindex = \"https://pypi.org/simple\"\nsdist = { name = \"anyio-4.4.0.tar.gz\", url = \"https://files.pythonhosted.org/packages/xx/anyio-4.4.0.tar.gz\", size = 173233, hashes = { sha256 = \"e5d2\" } }\nwheels = [\n    { name = \"anyio-4.4.0-py3-none-any.whl\", "
        ));
        let doc: toml::Table = text.parse().unwrap();
        assert_eq!(doc["lock-version"].as_str(), Some("1.0"));
        assert_eq!(doc["packages"].as_array().map(Vec::len), Some(3));
    }

    #[test]
    fn quoting_escapes_what_toml_needs() {
        assert_eq!(quote("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
        assert_eq!(key("sha256"), "sha256");
        assert_eq!(key("sha 256"), "\"sha 256\"");
    }
}
