//! Manifests, indexes and image configs, as a registry or a layout serves them.

use std::collections::BTreeMap;

use pycontainer_digest::{Digest, Sha256};
use pycontainer_oci::mutate::{self, ConfigChanges};
use pycontainer_oci::{
    to_canonical_json, BlobSource, Descriptor, Image, ImageConfig, Index, Manifest, Platform,
};

use super::{seeds_of, TEXT};
use crate::Target;

const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":32,"annotations":{"a":"b"}}],"annotations":{"org.opencontainers.image.ref.name":"1.0"}}"#;
const CONFIG: &str = r#"{"architecture":"amd64","os":"linux","variant":"v8","os.version":"1","config":{"Env":["PATH=/usr/bin","A=1"],"Entrypoint":["python"],"Cmd":["x"],"WorkingDir":"/","User":"0","ExposedPorts":{"80/tcp":{}},"Labels":{"k":"v"}},"rootfs":{"type":"layers","diff_ids":["sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"x"},{"empty_layer":true}]}"#;

pub static TARGET: Target = Target {
    name: "oci",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            MANIFEST,
            CONFIG,
            r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":7,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":7,"platform":{"architecture":"unknown","os":"unknown"},"annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]}"#,
            r#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":1,"annotations":{"org.opencontainers.image.ref.name":"latest","io.containerd.image.name":"x:latest"}}]}"#,
        ])
    },
    dictionary: &[
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "\"sha256:",
        "\"size\":",
        "18446744073709551615",
        "-1",
        "1e400",
        "\"mediaType\":",
        "\"platform\":",
        "\"diff_ids\":",
        "\"history\":",
        "null",
        "\\ud800",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 1500,
};

/// Each kind of document the input parses as is used the way a build uses it.
fn check(input: &[u8]) -> Result<(), String> {
    let amd64 = Platform::parse("linux/amd64").map_err(|e| e.to_string())?;
    if let Ok(index) = serde_json::from_slice::<Index>(input) {
        let _ = index.select(&amd64);
        index.tags();
        to_canonical_json(&index);
    }
    if let Ok(manifest) = serde_json::from_slice::<Manifest>(input) {
        append(manifest, input.to_vec(), CONFIG.as_bytes().to_vec());
    }
    if serde_json::from_slice::<ImageConfig>(input).is_ok() {
        let manifest = serde_json::from_str(MANIFEST).map_err(|e| e.to_string())?;
        append(manifest, MANIFEST.as_bytes().to_vec(), input.to_vec());
    }
    Ok(())
}

/// An image from the documents, and one layer-less build on top of it.
fn append(manifest: Manifest, manifest_bytes: Vec<u8>, config: Vec<u8>) {
    let descriptor = Descriptor::new(
        "application/vnd.oci.image.manifest.v1+json",
        Digest::of(Sha256::portable(), &manifest_bytes),
        manifest_bytes.len() as u64,
    );
    let Ok(image) =
        Image::from_documents(descriptor, (manifest, manifest_bytes), config, |_, _| {
            BlobSource::Layout("base".to_owned())
        })
    else {
        return;
    };
    image.platform();
    image.size();
    let changes = ConfigChanges {
        env: vec![("PATH".to_owned(), "/app/.venv/bin:$PATH".to_owned())],
        ports: vec!["8000/tcp".to_owned()],
        ..ConfigChanges::default()
    };
    mutate::append(&image, Vec::new(), &changes, BTreeMap::new());
}
