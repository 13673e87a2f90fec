//! Project discovery and configuration, as specified in issue 3: fixture projects in, plans out.

mod common;

use common::*;
use pycontainer::BuildOptions;
use pycontainer::BuildResult;
use pycontainer::Error;
use pycontainer::NativeHost;

/// A dry run of `files` with `edit` applied to the options.
fn plan_of(
    files: &[(&str, &str)],
    edit: impl FnOnce(&mut BuildOptions),
) -> Result<BuildResult, Error> {
    plan_with(&host(), files, edit)
}

fn plan_with(
    host: &NativeHost,
    files: &[(&str, &str)],
    edit: impl FnOnce(&mut BuildOptions),
) -> Result<BuildResult, Error> {
    let ctx = TempDir::new("ctx");
    ctx.write(files);
    let mut o = BuildOptions {
        context: ctx.path(""),
        cwd: Some(ctx.path("")),
        dry_run: true,
        ..BuildOptions::default()
    };
    edit(&mut o);
    let result = run(host, &o);
    assert!(
        !std::path::Path::new(&ctx.path("pycontainer-out")).exists(),
        "a dry run writes nothing"
    );
    result
}

fn planned(files: &[(&str, &str)]) -> BuildResult {
    plan_of(files, |_| {}).unwrap_or_else(|e| panic!("plan failed: {e}"))
}

fn message(r: Result<BuildResult, Error>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

const FASTAPI_SRC: &[(&str, &str)] = &[
    ("pyproject.toml", "[project]\nname = \"svc\"\nrequires-python = \">=3.10\"\ndependencies = [\"fastapi\", \"uvicorn[standard]\"]\n"),
    ("src/svc/__init__.py", ""),
    ("src/svc/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n"),
];

#[test]
fn peer_failure_src_layout_fastapi_is_served_by_its_import_name() {
    let r = planned(FASTAPI_SRC);
    assert_eq!(
        r.plan.entrypoint.command,
        [
            "uvicorn",
            "svc.main:app",
            "--host",
            "0.0.0.0",
            "--port",
            "8000"
        ]
    );
    assert_eq!(r.plan.entrypoint.rule, "framework");
    assert_eq!(r.plan.ports, ["8000/tcp"]);
    assert_eq!(
        r.plan
            .labels
            .get("io.pycontainer.framework")
            .map(String::as_str),
        Some("fastapi")
    );
    assert_eq!(
        r.plan.env.get("PYTHONPATH").map(String::as_str),
        Some("/app/src")
    );
}

#[test]
fn peer_failure_detection_never_scans_a_virtualenv() {
    let mut files = FASTAPI_SRC.to_vec();
    files.push(("zzz/pyvenv.cfg", "home = /usr/bin\n"));
    files.push((
        "zzz/lib/python3.11/site-packages/fastapi/routing.py",
        "from fastapi import FastAPI\napp = FastAPI()\n",
    ));
    files.push((
        "tests/test_app.py",
        "from fastapi import FastAPI\napp = FastAPI()\n",
    ));
    let r = planned(&files);
    assert_eq!(r.plan.entrypoint.command[1], "svc.main:app");
    assert!(
        r.plan.excluded.iter().any(|e| e.path == "zzz"),
        "{:?}",
        r.plan.excluded
    );
}

#[test]
fn peer_failure_a_flat_project_ships_its_modules_not_just_pyproject() {
    let r = planned(&[
        ("pyproject.toml", "[project]\nname = \"flat\"\n"),
        ("main.py", "import helpers\n"),
        ("helpers.py", ""),
    ]);
    assert_eq!(r.plan.entrypoint.command, ["python3", "main.py"]);
    assert_eq!(r.plan.files.count, 3);
}

#[test]
fn peer_failure_config_values_survive_unset_flags() {
    let files = [
        ("main.py", ""),
        (
            "pycontainer.toml",
            "[build]\nworkdir = \"/srv/app\"\npython = \"3.12\"\nuser = \"1000\"\n",
        ),
    ];
    let r = plan_of(&files, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            r.plan.workdir.as_str(),
            (r.plan.python.value.major, r.plan.python.value.minor)
        ),
        ("/srv/app", (Some(3), Some(12)))
    );
    let r =
        plan_of(&files, |o| o.workdir = Some("/opt/x".into())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.plan.workdir, "/opt/x", "an explicit flag wins");
    assert_eq!(
        r.plan.user.as_deref(),
        Some("1000"),
        "and leaves the rest of the file alone"
    );
}

#[test]
fn precedence_is_flag_then_env_then_pycontainer_toml_then_tool_table() {
    let files = [
        ("main.py", ""),
        ("pyproject.toml", "[project]\nname = \"p\"\n[tool.pycontainer]\nworkdir = \"/tool\"\nuser = \"tool\"\nscript = \"x\"\n"),
        ("pycontainer.toml", "[build]\nworkdir = \"/file\"\nuser = \"file\"\n"),
    ];
    let host = NativeHost::with_env(&[("PYCONTAINER_USER", "env")]);
    let r = plan_with(&host, &files, |o| o.script = None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        r.starts_with("pyproject.toml [tool.pycontainer] script \"x\": no such console script"),
        "[tool.pycontainer] applies where nothing overrides it, and the error says where it came from: {r}"
    );
    let files = [files[0], ("pyproject.toml", "[project]\nname = \"p\"\n[tool.pycontainer]\nworkdir = \"/tool\"\nuser = \"tool\"\nplatform = \"linux/arm64\"\n"), files[2]];
    let r = plan_with(&host, &files, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            r.plan.workdir.as_str(),
            r.plan.user.as_deref(),
            r.plan.platform.as_str()
        ),
        ("/file", Some("env"), "linux/arm64")
    );
    let r = plan_with(&host, &files, |o| o.user = Some("flag".into()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.plan.user.as_deref(), Some("flag"));
    let sources = serde_json::to_value(&r.plan.sources).unwrap_or_default();
    let kinds: Vec<&str> = sources
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["flag", "env", "pycontainer.toml", "pyproject"]);
}

#[test]
fn frameworks_and_their_servers() {
    let flask =
        "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n";
    // Files, the command expected, the port expected.
    let cases: &[(Files, &[&str], &str)] = &[
        (&[("pyproject.toml", "[project]\nname='s'\ndependencies=['flask', 'gunicorn']\n"), ("shop/__init__.py", flask)], &["gunicorn", "--bind", "0.0.0.0:5000", "shop:create_app()"], "5000/tcp"),
        (&[("pyproject.toml", "[project]\nname='s'\ndependencies=['flask']\n"), ("shop/__init__.py", flask)], &["flask", "--app", "shop:create_app()", "run", "--host", "0.0.0.0", "--port", "5000"], "5000/tcp"),
        (&[("requirements.txt", "fastapi\nuvicorn\n"), ("api.py", "import fastapi\n\ndef make() -> fastapi.FastAPI:\n    return fastapi.FastAPI()\n")], &["uvicorn", "api:make", "--host", "0.0.0.0", "--port", "8000", "--factory"], "8000/tcp"),
        (
            &[
                ("pyproject.toml", "[project]\nname='d'\ndependencies=['django', 'gunicorn']\n"),
                ("manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"),
                ("mysite/__init__.py", ""),
                ("mysite/settings.py", ""),
                ("mysite/wsgi.py", "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"),
            ],
            &["gunicorn", "--bind", "0.0.0.0:8000", "mysite.wsgi:application"],
            "8000/tcp",
        ),
        (
            &[
                ("pyproject.toml", "[project]\nname='d'\ndependencies=['django']\n"),
                ("manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"),
                ("mysite/__init__.py", ""),
                ("mysite/settings.py", ""),
            ],
            &["python3", "manage.py", "runserver", "0.0.0.0:8000"],
            "8000/tcp",
        ),
    ];
    for (files, command, port) in cases {
        let r = planned(files);
        assert_eq!(&r.plan.entrypoint.command, command, "{files:?}");
        assert_eq!(r.plan.ports, [*port]);
    }
}

#[test]
fn entry_point_rules_keep_their_order() {
    let both = [
        ("pyproject.toml", "[project]\nname='p'\ndependencies=['fastapi']\n[project.scripts]\ncli = 'p.cli:main'\nworker = 'p.worker:run'\n"),
        ("p/__init__.py", ""),
        ("p/cli.py", "def main(): pass\n"),
        ("p/worker.py", "def run(): pass\n"),
        ("p/web.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
    ];
    assert_eq!(
        planned(&both).plan.entrypoint.rule,
        "framework",
        "a detected framework beats scripts"
    );
    let r = plan_of(&both, |o| o.script = Some("worker".into())).unwrap_or_else(|e| panic!("{e}"));
    // A dependency means a venv, and the scripts are in its bin/ as pip puts them.
    assert_eq!(
        (
            r.plan.entrypoint.rule.as_str(),
            r.plan.entrypoint.command[1].as_str()
        ),
        ("projectScript", "/app/.venv/bin/worker")
    );
    let launchers: Vec<&str> = r.plan.scripts.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(launchers, ["/app/.venv/bin/cli", "/app/.venv/bin/worker"]);
    let r = plan_of(&both, |o| {
        o.entrypoint = Some("python3 -m p.cli --verbose".into())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.plan.entrypoint.command,
        ["python3", "-m", "p.cli", "--verbose"]
    );
    assert!(
        r.plan.entrypoint.detail.contains("--entrypoint"),
        "{}",
        r.plan.entrypoint.detail
    );
    let m = message(plan_of(&both, |o| o.script = Some("nope".into())));
    assert!(
        m.contains("--script \"nope\"") && m.contains("cli, worker"),
        "{m}"
    );
}

#[test]
fn two_frameworks_with_no_way_to_choose_ask_for_an_entrypoint() {
    let m = message(plan_of(
        &[
            ("a.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
            ("b.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ],
        |_| {},
    ));
    assert!(
        m.contains("--entrypoint") && m.contains("a.py") && m.contains("b.py"),
        "{m}"
    );
}

#[test]
fn python_version_and_base_image_from_the_project() {
    let cases = [
        (
            "[project]\nname='p'\nrequires-python='>=3.9,<3.12'\n",
            "3.11",
        ),
        ("[project]\nname='p'\nrequires-python='~=3.10.0'\n", "3.10"),
        (
            "[tool.poetry]\nname='p'\n[tool.poetry.dependencies]\npython='^3.12'\n",
            "3.14",
        ),
        (
            "[tool.poetry]\nname='p'\n[tool.poetry.dependencies]\npython='~3.12'\n",
            "3.12",
        ),
    ];
    for (pyproject, want) in cases {
        let r = planned(&[("pyproject.toml", pyproject), ("main.py", "")]);
        let python = &r.plan.python.value;
        assert_eq!(
            format!(
                "{}.{}",
                python.major.unwrap_or(0),
                python.minor.unwrap_or(0)
            ),
            want,
            "{pyproject}"
        );
        assert_eq!(r.plan.base.image, format!("python:{want}-slim"));
        assert!(
            !r.plan.base.resolved,
            "a dry run does not fetch a registry base"
        );
    }
    let r = planned(&[(".python-version", "3.12.4\n"), ("main.py", "")]);
    assert_eq!(r.plan.base.image, "python:3.12-slim");
    let m = message(plan_of(
        &[
            (
                "pyproject.toml",
                "[project]\nname='p'\nrequires-python='>=4'\n",
            ),
            ("main.py", ""),
        ],
        |_| {},
    ));
    assert!(
        m.contains(">=4") && m.contains("3.9") && m.contains("3.14"),
        "{m}"
    );
}

#[test]
fn labels_come_from_the_project() {
    let r = planned(&[
        ("pyproject.toml", "[project]\nname='shop'\nversion='2.1'\ndescription='A shop'\nlicense='MIT'\n[project.urls]\nHomepage='https://shop.example'\nRepository='https://git.example/shop'\n"),
        ("main.py", ""),
    ]);
    let l = |k: &str| {
        r.plan
            .labels
            .get(&format!("org.opencontainers.image.{k}"))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        [
            l("title"),
            l("version"),
            l("description"),
            l("licenses"),
            l("url"),
            l("source"),
            l("created"),
            l("base.name")
        ],
        [
            "shop",
            "2.1",
            "A shop",
            "MIT",
            "https://shop.example",
            "https://git.example/shop",
            "1970-01-01T00:00:00Z",
            "docker.io/library/python:3.14-slim"
        ]
    );
}

#[test]
fn the_default_user_is_non_root_with_a_home() {
    let r = planned(&[("main.py", "")]);
    assert_eq!(r.plan.user.as_deref(), Some("65532:65532"));
    assert_eq!(
        r.plan.env.get("HOME").map(String::as_str),
        Some("/home/nonroot")
    );
    let r = plan_of(&[("main.py", "")], |o| o.user = Some("root".into()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.plan.user.as_deref(), Some("0:0"));
    assert_eq!(r.plan.env.get("HOME"), None);
}

#[test]
fn dockerignore_and_include_exclude() {
    let files = [
        ("main.py", ""),
        (".dockerignore", "docs\n!docs/keep.md\n**/*.log\n"),
        ("docs/a.md", ""),
        ("docs/keep.md", ""),
        ("logs/x/run.log", ""),
        ("dist/wheel.whl", ""),
        ("notes.txt", ""),
        (".git/objects/aa/bb", ""),
    ];
    let r = plan_of(&files, |o| {
        o.include = vec!["dist".into()];
        o.exclude = vec!["notes.txt".into()];
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let excluded: Vec<&str> = r.plan.excluded.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        excluded,
        [".git", "docs/a.md", "logs/x/run.log", "notes.txt"],
        "an excluded dir with nothing re-included is one entry"
    );
    let r = plan_of(&files, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        r.plan
            .excluded
            .iter()
            .any(|e| e.path == "dist" && e.reason == "build output"),
        "{:?}",
        r.plan.excluded
    );
    let m = message(plan_of(&files, |o| o.include = vec!["../secrets".into()]));
    assert!(
        m.starts_with("--include") && m.contains("outside the build context"),
        "{m}"
    );
    let m = message(plan_of(
        &[("main.py", ""), (".dockerignore", "a[\n")],
        |_| {},
    ));
    assert!(m.contains(".dockerignore:1"), "{m}");
}

#[test]
fn build_outputs_are_left_out_only_at_the_top_and_named_when_the_code_uses_them() {
    let files = [
        ("main.py", "from pathlib import Path\nTEMPLATES = Path(__file__).parent / 'app' / 'email-templates' / 'build'\nSPA = Path(__file__).parent / \"build\"\n"),
        ("app/__init__.py", ""),
        ("app/email-templates/build/welcome.html", "<p>hi</p>"),
        ("app/venv/__init__.py", ""),
        ("build/index.html", ""),
        ("dist/x-1.0.tar.gz", ""),
        ("src2/pkg.egg-info/PKG-INFO", ""),
    ];
    let r = plan_of(&files, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let shown: Vec<(&str, &str, Option<&str>)> = r
        .plan
        .excluded
        .iter()
        .map(|e| {
            (
                e.path.as_str(),
                e.reason.as_str(),
                e.referenced_by.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("build", "build output", Some("main.py")),
            ("dist", "build output", None),
            ("src2/pkg.egg-info", "build output", None),
        ]
    );
    assert_eq!(r.plan.files.count, 4, "the nested build/ and venv/ ship");
    let codes: Vec<&str> = r.plan.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["excluded-referenced"]);
    assert!(
        r.plan.warnings[0].message.contains("--include build"),
        "{:?}",
        r.plan.warnings
    );
}

#[test]
fn what_the_app_writes_is_handed_to_its_user_and_nothing_else() {
    let flask = [
        ("pyproject.toml", "[project]\nname = \"blog\"\nversion = \"1\"\ndependencies = [\"flask\", \"gunicorn\"]\n"),
        ("blog/__init__.py", "import os\nfrom flask import Flask\n\ndef create_app():\n    app = Flask(__name__, instance_relative_config=True)\n    os.makedirs(app.instance_path, exist_ok=True)\n    return app\n"),
        ("blog/templates/base.html", ""),
    ];
    let r = plan_of(&flask, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let dirs: Vec<(&str, &str)> = r
        .plan
        .writable
        .iter()
        .map(|d| (d.path.as_str(), d.rule.as_str()))
        .collect();
    assert_eq!(
        dirs,
        [(
            "/app/instance",
            "Flask's instance folder, used in blog/__init__.py"
        )]
    );
    assert!(r.plan.warnings.is_empty(), "{:?}", r.plan.warnings);

    let django = [
        ("requirements.txt", "django\ngunicorn\n"),
        ("manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n"),
        ("site1/__init__.py", ""),
        ("site1/settings.py", "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\nMEDIA_ROOT = os.environ['MEDIA']\n"),
        ("site1/wsgi.py", "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"),
    ];
    let r =
        plan_of(&django, |o| o.writable = vec!["uploads".into()]).unwrap_or_else(|e| panic!("{e}"));
    let dirs: Vec<&str> = r.plan.writable.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        dirs,
        [
            "/app/uploads",
            "/app/staticfiles",
            "/app",
            "/app/db.sqlite3"
        ]
    );
    let warnings: Vec<&str> = r.plan.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        warnings,
        ["Django's MEDIA_ROOT in site1/settings.py is os.environ['MEDIA'], which pycontainer does not follow; if the app writes under /app, name the directory with --writable"]
    );
    let m = message(plan_of(&django, |o| o.writable = vec!["/app/.venv".into()]));
    assert!(m.contains("--writable") && m.contains("venv"), "{m}");
    let r = plan_of(&django, |o| o.user = Some("app".into())).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        r.plan.warnings.iter().any(|w| w.code == "writes-owner"),
        "{:?}",
        r.plan.warnings
    );
}

#[test]
fn bad_configuration_names_the_key_the_file_and_the_fix() {
    let m = message(plan_of(
        &[
            ("main.py", ""),
            ("pycontainer.toml", "[build]\nbase_image = 'x'\n"),
        ],
        |_| {},
    ));
    assert!(
        m.contains("pycontainer.toml") && m.contains("`base_image`") && m.contains("`base-image`"),
        "{m}"
    );
    let m = message(plan_of(
        &[
            ("main.py", ""),
            ("pyproject.toml", "[tool.pycontainer]\nports = 8000\n"),
        ],
        |_| {},
    ));
    assert!(
        m.contains("[tool.pycontainer]") && m.contains("`ports`") && m.contains("array"),
        "{m}"
    );
    for (edit, want) in [
        (
            Box::new(|o: &mut BuildOptions| o.env = vec!["NOVALUE".into()])
                as Box<dyn FnOnce(&mut BuildOptions)>,
            "--env \"NOVALUE\"",
        ),
        (
            Box::new(|o: &mut BuildOptions| o.ports = vec!["70000".into()]),
            "--port \"70000\"",
        ),
        (
            Box::new(|o: &mut BuildOptions| {
                o.config = Some("/nonexistent/pycontainer.toml".into())
            }),
            "no such file",
        ),
    ] {
        let m = message(plan_of(&[("main.py", "")], edit));
        assert!(m.contains(want), "{want}: {m}");
    }
}

#[test]
fn env_ports_cmd_and_annotations_reach_the_image() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    ctx.write(&[
        ("main.py", ""),
        ("prod.env", "# for prod\nA=from-file\nB=from-file\n"),
    ]);
    let mut o = options(&ctx.path(""), &out.path("l"), "scratch", &["e:1"]);
    o.env = vec!["B=explicit".into()];
    o.env_file = Some(ctx.path("prod.env"));
    o.ports = vec!["9000".into(), "53/udp".into()];
    o.cmd = Some("--workers 2".into());
    o.annotations = vec!["team=core".into()];
    let r = build_valid(&host(), &o);
    let cfg = config(&out.path("l"), &r).config.expect("config");
    let env = cfg.env.unwrap_or_default();
    assert!(
        env.contains(&"A=from-file".into()) && env.contains(&"B=explicit".into()),
        "{env:?}"
    );
    assert_eq!(cfg.cmd, Some(vec!["--workers".into(), "2".into()]));
    let ports: Vec<String> = cfg.exposed_ports.unwrap_or_default().into_keys().collect();
    assert_eq!(ports, ["53/udp", "9000/tcp"]);
    assert_eq!(
        manifest(&out.path("l"), &r)
            .annotations
            .get("team")
            .map(String::as_str),
        Some("core")
    );
}

#[test]
fn setup_cfg_projects_are_understood() {
    let r = planned(&[
        ("setup.cfg", "[metadata]\nname = legacy\nversion = 1.0\n[options]\npython_requires = >=3.10,<3.13\n[options.entry_points]\nconsole_scripts =\n    legacy = legacy.cli:main\n    legacy-admin = legacy.cli:admin\ngui_scripts =\n    legacy-gui = legacy.gui:main\n"),
        ("legacy/__init__.py", ""),
        ("legacy/cli.py", "def main(): pass\n"),
    ]);
    assert_eq!(
        r.plan.entrypoint.command,
        ["python3", "/usr/local/bin/legacy"]
    );
    let scripts: Vec<(&str, &str)> = r
        .plan
        .scripts
        .iter()
        .map(|s| (s.name.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        scripts,
        [
            ("legacy", "/usr/local/bin/legacy"),
            ("legacy-admin", "/usr/local/bin/legacy-admin"),
            ("legacy-gui", "/usr/local/bin/legacy-gui"),
        ]
    );
    assert_eq!(r.plan.base.image, "python:3.12-slim");
}

#[test]
fn an_explicit_port_moves_the_detected_server_too() {
    let r =
        plan_of(FASTAPI_SRC, |o| o.ports = vec!["9000".into()]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.plan.entrypoint.command,
        [
            "uvicorn",
            "svc.main:app",
            "--host",
            "0.0.0.0",
            "--port",
            "9000"
        ]
    );
    assert_eq!(r.plan.ports, ["9000/tcp"]);
}

#[test]
fn a_bad_value_is_blamed_on_the_source_that_set_it() {
    let toml = [
        ("main.py", ""),
        ("pycontainer.toml", "[build]\nworkdir = \"srv\"\n"),
    ];
    let m = message(plan_of(&toml, |_| {}));
    assert!(
        m.contains("pycontainer.toml [build] workdir") && m.contains("absolute"),
        "{m}"
    );
    let tool = [
        ("main.py", ""),
        ("pyproject.toml", "[tool.pycontainer]\npython = \"2.7\"\n"),
    ];
    let m = message(plan_of(&tool, |_| {}));
    assert!(m.contains("[tool.pycontainer] python"), "{m}");
    let host = NativeHost::with_env(&[("PYCONTAINER_PLATFORM", "linux")]);
    let m = message(plan_with(&host, &[("main.py", "")], |_| {}));
    assert!(m.starts_with("PYCONTAINER_PLATFORM"), "{m}");
    let host = NativeHost::with_env(&[("PYCONTAINER_PYTHON", "3.12")]);
    let r = plan_with(&host, &[("main.py", "")], |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        r.plan.python.rule.contains("PYCONTAINER_PYTHON"),
        "{}",
        r.plan.python.rule
    );
}
