//! The two serializers over one bill: what each document says, and that
//! the same bill in any order gives the same bytes.

use serde_json::Value;

use crate::license::License;
use crate::model::{Base, Manager, OsPackage, OsPackages, PythonDist, Sbom, Subject, Wheel};
use crate::Format;

fn digest(byte: char) -> pycontainer_digest::Digest {
    format!("sha256:{}", byte.to_string().repeat(64))
        .parse()
        .unwrap()
}

fn bill() -> Sbom {
    let dist = |name: &str, version: &str, license: License, url: Option<&str>| PythonDist {
        name: name.into(),
        version: version.into(),
        license,
        wheel: url.map(|u| Wheel {
            sha256: Some(digest('b')),
            url: Some(u.into()),
        }),
    };
    Sbom {
        subject: Subject {
            name: "registry.local/team/app:1.0".into(),
            digest: digest('a'),
        },
        base: Some(Base {
            reference: "python:3.11-slim".into(),
            digest: Some(digest('c')),
        }),
        project: Some(dist("app", "1.0", License::Spdx("MIT".into()), None)),
        python: vec![
            dist(
                "uvicorn",
                "0.30.0",
                License::Text("BSD".into()),
                Some("https://files.example/uvicorn.whl"),
            ),
            dist(
                "anyio",
                "4.4.0",
                License::NoAssertion,
                Some("https://files.example/anyio.whl"),
            ),
        ],
        os: Some(OsPackages {
            manager: Manager::Dpkg,
            namespace: "debian".into(),
            distro: Some("debian-12".into()),
            packages: vec![
                OsPackage {
                    name: "zlib1g".into(),
                    version: "1:1.2.13".into(),
                    arch: Some("amd64".into()),
                    license: License::NoAssertion,
                },
                OsPackage {
                    name: "bash".into(),
                    version: "5.2.15-2+b2".into(),
                    arch: Some("amd64".into()),
                    license: License::NoAssertion,
                },
            ],
        }),
        created: "2024-01-02T03:04:05Z".into(),
        tool_version: "0.1.0".into(),
    }
    .sorted()
}

fn parse(format: Format, sbom: &Sbom) -> Value {
    serde_json::from_slice(&format.write(sbom)).unwrap()
}

#[test]
fn spdx_lists_every_package_with_purl_license_and_checksum() {
    let doc = parse(Format::Spdx, &bill());
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["creationInfo"]["created"], "2024-01-02T03:04:05Z");
    let packages = doc["packages"].as_array().unwrap();
    let names: Vec<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "registry.local/team/app:1.0",
            "python:3.11-slim",
            "app",
            "anyio",
            "uvicorn",
            "bash",
            "zlib1g"
        ]
    );
    let uvicorn = &packages[4];
    assert_eq!(
        uvicorn["externalRefs"][0]["referenceLocator"],
        "pkg:pypi/uvicorn@0.30.0"
    );
    assert_eq!(uvicorn["checksums"][0]["checksumValue"], "b".repeat(64));
    assert_eq!(
        uvicorn["downloadLocation"],
        "https://files.example/uvicorn.whl"
    );
    let reference = uvicorn["licenseDeclared"].as_str().unwrap();
    assert!(reference.starts_with("LicenseRef-"), "{reference}");
    assert_eq!(doc["hasExtractedLicensingInfos"][0]["licenseId"], reference);
    assert_eq!(doc["hasExtractedLicensingInfos"][0]["extractedText"], "BSD");
    assert_eq!(packages[3]["licenseDeclared"], "NOASSERTION");
    assert_eq!(packages[2]["licenseDeclared"], "MIT");
    assert_eq!(
        packages[6]["externalRefs"][0]["referenceLocator"],
        "pkg:deb/debian/zlib1g@1%3A1.2.13?arch=amd64&distro=debian-12"
    );
    let image = packages[0]["SPDXID"].as_str().unwrap();
    let relationships = doc["relationships"].as_array().unwrap();
    assert_eq!(relationships.len(), 7);
    assert_eq!(relationships[0]["relatedSpdxElement"], image);
    assert_eq!(relationships[1]["relationshipType"], "DESCENDANT_OF");
    assert!(relationships[2..]
        .iter()
        .all(|r| r["relationshipType"] == "CONTAINS" && r["spdxElementId"] == image));
}

#[test]
fn cyclonedx_puts_the_image_in_metadata_and_the_rest_in_components() {
    let doc = parse(Format::CycloneDx, &bill());
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(doc["metadata"]["timestamp"], "2024-01-02T03:04:05Z");
    let image = &doc["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(
        image["purl"],
        format!("pkg:oci/app@sha256%3A{}", "a".repeat(64))
    );
    let components = doc["components"].as_array().unwrap();
    assert_eq!(components.len(), 6);
    assert_eq!(
        components[0]["purl"],
        format!("pkg:oci/python@sha256%3A{}", "c".repeat(64))
    );
    assert_eq!(components[1]["type"], "application");
    assert_eq!(components[1]["licenses"][0]["expression"], "MIT");
    assert_eq!(components[3]["licenses"][0]["license"]["name"], "BSD");
    assert_eq!(components[3]["hashes"][0]["alg"], "SHA-256");
    assert_eq!(
        components[3]["externalReferences"][0]["url"],
        "https://files.example/uvicorn.whl"
    );
    assert!(components[2].get("licenses").is_none());
    let refs: std::collections::BTreeSet<&str> = components
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), 6, "bom-refs are unique");
}

#[test]
fn the_same_content_in_any_order_gives_the_same_bytes_and_ids_follow_the_image() {
    let a = bill();
    let mut shuffled = a.clone();
    shuffled.python.reverse();
    shuffled.os.as_mut().unwrap().packages.reverse();
    let shuffled = shuffled.sorted();
    for format in Format::ALL {
        assert_eq!(format.write(&a), format.write(&shuffled));
    }
    let mut other = a.clone();
    other.subject.digest = digest('d');
    let serial = |s: &Sbom| {
        parse(Format::CycloneDx, s)["serialNumber"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let namespace = |s: &Sbom| {
        parse(Format::Spdx, s)["documentNamespace"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(serial(&a), serial(&a.clone()));
    assert_ne!(serial(&a), serial(&other));
    assert_ne!(namespace(&a), namespace(&other));
}

#[test]
fn an_image_without_base_database_or_project_has_only_itself_and_its_distributions() {
    let mut sbom = bill();
    sbom.base = None;
    sbom.os = None;
    sbom.project = None;
    let doc = parse(Format::Spdx, &sbom);
    assert_eq!(doc["packages"].as_array().unwrap().len(), 3);
    let doc = parse(Format::CycloneDx, &sbom);
    assert_eq!(doc["components"].as_array().unwrap().len(), 2);
}

#[test]
fn formats_by_name() {
    assert_eq!(Format::parse("spdx"), Some(Format::Spdx));
    assert_eq!(Format::parse("cyclonedx"), Some(Format::CycloneDx));
    assert_eq!(Format::parse("syft"), None);
    assert_eq!(
        Format::CycloneDx.media_type(),
        "application/vnd.cyclonedx+json"
    );
}
