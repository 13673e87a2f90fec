//! The schema from every source: files, the environment, flags; their merge and their errors.

use std::collections::BTreeMap;

use toml::{Table, Value};

use super::table::from_config_file;
use super::words::split_words;
use super::*;
use crate::host::NativeHost;

fn table(text: &str) -> Table {
    text.parse().unwrap_or_default()
}

#[test]
fn reads_every_key() {
    let s = Settings::from_table(
        "f",
        &table(
            r#"base-image = "b"
python = "3.12"
tags = ["a:1"]
env = { A = "1", N = 2 }
ports = [8000, "9000/tcp"]
user = 1000
entrypoint = "python -m 'my app'"
cmd = ["--x"]
exclude = ["docs"]"#,
        ),
    );
    let s = s.unwrap_or_default();
    assert_eq!(s.base_image.as_deref(), Some("b"));
    assert_eq!(s.env.get("N").map(String::as_str), Some("2"));
    assert_eq!(s.ports, Some(vec!["8000/tcp".into(), "9000/tcp".into()]));
    assert_eq!(s.user.as_deref(), Some("1000"));
    assert_eq!(
        s.entrypoint,
        Some(vec!["python".into(), "-m".into(), "my app".into()])
    );
}

#[test]
fn unknown_keys_get_a_suggestion_and_wrong_types_a_clear_word() {
    let e = Settings::from_table("pycontainer.toml", &table("base_image = 'x'"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(
        e,
        "pycontainer.toml: unknown key `base_image` (did you mean `base-image`?)"
    );
    let e = Settings::from_table("p", &table("entrypont = 'x'"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("did you mean `entrypoint`"), "{e}");
    let e = Settings::from_table("p", &table("zzzzzz = 1"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(!e.contains("did you mean"), "{e}");
    let e = Settings::from_table("p", &table("tags = 'a:1'"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(e, "p: `tags` must be an array of strings, found string");
    let e = Settings::from_table("p", &table("ports = [70000]"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("out of range"), "{e}");
}

#[test]
fn higher_sources_win_and_maps_merge() {
    let low = Settings {
        python: Some("3.11".into()),
        workdir: Some("/srv".into()),
        env: BTreeMap::from([("A".into(), "low".into()), ("B".into(), "low".into())]),
        exclude: vec!["a".into()],
        ..Settings::default()
    };
    let high = Settings {
        python: Some("3.12".into()),
        env: BTreeMap::from([("A".into(), "high".into())]),
        exclude: vec!["b".into()],
        ..Settings::default()
    };
    let s = high.over(low);
    assert_eq!(s.python.as_deref(), Some("3.12"));
    assert_eq!(
        s.workdir.as_deref(),
        Some("/srv"),
        "an unset value never clobbers a lower one"
    );
    assert_eq!(s.env.get("A").map(String::as_str), Some("high"));
    assert_eq!(s.env.get("B").map(String::as_str), Some("low"));
    assert_eq!(s.exclude, vec!["a", "b"]);
}

#[test]
fn environment_variables_use_the_same_schema() {
    let host = NativeHost::with_env(&[
        ("PYCONTAINER_BASE_IMAGE", "oci:/b"),
        ("PYCONTAINER_TAGS", "a:1, a:2"),
        ("PYCONTAINER_PORTS", "80,x"),
    ]);
    let e = Settings::from_env(&host)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with("PYCONTAINER_PORTS \"x\": "), "{e}");
    let host = NativeHost::with_env(&[
        ("PYCONTAINER_BASE_IMAGE", "oci:/b"),
        ("PYCONTAINER_TAGS", "a:1, a:2"),
    ]);
    let s = Settings::from_env(&host).unwrap_or_default();
    assert_eq!(s.base_image.as_deref(), Some("oci:/b"));
    assert_eq!(s.tags, Some(vec!["a:1".into(), "a:2".into()]));
}

#[test]
fn a_bad_variable_is_named_as_the_variable_not_the_flag() {
    for (var, value) in [
        ("PYCONTAINER_PORTS", "eighty"),
        ("PYCONTAINER_COMPILE", "maybe"),
        ("PYCONTAINER_INCLUDE_DEPS", "perhaps"),
        ("PYCONTAINER_IGNORE_REQUIRES_PYTHON", "2"),
        ("PYCONTAINER_USER", "a b"),
        ("PYCONTAINER_ENTRYPOINT", "[\"unclosed"),
        ("PYCONTAINER_INDEX_URL", "ftp://user:s3cret@x/simple"),
    ] {
        let e = Settings::from_env(&NativeHost::with_env(&[(var, value)]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with(var), "{var}={value}: {e}");
        assert!(!e.contains("s3cret"), "{e}");
    }
    // A rule that judges a merged value names the variable by its key.
    let tagged = Settings {
        tags: Some(vec!["UP:1".into()]),
        ..Settings::default()
    };
    let layers = Layers {
        flags: Settings::default(),
        env: tagged.clone(),
        file: Settings::default(),
        file_path: None,
        file_explicit: false,
        tool: Settings::default(),
        runtime: None,
    };
    assert_eq!(
        layers.origin("--tag", |s| s.tags.is_some()),
        "PYCONTAINER_TAGS"
    );
    let layers = Layers {
        env: Settings::default(),
        file: tagged,
        file_path: Some("/c/pycontainer.toml".into()),
        ..layers
    };
    assert_eq!(
        layers.origin("--tag", |s| s.tags.is_some()),
        "/c/pycontainer.toml [build] tags"
    );
    assert_eq!(
        layers.origin("--extra-index-url", |s| s.tags.is_some()),
        "/c/pycontainer.toml [build] extra-index-urls"
    );
}

#[test]
fn dependency_settings_read_from_files_and_env_and_flags_win() {
    let table: Table = "include-deps = false\nextras = [\"standard\"]\npre = true\nindex-url = \"https://idx/simple\"\nrequirements = \"requirements/prod.txt\""
        .parse()
        .unwrap();
    let file = Settings::from_table("pycontainer.toml", &table).unwrap();
    assert_eq!(file.deps.include, Some(false));
    assert_eq!(file.deps.extras, Some(vec!["standard".to_owned()]));
    assert_eq!(
        file.deps.requirements.as_deref(),
        Some("requirements/prod.txt")
    );
    let host = NativeHost::with_env(&[
        ("PYCONTAINER_INCLUDE_DEPS", "yes"),
        (
            "PYCONTAINER_EXTRA_INDEX_URLS",
            "https://a/simple, https://b/simple",
        ),
    ]);
    let env = Settings::from_env(&host).unwrap();
    assert_eq!(env.deps.include, Some(true));
    assert_eq!(
        env.deps.extra_index_urls,
        Some(vec![
            "https://a/simple".to_owned(),
            "https://b/simple".to_owned()
        ])
    );
    let merged = env.over(file);
    assert_eq!(merged.deps.include, Some(true));
    assert_eq!(merged.deps.pre, Some(true));
    let bad: Table = "pre = \"maybe\"".parse().unwrap();
    let e = Settings::from_table("pycontainer.toml", &bad).unwrap_err();
    assert_eq!(
        e.to_string(),
        "pycontainer.toml: `pre` must be true or false, found string"
    );
}

#[test]
fn ignore_requires_python_is_a_boolean_key() {
    let table: Table = "ignore-requires-python = true".parse().unwrap();
    let file = Settings::from_table("pycontainer.toml", &table).unwrap();
    assert_eq!(file.ignore_requires_python, Some(true));
    let unset = Settings::default().over(file);
    assert_eq!(
        unset.ignore_requires_python,
        Some(true),
        "a lower layer's value stays"
    );
    let bad: Table = "ignore-requires-python = 1".parse().unwrap();
    let e = Settings::from_table("pycontainer.toml", &bad).unwrap_err();
    assert_eq!(
        e.to_string(),
        "pycontainer.toml: `ignore-requires-python` must be true or false, found integer"
    );
}

#[test]
fn flags_are_checked_and_name_themselves() {
    let flags = |text: &str| Settings::from_flags(&table(text)).map_err(|e| e.to_string());
    assert_eq!(flags(""), Ok(Settings::default()), "no flags, no settings");
    assert_eq!(
        flags("env = [\"A=1\", \"FOO\"]"),
        Err("--env \"FOO\": needs KEY=VALUE with a non-empty KEY".to_owned())
    );
    assert_eq!(
        flags("labels = [\"=x\"]"),
        Err("--label \"=x\": needs KEY=VALUE with a non-empty KEY".to_owned())
    );
    assert_eq!(
        flags("annotations = [\"note\"]"),
        Err("--annotation \"note\": needs KEY=VALUE with a non-empty KEY".to_owned())
    );
    let e = flags("ports = [\"8000\", \"70000\"]").unwrap_err();
    assert!(
        e.starts_with("--port \"70000\"") && e.contains("65535"),
        "{e}"
    );
    for ok in ["1", "80", "65535", "8000/tcp", "53/udp"] {
        assert!(flags(&format!("ports = [\"{ok}\"]")).is_ok(), "{ok}");
    }
    assert!(flags("ports = [443]").is_ok());
    for no in [
        "\"0\"",
        "\"65536\"",
        "\"abc\"",
        "\"80/sctp\"",
        "\"80/TCP\"",
        "\"8080:80\"",
        "\"-1\"",
        "\"1.5\"",
        "1.5",
        "\"\"",
    ] {
        let e = flags(&format!("ports = [{no}]")).unwrap_err();
        assert!(e.starts_with("--port "), "{no}: {e}");
    }
    // An index URL that is not one is named by its flag, never shown.
    for no in [
        "pypi.org/simple",
        "file:///srv/wheels",
        "https://",
        "ci:s3cret@pkgs.example.com/simple",
    ] {
        let e = flags(&format!("index-url = \"{no}\"")).unwrap_err();
        assert_eq!(
            e,
            "--index-url: needs an http:// or https:// URL such as https://pypi.org/simple"
        );
        let e = flags(&format!(
            "extra-index-urls = [\"https://a/simple\", \"{no}\"]"
        ))
        .unwrap_err();
        assert!(e.starts_with("--extra-index-url: needs an http"), "{e}");
    }
    let file: Table =
        "index-url = \"https://ci:s3cret@pkgs\"\nextra-index-urls = [\"pkgs/simple\"]"
            .parse()
            .unwrap();
    let e = Settings::from_table("pycontainer.toml", &file)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("pycontainer.toml: `extra-index-urls`: needs an http:// or https:// URL"),
        "{e}"
    );
    assert_eq!(
        flags("entrypoint = \"\""),
        Err("--entrypoint \"\": the entrypoint is empty".to_owned())
    );
    let s = flags("entrypoint = '[\"uvicorn\", \"a:b\"]'\ncmd = \"--reload 'x y'\"\nenv = [\"A=1=2\", \"B=\"]")
        .unwrap_or_default();
    assert_eq!(s.entrypoint, Some(vec!["uvicorn".into(), "a:b".into()]));
    assert_eq!(s.cmd, Some(vec!["--reload".into(), "x y".into()]));
    assert_eq!(
        s.env,
        BTreeMap::from([("A".into(), "1=2".into()), ("B".into(), String::new())])
    );
}

#[test]
fn a_config_file_keeps_settings_under_build() {
    let s =
        from_config_file("pycontainer.toml", "[build]\npython = \"3.12\"\n").unwrap_or_default();
    assert_eq!(s.python.as_deref(), Some("3.12"));
    let e = from_config_file("pycontainer.toml", "[bulid]\npython = 1\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("`bulid`") && e.contains("did you mean `build`"),
        "{e}"
    );
    let e = from_config_file("pycontainer.toml", "python = '3.12'\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("did you mean `[build]`"), "{e}");
    let e = from_config_file("pycontainer.toml", "[build]\nports = 'x'\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("pycontainer.toml [build]") && e.contains("`ports`"),
        "{e}"
    );
    // A map key the flags' KEY=VALUE could not give is refused, naming it.
    for key in ["\"A=B\"", "\" \""] {
        let e = from_config_file(
            "pycontainer.toml",
            &format!("[build]\nenv = {{ {key} = \"1\" }}\n"),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.contains("`env`") && e.contains(key), "{e}");
    }
}

#[test]
fn env_files_read_like_dotenv() {
    let m = parse_env_file("e", "# c\nA=1\nexport B=\"two words\"\nC='x=y'\n").unwrap_or_default();
    assert_eq!(m.get("B").map(String::as_str), Some("two words"));
    assert_eq!(m.get("C").map(String::as_str), Some("x=y"));
    let e = parse_env_file("prod.env", "A=1\nbroken\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(e, "prod.env:2: expected KEY=VALUE");
}

#[test]
fn splits_words_like_a_shell() {
    assert_eq!(
        split_words(r#"a "b c" 'd e' f\ g "h\"i""#).ok(),
        Some(vec![
            "a".into(),
            "b c".into(),
            "d e".into(),
            "f g".into(),
            "h\"i".into()
        ])
    );
    assert!(split_words("a 'b").is_err());
    assert_eq!(split_words("   ").ok(), Some(vec![]));
    let env = NativeHost::with_env(&[
        ("PYCONTAINER_ENTRYPOINT", r#"["python3", "-m", "a b"]"#),
        ("PYCONTAINER_CMD", "[]"),
    ]);
    let s = Settings::from_env(&env).unwrap_or_default();
    assert_eq!(
        s.entrypoint,
        Some(vec!["python3".into(), "-m".into(), "a b".into()]),
        "JSON from any source"
    );
    assert_eq!(s.cmd, Some(vec![]));
    let e = Settings::from_table("f", &table("entrypoint = []"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("`entrypoint`") && e.contains("empty"), "{e}");
}

#[test]
fn users_are_names_ids_or_pairs_of_them() {
    use super::words::user;
    for ok in [
        "app",
        "1000",
        "1000:1000",
        "app:staff",
        "www-data",
        "nonroot:65532",
    ] {
        assert!(user(ok).is_ok(), "{ok}");
    }
    for bad in [
        "a:b:c",
        ":1000",
        "1000:",
        "-x",
        "app name",
        "4294967296",
        "na\u{0}me",
        "é",
    ] {
        assert!(user(bad).is_err(), "{bad:?}");
    }
    let e = from_config_file("pycontainer.toml", "[build]\nuser = \"a:b:c\"\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("pycontainer.toml") && e.contains("user") && e.contains("NAME:GROUP"),
        "{e}"
    );
}

/// A context beside a directory outside it, and a link from one to the other.
fn confined_tree(name: &str) -> (String, String) {
    let top =
        std::env::temp_dir().join(format!("pycontainer-confine-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&top);
    let ctx = top.join("ctx");
    let outside = top.join("outside");
    for dir in [ctx.join("inner"), outside.clone()] {
        std::fs::create_dir_all(dir).unwrap_or_default();
    }
    std::fs::write(outside.join("x"), "SECRET=1\n").unwrap_or_default();
    std::fs::write(ctx.join("inner/x"), "A=1\n").unwrap_or_default();
    #[cfg(unix)]
    {
        let _ = std::os::unix::fs::symlink(&outside, ctx.join("out-link"));
        let _ = std::os::unix::fs::symlink("inner", ctx.join("in-link"));
    }
    (
        ctx.to_string_lossy().into_owned(),
        outside.to_string_lossy().into_owned(),
    )
}

fn gathered(host: &NativeHost, ctx: &str, tool: Option<&Table>) -> Result<Layers, ConfigError> {
    pollster::block_on(Layers::gather(host, Settings::default(), ctx, None, tool))
}

#[test]
fn project_config_names_only_paths_inside_the_context() {
    let (ctx, outside) = confined_tree("keys");
    let no_env = NativeHost::with_env(&[]);
    for key in ["env-file", "output", "requirements", "base-image"] {
        let value = |p: &str| {
            if key == "base-image" {
                format!("oci:{p}")
            } else {
                p.to_owned()
            }
        };
        for (path, why) in [
            ("../outside/x".to_owned(), "through '..'"),
            (format!("{outside}/x"), "is absolute"),
            ("out-link/x".to_owned(), "through the symlink"),
            ("inner/../../outside/x".to_owned(), "through '..'"),
        ] {
            let line = format!("{key} = {:?}\n", value(&path));
            std::fs::write(
                format!("{ctx}/pycontainer.toml"),
                format!("[build]\n{line}"),
            )
            .unwrap_or_default();
            let e = gathered(&no_env, &ctx, None).err();
            let text = e.as_ref().map(ToString::to_string).unwrap_or_default();
            assert_eq!(e.map(|e| e.code()), Some("config-path-outside"), "{line}");
            assert!(
                text.contains(&format!("{ctx}/pycontainer.toml [build]: `{key}`"))
                    && text.contains(why),
                "{text}"
            );
            std::fs::remove_file(format!("{ctx}/pycontainer.toml")).unwrap_or_default();
            let tool = table(&line);
            let text = gathered(&no_env, &ctx, Some(&tool))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                text.contains(&format!("pyproject.toml [tool.pycontainer]: `{key}`")),
                "{text}"
            );
            // The person running the build may name it, with a variable or a flag.
            let var = format!("PYCONTAINER_{}", key.to_ascii_uppercase().replace('-', "_"));
            let env = NativeHost::with_env(&[(&var, &value(&format!("{outside}/x")))]);
            assert!(gathered(&env, &ctx, None).is_ok(), "{var}");
            let flags = Settings::from_flags(&table(&format!(
                "{key} = {:?}",
                value(&format!("{outside}/x"))
            )))
            .unwrap_or_default();
            assert!(pollster::block_on(Layers::gather(&no_env, flags, &ctx, None, None)).is_ok());
        }
        // Inside the context, also through a link that stays inside, is fine.
        for path in ["inner/x", "in-link/x", "./inner/../inner/x", "missing/x"] {
            let tool = table(&format!("{key} = {:?}\n", value(path)));
            assert!(gathered(&no_env, &ctx, Some(&tool)).is_ok(), "{key} {path}");
        }
    }
}

#[test]
fn nul_is_refused_everywhere_and_line_breaks_outside_free_text() {
    let from_file = |text: &str| from_config_file("pc.toml", &format!("[build]\n{text}\n"));
    for (line, key) in [
        (r#"tags = ["app:1\nx"]"#, "tags"),
        (r#"labels = { "a\nb" = "v" }"#, "labels"),
        (r#"user = "app\n""#, "user"),
        (r#"workdir = "/srv\n/x""#, "workdir"),
        (r#"env-file = "a\rb""#, "env-file"),
        (r#"requirements = "r\n.txt""#, "requirements"),
        (r#"include = ["a\nb"]"#, "include"),
        (r#"env = { A = "x\u0000" }"#, "env"),
        (r#"labels = { a = "\u0000" }"#, "labels"),
        (r#"entrypoint = ["python", "-c", "\u0000"]"#, "entrypoint"),
        (r#"cmd = "a\u0000b""#, "cmd"),
        (r#"platform = "linux/amd64\u0000""#, "platform"),
    ] {
        let e = from_file(line)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with(&format!("pc.toml [build]: `{key}`: must not hold a")),
            "{line}: {e}"
        );
    }
    // Free text may span lines: env and label values, entrypoint and cmd words.
    for line in [
        r#"env = { CERT = "-----BEGIN\nabc\n-----END" }"#,
        r#"labels = { note = "two\nlines" }"#,
        r#"entrypoint = ["python", "-c", "import sys\nprint(sys.argv)"]"#,
    ] {
        assert!(from_file(line).is_ok(), "{line}");
    }
    // The same from flags (KEY=VALUE items) and the environment.
    let flag = |key: &str, value: Value| {
        let mut t = Table::new();
        t.insert(key.to_owned(), value);
        Settings::from_flags(&t).err()
    };
    let arr = |v: &str| Value::Array(vec![Value::String(v.to_owned())]);
    let e = flag("labels", arr("a\nb=v")).map(|e| e.to_string());
    assert_eq!(e.as_deref(), Some("--label: must not hold a line break"));
    assert!(flag("labels", arr("a=two\nlines")).is_none());
    let e = flag("env", arr("A=x\0")).map(|e| e.to_string());
    assert_eq!(e.as_deref(), Some("--env: must not hold a NUL character"));
    let e = flag("tags", arr("app:1\n")).map(|e| e.to_string());
    assert_eq!(e.as_deref(), Some("--tag: must not hold a line break"));
    let e = flag("user", Value::String("1000\0".into())).map(|e| e.to_string());
    assert_eq!(e.as_deref(), Some("--user: must not hold a NUL character"));
    let host = NativeHost::with_env(&[("PYCONTAINER_WORKDIR", "/srv\nx")]);
    let e = Settings::from_env(&host).err().map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("PYCONTAINER_WORKDIR: must not hold a line break")
    );
}

/// Found by the fuzzer (crates/fuzz, pycontainer-toml): with toml_parser
/// 1.1.5, a `]` inside an unclosed inline table lowered the parser's depth
/// count, so `env = {d]` repeated recursed without bound and overflowed the
/// stack (the wasm's is 1 MiB). It must be a syntax error naming the file.
#[test]
fn unclosed_inline_tables_are_a_syntax_error_not_a_stack_overflow() {
    let text = format!("[build]\n{}", "env = {d]\nport = [8000]\n".repeat(2000));
    let result = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || from_config_file("pycontainer.toml", &text).map(|_| ()))
        .map(|worker| worker.join());
    let Ok(Ok(Err(e))) = result else {
        panic!("expected a syntax error, got {result:?}");
    };
    assert!(e.to_string().starts_with("pycontainer.toml"), "{e}");
}

/// `[runtime]` as pycontainer.toml has it, or its error's text.
fn runtime_of(text: &str) -> Result<RuntimeSettings, String> {
    super::table::read_config_file("pycontainer.toml", text)
        .map(|c| c.runtime.map(|t| t.settings).unwrap_or_default())
        .map_err(|e| e.to_string())
}

#[test]
fn runtime_reads_the_seed_options() {
    use pycontainer_deploy::Shape;
    let r = runtime_of(
        "[runtime]\nexecutor = 'kubernetes'\nports = [8000, '53/udp']\npublic = true\n\
         shard-spec = { shards = 3, url-shard-pattern = '^/u/(.*)' }\ncpu = 0.5\nmemory = '1Gi'\n",
    );
    assert_eq!(
        r,
        Ok(RuntimeSettings {
            executor: Some(Executor::Kubernetes),
            shape: Some(Shape::Shards {
                count: 3,
                url_pattern: Some("^/u/(.*)".into())
            }),
            ports: Some(vec!["8000/tcp".into(), "53/udp".into()]),
            public: Some(true),
            cpu: Some("0.5".into()),
            memory: Some("1Gi".into()),
        })
    );
    let job = runtime_of("[runtime]\njob-spec = { iterations = 5 }\n").map(|r| r.shape);
    assert_eq!(
        job,
        Ok(Some(Shape::Job {
            iterations: 5,
            parallelism: 1
        }))
    );
    // [build] alone still reads, and says nothing of the runtime.
    assert_eq!(
        runtime_of("[build]\npython = '3.12'\n"),
        Ok(RuntimeSettings::default())
    );
}

#[test]
fn runtime_errors_name_the_file_and_key() {
    for (text, wants) in [
        ("[runtime]\nreplica = 2\n", "pycontainer.toml [runtime]: unknown key `replica` (did you mean `replicas`?)"),
        ("[runtime]\nreplicas = 0\n", "pycontainer.toml [runtime]: `replicas`: 0: must be at least 1"),
        ("[runtime]\nreplicas = '2'\n", "pycontainer.toml [runtime]: `replicas` must be a whole number, found string"),
        ("[runtime]\nexecutor = 'nomad'\n", "pycontainer.toml [runtime]: `executor`: \"nomad\" is not an executor: kubernetes, docker or podman"),
        ("[runtime]\njob-spec = { iterations = 2, paralelism = 2 }\n", "pycontainer.toml [runtime]: unknown key `job-spec.paralelism` (did you mean `job-spec.parallelism`?)"),
        ("[runtime]\njob-spec = { parallelism = 2 }\n", "pycontainer.toml [runtime]: `job-spec`: needs `iterations`, the completions"),
        ("[runtime]\nshard-spec = { shards = -1 }\n", "pycontainer.toml [runtime]: `shard-spec.shards`: -1: must be at least 1"),
        ("[runtime]\nreplicas = 2\nshard-spec = { shards = 2 }\n", "pycontainer.toml [runtime]: `shard-spec`: cannot be set with `replicas`"),
        ("[runtime]\nmemory = '1GB'\n", "pycontainer.toml [runtime]: `memory`: \"1GB\" must be a Kubernetes quantity"),
        ("[runtime]\nports = [70000]\n", "pycontainer.toml [runtime]: `ports`: port 70000 is out of range"),
        ("runtime = 1\n", "pycontainer.toml: `runtime` must be a table, found integer"),
        ("[runtim]\n", "pycontainer.toml: unknown key `runtim` (did you mean `runtime`?)"),
    ] {
        let e = runtime_of(text).err().unwrap_or_default();
        assert!(e.starts_with(wants), "{text:?}: {e}");
    }
}

#[test]
fn runtime_flags_are_judged_and_win() {
    use pycontainer_deploy::Shape;
    let flags = |f: RuntimeFlags| RuntimeSettings::from_flags(&f).map_err(|e| e.to_string());
    let given = |s: &str| Some(Given::Text(s.into()));
    let job = flags(RuntimeFlags {
        job_iterations: given("4"),
        job_parallelism: Some(Given::Number(2.0)),
        ..RuntimeFlags::default()
    });
    let job = job.unwrap_or_default();
    assert_eq!(
        job.shape,
        Some(Shape::Job {
            iterations: 4,
            parallelism: 2
        })
    );
    let file =
        runtime_of("[runtime]\nshard-spec = { shards = 3 }\npublic = true\n").unwrap_or_default();
    let merged = job.over(file);
    assert!(
        matches!(merged.shape, Some(Shape::Job { .. })),
        "the flags' shape wins whole"
    );
    assert_eq!(merged.public, Some(true));
    for (f, wants) in [
        (
            RuntimeFlags {
                replicas: given("0"),
                ..RuntimeFlags::default()
            },
            "--replicas \"0\": must be a whole number, at least 1",
        ),
        (
            RuntimeFlags {
                shards: given("two"),
                ..RuntimeFlags::default()
            },
            "--shards \"two\": must be a whole number",
        ),
        (
            RuntimeFlags {
                replicas: given("2"),
                shards: given("2"),
                ..RuntimeFlags::default()
            },
            "--shards: cannot be given with --replicas",
        ),
        (
            RuntimeFlags {
                job_parallelism: given("2"),
                ..RuntimeFlags::default()
            },
            "--job-parallelism: needs --job-iterations",
        ),
        (
            RuntimeFlags {
                cpu: Some("lots".into()),
                ..RuntimeFlags::default()
            },
            "--cpu \"lots\": must be a Kubernetes quantity",
        ),
    ] {
        let e = flags(f).err().unwrap_or_default();
        assert!(e.starts_with(wants), "{e}");
    }
}
