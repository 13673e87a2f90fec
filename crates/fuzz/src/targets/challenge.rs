//! `WWW-Authenticate` headers from registries.

use pycontainer::parsers::Challenge;

use super::{seeds_of, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "challenge",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/python:pull\"",
            "Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",error=\"insufficient_scope\"",
            "Basic realm=\"Registry Realm\"",
            "bearer REALM=\"x\\\"y\", service=a,,",
            "Negotiate, Bearer realm=x",
        ])
    },
    dictionary: &[
        "Bearer ", "Basic ", "realm=", "service=", "error=", "\"", "\\", ",", "=", " ", "\t",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 2000,
};

fn check(input: &[u8]) -> Result<(), String> {
    let header = text(input);
    Challenge::parse(&header);
    Challenge::error(&header);
    Ok(())
}
