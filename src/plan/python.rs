//! Which CPython the image runs, and why: one chosen for the official
//! `python:X.Y-slim` base, or the explicit base's own, checked against the
//! project's requires-python.

use pycontainer_oci::Platform;
use pycontainer_python::interpreters::{self, InterpreterError, PythonChoice, PythonConstraint};
use pycontainer_python::pep440::Version;
use pycontainer_python::pep508::MarkerEnv;
use pycontainer_python::tags::PythonTags;
use pycontainer_wheel::target::BaseEnv;
use serde::Serialize;

use super::deps::Found;
use super::{Chosen, PlanError};
use crate::config::Settings;
use crate::deps::DepsError;
use crate::host::Host;
use crate::project::Project;

/// The Python the image runs, as the plan shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ImagePython {
    /// Absent, as is `minor`, when the base's Python is not known: a dry
    /// run did not read its registry base, or none was found in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub major: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub minor: Option<u32>,
    /// The full version, such as 3.11.2, when the base's layers were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub version: Option<String>,
    /// The `python3` the base runs, when its layers were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub interpreter: Option<String>,
    /// `python:3.12-slim`: the official image chosen for this Python;
    /// absent when the base was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub base_image: Option<String>,
}

/// What the project says its Python may be, for the choice and the check:
/// the requires-python of the project (or Poetry's python) and of its lock.
pub(super) struct Allowed {
    constraints: Vec<PythonConstraint>,
    /// `--ignore-requires-python` (or its key), and where it was set.
    ignore: Option<String>,
}

impl Allowed {
    pub fn read(
        project: &Project,
        found: Option<&Found>,
        settings: &Settings,
        ignore_origin: String,
    ) -> Result<Allowed, PlanError> {
        let meta = &project.metadata;
        let file = project.metadata_file.as_deref().unwrap_or("pyproject.toml");
        let mut constraints = Vec::new();
        if let Some(rp) = &meta.requires_python {
            constraints.push(PythonConstraint::requires_python(rp, file)?);
        } else if let Some(p) = &meta.poetry_python {
            constraints.push(PythonConstraint::poetry(
                p,
                "pyproject.toml [tool.poetry.dependencies]",
            )?);
        }
        if let Some(lock) = found.map(Found::requires_python).transpose()?.flatten() {
            constraints.push(lock);
        }
        Ok(Allowed {
            constraints,
            ignore: (settings.ignore_requires_python == Some(true)).then_some(ignore_origin),
        })
    }

    /// Nothing when every constraint allows `version`; with
    /// `--ignore-requires-python`, the note the rule gets; else the error.
    fn check(&self, version: &Version, what: impl FnOnce() -> String) -> Result<String, PlanError> {
        match interpreters::check_allowed(&self.constraints, version, what) {
            Ok(()) => Ok(String::new()),
            Err(InterpreterError::Excluded { constraint, .. }) if self.ignore.is_some() => {
                Ok(format!(
                    "; {constraint} does not allow it, ignored ({})",
                    self.ignore.as_deref().unwrap_or_default()
                ))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The CPython chosen for the official base, with its rule.
///
/// A pin wins: the `python` setting, `.python-version`, then `runtime.txt`;
/// it must be one requires-python allows. Otherwise the newest maintained
/// CPython that requires-python allows and, with a lock, for which every
/// package the lock installs has a wheel: a lock made for 3.10 to 3.12
/// must not get a 3.14 it has no wheels for.
pub(super) async fn choose_python<H: Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
    origin: &str,
    allowed: &Allowed,
    found: Option<&Found>,
    platform: &Platform,
) -> Result<Chosen<PythonChoice>, PlanError> {
    if let Some(pin) = pin(host, project, settings, origin).await? {
        let mut all = vec![pin.clone()];
        all.extend(allowed.constraints.iter().cloned());
        // Any patch of the pinned minor that every constraint allows will do.
        let (value, note) = match interpreters::choose_fitting(&all, |_| Ok(())) {
            Ok((value, _)) => (value, String::new()),
            Err(_) => {
                let value = interpreters::choose(&pin)?;
                let note = allowed.check(&full_version(&value), || pin.to_string())?;
                (value, note)
            }
        };
        let rule = format!("{pin} → Python {}{note}", value.minor_version());
        return Ok(Chosen { value, rule });
    }
    let constraints = match allowed.constraints.is_empty() {
        true => vec![PythonConstraint::requires_python(
            "",
            "no constraint in the project",
        )?],
        false => allowed.constraints.clone(),
    };
    // The lock's packages depend on the Python through their markers, so it
    // is read for each candidate. No machine (a platform without one) means
    // no wheel could be chosen at all; that fails later, with its own error.
    let machine = platform.python_machine();
    let mut lock_name = None;
    let (value, passed) = interpreters::choose_fitting(&constraints, |choice| {
        let (Some(found), Some(machine)) = (found, machine) else {
            return Ok(());
        };
        let env = MarkerEnv::linux_cpython(&full_version(choice), machine);
        let locked = match found.lock(project, &env) {
            Ok(Some(locked)) => locked,
            Ok(None) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
        let lacking = locked.without_wheels_for(&PythonTags::for_minor(choice.major, choice.minor));
        let missing = lacking
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect::<Vec<_>>();
        lock_name = Some(locked.source);
        match missing.is_empty() {
            true => Ok(()),
            false => Err(format!(
                "{} has no wheel for it of {}",
                found.input.file_name(),
                missing.join(", ")
            )),
        }
    })?;
    let with_wheels = lock_name
        .map(|name| format!(", with a wheel in {name} for every package"))
        .unwrap_or_default();
    let passed = match passed.is_empty() {
        true => String::new(),
        false => format!(
            "; passed over {}",
            passed
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let rule = format!(
        "{}{with_wheels} → Python {}{passed}",
        interpreters::describe(&constraints),
        value.minor_version()
    );
    Ok(Chosen { value, rule })
}

/// An exact minor the project pins, and where: the `python` setting,
/// `.python-version`, then `runtime.txt`.
async fn pin<H: Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
    origin: &str,
) -> Result<Option<PythonConstraint>, PlanError> {
    if let Some(pin) = setting(settings, origin)? {
        return Ok(Some(pin));
    }
    type Parse = fn(&str) -> Result<(u32, u32), InterpreterError>;
    let files: [(&str, Parse); 2] = [
        (".python-version", interpreters::parse_python_version_file),
        ("runtime.txt", interpreters::parse_runtime_txt),
    ];
    for (name, parse) in files {
        if project.has_file(name) {
            let text = host.read_all(&project.path(name)).await?;
            let (major, minor) = parse(&String::from_utf8_lossy(&text))?;
            return Ok(Some(PythonConstraint::exact(major, minor, name)));
        }
    }
    Ok(None)
}

/// The minor the `python` setting names, if it is set.
fn setting(settings: &Settings, origin: &str) -> Result<Option<PythonConstraint>, PlanError> {
    let Some(v) = &settings.python else {
        return Ok(None);
    };
    let (major, minor) = interpreters::parse_python_version_file(v)
        .map_err(|e| PlanError::setting(origin, e.to_string()))?;
    Ok(Some(PythonConstraint::exact(major, minor, origin)))
}

/// Checks a `python` setting given with an explicit base, whose own Python
/// the image runs: a wrong value is still reported, not silently dropped.
pub(super) fn check_setting(settings: &Settings, origin: &str) -> Result<(), PlanError> {
    if let Some(pin) = setting(settings, origin)? {
        interpreters::choose(&pin)?;
    }
    Ok(())
}

/// The version a choice stands for, for markers and checks.
fn full_version(choice: &PythonChoice) -> Version {
    Version::new([
        u64::from(choice.major),
        u64::from(choice.minor),
        u64::from(choice.patch),
    ])
}

/// What the plan knows of the base's Python once the base is resolved.
pub(super) enum Probed {
    /// Its layers were read.
    Read(Result<BaseEnv, DepsError>),
    /// A dry run did not pull the registry base.
    NotPulled,
    /// It has no layers, so no Python.
    Empty,
    /// Its layers stay in the registry: a push without a layout mounts
    /// them, and nothing to install needs them read.
    Remote,
    /// The official base chosen for the Python, with nothing to install:
    /// its layers are not read.
    Skipped,
}

/// The Python the image runs: the explicit base's (checked against
/// requires-python), else the one chosen. Returns the base's environment
/// too, which the dependencies are installed for. A base whose Python
/// cannot be read fails only when there are dependencies to install.
pub(super) fn settle(
    chosen: Option<Chosen<PythonChoice>>,
    allowed: &Allowed,
    base_name: &str,
    probed: Probed,
    has_deps: bool,
) -> Result<(Chosen<ImagePython>, Option<BaseEnv>), PlanError> {
    let (env, why_unknown) = match probed {
        Probed::Read(Ok(env)) => (Some(env), None),
        Probed::Read(Err(e)) if has_deps || chosen.is_some() => return Err(e.into()),
        Probed::Read(Err(e)) => {
            return Ok((unknown(format!("not known: {e}")), None));
        }
        Probed::Empty => (None, Some("none: the base image has no layers")),
        Probed::Remote => (
            None,
            Some("the base image's, not read: a push without --output mounts its layers rather than downloading them"),
        ),
        Probed::NotPulled | Probed::Skipped => (None, None),
    };
    if let Some(chosen) = chosen {
        let value = ImagePython {
            major: Some(chosen.value.major),
            minor: Some(chosen.value.minor),
            version: env.as_ref().map(|e| e.python.clone()),
            interpreter: env.as_ref().map(|e| e.interpreter.clone()),
            base_image: Some(chosen.value.base_image),
        };
        return Ok((
            Chosen {
                value,
                rule: chosen.rule,
            },
            env,
        ));
    }
    let Some(env) = env else {
        let rule = why_unknown.unwrap_or(
            "the base image's, not known until the base is read (a dry run does not pull a registry base)",
        );
        return Ok((unknown(rule.to_owned()), None));
    };
    let version = env.version().map_err(DepsError::from)?;
    let note = allowed.check(&version, || {
        format!(
            "the base image {base_name}'s Python {} ({})",
            env.python, env.interpreter
        )
    })?;
    let value = ImagePython {
        major: u32::try_from(version.release_part(0)).ok(),
        minor: u32::try_from(version.release_part(1)).ok(),
        version: Some(env.python.clone()),
        interpreter: Some(env.interpreter.clone()),
        base_image: None,
    };
    let rule = format!(
        "the base image's interpreter ({}, {}){note}",
        env.interpreter, env.python
    );
    Ok((Chosen { value, rule }, Some(env)))
}

fn unknown(rule: String) -> Chosen<ImagePython> {
    Chosen {
        value: ImagePython::default(),
        rule,
    }
}
