//! The platforms a build is for: `--platform` names one, or several
//! separated by commas, or `all` the base offers; each is built into its
//! own image of one index.

use pycontainer_oci::Platform;

use super::PlanError;
use crate::host::Host;
use crate::registry::Client;
use crate::source::{self, SourceError};

/// The value that asks for every platform the base offers.
const ALL: &str = "all";

/// What `--platform` asks for.
pub(super) enum Wanted {
    /// These, in this order; none when unset (the base's own is built).
    Named(Vec<Platform>),
    /// Every platform of the base that CPython wheels exist for.
    All,
}

/// The platforms `value` names, in its order. Each must be one CPython
/// wheels exist for (see [`for_cpython`]), and none may repeat.
pub(super) fn parse(value: Option<&str>, origin: &str) -> Result<Wanted, PlanError> {
    let Some(value) = value else {
        return Ok(Wanted::Named(Vec::new()));
    };
    if value.trim() == ALL {
        return Ok(Wanted::All);
    }
    let mut out: Vec<Platform> = Vec::new();
    for part in value.split(',').map(str::trim) {
        let platform =
            Platform::parse(part).map_err(|e| PlanError::setting(origin, e.to_string()))?;
        if !for_cpython(&platform) {
            return Err(PlanError::setting(
                origin,
                format!("{part:?} is not a platform CPython wheels are built for (linux on amd64, arm64, arm/v5 to v8, 386, ppc64le, ppc64, s390x, riscv64, mips64, loong64)"),
            ));
        }
        if out.iter().any(|p| p.matches(&platform)) {
            return Err(PlanError::setting(
                origin,
                format!("{platform} is named twice in {value:?}"),
            ));
        }
        out.push(platform);
    }
    Ok(Wanted::Named(out))
}

/// Whether CPython wheels can exist for `platform`: Linux (the only OS
/// whose wheels run in a Linux container image) on an architecture whose
/// `platform.machine()` wheel tags name.
fn for_cpython(platform: &Platform) -> bool {
    platform.os == "linux" && platform.python_machine().is_some()
}

/// For `all`: the platforms the base `value` offers that CPython wheels
/// exist for, in its index's order (which drops the index's attestation
/// entries, `unknown/unknown`, and any Windows images).
pub(super) async fn offered<H: Host>(
    client: &Client<'_, H>,
    value: &str,
    origin: &str,
) -> Result<Vec<Platform>, SourceError> {
    let offered = source::offered(client, value).await?;
    let mut out: Vec<Platform> = Vec::new();
    for platform in offered.iter().map(Platform::normalized) {
        if for_cpython(&platform) && !out.iter().any(|p| p.matches(&platform)) {
            out.push(platform);
        }
    }
    if out.is_empty() {
        let listed: Vec<String> = offered.iter().map(ToString::to_string).collect();
        return Err(SourceError::Invalid {
            value: value.to_owned(),
            reason: format!(
                "{origin} all: the base offers no platform CPython wheels are built for (it offers {})",
                if listed.is_empty() { "none: it is no stored image".to_owned() } else { listed.join(", ") }
            ),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(value: &str) -> Result<Vec<String>, String> {
        match parse(Some(value), "--platform") {
            Ok(Wanted::Named(v)) => Ok(v.iter().map(ToString::to_string).collect()),
            Ok(Wanted::All) => Ok(vec![ALL.to_owned()]),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn all_alone_asks_for_the_bases_platforms() {
        assert_eq!(names(" all").unwrap(), [ALL]);
        assert!(names("all,linux/amd64").is_err());
    }

    #[test]
    fn a_comma_list_keeps_its_order_and_variants() {
        assert_eq!(
            names("linux/arm64, linux/amd64,linux/arm/v6").unwrap(),
            ["linux/arm64", "linux/amd64", "linux/arm/v6"]
        );
    }

    #[test]
    fn an_unknown_architecture_a_foreign_os_or_a_repeat_is_refused() {
        for bad in [
            "linux/sparc",
            "windows/amd64",
            "linux/amd64,linux/x86_64",
            "linux/amd64,",
        ] {
            let e = names(bad).unwrap_err();
            assert!(e.contains("--platform"), "{bad}: {e}");
        }
    }
}
