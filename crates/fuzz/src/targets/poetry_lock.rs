//! poetry.lock, walked from the roots a pyproject.toml gives.

use pycontainer_pypi::lock::poetry;
use pycontainer_python::pep508::Requirement;

use super::{linux, selections, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "poetry-lock",
    seed_files: &["tests/fixtures/locks/poetry.lock"],
    seeds: Vec::new,
    dictionary: &[
        "[[package]]",
        "name = ",
        "version = ",
        "[package.dependencies]",
        "[package.extras]",
        "markers = ",
        "[metadata]",
        "lock-version = ",
        "python-versions = ",
        "files = [",
        "{file = ",
        "\n",
        "\"",
        "]",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 50,
};

fn check(input: &[u8]) -> Result<(), String> {
    let text = text(input);
    let env = linux();
    let roots: Vec<Requirement> = [
        "fastapi",
        "uvicorn[standard]>=0.30",
        "numpy>=1.26 ; python_version >= \"3.9\"",
    ]
    .iter()
    .map(|r| Requirement::parse(r).map_err(|e| format!("{r}: {e}")))
    .collect::<Result<_, _>>()?;
    for selection in selections() {
        let _ = poetry::read(&text, "poetry.lock", &env, &selection, &roots);
    }
    let _ = poetry::directory_package(&text, "poetry.lock", "../lib");
    Ok(())
}
