//! Image indexes (and Docker manifest lists): manifests by platform, and a layout's tags.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::descriptor::Descriptor;
use crate::platform::Platform;

/// An image index, or a Docker manifest list; unknown fields are kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Index {
    pub fn empty() -> Self {
        Index {
            schema_version: 2,
            media_type: Some(crate::media::OCI_INDEX.to_owned()),
            manifests: Vec::new(),
            annotations: BTreeMap::new(),
            extra: Map::new(),
        }
    }

    /// The entry for `wanted` (variants normalised, so `linux/arm64/v8` is
    /// `linux/arm64`); else the platforms on offer, for the error.
    pub fn select(&self, wanted: &Platform) -> Result<&Descriptor, Vec<String>> {
        let candidates = self
            .manifests
            .iter()
            .filter_map(|d| d.platform.as_ref().map(|p| (p, d)));
        crate::platform::select(wanted, candidates).ok_or_else(|| {
            self.manifests
                .iter()
                .filter_map(|d| d.platform.as_ref())
                .map(ToString::to_string)
                .collect()
        })
    }

    /// The tags (ref names) in the order they appear.
    pub fn tags(&self) -> Vec<&str> {
        self.manifests
            .iter()
            .filter_map(Descriptor::ref_name)
            .collect()
    }
}
