//! `--env-file` / `env-file`: Docker's `KEY=VALUE` lines.

use pycontainer::parsers::parse_env_file;

use super::{seeds_of, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "env-file",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            "# comment\nA=1\nB=\"two words\"\nexport C='x'\nD\n=bad\nE=a=b\n",
            "KEY=\\\nvalue\r\n\n\t  SPACED = x \n",
        ])
    },
    dictionary: &["=", "\n", "#", "\"", "'", "export ", "\\", "\r\n"],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 2000,
};

fn check(input: &[u8]) -> Result<(), String> {
    let _ = parse_env_file(".env", &text(input));
    Ok(())
}
