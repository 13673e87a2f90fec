//! Wheel file names, as index pages and locks give them.

use pycontainer_python::tags::PythonTags;
use pycontainer_python::wheel::WheelName;

use super::{seeds_of, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "wheel-name",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            "six-1.17.0-py2.py3-none-any.whl",
            "pydantic_core-2.27.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "numpy-1.26.4-1build-pp39-pypy39_pp73-musllinux_1_1_aarch64.whl",
            "a-1-py3-abi3.none-linux_x86_64.whl",
        ])
    },
    dictionary: &[
        "-",
        "_",
        ".",
        ".whl",
        "py3",
        "cp311",
        "abi3",
        "none",
        "any",
        "manylinux_2_17_x86_64",
        "musllinux_1_2_aarch64",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 2000,
};

/// A name that parses has a dist-info directory and tags a target can rank.
fn check(input: &[u8]) -> Result<(), String> {
    if let Ok(wheel) = WheelName::parse(&text(input)) {
        wheel.dist_info_dir();
        wheel.tags().count();
        PythonTags::for_minor(3, 11).fits(&wheel);
    }
    Ok(())
}
