//! The schema from every source: files, the environment, flags; their merge and their errors.

use std::collections::BTreeMap;

use toml::Table;

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
    assert!(
        e.contains("PYCONTAINER") && e.contains("ports") && e.contains("\"x\""),
        "{e}"
    );
    let host = NativeHost::with_env(&[
        ("PYCONTAINER_BASE_IMAGE", "oci:/b"),
        ("PYCONTAINER_TAGS", "a:1, a:2"),
    ]);
    let s = Settings::from_env(&host).unwrap_or_default();
    assert_eq!(s.base_image.as_deref(), Some("oci:/b"));
    assert_eq!(s.tags, Some(vec!["a:1".into(), "a:2".into()]));
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
