//! The files that name the project's Python: `.python-version`, `runtime.txt`,
//! and Poetry's `python = "^3.9"` constraints.

use pycontainer_python::{interpreters, poetry};

use super::{seeds_of, text, TEXT};
use crate::{grammar, Target};

pub static TARGET: Target = Target {
    name: "python-version",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            "3.11\n",
            "3.12.1 # pinned\n\ncpython-3.10\n",
            "python-3.11.2",
            "^3.9",
            "~3.10 || >=3.12,<4",
            ">=3.8,!=3.9.*",
            "3.*",
        ])
    },
    dictionary: &[
        "3.", "^", "~", "||", ",", "*", "python-", "cpython-", "pypy", "#", "\n",
    ],
    grammar: Some(|u| grammar::specifiers(u).map(String::into_bytes)),
    check,
    memory: TEXT,
    smoke_cases: 2000,
};

fn check(input: &[u8]) -> Result<(), String> {
    let text = text(input);
    let _ = interpreters::parse_python_version_file(&text);
    let _ = interpreters::parse_runtime_txt(&text);
    let _ = poetry::constraint_to_specifiers(&text);
    Ok(())
}
