//! Chooses the CPython version, and its official `python:X.Y-slim` base image, for a project's constraint.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::pep440::{Pep440Error, SpecifierSet, Version};
use crate::poetry::constraint_to_specifiers;

/// CPython minors with official `python:X.Y-slim` images, each with its newest patch release,
/// newest first.
///
/// This list is the one place to update when CPython releases (a new patch, a new minor, or a
/// minor dropped from the images). Checked against docker-library/official-images in 2026-08.
/// 3.9 reached end of life in October 2025: `python:3.9-slim` still exists but is frozen at
/// 3.9.25 and no longer rebuilt, so it is kept for projects that pin it.
pub const MAINTAINED: &[(u32, u32, u32)] = &[
    (3, 14, 7),
    (3, 13, 15),
    (3, 12, 14),
    (3, 11, 16),
    (3, 10, 21),
    (3, 9, 25),
];

/// What the project says about its Python, plus where it said it (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PythonConstraint {
    /// `[project] requires-python`.
    Pep440 {
        specifiers: SpecifierSet,
        source: String,
    },
    /// `[tool.poetry.dependencies] python`, converted to an OR of PEP 440 sets. `text` is the
    /// constraint as written, which messages quote because the conversion reads differently.
    Poetry {
        groups: Vec<SpecifierSet>,
        text: String,
        source: String,
    },
    /// An exact minor from `.python-version` or `--python`.
    Exact {
        major: u32,
        minor: u32,
        source: String,
    },
}

impl PythonConstraint {
    /// Parses a `requires-python` value.
    pub fn requires_python(
        text: &str,
        source: impl Into<String>,
    ) -> Result<Self, InterpreterError> {
        let source = source.into();
        let specifiers =
            text.parse::<SpecifierSet>()
                .map_err(|error| InterpreterError::InvalidConstraint {
                    origin: source.clone(),
                    error,
                })?;
        Ok(PythonConstraint::Pep440 { specifiers, source })
    }

    /// Parses Poetry's `python = "..."` dependency.
    pub fn poetry(text: &str, source: impl Into<String>) -> Result<Self, InterpreterError> {
        let source = source.into();
        let groups = constraint_to_specifiers(text).map_err(|error| {
            InterpreterError::InvalidConstraint {
                origin: source.clone(),
                error,
            }
        })?;
        Ok(PythonConstraint::Poetry {
            groups,
            text: text.trim().to_string(),
            source,
        })
    }

    pub fn exact(major: u32, minor: u32, source: impl Into<String>) -> Self {
        PythonConstraint::Exact {
            major,
            minor,
            source: source.into(),
        }
    }

    /// Where the constraint came from, e.g. `pyproject.toml` or `.python-version`.
    pub fn source(&self) -> &str {
        match self {
            PythonConstraint::Pep440 { source, .. }
            | PythonConstraint::Poetry { source, .. }
            | PythonConstraint::Exact { source, .. } => source,
        }
    }

    /// Whether the constraint allows `version`. Candidates are final releases, so
    /// pre-releases are never requested.
    pub fn allows(&self, version: &Version) -> bool {
        match self {
            PythonConstraint::Pep440 { specifiers, .. } => specifiers.contains(version, false),
            PythonConstraint::Poetry { groups, .. } => {
                groups.iter().any(|set| set.contains(version, false))
            }
            PythonConstraint::Exact { major, minor, .. } => {
                version.release_part(0) == u64::from(*major)
                    && version.release_part(1) == u64::from(*minor)
            }
        }
    }
}

/// `requires-python ">=3.15" (pyproject.toml)`: what the constraint is, as written, and where.
impl fmt::Display for PythonConstraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PythonConstraint::Pep440 { specifiers, source } => {
                write!(f, "requires-python \"{specifiers}\" ({source})")
            }
            PythonConstraint::Poetry { text, source, .. } => {
                write!(f, "Poetry python \"{text}\" ({source})")
            }
            PythonConstraint::Exact {
                major,
                minor,
                source,
            } => write!(f, "Python {major}.{minor} ({source})"),
        }
    }
}

/// The interpreter the image will carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PythonChoice {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    /// `python:3.12-slim`, or `python:3.12.3-slim` when the constraint rules out the newest patch.
    pub base_image: String,
}

impl PythonChoice {
    /// `3.12`, the form used in paths such as `lib/python3.12`.
    pub fn minor_version(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterpreterError {
    #[error("{constraint} matches no maintained CPython ({maintained})")]
    NoMaintainedMatch {
        /// The constraint described as in [`PythonConstraint`]'s `Display`.
        constraint: String,
        /// e.g. `3.9 … 3.14`.
        maintained: String,
    },
    #[error("invalid Python constraint in {origin}: {error}")]
    InvalidConstraint {
        origin: String,
        #[source]
        error: Pep440Error,
    },
    #[error("invalid {file}: {reason} (\"{line}\")")]
    InvalidVersionFile {
        file: &'static str,
        line: String,
        reason: String,
    },
    #[error("no maintained CPython that {constraint} allows will do: {passed}")]
    NoneFits {
        constraint: String,
        /// Each allowed minor and why it was passed over, as [`PassedOver`] displays.
        passed: String,
    },
    #[error("{python} is not allowed by {constraint}: use a Python it allows, or --ignore-requires-python to build anyway")]
    Excluded {
        /// The Python and where it comes from: `Python 3.9 (.python-version)`.
        python: String,
        constraint: String,
    },
}

impl InterpreterError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            InterpreterError::Excluded { .. } => "requires-python",
            _ => "python-version",
        }
    }
}

/// Every constraint in one phrase: `requires-python ">=3.10" (pyproject.toml) and
/// requires-python ">=3.10, <3.13" (uv.lock)`.
pub fn describe(constraints: &[PythonConstraint]) -> String {
    constraints
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Whether every constraint allows `version`; `Err` names the Python (`what`, e.g.
/// `Python 3.9 (.python-version)`) and the constraints that exclude it.
pub fn check_allowed(
    constraints: &[PythonConstraint],
    version: &Version,
    what: impl FnOnce() -> String,
) -> Result<(), InterpreterError> {
    let excluding: Vec<PythonConstraint> = constraints
        .iter()
        .filter(|c| !c.allows(version))
        .cloned()
        .collect();
    if excluding.is_empty() {
        return Ok(());
    }
    Err(InterpreterError::Excluded {
        python: what(),
        constraint: describe(&excluding),
    })
}

/// A newer minor the constraints allow that the choice passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedOver {
    /// `3.13`.
    pub minor: String,
    pub reason: String,
}

/// `3.13 (pydantic-core 2.0 has no wheel for it)`.
impl fmt::Display for PassedOver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.minor, self.reason)
    }
}

/// `3.9 … 3.14`, from [`MAINTAINED`].
fn maintained_range() -> String {
    let minor = |&(major, minor, _): &(u32, u32, u32)| format!("{major}.{minor}");
    match (MAINTAINED.last(), MAINTAINED.first()) {
        (Some(oldest), Some(newest)) => format!("{} … {}", minor(oldest), minor(newest)),
        _ => "none".to_string(),
    }
}

/// Picks the newest maintained CPython minor that satisfies `constraint`.
pub fn choose(constraint: &PythonConstraint) -> Result<PythonChoice, InterpreterError> {
    choose_fitting(std::slice::from_ref(constraint), |_| Ok(())).map(|(choice, _)| choice)
}

/// Picks the newest maintained CPython minor that satisfies every constraint and that `fits`
/// accepts (a lock's wheels, say), with the newer allowed minors `fits` refused and its reason
/// for each, newest first.
///
/// A minor qualifies when ANY of its patch releases 0..=newest satisfies the constraint, so
/// `>=3.12,<3.12.5` still selects 3.12 (as uv treats such bounds). The choice then carries the
/// newest satisfying patch: if that is the newest patch overall, the rolling `python:X.Y-slim`
/// tag is used (it keeps receiving security rebuilds); otherwise the image is pinned to
/// `python:X.Y.P-slim`, because the rolling tag would ship a Python the project excludes.
pub fn choose_fitting(
    constraints: &[PythonConstraint],
    mut fits: impl FnMut(&PythonChoice) -> Result<(), String>,
) -> Result<(PythonChoice, Vec<PassedOver>), InterpreterError> {
    let candidates = MAINTAINED.iter().filter_map(|&(major, minor, newest)| {
        let patch = (0..=newest).rev().find(|&patch| {
            let candidate = Version::new([u64::from(major), u64::from(minor), u64::from(patch)]);
            constraints.iter().all(|c| c.allows(&candidate))
        })?;
        let base_image = if patch == newest {
            format!("python:{major}.{minor}-slim")
        } else {
            format!("python:{major}.{minor}.{patch}-slim")
        };
        Some(PythonChoice {
            major,
            minor,
            patch,
            base_image,
        })
    });
    let mut passed = Vec::new();
    for candidate in candidates {
        match fits(&candidate) {
            Ok(()) => return Ok((candidate, passed)),
            Err(reason) => passed.push(PassedOver {
                minor: candidate.minor_version(),
                reason,
            }),
        }
    }
    let constraint = describe(constraints);
    Err(match passed.is_empty() {
        true => InterpreterError::NoMaintainedMatch {
            constraint,
            maintained: maintained_range(),
        },
        false => InterpreterError::NoneFits {
            constraint,
            passed: passed
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        },
    })
}

/// Reads the `X.Y` a `.python-version` file asks for.
///
/// The first line that is neither blank nor a `#` comment counts (pyenv and uv both read
/// further lines as extra versions, which a single-interpreter image cannot honour). Accepted
/// forms: `3.12`, `3.12.4`, `3.13t`, `3.13.0rc2`, `3.12-dev`, `cpython-3.12`, `cpython@3.12`,
/// `python3.12`, `cpython-3.12.4-linux-x86_64-gnu`. Only CPython is accepted, since the base
/// images are CPython.
pub fn parse_python_version_file(text: &str) -> Result<(u32, u32), InterpreterError> {
    let Some(line) = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
    else {
        return Err(InterpreterError::InvalidVersionFile {
            file: ".python-version",
            line: String::new(),
            reason: "no version found".to_string(),
        });
    };
    let fail = |reason: &str| InterpreterError::InvalidVersionFile {
        file: ".python-version",
        line: line.to_string(),
        reason: reason.to_string(),
    };
    let lower = line.to_ascii_lowercase();
    let rest = ["cpython-", "cpython@", "cpython", "python"]
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
        .unwrap_or(&lower);
    if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(fail(
            "only CPython versions are supported (the base images are CPython)",
        ));
    }

    let (major, rest) =
        leading_number(rest).ok_or_else(|| fail("expected a version such as 3.12"))?;
    let rest = rest
        .strip_prefix('.')
        .ok_or_else(|| fail("needs a major.minor version such as 3.12"))?;
    let (minor, rest) =
        leading_number(rest).ok_or_else(|| fail("needs a major.minor version such as 3.12"))?;
    // An optional patch, then at most a variant or pre-release marker, or a `-`/`+` tail
    // (uv's platform keys, `-dev`, `+freethreaded`) that does not change the minor.
    let rest = match rest.strip_prefix('.') {
        Some(after) => {
            leading_number(after)
                .ok_or_else(|| fail("expected a patch number after the minor version"))?
                .1
        }
        None => rest,
    };
    let suffix_ok = rest.is_empty()
        || rest.starts_with(['-', '+'])
        || rest == "t"
        || ["a", "b", "rc"].iter().any(|marker| {
            rest.strip_prefix(marker)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
    if !suffix_ok {
        return Err(fail(&format!("unexpected \"{rest}\" after the version")));
    }
    Ok((major, minor))
}

/// Reads the `X.Y` a Heroku-style `runtime.txt` asks for: `python-3.10.2` (or `python-3.10`),
/// on its first line that is not blank. Its other runtimes are not CPython, so not accepted.
pub fn parse_runtime_txt(text: &str) -> Result<(u32, u32), InterpreterError> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    let fail = |reason: &str| InterpreterError::InvalidVersionFile {
        file: "runtime.txt",
        line: line.unwrap_or_default().to_string(),
        reason: reason.to_string(),
    };
    let line = line.ok_or_else(|| fail("no version found"))?;
    let version = line
        .strip_prefix("python-")
        .ok_or_else(|| fail("expected python-X.Y or python-X.Y.Z, such as python-3.12.4"))?;
    let (major, rest) =
        leading_number(version).ok_or_else(|| fail("expected a version such as 3.12"))?;
    let (minor, rest) = rest
        .strip_prefix('.')
        .and_then(leading_number)
        .ok_or_else(|| fail("needs a major.minor version such as 3.12"))?;
    let rest = match rest.strip_prefix('.') {
        Some(after) => {
            leading_number(after)
                .ok_or_else(|| fail("expected a patch number after the minor version"))?
                .1
        }
        None => rest,
    };
    if !rest.is_empty() {
        return Err(fail(&format!("unexpected \"{rest}\" after the version")));
    }
    Ok((major, minor))
}

/// Splits off a leading decimal number that fits a `u32`.
fn leading_number(s: &str) -> Option<(u32, &str)> {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    let number = s[..end].parse().ok()?;
    Some((number, &s[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pep(text: &str) -> PythonConstraint {
        PythonConstraint::requires_python(text, "pyproject.toml")
            .unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn poetry(text: &str) -> PythonConstraint {
        PythonConstraint::poetry(text, "pyproject.toml [tool.poetry.dependencies]")
            .unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn chosen(c: &PythonConstraint) -> (u32, u32, u32, String) {
        let choice = choose(c).unwrap_or_else(|e| panic!("{e}"));
        (choice.major, choice.minor, choice.patch, choice.base_image)
    }

    fn newest_patch(minor: u32) -> u32 {
        MAINTAINED
            .iter()
            .find(|m| m.1 == minor)
            .map(|m| m.2)
            .unwrap_or_else(|| panic!("3.{minor} not maintained"))
    }

    fn rolling(minor: u32) -> (u32, u32, u32, String) {
        (
            3,
            minor,
            newest_patch(minor),
            format!("python:3.{minor}-slim"),
        )
    }

    #[test]
    fn maintained_list_is_newest_first_and_complete() {
        let minors: Vec<(u32, u32)> = MAINTAINED.iter().map(|&(a, b, _)| (a, b)).collect();
        assert_eq!(
            minors,
            vec![(3, 14), (3, 13), (3, 12), (3, 11), (3, 10), (3, 9)]
        );
        assert_eq!(maintained_range(), "3.9 … 3.14");
    }

    #[test]
    fn lower_bound_picks_the_newest() {
        assert_eq!(chosen(&pep(">=3.9")), rolling(14));
        assert_eq!(chosen(&pep("")), rolling(14), "no constraint: newest");
        assert_eq!(chosen(&pep(">=3.8")), rolling(14));
    }

    #[test]
    fn upper_bound_caps_the_minor() {
        assert_eq!(chosen(&pep(">=3.8,<3.11")), rolling(10));
        assert_eq!(chosen(&pep(">=3.9, <3.13")), rolling(12));
        assert_eq!(chosen(&pep("<3.10")), rolling(9));
    }

    #[test]
    fn compatible_and_wildcards() {
        assert_eq!(chosen(&pep("~=3.10")), rolling(14));
        assert_eq!(chosen(&pep("~=3.10.0")), rolling(10));
        assert_eq!(chosen(&pep("==3.11.*")), rolling(11));
        assert_eq!(chosen(&pep("!=3.14.*")), rolling(13));
        assert_eq!(chosen(&pep(">=3.9,!=3.14.*,!=3.13.*")), rolling(12));
    }

    #[test]
    fn poetry_constraints() {
        assert_eq!(chosen(&poetry("^3.10")), rolling(14));
        assert_eq!(chosen(&poetry("~3.11")), rolling(11));
        assert_eq!(chosen(&poetry(">=3.9,<3.12")), rolling(11));
        assert_eq!(chosen(&poetry("~3.10 || ~3.12")), rolling(12));
        assert_eq!(chosen(&poetry("3.11.*")), rolling(11));
        assert_eq!(chosen(&poetry("*")), rolling(14));
    }

    #[test]
    fn exact_minor() {
        assert_eq!(
            chosen(&PythonConstraint::exact(3, 12, ".python-version")),
            rolling(12)
        );
        assert_eq!(
            chosen(&PythonConstraint::exact(3, 9, "--python")),
            rolling(9)
        );
    }

    #[test]
    fn older_patch_pins_the_image() {
        // Any patch of a minor qualifies it; the newest satisfying patch is pinned.
        assert_eq!(
            chosen(&pep(">=3.12,<3.12.5")),
            (3, 12, 4, "python:3.12.4-slim".to_string())
        );
        assert_eq!(
            chosen(&pep("==3.11.0")),
            (3, 11, 0, "python:3.11.0-slim".to_string())
        );
        assert_eq!(
            chosen(&pep("<3.12.1")),
            (3, 12, 0, "python:3.12.0-slim".to_string())
        );
        assert_eq!(
            chosen(&poetry("3.10.4")),
            (3, 10, 4, "python:3.10.4-slim".to_string())
        );
        let newest = newest_patch(13);
        assert_eq!(
            chosen(&pep(&format!("!={}.{}.{}", 3, 13, newest))).3,
            "python:3.14-slim",
            "3.14 still wins"
        );
        assert_eq!(
            chosen(&pep(&format!(">=3.13,<3.14,!=3.13.{newest}"))),
            (
                3,
                13,
                newest - 1,
                format!("python:3.13.{}-slim", newest - 1)
            )
        );
    }

    #[test]
    fn no_match_lists_the_maintained_range() {
        let err = choose(&pep(">=3.15")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "requires-python \">=3.15\" (pyproject.toml) matches no maintained CPython (3.9 … 3.14)"
        );
        let err = choose(&pep("<3.9")).unwrap_err();
        assert!(err.to_string().contains("\"<3.9\""));
        let err = choose(&poetry("^2.7")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Poetry python \"^2.7\" (pyproject.toml [tool.poetry.dependencies]) matches no maintained CPython (3.9 … 3.14)"
        );
        let err = choose(&PythonConstraint::exact(3, 8, ".python-version")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Python 3.8 (.python-version) matches no maintained CPython (3.9 … 3.14)"
        );
        assert!(choose(&pep(">=3.12,<3.12")).is_err());
        assert!(choose(&pep("==3.15.*")).is_err());
    }

    #[test]
    fn pre_release_bounds_behave() {
        assert_eq!(chosen(&pep(">=3.14.0rc1")), rolling(14));
        assert_eq!(
            chosen(&pep("<3.14")),
            rolling(13),
            "3.14 finals are not <3.14"
        );
    }

    #[test]
    fn invalid_constraints_are_reported_with_their_origin() {
        let err = PythonConstraint::requires_python(">=3.x", "pyproject.toml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Python constraint in pyproject.toml: invalid specifier \">=3.x\": invalid version \"3.x\": unexpected \".x\" after \"3\""
        );
        assert!(std::error::Error::source(&err).is_some());
        let err = PythonConstraint::poetry("^", "pyproject.toml").unwrap_err();
        assert!(err.to_string().contains("missing version after \"^\""));
    }

    #[test]
    fn constraint_accessors_and_display() {
        let c = pep(" >= 3.9 , < 4 ");
        assert_eq!(c.source(), "pyproject.toml");
        assert_eq!(
            c.to_string(),
            "requires-python \">=3.9,<4\" (pyproject.toml)"
        );
        assert_eq!(
            PythonConstraint::exact(3, 12, "--python").source(),
            "--python"
        );
    }

    #[test]
    fn choice_serialises_and_formats() {
        let choice = choose(&PythonConstraint::exact(3, 12, "--python")).unwrap();
        assert_eq!(choice.minor_version(), "3.12");
        let json = serde_json::to_value(&choice).unwrap();
        assert_eq!(json["baseImage"], "python:3.12-slim");
        assert_eq!(json["minor"], 12);
    }

    fn pv(text: &str) -> (u32, u32) {
        parse_python_version_file(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn pv_err(text: &str) -> String {
        match parse_python_version_file(text) {
            Err(e) => e.to_string(),
            Ok(x) => panic!("{text:?}: expected an error, got {x:?}"),
        }
    }

    #[test]
    fn python_version_file_forms() {
        assert_eq!(pv("3.12"), (3, 12));
        assert_eq!(pv("3.12\n"), (3, 12));
        assert_eq!(pv("3.12.4"), (3, 12));
        assert_eq!(pv("  3.11  \r\n"), (3, 11));
        assert_eq!(pv("cpython-3.12"), (3, 12));
        assert_eq!(pv("CPython@3.13.1"), (3, 13));
        assert_eq!(pv("cpython3.10"), (3, 10));
        assert_eq!(pv("python3.10"), (3, 10));
        assert_eq!(pv("3.13t"), (3, 13));
        assert_eq!(pv("3.13.1t"), (3, 13));
        assert_eq!(pv("3.14.0rc2"), (3, 14));
        assert_eq!(pv("3.15a1"), (3, 15));
        assert_eq!(pv("3.12-dev"), (3, 12));
        assert_eq!(pv("3.13+freethreaded"), (3, 13));
        assert_eq!(pv("cpython-3.12.4-linux-x86_64-gnu"), (3, 12));
        assert_eq!(pv("# pinned for CI\n\n3.11\n3.12\n"), (3, 11));
        assert_eq!(pv("2.7"), (2, 7), "parsed; choose() then rejects it");
    }

    #[test]
    fn python_version_file_errors() {
        assert_eq!(
            pv_err(""),
            "invalid .python-version: no version found (\"\")"
        );
        assert!(pv_err("# only a comment\n\n").contains("no version found"));
        assert_eq!(
            pv_err("3"),
            "invalid .python-version: needs a major.minor version such as 3.12 (\"3\")"
        );
        assert!(pv_err("3.").contains("major.minor"));
        assert!(pv_err("pypy3.10").contains("only CPython"));
        assert!(pv_err("pypy@3.10").contains("only CPython"));
        assert!(pv_err("system").contains("only CPython"));
        assert!(pv_err("graalpy-24.1").contains("only CPython"));
        assert!(pv_err("3.12.x").contains("patch number"));
        assert!(pv_err("3.12foo").contains("unexpected \"foo\""));
        assert!(pv_err("3.12 3.13").contains("unexpected \" 3.13\""));
        assert!(pv_err("99999999999.1").contains("expected a version"));
        assert!(pv_err(">=3.12").contains("expected a version"));
    }

    #[test]
    fn python_version_file_feeds_choose() {
        let (major, minor) = pv("3.11.2\n");
        let choice = choose(&PythonConstraint::exact(major, minor, ".python-version")).unwrap();
        assert_eq!(choice.base_image, "python:3.11-slim");
    }

    #[test]
    fn runtime_txt_forms_and_errors() {
        let rt = |text: &str| parse_runtime_txt(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(rt("python-3.10.2\n"), (3, 10));
        assert_eq!(rt("\n  python-3.12  \n"), (3, 12));
        let err = |text: &str| parse_runtime_txt(text).unwrap_err().to_string();
        assert_eq!(err(""), "invalid runtime.txt: no version found (\"\")");
        assert_eq!(
            err("3.10.2"),
            "invalid runtime.txt: expected python-X.Y or python-X.Y.Z, such as python-3.12.4 (\"3.10.2\")"
        );
        assert!(err("pypy3.10-7.3").contains("expected python-X.Y"));
        assert!(err("python-3").contains("major.minor"));
        assert!(err("python-3.10.x").contains("patch number"));
        assert!(err("python-3.10.2rc1").contains("unexpected \"rc1\""));
        assert_eq!(
            parse_runtime_txt("ruby-3.3").unwrap_err().code(),
            "python-version",
            "an error there is a Python version problem"
        );
    }

    #[test]
    fn choose_fitting_passes_over_minors_that_do_not_fit() {
        let constraints = [
            pep(">=3.10"),
            PythonConstraint::requires_python(">=3.10, <3.13", "uv.lock").unwrap(),
        ];
        let (choice, passed) = choose_fitting(&constraints, |c| match c.minor {
            12 => Err("core 2.0 has no wheel for it".to_string()),
            _ => Ok(()),
        })
        .unwrap();
        assert_eq!(choice.minor_version(), "3.11");
        assert_eq!(
            passed,
            vec![PassedOver {
                minor: "3.12".to_string(),
                reason: "core 2.0 has no wheel for it".to_string()
            }]
        );
        let (choice, passed) = choose_fitting(&constraints, |_| Ok(())).unwrap();
        assert_eq!(
            (choice.minor_version(), passed),
            ("3.12".to_string(), vec![])
        );

        let err = choose_fitting(&constraints, |c| Err(format!("no {}", c.minor))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no maintained CPython that requires-python \">=3.10\" (pyproject.toml) and requires-python \">=3.10,<3.13\" (uv.lock) allows will do: 3.12 (no 12); 3.11 (no 11); 3.10 (no 10)"
        );
        assert_eq!(err.code(), "python-version");
        let err = choose_fitting(&[pep(">=3.13"), pep("<3.13")], |_| Ok(())).unwrap_err();
        assert!(
            matches!(err, InterpreterError::NoMaintainedMatch { .. }),
            "{err}"
        );
    }

    #[test]
    fn check_allowed_names_the_python_and_what_excludes_it() {
        let constraints = [pep(">=3.12"), poetry("^3.10")];
        let v = |text: &str| text.parse::<Version>().unwrap();
        assert!(check_allowed(&constraints, &v("3.12.1"), || unreachable!()).is_ok());
        let err = check_allowed(&constraints, &v("3.11.2"), || {
            "the base image's Python 3.11.2".to_string()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the base image's Python 3.11.2 is not allowed by requires-python \">=3.12\" (pyproject.toml): use a Python it allows, or --ignore-requires-python to build anyway"
        );
        assert_eq!(err.code(), "requires-python");
        assert!(check_allowed(&[], &v("2.7"), || unreachable!()).is_ok());
    }
}
