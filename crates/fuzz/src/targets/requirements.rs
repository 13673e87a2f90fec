//! requirements.txt and constraints files, pip's options and `${VAR}` included.

use pycontainer_pypi::lock::requirements::{self, Role};

use super::{seeds_of, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "requirements",
    seed_files: &["tests/fixtures/deps/fastapi-app/requirements.txt"],
    seeds: || {
        seeds_of(&[
            "-r other.txt\n-c constraints.txt\n--index-url https://${TOKEN}@example.com/simple\nflask==3.0 \\\n    --hash=sha256:00ff\n",
            "-e .\n--extra-index-url=https://x/simple # comment\nname @ https://h/p.whl ; python_version>'3'\n",
            "requests[security]>=2 ; sys_platform == 'linux' --hash sha256:ab\n\\\n\\\n",
            "--find-links ./wheels\n--no-binary :all:\n--only-binary=numpy\n--pre\n",
        ])
    },
    dictionary: &[
        "\\\n",
        "--hash=sha256:",
        "-r ",
        "-c ",
        "-e ",
        "--index-url ",
        "${",
        "}",
        "#",
        ";",
        "@",
        "==",
        "\n",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 300,
};

/// Every line is read, `${VAR}` expanded, and each line's name looked up.
fn check(input: &[u8]) -> Result<(), String> {
    let text = text(input);
    let env = |name: &str| (name == "TOKEN").then(|| "s3cr3t".to_owned());
    let roles = [Role::Requirements, Role::Constraints];
    let files: Vec<_> = roles
        .into_iter()
        .filter_map(|role| requirements::parse(&text, "requirements.txt", role, &env).ok())
        .collect();
    requirements::combine(files);
    for line in text.lines().take(200) {
        requirements::name_of(line);
    }
    Ok(())
}
