//! The build end to end on the native host: fixture projects in, images checked out.
// Tests run natively, never in the wasm: the standard sorts are fine here.
#![allow(clippy::disallowed_methods)]

mod common;

use common::*;
use pycontainer::errors::LayoutError;
use pycontainer::errors::ProjectError;
use pycontainer::errors::SinkError;
use pycontainer::Error;
use pycontainer::NativeHost;
use pycontainer::PlanError;
use pycontainer_oci::{self as oci, media};

#[test]
fn a_console_script_gets_a_launcher_that_calls_its_function() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    let result = build_valid(
        &host(),
        &options(&ctx.path(""), &out.path("l"), "scratch", &["hello:1"]),
    );
    assert_eq!(
        result.plan.entrypoint.command,
        vec!["python3", "/usr/local/bin/hello"]
    );
    let layer = list_layer(&blob(&out.path("l"), &result.layers[0].descriptor.digest));
    let launcher = layer
        .iter()
        .find(|e| e.path == "usr/local/bin/hello")
        .expect("launcher in the layer");
    let text = String::from_utf8_lossy(&launcher.content);
    assert!(
        text.contains("from hello.cli import main") && text.contains("sys.exit(main())"),
        "{text}"
    );
    assert!(!text.contains("-m"), "never `python -m`: {text}");
    assert_eq!(launcher.mode, 0o755);
    let cfg = config(&out.path("l"), &result)
        .config
        .expect("container config");
    assert!(
        cfg.env
            .unwrap_or_default()
            .contains(&"PYTHONPATH=/app/src".to_owned()),
        "src layout imports from /app/src"
    );
    assert_eq!(cfg.working_dir.as_deref(), Some("/app"));
}

#[test]
fn every_console_and_gui_script_gets_a_launcher() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    ctx.write(&[(
        "pyproject.toml",
        "[project]\nname = \"hello-cli\"\nversion = \"0.1.0\"\n[project.scripts]\nhello = \"hello.cli:main\"\nhello-admin = \"hello.cli:admin\"\n[project.gui-scripts]\nhello-gui = \"hello.gui:run\"\n",
    )]);
    let result = build_valid(
        &host(),
        &options(&ctx.path(""), &out.path("l"), "scratch", &["hello:1"]),
    );
    assert_eq!(
        result.plan.entrypoint.command,
        vec!["python3", "/usr/local/bin/hello"],
        "the first console script is still the entry point"
    );
    let layer = list_layer(&blob(&out.path("l"), &result.layers[0].descriptor.digest));
    for (name, import) in [
        ("hello", "from hello.cli import main"),
        ("hello-admin", "from hello.cli import admin"),
        ("hello-gui", "from hello.gui import run"),
    ] {
        let launcher = layer
            .iter()
            .find(|e| e.path == format!("usr/local/bin/{name}"))
            .unwrap_or_else(|| panic!("{name} in the layer"));
        let text = String::from_utf8_lossy(&launcher.content);
        assert!(text.contains(import), "{name}: {text}");
        assert_eq!(launcher.mode, 0o755, "{name}");
    }
    let listed: Vec<&str> = result
        .plan
        .scripts
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(listed, ["hello", "hello-admin", "hello-gui"]);
}

#[test]
fn a_script_named_like_a_path_is_refused_and_nothing_is_written() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    ctx.write(&[(
        "pyproject.toml",
        "[project]\nname = \"hello-cli\"\n[project.scripts]\nhello = \"hello.cli:main\"\n\"../../etc/evil\" = \"hello.cli:main\"\n",
    )]);
    let err = match run(
        &host(),
        &options(&ctx.path(""), &out.path("l"), "scratch", &["hello:1"]),
    ) {
        Ok(_) => panic!("a script named ../../etc/evil was accepted"),
        Err(e) => e,
    };
    let message = err.to_string();
    assert!(
        message.contains("pyproject.toml: `project.scripts` \"../../etc/evil\""),
        "{message}"
    );
    assert_eq!(err.code(), "project");
    assert!(!std::path::Path::new(&out.path("l")).exists());
}

#[test]
fn the_layer_is_deterministic_and_normalised() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    ctx.write(&[("bin/run.sh", "#!/bin/sh\n"), ("data/a.txt", "a")]);
    ctx.chmod("bin/run.sh", 0o700);
    ctx.chmod("data/a.txt", 0o600);
    let host = NativeHost::with_env(&[("SOURCE_DATE_EPOCH", "1700000000")]);
    let result = build_valid(
        &host,
        &options(&ctx.path(""), &out.path("l"), "scratch", &["t:1"]),
    );
    let entries = list_layer(&blob(&out.path("l"), &result.layers[0].descriptor.digest));
    let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "entries are sorted");
    for want in [
        "app/",
        "app/src/",
        "app/src/hello/",
        "usr/",
        "usr/local/",
        "usr/local/bin/",
    ] {
        assert!(
            paths.contains(&want),
            "parent dir {want} present in {paths:?}"
        );
    }
    for e in &entries {
        // Only the default non-root user's home belongs to that user.
        let owner = if e.path == "home/nonroot/" { 65532 } else { 0 };
        assert_eq!(
            (e.uid, e.gid, e.user.as_str(), e.mtime),
            (owner, owner, "", 1_700_000_000),
            "{}",
            e.path
        );
    }
    let mode = |p: &str| entries.iter().find(|e| e.path == p).map(|e| e.mode);
    assert_eq!(
        mode("app/bin/run.sh"),
        Some(0o700),
        "a private executable stays private and executable"
    );
    assert_eq!(
        mode("app/data/a.txt"),
        Some(0o600),
        "private files stay private"
    );
    assert_eq!(mode("app/src/hello/__init__.py"), Some(0o644));
    let warned: Vec<&str> = result
        .plan
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert_eq!(warned, ["private-files"], "the user cannot read them: said");
    assert_eq!(mode("app/data/"), Some(0o755));
    assert_eq!(
        config(&out.path("l"), &result).created.as_deref(),
        Some("2023-11-14T22:13:20Z")
    );
}

#[test]
fn default_excludes_keep_secrets_caches_and_venvs_out() {
    let ctx = TempDir::new("ctx");
    hello_project(&ctx);
    ctx.write(&[
        (".git/config", "x"),
        (".env", "SECRET=1"),
        (".env.production", "SECRET=2"),
        ("myenv/pyvenv.cfg", "home = /usr/bin"),
        ("myenv/lib/site.py", "x"),
        (".venv/lib/x.py", "x"),
        ("src/hello/__pycache__/cli.cpython-311.pyc", "x"),
        ("src/hello/stale.pyc", "x"),
        ("dist/hello-0.1.0.whl", "x"),
        ("build/lib/x.py", "x"),
        ("src/hello_cli.egg-info/PKG-INFO", "x"),
        ("node_modules/x/index.js", "x"),
        (".envrc", "kept: not a dotenv file"),
    ]);
    let out_inside = ctx.path("out");
    let first = build_valid(
        &host(),
        &options(&ctx.path(""), &out_inside, "scratch", &["t:1"]),
    );
    assert_eq!(first.plan.excluded.len(), 11);
    // Built again, the output now sits in the context and must stay out of the image.
    let result = build_valid(
        &host(),
        &options(&ctx.path(""), &out_inside, "scratch", &["t:1"]),
    );
    assert_eq!(result.manifest_digest, first.manifest_digest);
    let paths: Vec<String> = list_layer(&blob(&out_inside, &result.layers[0].descriptor.digest))
        .into_iter()
        .map(|e| e.path)
        .collect();
    for banned in [
        ".git",
        ".env",
        "myenv",
        ".venv",
        "__pycache__",
        ".pyc",
        "dist/",
        "build/",
        "egg-info",
        "node_modules",
        "app/out",
    ] {
        assert!(
            !paths
                .iter()
                .any(|p| p.contains(banned) && !p.ends_with(".envrc")),
            "{banned} leaked: {paths:?}"
        );
    }
    assert!(paths.contains(&"app/.envrc".to_owned()));
    assert_eq!(
        result.plan.excluded.len(),
        12,
        "the output directory is excluded too"
    );
}

/// Files of a fixture project, the entry point expected, and the PYTHONPATH expected.
type EntryCase<'a> = (Files<'a>, &'a [&'a str], &'a str);

#[test]
fn entry_point_rules_in_order() {
    let cases: &[EntryCase] = &[
        (
            &[
                ("pyproject.toml", "[project]\nname='p'\n"),
                ("p/__init__.py", ""),
                ("p/__main__.py", ""),
            ],
            &["python3", "-m", "p"],
            "/app",
        ),
        (
            &[("main.py", "print(1)"), ("app.py", "")],
            &["python3", "main.py"],
            "/app",
        ),
        (&[("app.py", "print(1)")], &["python3", "app.py"], "/app"),
        (
            &[("src/svc/__init__.py", ""), ("src/svc/__main__.py", "")],
            &["python3", "-m", "svc"],
            "/app/src",
        ),
    ];
    for (files, command, pythonpath) in cases {
        let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
        ctx.write(files);
        let result = build_valid(
            &host(),
            &options(&ctx.path(""), &out.path("l"), "scratch", &[]),
        );
        assert_eq!(&result.plan.entrypoint.command, command, "{files:?}");
        let env = config(&out.path("l"), &result)
            .config
            .and_then(|c| c.env)
            .unwrap_or_default();
        assert!(
            env.contains(&format!("PYTHONPATH={pythonpath}")),
            "{files:?}: {env:?}"
        );
    }
}

#[test]
fn building_on_a_layout_base_inherits_its_config_and_layers() {
    let (base_ctx, app_ctx, out) = (
        TempDir::new("base"),
        TempDir::new("app"),
        TempDir::new("out"),
    );
    base_ctx.write(&[("main.py", "print('base')")]);
    let base_layout = out.path("base");
    let base = build_valid(
        &host(),
        &options(&base_ctx.path(""), &base_layout, "scratch", &["base:1"]),
    );
    hello_project(&app_ctx);
    let app_layout = out.path("app");
    let result = build_valid(
        &host(),
        &options(
            &app_ctx.path(""),
            &app_layout,
            &format!("oci:{base_layout}:1"),
            &["app:2"],
        ),
    );

    let m = manifest(&app_layout, &result);
    let base_m = manifest(&base_layout, &base);
    assert_eq!(m.layers.len(), 2);
    assert_eq!(
        m.layers[0], base_m.layers[0],
        "base layer descriptor kept as it was"
    );
    assert!(
        blob(&app_layout, &m.layers[0].digest).exists(),
        "base layer copied into the output"
    );
    let cfg = config(&app_layout, &result);
    assert_eq!(cfg.history.len(), 2);
    assert_eq!(
        cfg.rootfs.diff_ids[0],
        config(&base_layout, &base).rootfs.diff_ids[0]
    );
    assert_eq!(
        cfg.config.and_then(|c| c.entrypoint),
        Some(vec!["python3".into(), "/usr/local/bin/hello".into()])
    );
}

#[test]
fn tags_accumulate_and_a_reused_tag_moves() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    let layout = out.path("l");
    let first = build_valid(
        &host(),
        &options(&ctx.path(""), &layout, "scratch", &["app:1", "app:latest"]),
    );
    ctx.write(&[("src/hello/cli.py", "def main():\n    print('v2')\n")]);
    let second = build_valid(
        &host(),
        &options(&ctx.path(""), &layout, "scratch", &["app:2", "app:latest"]),
    );
    let idx = index(&layout);
    let by_tag = |t: &str| {
        idx.manifests
            .iter()
            .filter(|d| d.ref_name() == Some(t))
            .map(|d| d.digest.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(by_tag("1"), vec![digest(&first.manifest_digest)]);
    assert_eq!(by_tag("2"), vec![digest(&second.manifest_digest)]);
    assert_eq!(
        by_tag("latest"),
        vec![digest(&second.manifest_digest)],
        "one entry per tag"
    );
    assert_eq!(idx.manifests.len(), 3);
    let name = idx.manifests[0]
        .annotations
        .get(oci::annotation::CONTAINERD_NAME)
        .cloned();
    assert_eq!(name.as_deref(), Some("docker.io/library/app:1"));
    let leftovers: Vec<_> = std::fs::read_dir(out.0.join("l/blobs/sha256"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn identical_trees_give_identical_digests_wherever_they_live() {
    let (a, b, out) = (
        TempDir::new("a"),
        TempDir::new("bb-longer-path"),
        TempDir::new("out"),
    );
    hello_project(&a);
    hello_project(&b);
    let ra = build_valid(
        &host(),
        &options(&a.path(""), &out.path("1"), "scratch", &["x:1"]),
    );
    let rb = build_valid(
        &host(),
        &options(&b.path(""), &out.path("2"), "scratch", &["x:1"]),
    );
    assert_eq!(ra.manifest_digest, rb.manifest_digest);
}

fn expect_err(result: Result<pycontainer::BuildResult, Error>) -> Error {
    match result {
        Ok(r) => panic!("expected an error, built {:?}", r.manifest_digest),
        Err(e) => e,
    }
}

#[test]
fn bad_input_is_reported_and_nothing_is_written() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    let layout = out.path("l");
    let build = |opts| expect_err(run(&host(), &opts));
    let mut o = options(&ctx.path("missing"), &layout, "scratch", &[]);
    assert!(matches!(
        build(o.clone()),
        Error::Plan(PlanError::Project(p)) if matches!(*p, ProjectError::ContextMissing { .. })
    ));
    o.context = ctx.path("pyproject.toml");
    assert!(matches!(
        build(o.clone()),
        Error::Plan(PlanError::Project(p)) if matches!(*p, ProjectError::ContextNotDir { .. })
    ));
    o.context = ctx.path("");
    for tag in ["Foo:bar:baz", "Upper/x:1", "app:"] {
        let e = build(options(&ctx.path(""), &layout, "scratch", &[tag]));
        assert_eq!(e.code(), "invalid-tag", "{tag}: {e}");
    }
    let e = build(options(
        &ctx.path(""),
        &layout,
        &format!("oci:{}:1", out.path("nope")),
        &[],
    ));
    assert!(e.to_string().contains("no index.json"), "{e}");
    o.workdir = Some("relative".into());
    assert_eq!(build(o.clone()).code(), "invalid-option");
    o.workdir = None;
    // A malformed flag value is the command line's fault: the error names
    // the flag, which the CLI turns into a usage error.
    let flagged = |change: &Change| {
        let mut bad = o.clone();
        change(&mut bad);
        let e = build(bad);
        assert_eq!(e.code(), "invalid-option", "{e}");
        (e.option().map(str::to_owned), e.to_string())
    };
    type Change = dyn Fn(&mut pycontainer::BuildOptions);
    let cases: [(&Change, &str, &str); 6] = [
        (&|b| b.env = vec!["FOO".into()], "--env", "--env \"FOO\""),
        (
            &|b| b.ports = vec!["8080:80".into()],
            "--port",
            "--port \"8080:80\"",
        ),
        (
            &|b| b.parallel = Some(pycontainer::Given::Text("0".into())),
            "--parallel",
            "--parallel \"0\": needs a whole number from 1 to 64",
        ),
        (
            &|b| b.chunk_size = Some(pycontainer::Given::Text("8X".into())),
            "--chunk-size",
            "--chunk-size \"8X\"",
        ),
        (
            &|b| b.registry_mirrors = vec!["docker.io".into()],
            "--registry-mirror",
            "--registry-mirror \"docker.io\": needs REGISTRY=MIRROR",
        ),
        (
            &|b| b.index_url = Some("ci:s3cret@pkgs.example.com/simple".into()),
            "--index-url",
            "--index-url: needs an http:// or https:// URL",
        ),
    ];
    for (change, flag, message) in cases {
        let (option, text) = flagged(change);
        assert_eq!(option.as_deref(), Some(flag), "{text}");
        assert!(text.starts_with(message), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
    // The same mistake in a file is not the command line's.
    std::fs::write(
        ctx.path("pycontainer.toml"),
        "[build]\nports = [\"8080:80\"]\n",
    )
    .unwrap();
    let e = build(o.clone());
    assert_eq!((e.code(), e.option()), ("config", None), "{e}");
    std::fs::remove_file(ctx.path("pycontainer.toml")).unwrap();
    assert!(!std::path::Path::new(&layout).exists(), "nothing written");
}

#[test]
fn an_absent_base_tag_lists_the_tags_there_are() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    let base = out.path("base");
    build_valid(
        &host(),
        &options(&ctx.path(""), &base, "scratch", &["b:one", "b:two"]),
    );
    let e = expect_err(run(
        &host(),
        &options(
            &ctx.path(""),
            &out.path("l"),
            &format!("oci:{base}:three"),
            &[],
        ),
    ));
    let msg = e.to_string();
    assert!(
        matches!(e, Error::Plan(PlanError::Base { .. }))
            && msg.contains("\"three\"")
            && msg.contains("one, two"),
        "{msg}"
    );
}

#[test]
fn a_symlink_out_of_the_context_is_refused_and_one_inside_is_kept() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    std::os::unix::fs::symlink("hello/cli.py", ctx.0.join("src/alias.py")).expect("symlink");
    let result = build_valid(
        &host(),
        &options(&ctx.path(""), &out.path("l"), "scratch", &[]),
    );
    let entries = list_layer(&blob(&out.path("l"), &result.layers[0].descriptor.digest));
    let link = entries
        .iter()
        .find(|e| e.path == "app/src/alias.py")
        .expect("link kept");
    assert_eq!(
        (link.kind, link.link.as_deref()),
        ('l', Some("hello/cli.py"))
    );

    for target in ["/etc/passwd", "../../outside"] {
        let _ = std::fs::remove_file(ctx.0.join("src/escape"));
        std::os::unix::fs::symlink(target, ctx.0.join("src/escape")).expect("symlink");
        let layout = out.path("refused");
        let e = expect_err(run(
            &host(),
            &options(&ctx.path(""), &layout, "scratch", &[]),
        ));
        assert!(e.to_string().contains("src/escape"), "{e}");
        assert!(!std::path::Path::new(&layout).exists());
    }
}

#[test]
fn an_output_dir_that_is_not_a_layout_is_left_alone() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    out.write(&[("notes.txt", "mine")]);
    let e = expect_err(run(
        &host(),
        &options(&ctx.path(""), &out.path(""), "scratch", &[]),
    ));
    assert!(
        matches!(
            &e,
            Error::Plan(PlanError::Output { source, .. })
                if matches!(**source, SinkError::Layout(LayoutError::OutputNotLayout { .. }))
        ),
        "{e}"
    );
    assert_eq!(std::fs::read_dir(&out.0).map(|d| d.count()).ok(), Some(1));
}

#[test]
fn a_multi_platform_base_is_resolved_by_platform() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    let layout = out.path("multi");
    let mut amd = options(&ctx.path(""), &layout, "scratch", &["x:amd"]);
    amd.platform = Some("linux/amd64".into());
    let amd = build_valid(&host(), &amd);
    let mut arm = options(&ctx.path(""), &layout, "scratch", &["x:arm"]);
    arm.platform = Some("linux/arm64/v8".into());
    let arm = build_valid(&host(), &arm);
    assert_ne!(amd.manifest_digest, arm.manifest_digest);

    // Fold both into one nested index tagged "multi", as multi-arch bases are.
    let idx = index(&layout);
    let nested = oci::Index {
        manifests: idx
            .manifests
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.annotations.clear();
                d
            })
            .collect(),
        ..oci::Index::empty()
    };
    let bytes = oci::to_canonical_json(&nested);
    let digest = pycontainer_digest::Digest::of(pycontainer_digest::Sha256::portable(), &bytes);
    std::fs::write(blob(&layout, &digest), &bytes).expect("write nested index");
    let mut entry = oci::Descriptor::new(media::OCI_INDEX, digest, bytes.len() as u64);
    entry
        .annotations
        .insert(oci::annotation::REF_NAME.into(), "multi".into());
    let mut top = oci::Index::empty();
    top.manifests.push(entry);
    std::fs::write(format!("{layout}/index.json"), oci::to_canonical_json(&top))
        .expect("write index");

    for (platform, want) in [("linux/arm64", &arm), ("linux/amd64", &amd)] {
        let mut o = options(
            &ctx.path(""),
            &out.path(platform),
            &format!("oci:{layout}:multi"),
            &[],
        );
        o.platform = Some(platform.into());
        let r = build_valid(&host(), &o);
        assert_eq!(r.plan.platform, platform);
        let base_layer = &manifest(&out.path(platform), &r).layers[0];
        assert_eq!(
            base_layer.digest, want.layers[0].descriptor.digest,
            "{platform} picked its own base"
        );
    }
    let mut o = options(
        &ctx.path(""),
        &out.path("s390x"),
        &format!("oci:{layout}:multi"),
        &[],
    );
    o.platform = Some("linux/s390x".into());
    let msg = expect_err(run(&host(), &o)).to_string();
    assert!(
        msg.contains("linux/s390x") && msg.contains("linux/amd64") && msg.contains("linux/arm64"),
        "{msg}"
    );
}

#[test]
fn a_docker_typed_base_gives_a_docker_typed_image() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    let layout = out.path("docker");
    let base = build_valid(
        &host(),
        &options(&ctx.path(""), &layout, "scratch", &["b:1"]),
    );

    // Re-label the base with Docker schema2 media types, as `skopeo copy --format v2s2` stores it.
    let mut m = manifest(&layout, &base);
    m.media_type = Some(media::DOCKER_MANIFEST.into());
    m.config.media_type = media::DOCKER_CONFIG.into();
    m.layers[0].media_type = media::DOCKER_LAYER_GZIP.into();
    let bytes = oci::to_canonical_json(&m);
    let digest = pycontainer_digest::Digest::of(pycontainer_digest::Sha256::portable(), &bytes);
    std::fs::write(blob(&layout, &digest), &bytes).expect("write manifest");
    let mut top = oci::Index::empty();
    let mut entry = oci::Descriptor::new(media::DOCKER_MANIFEST, digest, bytes.len() as u64);
    entry
        .annotations
        .insert(oci::annotation::REF_NAME.into(), "v2s2".into());
    top.manifests.push(entry);
    std::fs::write(format!("{layout}/index.json"), oci::to_canonical_json(&top))
        .expect("write index");

    let app = out.path("app");
    let r = build_valid(
        &host(),
        &options(&ctx.path(""), &app, &format!("oci:{layout}:v2s2"), &["a:1"]),
    );
    let m = manifest(&app, &r);
    assert_eq!(m.media_type.as_deref(), Some(media::DOCKER_MANIFEST));
    assert_eq!(m.config.media_type, media::DOCKER_CONFIG);
    assert!(
        m.layers
            .iter()
            .all(|l| l.media_type == media::DOCKER_LAYER_GZIP),
        "{:?}",
        m.layers
    );
    assert_eq!(index(&app).manifests[0].media_type, media::DOCKER_MANIFEST);
}

#[test]
fn a_late_failure_takes_back_everything_it_wrote() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    hello_project(&ctx);
    let base = out.path("base");
    let b = build_valid(&host(), &options(&ctx.path(""), &base, "scratch", &["b:1"]));
    // Same size, other bytes: only the copy's digest check can tell.
    let layer = blob(&base, &b.layers[0].descriptor.digest);
    let mut bytes = std::fs::read(&layer).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&layer, &bytes).expect("corrupt");
    let base_ref = format!("oci:{base}:1");

    let fresh = out.path("fresh");
    let e = expect_err(run(
        &host(),
        &options(&ctx.path(""), &fresh, &base_ref, &[]),
    ));
    assert!(e.to_string().contains("corrupt"), "{e}");
    assert!(
        !std::path::Path::new(&fresh).exists(),
        "a new output is removed again"
    );

    let existing = out.path("existing");
    // Another project, so the layout does not already hold the base's layer.
    let other = TempDir::new("other");
    other.write(&[("main.py", "print('other')")]);
    build_valid(
        &host(),
        &options(&other.path(""), &existing, "scratch", &["keep:1"]),
    );
    let before: Vec<_> = walk(&existing);
    expect_err(run(
        &host(),
        &options(&ctx.path(""), &existing, &base_ref, &["new:1"]),
    ));
    assert_eq!(
        walk(&existing),
        before,
        "an existing layout is left as it was"
    );
}

/// Every file under `dir` with its bytes, sorted.
fn walk(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap_or_default(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_second_core_changes_the_speed_not_the_bytes() {
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    ctx.write(&[("main.py", "print(1)\n")]);
    // Several chunks of text and of noise, so both the offloaded and the
    // local path compress both kinds.
    write_noise_and_text(
        &ctx,
        "",
        6,
        700_000,
        7,
        &"def f():\n    return 42\n".repeat(30_000),
    );
    let one = build_valid(
        &host(),
        &options(&ctx.path(""), &out.path("one"), "scratch", &["t:1"]),
    );
    let two = build_valid(
        &host().with_threads(),
        &options(&ctx.path(""), &out.path("two"), "scratch", &["t:1"]),
    );
    assert!(
        one.layers[0].descriptor.size > 4 * 1024 * 1024,
        "several chunks: {}",
        one.layers[0].descriptor.size
    );
    assert_eq!(one.manifest_digest, two.manifest_digest);
}
