//! The resolver: from the project's requirements to one wheel (or, where no version has a
//! wheel that fits, one sdist) per package for the target image, with PubGrub, sans-I/O.
//!
//! The target is one environment, so markers are evaluated up front and never fork the
//! resolution. The host's I/O is async and single-threaded (wasm) while PubGrub's provider
//! is synchronous, so [`Resolver::step`] runs PubGrub from scratch over what is known so
//! far and, when it meets something unknown, returns what to fetch instead of blocking:
//!
//! ```text
//! loop { match resolver.step() {
//!     Step::Need(fetches) => fetch them (in parallel), add_page / add_not_found / add_metadata as they come,
//!     Step::Done(resolution) => break,
//!     Step::Failed(error) => report it,
//! } }
//! ```
//!
//! One step collects as much as it can: a version whose metadata is missing is taken to
//! have no dependencies for the rest of that run (which can only make the run explore less,
//! never invent a conflict), and packages whose page is missing are decided last, so a step
//! asks for every metadata file and page at the current frontier. The number of steps is
//! about twice the depth of the dependency graph; each step costs one PubGrub run, which is
//! milliseconds for hundreds of packages.
//!
//! Results are deterministic: every answer the provider gives depends only on the page or
//! metadata it asks about, never on what else happens to be known, so the successful run
//! is the same whatever order fetches completed in.

mod candidates;
mod provider;
mod range;
mod report;

use std::collections::BTreeMap;

use pubgrub::PubGrubError;

use crate::index::{self, Hashes, ProjectFile, ProjectPage};
use pycontainer_python::metadata::{self, CoreMetadata};
use pycontainer_python::name::{ExtraName, PackageName};
use pycontainer_python::pep440::{SpecifierSet, Version};
use pycontainer_python::pep508::{MarkerEnv, Requirement};
use pycontainer_python::tags::{Tags, Target};

use candidates::{Platform, Project};
use range::Point;

/// Choices the user makes about candidates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Consider pre-releases everywhere. Without it a pre-release is chosen only when a
    /// requirement on its package names a pre-release (`>=2.0b1`), or when no final
    /// release in the allowed range has a wheel for the target (pip's rule).
    pub allow_prereleases: bool,
    /// Constraints (pip's `-c`): they narrow every requirement on a package,
    /// the project's and its dependencies' alike, and never add one.
    pub constraints: BTreeMap<PackageName, SpecifierSet>,
}

/// Something the caller must fetch before the next [`Resolver::step`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// A project page; ask with [`index::ACCEPT`], give the answer to
    /// [`Resolver::add_page`], or a 404 to [`Resolver::add_not_found`].
    Page { name: PackageName, url: String },
    /// A PEP 658 `.metadata` file, whose hashes the index gave (possibly none). `wheel` is the
    /// wheel it describes, to fall back on if the file turns out to be missing.
    Metadata {
        name: PackageName,
        version: Version,
        url: String,
        hashes: Hashes,
        wheel: ProjectFile,
    },
    /// No `.metadata` is served: the wheel's `*.dist-info/METADATA` must be read.
    WheelMetadata {
        name: PackageName,
        version: Version,
        wheel: ProjectFile,
    },
    /// The version has no wheel for the target, only this sdist: the caller builds it (or
    /// says why it cannot) and gives the wheel's METADATA to [`Resolver::add_metadata`].
    Sdist {
        name: PackageName,
        version: Version,
        sdist: ProjectFile,
    },
}

#[derive(Debug, Clone)]
pub enum Step {
    /// Fetch these (in any order, in parallel), add them, and step again. Stepping
    /// after only some have been added is fine too: the next step asks again for
    /// what is still missing (and may ask for more, which is how a caller
    /// prefetches).
    Need(Vec<Fetch>),
    Done(Resolution),
    Failed(ResolveError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// Sorted by name.
    pub packages: Vec<ResolvedPackage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPackage {
    pub name: PackageName,
    pub version: Version,
    /// The best wheel for the target (by tag priority, then build number, then file name),
    /// or the sdist when no version in range has a wheel that fits.
    pub file: ProjectFile,
    pub index_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("the requirement {requirement:?} names a URL; the resolver installs from the package index only")]
    DirectUrl { requirement: String },
    #[error("the dependencies cannot be resolved for {target}:\n{explanation}")]
    NoSolution { target: String, explanation: String },
    #[error("the resolver stopped unexpectedly: {reason}")]
    Internal { reason: String },
}

/// A node of the dependency graph. An extra is its own package (`uvicorn[standard]`) that
/// depends on its base at the same version plus the extra's requirements, so that PubGrub
/// needs no notion of extras.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Root,
    Dist(PackageName),
    Extra(PackageName, ExtraName),
}

impl Node {
    fn name(&self) -> Option<&PackageName> {
        match self {
            Node::Root => None,
            Node::Dist(name) | Node::Extra(name, _) => Some(name),
        }
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::Root => f.write_str("the project"),
            Node::Dist(name) => write!(f, "{name}"),
            Node::Extra(name, extra) => write!(f, "{name}[{extra}]"),
        }
    }
}

/// Everything known so far, and the question being answered.
pub struct Resolver {
    index_url: String,
    target: Target,
    tags: Tags,
    markers: MarkerEnv,
    options: Options,
    /// The project's requirements that apply on the target.
    requirements: Vec<Requirement>,
    projects: BTreeMap<PackageName, Project>,
    /// Parsed metadata, or why it cannot be used.
    metadata: BTreeMap<(PackageName, Version), Result<CoreMetadata, String>>,
}

impl Resolver {
    /// `requirements` are the project's (PEP 508, markers unevaluated); those whose markers
    /// are false on `target` are dropped here.
    pub fn new(
        requirements: &[Requirement],
        target: &Target,
        index_url: &str,
        options: Options,
    ) -> Result<Resolver, ResolveError> {
        let markers = target.marker_env();
        let requirements: Vec<Requirement> = requirements
            .iter()
            .filter(|r| r.applies(&markers, &[]))
            .cloned()
            .collect();
        if let Some(direct) = requirements.iter().find(|r| r.url.is_some()) {
            return Err(ResolveError::DirectUrl {
                requirement: direct.to_string(),
            });
        }
        Ok(Resolver {
            index_url: index_url.to_string(),
            tags: Tags::for_target(target),
            target: target.clone(),
            markers,
            options,
            requirements,
            projects: BTreeMap::new(),
            metadata: BTreeMap::new(),
        })
    }

    pub fn add_page(&mut self, name: &PackageName, page: ProjectPage) {
        self.projects
            .insert(name.clone(), Project::from_page(name, page));
    }

    /// The index has no such project (it answered 404).
    pub fn add_not_found(&mut self, name: &PackageName) {
        self.projects.insert(name.clone(), Project::not_found());
    }

    /// The core metadata of `name` `version`, from a `.metadata` file or a wheel's METADATA.
    /// Metadata that cannot be parsed, or that names another distribution, makes that
    /// version unusable (the resolver backtracks), and the reason shows if resolution fails.
    pub fn add_metadata(&mut self, name: &PackageName, version: &Version, body: &[u8]) {
        let parsed = metadata::parse(&String::from_utf8_lossy(body))
            .map_err(|e| e.to_string())
            .and_then(|m| {
                if m.name == *name && m.version == *version {
                    Ok(m)
                } else {
                    Err(format!("it describes {} {} instead", m.name, m.version))
                }
            });
        self.metadata
            .insert((name.clone(), version.clone()), parsed);
    }

    /// Runs the resolution as far as what is known allows.
    pub fn step(&self) -> Step {
        let provider = provider::Provider::new(self);
        let root = Point::exact(&Version::new([0]));
        let result = pubgrub::resolve(&provider, Node::Root, root);
        let fetches = provider.into_fetches();
        if !fetches.is_empty() {
            return Step::Need(fetches);
        }
        match result {
            Ok(solution) => match self.resolution(&solution) {
                Ok(resolution) => Step::Done(resolution),
                Err(error) => Step::Failed(error),
            },
            Err(PubGrubError::NoSolution(tree)) => Step::Failed(ResolveError::NoSolution {
                target: self.target.describe(),
                explanation: report::explain(&tree, self),
            }),
            Err(other) => Step::Failed(ResolveError::Internal {
                reason: other.to_string(),
            }),
        }
    }

    fn platform(&self) -> Platform<'_> {
        Platform {
            target: &self.target,
            tags: &self.tags,
        }
    }

    /// The file a chosen version installs: its best wheel, else its sdist. A yanked file is
    /// only chosen when it was pinned, so the unyanked choice comes first.
    fn file<'p>(&self, project: &'p Project, version: &Version) -> Option<&'p ProjectFile> {
        let platform = self.platform();
        project
            .choose(version, &platform, false, true)
            .or_else(|_| project.choose(version, &platform, true, true))
            .ok()
    }

    /// The URL of `name`'s page on the main index, as a [`Fetch::Page`] names it.
    pub fn page_url(&self, name: &PackageName) -> String {
        index::project_url(&self.index_url, name)
    }

    fn resolution(
        &self,
        solution: &pubgrub::SelectedDependencies<provider::Provider<'_>>,
    ) -> Result<Resolution, ResolveError> {
        let mut packages = Vec::new();
        for (node, point) in solution {
            let (Node::Dist(name), Some(version)) = (node, point.version()) else {
                continue;
            };
            let file = self.projects.get(name).and_then(|p| self.file(p, version));
            let file = file.ok_or_else(|| ResolveError::Internal {
                reason: format!("{name} {version} was chosen but has no file to install"),
            })?;
            packages.push(ResolvedPackage {
                name: name.clone(),
                version: version.clone(),
                file: file.clone(),
                index_url: self.index_url.clone(),
            });
        }
        pycontainer_sort::sort_by(&mut packages, |a, b| a.name.cmp(&b.name));
        Ok(Resolution { packages })
    }
}

#[cfg(test)]
mod tests;
