//! Wheel file names (PEP 427 and the binary distribution format spec) and their compressed
//! tag sets (PEP 425): `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.

use crate::name::PackageName;
use crate::pep440::Version;

/// Why a file name is not a wheel's; the message quotes the name and names the faulty part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid wheel file name {filename:?}: {reason}")]
pub struct WheelNameError {
    pub filename: String,
    pub reason: String,
}

/// A parsed wheel file name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WheelName {
    pub name: PackageName,
    pub version: Version,
    /// The optional build tag, split into its leading number and the rest, which is how
    /// installers order two builds of one version.
    pub build: Option<(u64, String)>,
    /// Each tag set decompressed: `py2.py3` is `["py2", "py3"]`.
    pub python: Vec<String>,
    pub abi: Vec<String>,
    pub platform: Vec<String>,
    /// Name and version exactly as the file name spells them, since the wheel's
    /// `.dist-info` directory uses that spelling rather than the normalised one.
    raw_name: String,
    raw_version: String,
}

impl WheelName {
    pub fn parse(filename: &str) -> Result<WheelName, WheelNameError> {
        let fail = |reason: String| WheelNameError {
            filename: filename.to_string(),
            reason,
        };
        let stem = filename
            .strip_suffix(".whl")
            .ok_or_else(|| fail("it does not end in \".whl\"".to_string()))?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (raw_name, raw_version, build, python, abi, platform) = match parts.as_slice() {
            [n, v, p, a, pl] => (*n, *v, None, *p, *a, *pl),
            [n, v, b, p, a, pl] => (*n, *v, Some(*b), *p, *a, *pl),
            _ => {
                return Err(fail(format!(
                    "expected 5 or 6 parts separated by '-' \
                     (name-version[-build]-python-abi-platform.whl), found {}",
                    parts.len()
                )))
            }
        };
        let name =
            PackageName::new(raw_name).map_err(|e| fail(format!("the name part is wrong: {e}")))?;
        let version = raw_version
            .parse::<Version>()
            .map_err(|e| fail(format!("the version part is wrong: {e}")))?;
        let build = build.map(parse_build).transpose().map_err(&fail)?;
        Ok(WheelName {
            name,
            version,
            build,
            python: parse_tag_set(python, "python").map_err(&fail)?,
            abi: parse_tag_set(abi, "ABI").map_err(&fail)?,
            platform: parse_tag_set(platform, "platform").map_err(&fail)?,
            raw_name: raw_name.to_string(),
            raw_version: raw_version.to_string(),
        })
    }

    /// Every `(python, abi, platform)` triple the compressed tag sets stand for.
    pub fn tags(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.python.iter().flat_map(move |py| {
            self.abi.iter().flat_map(move |abi| {
                self.platform
                    .iter()
                    .map(move |plat| (py.as_str(), abi.as_str(), plat.as_str()))
            })
        })
    }

    /// `{name}-{version}.dist-info` as the wheel's own archive spells it (name with `_`, version as in the filename).
    pub fn dist_info_dir(&self) -> String {
        format!("{}-{}.dist-info", self.raw_name, self.raw_version)
    }
}

/// A build tag must start with a digit; the digits are its number, the rest breaks ties.
fn parse_build(text: &str) -> Result<(u64, String), String> {
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (number, rest) = text.split_at(digits);
    if number.is_empty() {
        return Err(format!("the build tag {text:?} must start with a digit"));
    }
    let number = number
        .parse::<u64>()
        .map_err(|_| format!("the build tag {text:?} has too large a number"))?;
    Ok((number, rest.to_string()))
}

fn parse_tag_set(text: &str, part: &str) -> Result<Vec<String>, String> {
    let tags: Vec<String> = text.split('.').map(str::to_string).collect();
    let valid = tags
        .iter()
        .all(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if valid {
        Ok(tags)
    } else {
        Err(format!(
            "the {part} tag {text:?} must be '.'-separated tags of letters, digits and '_'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wheel(s: &str) -> WheelName {
        WheelName::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn tags(w: &WheelName) -> Vec<(&str, &str, &str)> {
        w.tags().collect()
    }

    #[test]
    fn binary_wheel_with_two_platform_tags() {
        let w = wheel(
            "pydantic_core-2.33.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        );
        assert_eq!(w.name, PackageName::new("pydantic-core").unwrap());
        assert_eq!(w.version, "2.33.2".parse::<Version>().unwrap());
        assert_eq!(w.build, None);
        assert_eq!(
            tags(&w),
            vec![
                ("cp311", "cp311", "manylinux_2_17_x86_64"),
                ("cp311", "cp311", "manylinux2014_x86_64"),
            ]
        );
        assert_eq!(w.dist_info_dir(), "pydantic_core-2.33.2.dist-info");

        let w = wheel("uvloop-0.21.0-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl");
        assert_eq!(
            w.platform,
            vec!["manylinux_2_17_aarch64", "manylinux2014_aarch64"]
        );
        assert_eq!(w.dist_info_dir(), "uvloop-0.21.0.dist-info");
    }

    #[test]
    fn pure_abi3_and_musl_wheels() {
        let w = wheel("typing_extensions-4.14.0-py3-none-any.whl");
        assert_eq!(w.name.as_str(), "typing-extensions");
        assert_eq!(tags(&w), vec![("py3", "none", "any")]);
        assert_eq!(w.dist_info_dir(), "typing_extensions-4.14.0.dist-info");

        let w = wheel("cryptography-45.0.4-cp311-abi3-manylinux_2_34_x86_64.whl");
        assert_eq!(tags(&w), vec![("cp311", "abi3", "manylinux_2_34_x86_64")]);

        let w = wheel("numpy-2.3.0-cp311-cp311-musllinux_1_2_x86_64.whl");
        assert_eq!(tags(&w), vec![("cp311", "cp311", "musllinux_1_2_x86_64")]);
    }

    #[test]
    fn compressed_tag_sets_expand_to_every_combination() {
        let w = wheel("six-1.17.0-py2.py3-none-any.whl");
        assert_eq!(
            tags(&w),
            vec![("py2", "none", "any"), ("py3", "none", "any")]
        );
        let w = wheel("x-1.0-cp310.cp311-abi3.none-linux_x86_64.whl");
        assert_eq!(tags(&w).len(), 4);
        assert!(tags(&w).contains(&("cp311", "none", "linux_x86_64")));
    }

    #[test]
    fn build_tags() {
        let w =
            wheel("tensorflow_io_gcs_filesystem-0.37.1-1-cp311-cp311-manylinux_2_17_x86_64.whl");
        assert_eq!(w.build, Some((1, String::new())));
        assert_eq!(w.python, vec!["cp311"]);
        let w = wheel("foo-1.0-12abc-py3-none-any.whl");
        assert_eq!(w.build, Some((12, "abc".to_string())));
        assert_eq!(w.dist_info_dir(), "foo-1.0.dist-info");
    }

    #[test]
    fn local_version_in_the_file_name() {
        let w = wheel("torch-2.7.1+cpu-cp311-cp311-manylinux_2_28_x86_64.whl");
        assert_eq!(w.version.to_string(), "2.7.1+cpu");
        assert!(w.version.is_local());
        assert_eq!(w.dist_info_dir(), "torch-2.7.1+cpu.dist-info");
    }

    #[test]
    fn dist_info_keeps_the_file_names_spelling() {
        let w = wheel("PyYAML-6.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
        assert_eq!(w.name.as_str(), "pyyaml");
        assert_eq!(w.dist_info_dir(), "PyYAML-6.0.2.dist-info");
        let w = wheel("zope.interface-5.4.0-cp39-cp39-manylinux2010_x86_64.whl");
        assert_eq!(w.name.as_str(), "zope-interface");
        assert_eq!(w.dist_info_dir(), "zope.interface-5.4.0.dist-info");
    }

    #[test]
    fn errors_say_which_part_is_wrong() {
        let cases = [
            ("foo-1.0-py3-none-any.zip", "does not end in \".whl\""),
            ("foo-1.0-none-any.whl", "expected 5 or 6 parts"),
            ("foo-bar-1.0-1-py3-none-any.whl", "expected 5 or 6 parts"),
            ("_foo-1.0-py3-none-any.whl", "the name part is wrong"),
            ("foo-one-py3-none-any.whl", "the version part is wrong"),
            (
                "foo-1.0-b1-py3-none-any.whl",
                "the build tag \"b1\" must start with a digit",
            ),
            ("foo-1.0-py3.-none-any.whl", "the python tag \"py3.\""),
            ("foo-1.0-py3--any.whl", "the ABI tag \"\""),
            ("foo-1.0-py3-none-any/x.whl", "the platform tag \"any/x\""),
            (
                "foo-1.0-99999999999999999999-py3-none-any.whl",
                "has too large a number",
            ),
        ];
        for (name, reason) in cases {
            let e = WheelName::parse(name).unwrap_err();
            assert_eq!(e.filename, name);
            assert!(e.reason.contains(reason), "{name}: {e}");
            assert!(e.to_string().contains(&format!("{name:?}")), "{e}");
        }
    }
}
