//! Target platforms (`os/arch[/variant]`) as in OCI image indexes, with containerd-style normalisation and matching.

use std::fmt;
use std::str::FromStr;

/// The `platform` object of an OCI image index entry.
///
/// Values deserialised from an index are kept exactly as the registry sent
/// them (e.g. `arm64` with variant `v8`); comparisons go through
/// [`Platform::normalized`] so spelling differences do not matter.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub variant: Option<String>,
    #[serde(
        rename = "os.version",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub os_version: Option<String>,
    #[serde(rename = "os.features", skip_serializing_if = "Vec::is_empty", default)]
    pub os_features: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    #[error("platform must be OS/ARCH[/VARIANT], got {input:?}")]
    Format { input: String },

    #[error("platform component must match [A-Za-z0-9_.-]+, got {part:?} in {input:?}")]
    InvalidComponent { input: String, part: String },
}

impl Platform {
    /// Builds a normalised platform, e.g. `new("linux", "aarch64", None)` is `linux/arm64`.
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        let (architecture, variant) = normalize_arch(architecture, variant);
        Platform {
            os: normalize_os(os),
            architecture,
            variant,
            os_version: None,
            os_features: Vec::new(),
        }
    }

    /// Parses `OS/ARCH[/VARIANT]` (e.g. `linux/arm/v7`) and normalises it.
    pub fn parse(s: &str) -> Result<Platform, PlatformError> {
        let parts: Vec<&str> = s.split('/').collect();
        let (os, arch, variant) = match parts.as_slice() {
            [os, arch] => (*os, *arch, None),
            [os, arch, variant] => (*os, *arch, Some(*variant)),
            _ => {
                return Err(PlatformError::Format {
                    input: s.to_string(),
                })
            }
        };
        for part in &parts {
            if part.is_empty() {
                return Err(PlatformError::Format {
                    input: s.to_string(),
                });
            }
            let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
            if !part.bytes().all(allowed) {
                return Err(PlatformError::InvalidComponent {
                    input: s.to_string(),
                    part: part.to_string(),
                });
            }
        }
        Ok(Platform::new(os, arch, variant))
    }

    /// The platform built for when the user names none.
    pub fn default_target() -> Platform {
        Platform::new("linux", "amd64", None)
    }

    /// Canonical spelling: lowercase, architecture aliases resolved, default
    /// variants dropped (`arm64` `v8`, `amd64` `v1`) except for `arm`, whose
    /// variant is always explicit (`v7` unless stated) because 32-bit ARM
    /// images for different variants are not interchangeable.
    ///
    /// `os.version` and `os.features` are carried over unchanged.
    pub fn normalized(&self) -> Platform {
        let (architecture, variant) = normalize_arch(&self.architecture, self.variant.as_deref());
        Platform {
            os: normalize_os(&self.os),
            architecture,
            variant,
            os_version: self.os_version.clone(),
            os_features: self.os_features.clone(),
        }
    }

    /// Whether an index entry with platform `candidate` can run where `self` is wanted.
    ///
    /// Exact after normalisation: `linux/arm/v7` does not accept `v6` images,
    /// so the choice never silently depends on index order. `os.version` and
    /// `os.features` are ignored; they only matter for Windows images.
    pub fn matches(&self, candidate: &Platform) -> bool {
        self.key() == candidate.key()
    }

    fn key(&self) -> (String, String, Option<String>) {
        let (architecture, variant) = normalize_arch(&self.architecture, self.variant.as_deref());
        (normalize_os(&self.os), architecture, variant)
    }

    /// What Python's `platform.machine()` returns on this platform's native
    /// hardware, for wheel tags and PEP 508 `platform_machine` markers.
    ///
    /// `None` for architectures whose value we do not know, since a guess
    /// would silently select the wrong wheels.
    pub fn python_machine(&self) -> Option<&'static str> {
        let (architecture, variant) = normalize_arch(&self.architecture, self.variant.as_deref());
        let machine = match (architecture.as_str(), variant.as_deref()) {
            ("amd64", _) => "x86_64",
            ("arm64", _) => "aarch64",
            ("arm", Some("v8")) => "armv8l",
            ("arm", Some("v7")) => "armv7l",
            ("arm", Some("v6")) => "armv6l",
            ("arm", Some("v5")) => "armv5tel",
            ("386", _) => "i686",
            ("ppc64le", _) => "ppc64le",
            ("ppc64", _) => "ppc64",
            ("s390x", _) => "s390x",
            ("riscv64", _) => "riscv64",
            // The kernel reports `mips64` for both byte orders.
            ("mips64le" | "mips64", _) => "mips64",
            ("loong64", _) => "loongarch64",
            _ => return None,
        };
        Some(machine)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (os, architecture, variant) = self.key();
        write!(f, "{os}/{architecture}")?;
        if let Some(variant) = variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = PlatformError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::parse(s)
    }
}

/// The value of the first candidate whose platform matches `wanted`.
pub fn select<'a, T>(
    wanted: &Platform,
    candidates: impl IntoIterator<Item = (&'a Platform, T)>,
) -> Option<T> {
    let key = wanted.key();
    candidates
        .into_iter()
        .find(|(platform, _)| platform.key() == key)
        .map(|(_, value)| value)
}

fn normalize_os(os: &str) -> String {
    let os = os.to_ascii_lowercase();
    if os == "macos" {
        "darwin".to_string()
    } else {
        os
    }
}

/// Returns the canonical architecture and variant (see [`Platform::normalized`]).
fn normalize_arch(architecture: &str, variant: Option<&str>) -> (String, Option<String>) {
    let arch = architecture.to_ascii_lowercase();
    let variant = variant
        .filter(|v| !v.is_empty())
        .map(str::to_ascii_lowercase);
    let (arch, variant) = match arch.as_str() {
        "amd64" | "x86_64" | "x86-64" => {
            let variant = variant.map(|v| canonical_variant(&v));
            ("amd64", variant.filter(|v| v != "v1"))
        }
        "arm64" | "aarch64" => {
            let variant = variant.map(|v| canonical_variant(&v));
            ("arm64", variant.filter(|v| v != "v8"))
        }
        // These Debian names imply a specific ABI, so any variant given
        // alongside them is overridden rather than trusted.
        "armhf" => ("arm", Some("v7".to_string())),
        "armel" => ("arm", Some("v6".to_string())),
        "arm" => {
            let variant = variant.map_or_else(|| "v7".to_string(), |v| canonical_variant(&v));
            ("arm", Some(variant))
        }
        // The alias names are user-side spellings with no variant meaning.
        "i386" | "i686" => ("386", None),
        other => return (other.to_string(), variant),
    };
    (arch.to_string(), variant)
}

/// `8`, `v8` and `v8.0` all name the same ARM/x86 feature level.
fn canonical_variant(variant: &str) -> String {
    let trimmed = variant.strip_suffix(".0").unwrap_or(variant);
    if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        format!("v{trimmed}")
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        Platform::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn raw(os: &str, arch: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.to_string(),
            architecture: arch.to_string(),
            variant: variant.map(str::to_string),
            os_version: None,
            os_features: Vec::new(),
        }
    }

    #[test]
    fn parse_normalises() {
        let cases = [
            ("linux/amd64", "linux", "amd64", None),
            ("linux/arm64/v8", "linux", "arm64", None),
            ("linux/arm64", "linux", "arm64", None),
            ("linux/arm64/8", "linux", "arm64", None),
            ("linux/arm64/v8.0", "linux", "arm64", None),
            ("linux/arm64/v9.0", "linux", "arm64", Some("v9")),
            ("linux/arm64/v8.2", "linux", "arm64", Some("v8.2")),
            ("linux/arm/v7", "linux", "arm", Some("v7")),
            ("linux/arm", "linux", "arm", Some("v7")),
            ("linux/arm/7", "linux", "arm", Some("v7")),
            ("linux/arm/v6", "linux", "arm", Some("v6")),
            ("linux/arm/5", "linux", "arm", Some("v5")),
            ("linux/x86_64", "linux", "amd64", None),
            ("linux/x86-64", "linux", "amd64", None),
            ("linux/amd64/v1", "linux", "amd64", None),
            ("linux/amd64/v3", "linux", "amd64", Some("v3")),
            ("linux/aarch64", "linux", "arm64", None),
            ("linux/armhf", "linux", "arm", Some("v7")),
            ("linux/armhf/v6", "linux", "arm", Some("v7")),
            ("linux/armel", "linux", "arm", Some("v6")),
            ("linux/i386", "linux", "386", None),
            ("linux/i686", "linux", "386", None),
            ("linux/386", "linux", "386", None),
            ("Linux/AMD64", "linux", "amd64", None),
            ("macos/arm64", "darwin", "arm64", None),
            ("linux/ppc64le", "linux", "ppc64le", None),
            ("linux/riscv64", "linux", "riscv64", None),
            ("linux/s390x", "linux", "s390x", None),
            ("linux/mips64le/r6", "linux", "mips64le", Some("r6")),
        ];
        for (input, os, arch, variant) in cases {
            let got = p(input);
            assert_eq!(got, raw(os, arch, variant), "{input}");
        }
    }

    #[test]
    fn equal_after_normalisation() {
        assert_eq!(p("linux/arm64/v8"), p("linux/arm64"));
        assert_eq!(p("linux/arm"), p("linux/arm/v7"));
        assert_eq!(p("linux/x86_64"), p("linux/amd64/v1"));
        assert_ne!(p("linux/arm/v6"), p("linux/arm/v7"));
    }

    #[test]
    fn parse_errors_name_the_rule() {
        for bad in [
            "",
            "linux",
            "linux/",
            "/amd64",
            "linux//v7",
            "linux/arm/",
            "linux/arm/v7/x",
            "a/b/c/d",
        ] {
            let err = Platform::parse(bad).unwrap_err();
            assert_eq!(
                err,
                PlatformError::Format {
                    input: bad.to_string()
                },
                "{bad:?}"
            );
            assert_eq!(
                err.to_string(),
                format!("platform must be OS/ARCH[/VARIANT], got {bad:?}")
            );
        }
        let err = Platform::parse("linux/amd 64").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"platform component must match [A-Za-z0-9_.-]+, got "amd 64" in "linux/amd 64""#
        );
        assert!(matches!(
            Platform::parse("linux:amd64/x").unwrap_err(),
            PlatformError::InvalidComponent { .. }
        ));
    }

    #[test]
    fn from_str_matches_parse() {
        let got: Platform = "linux/arm64/v8".parse().unwrap();
        assert_eq!(got, p("linux/arm64"));
    }

    #[test]
    fn display_omits_default_variants() {
        let cases = [
            ("linux/amd64", "linux/amd64"),
            ("linux/amd64/v1", "linux/amd64"),
            ("linux/amd64/v2", "linux/amd64/v2"),
            ("linux/arm64/v8", "linux/arm64"),
            ("linux/arm64", "linux/arm64"),
            ("linux/arm", "linux/arm/v7"),
            ("linux/arm/v7", "linux/arm/v7"),
            ("linux/armel", "linux/arm/v6"),
            ("linux/i686", "linux/386"),
        ];
        for (input, shown) in cases {
            assert_eq!(p(input).to_string(), shown, "{input}");
        }
        // Index entries are stored raw; Display still prints the canonical form.
        assert_eq!(raw("linux", "arm64", Some("v8")).to_string(), "linux/arm64");
        assert_eq!(raw("linux", "arm", None).to_string(), "linux/arm/v7");
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "linux/amd64",
            "linux/arm64",
            "linux/arm/v6",
            "linux/amd64/v3",
            "windows/amd64",
        ] {
            assert_eq!(p(&p(s).to_string()), p(s), "{s}");
        }
    }

    #[test]
    fn default_target_is_linux_amd64() {
        assert_eq!(Platform::default_target(), p("linux/amd64"));
        assert_eq!(Platform::default_target().to_string(), "linux/amd64");
    }

    #[test]
    fn normalized_keeps_os_version_and_features() {
        let mut w = raw("Windows", "x86_64", None);
        w.os_version = Some("10.0.17763.1234".to_string());
        w.os_features = vec!["win32k".to_string()];
        let n = w.normalized();
        assert_eq!(n.os, "windows");
        assert_eq!(n.architecture, "amd64");
        assert_eq!(n.os_version, w.os_version);
        assert_eq!(n.os_features, w.os_features);
    }

    #[test]
    fn matching() {
        let yes = [
            ("linux/arm64", raw("linux", "arm64", Some("v8"))),
            ("linux/arm64/v8", raw("linux", "arm64", None)),
            ("linux/amd64", raw("linux", "amd64", None)),
            ("linux/amd64", raw("linux", "x86_64", None)),
            ("linux/amd64", raw("linux", "amd64", Some("v1"))),
            ("linux/arm/v7", raw("linux", "arm", None)),
            ("linux/arm/v7", raw("linux", "arm", Some("v7"))),
            ("linux/arm", raw("linux", "arm", Some("v7"))),
            ("linux/arm/v6", raw("linux", "arm", Some("v6"))),
            ("linux/386", raw("linux", "386", None)),
        ];
        for (wanted, candidate) in yes {
            assert!(
                p(wanted).matches(&candidate),
                "{wanted} should match {candidate:?}"
            );
            // Matching is symmetric.
            assert!(
                candidate.matches(&p(wanted)),
                "{candidate:?} should match {wanted}"
            );
        }
        let no = [
            ("linux/arm/v7", raw("linux", "arm", Some("v6"))),
            ("linux/arm/v6", raw("linux", "arm", None)),
            ("linux/arm64", raw("linux", "arm64", Some("v9"))),
            ("linux/amd64", raw("linux", "amd64", Some("v3"))),
            ("linux/amd64", raw("linux", "arm64", None)),
            ("linux/amd64", raw("windows", "amd64", None)),
            ("linux/amd64", raw("unknown", "unknown", None)),
            ("linux/arm64", raw("linux", "arm", Some("v8"))),
        ];
        for (wanted, candidate) in no {
            assert!(
                !p(wanted).matches(&candidate),
                "{wanted} should not match {candidate:?}"
            );
        }
    }

    #[test]
    fn matching_ignores_os_version() {
        let mut c = raw("linux", "amd64", None);
        c.os_version = Some("1".to_string());
        c.os_features = vec!["x".to_string()];
        assert!(p("linux/amd64").matches(&c));
    }

    #[test]
    fn select_picks_first_match() {
        let entries = [
            (raw("unknown", "unknown", None), "attestation"),
            (raw("linux", "amd64", None), "amd64"),
            (raw("linux", "arm", Some("v6")), "armv6"),
            (raw("linux", "arm", Some("v7")), "armv7"),
            (raw("linux", "arm64", Some("v8")), "arm64-first"),
            (raw("linux", "aarch64", None), "arm64-second"),
        ];
        let pick = |wanted: &str| select(&p(wanted), entries.iter().map(|(pl, v)| (pl, *v)));
        assert_eq!(pick("linux/amd64"), Some("amd64"));
        assert_eq!(pick("linux/arm64"), Some("arm64-first"));
        assert_eq!(pick("linux/arm/v7"), Some("armv7"));
        assert_eq!(pick("linux/arm"), Some("armv7"));
        assert_eq!(pick("linux/arm/v6"), Some("armv6"));
        assert_eq!(pick("linux/s390x"), None);
        assert_eq!(select::<usize>(&p("linux/amd64"), []), None);
    }

    #[test]
    fn select_can_return_indices() {
        let platforms = [p("linux/arm64"), p("linux/amd64")];
        let idx = select(
            &Platform::default_target(),
            platforms.iter().enumerate().map(|(i, pl)| (pl, i)),
        );
        assert_eq!(idx, Some(1));
    }

    #[test]
    fn python_machine() {
        let cases = [
            ("linux/amd64", Some("x86_64")),
            ("linux/amd64/v3", Some("x86_64")),
            ("linux/arm64", Some("aarch64")),
            ("linux/arm64/v8", Some("aarch64")),
            ("linux/arm/v7", Some("armv7l")),
            ("linux/arm", Some("armv7l")),
            ("linux/arm/v6", Some("armv6l")),
            ("linux/arm/v5", Some("armv5tel")),
            ("linux/386", Some("i686")),
            ("linux/ppc64le", Some("ppc64le")),
            ("linux/s390x", Some("s390x")),
            ("linux/riscv64", Some("riscv64")),
            ("linux/loong64", Some("loongarch64")),
            ("linux/wasm", None),
            ("linux/arm/v9", None),
        ];
        for (input, machine) in cases {
            assert_eq!(p(input).python_machine(), machine, "{input}");
        }
        assert_eq!(
            raw("linux", "aarch64", Some("v8")).python_machine(),
            Some("aarch64")
        );
    }

    #[test]
    fn serde_uses_oci_field_names() {
        let json = serde_json::to_value(p("linux/amd64")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"os": "linux", "architecture": "amd64"})
        );

        let mut full = p("linux/arm/v7");
        full.os_version = Some("1.0".to_string());
        full.os_features = vec!["sse4".to_string()];
        let json = serde_json::to_value(&full).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "os": "linux",
                "architecture": "arm",
                "variant": "v7",
                "os.version": "1.0",
                "os.features": ["sse4"],
            })
        );
        let back: Platform = serde_json::from_value(json).unwrap();
        assert_eq!(back, full);
    }

    #[test]
    fn deserialise_index_entry_as_is() {
        let entry: Platform =
            serde_json::from_str(r#"{"architecture":"arm64","os":"linux","variant":"v8"}"#)
                .unwrap();
        assert_eq!(entry, raw("linux", "arm64", Some("v8")));
        assert!(p("linux/arm64").matches(&entry));

        let minimal: Platform =
            serde_json::from_str(r#"{"architecture":"amd64","os":"linux"}"#).unwrap();
        assert_eq!(minimal, raw("linux", "amd64", None));

        assert!(serde_json::from_str::<Platform>(r#"{"os":"linux"}"#).is_err());
    }
}
