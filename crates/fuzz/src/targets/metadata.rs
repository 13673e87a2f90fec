//! Core metadata (a wheel's METADATA, an sdist's PKG-INFO), as indexes serve it too.

use pycontainer_python::metadata;

use super::{seeds_of, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "metadata",
    seed_files: &[
        "tests/fixtures/metadata/fastapi-METADATA",
        "tests/fixtures/metadata/idna-0.2-PKG-INFO",
        "tests/fixtures/metadata/uvicorn-METADATA",
    ],
    seeds: || {
        seeds_of(&["Metadata-Version: 2.1\nName: x\nVersion: 1\nRequires-Dist: a ; extra == 'b'\nProvides-Extra: B_\n\nbody"])
    },
    dictionary: &[
        "\n",
        ": ",
        "Name",
        "Version",
        "Requires-Dist",
        "Requires-Python",
        "Provides-Extra",
        "\n ",
        "\n\n",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 800,
};

fn check(input: &[u8]) -> Result<(), String> {
    let _ = metadata::parse(&text(input));
    Ok(())
}
