//! uv's `uv.lock`: the workspace's whole dependency graph, walked from the project for one
//! target environment.
//!
//! uv locks every platform and Python at once. Installing means starting at the project's
//! own package, following the dependencies whose markers hold for the target (with the
//! selected extras and groups), and, where uv forked a package into several versions by
//! marker, taking the entry meant for the target.

use std::collections::BTreeMap;

use toml::Spanned;

use super::tree::{Doc, Table, Value};
use super::{
    check_requires_python, image_python, Entries, Frontier, LockError, Locked, LockedFile,
    PackageAt, Pinned, Problem, Selection,
};
use crate::workspace::clean;
use pycontainer_python::name::{ExtraName, PackageName};
use pycontainer_python::pep508::MarkerEnv;
use pycontainer_python::url;

/// The newest `version` of the format this module reads. uv bumps `revision` for additive
/// changes, which are safe to ignore.
const VERSION: u64 = 1;

struct Document {
    version: u64,
    requires_python: Option<String>,
    manifest: Option<Manifest>,
    package: Vec<Spanned<Package>>,
}

impl Document {
    fn read(doc: &Table) -> Result<Document, LockError> {
        Ok(Document {
            version: doc.require("version")?.u64()?,
            requires_python: doc.string("requires-python")?,
            manifest: doc
                .table("manifest")?
                .map(|m| Manifest::read(&m))
                .transpose()?,
            package: doc.spanned_tables("package", Package::read)?,
        })
    }
}

struct Manifest {
    members: Vec<String>,
}

impl Manifest {
    fn read(table: &Table) -> Result<Manifest, LockError> {
        Ok(Manifest {
            members: table.strings("members")?.unwrap_or_default(),
        })
    }
}

struct Package {
    name: String,
    version: Option<String>,
    source: Source,
    resolution_markers: Vec<String>,
    dependencies: Vec<Dependency>,
    optional_dependencies: BTreeMap<String, Vec<Dependency>>,
    dev_dependencies: BTreeMap<String, Vec<Dependency>>,
    sdist: Option<File>,
    wheels: Vec<File>,
}

impl Package {
    fn read(table: &Table) -> Result<Package, LockError> {
        Ok(Package {
            name: table.require("name")?.string()?,
            version: table.string("version")?,
            source: Source::read(&table.require("source")?.table()?)?,
            resolution_markers: table.strings("resolution-markers")?.unwrap_or_default(),
            dependencies: table
                .get("dependencies")
                .map(dependencies)
                .transpose()?
                .unwrap_or_default(),
            optional_dependencies: dependency_lists(table, "optional-dependencies")?,
            dev_dependencies: dependency_lists(table, "dev-dependencies")?,
            sdist: table.table("sdist")?.map(|f| File::read(&f)).transpose()?,
            wheels: table.tables("wheels", File::read)?,
        })
    }
}

fn dependencies(list: Value) -> Result<Vec<Dependency>, LockError> {
    list.tables(Dependency::read)
}

/// `optional-dependencies` or `dev-dependencies`: lists of dependencies by extra or group.
fn dependency_lists(
    table: &Table,
    key: &str,
) -> Result<BTreeMap<String, Vec<Dependency>>, LockError> {
    match table.table(key)? {
        Some(lists) => lists.map(dependencies),
        None => Ok(BTreeMap::new()),
    }
}

#[derive(PartialEq)]
struct Source {
    registry: Option<String>,
    editable: Option<String>,
    r#virtual: Option<String>,
    directory: Option<String>,
    git: Option<String>,
    url: Option<String>,
    path: Option<String>,
}

impl Source {
    fn read(table: &Table) -> Result<Source, LockError> {
        Ok(Source {
            registry: table.string("registry")?,
            editable: table.string("editable")?,
            r#virtual: table.string("virtual")?,
            directory: table.string("directory")?,
            git: table.string("git")?,
            url: table.string("url")?,
            path: table.string("path")?,
        })
    }

    /// The path of a package built from the workspace itself.
    fn local(&self) -> Option<&str> {
        self.editable
            .as_deref()
            .or(self.r#virtual.as_deref())
            .or(self.directory.as_deref())
    }

    /// What to tell the user about a source that is not an index.
    fn describe(&self) -> String {
        if let Some(path) = self.local() {
            format!("the local directory {path}")
        } else if let Some(git) = &self.git {
            format!("the git repository {}", url::redacted(git))
        } else if let Some(url) = &self.url {
            format!("the URL {}", url::redacted(url))
        } else if let Some(path) = &self.path {
            format!("the local file {path}")
        } else {
            "an unknown source".to_owned()
        }
    }
}

struct Dependency {
    name: String,
    extra: Vec<String>,
    marker: Option<String>,
    /// Given only when the lock holds several entries of the name (a fork).
    version: Option<String>,
    source: Option<Source>,
}

impl Dependency {
    fn read(table: &Table) -> Result<Dependency, LockError> {
        Ok(Dependency {
            name: table.require("name")?.string()?,
            extra: table.strings("extra")?.unwrap_or_default(),
            marker: table.string("marker")?,
            version: table.string("version")?,
            source: table
                .table("source")?
                .map(|s| Source::read(&s))
                .transpose()?,
        })
    }
}

struct File {
    url: Option<String>,
    path: Option<String>,
    filename: Option<String>,
    hash: Option<String>,
    size: Option<u64>,
}

impl File {
    fn read(table: &Table) -> Result<File, LockError> {
        Ok(File {
            url: table.string("url")?,
            path: table.string("path")?,
            filename: table.string("filename")?,
            hash: table.string("hash")?,
            size: table.u64("size")?,
        })
    }
}

/// The packages `uv sync` would install for `env`, without the project itself.
///
/// The project is the package whose source is `.` (`editable`, `virtual` or `directory`); in a
/// workspace whose root is not a package, it is every `[manifest] members` entry. With
/// `member` (a workspace member's directory relative to the lock, for `uv sync --package`),
/// it is that member's package alone, so other members' dependencies stay out. Selected
/// extras are the project's `optional-dependencies`, selected groups its `dev-dependencies`.
pub fn read(
    text: &str,
    source: &str,
    env: &MarkerEnv,
    selection: &Selection,
    member: Option<&str>,
) -> Result<Locked, LockError> {
    let doc = Document::read(&Doc::parse(source, text)?.root())?;
    if doc.version > VERSION {
        return Err(LockError::FormatVersion {
            file: source.to_owned(),
            key: "version",
            found: doc.version.to_string(),
            supported: "1",
        });
    }
    if let Some(requires) = &doc.requires_python {
        check_requires_python(source, requires, &image_python(source, env)?)?;
    }
    let graph = Graph::new(source, text, &doc)?;
    let roots = graph.roots(&doc, member)?;
    let walk = graph.walk(&roots, env, selection)?;
    graph.pins(&roots, walk)
}

/// The lock's top-level `requires-python`, which the project's Python must satisfy too.
pub fn requires_python(text: &str, source: &str) -> Result<Option<String>, LockError> {
    Ok(Document::read(&Doc::parse(source, text)?.root())?.requires_python)
}

/// The lock's packages, indexed by name, with what is needed to report on them.
/// Checks that the project defines every extra and group `selection` names;
/// no target is needed, so this comes before the base is read.
/// `member` is as for [`read`].
pub fn check_selection(
    text: &str,
    source: &str,
    selection: &Selection,
    member: Option<&str>,
) -> Result<(), LockError> {
    let doc = Document::read(&Doc::parse(source, text)?.root())?;
    let graph = Graph::new(source, text, &doc)?;
    let roots = graph.roots(&doc, member)?;
    for extra in &selection.extras {
        graph.defining(&roots, extra, "extra", |p| &p.optional_dependencies)?;
    }
    for group in &selection.groups {
        graph.defining(&roots, group, "dependency group", |p| &p.dev_dependencies)?;
    }
    Ok(())
}

struct Graph<'a> {
    entries: Entries<'a, Package>,
    names: Vec<PackageName>,
    by_name: BTreeMap<PackageName, Vec<usize>>,
}

impl<'a> Graph<'a> {
    fn new(file: &'a str, text: &'a str, doc: &'a Document) -> Result<Graph<'a>, LockError> {
        let mut graph = Graph {
            entries: Entries::new(file, text, &doc.package, |p| &p.name),
            names: Vec::with_capacity(doc.package.len()),
            by_name: BTreeMap::new(),
        };
        for entry in &doc.package {
            let name = graph.entries.at_entry(entry).name()?;
            graph.names.push(name);
        }
        for (index, name) in graph.names.iter().enumerate() {
            graph.by_name.entry(name.clone()).or_default().push(index);
        }
        Ok(graph)
    }

    fn roots(&self, doc: &Document, member: Option<&str>) -> Result<Vec<usize>, LockError> {
        if let Some(member) = member {
            let member = clean(member);
            let found: Vec<usize> = (0..self.entries.list.len())
                .filter(|&i| {
                    self.entries
                        .package(i)
                        .and_then(|p| p.source.local())
                        .is_some_and(|path| clean(path) == member)
                })
                .collect();
            if found.is_empty() {
                return Err(LockError::NoMember {
                    file: self.entries.file.to_owned(),
                    member,
                });
            }
            return Ok(found);
        }
        let local = |index: &usize| {
            self.entries
                .package(*index)
                .and_then(|p| p.source.local())
                .is_some()
        };
        let at_dot: Vec<usize> = (0..self.entries.list.len())
            .filter(|&i| self.entries.package(i).and_then(|p| p.source.local()) == Some("."))
            .collect();
        if !at_dot.is_empty() {
            return Ok(at_dot);
        }
        let members: Vec<usize> = doc
            .manifest
            .iter()
            .flat_map(|m| &m.members)
            .filter_map(|member| PackageName::new(member).ok())
            .filter_map(|name| self.by_name.get(&name))
            .flatten()
            .copied()
            .filter(local)
            .collect();
        if members.is_empty() {
            return Err(LockError::NoProject {
                file: self.entries.file.to_owned(),
            });
        }
        Ok(members)
    }

    fn walk(
        &self,
        roots: &[usize],
        env: &'a MarkerEnv,
        selection: &Selection,
    ) -> Result<Walk<'a, '_>, LockError> {
        let mut walk = Walk {
            graph: self,
            env,
            active: self.conflict_extras(roots, selection),
            frontier: Frontier::default(),
        };
        for &root in roots {
            walk.push(root, None);
        }
        for extra in &selection.extras {
            for root in self.defining(roots, extra, "extra", |p| &p.optional_dependencies)? {
                walk.push(root, Some(extra.clone()));
            }
        }
        for group in &selection.groups {
            for root in self.defining(roots, group, "dependency group", |p| &p.dev_dependencies)? {
                let deps = self
                    .entries
                    .package(root)
                    .and_then(|p| find(&p.dev_dependencies, group))
                    .unwrap_or_default();
                walk.follow(root, deps)?;
            }
        }
        walk.run()?;
        Ok(walk)
    }

    /// The roots that define `name` in the table `table` picks; an error when none does.
    fn defining(
        &self,
        roots: &[usize],
        name: &ExtraName,
        what: &'static str,
        table: impl Fn(&Package) -> &BTreeMap<String, Vec<Dependency>>,
    ) -> Result<Vec<usize>, LockError> {
        let found: Vec<usize> = roots
            .iter()
            .copied()
            .filter(|&r| {
                self.entries
                    .package(r)
                    .is_some_and(|p| find(table(p), name).is_some())
            })
            .collect();
        if found.is_empty() {
            let mut available: Vec<String> = roots
                .iter()
                .filter_map(|&r| self.entries.package(r))
                .flat_map(|p| table(p).keys().cloned())
                .collect();
            pycontainer_sort::sort(&mut available);
            available.dedup();
            return Err(LockError::NotDefined {
                file: self.entries.file.to_owned(),
                what,
                name: name.to_string(),
                available,
            });
        }
        Ok(found)
    }

    /// uv writes markers that tell conflicting extras and groups apart with synthetic extra
    /// names, `extra-<len>-<package>-<extra>` and `group-<len>-<package>-<group>`; these are
    /// the ones the selection turns on.
    fn conflict_extras(&self, roots: &[usize], selection: &Selection) -> Vec<ExtraName> {
        let mut active = Vec::new();
        for name in roots.iter().filter_map(|&r| self.names.get(r)) {
            let tagged = |kind: &str, item: &ExtraName| {
                ExtraName::new(&format!("{kind}-{}-{name}-{item}", name.as_str().len())).ok()
            };
            active.extend(selection.extras.iter().filter_map(|e| tagged("extra", e)));
            active.extend(selection.groups.iter().filter_map(|g| tagged("group", g)));
        }
        active
    }

    fn pins(&self, roots: &[usize], walk: Walk) -> Result<Locked, LockError> {
        let mut packages = Vec::new();
        for (name, indices) in walk.frontier.reached {
            let Some((&index, rest)) = indices.split_first() else {
                continue;
            };
            let (Some(at), Some(package)) = (self.entries.at(index), self.entries.package(index))
            else {
                continue;
            };
            if !rest.is_empty() {
                let versions: Vec<&str> = indices
                    .iter()
                    .filter_map(|&i| self.entries.package(i)?.version.as_deref())
                    .collect();
                return Err(at.error(Problem::Ambiguous {
                    versions: versions.join(", "),
                }));
            }
            if roots.contains(&index) {
                continue;
            }
            packages.push(pin(&at, name, package)?);
        }
        Ok(Locked {
            source: self.entries.file.to_owned(),
            packages,
        })
    }
}

/// The dependency list named `name`, compared as normalised names.
fn find<'p>(
    table: &'p BTreeMap<String, Vec<Dependency>>,
    name: &ExtraName,
) -> Option<&'p [Dependency]> {
    table
        .iter()
        .find(|(key, _)| ExtraName::new(key).is_ok_and(|k| &k == name))
        .map(|(_, deps)| deps.as_slice())
}

/// The breadth of the graph reached from the roots: each package entry with each extra of it.
struct Walk<'a, 'g> {
    graph: &'g Graph<'a>,
    env: &'a MarkerEnv,
    /// The synthetic conflict extras markers are evaluated with.
    active: Vec<ExtraName>,
    frontier: Frontier,
}

impl Walk<'_, '_> {
    fn push(&mut self, index: usize, extra: Option<ExtraName>) {
        self.frontier
            .push(index, self.graph.names.get(index), extra);
    }

    fn run(&mut self) -> Result<(), LockError> {
        while let Some((index, extra)) = self.frontier.queue.pop() {
            let Some(package) = self.graph.entries.package(index) else {
                continue;
            };
            let deps = match &extra {
                None => package.dependencies.as_slice(),
                // An extra that lists nothing has no table entry: nothing to follow.
                Some(extra) => find(&package.optional_dependencies, extra).unwrap_or_default(),
            };
            self.follow(index, deps)?;
        }
        Ok(())
    }

    fn follow(&mut self, from: usize, deps: &[Dependency]) -> Result<(), LockError> {
        let Some(at) = self.graph.entries.at(from) else {
            return Ok(());
        };
        for dep in deps {
            if let Some(marker) = &dep.marker {
                if !at.marker(marker)?.evaluate(self.env, &self.active) {
                    continue;
                }
            }
            let target = self.resolve(&at, dep)?;
            self.frontier.push_with_extras(
                &at,
                target,
                self.graph.names.get(target),
                &dep.extra,
            )?;
        }
        Ok(())
    }

    /// The one entry `dep` means for this environment.
    fn resolve(&self, at: &PackageAt, dep: &Dependency) -> Result<usize, LockError> {
        let missing = || at.error(Problem::MissingDependency(dep.name.clone()));
        let name = PackageName::new(&dep.name).map_err(|_| missing())?;
        let entries = self.graph.by_name.get(&name).ok_or_else(missing)?;
        let candidates: Vec<usize> = entries
            .iter()
            .copied()
            .filter(|&i| {
                self.graph.entries.package(i).is_some_and(|p| {
                    dep.version
                        .as_ref()
                        .is_none_or(|v| p.version.as_ref() == Some(v))
                        && dep.source.as_ref().is_none_or(|s| &p.source == s)
                })
            })
            .collect();
        if let [only] = candidates.as_slice() {
            return Ok(*only);
        }
        if candidates.is_empty() {
            return Err(missing());
        }
        self.fork(at, &dep.name, &candidates)
    }

    /// Of several entries of one name, the one whose `resolution-markers` hold here.
    fn fork(&self, at: &PackageAt, dep: &str, candidates: &[usize]) -> Result<usize, LockError> {
        let mut matching = Vec::new();
        for &index in candidates {
            let (Some(entry), Some(package)) = (
                self.graph.entries.at(index),
                self.graph.entries.package(index),
            ) else {
                continue;
            };
            let mut holds = package.resolution_markers.is_empty();
            for text in &package.resolution_markers {
                holds |= entry.marker(text)?.evaluate(self.env, &self.active);
            }
            if holds {
                matching.push(index);
            }
        }
        let dependency = dep.to_owned();
        match matching.as_slice() {
            [only] => Ok(*only),
            [] => {
                let markers: Vec<&str> = candidates
                    .iter()
                    .filter_map(|&i| self.graph.entries.package(i))
                    .flat_map(|p| p.resolution_markers.iter().map(String::as_str))
                    .collect();
                Err(at.error(Problem::NoFork {
                    dependency,
                    detail: format!("resolution-markers: {}", markers.join(" | ")),
                }))
            }
            several => {
                let versions: Vec<&str> = several
                    .iter()
                    .filter_map(|&i| self.graph.entries.package(i)?.version.as_deref())
                    .collect();
                Err(at.error(Problem::ForkAmbiguous {
                    dependency,
                    versions: versions.join(", "),
                }))
            }
        }
    }
}

fn pin(at: &PackageAt, name: PackageName, package: &Package) -> Result<Pinned, LockError> {
    let Some(index) = &package.source.registry else {
        return Err(at.error(Problem::NeedsBuild {
            what: package.source.describe(),
        }));
    };
    let version = at.version(package.version.as_deref())?;
    let files = at.files(
        package
            .sdist
            .iter()
            .chain(&package.wheels)
            .map(|file| locked_file(at, file)),
    )?;
    Ok(Pinned {
        name,
        version,
        files,
        index: Some(index.clone()),
        hashes: Vec::new(),
    })
}

/// A file of a registry package. uv leaves `hash` out when the index gave none, so the
/// hashes may be empty; that is for the installer to judge.
fn locked_file(at: &PackageAt, file: &File) -> Result<LockedFile, LockError> {
    let (filename, url) = at.file_place(
        file.filename.as_deref(),
        file.url.as_deref(),
        file.path.as_deref(),
    )?;
    let hashes = file
        .hash
        .iter()
        .map(|h| at.prefixed_hash(h))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LockedFile {
        filename,
        url: Some(url),
        hashes,
        size: file.size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FastAPI app with `uvicorn[standard]`, a `redis` extra, a `dev` group, and numpy forked
    /// by Python version, as `uv lock` writes it (wheel lists trimmed).
    const APP: &str = include_str!("../../../../tests/fixtures/locks/uv.lock");

    fn env(python: &str) -> MarkerEnv {
        MarkerEnv::linux_cpython(&python.parse().unwrap(), "x86_64")
    }

    fn windows(python: &str) -> MarkerEnv {
        let mut env = env(python);
        env.os_name = "nt".to_owned();
        env.sys_platform = "win32".to_owned();
        env.platform_system = "Windows".to_owned();
        env.platform_machine = "AMD64".to_owned();
        env
    }

    fn names(list: &[&str]) -> Vec<ExtraName> {
        list.iter().map(|n| ExtraName::new(n).unwrap()).collect()
    }

    fn pins(text: &str, env: &MarkerEnv, selection: &Selection) -> Vec<String> {
        read(text, "uv.lock", env, selection, None)
            .unwrap_or_else(|e| panic!("{e}"))
            .packages
            .iter()
            .map(|p| format!("{}=={}", p.name, p.version))
            .collect()
    }

    const LINUX_311: &[&str] = &[
        "annotated-doc==0.0.4",
        "annotated-types==0.7.0",
        "anyio==4.13.0",
        "click==8.1.7",
        "fastapi==0.136.1",
        "h11==0.16.0",
        "httptools==0.7.1",
        "idna==3.11",
        "numpy==1.26.4",
        "pydantic==2.13.3",
        "pydantic-core==2.46.3",
        "python-dotenv==1.2.1",
        "pyyaml==6.0.3",
        "starlette==1.0.0",
        "typing-extensions==4.15.0",
        "typing-inspection==0.4.2",
        "uvicorn==0.46.0",
        "uvloop==0.22.1",
        "watchfiles==1.1.1",
        "websockets==16.0",
    ];

    #[test]
    fn linux_cpython_311_gets_uvloop_and_not_colorama() {
        assert_eq!(pins(APP, &env("3.11.9"), &Selection::default()), LINUX_311);
    }

    #[test]
    fn windows_gets_colorama_and_not_uvloop() {
        let got = pins(APP, &windows("3.11.9"), &Selection::default());
        assert!(got.contains(&"colorama==0.4.6".to_owned()));
        assert!(!got.iter().any(|p| p.starts_with("uvloop")));
    }

    #[test]
    fn the_fork_for_the_targets_python_is_taken() {
        let got = pins(APP, &env("3.12.7"), &Selection::default());
        assert!(got.contains(&"numpy==2.3.4".to_owned()));
        assert!(!got.contains(&"numpy==1.26.4".to_owned()));
        // Older Pythons pull in the backports the markers ask for.
        let got = pins(APP, &env("3.10.14"), &Selection::default());
        assert!(got.contains(&"exceptiongroup==1.2.2".to_owned()));
        assert!(got.contains(&"numpy==1.26.4".to_owned()));
    }

    #[test]
    fn extras_and_groups_add_their_packages() {
        let selection = Selection {
            extras: names(&["redis"]),
            groups: vec![],
        };
        let got = pins(APP, &env("3.11.9"), &selection);
        assert!(got.contains(&"redis==5.2.1".to_owned()));
        // redis needs async-timeout only below 3.11.3.
        assert!(!got.iter().any(|p| p.starts_with("async-timeout")));
        assert!(pins(APP, &env("3.11.2"), &selection).contains(&"async-timeout==5.0.1".to_owned()));

        let dev = Selection {
            extras: vec![],
            groups: names(&["dev"]),
        };
        let got = pins(APP, &env("3.11.9"), &dev);
        for name in [
            "pytest==8.4.2",
            "iniconfig==2.1.0",
            "packaging==25.0",
            "pluggy==1.6.0",
        ] {
            assert!(got.contains(&name.to_owned()), "{name}");
        }
        assert!(!got
            .iter()
            .any(|p| p.starts_with("tomli") || p.starts_with("redis")));
    }

    #[test]
    fn unknown_extras_and_groups_are_errors() {
        let selection = Selection {
            extras: names(&["postgres"]),
            groups: vec![],
        };
        assert_eq!(
            read(APP, "uv.lock", &env("3.11.9"), &selection, None)
                .unwrap_err()
                .to_string(),
            "uv.lock: extra \"postgres\" is not defined; it has: redis"
        );
        assert_eq!(
            check_selection(APP, "uv.lock", &selection, None).map_err(|e| e.to_string()),
            Err("uv.lock: extra \"postgres\" is not defined; it has: redis".to_owned())
        );
        let known = Selection {
            extras: names(&["redis"]),
            groups: names(&["dev"]),
        };
        assert_eq!(
            check_selection(APP, "uv.lock", &known, None).map_err(|e| e.to_string()),
            Ok(())
        );
        let selection = Selection {
            extras: vec![],
            groups: names(&["docs"]),
        };
        assert_eq!(
            read(APP, "uv.lock", &env("3.11.9"), &selection, None)
                .unwrap_err()
                .to_string(),
            "uv.lock: dependency group \"docs\" is not defined; it has: dev"
        );
    }

    #[test]
    fn files_keep_url_hash_size_and_index() {
        let locked = read(APP, "uv.lock", &env("3.11.9"), &Selection::default(), None).unwrap();
        assert_eq!(locked.source, "uv.lock");
        let uvloop = locked
            .packages
            .iter()
            .find(|p| p.name.as_str() == "uvloop")
            .unwrap();
        assert_eq!(uvloop.index.as_deref(), Some("https://pypi.org/simple"));
        assert_eq!(uvloop.files.len(), 3);
        let wheel = &uvloop.files[2];
        assert_eq!(
            wheel.filename,
            "uvloop-0.22.1-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl"
        );
        assert_eq!(wheel.size, Some(4366890));
        assert_eq!(
            wheel.hashes[0].to_string(),
            "sha256:0530a5fbad9c9e4ee3f2b33b148c6a64d47bbad8000ea63704fa8260f4cf728e"
        );
        assert_eq!(uvloop.files[0].filename, "uvloop-0.22.1.tar.gz");
    }

    #[test]
    fn its_requires_python_is_read_alone() {
        assert_eq!(
            requires_python(APP, "uv.lock").unwrap().as_deref(),
            Some(">=3.10")
        );
        assert_eq!(requires_python("version = 1\n", "uv.lock").unwrap(), None);
        assert!(requires_python("version = [", "uv.lock").is_err());
    }

    #[test]
    fn the_lock_must_accept_the_images_python() {
        assert_eq!(
            read(APP, "uv.lock", &env("3.9.19"), &Selection::default(), None)
                .unwrap_err()
                .to_string(),
            "uv.lock requires Python >=3.10, but the image has Python 3.9.19"
        );
    }

    /// A project whose numpy dependency names no version: the entry is picked by its
    /// resolution-markers alone.
    fn forked(markers_old: &str, markers_new: &str) -> String {
        format!(
            r#"version = 1
requires-python = ">=3.10"

[[package]]
name = "svc"
version = "1.0.0"
source = {{ virtual = "." }}
dependencies = [{{ name = "numpy" }}]

[[package]]
name = "numpy"
version = "1.26.4"
source = {{ registry = "https://pypi.org/simple" }}
resolution-markers = [{markers_old}]
wheels = [{{ url = "https://files.pythonhosted.org/packages/3f/6b/numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:9ff0f4f29c51e2803569d7a51c2304de5554655a60c5d776e35b4a41413830d0" }}]

[[package]]
name = "numpy"
version = "2.3.4"
source = {{ registry = "https://pypi.org/simple" }}
resolution-markers = [{markers_new}]
wheels = [{{ url = "https://files.pythonhosted.org/packages/2f/68/numpy-2.3.4-cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", hash = "sha256:0b9ca4f2" }}]
"#
        )
    }

    #[test]
    fn resolution_markers_pick_an_unversioned_dependency() {
        let text = forked(
            "\"python_full_version < '3.12'\"",
            "\"python_full_version >= '3.12'\"",
        );
        assert_eq!(
            pins(&text, &env("3.11.9"), &Selection::default()),
            ["numpy==1.26.4"]
        );
        assert_eq!(
            pins(&text, &env("3.13.0"), &Selection::default()),
            ["numpy==2.3.4"]
        );
        let none = forked(
            "\"sys_platform == 'darwin'\"",
            "\"sys_platform == 'win32'\"",
        );
        assert_eq!(
            read(&none, "uv.lock", &env("3.11.9"), &Selection::default(), None).unwrap_err().to_string(),
            "uv.lock: package \"svc\" (line 4): none of the locked versions of its dependency \"numpy\" is for this environment (resolution-markers: sys_platform == 'darwin' | sys_platform == 'win32')"
        );
        let both = forked(
            "\"sys_platform == 'linux'\"",
            "\"python_full_version >= '3.10'\"",
        );
        assert!(read(&both, "uv.lock", &env("3.11.9"), &Selection::default(), None)
            .unwrap_err()
            .to_string()
            .contains("several locked versions of its dependency \"numpy\" are for this environment (1.26.4, 2.3.4)"));
    }

    #[test]
    fn conflicting_extras_use_uvs_synthetic_markers() {
        // `tool.uv.conflicts` between the cpu and cu124 extras of project "ml".
        let text = r#"version = 1
revision = 2
requires-python = ">=3.11"

[[package]]
name = "ml"
version = "0.1.0"
source = { editable = "." }

[package.optional-dependencies]
cpu = [{ name = "torch", version = "2.6.0+cpu", source = { registry = "https://download.pytorch.org/whl/cpu" }, marker = "extra == 'extra-2-ml-cpu'" }]
cu124 = [{ name = "torch", version = "2.6.0+cu124", source = { registry = "https://download.pytorch.org/whl/cu124" }, marker = "extra == 'extra-2-ml-cu124'" }]

[[package]]
name = "torch"
version = "2.6.0+cpu"
source = { registry = "https://download.pytorch.org/whl/cpu" }
wheels = [{ url = "https://download.pytorch.org/whl/cpu/torch-2.6.0%2Bcpu-cp311-cp311-linux_x86_64.whl", hash = "sha256:aa" }]

[[package]]
name = "torch"
version = "2.6.0+cu124"
source = { registry = "https://download.pytorch.org/whl/cu124" }
wheels = [{ url = "https://download.pytorch.org/whl/cu124/torch-2.6.0%2Bcu124-cp311-cp311-linux_x86_64.whl", hash = "sha256:bb" }]
"#;
        let cpu = Selection {
            extras: names(&["cpu"]),
            groups: vec![],
        };
        let locked = read(text, "uv.lock", &env("3.11.9"), &cpu, None).unwrap();
        assert_eq!(locked.packages.len(), 1);
        let torch = &locked.packages[0];
        assert_eq!(torch.version.to_string(), "2.6.0+cpu");
        assert_eq!(
            torch.index.as_deref(),
            Some("https://download.pytorch.org/whl/cpu")
        );
        assert_eq!(
            torch.files[0].filename,
            "torch-2.6.0+cpu-cp311-cp311-linux_x86_64.whl"
        );
        assert!(pins(text, &env("3.11.9"), &Selection::default()).is_empty());
    }

    fn project_with(dep_source: &str) -> String {
        format!(
            r#"version = 1
requires-python = ">=3.11"

[manifest]
members = ["api", "shared"]

[[package]]
name = "api"
version = "0.1.0"
source = {{ editable = "." }}
dependencies = [{{ name = "shared" }}, {{ name = "flask" }}]

[[package]]
name = "flask"
version = "3.1.0"
source = {dep_source}

[[package]]
name = "shared"
version = "0.1.0"
source = {{ editable = "packages/shared" }}
"#
        )
    }

    #[test]
    fn sources_that_need_a_build_are_named() {
        let git = project_with("{ git = \"https://github.com/pallets/flask?tag=3.1.0#1a2b3c\" }");
        let err = read(&git, "uv.lock", &env("3.11.9"), &Selection::default(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uv.lock: package \"flask\" (line 13): comes from the git repository https://github.com/pallets/flask?tag=3.1.0#1a2b3c, which would need a build; only packages from an index can go in the image as wheels"
        );
        // With flask from an index, the workspace member is the remaining problem.
        let member = project_with("{ registry = \"https://pypi.org/simple\" }\nwheels = [{ url = \"https://files.pythonhosted.org/packages/af/47/flask-3.1.0-py3-none-any.whl\", hash = \"sha256:d667207822eb83f1c4b50949b1623c8fc8d51f2341d65f72e1a1815397551136\" }]");
        let err = read(
            &member,
            "uv.lock",
            &env("3.11.9"),
            &Selection::default(),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("uv.lock: package \"shared\" (line 19): comes from the local directory packages/shared"), "{err}");
    }

    #[test]
    fn a_virtual_workspace_starts_from_its_members() {
        let text = r#"version = 1
requires-python = ">=3.11"

[manifest]
members = ["worker"]

[[package]]
name = "worker"
version = "0.1.0"
source = { editable = "worker" }
dependencies = [{ name = "idna" }]

[[package]]
name = "idna"
version = "3.11"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.pythonhosted.org/packages/0e/61/66938bbb5fc52dbdf84594873d5b51fb1f7c7794e9c0f5bd885f30bc507b/idna-3.11-py3-none-any.whl", hash = "sha256:771a87f49d9defaf64091e6e6fe9c18d4833f140bd19464795bc32d966ca37ea", size = 71008 }]
"#;
        assert_eq!(
            pins(text, &env("3.11.9"), &Selection::default()),
            ["idna==3.11"]
        );
        let no_project = text.replace("members = [\"worker\"]", "members = []");
        assert!(read(
            &no_project,
            "uv.lock",
            &env("3.11.9"),
            &Selection::default(),
            None
        )
        .unwrap_err()
        .to_string()
        .starts_with("uv.lock: no package is the project itself"));
    }

    /// A workspace as `uv lock` writes it: a root package, three members under `packages/`,
    /// `api` depending on `shared` (another member), `worker` on celery.
    const WORKSPACE: &str = r#"version = 1
revision = 2
requires-python = ">=3.11"

[manifest]
members = ["api", "backend", "root", "shared", "worker"]

[[package]]
name = "api"
version = "0.1.0"
source = { editable = "packages/api" }
dependencies = [{ name = "shared" }]

[[package]]
name = "backend"
version = "0.1.0"
source = { editable = "packages/backend" }
dependencies = [{ name = "requests" }]

[package.optional-dependencies]
fast = [{ name = "idna" }]

[package.dev-dependencies]
test = [{ name = "iniconfig" }]

[[package]]
name = "celery"
version = "5.4.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.pythonhosted.org/packages/90/c4/celery-5.4.0-py3-none-any.whl", hash = "sha256:aa" }]

[[package]]
name = "idna"
version = "3.11"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.pythonhosted.org/packages/0e/61/idna-3.11-py3-none-any.whl", hash = "sha256:bb" }]

[[package]]
name = "iniconfig"
version = "2.1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.pythonhosted.org/packages/2c/e1/iniconfig-2.1.0-py3-none-any.whl", hash = "sha256:cc" }]

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "idna" }]
wheels = [{ url = "https://files.pythonhosted.org/packages/f9/9b/requests-2.32.3-py3-none-any.whl", hash = "sha256:dd" }]

[[package]]
name = "root"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "celery" }]

[[package]]
name = "shared"
version = "0.1.0"
source = { editable = "packages/shared" }

[[package]]
name = "worker"
version = "0.1.0"
source = { editable = "packages/worker" }
dependencies = [{ name = "celery" }]
"#;

    fn member_pins(member: &str, selection: &Selection) -> Result<Vec<String>, String> {
        read(
            WORKSPACE,
            "../uv.lock",
            &env("3.11.9"),
            selection,
            Some(member),
        )
        .map(|l| {
            l.packages
                .iter()
                .map(|p| format!("{}=={}", p.name, p.version))
                .collect()
        })
        .map_err(|e| e.to_string())
    }

    #[test]
    fn a_member_gets_its_own_dependencies_and_no_other_members() {
        // Not celery, which the root and worker need.
        assert_eq!(
            member_pins("packages/backend", &Selection::default()),
            Ok(vec!["idna==3.11".to_owned(), "requests==2.32.3".to_owned()])
        );
        assert_eq!(
            member_pins("./packages/worker/", &Selection::default()),
            Ok(vec!["celery==5.4.0".to_owned()])
        );
        // Its extras and groups are its own.
        let test = Selection {
            extras: vec![],
            groups: names(&["test"]),
        };
        assert!(member_pins("packages/backend", &test)
            .unwrap()
            .contains(&"iniconfig==2.1.0".to_owned()));
        assert_eq!(
            check_selection(WORKSPACE, "../uv.lock", &test, Some("packages/worker")),
            Err(LockError::NotDefined {
                file: "../uv.lock".to_owned(),
                what: "dependency group",
                name: "test".to_owned(),
                available: vec![],
            })
        );
        // Without a member, the root package is the project.
        assert_eq!(
            pins(WORKSPACE, &env("3.11.9"), &Selection::default()),
            ["celery==5.4.0"]
        );
    }

    #[test]
    fn a_member_missing_from_the_lock_or_needing_another_member_is_named() {
        assert_eq!(
            member_pins("packages/billing", &Selection::default()),
            Err("../uv.lock has no package for the workspace member packages/billing (a source of `editable` or `virtual` \"packages/billing\"); it is out of date, or locks another workspace: run `uv lock` in the workspace".to_owned())
        );
        // Another member is source code outside the context: never installed as a wheel.
        assert_eq!(
            member_pins("packages/api", &Selection::default()),
            Err("../uv.lock: package \"shared\" (line 57): comes from the local directory packages/shared, which would need a build; only packages from an index can go in the image as wheels".to_owned())
        );
    }

    #[test]
    fn broken_locks_are_reported_with_a_place() {
        let missing = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"1\"\nsource = { virtual = \".\" }\ndependencies = [{ name = \"requests\" }]\n";
        assert_eq!(
            read(
                missing,
                "uv.lock",
                &env("3.11.9"),
                &Selection::default(),
                None
            )
            .unwrap_err()
            .to_string(),
            "uv.lock: package \"app\" (line 3): depends on \"requests\", which is not in the lock"
        );
        let newer = "version = 2\n";
        assert_eq!(
            read(
                newer,
                "uv.lock",
                &env("3.11.9"),
                &Selection::default(),
                None
            )
            .unwrap_err()
            .to_string(),
            "uv.lock: version = \"2\" is a newer format than pycontainer reads (1)"
        );
        let bad = "version = 1\n[[package]]\nname = \"app\"\n";
        assert!(
            read(bad, "uv.lock", &env("3.11.9"), &Selection::default(), None)
                .unwrap_err()
                .to_string()
                .starts_with("uv.lock (line 2, column 1): missing field `source`")
        );
    }
}
