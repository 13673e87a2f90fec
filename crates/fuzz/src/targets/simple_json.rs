//! Simple API project pages in JSON (PEP 691).

use super::{seeds_of, simple_page, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "simple-json",
    seed_files: &["tests/fixtures/index/starlette.json"],
    seeds: || {
        seeds_of(&[
            r#"{"meta":{"api-version":"1.1"},"name":"x","files":[{"filename":"x-1.0-py3-none-any.whl","url":"../../x.whl#sha256=00","hashes":{"sha256":"00"},"requires-python":">=3.8","yanked":true,"core-metadata":{"sha256":"ab"},"size":12}]}"#,
        ])
    },
    dictionary: &[
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "\"filename\"",
        "\"url\"",
        "\"hashes\"",
        "\"yanked\"",
        "\"requires-python\"",
        "\"core-metadata\"",
        "\"data-dist-info-metadata\"",
        "\\u0000",
        "null",
        "true",
    ],
    grammar: None,
    check: |input| simple_page(input, "application/vnd.pypi.simple.v1+json"),
    memory: TEXT,
    smoke_cases: 600,
};
