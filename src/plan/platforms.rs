//! The platforms a build is for: `--platform` names one, or several
//! separated by commas, each built into its own image of one index.

use pycontainer_oci::Platform;

use super::PlanError;

/// The platforms `value` names, in its order; empty when it is unset (the
/// base's own platform is then built). Each must have a Python machine
/// name, since wheels are chosen by it, and none may repeat.
pub(super) fn parse(value: Option<&str>, origin: &str) -> Result<Vec<Platform>, PlanError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Platform> = Vec::new();
    for part in value.split(',').map(str::trim) {
        let platform =
            Platform::parse(part).map_err(|e| PlanError::setting(origin, e.to_string()))?;
        if platform.os != "linux" || platform.python_machine().is_none() {
            return Err(PlanError::setting(
                origin,
                format!("{part:?} is not a platform Python images are built for (linux on amd64, arm64, arm/v5-v8, 386, ppc64le, ppc64, s390x, riscv64, mips64le, loong64)"),
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
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(value: &str) -> Result<Vec<String>, String> {
        parse(Some(value), "--platform")
            .map(|v| v.iter().map(ToString::to_string).collect())
            .map_err(|e| e.to_string())
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
        for bad in ["linux/sparc", "windows/amd64", "linux/amd64,linux/x86_64", "linux/amd64,"] {
            let e = names(bad).unwrap_err();
            assert!(e.contains("--platform"), "{bad}: {e}");
        }
    }
}
