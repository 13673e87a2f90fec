//! Whether the sdist's PKG-INFO can be the wheel's METADATA.
//!
//! PEP 643 (metadata 2.2): a field the sdist does not mark `Dynamic` must be
//! the same in every wheel built from it, so PKG-INFO 2.2+ without `Dynamic`
//! fields is the wheel's metadata. Older PKG-INFO makes no such promise, but
//! when pyproject.toml's `[project]` table is static the backend wrote
//! PKG-INFO from it, as it would write the wheel's METADATA: that is trusted
//! too. `version` may be dynamic there: the sdist's name fixes it.
//! <https://packaging.python.org/en/latest/specifications/core-metadata/#dynamic-multiple-use>

use pycontainer_python::name::PackageName;
use pycontainer_python::pep440::Version;

use crate::backend::Project;
use crate::tree::Tree;
use crate::Refusal;

pub(crate) struct Metadata {
    /// PKG-INFO as it is, which becomes METADATA.
    pub text: Vec<u8>,
    /// The name as the project spells it, which some backends look for
    /// their package by.
    pub raw_name: String,
    /// `License-File` values, in file order.
    pub license_files: Vec<String>,
}

/// `Dynamic` fields that cannot change what a wheel built here would hold:
/// license files are found by globbing the sdist's own files.
const HARMLESS_DYNAMIC: &[&str] = &["license-file"];

impl Metadata {
    pub fn choose(
        tree: &Tree,
        project: &Project,
        name: &PackageName,
        version: &Version,
    ) -> Result<Metadata, Refusal> {
        let text = tree.files.get("PKG-INFO").ok_or(Refusal::NoPkgInfo)?;
        let headers = headers(&String::from_utf8_lossy(text));
        let field = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.clone())
        };
        let all = |n: &str| -> Vec<String> {
            headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.clone())
                .collect()
        };
        let raw_name = field("Name").unwrap_or_default();
        let raw_version = field("Version").unwrap_or_default();
        let same_name = PackageName::new(&raw_name).is_ok_and(|n| n == *name);
        let same_version = raw_version.parse::<Version>().is_ok_and(|v| v == *version);
        if !same_name || !same_version {
            return Err(Refusal::OtherDistribution {
                found: format!("{raw_name} {raw_version}"),
            });
        }
        let metadata_version = field("Metadata-Version").unwrap_or_default();
        let parsed = parse_metadata_version(&metadata_version);
        let dynamic: Vec<String> = all("Dynamic")
            .into_iter()
            .filter(|d| !HARMLESS_DYNAMIC.iter().any(|h| d.eq_ignore_ascii_case(h)))
            .collect();
        if !dynamic.is_empty() {
            return Err(Refusal::Dynamic(format!(
                "PKG-INFO marks {} as Dynamic",
                dynamic.join(", ")
            )));
        }
        if parsed < (2, 2) {
            match project.static_project() {
                Some(Ok(())) => {}
                Some(Err(fields)) => {
                    return Err(Refusal::Dynamic(format!(
                        "pyproject.toml [project] dynamic = [{}]",
                        fields.join(", ")
                    )))
                }
                None => return Err(Refusal::OldMetadata(metadata_version)),
            }
        }
        Ok(Metadata {
            text: text.clone(),
            raw_name,
            license_files: all("License-File"),
        })
    }
}

fn parse_metadata_version(text: &str) -> (u32, u32) {
    let (major, minor) = text.trim().split_once('.').unwrap_or((text.trim(), "0"));
    (major.parse().unwrap_or(0), minor.parse().unwrap_or(0))
}

/// The header block's fields, continuation lines unfolded, up to the first blank line.
fn headers(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push('\n');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    out
}
