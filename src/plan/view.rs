//! The plan as people and `--json` see it: every decision with its rule,
//! and the image config and layers the build then writes.

use std::collections::BTreeMap;

use pycontainer_archive::Entry;
use pycontainer_digest::Digest;
use pycontainer_oci::mutate;
use pycontainer_oci::ContainerConfig;
use serde::Serialize;

use super::{Chosen, ImagePython, Plan};
use crate::config::Source;
use crate::deps::decide::InstalledPackage;
use crate::deps::input::Input;
use crate::host::Kind;
use crate::project::Excluded;

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    pub base: BaseView,
    pub python: Chosen<ImagePython>,
    pub platform: String,
    pub workdir: String,
    pub user: Option<String>,
    pub entrypoint: EntryView,
    /// A launcher for each console and GUI script, on PATH: in the venv's
    /// `bin/` when there is one.
    pub scripts: Vec<ScriptView>,
    pub cmd: Option<Vec<String>>,
    /// The variables pycontainer sets (the base's others stay).
    pub env: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub ports: Vec<String>,
    pub tags: Vec<String>,
    pub files: FileCount,
    pub excluded: Vec<Excluded>,
    /// The runtime part of the image config, exactly as the build writes
    /// it: the base's, with everything above applied. Without the base's
    /// part in a dry run that did not read a registry base.
    pub config: ContainerConfig,
    /// The layers the build adds, bottom first.
    pub layers: Vec<LayerView>,
    pub sources: Vec<Source>,
    /// Where the dependencies come from and what is installed; absent when none are.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub dependencies: Option<DepsView>,
    /// The directories the app may write, owned by the user it runs as
    /// (unless that is root); the code and the venv stay read-only.
    pub writable: Vec<super::WritableDir>,
    /// What the build will do that the project may not expect.
    pub warnings: Vec<super::Warning>,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BaseView {
    pub image: String,
    pub rule: String,
    pub resolved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub digest: Option<Digest>,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EntryView {
    pub command: Vec<String>,
    pub rule: String,
    pub detail: String,
}

/// A console or GUI script's launcher.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ScriptView {
    pub name: String,
    /// `module:object`, as the project declares it.
    pub target: String,
    /// Where its launcher is in the image.
    pub path: String,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FileCount {
    pub count: usize,
    pub bytes: u64,
}

/// A layer the build adds.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct LayerView {
    pub name: String,
    /// Its entries and their bytes; absent for the dependency layer, whose
    /// entries are the wheels' files.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub entries: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub bytes: Option<u64>,
    /// The packages, for the dependency layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub packages: Option<usize>,
}

/// The dependencies: the input, and what the image installs from it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DepsView {
    #[serde(flatten)]
    pub input: Input,
    /// The platform the wheels are chosen for; absent, as are the rest,
    /// when a dry run did not read the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub venv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub packages: Option<Vec<InstalledPackage>>,
    /// Whether the dependencies' bytecode is compiled, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub bytecode: Option<String>,
    /// The lock the build writes, when the packages come from a new resolution.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub writes_lock: Option<String>,
}

impl Plan {
    pub fn view(&self) -> PlanView {
        let files = self.project.files.iter().filter(|f| f.kind == Kind::File);
        let install = self.deps.as_ref().and_then(|d| d.install.as_ref());
        let mut layers = Vec::new();
        if let Some(install) = install {
            layers.push(LayerView {
                name: "dependencies".to_owned(),
                entries: None,
                bytes: None,
                packages: Some(install.picks.len()),
            });
        }
        layers.push(LayerView {
            name: "app".to_owned(),
            entries: Some(self.app_layer.len()),
            bytes: Some(self.app_layer.iter().map(Entry::size).sum()),
            packages: None,
        });
        PlanView {
            base: BaseView {
                image: self.base.name.clone(),
                rule: self.base_rule.clone(),
                resolved: self.base_resolved,
                digest: self.base.digest.clone(),
            },
            python: self.python.clone(),
            platform: self.platform.to_string(),
            workdir: self.changes.working_dir.clone(),
            user: self.changes.user.clone(),
            entrypoint: EntryView {
                command: self.entrypoint.command.clone(),
                rule: self.entrypoint.rule.name().to_owned(),
                detail: self.entrypoint.rule.describe(),
            },
            scripts: self
                .scripts
                .launchers
                .iter()
                .map(|l| ScriptView {
                    name: l.name.clone(),
                    target: l.target.clone(),
                    path: l.path.clone(),
                })
                .collect(),
            cmd: self.changes.cmd.clone(),
            env: self.changes.env.iter().cloned().collect(),
            labels: self.changes.labels.clone(),
            annotations: self.annotations.clone(),
            ports: self.changes.ports.clone(),
            tags: self.tags.iter().map(|t| t.name.clone()).collect(),
            files: FileCount {
                count: files.clone().count(),
                bytes: files.map(|f| f.size).sum(),
            },
            excluded: self.project.excluded.clone(),
            config: mutate::derive_config(self.base.image.config(), &[], &self.changes)
                .config
                .unwrap_or_default(),
            layers,
            sources: self.sources.clone(),
            dependencies: self.deps.as_ref().map(|d| DepsView {
                input: d.input.clone(),
                target: install.map(|i| i.target.describe()),
                venv: install.map(|_| pycontainer_wheel::venv::VENV.to_owned()),
                packages: install.map(|i| i.packages()),
                bytecode: install.map(|i| i.bytecode.rule().to_owned()),
                writes_lock: install.and_then(|i| i.lock.as_ref().map(|l| l.path().to_owned())),
            }),
            writable: self.writable.clone(),
            warnings: self.warnings.clone(),
        }
    }
}
