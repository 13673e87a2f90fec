//! PubGrub's view of what the resolver knows, recording what it does not know yet.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use pubgrub::{
    Dependencies, DependencyConstraints, DependencyProvider, PackageResolutionStatistics,
};

use super::candidates::Project;
use super::range::{self, Point, VersionSet};
use super::{Fetch, Node, Resolver};
use crate::index;
use pycontainer_python::name::{ExtraName, PackageName};
use pycontainer_python::pep440::{SpecifierSet, Version};
use pycontainer_python::pep508::Requirement;

/// Why a version that has a wheel still cannot be used; shown in conflict reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    Metadata(String),
    RequiresPython {
        requires: SpecifierSet,
        python: Version,
    },
    DirectUrl(String),
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::Metadata(reason) => write!(f, "its metadata is unusable: {reason}"),
            Unavailable::RequiresPython { requires, python } => {
                write!(
                    f,
                    "it requires Python {requires} (the image has Python {python})"
                )
            }
            Unavailable::DirectUrl(requirement) => write!(
                f,
                "it depends on {requirement}, a direct URL, which an index package may not"
            ),
        }
    }
}

/// Stops a run that needs a page it does not have; everything the run still lacks has
/// been recorded by then.
#[derive(Debug, thiserror::Error)]
#[error("resolution paused until more index data is fetched")]
pub(super) struct Halt;

/// PubGrub's priority: packages whose page is known first (so that a run does all it can
/// before stopping for a page), then pinned ones, then the most conflicted, then by name
/// so that the order never depends on anything else.
type Priority = (bool, bool, u32, Reverse<Node>);

pub(super) struct Provider<'r> {
    resolver: &'r Resolver,
    missing_pages: RefCell<BTreeSet<PackageName>>,
    missing_metadata: RefCell<BTreeMap<(PackageName, Version), Fetch>>,
    /// Packages some requirement seen in this run names a pre-release for.
    named_prereleases: RefCell<BTreeSet<PackageName>>,
}

impl<'r> Provider<'r> {
    pub fn new(resolver: &'r Resolver) -> Provider<'r> {
        // Extended, not collected: collecting into a set sorts, with a copy of the sort per type.
        let mut named = BTreeSet::new();
        named.extend(
            resolver
                .requirements
                .iter()
                .filter(|r| names_prerelease(&r.version))
                .map(|r| r.name.clone()),
        );
        Provider {
            resolver,
            missing_pages: RefCell::default(),
            missing_metadata: RefCell::default(),
            named_prereleases: RefCell::new(named),
        }
    }

    /// What the run lacked: pages first, then metadata, each sorted.
    pub fn into_fetches(self) -> Vec<Fetch> {
        let pages = self
            .missing_pages
            .into_inner()
            .into_iter()
            .map(|name| Fetch::Page {
                url: self.resolver.page_url(&name),
                name,
            });
        pages
            .chain(self.missing_metadata.into_inner().into_values())
            .collect()
    }

    fn project(&self, name: &PackageName) -> Option<&'r Project> {
        self.resolver.projects.get(name)
    }

    /// The newest version in `set` with a wheel for the target, pre-releases per
    /// [`super::Options::allow_prereleases`]; only when no version in `set` has one, the
    /// newest with an sdist. So a project that resolved from wheels before sdists were
    /// built still resolves the same, and an sdist is built only where nothing else fits.
    fn best(&self, name: &PackageName, project: &Project, set: &VersionSet) -> Option<Version> {
        self.best_of(name, project, set, false)
            .or_else(|| self.best_of(name, project, set, true))
    }

    fn best_of(
        &self,
        name: &PackageName,
        project: &Project,
        set: &VersionSet,
        sdists: bool,
    ) -> Option<Version> {
        let platform = self.resolver.platform();
        let allow_yanked = range::pins_one_version(set);
        let prereleases = self.resolver.options.allow_prereleases
            || self.named_prereleases.borrow().contains(name);
        let mut newest_prerelease = None;
        for (version, _) in project.versions() {
            if !set.contains(&Point::exact(version))
                || project
                    .choose(version, &platform, allow_yanked, sdists)
                    .is_err()
            {
                continue;
            }
            if prereleases || !version.is_prerelease() {
                return Some(version.clone());
            }
            newest_prerelease = newest_prerelease.or(Some(version));
        }
        newest_prerelease.cloned()
    }

    /// PEP 658 metadata when the chosen wheel has it, else the wheel itself, or the sdist
    /// when the version has no wheel that fits.
    fn metadata_fetch(&self, name: &PackageName, version: &Version) -> Option<Fetch> {
        let wheel = self.resolver.file(self.project(name)?, version)?.clone();
        if !wheel.filename.ends_with(".whl") {
            return Some(Fetch::Sdist {
                name: name.clone(),
                version: version.clone(),
                sdist: wheel,
            });
        }
        Some(match (index::metadata_url(&wheel), &wheel.core_metadata) {
            (Some(url), Some(hashes)) => Fetch::Metadata {
                name: name.clone(),
                version: version.clone(),
                url,
                hashes: hashes.clone(),
                wheel,
            },
            _ => Fetch::WheelMetadata {
                name: name.clone(),
                version: version.clone(),
                wheel,
            },
        })
    }

    /// The dependencies of `name` `version` (with `extra` on, only those the extra adds).
    fn package_dependencies(
        &self,
        name: &PackageName,
        version: &Version,
        extra: Option<&ExtraName>,
    ) -> Dependencies<Node, VersionSet, Unavailable> {
        let mut constraints = DependencyConstraints::default();
        if extra.is_some() {
            constraints.insert(
                Node::Dist(name.clone()),
                VersionSet::singleton(Point::exact(version)),
            );
        }
        let key = (name.clone(), version.clone());
        let metadata = match self.resolver.metadata.get(&key) {
            Some(Ok(metadata)) => metadata,
            Some(Err(reason)) => {
                return Dependencies::Unavailable(Unavailable::Metadata(reason.clone()))
            }
            // Unknown yet: recorded for the caller, and no dependencies for this run.
            None => {
                let Some(fetch) = self.metadata_fetch(name, version) else {
                    let reason = "no wheel or sdist to read it from".to_string();
                    return Dependencies::Unavailable(Unavailable::Metadata(reason));
                };
                self.missing_metadata.borrow_mut().insert(key, fetch);
                return Dependencies::Available(constraints);
            }
        };
        let python = &self.resolver.target.python;
        if let Some(requires) = &metadata.requires_python {
            if !requires.contains(python, true) {
                return Dependencies::Unavailable(Unavailable::RequiresPython {
                    requires: requires.clone(),
                    python: python.clone(),
                });
            }
        }
        let env = &self.resolver.markers;
        let requirements = metadata.requires_dist.iter().filter(|r| match extra {
            None => r.applies(env, &[]),
            Some(extra) => r.applies(env, std::slice::from_ref(extra)) && !r.applies(env, &[]),
        });
        match self.constraints(requirements, Some(name), constraints) {
            Ok(constraints) => Dependencies::Available(constraints),
            Err(direct) => Dependencies::Unavailable(Unavailable::DirectUrl(direct)),
        }
    }

    /// Requirements as PubGrub constraints, intersected per node; the error is a direct URL
    /// requirement, which no index package may have. A package's requirement on itself
    /// without extras is dropped: it says nothing a chosen version does not.
    fn constraints<'a>(
        &self,
        requirements: impl Iterator<Item = &'a Requirement>,
        parent: Option<&PackageName>,
        mut out: DependencyConstraints<Node, VersionSet>,
    ) -> Result<DependencyConstraints<Node, VersionSet>, String> {
        for requirement in requirements {
            if requirement.url.is_some() {
                return Err(requirement.to_string());
            }
            if names_prerelease(&requirement.version) {
                self.named_prereleases
                    .borrow_mut()
                    .insert(requirement.name.clone());
            }
            let mut set = range::from_specifiers(&requirement.version);
            if let Some(limit) = self.resolver.options.constraints.get(&requirement.name) {
                set = set.intersection(&range::from_specifiers(limit));
            }
            let base =
                (parent != Some(&requirement.name)).then(|| Node::Dist(requirement.name.clone()));
            let extras = requirement
                .extras
                .iter()
                .map(|extra| Node::Extra(requirement.name.clone(), extra.clone()));
            for node in base.into_iter().chain(extras) {
                let merged = match out.get(&node) {
                    Some(existing) => existing.intersection(&set),
                    None => set.clone(),
                };
                out.insert(node, merged);
            }
        }
        Ok(out)
    }
}

fn names_prerelease(set: &SpecifierSet) -> bool {
    set.iter().any(|s| s.names_prerelease())
}

impl DependencyProvider for Provider<'_> {
    type P = Node;
    type V = Point;
    type VS = VersionSet;
    type M = Unavailable;
    type Priority = Priority;
    type Err = Halt;

    fn prioritize(
        &self,
        node: &Node,
        set: &VersionSet,
        statistics: &PackageResolutionStatistics,
    ) -> Priority {
        let known = match node.name() {
            None => true,
            Some(name) => {
                let known = self.project(name).is_some();
                if !known {
                    self.missing_pages.borrow_mut().insert(name.clone());
                }
                known
            }
        };
        let pinned = range::pins_one_version(set);
        (
            known,
            pinned,
            statistics.conflict_count(),
            Reverse(node.clone()),
        )
    }

    fn choose_version(&self, node: &Node, set: &VersionSet) -> Result<Option<Point>, Halt> {
        let Some(name) = node.name() else {
            return Ok(Some(Point::exact(&Version::new([0]))));
        };
        let Some(project) = self.project(name) else {
            self.missing_pages.borrow_mut().insert(name.clone());
            return Err(Halt);
        };
        Ok(self.best(name, project, set).map(|v| Point::exact(&v)))
    }

    fn get_dependencies(
        &self,
        node: &Node,
        point: &Point,
    ) -> Result<Dependencies<Node, VersionSet, Unavailable>, Halt> {
        let (name, extra) = match node {
            Node::Root => {
                let root = self.constraints(
                    self.resolver.requirements.iter(),
                    None,
                    DependencyConstraints::default(),
                );
                return Ok(match root {
                    Ok(constraints) => Dependencies::Available(constraints),
                    Err(direct) => Dependencies::Unavailable(Unavailable::DirectUrl(direct)),
                });
            }
            Node::Dist(name) => (name, None),
            Node::Extra(name, extra) => (name, Some(extra)),
        };
        // Only exact points are ever chosen; a sentinel here would be a bug, not data.
        let version = point.version().ok_or(Halt)?;
        Ok(self.package_dependencies(name, version, extra))
    }
}
