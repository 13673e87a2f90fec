//! Tests for PEP 508 requirements and markers, mostly with strings from real PyPI metadata.

use super::*;

fn req(s: &str) -> Requirement {
    Requirement::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn marker(s: &str) -> Marker {
    Marker::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn name(s: &str) -> PackageName {
    PackageName::new(s).unwrap()
}

fn v(s: &str) -> Version {
    s.parse().unwrap()
}

/// The default test target: CPython 3.11.2 on x86_64 Linux.
fn linux311() -> MarkerEnv {
    MarkerEnv::linux_cpython(&v("3.11.2"), "x86_64")
}

fn env_with(python: &str, machine: &str) -> MarkerEnv {
    MarkerEnv::linux_cpython(&v(python), machine)
}

fn eval(m: &str) -> bool {
    marker(m).evaluate(&linux311(), &[])
}

fn eval_extras(m: &str, extras: &[&str]) -> bool {
    let extras: Vec<ExtraName> = extras.iter().map(|e| name(e)).collect();
    marker(m).evaluate(&linux311(), &extras)
}

fn err(s: &str) -> Pep508Error {
    match Requirement::parse(s) {
        Ok(r) => panic!("{s} parsed as {r:?}"),
        Err(e) => e,
    }
}

fn marker_err(s: &str) -> Pep508Error {
    match Marker::parse(s) {
        Ok(m) => panic!("{s} parsed as {m:?}"),
        Err(e) => e,
    }
}

// ---- requirements ----

#[test]
fn pinned_requirement() {
    let r = req("pydantic-core==2.33.2");
    assert_eq!(r.name, name("pydantic_core"));
    assert!(r.extras.is_empty());
    assert_eq!(r.version.to_string(), "==2.33.2");
    assert!(r.version.contains(&v("2.33.2"), false));
    assert!(!r.version.contains(&v("2.33.1"), false));
    assert_eq!(r.url, None);
    assert_eq!(r.marker, None);
}

#[test]
fn requirement_with_extras_and_marker() {
    let r = req(r#"uvicorn[standard]>=0.12.0 ; extra == "standard""#);
    assert_eq!(r.name, name("uvicorn"));
    assert_eq!(r.extras, vec![name("standard")]);
    assert_eq!(r.version.to_string(), ">=0.12.0");
    assert_eq!(r.marker, Some(marker(r#"extra == "standard""#)));
}

#[test]
fn marker_directly_after_the_version() {
    let r = req(r#"typing-extensions>=4.8.0; python_version < "3.13""#);
    assert_eq!(r.name, name("typing_extensions"));
    assert_eq!(r.version.to_string(), ">=4.8.0");
    assert!(r.applies(&linux311(), &[]));
    assert!(!r.applies(&env_with("3.13.0", "x86_64"), &[]));

    let r = req(r#"importlib-metadata; python_version<"3.8""#);
    assert!(r.version.is_empty());
    assert!(!r.applies(&linux311(), &[]));
    assert!(r.applies(&env_with("3.7.17", "x86_64"), &[]));
}

#[test]
fn nested_marker_from_uvicorn() {
    let r = req(
        r#"uvloop>=0.15.1; (sys_platform != "win32" and (sys_platform != "cygwin" and platform_python_implementation != "PyPy")) and extra == "standard""#,
    );
    assert_eq!(r.name, name("uvloop"));
    assert!(!r.applies(&linux311(), &[]));
    assert!(r.applies(&linux311(), &[name("standard")]));
    let mut pypy = linux311();
    pypy.platform_python_implementation = "PyPy".to_string();
    assert!(!r.applies(&pypy, &[name("standard")]));
}

#[test]
fn platform_markers_from_pypi() {
    let colorama = req("colorama>=0.4; sys_platform == 'win32'");
    assert!(!colorama.applies(&linux311(), &[]));
    let watchfiles = req(r#"watchfiles>=0.13; extra == "standard""#);
    assert!(!watchfiles.applies(&linux311(), &[]));
    assert!(watchfiles.applies(&linux311(), &[name("standard")]));
    assert!(!watchfiles.applies(&linux311(), &[name("dev")]));
}

#[test]
fn url_requirement() {
    let r = req(r#"foo @ https://x/foo-1.0-py3-none-any.whl ; os_name=="posix""#);
    assert_eq!(r.name, name("foo"));
    assert_eq!(
        r.url.as_ref().map(|u| u.fetched()),
        Some("https://x/foo-1.0-py3-none-any.whl")
    );
    assert!(r.version.is_empty());
    assert!(r.applies(&linux311(), &[]));

    let r = req("foo[bar]@git+https://github.com/o/foo@v1.0#egg=foo");
    assert_eq!(r.extras, vec![name("bar")]);
    assert_eq!(
        r.url.as_ref().map(|u| u.fetched()),
        Some("git+https://github.com/o/foo@v1.0#egg=foo")
    );
    assert_eq!(r.marker, None);
}

#[test]
fn a_token_in_a_url_is_fetched_but_never_shown() {
    let r = req("foo @ https://me:s3cret@x/foo-1.0-py3-none-any.whl");
    assert_eq!(
        r.url.as_ref().map(|u| u.fetched()),
        Some("https://me:s3cret@x/foo-1.0-py3-none-any.whl")
    );
    assert_eq!(r.to_string(), "foo @ https://x/foo-1.0-py3-none-any.whl");
    assert!(!format!("{r:?}").contains("s3cret"));
    let e = Requirement::parse("foo @ https://me:s3cret@x/foo.whl junk").unwrap_err();
    assert!(!e.to_string().contains("s3cret"), "{e}");
}

#[test]
fn parenthesised_and_spaced_version_specs() {
    let r = req("requests (>=2.8.1, ==2.8.*) ; python_version < \"2.7\"");
    assert_eq!(r.version.to_string(), ">=2.8.1,==2.8.*");
    let r = req("  name >= 1.0 , < 2 , != 1.5.*  ");
    assert_eq!(r.version.to_string(), ">=1.0,<2,!=1.5.*");
    assert!(r.version.contains(&v("1.4"), false));
    assert!(!r.version.contains(&v("1.5.3"), false));
    assert!(!r.version.contains(&v("2.0"), false));
    let r = req("zope.interface~=5.4");
    assert_eq!(r.name, name("zope-interface"));
    assert_eq!(r.version.to_string(), "~=5.4");
    let r = req("legacy===1.0.0");
    assert_eq!(r.version.to_string(), "===1.0.0");
}

#[test]
fn extras_are_normalised_sorted_and_deduplicated() {
    let r = req("Black[jupyter, D , colorama,d]>=23");
    assert_eq!(r.name, name("black"));
    assert_eq!(r.extras, vec![name("colorama"), name("d"), name("jupyter")]);
    let r = req("foo[]");
    assert!(r.extras.is_empty());
    let r = req("Foo[Bar_Baz]");
    assert_eq!(r.extras, vec![name("bar-baz")]);
}

#[test]
fn display_is_canonical_and_reparses_equal() {
    let cases = [
        ("pydantic-core==2.33.2", "pydantic-core==2.33.2"),
        (
            r#"uvicorn[standard]>=0.12.0 ; extra == "standard""#,
            r#"uvicorn[standard]>=0.12.0 ; extra == "standard""#,
        ),
        (
            "Typing_Extensions (>= 4.8.0) ;python_version<'3.13'",
            r#"typing-extensions>=4.8.0 ; python_version < "3.13""#,
        ),
        (
            r#"foo @ https://x/foo-1.0-py3-none-any.whl ; os_name=="posix""#,
            r#"foo @ https://x/foo-1.0-py3-none-any.whl ; os_name == "posix""#,
        ),
        (
            r#"uvloop>=0.15.1; (sys_platform != "win32" and (sys_platform != "cygwin" and platform_python_implementation != "PyPy")) and extra == "standard""#,
            r#"uvloop>=0.15.1 ; sys_platform != "win32" and sys_platform != "cygwin" and platform_python_implementation != "PyPy" and extra == "standard""#,
        ),
        (
            "x[b,a]; (os.name == 'nt' or python_version < '3') and \"linux\" in sys_platform",
            r#"x[a,b] ; (os_name == "nt" or python_version < "3") and "linux" in sys_platform"#,
        ),
        (
            "x; platform_release == 'a\"b' or 'dev' not in dependency_groups",
            r#"x ; platform_release == 'a"b' or "dev" not in dependency_groups"#,
        ),
        ("x", "x"),
    ];
    for (input, canonical) in cases {
        let parsed = req(input);
        assert_eq!(parsed.to_string(), canonical, "{input}");
        assert_eq!(req(canonical), parsed, "{input}");
        assert_eq!(canonical.parse::<Requirement>().unwrap(), parsed);
    }
}

#[test]
fn requirement_errors_quote_the_text_and_column() {
    let e = err("foo >= ");
    assert_eq!(e.column, 8);
    assert_eq!(
        e.to_string(),
        r#"cannot parse "foo >= " at column 8: expected a version after '>='"#
    );

    let e = err("");
    assert_eq!(
        (e.column, e.message.as_str()),
        (1, "expected a package name")
    );

    let e = err("foo-");
    assert_eq!(e.column, 1);
    assert!(e.message.contains("is not a valid package name"), "{e}");

    let e = err("foo bar");
    assert_eq!(e.column, 5);
    assert!(e.message.contains("a version specifier"), "{e}");

    let e = err("foo[bar");
    assert_eq!(
        (e.column, e.message.as_str()),
        (8, "expected ',' or ']' in the extras")
    );

    let e = err("foo[bar,]");
    assert_eq!(
        (e.column, e.message.as_str()),
        (9, "expected an extra name")
    );

    let e = err("foo (>=1.0");
    assert_eq!(e.column, 11);
    assert!(e.message.contains("to close the '(' at column 5"), "{e}");

    let e = err("foo >=1.0 <2");
    assert_eq!(e.column, 11);

    let e = err("foo >=1.0.*");
    assert_eq!(e.column, 5);
    assert!(e.message.contains("only allowed with == and !="), "{e}");

    let e = err("foo @ ");
    assert_eq!(
        (e.column, e.message.as_str()),
        (7, "expected a URL after '@'")
    );

    let e = err("foo @ https://x/y.whl extra");
    assert_eq!(e.column, 23);

    let e = err("foo; ");
    assert_eq!(e.column, 6);
    assert!(e.message.starts_with("expected a marker variable"), "{e}");
}

#[test]
fn a_comment_is_not_part_of_a_requirement() {
    let e = err("requests==2.31.0  # pinned");
    assert_eq!(e.column, 19);
}

#[test]
fn non_ascii_text_reports_columns_in_characters() {
    let e = err("foo; os_name == 'é' and bär == 'x'");
    assert_eq!(e.column, 25);
    assert!(e.message.starts_with("unknown marker variable 'b'"), "{e}");
}

// ---- markers: parsing ----

#[test]
fn and_binds_tighter_than_or() {
    // True or (false and false): true; the other grouping would give false.
    assert!(eval(
        r#"os_name == "posix" or os_name == "nt" and os_name == "java""#
    ));
    assert!(!eval(
        r#"(os_name == "posix" or os_name == "nt") and os_name == "java""#
    ));
    assert!(eval(
        r#"os_name == "nt" and os_name == "java" or os_name == "posix""#
    ));
}

#[test]
fn variables_on_either_side_and_either_quote() {
    assert!(eval(r#""linux" == sys_platform"#));
    assert!(eval("'linux' == sys_platform"));
    assert!(eval(r#""3.8" < python_version"#));
    assert!(!eval(r#""3.12" < python_version"#));
    assert!(eval(r#""inu" in sys_platform"#));
}

#[test]
fn legacy_variable_names_are_aliases() {
    let pairs = [
        ("os.name", "os_name"),
        ("sys.platform", "sys_platform"),
        ("platform.version", "platform_version"),
        ("platform.machine", "platform_machine"),
        (
            "platform.python_implementation",
            "platform_python_implementation",
        ),
        ("python_implementation", "platform_python_implementation"),
    ];
    for (legacy, canonical) in pairs {
        let a = marker(&format!("{legacy} == 'x'"));
        assert_eq!(a, marker(&format!("{canonical} == 'x'")), "{legacy}");
        assert_eq!(a.to_string(), format!("{canonical} == \"x\""));
    }
    assert!(eval(
        "platform.machine == 'x86_64' and python_implementation == 'CPython'"
    ));
}

#[test]
fn unknown_variables_and_bad_shapes_are_parse_errors() {
    let e = marker_err("python_versio == '3.8'");
    assert_eq!(e.column, 1);
    assert!(
        e.message
            .starts_with("unknown marker variable 'python_versio'"),
        "{e}"
    );
    assert!(e.message.contains("python_version"), "{e}");

    let e = marker_err("os_name == python_version");
    assert!(e.message.contains("one side"), "{e}");
    let e = marker_err("'a' == 'b'");
    assert!(e.message.contains("one side"), "{e}");

    let e = marker_err("os_name = 'posix'");
    assert_eq!(e.column, 9);
    assert!(e.message.starts_with("expected a marker operator"), "{e}");

    let e = marker_err("os_name == 'posix");
    assert_eq!(
        (e.column, e.message.as_str()),
        (12, "this string is never closed")
    );

    let e = marker_err("(os_name == 'posix'");
    assert_eq!(e.column, 20);
    assert!(e.message.contains("to close the '(' at column 1"), "{e}");

    let e = marker_err("os_name == 'posix' or");
    assert_eq!(e.column, 22);

    let e = marker_err("os_name == 'posix' xor os_name == 'nt'");
    assert_eq!(e.column, 20);
    assert_eq!(e.message, "expected 'and', 'or' or the end of the marker");

    let e = marker_err("'a' not extras");
    assert_eq!(e.message, "expected 'in' after 'not'");

    let e = marker_err("extras == 'dev'");
    assert!(e.message.contains("is a set"), "{e}");
    let e = marker_err("dependency_groups in 'dev'");
    assert!(e.message.contains("is a set"), "{e}");

    // `in` must be a whole word: `inx` is not the operator.
    assert!(Marker::parse("'a' inx sys_platform").is_err());
    // `and` must be a whole word too.
    assert!(Marker::parse("os_name == 'a' andos_name == 'b'").is_err());
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let deep = format!(
        "{}os_name == 'posix'{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let e = marker_err(&deep);
    assert!(e.message.contains("nested deeper"), "{e}");
    let fine = format!("{}os_name == 'posix'{}", "(".repeat(20), ")".repeat(20));
    assert!(eval(&fine));
}

#[test]
fn markers_need_no_spaces_between_tokens() {
    assert!(eval(
        r#"python_version>="3.8"and(os_name=="posix"or os_name=="nt")"#
    ));
    assert!(eval(r#"'x86'in platform_machine"#));
}

// ---- markers: evaluation ----

#[test]
fn linux_cpython_environment() {
    let env = env_with("3.11.2", "aarch64");
    assert_eq!(env.python_version, "3.11");
    assert_eq!(env.python_full_version, "3.11.2");
    assert_eq!(env.implementation_version, "3.11.2");
    assert_eq!(env.implementation_name, "cpython");
    assert_eq!(env.platform_machine, "aarch64");
    assert_eq!(env.platform_system, "Linux");
    assert_eq!(env.sys_platform, "linux");
    assert_eq!(env.os_name, "posix");
    assert_eq!(env.platform_python_implementation, "CPython");
    assert_eq!(env_with("3.9", "x86_64").python_version, "3.9");
}

#[test]
fn version_comparisons_use_pep440() {
    // String comparison would call "3.11" < "3.9".
    assert!(eval("python_version > '3.9'"));
    assert!(eval("python_version >= '3.11'"));
    assert!(eval("python_version == '3.11'"));
    assert!(eval("python_version == '3.11.0'"));
    assert!(eval("python_version != '3.10'"));
    assert!(eval("python_version == '3.*'"));
    assert!(!eval("python_version == '3.1*'"));
    assert!(eval("python_full_version >= '3.11.1'"));
    assert!(!eval("python_full_version < '3.11.2'"));
    assert!(eval("python_full_version <= '3.11.2'"));
    assert!(eval("python_version ~= '3.8'"));
    assert!(!eval("python_full_version ~= '3.10.0'"));
    assert!(eval("python_full_version ~= '3.11.0'"));
    assert!(eval("python_full_version === '3.11.2'"));
    assert!(!eval("python_version === '3.11.0'"));
    assert!(eval("implementation_version >= '3'"));
}

#[test]
fn prerelease_interpreters_match_version_markers() {
    let env = env_with("3.13.0rc1", "x86_64");
    assert_eq!(env.python_full_version, "3.13.0rc1");
    assert!(marker("python_full_version >= '3.13.0a1'").evaluate(&env, &[]));
    assert!(marker("python_version >= '3.13'").evaluate(&env, &[]));
}

#[test]
fn non_versions_compare_as_strings_for_equality_only() {
    assert!(eval("platform_machine == 'x86_64'"));
    assert!(!eval("platform_machine == 'X86_64'"));
    assert!(eval("platform_machine != 'aarch64'"));
    assert!(eval("platform_machine === 'x86_64'"));
    // Ordering two strings has no PEP 508 meaning.
    assert!(!eval("platform_machine < 'z'"));
    assert!(!eval("platform_machine > 'a'"));
    assert!(!eval("platform_machine ~= 'x86'"));
    // One side a version, the other not: no version rules apply either.
    assert!(!eval("python_version < 'abc'"));
    assert!(eval("python_version != 'abc'"));
    // The kernel is unknown at build time.
    assert!(eval("platform_release == ''"));
}

#[test]
fn in_and_not_in_are_substring_tests() {
    assert!(eval("'lin' in sys_platform"));
    assert!(eval("'win' not in sys_platform"));
    assert!(!eval("sys_platform in 'win32 cygwin'"));
    assert!(eval("sys_platform in 'linux darwin'"));
    assert!(eval("platform_machine not in 'aarch64 arm64'"));
    assert!(!marker("platform_machine not in 'aarch64 arm64'")
        .evaluate(&env_with("3.11.2", "aarch64"), &[]));
}

#[test]
fn extra_compares_normalised_names_and_any_active_extra_matches() {
    assert!(eval_extras(r#"extra == "Foo_Bar""#, &["foo-bar"]));
    assert!(eval_extras(r#"extra == "foo-bar""#, &["Foo.Bar"]));
    assert!(eval_extras(r#""FOO_BAR" == extra"#, &["dev", "foo.bar"]));
    assert!(!eval_extras(r#"extra == "Foo_Bar""#, &["dev"]));
    assert!(!eval_extras(r#"extra == "Foo_Bar""#, &[]));
    // With no extras, `extra` is empty, as in pip.
    assert!(eval_extras(r#"extra != "test""#, &[]));
    assert!(!eval_extras(r#"extra != "test""#, &["test"]));
    // One extra at a time: no single value of `extra` is both.
    assert!(!eval_extras(
        r#"extra == "a" and extra == "b""#,
        &["a", "b"]
    ));
    assert!(eval_extras(r#"extra == "a" or extra == "b""#, &["b"]));
    assert!(eval_extras(
        r#"python_version >= "3.8" and extra == "socks""#,
        &["security", "socks"]
    ));
}

#[test]
fn pep751_set_variables_test_membership_in_the_active_extras() {
    assert!(eval_extras("'dev' in dependency_groups", &["dev"]));
    assert!(eval_extras(
        "'Dev_Tools' in dependency_groups",
        &["dev-tools"]
    ));
    assert!(!eval_extras("'dev' in dependency_groups", &["test"]));
    assert!(!eval_extras("'dev' in dependency_groups", &[]));
    assert!(eval_extras("'x' in extras", &["a", "X"]));
    assert!(eval_extras("'x' not in extras", &[]));
    assert!(!eval_extras("'x' not in extras", &["x"]));
    // Unlike `extra`, the set sees every active name at once.
    assert!(eval_extras("'a' in extras and 'b' in extras", &["a", "b"]));
}

#[test]
fn requirement_without_marker_always_applies() {
    let r = req("pydantic-core==2.33.2");
    assert!(r.applies(&linux311(), &[]));
    assert!(r.applies(&env_with("3.8.0", "s390x"), &[name("anything")]));
}

#[test]
fn marker_display_keeps_or_groups_inside_and() {
    let m = marker("os_name == 'a' and (os_name == 'b' or os_name == 'c')");
    assert_eq!(
        m.to_string(),
        r#"os_name == "a" and (os_name == "b" or os_name == "c")"#
    );
    assert_eq!(marker(&m.to_string()), m);
    // Redundant parentheses and nested groups of one kind are flattened.
    let m = marker("((os_name == 'a') or (os_name == 'b' or os_name == 'c'))");
    assert_eq!(
        m.to_string(),
        r#"os_name == "a" or os_name == "b" or os_name == "c""#
    );
    assert_eq!(marker(&m.to_string()), m);
}
