//! Reads setup.cfg's declarative metadata, for projects that have no pyproject `[project]` table.
//!
//! Only the INI subset setuptools documents for static metadata: sections,
//! `key = value`, indented continuation lines and `#`/`;` comments. Values
//! that need setuptools to run (`attr:`, `file:`) are left out, never guessed.

use pycontainer_python::setupcfg::{entries, lines};

use super::pyproject::Metadata;
use super::{scripts, ProjectError};

/// The metadata setup.cfg declares; missing fields stay `None` or empty.
/// `file` names it in errors: only a bad console or GUI script is one.
pub fn parse(file: &str, text: &str) -> Result<Metadata, ProjectError> {
    let mut m = Metadata::default();
    let entries = entries(text).map_err(|e| ProjectError::SetupCfg {
        file: file.to_owned(),
        source: e,
    })?;
    for (section, key, value) in entries {
        let single = || {
            Some(value.trim().to_owned())
                .filter(|v| !v.is_empty() && !v.starts_with("attr:") && !v.starts_with("file:"))
        };
        match (section.as_str(), key.as_str()) {
            ("metadata", "name") => m.name = single(),
            ("metadata", "version") => m.version = single(),
            ("metadata", "description") => m.description = single(),
            ("metadata", "license") => m.license = single(),
            ("metadata", "url") => m.urls.extend(single().map(|u| ("Homepage".to_owned(), u))),
            ("options", "python_requires") => m.requires_python = single(),
            ("options", "install_requires") => m.dependencies = lines(&value),
            ("options.entry_points", "console_scripts") => m.scripts = pairs(&value),
            ("options.entry_points", "gui_scripts") => m.gui_scripts = pairs(&value),
            _ => {}
        }
    }
    scripts::check(
        file,
        &[
            ("options.entry_points.console_scripts", &m.scripts),
            ("options.entry_points.gui_scripts", &m.gui_scripts),
        ],
    )?;
    Ok(m)
}

/// `name = module:object` lines, as in entry point groups.
fn pairs(value: &str) -> Vec<(String, String)> {
    lines(value)
        .iter()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_static_metadata_and_entry_points() {
        let m = parse(
            "setup.cfg",
            "[metadata]\nname = legacy-app\nversion = attr: legacy.__version__\nlicense = BSD-3-Clause\n\n[options]\npython_requires = >=3.8\ninstall_requires =\n    flask>=2\n    gunicorn\n\n[options.entry_points]\nconsole_scripts =\n    legacy = legacy.cli:main\n    other = legacy.other:run\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.name.as_deref(), Some("legacy-app"));
        assert_eq!(m.version, None, "attr: needs setuptools to run");
        assert_eq!(m.requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(m.dependencies, vec!["flask>=2", "gunicorn"]);
        assert_eq!(
            m.scripts,
            vec![
                ("legacy".into(), "legacy.cli:main".into()),
                ("other".into(), "legacy.other:run".into())
            ]
        );
    }

    #[test]
    fn a_script_named_as_a_path_is_refused_naming_file_and_key() {
        let e = parse(
            "/p/setup.cfg",
            "[options.entry_points]\ngui_scripts =\n    ../up = legacy.gui:main\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            e.starts_with("/p/setup.cfg: `options.entry_points.gui_scripts` \"../up\""),
            "{e}"
        );
    }
}
