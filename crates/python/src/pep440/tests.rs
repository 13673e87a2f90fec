//! Tests for PEP 440 versions and specifiers: the spec's examples and edge cases.

use super::*;
use std::collections::HashSet;

fn v(s: &str) -> Version {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn spec(s: &str) -> Specifier {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn set(s: &str) -> SpecifierSet {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Clause semantics without the pre-release filter.
fn m(specifier: &str, version: &str) -> bool {
    spec(specifier).matches(&v(version))
}

fn normal(s: &str) -> String {
    v(s).to_string()
}

// ---- parsing and normalisation ----

#[test]
fn canonical_versions_round_trip() {
    for s in [
        "0",
        "1.0",
        "1.0.0",
        "2012.10",
        "1!2.0",
        "1.0a1",
        "1.0b2",
        "1.0rc3",
        "1.0.post4",
        "1.0.dev5",
        "1.0a1.post2.dev3",
        "1.0+abc.5",
        "1.0+ubuntu.1",
        "1.0+foo0100",
        "3.12.4",
    ] {
        assert_eq!(normal(s), s);
    }
}

#[test]
fn case_and_whitespace_normalise() {
    assert_eq!(normal("1.1RC1"), "1.1rc1");
    assert_eq!(normal("1.0+UBUNTU.1"), "1.0+ubuntu.1");
    assert_eq!(normal("  1.0\n"), "1.0");
    assert_eq!(normal("\t1.0\r\x0b\x0c"), "1.0");
    assert_eq!(normal("1.0.DEV1"), "1.0.dev1");
}

#[test]
fn leading_v_is_ignored() {
    assert_eq!(normal("v1.0"), "1.0");
    assert_eq!(normal("V1.0"), "1.0");
    assert_eq!(normal("v1!1.0"), "1!1.0");
    assert_eq!(v("v1.0"), v("1.0"));
}

#[test]
fn integers_normalise() {
    assert_eq!(normal("00"), "0");
    assert_eq!(normal("09000"), "9000");
    assert_eq!(normal("1.01a01.post02.dev03"), "1.1a1.post2.dev3");
    assert_eq!(normal("01!1.0"), "1!1.0");
    assert_eq!(normal("0!1.0"), "1.0");
    assert_eq!(normal("1.0+001"), "1.0+1");
}

#[test]
fn pre_release_separators_and_spellings() {
    for s in [
        "1.1.a1",
        "1.1-a1",
        "1.1_a1",
        "1.1a1",
        "1.1alpha1",
        "1.1a.1",
        "1.1a-1",
        "1.1a_1",
        "1.1ALPHA.1",
    ] {
        assert_eq!(normal(s), "1.1a1", "{s}");
    }
    assert_eq!(normal("1.1beta2"), "1.1b2");
    assert_eq!(normal("1.1c3"), "1.1rc3");
    assert_eq!(normal("1.1pre3"), "1.1rc3");
    assert_eq!(normal("1.1preview3"), "1.1rc3");
    assert_eq!(normal("1.1-preview-3"), "1.1rc3");
    assert_eq!(v("1.1c3"), v("1.1rc3"));
}

#[test]
fn implicit_pre_release_number() {
    assert_eq!(normal("1.2a"), "1.2a0");
    assert_eq!(normal("1.0a"), "1.0a0");
    assert_eq!(normal("1.0rc"), "1.0rc0");
    assert_eq!(normal("1.0a.post1"), "1.0a0.post1");
    assert_eq!(normal("1.0a-dev"), "1.0a0.dev0");
}

#[test]
fn post_release_separators_spellings_and_implicit_forms() {
    for s in [
        "1.2-post2",
        "1.2post2",
        "1.2.post2",
        "1.2_post2",
        "1.2.post-2",
        "1.2.post.2",
        "1.2-r2",
        "1.2rev2",
        "1.2.r2",
        "1.2-2",
    ] {
        assert_eq!(normal(s), "1.2.post2", "{s}");
    }
    assert_eq!(normal("1.2.post"), "1.2.post0");
    assert_eq!(normal("1.0-r"), "1.0.post0");
    assert_eq!(normal("1.0-1"), "1.0.post1");
    assert_eq!(normal("1.0a1-1"), "1.0a1.post1");
}

#[test]
fn dev_release_separators_and_implicit_number() {
    for s in [
        "1.2-dev2",
        "1.2dev2",
        "1.2.dev2",
        "1.2_dev2",
        "1.2.dev.2",
        "1.2-dev-2",
    ] {
        assert_eq!(normal(s), "1.2.dev2", "{s}");
    }
    assert_eq!(normal("1.2.dev"), "1.2.dev0");
    assert_eq!(normal("1.2-1.dev1"), "1.2.post1.dev1");
}

#[test]
fn local_segments_normalise() {
    assert_eq!(normal("1.0+ubuntu-1"), "1.0+ubuntu.1");
    assert_eq!(normal("1.0+ubuntu_1"), "1.0+ubuntu.1");
    assert_eq!(normal("1.0+a-b_c.d"), "1.0+a.b.c.d");
    assert_eq!(
        v("1.0+abc.5").local(),
        &[LocalSegment::Text("abc".into()), LocalSegment::Number(5)]
    );
}

#[test]
fn parts_are_exposed() {
    let x = v("2!1.2.3rc4.post5.dev6+local.7");
    assert_eq!(x.epoch(), 2);
    assert_eq!(x.release(), &[1, 2, 3]);
    assert_eq!(x.pre(), Some((PreKind::Rc, 4)));
    assert_eq!(x.post(), Some(5));
    assert_eq!(x.dev(), Some(6));
    assert!(x.is_local());
    assert_eq!(x.public().to_string(), "2!1.2.3rc4.post5.dev6");
    assert_eq!(x.base().to_string(), "2!1.2.3");
    assert_eq!(x.release_part(1), 2);
    assert_eq!(x.release_part(7), 0);
}

#[test]
fn builder_matches_parsing() {
    let built = Version::new([1, 2])
        .with_epoch(1)
        .with_pre(Some((PreKind::Beta, 3)))
        .with_post(Some(4))
        .with_dev(Some(5));
    assert_eq!(built.to_string(), "1!1.2b3.post4.dev5");
    assert!(built.identical(&v("1!1.2b3.post4.dev5")));
    assert_eq!(Version::new(Vec::new()).to_string(), "0");
}

#[test]
fn prerelease_flags() {
    assert!(v("1.0a1").is_prerelease());
    assert!(v("1.0.dev1").is_prerelease());
    assert!(v("1.0.post1.dev1").is_prerelease());
    assert!(!v("1.0.post1").is_prerelease());
    assert!(!v("1.0").is_prerelease());
    assert!(!v("1.0+local").is_prerelease());
    assert!(v("1.0.post1").is_postrelease());
    assert!(v("1.0.dev0").is_devrelease());
}

fn reason(s: &str) -> String {
    match s.parse::<Version>() {
        Err(Pep440Error::InvalidVersion { input, reason }) => {
            assert_eq!(input, s);
            reason
        }
        other => panic!("{s}: expected InvalidVersion, got {other:?}"),
    }
}

#[test]
fn invalid_versions_are_rejected_with_the_rule() {
    assert_eq!(reason(""), "empty version");
    assert_eq!(reason("   "), "empty version");
    assert!(reason("1.x").contains("unexpected \".x\" after \"1\""));
    assert!(reason("abc").contains("release number"));
    assert!(reason("1!").contains("after the epoch"));
    assert!(
        reason("1.0-").contains("unexpected \"-\""),
        "1.0- is not 1.0.post0"
    );
    assert!(reason("1.0+").contains("empty local version label"));
    assert!(reason("1.0+a..b").contains("non-empty"));
    assert!(reason("1.0+a.").contains("non-empty"));
    assert!(reason("1.0+a b").contains("unexpected"));
    assert!(reason("1.0 .1").contains("unexpected"));
    assert!(reason("1.0a1a2").contains("unexpected"));
    assert!(reason("1.0.dev1.post1").contains("unexpected"));
    assert!(reason("1.0.post1.post2").contains("unexpected"));
    assert!(reason("vv1.0").contains("release number"));
    assert!(reason("1.0.").contains("unexpected \".\""));
    assert!(reason(".1").contains("release number"));
    assert!(reason("1.0é").contains("non-ASCII"));
    assert!(reason("99999999999999999999999").contains("too large"));
    assert!(reason("1.0+99999999999999999999999").contains("too large"));
    assert!(reason("1.*").contains("unexpected"));
}

#[test]
fn error_message_quotes_input() {
    let e = "1.x".parse::<Version>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid version \"1.x\": unexpected \".x\" after \"1\""
    );
}

// ---- ordering ----

const PEP_ORDER: &[&str] = &[
    "1.dev0",
    "1.0.dev456",
    "1.0a1",
    "1.0a2.dev456",
    "1.0a12.dev456",
    "1.0a12",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0rc1.dev456",
    "1.0rc1",
    "1.0",
    "1.0+abc.5",
    "1.0+abc.7",
    "1.0+5",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.0.15",
    "1.1.dev1",
];

#[test]
fn pep_440_example_order() {
    let versions: Vec<Version> = PEP_ORDER.iter().map(|s| v(s)).collect();
    for (i, a) in versions.iter().enumerate() {
        for (j, b) in versions.iter().enumerate() {
            assert_eq!(a.cmp(b), i.cmp(&j), "{a} vs {b}");
        }
    }
    let mut shuffled: Vec<Version> = versions.iter().rev().cloned().collect();
    shuffled.swap(3, 11);
    pycontainer_sort::sort(&mut shuffled);
    assert_eq!(shuffled, versions);
}

#[test]
fn trailing_zeros_are_equal_and_hash_alike() {
    assert_eq!(v("1.0"), v("1.0.0"));
    assert_eq!(v("1"), v("1.0.0.0"));
    assert_eq!(v("1.0a1"), v("1.0.0a1"));
    assert_ne!(v("1.0"), v("1.0.1"));
    assert_ne!(v("1.0"), v("1.0+local"));
    let hashed: HashSet<Version> = ["1", "1.0", "1.0.0", "v1.0.0"]
        .iter()
        .map(|s| v(s))
        .collect();
    assert_eq!(hashed.len(), 1);
}

#[test]
fn ordering_details() {
    assert!(v("1.0") < v("1!0.1"), "epoch dominates");
    assert!(v("2013.10") < v("1!1.0"));
    assert!(
        v("0.9.11") < v("0.9.12") && v("0.9.9") < v("0.9.10"),
        "numeric, not text"
    );
    assert!(
        v("1.0.dev1") < v("1.0a1.dev1"),
        "bare dev before any pre-release"
    );
    assert!(v("1.0a1.dev1") < v("1.0a1"));
    assert!(v("1.0a1") < v("1.0a1.post1"));
    assert!(v("1.0a1.post1.dev1") < v("1.0a1.post1"));
    assert!(
        v("1.0.post1.dev1") > v("1.0"),
        "dev of a post comes after the release"
    );
    assert!(v("1.0.post1.dev1") < v("1.0.post1"));
    assert!(v("1.0rc1") == v("1.0c1"));
    assert!(v("1.0b1") < v("1.0rc1") && v("1.0a9") < v("1.0b1"));
    assert!(
        v("1.0+abc") < v("1.0+abc.1"),
        "longer local wins when prefix equal"
    );
    assert!(v("1.0+abc.1") < v("1.0+1"), "numeric segment beats text");
    assert!(v("1.0+a") < v("1.0+b"));
    assert!(v("1.0+02") == v("1.0+2"));
    assert!(v("1.0+zzz") < v("1.0.post0"));
    assert!(v("1.0.15") > v("1.0.post456"));
}

// ---- specifier parsing ----

fn spec_err(s: &str) -> Pep440Error {
    match s.parse::<Specifier>() {
        Err(e) => e,
        Ok(x) => panic!("{s}: expected an error, got {x}"),
    }
}

#[test]
fn specifier_parsing_and_display() {
    assert_eq!(spec(">=3.9").to_string(), ">=3.9");
    assert_eq!(spec(" >= 3.9 ").to_string(), ">=3.9");
    assert_eq!(spec("==3.12.*").to_string(), "==3.12.*");
    assert_eq!(spec("!= 3.14.*").to_string(), "!=3.14.*");
    assert_eq!(spec("~=V2.2.POST3").to_string(), "~=2.2.post3");
    assert_eq!(spec("===1.0").to_string(), "===1.0");
    assert_eq!(spec("==1.0+Local").to_string(), "==1.0+local");
    let s = spec("==1.2.*");
    assert_eq!((s.op(), s.wildcard()), (Operator::Equal, true));
    assert_eq!(s.version(), &v("1.2"));
    for (text, op) in [
        ("~=1.0", Operator::Compatible),
        ("==1", Operator::Equal),
        ("!=1", Operator::NotEqual),
        ("<=1", Operator::LessEqual),
        (">=1", Operator::GreaterEqual),
        ("<1", Operator::Less),
        (">1", Operator::Greater),
        ("===1", Operator::Arbitrary),
    ] {
        assert_eq!(spec(text).op(), op, "{text}");
    }
}

#[test]
fn specifier_errors_name_the_rule() {
    assert_eq!(
        spec_err(">=").to_string(),
        "invalid specifier \">=\": missing version"
    );
    assert_eq!(
        spec_err("~=1").to_string(),
        "~= needs at least two release segments (\"~=1\")"
    );
    assert_eq!(
        spec_err("~=1.*"),
        Pep440Error::InvalidSpecifier {
            input: "~=1.*".into(),
            reason: "a trailing .* is only allowed with == and !=".into()
        }
    );
    assert!(spec_err(">=1.0.*")
        .to_string()
        .contains("only allowed with == and !="));
    assert!(spec_err("==1.0.dev1.*").to_string().contains("dev release"));
    assert!(spec_err("==1.0+foo.*")
        .to_string()
        .contains("local version label"));
    assert!(spec_err(">=1.0+foo")
        .to_string()
        .contains("only allowed with ==, != and ==="));
    assert!(spec_err("~=1.0+foo")
        .to_string()
        .contains("only allowed with ==, != and ==="));
    assert!(spec_err("1.0").to_string().contains("expected an operator"));
    assert!(spec_err("=1.0")
        .to_string()
        .contains("expected an operator"));
    assert!(spec_err("=>1.0")
        .to_string()
        .contains("expected an operator"));
    assert!(spec_err("").to_string().contains("empty specifier"));
    assert!(spec_err("==1.0 2").to_string().contains("whitespace"));
    assert!(spec_err("===").to_string().contains("missing version"));
    assert_eq!(
        spec_err(">=1.x").to_string(),
        "invalid specifier \">=1.x\": invalid version \"1.x\": unexpected \".x\" after \"1\""
    );
    assert!(spec_err("==1.*.*").to_string().contains("unexpected"));
}

#[test]
fn specifier_new_applies_the_same_rules() {
    assert!(Specifier::new(Operator::GreaterEqual, v("3.9"), false).is_ok());
    assert!(Specifier::new(Operator::Equal, v("3.9"), true).is_ok());
    assert!(matches!(
        Specifier::new(Operator::Compatible, v("3"), false),
        Err(Pep440Error::CompatibleReleaseTooShort { input }) if input == "~=3"
    ));
    assert!(Specifier::new(Operator::Less, v("3.9"), true).is_err());
    assert!(
        Specifier::new(Operator::Arbitrary, v("1.0"), false).is_ok_and(|s| s.matches(&v("1.0")))
    );
}

#[test]
fn specifier_equality_is_structural() {
    assert_eq!(spec(">= 1.0"), spec(">=v1.0"));
    assert_ne!(spec("~=1.0"), spec("~=1.0.0"), "different prefixes");
    assert_ne!(spec("==1.0.*"), spec("==1.0.0.*"));
    assert_ne!(spec("==1.0"), spec("==1.0.*"));
    let hashed: HashSet<Specifier> = [">=1.0", ">= 1.0", ">=1.0.0"]
        .iter()
        .map(|s| spec(s))
        .collect();
    assert_eq!(hashed.len(), 2);
}

// ---- operators ----

#[test]
fn equal_is_strict_with_zero_padding() {
    assert!(m("==1.1", "1.1"));
    assert!(m("==1.1", "1.1.0"));
    assert!(m("==1.1.0", "1.1"));
    assert!(!m("==1.1", "1.1.post1"));
    assert!(!m("==1.1", "1.1a1"));
    assert!(!m("==1.1", "1.1.dev1"));
    assert!(!m("==1.1", "1.1.1"));
    assert!(m("==1.1.post1", "1.1.post1"));
    assert!(m("==1.1a1", "1.1a1"));
    assert!(!m("==1.1.dev1", "1.1"));
    assert!(!m("==1.1a1", "1.1"));
    assert!(!m("==1.1.post1", "1.1"));
    assert!(!m("==1!1.1", "1.1"));
}

#[test]
fn equal_and_local_labels() {
    assert!(
        m("==1.0", "1.0+downstream1"),
        "public spec ignores candidate local"
    );
    assert!(m("==1.0+downstream1", "1.0+downstream1"));
    assert!(m("==1.0+downstream1", "1.0.0+downstream1"));
    assert!(!m("==1.0+downstream1", "1.0"));
    assert!(!m("==1.0+downstream1", "1.0+downstream2"));
    assert!(!m("!=1.0", "1.0+downstream1"));
    assert!(m("!=1.0+a", "1.0+b"));
}

#[test]
fn prefix_matching() {
    assert!(m("==1.1.*", "1.1.post1"));
    assert!(m("==1.1.*", "1.1a1"));
    assert!(m("==1.1.*", "1.1"));
    assert!(m("==1.1.*", "1.1.0"));
    assert!(m("==1.1.*", "1.1.9.9"));
    assert!(m("==1.1.*", "1.1.dev1"));
    assert!(m("==1.1.*", "1.1+local"));
    assert!(!m("==1.1.*", "1.10"));
    assert!(!m("==1.1.*", "1.2"));
    assert!(!m("==1.1.*", "1.0.9"));
    assert!(!m("==1.1.*", "1!1.1"));
    assert!(m("==1.1.0.*", "1.1"), "candidate is zero padded");
    assert!(m("==1.1.0.*", "1.1a1"));
    assert!(!m("==1.1.0.*", "1.1.1"));
    assert!(m("==1.*", "1.99.3"));
    assert!(m("==1!2.*", "1!2.5"));
    assert!(!m("==1!2.*", "2.5"));
    // A pre or post segment in the prefix is matched exactly; later segments are ignored.
    assert!(m("==1.1a1.*", "1.1a1"));
    assert!(m("==1.1a1.*", "1.1a1.post3"));
    assert!(m("==1.1a1.*", "1.1.0a1.dev2"));
    assert!(!m("==1.1a1.*", "1.1a10"));
    assert!(!m("==1.1a1.*", "1.1"));
    assert!(!m("==1.1a1.*", "1.1.1a1"));
    assert!(m("==1.1.post1.*", "1.1.post1.dev3"));
    assert!(!m("==1.1.post1.*", "1.1.post2"));
    assert!(!m("==1.1.post1.*", "1.1a1.post1"));
}

#[test]
fn not_equal_inverts_equal() {
    assert!(m("!=1.1", "1.1.post1"));
    assert!(!m("!=1.1.post1", "1.1.post1"));
    assert!(!m("!=1.1.*", "1.1.post1"));
    assert!(!m("!=1.1", "1.1.0"));
    assert!(m("!=1.1.*", "1.2"));
    assert!(!m("!=3.14.*", "3.14.2"));
    assert!(m("!=3.14.*", "3.13.9"));
}

#[test]
fn compatible_release() {
    assert!(m("~=2.2", "2.2"));
    assert!(m("~=2.2", "2.9"));
    assert!(!m("~=2.2", "3.0"));
    assert!(!m("~=2.2", "2.1"));
    assert!(m("~=1.4.5", "1.4.5"));
    assert!(m("~=1.4.5", "1.4.99"));
    assert!(!m("~=1.4.5", "1.5.0"));
    assert!(!m("~=1.4.5", "1.4.4"));
    assert!(m("~=2.2.post3", "2.2.post3"));
    assert!(m("~=2.2.post3", "2.9"));
    assert!(!m("~=2.2.post3", "2.2"));
    assert!(!m("~=2.2.post3", "3.0"));
    assert!(m("~=1.4.5a4", "1.4.5a4"));
    assert!(m("~=1.4.5a4", "1.4.5"));
    assert!(m("~=1.4.5a4", "1.4.9"));
    assert!(!m("~=1.4.5a4", "1.4.5a3"));
    assert!(!m("~=1.4.5a4", "1.5"));
    assert!(m("~=2.2.0", "2.2.7"));
    assert!(!m("~=2.2.0", "2.3"));
    assert!(m("~=1.4.5.0", "1.4.5.3"));
    assert!(!m("~=1.4.5.0", "1.4.6"));
    assert!(m("~=3.1", "3.1.0+local"));
    assert!(!m("~=1!2.2", "2.5"));
    assert!(m("~=1!2.2", "1!2.5"));
    assert!(m("~=3.10", "3.14.2"));
    assert!(!m("~=3.10", "3.9.25"));
}

#[test]
fn inclusive_ordered_comparisons() {
    assert!(m(">=1.0", "1.0"));
    assert!(m(">=1.0", "1.0.0"));
    assert!(m(">=1.0", "1.0.post1"));
    assert!(m(">=1.0", "1.0+local"));
    assert!(!m(">=1.0", "1.0a1"));
    assert!(!m(">=1.0", "1.0.dev1"));
    assert!(m(">=1.0", "2!0.1"));
    assert!(m("<=1.0", "1.0"));
    assert!(m("<=1.0", "1.0+local"), "candidate local is ignored");
    assert!(m("<=1.0", "1.0a1"));
    assert!(!m("<=1.0", "1.0.post1"));
    assert!(!m("<=1.0", "1.0.1"));
    assert!(m(">=1.0a1", "1.0a1"));
    assert!(m(">=1.0.dev0", "1.0a1"));
}

#[test]
fn exclusive_less_than() {
    assert!(m("<2.0", "1.9"));
    assert!(m("<2.0", "1.9.post1"));
    assert!(
        m("<2.0", "1.9a1"),
        "pre-releases of other versions are fine"
    );
    assert!(!m("<2.0", "2.0"));
    assert!(
        !m("<2.0", "2.0a1"),
        "no pre-releases of the specified version"
    );
    assert!(!m("<2.0", "2.0.dev1"));
    assert!(!m("<2.0", "2.0.0rc1"), "zero padding applies");
    assert!(!m("<2.0", "2.0.post1"));
    assert!(
        m("<2.0rc1", "2.0b1"),
        "V itself a pre-release lifts the rule"
    );
    assert!(m("<2.0rc1", "2.0rc1.dev1"));
    assert!(!m("<2.0rc1", "2.0rc1"));
    assert!(m("<2.0.dev5", "2.0.dev1"));
    assert!(m("<2.0", "1.9+local"));
    assert!(!m("<2.0", "2.0+local"));
    assert!(m("<1!1.0", "5.0"));
}

#[test]
fn exclusive_greater_than() {
    assert!(m(">1.7", "1.7.1"));
    assert!(!m(">1.7", "1.7"));
    assert!(
        !m(">1.7", "1.7.0.post1"),
        "no post-releases of the specified version"
    );
    assert!(!m(">1.7", "1.7.post1.dev1"));
    assert!(
        !m(">1.7", "1.7+local"),
        "no local versions of the specified version"
    );
    assert!(!m(">1.7", "1.7.0+local"));
    assert!(m(">1.7", "1.7.1+local"));
    assert!(m(">1.7", "1.8.post1"));
    assert!(m(">1.7", "1.8a1"));
    assert!(m(">1.7.post2", "1.7.1"));
    assert!(m(">1.7.post2", "1.7.0.post3"));
    assert!(!m(">1.7.post2", "1.7.0"));
    assert!(!m(">1.7.post2", "1.7.post2"));
    assert!(m(">1.7a1", "1.7"));
    assert!(m(">1.7a1", "1.7b1"));
    assert!(!m(">1.7", "1.6.9"));
}

#[test]
fn arbitrary_equality_is_string_identity() {
    assert!(m("===1.0", "1.0"));
    assert!(!m("===1.0", "1.0.0"), "no zero padding");
    assert!(!m("===1.0", "1.0+downstream1"), "no local stripping");
    assert!(
        m("===1.0+Downstream1", "1.0+downstream1"),
        "case-insensitive"
    );
    assert!(!m("===v1.0", "1.0"), "compares the text as written");
    assert!(m("===1.0RC1", "1.0rc1"));
    assert!(
        spec_err("===1.0.*").to_string().contains("invalid version"),
        "no prefix matching"
    );
    assert!(spec_err("===foobar")
        .to_string()
        .contains("invalid version"));
}

// ---- sets and pre-release handling ----

#[test]
fn specifier_set_parsing() {
    let s = set("~= 0.9, >= 1.0, != 1.3.4.*, < 2.0");
    assert_eq!(s.0.len(), 4);
    assert_eq!(s.to_string(), "~=0.9,>=1.0,!=1.3.4.*,<2.0");
    assert_eq!(set(">=3.9,").0.len(), 1, "stray commas are tolerated");
    assert!(set("").is_empty());
    assert!(set("  ").is_empty());
    assert!(set("").contains(&v("1.0"), false));
    assert_eq!(
        ">=3.9,<".parse::<SpecifierSet>().unwrap_err().to_string(),
        "invalid specifier \"<\": missing version"
    );
    assert!(
        ">=3.9 <4".parse::<SpecifierSet>().is_err(),
        "PEP 440 needs commas"
    );
    assert_eq!(set(">=3.9").iter().count(), 1);
    assert_eq!((&set(">=3.9,<4")).into_iter().count(), 2);
}

#[test]
fn specifier_set_is_a_conjunction() {
    let s = set("~=3.1.0, != 3.1.3");
    assert!(s.contains(&v("3.1.0"), false));
    assert!(s.contains(&v("3.1.2"), false));
    assert!(!s.contains(&v("3.1.3"), false));
    assert!(s.contains(&v("3.1.4"), false));
    assert!(!s.contains(&v("3.2.0"), false));
    let r = set(">=3.8,<3.11");
    assert!(r.contains(&v("3.10.19"), false));
    assert!(!r.contains(&v("3.11.0"), false));
    assert!(!r.contains(&v("3.7.17"), false));
}

#[test]
fn prereleases_are_excluded_unless_asked_for() {
    let s = set(">=1.0");
    assert!(!s.contains(&v("2.0a1"), false));
    assert!(s.contains(&v("2.0a1"), true));
    assert!(!s.contains(&v("2.0.dev1"), false));
    assert!(
        s.contains(&v("2.0.post1"), false),
        "post-releases are not pre-releases"
    );
    // A clause naming a pre-release opts the whole set in.
    assert!(set(">=1.0a1").contains(&v("1.0a2"), false));
    assert!(set(">=1.0.dev0,<2").contains(&v("1.5b1"), false));
    assert!(set("==1.0rc1").contains(&v("1.0rc1"), false));
    assert!(set("~=1.4.5a4").contains(&v("1.4.6a1"), false));
    assert!(set("===1.0a1").contains(&v("1.0a1"), false));
    // Excluding a pre-release is not asking for pre-releases.
    assert!(!set("!=1.0a1").contains(&v("1.0a2"), false));
    // Empty set: anything but a pre-release.
    assert!(!SpecifierSet::default().contains(&v("1.0a1"), false));
    assert!(SpecifierSet::default().contains(&v("1.0a1"), true));
    // `== 1.1.*` matches 1.1a1 only when pre-releases are requested.
    assert!(!set("==1.1.*").contains(&v("1.1a1"), false));
    assert!(set("==1.1.*").contains(&v("1.1a1"), true));
    // Still subject to the clause semantics when allowed.
    assert!(!set("<2.0").contains(&v("2.0a1"), true));
}

#[test]
fn pep_440_examples_section() {
    let compatible = set("~=3.1");
    assert!(compatible.contains(&v("3.1"), false) && compatible.contains(&v("3.9"), false));
    assert!(!compatible.contains(&v("4.0"), false));
    assert!(set("~=3.1.2").contains(&v("3.1.9"), false));
    assert!(!set("~=3.1.2").contains(&v("3.2.0"), false));
    assert!(set("~=3.1a1").contains(&v("3.1a1"), false));
    assert!(set("~=3.1a1").contains(&v("3.5"), false));
    assert!(!set("~=3.1a1").contains(&v("4.0"), false));
    assert!(set("== 3.1").contains(&v("3.1.0"), false));
    assert!(!set("== 3.1").contains(&v("3.1.1"), false));
    let star = set("== 3.1.*");
    let compat = set("~=3.1.0");
    for c in ["3.1", "3.1.5", "3.1.0.post1", "3.2", "3.0.9"] {
        assert_eq!(
            star.contains(&v(c), false),
            compat.contains(&v(c), false),
            "{c}"
        );
    }
}

#[test]
fn serde_uses_normal_form_text() {
    let json = serde_json::to_string(&v("V1.0-1")).unwrap();
    assert_eq!(json, "\"1.0.post1\"");
    let back: Version = serde_json::from_str("\"1.0.0\"").unwrap();
    assert_eq!(back, v("1"));
    let s: SpecifierSet = serde_json::from_str("\">= 3.9, <4\"").unwrap();
    assert_eq!(serde_json::to_string(&s).unwrap(), "\">=3.9,<4\"");
    let sp: Specifier = serde_json::from_str("\"==3.12.*\"").unwrap();
    assert_eq!(sp, spec("==3.12.*"));
    assert!(serde_json::from_str::<Version>("\"1.x\"").is_err());
}
