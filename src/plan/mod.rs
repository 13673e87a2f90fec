//! The build plan: every decision, made from the options, the settings, the
//! project and the base before anything is written, each with the rule that
//! made it. The build carries it out; `--dry-run` shows it.

mod app_layer;
mod deps;
mod entrypoint;
mod error;
mod make;
mod options;
mod platforms;
mod python;
mod rules;
mod scripts;
mod selection;
mod sources;
pub(crate) mod view;
mod warning;
mod writable;

use std::collections::BTreeMap;

use pycontainer_archive::Entry;
use pycontainer_oci::mutate::ConfigChanges;
use pycontainer_oci::Platform;
use serde::Serialize;

use crate::cache::CacheDir;
use crate::config::{RuntimeTable, Source};
use crate::layout::Tag;
use crate::project::{EntryPoint, Project};
use crate::sink::{Format, LayoutTarget, Target};
use crate::source::BaseImage;

pub use deps::DepsPlan;
pub use error::PlanError;
pub use make::make_all;
pub use options::BuildOptions;
pub use python::ImagePython;
use scripts::Scripts;
pub use view::PlanView;
pub use warning::Warning;
#[cfg(test)]
pub use writable::Scope;
pub use writable::WritableDir;

pub const DEFAULT_WORKDIR: &str = "/app";
pub const DEFAULT_OUTPUT: &str = "pycontainer-out";
/// The default `--output` of an archive `--format`.
pub const DEFAULT_ARCHIVE: &str = "pycontainer-out.tar";
/// The default user: the uid distroless and ko use for "nonroot", so that
/// file ownership reads the same across images built by either.
pub const NONROOT: u32 = 65532;
pub const NONROOT_HOME: &str = "/home/nonroot";
/// Label naming the web framework pycontainer detected.
pub const FRAMEWORK_LABEL: &str = "io.pycontainer.framework";

/// A choice and the rule that made it, for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Chosen<T> {
    #[serde(flatten)]
    pub value: T,
    pub rule: String,
}

pub struct Plan {
    pub project: Project,
    pub base: BaseImage,
    pub base_rule: String,
    /// False in a dry run whose base is in a registry: it was not fetched.
    pub base_resolved: bool,
    pub python: Chosen<ImagePython>,
    /// The image's tags: in a layout the TAG alone, with the full name beside.
    pub tags: Vec<Tag>,
    /// Where the image goes: a layout, registries (`--push`), or both, in
    /// the order the build writes them.
    pub sinks: Vec<Target>,
    pub cache: CacheDir,
    pub platform: Platform,
    /// Every platform the build is for, this plan's among them; empty
    /// when none was named and the base's own is built.
    pub platforms: Vec<Platform>,
    pub epoch: u64,
    pub entrypoint: EntryPoint,
    /// A launcher for each of the project's console and GUI scripts.
    pub scripts: Scripts,
    /// Every entry of the app layer, the project's dist-info among them
    /// when the dependencies go into a venv.
    pub app_layer: Vec<Entry>,
    /// What the image's config gets on top of the base's, the venv's
    /// variables among them.
    pub changes: ConfigChanges,
    pub annotations: BTreeMap<String, String>,
    /// The annotations of the index that lists each platform's image.
    pub index_annotations: BTreeMap<String, String>,
    /// Where the lock the build writes goes in the app layer, when it writes one.
    pub lock_entry: Option<LockEntry>,
    pub sources: Vec<Source>,
    /// Dependencies to install into a venv layer, when there are any.
    pub deps: Option<DepsPlan>,
    /// The directories handed to the user the image runs as.
    pub writable: Vec<WritableDir>,
    /// What the build will do that the project may not expect.
    pub warnings: Vec<Warning>,
    /// The SBOM formats written beside the layout, and into it as referrers.
    pub sbom: Vec<pycontainer_sbom::Format>,
    /// pycontainer.toml's `[runtime]`, which `deploy` reads.
    pub runtime: Option<RuntimeTable>,
}

/// The lock's place in the app layer.
pub struct LockEntry {
    /// Its path in the image.
    pub path: String,
    /// Whether the selection ships it.
    pub ships: bool,
}

impl Plan {
    /// The layout the image is written to, when there is one.
    pub fn layout(&self) -> Option<&LayoutTarget> {
        self.sinks.iter().find_map(|s| match s {
            Target::Layout(t) => Some(t),
            Target::Archive(_) | Target::Registry(_) => None,
        })
    }

    /// The layout directory or archive file the image is written to, and which.
    pub fn output(&self) -> Option<(&str, Format)> {
        self.sinks.iter().find_map(|s| match s {
            Target::Layout(t) => Some((t.path.as_str(), Format::Layout)),
            Target::Archive(t) => Some((t.path.as_str(), Format::Archive(t.format))),
            Target::Registry(_) => None,
        })
    }
}
