//! Reads the parts of pyproject.toml that shape the image.

use toml::{Table, Value};

use super::ProjectError;

/// The project metadata pycontainer uses, from `[project]` (PEP 621) or `[tool.poetry]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    /// `[project.scripts]` in file order: (command name, `module:object` spec).
    pub scripts: Vec<(String, String)>,
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
    let fields = Fields { file, doc: &doc };
    let poetry = ["tool", "poetry"];
    Ok(Metadata {
        name: fields
            .string(&["project", "name"])?
            .or(fields.string(&[&poetry[..], &["name"]].concat())?),
        version: fields
            .string(&["project", "version"])?
            .or(fields.string(&[&poetry[..], &["version"]].concat())?),
        description: fields.string(&["project", "description"])?,
        scripts: match fields.table(&["project", "scripts"])? {
            Some(t) => fields.string_map(t, "project.scripts")?,
            None => match fields.table(&[&poetry[..], &["scripts"]].concat())? {
                Some(t) => fields.string_map(t, "tool.poetry.scripts")?,
                None => Vec::new(),
            },
        },
    })
}

struct Fields<'a> {
    file: &'a str,
    doc: &'a Table,
}

impl<'a> Fields<'a> {
    fn get(&self, path: &[&str]) -> Option<&'a Value> {
        let (last, parents) = path.split_last()?;
        let mut table = self.doc;
        for key in parents {
            table = table.get(*key)?.as_table()?;
        }
        table.get(*last)
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &Value) -> ProjectError {
        ProjectError::PyprojectField {
            file: self.file.to_owned(),
            key: key.to_owned(),
            message: format!("must be {expected}, found {}", found.type_str()),
        }
    }

    fn string(&self, path: &[&str]) -> Result<Option<String>, ProjectError> {
        match self.get(path) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong_type(&path.join("."), "a string", other)),
        }
    }

    fn table(&self, path: &[&str]) -> Result<Option<&'a Table>, ProjectError> {
        match self.get(path) {
            None => Ok(None),
            Some(Value::Table(t)) => Ok(Some(t)),
            Some(other) => Err(self.wrong_type(&path.join("."), "a table", other)),
        }
    }

    fn string_map(&self, table: &Table, key: &str) -> Result<Vec<(String, String)>, ProjectError> {
        table
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(self.wrong_type(&format!("{key}.{k}"), "a string", other)),
            })
            .collect()
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

    #[test]
    fn reads_pep621_fields_and_keeps_script_order() {
        let m = parse(
            "pyproject.toml",
            "[project]\nname = \"hello\"\nversion = \"1.2\"\n[project.scripts]\nzeta = \"a:b\"\nalpha = \"c.d:e\"\n",
        );
        let m = m.unwrap_or_default();
        assert_eq!(m.name.as_deref(), Some("hello"));
        assert_eq!(m.version.as_deref(), Some("1.2"));
        assert_eq!(
            m.scripts,
            vec![
                ("zeta".into(), "a:b".into()),
                ("alpha".into(), "c.d:e".into())
            ]
        );
    }

    #[test]
    fn falls_back_to_poetry() {
        let m = parse(
            "p",
            "[tool.poetry]\nname = \"p\"\n[tool.poetry.scripts]\nrun = \"p.cli:main\"\n",
        );
        let m = m.unwrap_or_default();
        assert_eq!(m.name.as_deref(), Some("p"));
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
        let e = parse("p.toml", "[project]\nname = 3\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("project.name") && e.contains("string"), "{e}");
        let e = parse("p.toml", "[project.scripts]\nx = 1\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("project.scripts.x"), "{e}");
    }
}
