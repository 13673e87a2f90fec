//! PEP 508 requirements and markers (pyproject, METADATA, locks).

use pycontainer_python::name::ExtraName;
use pycontainer_python::pep508::{Marker, Requirement};

use super::{linux, seeds_of, text, TEXT};
use crate::{grammar, Target};

pub static TARGET: Target = Target {
    name: "pep508",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            "requests[security,socks]>=2.8.1,==2.8.*; python_version < \"2.7\"",
            "name @ https://user:pw@example.com/pkg-1.0-py3-none-any.whl#sha256=00",
            "pip @ file:///localbuilds/pip-1.3.1.zip",
            "uvicorn[standard] (>=0.30)",
            "numpy ; (python_version >= '3.9' and platform_machine == \"x86_64\") or extra == 'fast'",
            "a ; 'linux' in sys_platform and os_name not in 'nt'",
            "b ; python_full_version ~= '3.11.0'",
        ])
    },
    dictionary: &[
        "[",
        "]",
        "(",
        ")",
        ";",
        "@",
        ",",
        "'",
        "\"",
        " and ",
        " or ",
        " in ",
        " not in ",
        "extra",
        "python_version",
        "==",
    ],
    grammar: Some(grammar::pep508),
    check,
    memory: TEXT,
    smoke_cases: 3000,
};

/// A requirement prints as one equal to itself (less a URL's credentials);
/// markers evaluate.
fn check(input: &[u8]) -> Result<(), String> {
    let text = text(input);
    let env = linux();
    let extras: Vec<ExtraName> = ["dev", "fast"]
        .iter()
        .filter_map(|e| ExtraName::new(e).ok())
        .collect();
    if let Ok(requirement) = Requirement::parse(&text) {
        let shown = requirement.to_string();
        // A URL's credentials are never printed (pycontainer_python::url),
        // so such a requirement prints as the same one without them.
        let secret = requirement
            .url
            .as_ref()
            .is_some_and(|u| u.fetched() != u.to_string());
        match Requirement::parse(&shown) {
            Ok(again) if again == requirement => {}
            Ok(again) if secret && again.to_string() == shown => {}
            other => {
                return Err(format!(
                    "{text:?} prints as {shown:?}, which parses as {other:?}"
                ))
            }
        }
        requirement.applies(&env, &extras);
        requirement.applies(&env, &[]);
    }
    if let Ok(marker) = Marker::parse(&text) {
        marker.evaluate(&env, &extras);
        marker.evaluate(&env, &[]);
    }
    Ok(())
}
