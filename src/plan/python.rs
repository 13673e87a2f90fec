//! Which CPython the image is for, and why.

use pycontainer_python::interpreters::{self, PythonChoice, PythonConstraint};

use super::{Chosen, PlanError};
use crate::config::Settings;
use crate::host::Host;
use crate::project::Project;

/// The CPython the image is for: `python` setting > requires-python > Poetry > .python-version > newest.
pub(super) async fn choose_python<H: Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
    origin: &str,
) -> Result<Chosen<PythonChoice>, PlanError> {
    let meta = &project.metadata;
    let file = project
        .metadata_file
        .clone()
        .unwrap_or_else(|| "pyproject.toml".to_owned());
    let constraint = if let Some(v) = &settings.python {
        let (major, minor) = interpreters::parse_python_version_file(v)
            .map_err(|e| PlanError::setting(origin, e.to_string()))?;
        PythonConstraint::exact(major, minor, origin)
    } else if let Some(rp) = &meta.requires_python {
        PythonConstraint::requires_python(rp, file)?
    } else if let Some(p) = &meta.poetry_python {
        PythonConstraint::poetry(p, "pyproject.toml [tool.poetry.dependencies]")?
    } else if project.has_file(".python-version") {
        let text = host.read_all(&project.path(".python-version")).await?;
        let (major, minor) =
            interpreters::parse_python_version_file(&String::from_utf8_lossy(&text))?;
        PythonConstraint::exact(major, minor, ".python-version")
    } else {
        PythonConstraint::requires_python("", "no constraint in the project")?
    };
    let value = interpreters::choose(&constraint)?;
    let rule = format!("{constraint} → Python {}", value.minor_version());
    Ok(Chosen { value, rule })
}
