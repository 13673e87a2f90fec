//! The Dockerfile text of a [`Recipe`]. Pure: no plan, no host; every
//! decision was made before, and this only spells it the way Docker's
//! parser and `/bin/sh` read it.

use std::collections::BTreeMap;

use super::error::EjectError;

/// What the Dockerfile does, in the build's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipe {
    /// The comment lines above `FROM`, each without its `# `.
    pub header: Vec<String>,
    /// `scratch`, or the base by digest.
    pub from: String,
    pub venv: Option<VenvStep>,
    /// Where the context's files go: the workdir.
    pub copy_to: String,
    /// The files pycontainer writes beside the context's (launchers, the
    /// project's dist-info, the lock), by absolute path, in path order.
    pub writes: Vec<Written>,
    /// Paths handed to a non-root user: its home, the writable directories.
    pub owned: Vec<Owned>,
    pub env: Vec<(String, String)>,
    pub working_dir: String,
    /// `None` keeps the base's.
    pub user: Option<String>,
    pub ports: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub entrypoint: Vec<String>,
    /// `None`: no CMD, as an ENTRYPOINT clears the base's.
    pub cmd: Option<Vec<String>>,
}

/// The venv and what goes into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VenvStep {
    /// The base's interpreter, which the venv runs: `/usr/local/bin/python3`.
    pub interpreter: String,
    pub path: String,
    /// One line a package: `name @ URL --hash=sha256:HEX`.
    pub requirements: Vec<String>,
    /// Whether pip writes `.pyc` files, as the build does.
    pub compile: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    pub mode: u32,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owned {
    pub path: String,
    /// A directory the context may not have: made first.
    pub dir: bool,
    pub owner: u32,
}

/// The Dockerfile.
pub fn render(r: &Recipe) -> Result<String, EjectError> {
    let runs = r.venv.is_some() || !r.writes.is_empty() || !r.owned.is_empty();
    if runs && r.from == "scratch" {
        return Err(EjectError::Unwritable {
            what: "the base".to_owned(),
            value: r.from.clone(),
            why: "the Dockerfile makes the venv and pycontainer's files with RUN, which needs a shell in the base; name a base with one (--base-image)",
        });
    }
    let mut out: String = r.header.iter().map(|l| format!("# {l}\n")).collect();
    out.push_str(&format!("FROM {}\n", r.from));
    if let Some(v) = &r.venv {
        out.push_str(&venv(v));
    }
    out.push_str(&format!(
        "\n# The project's files that pycontainer ships: the ignore file lists them.\nCOPY . {}\n",
        instruction_word("the workdir", &r.copy_to)?
    ));
    if !r.writes.is_empty() {
        out.push_str(
            "\n# What pycontainer writes beside them, as pip would install the project.\n",
        );
        out.push_str(&run(&writes(&r.writes)));
    }
    if !r.owned.is_empty() {
        out.push_str("\n# Handed to the user the image runs as; the rest stays root's.\n");
        out.push_str(&run(&owned(&r.owned)));
    }
    out.push('\n');
    if !r.env.is_empty() {
        out.push_str(&pairs("ENV", &r.env, "a variable")?);
    }
    out.push_str(&format!(
        "WORKDIR {}\n",
        instruction_word("the working directory", &r.working_dir)?
    ));
    if let Some(user) = &r.user {
        out.push_str(&format!("USER {}\n", instruction_word("the user", user)?));
    }
    if !r.ports.is_empty() {
        out.push_str(&format!("EXPOSE {}\n", r.ports.join(" ")));
    }
    if !r.labels.is_empty() {
        let labels: Vec<(String, String)> = r
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.push_str(&pairs("LABEL", &labels, "a label")?);
    }
    out.push_str(&format!("ENTRYPOINT {}\n", json(&r.entrypoint)));
    if let Some(cmd) = &r.cmd {
        out.push_str(&format!("CMD {}\n", json(cmd)));
    }
    Ok(out)
}

/// The venv with the base's interpreter, and the packages installed into
/// it by the base's pip: each the very file the build chose, by URL and
/// hash, so pip resolves nothing. The venv itself gets no pip, as the
/// build's has none. The list goes to pip on stdin: a file in the context
/// would be copied into the workdir with the rest.
fn venv(v: &VenvStep) -> String {
    let python = word(&v.interpreter);
    let mut steps = vec![format!("{python} -m venv --without-pip {}", word(&v.path))];
    let mut install = printf_lines(&v.requirements);
    install.push_str(&format!(
        " \\\n    | {python} -m pip --python {}/bin/python install --no-deps --require-hashes \\\n      --no-cache-dir --disable-pip-version-check --no-input{} -r /dev/stdin",
        word(&v.path),
        if v.compile { "" } else { " --no-compile" }
    ));
    steps.push(install);
    format!(
        "\n# The dependencies, from the build's resolution: one file each, checked by its hash.\n{}",
        run(&steps)
    )
}

/// Each file made with its parents, its text and its mode.
fn writes(files: &[Written]) -> Vec<String> {
    let mut parents: Vec<&str> = files
        .iter()
        .filter_map(|f| f.path.rsplit_once('/').map(|(dir, _)| dir))
        .filter(|dir| !dir.is_empty())
        .collect();
    pycontainer_sort::sort(&mut parents);
    parents.dedup();
    let mut steps = vec![format!("mkdir -p {}", words(&parents))];
    for f in files {
        let path = word(&f.path);
        let lines = |body: &str| -> Vec<String> { body.split('\n').map(str::to_owned).collect() };
        steps.push(
            match (f.text.strip_suffix('\n'), f.text.rsplit_once('\n')) {
                _ if f.text.is_empty() => format!(": > {path}"),
                (Some(body), _) => format!("{} \\\n      > {path}", printf_lines(&lines(body))),
                // No newline at the end: the last line goes without one.
                (None, Some((body, last))) => format!(
                    "{} \\\n      > {path} \\\n && printf '%s' {} >> {path}",
                    printf_lines(&lines(body)),
                    quote(last)
                ),
                (None, None) => format!("printf '%s' {} > {path}", quote(&f.text)),
            },
        );
        steps.push(format!("chmod {:o} {path}", f.mode));
    }
    steps
}

/// The directories made, then each owner's paths handed over.
fn owned(paths: &[Owned]) -> Vec<String> {
    let mut steps = Vec::new();
    let dirs: Vec<&str> = paths
        .iter()
        .filter(|p| p.dir)
        .map(|p| p.path.as_str())
        .collect();
    if !dirs.is_empty() {
        steps.push(format!("mkdir -p {}", words(&dirs)));
    }
    let mut owners: Vec<u32> = paths.iter().map(|p| p.owner).collect();
    pycontainer_sort::sort(&mut owners);
    owners.dedup();
    for owner in owners {
        let of: Vec<&str> = paths
            .iter()
            .filter(|p| p.owner == owner)
            .map(|p| p.path.as_str())
            .collect();
        steps.push(format!("chown {owner}:{owner} {}", words(&of)));
    }
    steps
}

/// `printf '%s\n'` with one quoted argument a line, each on a line of its
/// own in the Dockerfile; none starts with `#`, which Docker's parser would
/// drop from a continued instruction.
fn printf_lines(lines: &[String]) -> String {
    let mut out = String::from("printf '%s\\n'");
    for l in lines {
        out.push_str(&format!(" \\\n      {}", quote(l)));
    }
    out
}

/// One RUN of `steps`, joined by `&&`.
fn run(steps: &[String]) -> String {
    format!("RUN {}\n", steps.join(" \\\n && "))
}

/// `KEY="value"` pairs of an ENV or LABEL, one a line.
fn pairs(instruction: &str, pairs: &[(String, String)], what: &str) -> Result<String, EjectError> {
    let mut parts = Vec::new();
    for (k, v) in pairs {
        for text in [k, v] {
            if text.contains(['\n', '\r']) {
                return Err(EjectError::Unwritable {
                    what: what.to_owned(),
                    value: format!("{k}={v}"),
                    why: "a Dockerfile instruction is one line",
                });
            }
        }
        let key = match plain(k) {
            true => k.clone(),
            false => double_quoted(k),
        };
        parts.push(format!("{key}={}", double_quoted(v)));
    }
    let pad = " ".repeat(instruction.len() + 1);
    Ok(format!(
        "{instruction} {}\n",
        parts.join(&format!(" \\\n{pad}"))
    ))
}

/// A Dockerfile double-quoted word: no variable is expanded in it.
fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A word for the shell and for Docker: as it is when it needs no quoting.
fn word(s: &str) -> String {
    if plain(s) {
        s.to_owned()
    } else {
        quote(s)
    }
}

/// A word of COPY, WORKDIR or USER, which Docker reads with no shell and
/// no quoting, but with `$` expanded: only plain ones can be written.
fn instruction_word(what: &str, s: &str) -> Result<String, EjectError> {
    match plain(s) {
        true => Ok(s.to_owned()),
        false => Err(EjectError::Unwritable {
            what: what.to_owned(),
            value: s.to_owned(),
            why: "only letters, digits and / . _ - : + @ = are written as they are",
        }),
    }
}

fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | ':' | '+' | '@' | '=')
        })
}

fn words(list: &[&str]) -> String {
    list.iter().map(|w| word(w)).collect::<Vec<_>>().join(" ")
}

/// Single-quoted for `/bin/sh`.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Compares `text` with the golden file under tests/fixtures/eject/,
    /// or writes it there when PYCONTAINER_WRITE_GOLDEN=1.
    fn golden(name: &str, text: &str) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/eject")
            .join(name);
        if std::env::var("PYCONTAINER_WRITE_GOLDEN").as_deref() == Ok("1") {
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            want == text,
            "{name} differs from the golden file: run `PYCONTAINER_WRITE_GOLDEN=1 cargo test -p pycontainer eject` and review the diff\n{text}"
        );
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    /// A web app with dependencies: a venv, the project's launcher and
    /// dist-info, a home and a writable tree, values that need quoting.
    fn web_app() -> Recipe {
        Recipe {
            header: strings(&["Generated by pycontainer 0.0.0: a test.", "  docker build -f Dockerfile ."]),
            from: "python:3.12-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".to_owned(),
            venv: Some(VenvStep {
                interpreter: "/usr/local/bin/python3".to_owned(),
                path: "/app/.venv".to_owned(),
                requirements: strings(&[
                    "anyio @ https://files.example/anyio-4.4.0-py3-none-any.whl --hash=sha256:aa",
                    "fastapi @ https://files.example/fastapi-0.115.0-py3-none-any.whl --hash=sha256:bb",
                ]),
                compile: true,
            }),
            copy_to: "/app".to_owned(),
            writes: vec![
                Written {
                    path: "/app/.venv/bin/web".to_owned(),
                    mode: 0o755,
                    text: "#!/app/.venv/bin/python\nimport sys\nfrom web.main import run\nif __name__ == '__main__':\n    sys.exit(run())\n".to_owned(),
                },
                Written {
                    path: "/app/.venv/lib/python3.12/site-packages/web-1.0.dist-info/INSTALLER".to_owned(),
                    mode: 0o644,
                    text: "pycontainer".to_owned(),
                },
                Written {
                    path: "/app/.venv/lib/python3.12/site-packages/web-1.0.dist-info/REQUESTED".to_owned(),
                    mode: 0o644,
                    text: String::new(),
                },
                Written {
                    path: "/app/.venv/lib/python3.12/site-packages/web-1.0.dist-info/entry_points.txt".to_owned(),
                    mode: 0o644,
                    text: "[console_scripts]\n\nweb = web.main:run".to_owned(),
                },
            ],
            owned: vec![
                Owned { path: "/app/instance".to_owned(), dir: true, owner: 65532 },
                Owned { path: "/app/instance/seed.db".to_owned(), dir: false, owner: 65532 },
                Owned { path: "/home/nonroot".to_owned(), dir: true, owner: 65532 },
            ],
            env: vec![
                ("VIRTUAL_ENV".to_owned(), "/app/.venv".to_owned()),
                ("PATH".to_owned(), "/app/.venv/bin:/usr/local/bin:/usr/bin:/bin".to_owned()),
                ("GREETING".to_owned(), "say \"hi\" for $5 \\ more".to_owned()),
            ],
            working_dir: "/app".to_owned(),
            user: Some("65532:65532".to_owned()),
            ports: strings(&["8000/tcp"]),
            labels: [
                ("io.pycontainer.framework".to_owned(), "fastapi".to_owned()),
                ("org.opencontainers.image.title".to_owned(), "it's web".to_owned()),
            ]
            .into_iter()
            .collect(),
            entrypoint: strings(&["/app/.venv/bin/uvicorn", "web.main:app", "--host", "0.0.0.0"]),
            cmd: Some(strings(&["--port", "8000"])),
        }
    }

    /// A script with no dependencies: no venv, nothing owned.
    fn script() -> Recipe {
        Recipe {
            header: strings(&["Generated by pycontainer 0.0.0: a test."]),
            from: "registry.example/python:3.11-slim".to_owned(),
            venv: None,
            copy_to: "/srv/app".to_owned(),
            writes: vec![Written {
                path: "/usr/local/bin/hello".to_owned(),
                mode: 0o755,
                text: "#!/usr/bin/env python3\nfrom hello import main\nmain()\n".to_owned(),
            }],
            owned: Vec::new(),
            env: Vec::new(),
            working_dir: "/srv/app".to_owned(),
            user: None,
            ports: Vec::new(),
            labels: BTreeMap::new(),
            entrypoint: strings(&["/usr/local/bin/hello"]),
            cmd: None,
        }
    }

    #[test]
    fn a_web_app_with_dependencies_matches_its_golden_file() {
        let text = render(&web_app()).unwrap_or_else(|e| panic!("{e}"));
        golden("web-app.Dockerfile", &text);
    }

    #[test]
    fn a_script_without_dependencies_matches_its_golden_file() {
        let text = render(&script()).unwrap_or_else(|e| panic!("{e}"));
        golden("script.Dockerfile", &text);
    }

    #[test]
    fn without_bytecode_pip_compiles_none_either() {
        let mut r = web_app();
        if let Some(v) = r.venv.as_mut() {
            v.compile = false;
        }
        let text = render(&r).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.contains(" --no-compile -r /dev/stdin"), "{text}");
    }

    #[test]
    fn what_docker_cannot_spell_is_refused_not_mangled() {
        let mut r = script();
        r.env = vec![("A".to_owned(), "two\nlines".to_owned())];
        assert!(matches!(render(&r), Err(EjectError::Unwritable { .. })));
        let mut r = script();
        r.working_dir = "/srv/my app".to_owned();
        assert!(matches!(render(&r), Err(EjectError::Unwritable { .. })));
        let mut r = script();
        r.from = "scratch".to_owned();
        assert!(
            matches!(render(&r), Err(EjectError::Unwritable { .. })),
            "no shell to RUN"
        );
        r.writes.clear();
        assert!(render(&r).is_ok_and(|t| t.contains("FROM scratch\n")));
    }
}
