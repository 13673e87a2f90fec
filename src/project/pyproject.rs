//! Reads the parts of pyproject.toml that shape the image: PEP 621 `[project]`, Poetry, `[tool.pycontainer]`.

use std::str::FromStr;

use pycontainer_python::name::PackageName;
use pycontainer_python::pep440::Version;
use toml::{Table, Value};

use super::{scripts, ProjectError};

/// The project metadata pycontainer uses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    /// An SPDX expression, or the license text's first line.
    pub license: Option<String>,
    /// `[project.urls]` (or Poetry's homepage/repository/documentation), in file order.
    pub urls: Vec<(String, String)>,
    /// PEP 440 specifiers from `requires-python`.
    pub requires_python: Option<String>,
    /// Poetry's `python = "^3.10"` constraint, which is not PEP 440.
    pub poetry_python: Option<String>,
    /// PEP 508 requirement strings (Poetry dependencies as bare names).
    pub dependencies: Vec<String>,
    pub optional_dependencies: Vec<(String, Vec<String>)>,
    /// PEP 735 `[dependency-groups]`, or Poetry's groups as bare names.
    pub dependency_groups: Vec<(String, Vec<String>)>,
    /// Lines of requirements.txt, kept apart: only framework detection mixes them in.
    pub requirements_txt: Vec<String>,
    /// Console scripts in file order: (command name, `module:object` spec).
    pub scripts: Vec<(String, String)>,
    pub gui_scripts: Vec<(String, String)>,
    /// `[tool.pycontainer]`, checked later against the config schema.
    pub tool_config: Option<Table>,
}

/// Parses pyproject.toml text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Metadata, ProjectError> {
    let doc: Table = text.parse().map_err(|e: toml::de::Error| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ProjectError::PyprojectSyntax {
            file: file.to_owned(),
            line,
            column,
            message: e.message().trim().to_owned(),
        }
    })?;
    let f = Fields { file, doc: &doc };
    let mut m = Metadata {
        name: f.string("project.name")?.or(f.string("tool.poetry.name")?),
        version: f
            .string("project.version")?
            .or(f.string("tool.poetry.version")?),
        description: f
            .string("project.description")?
            .or(f.string("tool.poetry.description")?),
        license: f.license()?,
        urls: match f.table("project.urls")? {
            Some(t) => f.string_map(t, "project.urls")?,
            None => ["homepage", "repository", "documentation"]
                .iter()
                .filter_map(|k| {
                    f.string(&format!("tool.poetry.{k}"))
                        .transpose()
                        .map(|v| v.map(|v| ((*k).to_owned(), v)))
                })
                .collect::<Result<_, _>>()?,
        },
        requires_python: f.string("project.requires-python")?,
        dependencies: f.strings("project.dependencies")?,
        tool_config: f.table("tool.pycontainer")?.cloned(),
        ..Metadata::default()
    };
    f.check_unused()?;
    // The name and version go into the image's dist-info and the lock: a
    // value no installer accepts is the project's error, said here.
    let table = if f.has("project")? {
        "project"
    } else {
        "tool.poetry"
    };
    if let Some(name) = &m.name {
        if let Err(e) = PackageName::new(name) {
            return Err(f.invalid(&format!("{table}.name"), name, &e.to_string()));
        }
    }
    if let Some(version) = &m.version {
        if let Err(e) = Version::from_str(version) {
            return Err(f.invalid(&format!("{table}.version"), version, &e.to_string()));
        }
    }
    let scripts_key = if f.has("project.scripts")? {
        "project.scripts"
    } else {
        "tool.poetry.scripts"
    };
    m.scripts = f.scripts(scripts_key)?;
    m.gui_scripts = f.scripts("project.gui-scripts")?;
    scripts::check(
        file,
        &[
            (scripts_key, &m.scripts),
            ("project.gui-scripts", &m.gui_scripts),
        ],
    )?;
    if let Some(extras) = f.table("project.optional-dependencies")? {
        for (extra, _) in extras {
            m.optional_dependencies.push((
                extra.clone(),
                f.strings(&format!("project.optional-dependencies.{extra}"))?,
            ));
        }
    }
    if let Some(groups) = f.table("dependency-groups")? {
        for (group, _) in groups {
            // `{include-group = "x"}` tables are not requirement strings;
            // they are resolved when the group is selected.
            let key = format!("dependency-groups.{group}");
            let list = match f.get(&key)? {
                Some(Value::Array(items)) => items.clone(),
                Some(other) => return Err(f.wrong(&key, "an array", other)),
                None => Vec::new(),
            };
            let mut names = Vec::new();
            for item in &list {
                match item {
                    Value::String(s) => names.push(s.clone()),
                    Value::Table(t) => match t.get("include-group").and_then(Value::as_str) {
                        Some(other) => names.push(format!("include-group:{other}")),
                        None => {
                            return Err(f.wrong(
                                &key,
                                "requirement strings or {include-group = ...} tables",
                                item,
                            ))
                        }
                    },
                    other => return Err(f.wrong(&key, "requirement strings", other)),
                }
            }
            m.dependency_groups.push((group.clone(), names));
        }
    }
    if let Some(groups) = f.table("tool.poetry.group")? {
        for (group, table) in groups {
            let names = table
                .get("dependencies")
                .and_then(Value::as_table)
                .map(|t| t.keys().filter(|k| *k != "python").cloned().collect())
                .unwrap_or_default();
            m.dependency_groups.push((group.clone(), names));
        }
    }
    if let Some(deps) = f.table("tool.poetry.dependencies")? {
        for (name, spec) in deps {
            if name == "python" {
                m.poetry_python = Some(match spec {
                    Value::String(s) => s.clone(),
                    other => {
                        return Err(f.wrong("tool.poetry.dependencies.python", "a string", other))
                    }
                });
            } else if !f.has("project.dependencies")? {
                m.dependencies.push(poetry_requirement(name, spec));
            }
        }
    }
    Ok(m)
}

/// A Poetry dependency as a PEP 508 string: its name, extras and markers.
/// The version constraint is Poetry's own syntax, and the lock pins the
/// version anyway, so it is left out.
fn poetry_requirement(name: &str, spec: &Value) -> String {
    let Value::Table(t) = spec else {
        return name.to_owned();
    };
    let extras: Vec<&str> = t
        .get("extras")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = name.to_owned();
    if !extras.is_empty() {
        out.push_str(&format!("[{}]", extras.join(",")));
    }
    if let Some(markers) = t.get("markers").and_then(Value::as_str) {
        out.push_str(&format!(" ; {markers}"));
    }
    out
}

struct Fields<'a> {
    file: &'a str,
    doc: &'a Table,
}

impl<'a> Fields<'a> {
    /// The value at a dotted key. A table on the way that is something
    /// else (`project = 1`) is an error naming it, never "not set".
    fn get(&self, dotted: &str) -> Result<Option<&'a Value>, ProjectError> {
        let mut parts = dotted.split('.').peekable();
        let mut table = self.doc;
        let mut path = String::new();
        while let Some(key) = parts.next() {
            let Some(value) = table.get(key) else {
                return Ok(None);
            };
            if parts.peek().is_none() {
                return Ok(Some(value));
            }
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            table = value
                .as_table()
                .ok_or_else(|| self.wrong(&path, "a table", value))?;
        }
        Ok(None)
    }

    fn has(&self, dotted: &str) -> Result<bool, ProjectError> {
        Ok(self.get(dotted)?.is_some())
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> ProjectError {
        ProjectError::PyprojectField {
            file: self.file.to_owned(),
            key: key.to_owned(),
            message: format!("must be {expected}, found {}", found.type_str()),
        }
    }

    fn invalid(&self, key: &str, value: &str, why: &str) -> ProjectError {
        ProjectError::PyprojectField {
            file: self.file.to_owned(),
            key: key.to_owned(),
            message: format!("{value:?} is not valid: {why}"),
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, ProjectError> {
        match self.get(key)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, ProjectError> {
        match self.get(key)? {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| self.wrong(key, "an array of strings", v))
                })
                .collect(),
            Some(other) => Err(self.wrong(key, "an array of strings", other)),
        }
    }

    fn table(&self, key: &str) -> Result<Option<&'a Table>, ProjectError> {
        match self.get(key)? {
            None => Ok(None),
            Some(Value::Table(t)) => Ok(Some(t)),
            Some(other) => Err(self.wrong(key, "a table", other)),
        }
    }

    /// A table of scripts, `name = "module:object"`, in file order.
    fn scripts(&self, key: &str) -> Result<Vec<(String, String)>, ProjectError> {
        match self.table(key)? {
            Some(t) => self.string_map(t, key),
            None => Ok(Vec::new()),
        }
    }

    fn string_map(&self, table: &Table, key: &str) -> Result<Vec<(String, String)>, ProjectError> {
        table
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(self.wrong(&format!("{key}.{k}"), "a string", other)),
            })
            .collect()
    }

    /// PEP 621 fields the image does not use, checked all the same: a
    /// wrong type there breaks every other tool that reads the file.
    fn check_unused(&self) -> Result<(), ProjectError> {
        for key in ["keywords", "classifiers", "dynamic", "license-files"] {
            self.strings(&format!("project.{key}"))?;
        }
        match self.get("project.readme")? {
            None | Some(Value::String(_)) => {}
            Some(Value::Table(t)) => {
                let readme = "project.readme";
                self.string_map(t, readme)?;
                if !t.contains_key("file") && !t.contains_key("text") {
                    return Err(self.wrong(
                        readme,
                        "a table with `file` or `text`",
                        &Value::Table(t.clone()),
                    ));
                }
            }
            Some(other) => return Err(self.wrong("project.readme", "a string or a table", other)),
        }
        for key in ["authors", "maintainers"] {
            let key = format!("project.{key}");
            let people = "an array of {name = …, email = …} tables";
            match self.get(&key)? {
                None => {}
                Some(Value::Array(items)) => {
                    for item in items {
                        let person = item
                            .as_table()
                            .ok_or_else(|| self.wrong(&key, people, item))?;
                        self.string_map(person, &key)?;
                    }
                }
                Some(other) => return Err(self.wrong(&key, people, other)),
            }
        }
        if let Some(groups) = self.table("project.entry-points")? {
            for (group, _) in groups {
                self.scripts(&format!("project.entry-points.{group}"))?;
            }
        }
        Ok(())
    }

    /// PEP 639's `license = "MIT"`, PEP 621's `{text = …}` or `{file = …}`, or Poetry's string.
    fn license(&self) -> Result<Option<String>, ProjectError> {
        match self.get("project.license")? {
            None => self.string("tool.poetry.license"),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Table(t)) => match (t.get("text"), t.get("file")) {
                (Some(Value::String(text)), _) => Ok(text
                    .lines()
                    .next()
                    .map(|l| l.trim().to_owned())
                    .filter(|l| !l.is_empty())),
                // The file's content is not a license identifier; say nothing rather than guess.
                (None, Some(Value::String(_))) => Ok(None),
                _ => Err(self.wrong(
                    "project.license",
                    "a string, {text = …} or {file = …}",
                    &Value::Table(t.clone()),
                )),
            },
            Some(other) => Err(self.wrong("project.license", "a string or a table", other)),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Metadata {
        parse("pyproject.toml", text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn poetry_dependencies_keep_their_extras_and_markers() {
        let m = parsed(
            r#"[tool.poetry.dependencies]
python = "^3.11"
fastapi = ">=0.115,<1"
uvicorn = { version = ">=0.30", extras = ["standard"] }
pywin32 = { version = "*", markers = "sys_platform == 'win32'" }
"#,
        );
        assert_eq!(
            m.dependencies,
            vec![
                "fastapi",
                "uvicorn[standard]",
                "pywin32 ; sys_platform == 'win32'"
            ]
        );
    }

    #[test]
    fn reads_dependency_groups_of_pep735_and_poetry() {
        let m = parsed(
            r#"[dependency-groups]
test = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]
[tool.poetry.group.docs.dependencies]
python = "^3.10"
mkdocs = "^1.5"
"#,
        );
        assert_eq!(
            m.dependency_groups,
            vec![
                (
                    "test".to_owned(),
                    vec!["pytest>=8".to_owned(), "include-group:lint".to_owned()]
                ),
                ("lint".to_owned(), vec!["ruff".to_owned()]),
                ("docs".to_owned(), vec!["mkdocs".to_owned()]),
            ]
        );
        let e = parse("pyproject.toml", "[dependency-groups]\nx = [1]\n").unwrap_err();
        assert!(e.to_string().contains("dependency-groups.x"), "{e}");
    }

    #[test]
    fn reads_pep621_fields_and_keeps_script_order() {
        let m = parsed(
            r#"[project]
name = "hello"
version = "1.2"
license = {text = "MIT"}
requires-python = ">=3.10"
dependencies = ["fastapi>=0.100", "uvicorn[standard]"]
[project.optional-dependencies]
dev = ["pytest"]
[project.urls]
Homepage = "https://example.org"
Source = "https://git.example.org/hello"
[project.scripts]
zeta = "a:b"
alpha = "c.d:e"
[project.gui-scripts]
win = "g:h"
[tool.pycontainer]
python = "3.12"
"#,
        );
        assert_eq!(m.name.as_deref(), Some("hello"));
        assert_eq!(m.license.as_deref(), Some("MIT"));
        assert_eq!(m.requires_python.as_deref(), Some(">=3.10"));
        assert_eq!(m.dependencies, vec!["fastapi>=0.100", "uvicorn[standard]"]);
        assert_eq!(
            m.optional_dependencies,
            vec![("dev".into(), vec!["pytest".into()])]
        );
        assert_eq!(
            m.urls[1],
            ("Source".into(), "https://git.example.org/hello".into())
        );
        assert_eq!(
            m.scripts,
            vec![
                ("zeta".into(), "a:b".into()),
                ("alpha".into(), "c.d:e".into())
            ]
        );
        assert_eq!(m.gui_scripts.len(), 1);
        assert!(m.tool_config.is_some_and(|t| t.contains_key("python")));
    }

    #[test]
    fn reads_poetry() {
        let m = parsed(
            "[tool.poetry]\nname = \"p\"\nlicense = \"Apache-2.0\"\nhomepage = \"https://h\"\n[tool.poetry.dependencies]\npython = \"^3.10\"\nflask = \"^2\"\ngunicorn = {version = \"*\"}\n[tool.poetry.scripts]\nrun = \"p.cli:main\"\n",
        );
        assert_eq!(m.name.as_deref(), Some("p"));
        assert_eq!(m.poetry_python.as_deref(), Some("^3.10"));
        assert_eq!(m.dependencies, vec!["flask", "gunicorn"]);
        assert_eq!(m.license.as_deref(), Some("Apache-2.0"));
        assert_eq!(m.urls, vec![("homepage".into(), "https://h".into())]);
        assert_eq!(m.scripts, vec![("run".into(), "p.cli:main".into())]);
    }

    #[test]
    fn a_syntax_error_names_file_line_and_column() {
        let e = parse(
            "/x/pyproject.toml",
            "[project]\nname = \"a\"\nversion = = 1\n",
        );
        let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.starts_with("/x/pyproject.toml:3:"), "{msg}");
    }

    #[test]
    fn a_wrong_type_names_the_key() {
        let e = |t: &str| {
            parse("p.toml", t)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(e("[project]\nname = 3\n").contains("project.name"));
        assert!(e("[project.scripts]\nx = 1\n").contains("project.scripts.x"));
        assert!(e("[project]\ndependencies = \"flask\"\n").contains("project.dependencies"));
        assert!(e("[tool]\npycontainer = 1\n").contains("tool.pycontainer"));
    }

    #[test]
    fn every_project_field_of_the_wrong_type_names_the_file_key_and_type() {
        for (toml, key, expected) in [
            ("project = 1", "`project`", "a table"),
            (
                "[project]\nreadme = 1",
                "`project.readme`",
                "a string or a table",
            ),
            (
                "[project]\nreadme = {content-type = \"text/x-rst\"}",
                "`project.readme`",
                "`file` or `text`",
            ),
            (
                "[project]\nreadme = {file = 1}",
                "`project.readme.file`",
                "a string",
            ),
            (
                "[project]\nauthors = \"me\"",
                "`project.authors`",
                "{name = …, email = …}",
            ),
            (
                "[project]\nauthors = [\"me\"]",
                "`project.authors`",
                "{name = …, email = …}",
            ),
            (
                "[project]\nmaintainers = [{name = 1}]",
                "`project.maintainers.name`",
                "a string",
            ),
            (
                "[project]\nkeywords = \"a, b\"",
                "`project.keywords`",
                "an array of strings",
            ),
            (
                "[project]\nclassifiers = [1]",
                "`project.classifiers`",
                "an array of strings",
            ),
            (
                "[project]\ndynamic = \"version\"",
                "`project.dynamic`",
                "an array of strings",
            ),
            (
                "[project]\nentry-points = 1",
                "`project.entry-points`",
                "a table",
            ),
            (
                "[project.entry-points]\nx = \"a:b\"",
                "`project.entry-points.x`",
                "a table",
            ),
            (
                "[project.entry-points.x]\ny = 1",
                "`project.entry-points.x.y`",
                "a string",
            ),
            ("[project]\nscripts = 1", "`project.scripts`", "a table"),
            (
                "[project]\ndependencies = \"flask\"",
                "`project.dependencies`",
                "an array of strings",
            ),
            (
                "[project]\noptional-dependencies = []",
                "`project.optional-dependencies`",
                "a table",
            ),
            (
                "[project.optional-dependencies]\ndev = \"x\"",
                "`project.optional-dependencies.dev`",
                "an array of strings",
            ),
            (
                "[project]\nrequires-python = 3.9",
                "`project.requires-python`",
                "a string",
            ),
            ("[project]\nversion = 1", "`project.version`", "a string"),
            ("[project]\nname = [\"a\"]", "`project.name`", "a string"),
            (
                "[dependency-groups]\ntest = \"pytest\"",
                "`dependency-groups.test`",
                "an array",
            ),
            ("tool = 1", "`tool`", "a table"),
        ] {
            let e = parse("/c/pyproject.toml", toml)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                e.starts_with(&format!("/c/pyproject.toml: {key} must be "))
                    && e.contains(expected),
                "{toml}: {e}"
            );
        }
        parsed("[project]\nreadme = {file = \"README.md\", content-type = \"text/markdown\"}\nauthors = [{name = \"A\", email = \"a@x\"}]\nkeywords = [\"k\"]\ndynamic = []\n[project.entry-points.\"x.y\"]\nz = \"m:f\"\n");
    }

    #[test]
    fn a_bad_script_names_the_file_and_its_table() {
        let e = |t: &str| {
            parse("/p/pyproject.toml", t)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(e("[project.scripts]\n\"../x\" = \"a:b\"\n")
            .starts_with("/p/pyproject.toml: `project.scripts` \"../x\""),);
        assert!(e("[tool.poetry.scripts]\nx = \"a\"\n")
            .starts_with("/p/pyproject.toml: `tool.poetry.scripts` \"x\" = \"a\""));
        assert!(
            e("[project.scripts]\nx = \"a:b\"\n[project.gui-scripts]\nx = \"a:c\"\n")
                .starts_with("/p/pyproject.toml: `project.gui-scripts` \"x\"")
        );
    }
}
