//! Chooses how the container starts, and writes the launcher that calls `module:object`.

use serde::Serialize;

use super::framework::{Framework, Served};
use super::{Project, ProjectError};

/// Where generated launchers go: where `pip install` puts console scripts
/// in the official Python images, and on PATH in Debian's too.
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

/// A generated file that starts the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launcher {
    /// Absolute path inside the image.
    pub path: String,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPoint {
    pub rule: Rule,
    pub command: Vec<String>,
    pub launcher: Option<Launcher>,
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
            launcher: None,
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
        return for_script(name, spec);
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
            launcher: None,
            port: Some(served.port),
            subdir: (!subdir.is_empty() && served.manage.is_some()).then_some(subdir),
        });
    }
    if let Some((name, spec)) = scripts.first() {
        return for_script(name, spec);
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

/// A console-script target: `pkg.mod:obj.attr`, with an optional `[extras]` tail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptTarget {
    pub module: String,
    pub object: String,
}

impl ScriptTarget {
    pub fn parse(name: &str, spec: &str) -> Result<Self, ProjectError> {
        let bad = |why: &str| ProjectError::BadScript {
            name: name.to_owned(),
            spec: spec.to_owned(),
            reason: why.to_owned(),
        };
        // The entry-points spec allows `[extra, …]` after the reference; it
        // only selects dependencies, so it does not change what is called.
        let reference = spec.split('[').next().unwrap_or("").trim();
        let (module, object) = reference
            .split_once(':')
            .ok_or_else(|| bad("expected module:object"))?;
        let (module, object) = (module.trim(), object.trim());
        if !dotted_identifier(module) {
            return Err(bad("the module must be a dotted Python name"));
        }
        if !dotted_identifier(object) {
            return Err(bad("the object must be a dotted Python name"));
        }
        Ok(ScriptTarget {
            module: module.to_owned(),
            object: object.to_owned(),
        })
    }

    /// A launcher like the ones pip and uv generate: import, call, exit with its result.
    pub fn launcher(&self, script: &str) -> String {
        let head = self.object.split('.').next().unwrap_or(&self.object);
        format!(
            "#!/usr/bin/env python3\n\
             # Generated by pycontainer for the console script {script:?}.\n\
             import sys\n\
             from {module} import {head}\n\
             \n\
             if __name__ == \"__main__\":\n\
             \x20   sys.argv[0] = {script:?}\n\
             \x20   sys.exit({object}())\n",
            module = self.module,
            object = self.object,
        )
    }
}

fn dotted_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

/// A launcher for `[project.scripts]` entry `name = spec`.
pub fn for_script(name: &str, spec: &str) -> Result<EntryPoint, ProjectError> {
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if !valid_name {
        return Err(ProjectError::BadScript {
            name: name.to_owned(),
            spec: spec.to_owned(),
            reason: "a script name may hold only letters, digits, '-', '_' and '.'".to_owned(),
        });
    }
    let target = ScriptTarget::parse(name, spec)?;
    let path = format!("{LAUNCHER_DIR}/{name}");
    Ok(EntryPoint {
        rule: Rule::ProjectScript {
            name: name.to_owned(),
            target: spec.to_owned(),
        },
        command: vec!["python3".to_owned(), path.clone()],
        launcher: Some(Launcher {
            path,
            content: target.launcher(name),
        }),
        port: None,
        subdir: None,
    })
}

pub fn for_package_main(package: &str) -> EntryPoint {
    EntryPoint {
        rule: Rule::PackageMain {
            package: package.to_owned(),
        },
        command: vec!["python3".to_owned(), "-m".to_owned(), package.to_owned()],
        launcher: None,
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
        launcher: None,
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
    fn a_script_launcher_imports_and_calls_the_target() {
        let ep = for_script("hello", "hello.cli:main").ok();
        let ep = ep.as_ref();
        assert_eq!(
            ep.map(|e| e.command.clone()),
            Some(vec!["python3".into(), "/usr/local/bin/hello".into()])
        );
        let text = ep
            .and_then(|e| e.launcher.as_ref())
            .map(|l| l.content.clone())
            .unwrap_or_default();
        assert!(text.contains("from hello.cli import main\n"), "{text}");
        assert!(text.contains("sys.exit(main())"), "{text}");
    }

    #[test]
    fn an_attribute_target_imports_its_head_and_calls_the_path() {
        let t = ScriptTarget::parse("x", "pkg.mod:App.run [cli]").ok();
        let text = t.map(|t| t.launcher("x")).unwrap_or_default();
        assert!(
            text.contains("from pkg.mod import App\n") && text.contains("sys.exit(App.run())"),
            "{text}"
        );
    }

    #[test]
    fn bad_specs_name_the_script() {
        for spec in [
            "hello.cli",
            "hello cli:main",
            ":main",
            "m:",
            "1m:f",
            "m:f-g",
        ] {
            let e = ScriptTarget::parse("hello", spec)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.contains("hello") && e.contains(spec), "{spec}: {e}");
        }
        assert!(for_script("../evil", "a:b").is_err());
    }
}
