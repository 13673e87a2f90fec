//! PEP 691 JSON project pages (`application/vnd.pypi.simple.v1+json`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;

use super::{url, IndexError, ProjectFile, ProjectPage};
use pycontainer_python::pep440::SpecifierSet;

// Strings are borrowed from the body where they hold no escapes: a page such
// as pydantic-core's has 15,000 files, and most of what they say is only
// looked at once.
#[derive(Deserialize)]
struct Page<'a> {
    #[serde(default, borrow)]
    meta: Meta<'a>,
    #[serde(borrow)]
    files: Vec<File<'a>>,
}

#[derive(Deserialize, Default)]
struct Meta<'a> {
    #[serde(rename = "api-version", borrow)]
    api_version: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow)]
    filename: Cow<'a, str>,
    #[serde(borrow)]
    url: Cow<'a, str>,
    #[serde(default, borrow)]
    hashes: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
    #[serde(rename = "requires-python", borrow)]
    requires_python: Option<Cow<'a, str>>,
    yanked: Option<Flag>,
    #[serde(rename = "core-metadata")]
    core_metadata: Option<Flag>,
    /// PEP 714's legacy spelling; PyPI also served it as `data-dist-info-metadata`.
    #[serde(rename = "dist-info-metadata", alias = "data-dist-info-metadata")]
    dist_info_metadata: Option<Flag>,
    size: Option<u64>,
}

/// The spec's "bool or something": `yanked` is a bool or a reason, `core-metadata` a bool
/// or a hashes dict.
enum Flag {
    Bool(bool),
    Text(String),
    Hashes(BTreeMap<String, String>),
}

/// By hand rather than `#[serde(untagged)]`, which buffers every value to try each
/// variant in turn: every file on a page has `yanked`, and pydantic-core's has 15,000.
impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Flag, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Flag;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a bool, a string or a map of hashes")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag::Bool(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Flag, E> {
                Ok(Flag::Text(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Flag, A::Error> {
                let mut hashes = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    hashes.insert(k, v);
                }
                Ok(Flag::Hashes(hashes))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

pub(super) fn parse(body: &[u8], page_url: &str) -> Result<ProjectPage, IndexError> {
    let page: Page = serde_json::from_slice(body).map_err(|e| IndexError::InvalidJson {
        url: page_url.to_string(),
        reason: e.to_string(),
    })?;
    if let Some(version) = &page.meta.api_version {
        super::check_api_version(version, page_url)?;
    }
    // A project's thousands of files share a handful of requires-python texts
    // (pydantic-core: 15,000 files, 5 texts), so each text is parsed once.
    let mut parsed = BTreeMap::new();
    let files = page
        .files
        .into_iter()
        .map(|f| file(f, page_url, &mut parsed))
        .collect::<Result<_, _>>()?;
    Ok(ProjectPage { files })
}

fn file<'a>(
    raw: File<'a>,
    page_url: &str,
    parsed: &mut BTreeMap<Cow<'a, str>, Option<SpecifierSet>>,
) -> Result<ProjectFile, IndexError> {
    let absolute = url::resolve(page_url, &raw.url).ok_or_else(|| IndexError::InvalidUrl {
        url: page_url.to_string(),
        href: raw.url.to_string(),
    })?;
    let (location, fragment_hashes) = super::split_fragment(absolute);
    let mut hashes: Vec<(String, String)> = raw
        .hashes
        .into_iter()
        .map(|(alg, hex)| (alg.to_ascii_lowercase(), hex.to_ascii_lowercase()))
        .collect();
    if hashes.is_empty() {
        hashes = fragment_hashes;
    }
    // PEP 714: when both keys are present the new one wins, even when it says `false`.
    let core_metadata = match raw.core_metadata.or(raw.dist_info_metadata) {
        Some(Flag::Bool(true)) => Some(Vec::new()),
        Some(Flag::Hashes(h)) => Some(
            h.into_iter()
                .map(|(alg, hex)| (alg.to_ascii_lowercase(), hex.to_ascii_lowercase()))
                .collect(),
        ),
        Some(Flag::Bool(false) | Flag::Text(_)) | None => None,
    };
    let yanked = match raw.yanked {
        Some(Flag::Bool(true)) => Some(String::new()),
        // pip reads an empty reason as "not yanked": the spec's string form is truthy text.
        Some(Flag::Text(reason)) if !reason.is_empty() => Some(reason),
        Some(_) | None => None,
    };
    Ok(ProjectFile {
        filename: raw.filename.into_owned(),
        url: location,
        hashes,
        requires_python: raw.requires_python.and_then(|text| {
            parsed
                .entry(text)
                .or_insert_with_key(|text| super::requires_python(text))
                .clone()
        }),
        yanked,
        core_metadata,
        size: raw.size,
    })
}
