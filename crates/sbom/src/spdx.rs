//! SPDX 2.3 JSON. The document describes the image; the image CONTAINS
//! every distribution and OS package and is a DESCENDANT_OF its base. Free
//! license text becomes a `LicenseRef-` with the text extracted.

use serde_json::{json, Map, Value};

use crate::entry::{entries, Kind};
use crate::id;
use crate::license::License;
use crate::model::Sbom;

const NOASSERTION: &str = "NOASSERTION";

pub fn write(sbom: &Sbom) -> Vec<u8> {
    let entries = entries(sbom);
    let spdx_id = |key: &str| format!("SPDXRef-{key}");
    let mut packages = Vec::new();
    let mut extracted = Vec::new();
    for e in &entries {
        let mut package = Map::new();
        package.insert("SPDXID".into(), json!(spdx_id(&e.key)));
        package.insert("name".into(), json!(e.name));
        if let Some(version) = e.version {
            package.insert("versionInfo".into(), json!(version));
        }
        package.insert(
            "downloadLocation".into(),
            json!(e.url.unwrap_or(NOASSERTION)),
        );
        package.insert("filesAnalyzed".into(), json!(false));
        package.insert("licenseConcluded".into(), json!(NOASSERTION));
        let declared = match e.license {
            License::Spdx(expression) => expression.clone(),
            License::Text(text) => {
                let reference = format!("LicenseRef-{}", id::short(text));
                if !extracted
                    .iter()
                    .any(|x: &Value| x["licenseId"] == json!(reference))
                {
                    extracted.push(json!({"licenseId": reference, "extractedText": text}));
                }
                reference
            }
            License::NoAssertion => NOASSERTION.to_string(),
        };
        package.insert("licenseDeclared".into(), json!(declared));
        package.insert("copyrightText".into(), json!(NOASSERTION));
        if let Some(sha256) = e.sha256 {
            package.insert(
                "checksums".into(),
                json!([{"algorithm": "SHA256", "checksumValue": sha256.hex()}]),
            );
        }
        if let Some(purl) = &e.purl {
            package.insert(
                "externalRefs".into(),
                json!([{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}]),
            );
        }
        let purpose = match e.kind {
            Kind::Image | Kind::Base => "CONTAINER",
            Kind::Project => "APPLICATION",
            Kind::Python | Kind::Os => "LIBRARY",
        };
        package.insert("primaryPackagePurpose".into(), json!(purpose));
        packages.push(Value::Object(package));
    }
    let image = spdx_id(&entries[0].key);
    let mut relationships = vec![relationship("SPDXRef-DOCUMENT", "DESCRIBES", &image)];
    for e in &entries[1..] {
        let kind = if e.kind == Kind::Base {
            "DESCENDANT_OF"
        } else {
            "CONTAINS"
        };
        relationships.push(relationship(&image, kind, &spdx_id(&e.key)));
    }
    let mut document = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": sbom.subject.name,
        // A URN from the image's digest: unique per image, and the same on every rebuild of it.
        "documentNamespace": format!("urn:uuid:{}", id::uuid(&format!("spdx {}", sbom.subject.digest))),
        "creationInfo": {
            "created": sbom.created,
            "creators": [format!("Tool: pycontainer-{}", sbom.tool_version)],
        },
        "documentDescribes": [image],
        "packages": packages,
        "relationships": relationships,
    });
    if !extracted.is_empty() {
        document["hasExtractedLicensingInfos"] = Value::Array(extracted);
    }
    to_bytes(&document)
}

fn relationship(from: &str, kind: &str, to: &str) -> Value {
    json!({"spdxElementId": from, "relationshipType": kind, "relatedSpdxElement": to})
}

/// Pretty-printed with a final newline; keys in serde_json's sorted order.
pub(crate) fn to_bytes(value: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}
