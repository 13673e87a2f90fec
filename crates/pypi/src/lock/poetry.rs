//! Poetry's `poetry.lock`, walked from the project's direct dependencies for one environment.
//!
//! The lock lists every package any platform may need, each with its own dependencies and
//! their markers, but not the project itself: the caller passes the project's requirements
//! (from pyproject.toml) as the roots.

use std::collections::BTreeMap;

use toml::Spanned;

use super::tree::{Doc, Table, Value};
use super::{
    image_python, Entries, Frontier, LockError, Locked, LockedFile, PackageAt, Pinned, Problem,
    Selection,
};
use crate::workspace::clean;
use pycontainer_python::name::{ExtraName, PackageName};
use pycontainer_python::pep440::Version;
use pycontainer_python::pep508::{MarkerEnv, Requirement};
use pycontainer_python::poetry::constraint_to_specifiers;
use pycontainer_python::url;

/// The newest major `lock-version` this module reads (Poetry 1.x wrote 1.1, Poetry 2 writes 2.1).
const MAJOR: u64 = 2;

struct Document {
    package: Vec<Spanned<Package>>,
    metadata: Metadata,
}

impl Document {
    fn read(doc: &Table) -> Result<Document, LockError> {
        Ok(Document {
            package: doc.spanned_tables("package", Package::read)?,
            metadata: match doc.table("metadata")? {
                Some(metadata) => Metadata::read(&metadata)?,
                None => Metadata::default(),
            },
        })
    }
}

#[derive(Default)]
struct Metadata {
    lock_version: Option<String>,
    /// Lock-version 1.x kept every package's files here, by package name.
    files: BTreeMap<String, Vec<File>>,
}

impl Metadata {
    fn read(table: &Table) -> Result<Metadata, LockError> {
        let files = match table.table("files")? {
            Some(by_name) => by_name.map(files)?,
            None => BTreeMap::new(),
        };
        Ok(Metadata {
            lock_version: table.string("lock-version")?,
            files,
        })
    }
}

struct Package {
    name: String,
    version: String,
    python_versions: Option<String>,
    /// Lock-version 2.1: where the entry applies, overall or per dependency group.
    markers: Option<EntryMarkers>,
    dependencies: BTreeMap<String, Constraint>,
    extras: BTreeMap<String, Vec<String>>,
    files: Vec<File>,
    source: Option<Source>,
}

impl Package {
    fn read(table: &Table) -> Result<Package, LockError> {
        let dependencies = match table.table("dependencies")? {
            Some(deps) => deps.map(Constraint::read)?,
            None => BTreeMap::new(),
        };
        let extras = match table.table("extras")? {
            Some(extras) => extras.map(|list| list.strings())?,
            None => BTreeMap::new(),
        };
        Ok(Package {
            name: table.require("name")?.string()?,
            version: table.require("version")?.string()?,
            python_versions: table.string("python-versions")?,
            markers: table.get("markers").map(EntryMarkers::read).transpose()?,
            dependencies,
            extras,
            files: table
                .get("files")
                .map(files)
                .transpose()?
                .unwrap_or_default(),
            source: table
                .table("source")?
                .map(|s| Source::read(&s))
                .transpose()?,
        })
    }
}

enum EntryMarkers {
    All(String),
    ByGroup(BTreeMap<String, String>),
}

impl EntryMarkers {
    fn read(value: Value) -> Result<EntryMarkers, LockError> {
        if value.is_table() {
            return value
                .map(|marker| marker.string())
                .map(EntryMarkers::ByGroup);
        }
        value.string().map(EntryMarkers::All)
    }

    fn texts(&self) -> Vec<&str> {
        match self {
            EntryMarkers::All(text) => vec![text.as_str()],
            EntryMarkers::ByGroup(groups) => groups.values().map(String::as_str).collect(),
        }
    }
}

/// A dependency's value: `"^1.2"`, `{ version, markers, … }`, or a list of those split by
/// markers.
enum Constraint {
    Version(String),
    One(Detail),
    Several(Vec<Detail>),
}

impl Constraint {
    fn read(value: Value) -> Result<Constraint, LockError> {
        if value.is_table() {
            return Ok(Constraint::One(Detail::read(&value.table()?)?));
        }
        if value.is_array() {
            return value.tables(Detail::read).map(Constraint::Several);
        }
        value.string().map(Constraint::Version)
    }

    fn details(&self) -> Vec<Detail> {
        match self {
            Constraint::Version(version) => vec![Detail {
                version: Some(version.clone()),
                ..Detail::default()
            }],
            Constraint::One(detail) => vec![detail.clone()],
            Constraint::Several(details) => details.clone(),
        }
    }
}

#[derive(Clone, Default)]
struct Detail {
    version: Option<String>,
    markers: Option<String>,
    /// Older locks put a Python constraint here instead of in `markers`.
    python: Option<String>,
    optional: bool,
    extras: Vec<String>,
}

impl Detail {
    fn read(table: &Table) -> Result<Detail, LockError> {
        Ok(Detail {
            version: table.string("version")?,
            markers: table.string("markers")?,
            python: table.string("python")?,
            optional: table.bool("optional")?.unwrap_or(false),
            extras: table.strings("extras")?.unwrap_or_default(),
        })
    }
}

struct Source {
    kind: String,
    url: String,
}

impl Source {
    fn read(table: &Table) -> Result<Source, LockError> {
        Ok(Source {
            kind: table.require("type")?.string()?,
            url: table.require("url")?.string()?,
        })
    }
}

struct File {
    file: String,
    hash: String,
}

fn files(list: Value) -> Result<Vec<File>, LockError> {
    list.tables(|table| {
        Ok(File {
            file: table.require("file")?.string()?,
            hash: table.require("hash")?.string()?,
        })
    })
}

/// The packages Poetry installs for `env`, starting from `roots`, the project's own
/// requirements (main dependencies plus whichever groups the caller chose).
///
/// A root's marker is evaluated with `selection.extras`, so roots from the project's extras can
/// carry `extra == "…"` markers. A root missing from the lock means the lock is out of date.
pub fn read(
    text: &str,
    source: &str,
    env: &MarkerEnv,
    selection: &Selection,
    roots: &[Requirement],
) -> Result<Locked, LockError> {
    let doc = Document::read(&Doc::parse(source, text)?.root())?;
    check_lock_version(source, doc.metadata.lock_version.as_deref())?;
    let lock = Lock::new(source, text, &doc, image_python(source, env)?)?;
    let mut walk = Walk {
        lock: &lock,
        env,
        frontier: Frontier::default(),
    };
    for root in roots.iter().filter(|r| r.applies(env, &selection.extras)) {
        let index = lock.root(root, env)?;
        walk.push(index, None);
        for extra in &root.extras {
            walk.push(index, Some(extra.clone()));
        }
    }
    walk.run()?;
    lock.pins(walk.frontier.reached, &doc.metadata)
}

/// The name of the package the lock installs from the directory `dir` (relative to the lock,
/// as Poetry writes a path dependency's `url`), if it has one. A project whose directory is a
/// path dependency of the lock's project has all its dependencies locked there too.
pub fn directory_package(text: &str, source: &str, dir: &str) -> Result<Option<String>, LockError> {
    let doc = Document::read(&Doc::parse(source, text)?.root())?;
    check_lock_version(source, doc.metadata.lock_version.as_deref())?;
    let dir = clean(dir);
    Ok(doc
        .package
        .iter()
        .map(Spanned::get_ref)
        .find(|p| {
            p.source
                .as_ref()
                .is_some_and(|s| s.kind == "directory" && clean(&s.url) == dir)
        })
        .map(|p| p.name.clone()))
}

fn check_lock_version(file: &str, found: Option<&str>) -> Result<(), LockError> {
    let Some(found) = found else {
        return Ok(());
    };
    let major = found.split('.').next().and_then(|m| m.parse::<u64>().ok());
    match major {
        Some(major) if major <= MAJOR => Ok(()),
        Some(_) => Err(LockError::FormatVersion {
            file: file.to_owned(),
            key: "metadata.lock-version",
            found: found.to_owned(),
            supported: "1.x and 2.x",
        }),
        None => Err(LockError::Field {
            file: file.to_owned(),
            key: "metadata.lock-version".to_owned(),
            message: format!("{found:?} is not a version such as \"2.1\""),
        }),
    }
}

struct Lock<'a> {
    entries: Entries<'a, Package>,
    versions: Vec<Version>,
    by_name: BTreeMap<PackageName, Vec<usize>>,
    python: Version,
}

impl<'a> Lock<'a> {
    fn new(
        file: &'a str,
        text: &'a str,
        doc: &'a Document,
        python: Version,
    ) -> Result<Lock<'a>, LockError> {
        let mut lock = Lock {
            entries: Entries::new(file, text, &doc.package, |p| &p.name),
            versions: Vec::with_capacity(doc.package.len()),
            by_name: BTreeMap::new(),
            python,
        };
        for (index, entry) in doc.package.iter().enumerate() {
            let at = lock.entries.at_entry(entry);
            lock.by_name.entry(at.name()?).or_default().push(index);
            lock.versions
                .push(at.version(Some(&entry.get_ref().version))?);
        }
        Ok(lock)
    }

    /// The name of entry `index`, when valid.
    fn name(&self, index: usize) -> Option<PackageName> {
        self.entries
            .package(index)
            .and_then(|p| PackageName::new(&p.name).ok())
    }

    /// Whether a Poetry Python constraint (`>=3.8,<4.0`, `^3.9`, `*`) admits the image's Python.
    fn python_allows(&self, at: &PackageAt, constraint: &str) -> Result<bool, LockError> {
        let sets = constraint_to_specifiers(constraint).map_err(|e| {
            at.error(Problem::RequiresPythonSyntax {
                requires: constraint.to_owned(),
                message: e.to_string(),
            })
        })?;
        Ok(sets.iter().any(|set| set.contains(&self.python, true)))
    }

    /// Whether an entry's `python-versions` and `markers` (when written) fit the image.
    fn fits(&self, at: &PackageAt, package: &Package, env: &MarkerEnv) -> Result<bool, LockError> {
        if let Some(constraint) = &package.python_versions {
            if !self.python_allows(at, constraint)? {
                return Ok(false);
            }
        }
        let Some(markers) = &package.markers else {
            return Ok(true);
        };
        for text in markers.texts() {
            if at.marker(text)?.evaluate(env, &[]) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The entries of `name` whose version `admits` and that fit the image.
    fn candidates(
        &self,
        name: &PackageName,
        env: &MarkerEnv,
        admits: impl Fn(&Version) -> bool,
    ) -> Result<Vec<usize>, LockError> {
        let mut found = Vec::new();
        for &index in self.by_name.get(name).into_iter().flatten() {
            let (Some(at), Some(package), Some(version)) = (
                self.entries.at(index),
                self.entries.package(index),
                self.versions.get(index),
            ) else {
                continue;
            };
            if admits(version) && self.fits(&at, package, env)? {
                found.push(index);
            }
        }
        Ok(found)
    }

    fn root(&self, root: &Requirement, env: &MarkerEnv) -> Result<usize, LockError> {
        let out_of_date = |package: String| LockError::OutOfDate {
            file: self.entries.file.to_owned(),
            package,
        };
        let admits = |v: &Version| root.version.contains(v, true);
        let found = match self.by_name.get(&root.name).map(Vec::as_slice) {
            None | Some([]) => return Err(out_of_date(root.name.to_string())),
            // One entry needs no tie-break by Python range.
            Some(&[only]) => self
                .versions
                .get(only)
                .filter(|v| admits(v))
                .map(|_| vec![only])
                .unwrap_or_default(),
            Some(_) => self.candidates(&root.name, env, admits)?,
        };
        match found.as_slice() {
            [only] => Ok(*only),
            [] => Err(out_of_date(format!("{}{}", root.name, root.version))),
            several => Err(self.ambiguous(root.name.as_str(), several)),
        }
    }

    fn ambiguous(&self, name: &str, indices: &[usize]) -> LockError {
        let versions: Vec<String> = indices
            .iter()
            .filter_map(|&i| self.versions.get(i).map(Version::to_string))
            .collect();
        let at = indices
            .first()
            .and_then(|&i| self.entries.at(i))
            .unwrap_or(PackageAt {
                file: self.entries.file,
                package: name,
                line: None,
            });
        at.error(Problem::Ambiguous {
            versions: versions.join(", "),
        })
    }

    fn pins(
        &self,
        reached: BTreeMap<PackageName, Vec<usize>>,
        metadata: &Metadata,
    ) -> Result<Locked, LockError> {
        let mut packages = Vec::with_capacity(reached.len());
        for (name, indices) in reached {
            let [index] = indices.as_slice() else {
                return Err(self.ambiguous(name.as_str(), &indices));
            };
            let (Some(at), Some(package), Some(version)) = (
                self.entries.at(*index),
                self.entries.package(*index),
                self.versions.get(*index),
            ) else {
                continue;
            };
            packages.push(pin(&at, name, version.clone(), package, metadata)?);
        }
        Ok(Locked {
            source: self.entries.file.to_owned(),
            packages,
        })
    }
}

/// The part of the graph reached from the roots: each package entry with each extra of it.
struct Walk<'a, 'l> {
    lock: &'l Lock<'a>,
    env: &'l MarkerEnv,
    frontier: Frontier,
}

impl Walk<'_, '_> {
    fn push(&mut self, index: usize, extra: Option<ExtraName>) {
        self.frontier
            .push(index, self.lock.name(index).as_ref(), extra);
    }

    fn run(&mut self) -> Result<(), LockError> {
        while let Some((index, extra)) = self.frontier.queue.pop() {
            let (Some(at), Some(package)) = (
                self.lock.entries.at(index),
                self.lock.entries.package(index),
            ) else {
                continue;
            };
            match extra {
                None => self.follow_base(&at, package)?,
                Some(extra) => self.follow_extra(&at, package, &extra)?,
            }
        }
        Ok(())
    }

    /// The dependencies that are not optional.
    fn follow_base(&mut self, at: &PackageAt, package: &Package) -> Result<(), LockError> {
        for (name, constraint) in &package.dependencies {
            let details: Vec<Detail> = constraint
                .details()
                .into_iter()
                .filter(|d| !d.optional)
                .collect();
            self.follow(at, name, &details, &[])?;
        }
        Ok(())
    }

    /// The dependencies `[package.extras]` lists for `extra`, optional or not.
    fn follow_extra(
        &mut self,
        at: &PackageAt,
        package: &Package,
        extra: &ExtraName,
    ) -> Result<(), LockError> {
        let Some((_, listed)) = package
            .extras
            .iter()
            .find(|(key, _)| ExtraName::new(key).is_ok_and(|k| &k == extra))
        else {
            return Ok(());
        };
        let active = [extra.clone()];
        for entry in listed {
            let wanted = leading_name(entry);
            let Some((name, constraint)) = package
                .dependencies
                .iter()
                .find(|(key, _)| PackageName::new(key).ok() == wanted)
            else {
                // Poetry lists an extra's packages among the dependencies; one that is not
                // there has no constraint to follow, so the lock cannot be trusted.
                return Err(at.error(Problem::MissingDependency(entry.clone())));
            };
            self.follow(at, name, &constraint.details(), &active)?;
        }
        Ok(())
    }

    /// Follows each of `details` whose markers and Python constraint hold.
    fn follow(
        &mut self,
        at: &PackageAt,
        name: &str,
        details: &[Detail],
        extras: &[ExtraName],
    ) -> Result<(), LockError> {
        let dep = PackageName::new(name).map_err(|_| at.error(Problem::Name(name.to_owned())))?;
        for detail in details {
            if !self.holds(at, detail, extras)? {
                continue;
            }
            let target = self.resolve(at, &dep, detail)?;
            let name = self.lock.name(target);
            self.frontier
                .push_with_extras(at, target, name.as_ref(), &detail.extras)?;
        }
        Ok(())
    }

    fn holds(
        &self,
        at: &PackageAt,
        detail: &Detail,
        extras: &[ExtraName],
    ) -> Result<bool, LockError> {
        if let Some(markers) = &detail.markers {
            if !at.marker(markers)?.evaluate(self.env, extras) {
                return Ok(false);
            }
        }
        match &detail.python {
            Some(python) => self.lock.python_allows(at, python),
            None => Ok(true),
        }
    }

    /// The entry of `dep` this detail means; only a lock holding several versions of `dep`
    /// needs the version constraint and the entries' Python ranges to tell them apart.
    fn resolve(
        &self,
        at: &PackageAt,
        dep: &PackageName,
        detail: &Detail,
    ) -> Result<usize, LockError> {
        let all = self
            .lock
            .by_name
            .get(dep)
            .map(Vec::as_slice)
            .unwrap_or_default();
        match all {
            [] => return Err(at.error(Problem::MissingDependency(dep.to_string()))),
            [only] => return Ok(*only),
            _ => {}
        }
        let sets = match &detail.version {
            Some(constraint) => constraint_to_specifiers(constraint)
                .map_err(|e| at.error(Problem::Version(e.to_string())))?,
            None => Vec::new(),
        };
        let found = self.lock.candidates(dep, self.env, |v| {
            sets.is_empty() || sets.iter().any(|s| s.contains(v, true))
        })?;
        let versions = |indices: &[usize]| {
            indices
                .iter()
                .filter_map(|&i| self.lock.versions.get(i).map(Version::to_string))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Several fit: Poetry's installer re-solves, which keeps the entry another
        // requirement (usually a root) already chose.
        let chosen: Vec<usize> = match self.frontier.reached.get(dep) {
            Some(reached) if found.len() > 1 => found
                .iter()
                .copied()
                .filter(|i| reached.contains(i))
                .collect(),
            _ => found.clone(),
        };
        if let [only] = chosen.as_slice() {
            return Ok(*only);
        }
        match found.as_slice() {
            [only] => Ok(*only),
            [] => Err(at.error(Problem::NoFork {
                dependency: dep.to_string(),
                detail: format!(
                    "it asks for {}; the lock has {}",
                    detail.version.as_deref().unwrap_or("any version"),
                    versions(all)
                ),
            })),
            several => Err(at.error(Problem::ForkAmbiguous {
                dependency: dep.to_string(),
                versions: versions(several),
            })),
        }
    }
}

/// The project name an `[package.extras]` entry starts with: `uvloop (>=0.15) ; sys_platform
/// != "win32"` names uvloop.
fn leading_name(entry: &str) -> Option<PackageName> {
    let end = entry
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(entry.len());
    PackageName::new(entry.get(..end)?).ok()
}

fn pin(
    at: &PackageAt,
    name: PackageName,
    version: Version,
    package: &Package,
    metadata: &Metadata,
) -> Result<Pinned, LockError> {
    let index = match &package.source {
        None => None,
        Some(source) if source.kind == "legacy" => Some(source.url.clone()),
        Some(source) => {
            return Err(at.error(Problem::NeedsBuild {
                what: format!("a {} source ({})", source.kind, url::redacted(&source.url)),
            }))
        }
    };
    let files = own_files(package, &name, &version, metadata)
        .into_iter()
        .map(|file| {
            Ok(LockedFile {
                filename: file.file.clone(),
                url: None,
                hashes: vec![at.prefixed_hash(&file.hash)?],
                size: None,
            })
        })
        .collect::<Result<Vec<_>, LockError>>()?;
    Ok(Pinned {
        name,
        version,
        files,
        index,
        hashes: Vec::new(),
    })
}

/// The package's files: its own `files`, or in a 1.x lock its `[metadata.files]` entry, which
/// covers every version of the name, so only this version's files are kept.
fn own_files<'m>(
    package: &'m Package,
    name: &PackageName,
    version: &Version,
    metadata: &'m Metadata,
) -> Vec<&'m File> {
    if !package.files.is_empty() {
        return package.files.iter().collect();
    }
    let shared = metadata
        .files
        .iter()
        .find(|(key, _)| PackageName::new(key).is_ok_and(|k| &k == name))
        .map(|(_, files)| files.as_slice())
        .unwrap_or_default();
    let written = package.version.as_str();
    let printed = version.to_string();
    shared
        .iter()
        .filter(|f| {
            [written, printed.as_str()]
                .iter()
                .any(|v| names_version(&f.file, v))
        })
        .collect()
}

/// Whether a wheel or sdist file name carries `version` right after the project name.
fn names_version(filename: &str, version: &str) -> bool {
    const SDIST_ENDINGS: [&str; 5] = [".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar"];
    filename.match_indices('-').any(|(dash, _)| {
        filename
            .get(dash + 1..)
            .and_then(|rest| rest.strip_prefix(version))
            .is_some_and(|after| after.starts_with('-') || SDIST_ENDINGS.contains(&after))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FastAPI service on Poetry 2: `uvicorn[standard]`, pandas, numpy locked twice (one per
    /// Python range), and a package from a private index.
    const SERVICE: &str = include_str!("../../../../tests/fixtures/locks/poetry.lock");

    fn env(python: &str) -> MarkerEnv {
        MarkerEnv::linux_cpython(&python.parse().unwrap(), "x86_64")
    }

    fn roots(list: &[&str]) -> Vec<Requirement> {
        list.iter()
            .map(|r| Requirement::parse(r).unwrap())
            .collect()
    }

    /// What pyproject.toml's `[tool.poetry.dependencies]` turns into.
    fn service_roots() -> Vec<Requirement> {
        roots(&[
            "fastapi>=0.115,<0.116",
            "uvicorn[standard]>=0.30",
            "numpy==1.24.4 ; python_version < \"3.9\"",
            "numpy>=1.26 ; python_version >= \"3.9\"",
            "pandas>=2.2,<3.0",
            "internal-auth>=1.4",
        ])
    }

    fn pins(env: &MarkerEnv, roots: &[Requirement]) -> Vec<String> {
        read(SERVICE, "poetry.lock", env, &Selection::default(), roots)
            .unwrap_or_else(|e| panic!("{e}"))
            .packages
            .iter()
            .map(|p| format!("{}=={}", p.name, p.version))
            .collect()
    }

    #[test]
    fn linux_cpython_311_follows_markers_and_extras() {
        assert_eq!(
            pins(&env("3.11.9"), &service_roots()),
            [
                "annotated-types==0.7.0",
                "anyio==4.4.0",
                "click==8.1.7",
                "fastapi==0.115.0",
                "h11==0.14.0",
                "httptools==0.6.1",
                "idna==3.7",
                "internal-auth==1.4.0",
                "numpy==1.26.4",
                "pandas==2.2.2",
                "pydantic==2.8.2",
                "pydantic-core==2.20.1",
                "python-dateutil==2.9.0.post0",
                "python-dotenv==1.0.1",
                "pytz==2024.1",
                "pyyaml==6.0.1",
                "six==1.16.0",
                "sniffio==1.3.1",
                "starlette==0.38.2",
                "typing-extensions==4.12.2",
                "tzdata==2024.1",
                "uvicorn==0.30.6",
                "uvloop==0.20.0",
                "watchfiles==0.23.0",
                "websockets==13.0",
            ]
        );
    }

    #[test]
    fn windows_swaps_uvloop_for_colorama_and_old_pythons_get_backports() {
        let mut windows = env("3.11.9");
        windows.sys_platform = "win32".to_owned();
        windows.platform_system = "Windows".to_owned();
        let got = pins(&windows, &service_roots());
        assert!(got.contains(&"colorama==0.4.6".to_owned()));
        assert!(!got.iter().any(|p| p.starts_with("uvloop")));

        let got = pins(&env("3.10.14"), &service_roots());
        assert!(got.contains(&"exceptiongroup==1.2.2".to_owned()));
        assert!(got.contains(&"numpy==1.26.4".to_owned()));
    }

    #[test]
    fn without_the_extra_its_packages_stay_out() {
        let got = pins(&env("3.11.9"), &roots(&["uvicorn>=0.30"]));
        assert_eq!(got, ["click==8.1.7", "h11==0.14.0", "uvicorn==0.30.6"]);
    }

    #[test]
    fn roots_from_extras_and_groups_follow_the_selection() {
        let roots = roots(&["fastapi>=0.115", "pandas>=2 ; extra == \"data\""]);
        let without = pins(&env("3.11.9"), &roots);
        assert!(!without.iter().any(|p| p.starts_with("pandas")));
        let selection = Selection {
            extras: vec![ExtraName::new("data").unwrap()],
            groups: vec![],
        };
        let with = read(SERVICE, "poetry.lock", &env("3.11.9"), &selection, &roots).unwrap();
        assert!(with.packages.iter().any(|p| p.name.as_str() == "pandas"));
    }

    #[test]
    fn files_have_names_and_hashes_but_no_urls() {
        let locked = read(
            SERVICE,
            "poetry.lock",
            &env("3.11.9"),
            &Selection::default(),
            &service_roots(),
        )
        .unwrap();
        let find = |name: &str| {
            locked
                .packages
                .iter()
                .find(|p| p.name.as_str() == name)
                .unwrap()
        };
        let numpy = find("numpy");
        assert_eq!(numpy.files.len(), 3);
        assert_eq!(
            numpy.files[1].filename,
            "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        );
        assert_eq!(numpy.files[1].url, None);
        assert_eq!(
            numpy.files[1].hashes[0].to_string(),
            "sha256:9ff0f4f29c51e2803569d7a51c2304de5554655a60c5d776e35b4a41413830d0"
        );
        assert_eq!(numpy.index, None);
        assert_eq!(
            find("internal-auth").index.as_deref(),
            Some("https://pypi.example.com/simple")
        );
    }

    #[test]
    fn a_root_the_lock_lacks_means_it_is_out_of_date() {
        let err = read(
            SERVICE,
            "poetry.lock",
            &env("3.11.9"),
            &Selection::default(),
            &roots(&["httpx>=0.27"]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "poetry.lock is out of date: httpx is not in it"
        );
        let err = read(
            SERVICE,
            "poetry.lock",
            &env("3.11.9"),
            &Selection::default(),
            &roots(&["fastapi>=0.116"]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "poetry.lock is out of date: fastapi>=0.116 is not in it"
        );
        // A root whose marker excludes the image is not looked for at all.
        assert!(read(
            SERVICE,
            "poetry.lock",
            &env("3.11.9"),
            &Selection::default(),
            &roots(&["pywin32>=306 ; sys_platform == \"win32\""])
        )
        .is_ok());
    }

    #[test]
    fn git_and_directory_sources_are_refused_by_name() {
        let text = r#"
[[package]]
name = "shared-models"
version = "0.3.0"
description = ""
optional = false
python-versions = "^3.11"
files = []
develop = false

[package.source]
type = "git"
url = "https://github.com/acme/shared-models.git"
reference = "v0.3.0"
resolved_reference = "4f1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e"

[metadata]
lock-version = "2.1"
python-versions = "^3.11"
content-hash = "00"
"#;
        let err = read(
            text,
            "poetry.lock",
            &env("3.11.9"),
            &Selection::default(),
            &roots(&["shared-models"]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "poetry.lock: package \"shared-models\" (line 2): comes from a git source (https://github.com/acme/shared-models.git), which would need a build; only packages from an index can go in the image as wheels"
        );
    }

    #[test]
    fn a_path_dependency_is_found_by_its_directory() {
        let text = r#"
[[package]]
name = "app"
version = "0.1.0"
description = ""
optional = false
python-versions = "^3.11"
files = []
develop = true

[package.dependencies]
six = "^1.16"

[package.source]
type = "directory"
url = "app"

[metadata]
lock-version = "2.1"
python-versions = "^3.11"
content-hash = "00"
"#;
        let found = |dir| directory_package(text, "../poetry.lock", dir);
        assert_eq!(found("app"), Ok(Some("app".to_owned())));
        assert_eq!(found("./app/"), Ok(Some("app".to_owned())));
        assert_eq!(found("lib"), Ok(None));
        let newer = text.replace("lock-version = \"2.1\"", "lock-version = \"3.0\"");
        assert!(directory_package(&newer, "../poetry.lock", "app").is_err());
    }

    /// Poetry 1.x kept files in `[metadata.files]`, one list per name for every version.
    #[test]
    fn lock_version_1_files_come_from_metadata() {
        let text = r#"
[[package]]
name = "typing-extensions"
version = "4.5.0"
description = "Backported and Experimental Type Hints for Python 3.7+"
category = "main"
optional = false
python-versions = ">=3.7"

[metadata]
lock-version = "1.1"
python-versions = "^3.9"
content-hash = "ab"

[metadata.files]
typing-extensions = [
    {file = "typing_extensions-4.5.0-py3-none-any.whl", hash = "sha256:fb33085c39dd998ac16d1431ebc293a8b3eedd00fd4a32de0ff79002c19511b4"},
    {file = "typing_extensions-4.5.0.tar.gz", hash = "sha256:5cb5f4a79139d699607b3ef622a1dedafa84e115ab0024e0d9c044a9479ca7cb"},
    {file = "typing_extensions-4.5.01.tar.gz", hash = "sha256:00"},
]
"#;
        let locked = read(
            text,
            "poetry.lock",
            &env("3.11.9"),
            &Selection::default(),
            &roots(&["typing-extensions"]),
        )
        .unwrap();
        let files: Vec<&str> = locked.packages[0]
            .files
            .iter()
            .map(|f| f.filename.as_str())
            .collect();
        assert_eq!(
            files,
            [
                "typing_extensions-4.5.0-py3-none-any.whl",
                "typing_extensions-4.5.0.tar.gz"
            ]
        );
        let newer = text.replace("lock-version = \"1.1\"", "lock-version = \"3.0\"");
        assert_eq!(
            read(&newer, "poetry.lock", &env("3.11.9"), &Selection::default(), &[]).unwrap_err().to_string(),
            "poetry.lock: metadata.lock-version = \"3.0\" is a newer format than pycontainer reads (1.x and 2.x)"
        );
    }

    #[test]
    fn a_dependency_missing_from_the_lock_is_named() {
        let text = r#"
[[package]]
name = "requests"
version = "2.32.3"
python-versions = ">=3.8"
files = [{file = "requests-2.32.3-py3-none-any.whl", hash = "sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6"}]

[package.dependencies]
certifi = ">=2017.4.17"
"#;
        let err = read(
            text,
            "poetry.lock",
            &env("3.11.9"),
            &Selection::default(),
            &roots(&["requests"]),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "poetry.lock: package \"requests\" (line 2): depends on \"certifi\", which is not in the lock");
    }

    #[test]
    fn several_locked_versions_are_told_apart_by_what_the_roots_chose() {
        let numpy = |version: &str| {
            format!("[[package]]\nname = \"numpy\"\nversion = \"{version}\"\npython-versions = \">=3.9\"\nfiles = []\n\n")
        };
        let text = format!(
            "{}{}[[package]]\nname = \"pandas\"\nversion = \"2.2.2\"\npython-versions = \">=3.9\"\nfiles = []\n\n[package.dependencies]\nnumpy = \">=1.23.2\"\n",
            numpy("1.24.4"),
            numpy("1.26.4")
        );
        let locked = read(
            &text,
            "poetry.lock",
            &env("3.11.9"),
            &Selection::default(),
            &roots(&["numpy>=1.26", "pandas"]),
        )
        .unwrap();
        assert_eq!(locked.packages[0].version.to_string(), "1.26.4");
        assert!(locked.packages.iter().all(|p| p.files.is_empty()));
        let err = read(
            &text,
            "poetry.lock",
            &env("3.11.9"),
            &Selection::default(),
            &roots(&["pandas"]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "poetry.lock: package \"pandas\" (line 13): several locked versions of its dependency \"numpy\" are for this environment (1.24.4, 1.26.4); the lock must narrow it to one"
        );
        let err = read(
            &text,
            "poetry.lock",
            &env("3.11.9"),
            &Selection::default(),
            &roots(&["numpy"]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "poetry.lock: package \"numpy\" (line 1): is locked more than once for this environment (1.24.4, 1.26.4); the lock must narrow it to one"
        );
    }

    #[test]
    fn extra_entries_name_their_project() {
        assert_eq!(
            leading_name("uvloop (>=0.14.0,!=0.15.0) ; sys_platform != \"win32\""),
            PackageName::new("uvloop").ok()
        );
        assert_eq!(
            leading_name("fastapi-cli[standard] (>=0.0.5)"),
            PackageName::new("fastapi-cli").ok()
        );
        assert_eq!(leading_name("Sphinx"), PackageName::new("sphinx").ok());
        assert_eq!(leading_name("(bad"), None);
    }
}
