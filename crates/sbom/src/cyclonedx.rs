//! CycloneDX 1.6 JSON. The image is the metadata's component; the base,
//! the project, the distributions and the OS packages are the components.

use serde_json::{json, Map, Value};

use crate::entry::{entries, Kind};
use crate::id;
use crate::license::License;
use crate::model::Sbom;
use crate::spdx::to_bytes;

pub fn write(sbom: &Sbom) -> Vec<u8> {
    let entries = entries(sbom);
    let mut components: Vec<Value> = entries
        .iter()
        .map(|e| {
            let kind = match e.kind {
                Kind::Image | Kind::Base => "container",
                Kind::Project => "application",
                Kind::Python | Kind::Os => "library",
            };
            let mut c = Map::new();
            c.insert("type".into(), json!(kind));
            c.insert("bom-ref".into(), json!(e.key));
            c.insert("name".into(), json!(e.name));
            if let Some(version) = e.version {
                c.insert("version".into(), json!(version));
            }
            if let Some(purl) = &e.purl {
                c.insert("purl".into(), json!(purl));
            }
            if let Some(sha256) = e.sha256 {
                c.insert(
                    "hashes".into(),
                    json!([{"alg": "SHA-256", "content": sha256.hex()}]),
                );
            }
            match e.license {
                // An expression, even of one id: `license.id` must be on the
                // schema's list, which an expression's ids need not be.
                License::Spdx(expression) => {
                    c.insert("licenses".into(), json!([{"expression": expression}]));
                }
                License::Text(text) => {
                    c.insert("licenses".into(), json!([{"license": {"name": text}}]));
                }
                License::NoAssertion => {}
            }
            if let Some(url) = e.url {
                c.insert(
                    "externalReferences".into(),
                    json!([{"type": "distribution", "url": url}]),
                );
            }
            Value::Object(c)
        })
        .collect();
    let image = components.remove(0);
    let document = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", id::uuid(&format!("cyclonedx {}", sbom.subject.digest))),
        "version": 1,
        "metadata": {
            "timestamp": sbom.created,
            "tools": {"components": [{"type": "application", "name": "pycontainer", "version": sbom.tool_version}]},
            "component": image,
        },
        "components": components,
    });
    to_bytes(&document)
}
