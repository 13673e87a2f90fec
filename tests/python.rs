//! Which Python the image runs (issue 11): the pins, requires-python of the
//! project and its lock, the lock's wheels, and an explicit base's own
//! interpreter checked against requires-python. Fixture projects in, plans out.

mod common;

use common::*;
use pycontainer::{BuildOptions, BuildResult, Error};

/// A dry run of `files` with `edit` applied to the options.
fn plan_of(
    files: &[(&str, &str)],
    edit: impl FnOnce(&mut BuildOptions),
) -> Result<BuildResult, Error> {
    let ctx = TempDir::new("py");
    ctx.write(files);
    let mut o = BuildOptions {
        context: ctx.path(""),
        cwd: Some(ctx.path("")),
        dry_run: true,
        ..BuildOptions::default()
    };
    edit(&mut o);
    run(&host(), &o)
}

fn planned(files: &[(&str, &str)]) -> BuildResult {
    plan_of(files, |_| {}).unwrap_or_else(|e| panic!("plan failed: {e}"))
}

fn failed(r: Result<BuildResult, Error>) -> Error {
    match r {
        Ok(r) => panic!("expected an error, got python {:?}", r.plan.python),
        Err(e) => e,
    }
}

/// `(major.minor, rule)` of the plan's python.
fn python(r: &BuildResult) -> (String, String) {
    let p = &r.plan.python;
    let version = match (p.value.major, p.value.minor) {
        (Some(major), Some(minor)) => format!("{major}.{minor}"),
        _ => "unknown".to_owned(),
    };
    (version, p.rule.clone())
}

const PYPROJECT_310: &str = "[project]\nname = \"svc\"\nversion = \"1\"\nrequires-python = \">=3.10\"\ndependencies = [\"core\", \"pure\"]\n";

/// A uv.lock for `svc`, whose `core` has the wheels named.
fn uv_lock(requires: &str, core_wheels: &[&str]) -> String {
    let wheels: Vec<String> = core_wheels
        .iter()
        .map(|w| format!("{{ url = \"https://files.example/{w}\", hash = \"sha256:00\" }}"))
        .collect();
    format!(
        r#"version = 1
requires-python = "{requires}"

[[package]]
name = "svc"
version = "1"
source = {{ virtual = "." }}
dependencies = [{{ name = "core" }}, {{ name = "pure" }}]

[[package]]
name = "core"
version = "2.0"
source = {{ registry = "https://pypi.org/simple" }}
sdist = {{ url = "https://files.example/core-2.0.tar.gz", hash = "sha256:00" }}
wheels = [{}]

[[package]]
name = "pure"
version = "1.0"
source = {{ registry = "https://pypi.org/simple" }}
wheels = [{{ url = "https://files.example/pure-1.0-py3-none-any.whl", hash = "sha256:00" }}]
"#,
        wheels.join(", ")
    )
}

const CORE_310_TO_312: &[&str] = &[
    "core-2.0-cp310-cp310-manylinux_2_17_x86_64.whl",
    "core-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
    "core-2.0-cp312-cp312-manylinux_2_17_x86_64.whl",
    "core-2.0-cp313-cp313-win_amd64.whl",
];

#[test]
fn a_lock_for_310_to_312_gets_312_not_the_newest() {
    let lock = uv_lock(">=3.10, <3.13", CORE_310_TO_312);
    let r = planned(&[
        ("pyproject.toml", PYPROJECT_310),
        ("uv.lock", &lock),
        ("main.py", ""),
    ]);
    assert_eq!(
        python(&r),
        (
            "3.12".to_owned(),
            "requires-python \">=3.10\" (pyproject.toml) and requires-python \">=3.10,<3.13\" (uv.lock), with a wheel in uv.lock for every package → Python 3.12".to_owned()
        )
    );
    assert_eq!(r.plan.base.image, "python:3.12-slim");
}

#[test]
fn the_locks_wheels_narrow_the_python_and_the_rule_says_why() {
    // The lock allows any Python 3.10+, but core has wheels for 3.10 to 3.12
    // only (a Windows one for 3.13 does not count).
    let lock = uv_lock(">=3.10", CORE_310_TO_312);
    let r = planned(&[
        ("pyproject.toml", PYPROJECT_310),
        ("uv.lock", &lock),
        ("main.py", ""),
    ]);
    let (version, rule) = python(&r);
    assert_eq!(version, "3.12");
    assert!(
        rule.ends_with("→ Python 3.12; passed over 3.14 (uv.lock has no wheel for it of core 2.0), 3.13 (uv.lock has no wheel for it of core 2.0)"),
        "{rule}"
    );
    // abi3 wheels fit their minor and every newer one.
    let lock = uv_lock(">=3.10", &["core-2.0-cp311-abi3-manylinux_2_17_x86_64.whl"]);
    let r = planned(&[
        ("pyproject.toml", PYPROJECT_310),
        ("uv.lock", &lock),
        ("main.py", ""),
    ]);
    assert_eq!(python(&r).0, "3.14");
    // No maintained Python has a wheel of core: the error lists why for each.
    let lock = uv_lock(">=3.10", &["core-2.0-cp39-cp39-manylinux_2_17_x86_64.whl"]);
    let e = failed(plan_of(
        &[
            ("pyproject.toml", PYPROJECT_310),
            ("uv.lock", &lock),
            ("main.py", ""),
        ],
        |_| {},
    ));
    assert_eq!(e.code(), "python-version");
    assert!(
        e.to_string()
            .contains("allows will do: 3.14 (uv.lock has no wheel for it of core 2.0);")
            && e.to_string()
                .contains("3.10 (uv.lock has no wheel for it of core 2.0)"),
        "{e}"
    );
}

#[test]
fn python_version_and_runtime_txt_pin_the_minor() {
    let r = planned(&[
        ("pyproject.toml", PYPROJECT_310),
        (".python-version", "# for pyenv\n3.11.4\n"),
        ("runtime.txt", "python-3.10.2\n"),
        ("main.py", ""),
    ]);
    assert_eq!(
        python(&r),
        (
            "3.11".to_owned(),
            "Python 3.11 (.python-version) → Python 3.11".to_owned()
        ),
        ".python-version comes before runtime.txt"
    );
    assert_eq!(r.plan.base.image, "python:3.11-slim");
    let r = planned(&[("runtime.txt", "python-3.10.2\n"), ("main.py", "")]);
    assert_eq!(
        python(&r),
        (
            "3.10".to_owned(),
            "Python 3.10 (runtime.txt) → Python 3.10".to_owned()
        )
    );
    let e = failed(plan_of(
        &[("runtime.txt", "ruby-3.3\n"), ("main.py", "")],
        |_| {},
    ));
    assert_eq!(e.code(), "python-version");
    assert!(e.to_string().contains("invalid runtime.txt"), "{e}");
    // The python setting wins over both.
    let r = plan_of(&[(".python-version", "3.11\n"), ("main.py", "")], |o| {
        o.python = Some("3.13".into())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(python(&r).0, "3.13");
}

#[test]
fn a_pin_that_requires_python_excludes_fails_unless_ignored() {
    let files = [
        ("pyproject.toml", PYPROJECT_310),
        (".python-version", "3.9\n"),
        ("main.py", ""),
    ];
    let e = failed(plan_of(&files, |_| {}));
    assert_eq!(e.code(), "requires-python");
    assert_eq!(
        e.to_string(),
        "Python 3.9 (.python-version) is not allowed by requires-python \">=3.10\" (pyproject.toml): use a Python it allows, or --ignore-requires-python to build anyway"
    );
    let r = plan_of(&files, |o| o.ignore_requires_python = true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        python(&r),
        (
            "3.9".to_owned(),
            "Python 3.9 (.python-version) → Python 3.9; requires-python \">=3.10\" (pyproject.toml) does not allow it, ignored (--ignore-requires-python)".to_owned()
        )
    );
}

/// A layout base whose probe finds CPython 3.11.2 on glibc 2.36, as the
/// official Debian images have it, and its `oci:` reference.
fn python_base(dir: &TempDir) -> String {
    // Two layers, since an app layer has one workdir: the C library's
    // package record under /var, then the interpreter under /usr.
    let var = TempDir::new("base-var");
    var.write(&[
        (
            "lib/dpkg/status",
            "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u7\n\n",
        ),
        ("main.py", ""),
    ]);
    let libc = dir.path("libc");
    let mut o = options(&var.path(""), &libc, "scratch", &["libc:1"]);
    o.workdir = Some("/var".into());
    build_valid(&host(), &o);
    let usr = TempDir::new("base-usr");
    usr.write(&[
        ("local/bin/python3", ""),
        ("local/lib/python3.11/os.py", ""),
        ("main.py", ""),
    ]);
    let layout = dir.path("base");
    let mut o = options(
        &usr.path(""),
        &layout,
        &format!("oci:{libc}:1"),
        &["base:1"],
    );
    o.workdir = Some("/usr".into());
    o.env = vec!["PYTHON_VERSION=3.11.2".into()];
    o.cache_dir = Some(dir.path("cache"));
    build_valid(&host(), &o);
    format!("oci:{layout}:1")
}

#[test]
fn an_explicit_base_brings_its_python_checked_against_requires_python() {
    let dir = TempDir::new("bases");
    let base = python_base(&dir);
    let cache = dir.path("cache");
    let with_base = |o: &mut BuildOptions| {
        o.base_image = Some(base.clone());
        o.cache_dir = Some(cache.clone());
    };
    let r = plan_of(&[("main.py", "")], with_base).unwrap_or_else(|e| panic!("{e}"));
    let p = &r.plan.python;
    assert_eq!(
        (
            p.value.major,
            p.value.minor,
            p.value.version.as_deref(),
            p.value.interpreter.as_deref(),
            p.value.base_image.as_deref()
        ),
        (
            Some(3),
            Some(11),
            Some("3.11.2"),
            Some("/usr/local/bin/python3"),
            None
        )
    );
    assert_eq!(
        p.rule,
        "the base image's interpreter (/usr/local/bin/python3, 3.11.2)"
    );

    let files = [
        (
            "pyproject.toml",
            "[project]\nname = \"p\"\nversion = \"1\"\nrequires-python = \">=3.12\"\n",
        ),
        (".python-version", "3.12\n"),
        ("main.py", ""),
    ];
    let e = failed(plan_of(&files, with_base));
    assert_eq!(e.code(), "requires-python");
    assert_eq!(
        e.to_string(),
        format!("the base image {base}'s Python 3.11.2 (/usr/local/bin/python3) is not allowed by requires-python \">=3.12\" (pyproject.toml): use a Python it allows, or --ignore-requires-python to build anyway")
    );
    let r = plan_of(&files, |o| {
        with_base(o);
        o.ignore_requires_python = true;
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        python(&r),
        (
            "3.11".to_owned(),
            "the base image's interpreter (/usr/local/bin/python3, 3.11.2); requires-python \">=3.12\" (pyproject.toml) does not allow it, ignored (--ignore-requires-python)".to_owned()
        )
    );
}

#[test]
fn a_base_without_python_or_not_yet_read_says_so() {
    let r = plan_of(&[("main.py", "")], |o| {
        o.base_image = Some("scratch".into())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        python(&r),
        (
            "unknown".to_owned(),
            "none: the base image has no layers".to_owned()
        )
    );
    // The python setting is still checked, though the base's Python is used.
    let e = failed(plan_of(&[("main.py", "")], |o| {
        o.base_image = Some("scratch".into());
        o.python = Some("2.7".into());
    }));
    assert_eq!(e.code(), "python-version");
    let r = plan_of(&[("main.py", "")], |o| {
        o.base_image = Some("registry.example/team/base:1".into())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        python(&r).1,
        "the base image's, not known until the base is read (a dry run does not pull a registry base)"
    );
    // A base with layers but no Python, and nothing to install: shown, not fatal.
    let dir = TempDir::new("nopy");
    let ctx = TempDir::new("nopy-ctx");
    ctx.write(&[("main.py", "")]);
    let layout = dir.path("base");
    build_valid(
        &host(),
        &options(&ctx.path(""), &layout, "scratch", &["b:1"]),
    );
    let r = plan_of(&[("main.py", "")], |o| {
        o.base_image = Some(format!("oci:{layout}:1"));
        o.cache_dir = Some(dir.path("cache"));
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let (version, rule) = python(&r);
    assert_eq!(version, "unknown");
    assert!(
        rule.starts_with("not known: the base image has no CPython"),
        "{rule}"
    );
}
