//! The reference grammar, case by case: what parses, how it normalises, and what is refused with which message.

use super::*;

const HEX64: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Good {
    input: String,
    registry: &'static str,
    repository: &'static str,
    tag: Option<&'static str>,
    digest: Option<String>,
    display: String,
    familiar: String,
}

fn good(
    input: &str,
    registry: &'static str,
    repository: &'static str,
    tag: Option<&'static str>,
    digest: Option<&str>,
    display: &str,
    familiar: &str,
) -> Good {
    Good {
        input: input.to_string(),
        registry,
        repository,
        tag,
        digest: digest.map(str::to_string),
        display: display.to_string(),
        familiar: familiar.to_string(),
    }
}

fn good_cases() -> Vec<Good> {
    let d = format!("sha256:{HEX64}");
    vec![
        good(
            "python",
            "docker.io",
            "library/python",
            None,
            None,
            "docker.io/library/python",
            "python",
        ),
        good(
            "python:3.11-slim",
            "docker.io",
            "library/python",
            Some("3.11-slim"),
            None,
            "docker.io/library/python:3.11-slim",
            "python:3.11-slim",
        ),
        good(
            "library/python",
            "docker.io",
            "library/python",
            None,
            None,
            "docker.io/library/python",
            "python",
        ),
        good(
            "docker.io/python",
            "docker.io",
            "library/python",
            None,
            None,
            "docker.io/library/python",
            "python",
        ),
        good(
            "index.docker.io/library/python:3",
            "docker.io",
            "library/python",
            Some("3"),
            None,
            "docker.io/library/python:3",
            "python:3",
        ),
        good(
            "localhost:5000/x",
            "localhost:5000",
            "x",
            None,
            None,
            "localhost:5000/x",
            "localhost:5000/x",
        ),
        good(
            "localhost/x:1",
            "localhost",
            "x",
            Some("1"),
            None,
            "localhost/x:1",
            "localhost/x:1",
        ),
        good(
            "127.0.0.1:5000/a/b:tag",
            "127.0.0.1:5000",
            "a/b",
            Some("tag"),
            None,
            "127.0.0.1:5000/a/b:tag",
            "127.0.0.1:5000/a/b:tag",
        ),
        good(
            &format!("ghcr.io/o/r@{d}"),
            "ghcr.io",
            "o/r",
            None,
            Some(&d),
            &format!("ghcr.io/o/r@{d}"),
            &format!("ghcr.io/o/r@{d}"),
        ),
        good(
            &format!("ghcr.io/o/r:t@{d}"),
            "ghcr.io",
            "o/r",
            Some("t"),
            Some(&d),
            &format!("ghcr.io/o/r:t@{d}"),
            &format!("ghcr.io/o/r:t@{d}"),
        ),
        good(
            "[::1]:5000/x:y",
            "[::1]:5000",
            "x",
            Some("y"),
            None,
            "[::1]:5000/x:y",
            "[::1]:5000/x:y",
        ),
        good(
            "a.b/c__d/e-f---g:v1.0_x",
            "a.b",
            "c__d/e-f---g",
            Some("v1.0_x"),
            None,
            "a.b/c__d/e-f---g:v1.0_x",
            "a.b/c__d/e-f---g:v1.0_x",
        ),
        good(
            "myuser/app:1",
            "docker.io",
            "myuser/app",
            Some("1"),
            None,
            "docker.io/myuser/app:1",
            "myuser/app:1",
        ),
        good(
            "docker.io/library/a/b",
            "docker.io",
            "library/a/b",
            None,
            None,
            "docker.io/library/a/b",
            "library/a/b",
        ),
        // Without the registry this would re-parse as registry `foo.bar`.
        good(
            "docker.io/foo.bar/baz",
            "docker.io",
            "foo.bar/baz",
            None,
            None,
            "docker.io/foo.bar/baz",
            "docker.io/foo.bar/baz",
        ),
        good(
            "docker.io/localhost/x",
            "docker.io",
            "localhost/x",
            None,
            None,
            "docker.io/localhost/x",
            "docker.io/localhost/x",
        ),
        good(
            "Docker.IO/python",
            "docker.io",
            "library/python",
            None,
            None,
            "docker.io/library/python",
            "python",
        ),
        good(
            &format!("python@{d}"),
            "docker.io",
            "library/python",
            None,
            Some(&d),
            &format!("docker.io/library/python@{d}"),
            &format!("python@{d}"),
        ),
        good(
            "Registry.Example.COM/x",
            "Registry.Example.COM",
            "x",
            None,
            None,
            "Registry.Example.COM/x",
            "Registry.Example.COM/x",
        ),
        good(
            "[fe80::1]/x",
            "[fe80::1]",
            "x",
            None,
            None,
            "[fe80::1]/x",
            "[fe80::1]/x",
        ),
    ]
}

#[test]
fn good_references() {
    for g in good_cases() {
        let r = Reference::parse(&g.input).unwrap_or_else(|e| panic!("{}: {e}", g.input));
        assert_eq!(r.registry(), g.registry, "registry of {}", g.input);
        assert_eq!(r.repository(), g.repository, "repository of {}", g.input);
        assert_eq!(r.tag(), g.tag, "tag of {}", g.input);
        assert_eq!(r.digest(), g.digest.as_deref(), "digest of {}", g.input);
        assert_eq!(r.to_string(), g.display, "Display of {}", g.input);
        assert_eq!(r.familiar(), g.familiar, "familiar of {}", g.input);
        assert_eq!(r.name(), format!("{}/{}", g.registry, g.repository));
    }
}

#[test]
fn display_and_familiar_round_trip() {
    for g in good_cases() {
        let r = Reference::parse(&g.input).unwrap();
        assert_eq!(Reference::parse(&r.to_string()).unwrap(), r, "{}", g.input);
        assert_eq!(Reference::parse(&r.familiar()).unwrap(), r, "{}", g.input);
    }
}

#[test]
fn spellings_of_the_same_image_are_equal() {
    let a = Reference::parse("python").unwrap();
    for other in [
        "library/python",
        "docker.io/python",
        "index.docker.io/library/python",
    ] {
        assert_eq!(Reference::parse(other).unwrap(), a, "{other}");
    }
}

#[test]
fn from_str_matches_parse() {
    let r: Reference = "python:3".parse().unwrap();
    assert_eq!(r, Reference::parse("python:3").unwrap());
    assert!("".parse::<Reference>().is_err());
}

#[test]
fn registry_host() {
    let host = |s: &str| Reference::parse(s).unwrap().registry_host().to_string();
    assert_eq!(host("python"), "registry-1.docker.io");
    assert_eq!(host("index.docker.io/x/y"), "registry-1.docker.io");
    assert_eq!(host("ghcr.io/o/r"), "ghcr.io");
    assert_eq!(host("localhost:5000/x"), "localhost:5000");
    assert_eq!(host("[::1]:5000/x"), "[::1]:5000");
}

#[test]
fn tag_or_latest() {
    let t = |s: &str| {
        Reference::parse(s)
            .unwrap()
            .tag_or_latest()
            .map(str::to_string)
    };
    assert_eq!(t("python").as_deref(), Some("latest"));
    assert_eq!(t("python:3").as_deref(), Some("3"));
    assert_eq!(t(&format!("python@sha256:{HEX64}")), None);
    assert_eq!(t(&format!("python:3@sha256:{HEX64}")).as_deref(), Some("3"));
}

#[test]
fn other_digest_algorithms() {
    let sha512 = format!("sha512:{HEX64}{HEX64}");
    let r = Reference::parse(&format!("x@{sha512}")).unwrap();
    assert_eq!(r.digest(), Some(sha512.as_str()));
    let generic = format!("multihash+base58.v1:{}", &HEX64[..32]);
    assert!(Reference::parse(&format!("x@{generic}")).is_ok());
}

#[test]
fn length_limits() {
    let tag128 = format!("a{}", "b".repeat(127));
    assert_eq!(
        Reference::parse(&format!("x:{tag128}")).unwrap().tag(),
        Some(tag128.as_str())
    );
    let name255 = format!("a.io/{}", "b".repeat(250));
    assert!(Reference::parse(&name255).is_ok());
    // As Docker does, the limit applies once `docker.io/` is put in front.
    assert!(Reference::parse(&format!("a/{}", "b".repeat(253))).is_err());
    // The limit applies to the name only, never to tag or digest.
    assert!(Reference::parse(&format!("{name255}:{tag128}@sha256:{HEX64}")).is_ok());
}

fn bad_cases() -> Vec<(String, &'static str)> {
    vec![
        ("Foo:bar:baz".into(), "too many ':'"),
        (
            "Foo:bar".into(),
            r#"repository name must be lowercase ("Foo")"#,
        ),
        (
            "app:".into(),
            r#"tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} ("")"#,
        ),
        (":tag".into(), "repository name must not be empty"),
        (
            "a//b".into(),
            r#"repository path must not contain empty components ("a//b")"#,
        ),
        ("a/".into(), "must not contain empty components"),
        ("/a".into(), "must not contain empty components"),
        (
            "-a".into(),
            r#"must start and end with [a-z0-9], not a separator ("-a")"#,
        ),
        (
            "a-".into(),
            r#"must start and end with [a-z0-9], not a separator ("a-")"#,
        ),
        ("x/_a".into(), "not a separator"),
        (
            "a:tag with space".into(),
            r#"tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} ("tag with space")"#,
        ),
        (
            format!("a:{}", "t".repeat(129)),
            "tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}",
        ),
        ("a:.x".into(), "tag must match"),
        ("a:-x".into(), "tag must match"),
        (
            "x@sha256:abc".into(),
            r#"sha256 digest must be 64 lowercase hex characters ("sha256:abc")"#,
        ),
        (
            format!("x@sha256:{}", HEX64.to_uppercase()),
            "sha256 digest must be 64 lowercase hex",
        ),
        (
            format!("x@sha256:{HEX64}0"),
            "sha256 digest must be 64 lowercase hex",
        ),
        ("x@".into(), "digest must be ALGORITHM:HEX"),
        ("x@md5".into(), "digest must be ALGORITHM:HEX"),
        (format!("x@SHA256:{HEX64}"), "digest algorithm must match"),
        (format!("x@sha256+:{HEX64}"), "digest algorithm must match"),
        ("x@foo:abcdef".into(), "at least 32 lowercase hex"),
        (
            format!("x@sha256:{HEX64}@sha256:{HEX64}"),
            "sha256 digest must be 64",
        ),
        ("".into(), "reference must not be empty"),
        (
            format!("a/{}", "b".repeat(254)),
            "name must be at most 255 characters (got 256)",
        ),
        // Found by the fuzzer (crates/fuzz, reference): 251 characters as
        // written parsed, but printed with `docker.io/library/` they made a
        // reference that did not parse back, as Docker would not take it.
        (
            format!("g{}", "h".repeat(250)),
            "name must be at most 255 characters, and as docker.io/library/ghhhhhhh… it has 269",
        ),
        (
            "a..b".into(),
            "must match [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*",
        ),
        ("a___b".into(), "must match [a-z0-9]+"),
        ("a._b".into(), "must match [a-z0-9]+"),
        ("a-.b".into(), "must match [a-z0-9]+"),
        ("a b".into(), "must match [a-z0-9]+"),
        ("caf\u{e9}".into(), "must match [a-z0-9]+"),
        ("a/B".into(), r#"repository name must be lowercase ("B")"#),
        ("a:1:2/b".into(), r#"too many ':'"#),
        ("a/b:c/d".into(), r#"too many ':'"#),
        ("ghcr.io/".into(), "repository name must not be empty"),
        (
            format!("@sha256:{HEX64}"),
            "repository name must not be empty",
        ),
        (
            "localhost:99999/x".into(),
            r#"registry port must be a number from 0 to 65535 ("99999")"#,
        ),
        ("localhost:/x".into(), r#"registry port must be a number"#),
        ("localhost:+5/x".into(), r#"registry port must be a number"#),
        (
            "ex_ample.com/x".into(),
            r#"registry host must be a DNS name"#,
        ),
        ("a_b.c-d/e".into(), r#"registry host must be a DNS name"#),
        ("-a.com/x".into(), r#"registry host must be a DNS name"#),
        ("a..com/x".into(), r#"registry host must be a DNS name"#),
        ("[::1/x".into(), r#"registry host must be a DNS name"#),
        ("[::1]x/y".into(), r#"registry host must be a DNS name"#),
        ("[zz]/y".into(), r#"registry host must be a DNS name"#),
        ("[]:5000/y".into(), r#"registry host must be a DNS name"#),
    ]
}

#[test]
fn bad_references_name_the_rule() {
    for (input, rule) in bad_cases() {
        match Reference::parse(&input) {
            Ok(r) => panic!("{input:?} should be rejected, parsed as {r}"),
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(rule),
                    "{input:?}: {msg:?} should mention {rule:?}"
                );
                assert!(
                    msg.starts_with(&format!("invalid reference {input:?}: ")),
                    "{input:?}: {msg:?} should quote the input"
                );
            }
        }
    }
}

#[test]
fn exact_messages() {
    let msg = |s: &str| Reference::parse(s).unwrap_err().to_string();
    assert_eq!(
        msg("Foo:bar"),
        r#"invalid reference "Foo:bar": repository name must be lowercase ("Foo")"#
    );
    assert_eq!(
        msg("app:"),
        r#"invalid reference "app:": tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} ("")"#
    );
    assert_eq!(
        msg("Foo:bar:baz"),
        r#"invalid reference "Foo:bar:baz": too many ':' - only a registry port (before the first '/') and a tag (after the last '/') may use ':' ("Foo:bar")"#
    );
    assert_eq!(
        msg(""),
        r#"invalid reference "": reference must not be empty"#
    );
}

#[test]
fn error_variants() {
    let err = |s: &str| Reference::parse(s).unwrap_err();
    assert_eq!(err(""), ReferenceError::Empty);
    assert!(matches!(
        err("Foo:bar:baz"),
        ReferenceError::TooManyColons { .. }
    ));
    assert!(matches!(err("Foo:bar"), ReferenceError::Uppercase { .. }));
    assert!(matches!(
        err("app:"),
        ReferenceError::InvalidTag {
            reference: Some(_),
            ..
        }
    ));
    assert!(matches!(
        err(":tag"),
        ReferenceError::EmptyRepository { .. }
    ));
    assert!(matches!(
        err("a//b"),
        ReferenceError::EmptyPathComponent { .. }
    ));
    assert!(matches!(err("-a"), ReferenceError::SeparatorAtEdge { .. }));
    assert!(matches!(
        err("a..b"),
        ReferenceError::InvalidPathComponent { .. }
    ));
    assert!(matches!(
        err("x@sha256:abc"),
        ReferenceError::InvalidDigest { .. }
    ));
    assert!(matches!(
        err(&"a".repeat(256)),
        ReferenceError::NameTooLong { len: 256, .. }
    ));
    assert!(matches!(
        err("a.com:x/b"),
        ReferenceError::InvalidRegistryPort { .. }
    ));
    assert!(matches!(
        err("a_b.com/b"),
        ReferenceError::InvalidRegistryHost { .. }
    ));
}

#[test]
fn standalone_tags() {
    for ok in ["latest", "3.11-slim", "_", "A", "v1.0_x", &"a".repeat(128)] {
        assert_eq!(validate_tag(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        ".a",
        "-a",
        "a b",
        "a/b",
        "a:b",
        "a@b",
        "\u{e9}",
        &"a".repeat(129),
    ] {
        let err = validate_tag(bad).unwrap_err();
        assert_eq!(
            err,
            ReferenceError::InvalidTag {
                reference: None,
                tag: bad.to_string()
            }
        );
    }
    assert_eq!(
        validate_tag("a b").unwrap_err().to_string(),
        r#"invalid tag "a b": tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} ("a b")"#
    );
}

#[test]
fn path_component_grammar() {
    for ok in [
        "a",
        "0",
        "a.b",
        "a_b",
        "a__b",
        "a-b",
        "a---b",
        "a.b_c__d-e",
        "a1.2b",
    ] {
        assert_eq!(check_path_component(ok), Ok(()), "{ok}");
    }
    let cases = [
        ("", ComponentFault::Empty),
        ("A", ComponentFault::Uppercase),
        (".a", ComponentFault::SeparatorAtEdge),
        ("a_", ComponentFault::SeparatorAtEdge),
        ("a..b", ComponentFault::Invalid),
        ("a___b", ComponentFault::Invalid),
        ("a-_b", ComponentFault::Invalid),
        ("a+b", ComponentFault::Invalid),
    ];
    for (input, fault) in cases {
        assert_eq!(check_path_component(input), Err(fault), "{input}");
    }
}
