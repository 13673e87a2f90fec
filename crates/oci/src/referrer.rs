//! Artifacts that refer to an image (image-spec 1.1): a manifest whose
//! config is the empty descriptor, whose one layer is a document (an SBOM,
//! say), whose `artifactType` is that document's media type and whose
//! `subject` is the image. Registries and layouts find them by `subject`.

use std::collections::BTreeMap;

use pycontainer_digest::{Digest, Sha256};
use serde_json::{json, Value};

use crate::{media, to_canonical_json, Descriptor};

/// The field of a descriptor (in an index) that names what a referrer is.
pub const ARTIFACT_TYPE: &str = "artifactType";

/// The empty descriptor's media type and content (image-spec 1.1).
const EMPTY: &str = "application/vnd.oci.empty.v1+json";
const EMPTY_JSON: &[u8] = b"{}";

/// One artifact: its blobs (the empty config, the document) and its
/// manifest, whose descriptor carries the `artifactType`.
#[derive(Clone, Debug)]
pub struct Referrer {
    pub blobs: Vec<(Descriptor, Vec<u8>)>,
    pub descriptor: Descriptor,
    pub manifest: Vec<u8>,
}

impl Referrer {
    /// `document` (of `media_type`) as an artifact referring to `subject`.
    pub fn new(
        subject: &Descriptor,
        media_type: &str,
        document: Vec<u8>,
        annotations: BTreeMap<String, String>,
    ) -> Referrer {
        let config = blob(EMPTY, EMPTY_JSON.to_vec());
        let document = blob(media_type, document);
        let plain =
            |d: &Descriptor| json!({"mediaType": d.media_type, "digest": d.digest, "size": d.size});
        let manifest: Value = json!({
            "schemaVersion": 2,
            "mediaType": media::OCI_MANIFEST,
            "artifactType": media_type,
            "config": {"mediaType": EMPTY, "digest": config.0.digest, "size": config.0.size, "data": "e30="},
            "layers": [plain(&document.0)],
            "subject": plain(subject),
            "annotations": annotations,
        });
        let (mut descriptor, manifest) = blob(media::OCI_MANIFEST, to_canonical_json(&manifest));
        descriptor
            .extra
            .insert(ARTIFACT_TYPE.into(), json!(media_type));
        Referrer {
            blobs: vec![config, document],
            descriptor,
            manifest,
        }
    }
}

/// Whether an index entry is a referrer (an artifact), not an image to run.
pub fn is_referrer(desc: &Descriptor) -> bool {
    desc.extra.contains_key(ARTIFACT_TYPE)
}

fn blob(media_type: &str, bytes: Vec<u8>) -> (Descriptor, Vec<u8>) {
    let digest = Digest::of(Sha256::portable(), &bytes);
    (
        Descriptor::new(media_type, digest, bytes.len() as u64),
        bytes,
    )
}
