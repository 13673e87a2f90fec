//! pyproject.toml: `[project]`, Poetry's tables and `[tool.pycontainer]`.

use pycontainer::parsers::{pyproject, Settings};

use super::{seeds_of, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "pyproject",
    seed_files: &[
        "examples/hello-cli/pyproject.toml",
        "examples/fastapi-app/pyproject.toml",
        "examples/flask-app/pyproject.toml",
        "examples/django-app/pyproject.toml",
        "tests/fixtures/deps/fastapi-app/pyproject.toml",
        "tests/fixtures/deps/poetry-app/pyproject.toml",
    ],
    seeds: || {
        seeds_of(&[
            "[project]\nname = \"x\"\nversion = \"1\"\nreadme = 3\nauthors = \"a\"\ndynamic = [1]\n[project.scripts]\nx = \"m:f\"\n",
            "[tool.pycontainer]\nport = [8000, \"9000/udp\"]\nenv = { A = \"1\" }\nuser = \"app:app\"\nentrypoint = [\"a\", \"b\"]\nwritable = [\"../x\"]\n",
            "[tool.poetry]\nname = \"p\"\n[tool.poetry.dependencies]\npython = \"^3.9\"\nx = { version = \"~1.2\", extras = [\"a\"], markers = \"os_name == 'posix'\" }\n",
            "project = 1\n",
        ])
    },
    dictionary: &[
        "[project]",
        "[tool.pycontainer]",
        "[tool.poetry]",
        " = ",
        "\"",
        "[",
        "]",
        "{",
        "}",
        "\n",
        "requires-python",
        "dependencies",
        "optional-dependencies",
        "scripts",
        "dynamic",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 1000,
};

/// The file is read, and its `[tool.pycontainer]` table checked against the schema.
fn check(input: &[u8]) -> Result<(), String> {
    if let Ok(metadata) = pyproject("pyproject.toml", &text(input)) {
        if let Some(table) = &metadata.tool_config {
            let _ = Settings::from_table("pyproject.toml [tool.pycontainer]", table);
        }
    }
    Ok(())
}
