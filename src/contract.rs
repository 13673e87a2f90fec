//! The contract between the core and its JS callers, checked: the types of
//! what the core returns, in TypeScript, generated from the Rust types into
//! `npm/core.d.ts`, and the defaults the CLI's help names, into
//! `npm/lib/defaults.json`. A test fails when either file and the Rust drift
//! apart; `PYCONTAINER_WRITE_CONTRACT=1 cargo test -p pycontainer contract`
//! writes them anew. Test-only: nothing of this is in the wasm.

use std::collections::BTreeSet;
use std::path::Path;

use pycontainer_oci::{ContainerConfig, Layer};
use ts_rs::{Config, TS};

use crate::build::{BuildResult, PlatformImage};
use crate::config::{Source, SourceKind};
use crate::deploy::{DeployResult, ManifestView};
use crate::deps::decide::InstalledPackage;
use crate::deps::indexes::PYPI;
use crate::deps::input::{Format, Input, WorkspaceLock};
use crate::eject::{DockerfileResult, GeneratedFile};
use crate::host::Progress;
use crate::plan::view::{BaseView, DepsView, EntryView, FileCount, LayerView, ScriptView};
use crate::plan::{
    Chosen, ImagePython, PlanView, DEFAULT_ARCHIVE, DEFAULT_OUTPUT, DEFAULT_WORKDIR, NONROOT,
    NONROOT_HOME,
};
use crate::plan::{Scope, Warning, WritableDir};
use crate::project::Excluded;
use crate::publish::PushResult;
use crate::registry::push::{PushStats, Pushed};
use crate::validate::Report;

const HEADER: &str = "// The types of what the pycontainer core returns, generated from its Rust types\n// by src/contract.rs (`PYCONTAINER_WRITE_CONTRACT=1 cargo test -p pycontainer contract`).\n// Do not edit: a test fails when this file and the Rust types disagree.\n";

/// One exported declaration, with its doc comment.
fn declaration<T: TS>(cfg: &Config) -> String {
    let docs = T::docs().map(|d| format!("{d}\n")).unwrap_or_default();
    format!("{docs}export {}\n", T::decl(cfg))
}

/// The names a type's declaration refers to.
fn dependencies<T: TS + 'static>(cfg: &Config) -> Vec<String> {
    T::dependencies(cfg)
        .into_iter()
        .map(|d| d.ts_name)
        .collect()
}

/// Every type of the contract, each declared once, and the names the
/// declarations refer to: they must all be among the declared.
fn contract() -> (String, BTreeSet<String>, BTreeSet<String>) {
    // The core's numbers are byte counts and the like, well within a double.
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(HEADER);
    let mut declared = BTreeSet::new();
    let mut referred = BTreeSet::new();
    macro_rules! export {
        ($($t:ty),* $(,)?) => {$(
            out.push('\n');
            out.push_str(&declaration::<$t>(&cfg));
            declared.insert(<$t>::ident(&cfg));
            referred.extend(dependencies::<$t>(&cfg));
        )*};
    }
    export!(
        BuildResult,
        PlatformImage,
        PlanView,
        BaseView,
        Chosen<ImagePython>,
        ImagePython,
        EntryView,
        ScriptView,
        FileCount,
        Excluded,
        Warning,
        WritableDir,
        Scope,
        ContainerConfig,
        LayerView,
        Source,
        SourceKind,
        DepsView,
        Input,
        Format,
        WorkspaceLock,
        InstalledPackage,
        Layer,
        Pushed,
        PushStats,
        PushResult,
        DeployResult,
        ManifestView,
        Report,
        DockerfileResult,
        GeneratedFile,
        Progress<'static>,
        pycontainer_digest::Digest,
        serde_json::Value,
    );
    (out, declared, referred)
}

/// What `--help` says the core does when a setting is given nowhere.
fn defaults() -> String {
    let object = serde_json::json!({
        "output": DEFAULT_OUTPUT,
        "archive": DEFAULT_ARCHIVE,
        "workdir": DEFAULT_WORKDIR,
        "user": format!("{NONROOT}:{NONROOT}"),
        "home": NONROOT_HOME,
        "venv": pycontainer_wheel::venv::VENV,
        "indexUrl": PYPI,
        "cpu": pycontainer_deploy::DEFAULT_CPU,
        "memory": pycontainer_deploy::DEFAULT_MEMORY,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&object).unwrap_or_default()
    )
}

/// Compares `want` with the file, or writes it when asked to.
fn check(file: &str, want: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    if std::env::var("PYCONTAINER_WRITE_CONTRACT").as_deref() == Ok("1") {
        std::fs::write(&path, want).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{file} differs from what the Rust types give: run `PYCONTAINER_WRITE_CONTRACT=1 cargo test -p pycontainer contract` and review the diff"
    );
}

#[test]
fn every_type_of_the_contract_is_declared() {
    let (_, declared, referred) = contract();
    let missing: Vec<&String> = referred.difference(&declared).collect();
    assert!(
        missing.is_empty(),
        "referred to but not declared: {missing:?}"
    );
}

#[test]
fn the_typescript_types_are_the_rust_types() {
    check("npm/core.d.ts", &contract().0);
}

#[test]
fn the_help_defaults_are_the_core_defaults() {
    check("npm/lib/defaults.json", &defaults());
}
