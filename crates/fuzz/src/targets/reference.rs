//! Image references (`--base-image`, `--tag`, push destinations).

use pycontainer_oci::Reference;

use super::{seeds_of, text, TEXT};
use crate::{grammar, Target};

pub static TARGET: Target = Target {
    name: "reference",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            "python:3.11-slim",
            "docker.io/library/python:3.11-slim",
            "ghcr.io/org/app:1.0@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "localhost:5000/a/b/c:latest",
            "[::1]:5000/x",
            "127.0.0.1:5000/hello-cli:0.1.0",
            "UPPER/case",
            "a//b",
        ])
    },
    dictionary: &[
        "/",
        ":",
        "@",
        "sha256:",
        "docker.io/",
        "library/",
        "localhost",
        "[",
        "]",
        ".",
        "-",
        "__",
        "latest",
    ],
    grammar: Some(grammar::reference),
    check,
    memory: TEXT,
    smoke_cases: 3000,
};

/// A reference that parses prints as one that parses back to itself.
fn check(input: &[u8]) -> Result<(), String> {
    let Ok(reference) = Reference::parse(&text(input)) else {
        return Ok(());
    };
    let shown = reference.to_string();
    match Reference::parse(&shown) {
        Ok(again) if again == reference => Ok(()),
        Ok(again) => Err(format!(
            "{shown:?} parses back as {again:?}, not {reference:?}"
        )),
        Err(e) => Err(format!(
            "{shown:?}, printed from {reference:?}, does not parse: {e}"
        )),
    }
}
