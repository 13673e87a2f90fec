//! pycontainer.toml: the `[build]` table of settings.

use pycontainer::parsers::from_config_file;

use super::{seeds_of, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "pycontainer-toml",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            "[build]\ntags = [\"app:1.0\", \"app:latest\"]\nbase-image = \"python:3.11-slim\"\nplatform = \"linux/arm64/v8\"\n",
            "[build]\nport = [8000]\nenv = { A = \"1\", B = \"x=y\" }\nlabels = { \"org.opencontainers.image.title\" = \"t\" }\nuser = \"65532:65532\"\n",
            "[build]\ncmd = \"serve --port 8000 'a b'\"\nentrypoint = [\"python\", \"-m\", \"app\"]\ninclude = [\"**/*.py\", \"!tests\"]\nchunk-size = \"1MiB\"\nparallel = 4\n",
            "[build]\nenv-file = \".env\"\nworkdir = \"/app\"\npython = \"3.12\"\ncompile = false\nwritable = [\"/data\"]\n[build.deps]\nextras = [\"a\"]\n",
            "[other]\nx = 1\n",
        ])
    },
    dictionary: &[
        "[build]",
        " = ",
        "\"",
        "[",
        "]",
        "{",
        "}",
        "\n",
        "tags",
        "port",
        "env",
        "user",
        "cmd",
        "entrypoint",
        "chunk-size",
        "parallel",
        "\\u0000",
        "\\n",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 1000,
};

fn check(input: &[u8]) -> Result<(), String> {
    let _ = from_config_file("pycontainer.toml", &text(input));
    Ok(())
}
