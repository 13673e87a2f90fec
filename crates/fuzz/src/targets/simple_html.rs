//! Simple API project pages in HTML (PEP 503).

use super::{seeds_of, simple_page, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "simple-html",
    seed_files: &["tests/fixtures/index/starlette.html"],
    seeds: || {
        seeds_of(&["<!DOCTYPE html><html><body><a href=\"../../x-1.0.tar.gz#sha256=00\" data-requires-python=\"&gt;=3.8\" data-yanked=\"\" data-dist-info-metadata=\"sha256=ab\">x-1.0.tar.gz</a><A HREF='y.whl'>y</A><base href=\"https://h/\"><!-- <a href=z> --></body></html>"])
    },
    dictionary: &[
        "<a ",
        "href=\"",
        "\">",
        "</a>",
        "<base href=",
        "&gt;",
        "&amp;",
        "&#",
        ";",
        "<!--",
        "-->",
        "data-requires-python=",
        "data-yanked",
        "data-core-metadata=",
        "#sha256=",
        "'",
        "\"",
    ],
    grammar: None,
    check: |input| simple_page(input, "text/html"),
    memory: TEXT,
    smoke_cases: 400,
};
