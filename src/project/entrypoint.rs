//! Chooses how the container starts, and writes the launchers that call
//! the console scripts' `module:object` when there is no venv.

use pycontainer_wheel::install::EntryPoint as Script;
use serde::Serialize;

use super::framework::{Framework, Served};
use super::{Project, ProjectError};

/// Where generated launchers go when the image has no venv: where
/// `pip install` puts console scripts in the official Python images, and on
/// PATH in Debian's too.
pub const LAUNCHER_DIR: &str = "/usr/local/bin";

/// The rule that chose the entry point, for `--dry-run` and the JSON result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "camelCase")]
pub enum Rule {
    /// `--entrypoint`, or `entrypoint` in a config file.
    Explicit { source: String },
    /// A web framework found in the project's own sources.
    Framework {
        framework: Framework,
        app: String,
        file: String,
        server: String,
    },
    /// `[project.scripts]` (or Poetry's scripts).
    ProjectScript { name: String, target: String },
    /// A package with `__main__.py`, run with `python -m`.
    PackageMain { package: String },
    /// A top-level `main.py` or `app.py`.
    MainFile { file: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPoint {
    pub rule: Rule,
    pub command: Vec<String>,
    /// The port a detected server listens on.
    pub port: Option<u16>,
    /// Where the command must run, relative to the workdir (Django's manage.py).
    pub subdir: Option<String>,
}

impl Rule {
    /// The rule's name, as its `rule` tag serialises it.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::Explicit { .. } => "explicit",
            Rule::Framework { .. } => "framework",
            Rule::ProjectScript { .. } => "projectScript",
            Rule::PackageMain { .. } => "packageMain",
            Rule::MainFile { .. } => "mainFile",
        }
    }

    /// One line for people: which rule chose the entry point, and from what.
    pub fn describe(&self) -> String {
        match self {
            Rule::Explicit { source } => format!("set explicitly ({source})"),
            Rule::Framework {
                framework,
                app,
                file,
                server,
            } => format!(
                "{} app {app} found in {file}, served by {server}",
                framework.label()
            ),
            Rule::ProjectScript { name, target } => format!("console script {name} = {target:?}"),
            Rule::PackageMain { package } => format!("package {package} has __main__.py"),
            Rule::MainFile { file } => format!("{file} at the top of the project"),
        }
    }
}

/// What the entry point is chosen from, highest rule first.
pub struct Inputs<'a> {
    pub explicit: Option<(&'a [String], &'a str)>,
    pub script: Option<&'a str>,
    pub served: Option<Served>,
}

/// Applies the rules in order: explicit, `--script`, framework, first
/// console script, a package's `__main__.py`, `main.py` / `app.py`.
pub fn choose(project: &Project, inputs: Inputs<'_>) -> Result<EntryPoint, ProjectError> {
    let scripts = &project.metadata.scripts;
    if let Some((command, source)) = inputs.explicit {
        return Ok(EntryPoint {
            rule: Rule::Explicit {
                source: source.to_owned(),
            },
            command: command.to_vec(),
            port: None,
            subdir: None,
        });
    }
    if let Some(name) = inputs.script {
        let (name, spec) =
            scripts
                .iter()
                .find(|(n, _)| n == name)
                .ok_or_else(|| ProjectError::NoScript {
                    name: name.to_owned(),
                    available: scripts.iter().map(|(n, _)| n.clone()).collect(),
                })?;
        return Ok(for_script(name, spec));
    }
    if let Some(served) = inputs.served {
        let subdir = [project.import_root.as_str(), served.workdir.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        return Ok(EntryPoint {
            rule: Rule::Framework {
                framework: served.app.framework,
                app: if served.app.attr.is_empty() {
                    served.app.module.clone()
                } else {
                    format!("{}:{}", served.app.module, served.app.attr)
                },
                file: served.app.file.clone(),
                server: served.server.clone(),
            },
            command: served.command,
            port: Some(served.port),
            subdir: (!subdir.is_empty() && served.manage.is_some()).then_some(subdir),
        });
    }
    if let Some((name, spec)) = scripts.first() {
        return Ok(for_script(name, spec));
    }
    let package_main = project.own_sources().into_iter().find_map(|(_, rel)| {
        let package = rel.strip_suffix("/__main__.py")?;
        (!package.contains('/')).then(|| package.to_owned())
    });
    if let Some(package) = package_main {
        return Ok(for_package_main(&package));
    }
    ["main.py", "app.py"]
        .iter()
        .find(|name| project.has_file(name))
        .map(|name| for_main_file(name))
        .ok_or_else(|| ProjectError::NoEntryPoint {
            path: project.root.clone(),
        })
}

/// A launcher like the ones pip and uv generate (import, call, exit with
/// its result), for a base interpreter whose path is not known: no
/// dependencies means no probe of the base. With a venv, the launchers are
/// pip's own, naming the venv's interpreter.
pub fn launcher(script: &Script) -> String {
    let object = script.attr();
    let head = object.split('.').next().unwrap_or(object);
    format!(
        "#!/usr/bin/env python3\n\
         # Generated by pycontainer for the console script {name:?}.\n\
         import sys\n\
         from {module} import {head}\n\
         \n\
         if __name__ == \"__main__\":\n\
         \x20   sys.argv[0] = {name:?}\n\
         \x20   sys.exit({object}())\n",
        name = script.name(),
        module = script.module(),
    )
}

/// Runs a launcher with `python3` from PATH: needs neither `/usr/bin/env`
/// nor an exec bit, so it also runs on distroless-style bases.
fn script_command(dir: &str, name: &str) -> Vec<String> {
    vec!["python3".to_owned(), format!("{dir}/{name}")]
}

/// `[project.scripts]` entry `name = spec`, whose launcher is in
/// [`LAUNCHER_DIR`] until [`EntryPoint::run_scripts_from`] says otherwise.
/// Its name and spec were checked when the project was read.
pub fn for_script(name: &str, spec: &str) -> EntryPoint {
    EntryPoint {
        rule: Rule::ProjectScript {
            name: name.to_owned(),
            target: spec.to_owned(),
        },
        command: script_command(LAUNCHER_DIR, name),
        port: None,
        subdir: None,
    }
}

impl EntryPoint {
    /// The launchers' directory is known once the plan knows whether the
    /// image has a venv, after the entry point is chosen: a console script
    /// then runs from there.
    pub fn run_scripts_from(&mut self, dir: &str) {
        if let Rule::ProjectScript { name, .. } = &self.rule {
            self.command = script_command(dir, name);
        }
    }
}

pub fn for_package_main(package: &str) -> EntryPoint {
    EntryPoint {
        rule: Rule::PackageMain {
            package: package.to_owned(),
        },
        command: vec!["python3".to_owned(), "-m".to_owned(), package.to_owned()],
        port: None,
        subdir: None,
    }
}

pub fn for_main_file(file: &str) -> EntryPoint {
    EntryPoint {
        rule: Rule::MainFile {
            file: file.to_owned(),
        },
        command: vec!["python3".to_owned(), file.to_owned()],
        port: None,
        subdir: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_names_itself_as_its_json_tag_does() {
        let rules = [
            Rule::Explicit { source: "s".into() },
            Rule::ProjectScript {
                name: "n".into(),
                target: "t".into(),
            },
            Rule::PackageMain {
                package: "p".into(),
            },
            Rule::MainFile { file: "f".into() },
        ];
        for rule in rules {
            let json = serde_json::to_value(&rule).unwrap_or_default();
            assert_eq!(json["rule"].as_str(), Some(rule.name()));
        }
    }

    #[test]
    fn a_script_runs_its_launcher_from_where_it_is() {
        let mut ep = for_script("hello", "hello.cli:main");
        assert_eq!(ep.command, ["python3", "/usr/local/bin/hello"]);
        ep.run_scripts_from("/app/.venv/bin");
        assert_eq!(ep.command, ["python3", "/app/.venv/bin/hello"]);
        let mut other = for_main_file("main.py");
        other.run_scripts_from("/app/.venv/bin");
        assert_eq!(other.command, ["python3", "main.py"]);
    }

    #[test]
    fn a_launcher_imports_the_head_of_its_object_and_calls_the_path() {
        let script = Script::new("x", "pkg.mod:App.run [cli]").ok();
        let text = script.map(|s| launcher(&s)).unwrap_or_default();
        assert!(
            text.starts_with("#!/usr/bin/env python3\n")
                && text.contains("from pkg.mod import App\n")
                && text.contains("sys.argv[0] = \"x\"")
                && text.contains("sys.exit(App.run())"),
            "{text}"
        );
    }
}
