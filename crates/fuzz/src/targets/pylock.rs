//! pylock.toml (PEP 751), pycontainer's own and other tools'.

use pycontainer_pypi::lock::pylock;

use super::{linux, selections, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "pylock",
    seed_files: &[
        "examples/django-app/pylock.toml",
        "examples/fastapi-app/pylock.toml",
        "examples/flask-app/pylock.toml",
    ],
    seeds: Vec::new,
    dictionary: &[
        "[[packages]]",
        "name = ",
        "version = ",
        "lock-version = ",
        "marker = ",
        "[[packages.wheels]]",
        "hashes = { sha256 = \"",
        "default-groups",
        "extras",
        "dependency-groups",
        "requires-python = ",
        "\n",
        "\"",
        "]",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 120,
};

fn check(input: &[u8]) -> Result<(), String> {
    let text = text(input);
    let env = linux();
    let _ = pylock::requires_python(&text, "pylock.toml");
    for selection in selections() {
        let _ = pylock::check_selection(&text, "pylock.toml", &selection);
        let _ = pylock::read(&text, "pylock.toml", &env, &selection);
    }
    Ok(())
}
