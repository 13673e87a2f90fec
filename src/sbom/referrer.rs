//! The SBOMs as referrers of the image (image-spec 1.1): for each format an
//! artifact manifest (the empty config, the document as its one layer,
//! `artifactType` the document's media type, `subject` the image). In the
//! layout, index.json lists each untagged by a descriptor that carries the
//! `artifactType`, as the image-layout spec lists referrers.

use pycontainer_digest::Digest;
use pycontainer_oci::{media, to_canonical_json, Descriptor, Image};
use pycontainer_sbom::{Format, Sbom};
use serde_json::{json, Value};

use crate::host::Host;
use crate::layout::{Layout, LayoutError, ARTIFACT_TYPE};

/// The empty descriptor's media type and content (image-spec 1.1).
const EMPTY: &str = "application/vnd.oci.empty.v1+json";
const EMPTY_JSON: &[u8] = b"{}";

/// One SBOM as an artifact: its blobs (the empty config, the document) and
/// its manifest, whose descriptor carries the `artifactType`.
pub struct Referrer {
    pub blobs: Vec<(Descriptor, Vec<u8>)>,
    pub descriptor: Descriptor,
    pub manifest: Vec<u8>,
}

/// The artifact of each format, `subject` the image.
pub fn referrers(image: &Image, bill: &Sbom, formats: &[Format]) -> Vec<Referrer> {
    let blob = |media_type: &str, bytes: Vec<u8>| {
        let digest = Digest::of(pycontainer_digest::Sha256::portable(), &bytes);
        (
            Descriptor::new(media_type, digest, bytes.len() as u64),
            bytes,
        )
    };
    formats
        .iter()
        .map(|format| {
            let config = blob(EMPTY, EMPTY_JSON.to_vec());
            let document = blob(format.media_type(), format.write(bill));
            let plain = |d: &Descriptor| json!({"mediaType": d.media_type, "digest": d.digest, "size": d.size});
            let manifest: Value = json!({
                "schemaVersion": 2,
                "mediaType": media::OCI_MANIFEST,
                "artifactType": format.media_type(),
                "config": {"mediaType": EMPTY, "digest": config.0.digest, "size": config.0.size, "data": "e30="},
                "layers": [plain(&document.0)],
                "subject": plain(image.descriptor()),
                "annotations": {"org.opencontainers.image.created": bill.created},
            });
            let manifest = to_canonical_json(&manifest);
            let (mut descriptor, manifest) = blob(media::OCI_MANIFEST, manifest);
            descriptor.extra.insert(ARTIFACT_TYPE.into(), json!(format.media_type()));
            Referrer { blobs: vec![config, document], descriptor, manifest }
        })
        .collect()
}

/// Writes the referrers' blobs and manifests into `layout`; returns the
/// descriptors index.json lists them by.
pub async fn put<H: Host>(
    layout: &Layout<'_, H>,
    referrers: &[Referrer],
) -> Result<Vec<Descriptor>, LayoutError> {
    for r in referrers {
        for (desc, bytes) in &r.blobs {
            layout.put_bytes(&desc.media_type, bytes).await?;
        }
        layout
            .put_bytes(&r.descriptor.media_type, &r.manifest)
            .await?;
    }
    Ok(referrers.iter().map(|r| r.descriptor.clone()).collect())
}
