//! uv.lock: the package graph, forks, extras and groups.

use pycontainer_pypi::lock::{uvlock, Selection};

use super::{linux, selections, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "uv-lock",
    seed_files: &["tests/fixtures/locks/uv.lock"],
    seeds: Vec::new,
    dictionary: &[
        "[[package]]",
        "name = ",
        "version = ",
        "source = { editable = \".\" }",
        "dependencies = [",
        "{ name = \"",
        "marker = \"",
        "resolution-markers",
        "[package.optional-dependencies]",
        "\n",
        "\"",
        "]",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 40,
};

fn check(input: &[u8]) -> Result<(), String> {
    let text = text(input);
    let env = linux();
    let _ = uvlock::requires_python(&text, "uv.lock");
    for selection in selections() {
        let _ = uvlock::check_selection(&text, "uv.lock", &selection, None);
        let _ = uvlock::read(&text, "uv.lock", &env, &selection, None);
    }
    let _ = uvlock::read(
        &text,
        "uv.lock",
        &env,
        &Selection::default(),
        Some("packages/a"),
    );
    Ok(())
}
