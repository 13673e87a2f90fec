//! A launcher for every console and GUI script the project declares, where
//! `pip install .` would put it: the venv's `bin/` when the image has a
//! venv, else the launcher directory on the base's PATH.

use pycontainer_wheel::venv;

use crate::project::entrypoint::{self, LAUNCHER_DIR};
use crate::project::{scripts, Project, ProjectError};

/// One script's launcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launcher {
    pub name: String,
    /// `module:object`, as the project declares it.
    pub target: String,
    /// Absolute path inside the image.
    pub path: String,
    pub content: Vec<u8>,
}

/// The project's launchers and where they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scripts {
    /// Absolute; on PATH either way.
    pub dir: String,
    /// In the venv's `bin/`, which the layer below holds with the venv.
    pub in_venv: bool,
    /// Console scripts, then GUI scripts, each in file order.
    pub launchers: Vec<Launcher>,
}

/// With a venv, pip's launchers naming the venv's interpreter; without,
/// ones that find `python3` on PATH.
pub(super) fn plan(project: &Project, in_venv: bool) -> Result<Scripts, ProjectError> {
    let dir = if in_venv {
        venv::scripts_dir()
    } else {
        LAUNCHER_DIR.to_owned()
    };
    let meta = &project.metadata;
    // Checked when the project was read; the file and group still name
    // any error, should one get through.
    let file = project.metadata_file.as_deref().unwrap_or("pyproject.toml");
    let mut launchers = Vec::new();
    for (group, list) in [
        ("console_scripts", &meta.scripts),
        ("gui_scripts", &meta.gui_scripts),
    ] {
        for (name, spec) in list {
            let script = scripts::entry_point(file, group, name, spec)?;
            let content = if in_venv {
                script.launcher(&venv::python())
            } else {
                entrypoint::launcher(&script)
            };
            launchers.push(Launcher {
                name: name.clone(),
                target: spec.clone(),
                path: format!("{dir}/{name}"),
                content: content.into_bytes(),
            });
        }
    }
    Ok(Scripts {
        dir,
        in_venv,
        launchers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Metadata;

    fn project(scripts: &[(&str, &str)], gui: &[(&str, &str)]) -> Project {
        let pairs = |l: &[(&str, &str)]| {
            l.iter()
                .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
                .collect()
        };
        Project {
            root: "/ctx".into(),
            metadata: Metadata {
                scripts: pairs(scripts),
                gui_scripts: pairs(gui),
                ..Metadata::default()
            },
            metadata_file: Some("pyproject.toml".into()),
            import_root: String::new(),
            files: Vec::new(),
            excluded: Vec::new(),
            shipped_secrets: Vec::new(),
        }
    }

    fn text(l: &Launcher) -> String {
        String::from_utf8_lossy(&l.content).into_owned()
    }

    #[test]
    fn every_script_gets_a_launcher_in_the_venv_as_pip_writes_it() {
        let p = project(
            &[("one", "m:a"), ("two", "m.sub:b.c")],
            &[("win", "g:main")],
        );
        let s = plan(&p, true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.dir, "/app/.venv/bin");
        let paths: Vec<&str> = s.launchers.iter().map(|l| l.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/app/.venv/bin/one",
                "/app/.venv/bin/two",
                "/app/.venv/bin/win"
            ]
        );
        let two = text(&s.launchers[1]);
        assert!(
            two.starts_with("#!/app/.venv/bin/python\n")
                && two.contains("from m.sub import b\n")
                && two.contains("sys.exit(b.c())"),
            "{two}"
        );
    }

    #[test]
    fn without_a_venv_they_go_to_the_launcher_directory() {
        let p = project(&[("one", "m:a"), ("two", "m:b"), ("three", "n:c")], &[]);
        let s = plan(&p, false).unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.in_venv);
        let names: Vec<&str> = s.launchers.iter().map(|l| l.path.as_str()).collect();
        assert_eq!(
            names,
            [
                "/usr/local/bin/one",
                "/usr/local/bin/two",
                "/usr/local/bin/three"
            ]
        );
        assert!(text(&s.launchers[2]).starts_with("#!/usr/bin/env python3\n"));
        assert!(plan(&project(&[], &[]), false).is_ok_and(|s| s.launchers.is_empty()));
    }

    #[test]
    fn a_name_that_got_through_unchecked_is_still_refused() {
        let e = plan(&project(&[("../up", "m:a")], &[]), true)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("pyproject.toml: `console_scripts` \"../up\""),
            "{e}"
        );
    }
}
