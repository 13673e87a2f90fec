//! Descriptors: what a manifest or index says about a blob it points at.

use std::collections::BTreeMap;

use pycontainer_digest::Digest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::platform::Platform;

/// A blob's media type, digest and size, with what an index adds (platform, annotations).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Descriptor {
    pub fn new(media_type: &str, digest: Digest, size: u64) -> Self {
        Descriptor {
            media_type: media_type.to_owned(),
            digest,
            size,
            annotations: BTreeMap::new(),
            platform: None,
            extra: Map::new(),
        }
    }

    pub fn ref_name(&self) -> Option<&str> {
        self.annotations
            .get(crate::annotation::REF_NAME)
            .map(String::as_str)
    }
}
