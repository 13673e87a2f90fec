//! Index pages kept parsed in the cache (`pycontainer_pypi::index::compact`):
//! a cache file can be cut short or overwritten, so reading one back must
//! refuse anything it did not write, and whatever it accepts must encode
//! to the same bytes.

use super::TEXT;
use crate::Target;
use pycontainer_pypi::index::{self, compact};

pub static TARGET: Target = Target {
    name: "parsed-page",
    seed_files: &[],
    seeds: || {
        let page = index::parse_project(
            include_bytes!("../../../../tests/fixtures/index/starlette.json"),
            Some("application/vnd.pypi.simple.v1+json"),
            "https://pypi.org/simple/starlette/",
        );
        page.map(|p| vec![compact::encode(&p)]).unwrap_or_default()
    },
    dictionary: &[
        "PYCPAGE1",
        "\u{1}\0\0\0",
        "\u{ff}\u{ff}\u{ff}\u{ff}",
        ">=3.8",
        "sha256",
    ],
    grammar: None,
    check: |input| match compact::decode(input) {
        Some(page) if compact::encode(&page) != input => {
            Err("a page read back encodes to other bytes".to_owned())
        }
        _ => Ok(()),
    },
    memory: TEXT,
    smoke_cases: 600,
};
