//! PEP 440 versions and specifier sets (locks, METADATA, `requires-python`).

use pycontainer_python::pep440::{SpecifierSet, Version};

use super::{seeds_of, text, TEXT};
use crate::{grammar, Target};

pub static TARGET: Target = Target {
    name: "pep440",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            "1.0",
            "v1!2.3.4rc5.post6.dev7+local.8",
            "1.0a1",
            "2.0.0-beta.3",
            ">=3.8,<4",
            "~=1.4.2",
            "==1.*",
            "===foo",
            "!=2.0.*, >1.0",
            ">=3.9.*",
        ])
    },
    dictionary: &[
        "!", ".", "*", "+", "a", "b", "rc", "post", "dev", "==", "~=", "===", ",", ">=", "<", "v",
    ],
    grammar: Some(grammar::pep440),
    check,
    memory: TEXT,
    smoke_cases: 3000,
};

/// Versions and specifier sets print as what they parse back to, and every
/// operator can be asked about any version.
fn check(input: &[u8]) -> Result<(), String> {
    let text = text(input);
    let probe: Version = "1.0".parse().map_err(|e| format!("1.0: {e}"))?;
    if let Ok(version) = text.parse::<Version>() {
        let shown = version.to_string();
        match shown.parse::<Version>() {
            Ok(again) if again == version => {}
            other => {
                return Err(format!(
                    "{text:?} prints as {shown:?}, which parses as {other:?}"
                ))
            }
        }
        let _ = version.cmp(&probe);
    }
    if let Ok(set) = text.parse::<SpecifierSet>() {
        let shown = set.to_string();
        match shown.parse::<SpecifierSet>() {
            Ok(again) if again.to_string() == shown => {}
            other => {
                return Err(format!(
                    "{text:?} prints as {shown:?}, which parses as {other:?}"
                ))
            }
        }
        set.contains(&probe, true);
        if let Ok(version) = text
            .trim_start_matches(['=', '<', '>', '!', '~', ' '])
            .parse::<Version>()
        {
            set.contains(&version, false);
        }
    }
    Ok(())
}
