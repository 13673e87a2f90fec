//! Converts Poetry version constraints (`^`, `~`, wildcards, `||`) into PEP 440 specifier sets.

use crate::pep440::{Operator, Pep440Error, Specifier, SpecifierSet, Version};

/// Converts a Poetry constraint such as `^3.10`, `>=3.9,<3.13` or `~3.11 || ^3.13`.
///
/// The result is an OR of AND groups: a version satisfies the constraint when any returned
/// set contains it. Within a group, clauses may be separated by commas or whitespace; groups
/// are separated by `||` (Poetry also accepts a single `|`).
///
/// Upper bounds keep the precision of the written version (`^3.9` gives `<4.0`, `^1.2.3`
/// gives `<2.0.0`); PEP 440 zero padding makes that the same bound as Poetry's `<4.0.0`.
pub fn constraint_to_specifiers(s: &str) -> Result<Vec<SpecifierSet>, Pep440Error> {
    let input = s.trim();
    let fail = |reason: String| Pep440Error::InvalidPoetryConstraint {
        input: input.to_string(),
        reason,
    };
    if input.is_empty() {
        return Err(fail("empty constraint".to_string()));
    }
    input
        .replace("||", "|")
        .split('|')
        .map(|group| {
            // Poetry tolerates trailing commas; they show up in published metadata.
            let group = group.trim().trim_end_matches(',').trim_end();
            if group.is_empty() {
                return Err(fail("empty alternative next to \"||\"".to_string()));
            }
            parse_group(group).map_err(|e| match e {
                GroupError::Reason(reason) => fail(reason),
                GroupError::Pep440(inner) => fail(inner.to_string()),
            })
        })
        .collect()
}

enum GroupError {
    Reason(String),
    Pep440(Pep440Error),
}

impl From<Pep440Error> for GroupError {
    fn from(e: Pep440Error) -> Self {
        GroupError::Pep440(e)
    }
}

const OPERATOR_CHARS: &[u8] = b"^~=!<>";

/// Splits one AND group into `operator version` tokens. An operator may be followed by
/// whitespace (`>= 1.2`), so whitespace only separates clauses once a version has been read.
fn parse_group(group: &str) -> Result<SpecifierSet, GroupError> {
    let bytes = group.as_bytes();
    let mut specs = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i] == b',' || bytes[i].is_ascii_whitespace()) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let op_start = i;
        while i < bytes.len() && OPERATOR_CHARS.contains(&bytes[i]) {
            i += 1;
        }
        let op = &group[op_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let version_start = i;
        while i < bytes.len() && bytes[i] != b',' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let version = &group[version_start..i];
        if version.is_empty() {
            return Err(GroupError::Reason(format!(
                "missing version after \"{op}\""
            )));
        }
        specs.extend(convert(op, version)?);
    }
    Ok(SpecifierSet(specs))
}

/// `*`, `x`, `*.*`, `v*`: Poetry's spellings of "any version".
fn is_any(version: &str) -> bool {
    let rest = version.strip_prefix(['v', 'V']).unwrap_or(version);
    !rest.is_empty() && rest.split('.').all(|part| matches!(part, "*" | "x" | "X"))
}

/// Strips trailing `.*` / `.x` / `.X` parts (Poetry allows `1.2.x` and `1.*.*`).
fn strip_wildcard(version: &str) -> (&str, bool) {
    let mut base = version;
    let mut wildcard = false;
    while let Some(rest) = base
        .strip_suffix(".*")
        .or_else(|| base.strip_suffix(".x"))
        .or_else(|| base.strip_suffix(".X"))
    {
        base = rest;
        wildcard = true;
    }
    (base, wildcard)
}

fn convert(op: &str, text: &str) -> Result<Vec<Specifier>, GroupError> {
    if is_any(text) {
        return match op {
            "" | "=" | "==" => Ok(Vec::new()),
            _ => Err(GroupError::Reason(format!(
                "\"{op}\" cannot be combined with the wildcard \"{text}\""
            ))),
        };
    }
    let (base, wildcard) = strip_wildcard(text);
    let no_wildcard = |what: &str| {
        if wildcard {
            Err(GroupError::Reason(format!(
                "{what} cannot take a wildcard version (\"{op}{text}\")"
            )))
        } else {
            Ok(())
        }
    };
    let version: Version = base.parse()?;
    let one = |op: Operator, v: Version, wildcard: bool| -> Result<Vec<Specifier>, GroupError> {
        Ok(vec![Specifier::new(op, v, wildcard)?])
    };
    match op {
        "^" => {
            no_wildcard("a caret (^) requirement")?;
            let upper = bump(&version, caret_index(version.release()))?;
            range(version, upper)
        }
        "~" => {
            no_wildcard("a tilde (~) requirement")?;
            let index = if version.release().len() == 1 { 0 } else { 1 };
            let upper = bump(&version, index)?;
            range(version, upper)
        }
        "~=" => {
            no_wildcard("~=")?;
            one(Operator::Compatible, version, false)
        }
        "" | "=" | "==" => one(Operator::Equal, version, wildcard),
        "!=" => one(Operator::NotEqual, version, wildcard),
        "===" => {
            no_wildcard("===")?;
            one(Operator::Arbitrary, version, false)
        }
        // `>=V.*` and `<V.*` bound the same versions as `>=V` and `<V`.
        ">=" => one(Operator::GreaterEqual, version, false),
        "<" => one(Operator::Less, version, false),
        // `>V.N.*` means past the whole V.N series, `<=V.N.*` up to its end.
        ">" if wildcard => {
            let next = bump(&version, version.release().len().saturating_sub(1))?;
            one(Operator::GreaterEqual, next, false)
        }
        "<=" if wildcard => {
            let next = bump(&version, version.release().len().saturating_sub(1))?;
            one(Operator::Less, next, false)
        }
        ">" => one(Operator::Greater, version, false),
        "<=" => one(Operator::LessEqual, version, false),
        _ => Err(GroupError::Reason(format!(
            "unknown operator \"{op}\" (expected ^, ~, ~=, ==, !=, >=, >, <=, < or none)"
        ))),
    }
}

fn range(lower: Version, upper: Version) -> Result<Vec<Specifier>, GroupError> {
    Ok(vec![
        Specifier::new(Operator::GreaterEqual, lower, false)?,
        Specifier::new(Operator::Less, upper, false)?,
    ])
}

/// The left-most non-zero component among major/minor/patch is the one a caret protects;
/// a version written with fewer components stops at its last one (`^0` → `<1`, `^0.0` → `<0.1`).
fn caret_index(release: &[u64]) -> usize {
    let part = |i: usize| release.get(i).copied().unwrap_or(0);
    if part(0) > 0 || release.len() == 1 {
        0
    } else if part(1) > 0 || release.len() == 2 {
        1
    } else {
        2
    }
}

/// The release with component `index` incremented and later ones zeroed, same length and epoch.
/// Pre/post/dev parts are dropped: upper bounds come from the stable release.
fn bump(version: &Version, index: usize) -> Result<Version, GroupError> {
    let release = version.release();
    let next = version
        .release_part(index)
        .checked_add(1)
        .ok_or_else(|| GroupError::Reason(format!("version \"{version}\" is too large to bump")))?;
    let len = release.len().max(index + 1);
    let bumped: Vec<u64> = (0..len)
        .map(|i| match i.cmp(&index) {
            std::cmp::Ordering::Less => version.release_part(i),
            std::cmp::Ordering::Equal => next,
            std::cmp::Ordering::Greater => 0,
        })
        .collect();
    Ok(Version::new(bumped).with_epoch(version.epoch()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each OR group rendered as PEP 440 text.
    fn conv(s: &str) -> Vec<String> {
        constraint_to_specifiers(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .iter()
            .map(|set| set.to_string())
            .collect()
    }

    fn one(s: &str) -> String {
        let groups = conv(s);
        assert_eq!(groups.len(), 1, "{s}");
        groups.into_iter().next().unwrap_or_default()
    }

    fn err(s: &str) -> String {
        match constraint_to_specifiers(s) {
            Err(e) => e.to_string(),
            Ok(x) => panic!("{s}: expected an error, got {x:?}"),
        }
    }

    fn accepts(constraint: &str, version: &str) -> bool {
        let v: Version = version.parse().unwrap_or_else(|e| panic!("{version}: {e}"));
        constraint_to_specifiers(constraint)
            .unwrap_or_else(|e| panic!("{constraint}: {e}"))
            .iter()
            .any(|set| set.contains(&v, false))
    }

    #[test]
    fn caret_requirements() {
        assert_eq!(one("^1.2.3"), ">=1.2.3,<2.0.0");
        assert_eq!(one("^1.2"), ">=1.2,<2.0");
        assert_eq!(one("^1"), ">=1,<2");
        assert_eq!(one("^0.2.3"), ">=0.2.3,<0.3.0");
        assert_eq!(one("^0.0.3"), ">=0.0.3,<0.0.4");
        assert_eq!(one("^0.0"), ">=0.0,<0.1");
        assert_eq!(one("^0"), ">=0,<1");
        assert_eq!(one("^3.9"), ">=3.9,<4.0");
        assert_eq!(one("^ 3.10"), ">=3.10,<4.0");
        assert_eq!(one("^0.0.0"), ">=0.0.0,<0.0.1");
        assert_eq!(one("^1.2.3.4"), ">=1.2.3.4,<2.0.0.0");
        assert_eq!(one("^1.2.3b1"), ">=1.2.3b1,<2.0.0");
        assert_eq!(one("^1!2.0"), ">=1!2.0,<1!3.0");
        assert_eq!(one("^v3.9"), ">=3.9,<4.0");
    }

    #[test]
    fn tilde_requirements() {
        assert_eq!(one("~1.2.3"), ">=1.2.3,<1.3.0");
        assert_eq!(one("~1.2"), ">=1.2,<1.3");
        assert_eq!(one("~1"), ">=1,<2");
        assert_eq!(one("~3.11"), ">=3.11,<3.12");
        assert_eq!(one("~ 3.11.2"), ">=3.11.2,<3.12.0");
    }

    #[test]
    fn wildcards() {
        assert_eq!(one("1.2.*"), "==1.2.*");
        assert_eq!(one("1.*"), "==1.*");
        assert_eq!(one("3.11.x"), "==3.11.*");
        assert_eq!(one("==3.11.*"), "==3.11.*");
        assert_eq!(one("!=3.14.*"), "!=3.14.*");
        assert_eq!(one("!= 3.14.X"), "!=3.14.*");
        assert_eq!(one(">=3.9.*"), ">=3.9");
        assert_eq!(one("<3.12.*"), "<3.12");
        assert_eq!(one(">3.9.*"), ">=3.10");
        assert_eq!(one("<=3.11.*"), "<3.12");
        for any in ["*", "x", "X", "*.*", "v*", " * "] {
            assert_eq!(conv(any), vec![String::new()], "{any}");
        }
        assert!(accepts("*", "3.14.2"));
    }

    #[test]
    fn exact_and_plain_operators() {
        assert_eq!(one("3.9"), "==3.9");
        assert_eq!(one("=3.9"), "==3.9");
        assert_eq!(one("==3.9.1"), "==3.9.1");
        assert_eq!(one(">=3.9"), ">=3.9");
        assert_eq!(one("> 3.9"), ">3.9");
        assert_eq!(one("<= 3.12"), "<=3.12");
        assert_eq!(one("<4"), "<4");
        assert_eq!(one("!=3.10.1"), "!=3.10.1");
        assert_eq!(one("~=3.10"), "~=3.10");
        assert_eq!(one("===3.12.0"), "===3.12.0");
        assert_eq!(one("v3.9"), "==3.9");
    }

    #[test]
    fn and_groups_take_commas_or_spaces() {
        assert_eq!(one(">=3.9,<3.13"), ">=3.9,<3.13");
        assert_eq!(one(">=3.9, <3.13"), ">=3.9,<3.13");
        assert_eq!(one(">=3.9 <3.13"), ">=3.9,<3.13");
        assert_eq!(one(">= 3.9 , < 3.13"), ">=3.9,<3.13");
        assert_eq!(one(">=3.9,<3.13,"), ">=3.9,<3.13", "trailing comma");
        assert_eq!(one("^3.9 !=3.10.*"), ">=3.9,<4.0,!=3.10.*");
    }

    #[test]
    fn or_groups() {
        assert_eq!(conv("^2.7 || ^3.6"), vec![">=2.7,<3.0", ">=3.6,<4.0"]);
        assert_eq!(conv("~3.9|~3.11"), vec![">=3.9,<3.10", ">=3.11,<3.12"]);
        assert_eq!(conv(">=3.8,<3.10 || >=3.12"), vec![">=3.8,<3.10", ">=3.12"]);
        assert!(accepts("~3.9 || ~3.11", "3.11.4"));
        assert!(!accepts("~3.9 || ~3.11", "3.10.4"));
    }

    #[test]
    fn conversions_keep_poetry_meaning() {
        assert!(accepts("^3.10", "3.14.2"));
        assert!(!accepts("^3.10", "4.0"));
        assert!(!accepts("^3.10", "3.9.25"));
        assert!(accepts("^0.2.3", "0.2.9"));
        assert!(!accepts("^0.2.3", "0.3.0"));
        assert!(accepts("~1.2", "1.2.9"));
        assert!(!accepts("~1.2", "1.3.0"));
        assert!(accepts("~1", "1.9"));
        assert!(accepts("1.2.*", "1.2.7"));
        assert!(!accepts("1.2.*", "1.3"));
        assert!(accepts("3.9", "3.9.0"));
        assert!(!accepts("3.9", "3.9.1"));
        assert!(
            !accepts("^3.10", "4.0a1"),
            "PEP 440 < excludes pre-releases of the bound"
        );
    }

    #[test]
    fn errors_quote_the_constraint_and_name_the_rule() {
        assert_eq!(err(""), "invalid Poetry constraint \"\": empty constraint");
        assert_eq!(
            err("^3.9 ||"),
            "invalid Poetry constraint \"^3.9 ||\": empty alternative next to \"||\""
        );
        assert_eq!(
            err(">="),
            "invalid Poetry constraint \">=\": missing version after \">=\""
        );
        assert!(err("^").contains("missing version after \"^\""));
        assert!(err("=>3.9").contains("unknown operator \"=>\""));
        assert!(err("<>3.9").contains("unknown operator \"<>\""));
        assert!(err("^3.x").contains("caret (^) requirement cannot take a wildcard"));
        assert!(err("~3.*").contains("tilde (~) requirement cannot take a wildcard"));
        assert!(err(">=*").contains("cannot be combined with the wildcard"));
        assert_eq!(
            err("^1.x.2"),
            "invalid Poetry constraint \"^1.x.2\": invalid version \"1.x.2\": unexpected \".x.2\" after \"1\""
        );
        assert_eq!(
            err("~=3"),
            "invalid Poetry constraint \"~=3\": ~= needs at least two release segments (\"~=3\")"
        );
        assert!(
            err("1.2 - 1.4").contains("invalid version \"-\""),
            "hyphen ranges are not Poetry syntax"
        );
        assert!(err("^1.0+local").contains("local version labels"));
        assert!(err(&format!("^{}", u64::MAX)).contains("too large to bump"));
        assert!(err("==1.0.dev1.*").contains("dev release"));
    }
}
