//! The ranges must agree with `Specifier::matches`, clause by clause, on every version an
//! index could list; and read back as the specifiers they came from.

use super::*;

fn v(s: &str) -> Version {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn set(s: &str) -> SpecifierSet {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Every shape of version PEP 440 allows, except the two the module doc says are admitted
/// too widely (post-releases of pre-releases, dev releases of post-releases).
const VERSIONS: &[&str] = &[
    "0.9",
    "0.9.9",
    "1.0.dev1",
    "1.0a1",
    "1.0a1.dev2",
    "1.0a2",
    "1.0b2",
    "1.0rc1",
    "1.0rc1.dev0",
    "1.0rc2",
    "1.0",
    "1.0.0",
    "1.0+local",
    "1.0+cpu.1",
    "1.0.post1",
    "1.0.post1+x",
    "1.0.post2",
    "1.0.0.1",
    "1.0.1",
    "1.0.1+local",
    "1.1.dev0",
    "1.1a1",
    "1.1",
    "1.1.post1",
    "1.2",
    "1.2.5",
    "1.4.4",
    "1.4.5a4",
    "1.4.5",
    "1.4.5.post1",
    "1.4.6",
    "1.5.dev0",
    "1.5",
    "2",
    "2.0+cpu",
    "2.0.1",
    "10.0",
    "1!0.5",
    "1!1.0",
];

const SPECIFIERS: &[&str] = &[
    "==1.0",
    "==1.0+local",
    "==1.0.post1",
    "==1.0rc1",
    "!=1.0",
    "!=1.0+local",
    "==1.*",
    "==1.0.*",
    "!=1.0.*",
    "==1.0rc1.*",
    "==1.0.post1.*",
    "==1!1.*",
    ">=1.0",
    ">=1.0rc1",
    ">1.0",
    ">1.0a1",
    ">1.0.post1",
    ">1.0.dev1",
    "<1.0",
    "<1.0rc1",
    "<1.0.post2",
    "<1.1",
    "<=1.0",
    "<=1.0rc1",
    "~=1.0",
    "~=1.0.0",
    "~=1.4.5a4",
    "~=2.2.post3",
    "~=1!1.0",
    ">=0.9,<1.5",
    ">=1.0,!=1.0.1,<2",
];

#[test]
fn ranges_agree_with_the_specifiers() {
    for spec in SPECIFIERS {
        let specifiers = set(spec);
        let ranges = from_specifiers(&specifiers);
        for version in VERSIONS {
            let version = v(version);
            let expected = specifiers.iter().all(|s| s.matches(&version));
            assert_eq!(
                ranges.contains(&Point::exact(&version)),
                expected,
                "{spec} vs {version}: ranges are {ranges}"
            );
        }
    }
}

#[test]
fn arbitrary_equality_is_the_spelled_version() {
    let ranges = from_specifiers(&set("===1.0+local"));
    assert!(ranges.contains(&Point::exact(&v("1.0+local"))));
    assert!(!ranges.contains(&Point::exact(&v("1.0"))));
}

#[test]
fn the_documented_widenings() {
    // Admitted although the spec excludes them (see the module doc).
    assert!(from_specifiers(&set(">1.0a1")).contains(&Point::exact(&v("1.0a2.post1"))));
    assert!(from_specifiers(&set("<1.0.post2")).contains(&Point::exact(&v("1.0.post1.dev1"))));
    // The nearby cases stay exact.
    assert!(!from_specifiers(&set(">1.0a1")).contains(&Point::exact(&v("1.0.post1"))));
    assert!(!from_specifiers(&set(">1.0a1")).contains(&Point::exact(&v("1.0a1+x"))));
}

#[test]
fn sets_read_back_as_specifiers() {
    for (spec, text) in [
        (">=0.40,<0.47", ">=0.40, <0.47"),
        ("==1.2.3", "==1.2.3"),
        ("==1.2.3+cpu", "==1.2.3+cpu"),
        ("!=1.5", "!=1.5"),
        (">=1,!=1.5,<2", ">=1, !=1.5, <2"),
        (">=1,!=1.5.*", ">=1, !=1.5.*"),
        ("==2.*", "==2.*"),
        ("~=1.4.5", ">=1.4.5, <1.5"),
        (">1.0", ">1.0"),
        ("<=2", "<=2"),
        (">2.0b1", ">2.0b1"),
        ("", ""),
    ] {
        assert_eq!(describe(&from_specifiers(&set(spec))), text, "{spec}");
    }
    let outside = from_specifiers(&set(">=1,<2")).complement();
    assert_eq!(describe(&outside), "<1 or >=2");
    assert_eq!(describe(&Ranges::empty()), " (no version)");
}
