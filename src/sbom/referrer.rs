//! The SBOMs as referrers of the image in its OCI layout: for each format
//! an OCI 1.1 artifact manifest (the empty config, the document as its one
//! layer, `artifactType` the document's media type, `subject` the image),
//! listed in index.json by a descriptor that carries the `artifactType`, as
//! the image-layout spec lists referrers.

use pycontainer_oci::{media, to_canonical_json, Descriptor, Image};
use pycontainer_sbom::{Format, Sbom};
use serde_json::{json, Value};

use crate::host::Host;
use crate::layout::{Layout, LayoutError, ARTIFACT_TYPE};

/// The empty descriptor's media type and content (image-spec 1.1).
const EMPTY: &str = "application/vnd.oci.empty.v1+json";
const EMPTY_JSON: &[u8] = b"{}";

/// Writes each format's document and artifact manifest into `layout`;
/// returns the index descriptors of the manifests.
pub async fn put<H: Host>(
    layout: &Layout<'_, H>,
    image: &Image,
    bill: &Sbom,
    formats: &[Format],
) -> Result<Vec<Descriptor>, LayoutError> {
    let config = layout.put_bytes(EMPTY, EMPTY_JSON).await?;
    let mut out = Vec::new();
    for format in formats {
        let document = layout
            .put_bytes(format.media_type(), &format.write(bill))
            .await?;
        let manifest = artifact(
            *format,
            &config,
            &document,
            image.descriptor(),
            &bill.created,
        );
        let mut desc = layout.put_bytes(media::OCI_MANIFEST, &manifest).await?;
        desc.extra
            .insert(ARTIFACT_TYPE.into(), json!(format.media_type()));
        out.push(desc);
    }
    Ok(out)
}

fn artifact(
    format: Format,
    config: &Descriptor,
    document: &Descriptor,
    subject: &Descriptor,
    created: &str,
) -> Vec<u8> {
    let plain =
        |d: &Descriptor| json!({"mediaType": d.media_type, "digest": d.digest, "size": d.size});
    let manifest: Value = json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_MANIFEST,
        "artifactType": format.media_type(),
        "config": {"mediaType": EMPTY, "digest": config.digest, "size": config.size, "data": "e30="},
        "layers": [plain(document)],
        "subject": plain(subject),
        "annotations": {"org.opencontainers.image.created": created},
    });
    to_canonical_json(&manifest)
}
