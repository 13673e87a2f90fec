//! The documents of a `docker save` archive, which `docker load` and
//! `podman load` read: `manifest.json` (per image its config, its tags and
//! its layers, by path in the archive) and the legacy `repositories`.
//! Paths are `blobs/sha256/<hex>`, as Docker 25 saves them, so the blobs
//! sit where an OCI layout keeps them. Layers stay gzip: both loaders
//! decompress what they read.

use std::collections::BTreeMap;

use pycontainer_oci::{self as oci, Image};
use serde::Serialize;

use crate::layout::Tag;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Entry<'a> {
    config: String,
    repo_tags: Vec<&'a str>,
    layers: Vec<String>,
}

/// `manifest.json` and `repositories`, named as the archive holds them.
pub fn documents(image: &Image, tags: &[Tag]) -> Vec<(String, Vec<u8>)> {
    let path = |d: &pycontainer_digest::Digest| format!("blobs/sha256/{}", d.hex());
    let config = &image.manifest().config.digest;
    let manifest = [Entry {
        config: path(config),
        repo_tags: tags.iter().map(|t| t.name.as_str()).collect(),
        layers: image
            .layers()
            .iter()
            .map(|l| path(&l.descriptor.digest))
            .collect(),
    }];
    // Read only by loaders older than manifest.json (Docker before 1.10):
    // repository → tag → the image's ID, which is its config's digest.
    let mut repositories: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for tag in tags {
        let repo = tag
            .name
            .strip_suffix(tag.tag.as_str())
            .and_then(|r| r.strip_suffix(':'))
            .unwrap_or(&tag.name);
        repositories
            .entry(repo)
            .or_default()
            .insert(&tag.tag, config.hex());
    }
    vec![
        (
            "manifest.json".to_owned(),
            oci::to_canonical_json(&manifest),
        ),
        (
            "repositories".to_owned(),
            oci::to_canonical_json(&repositories),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use pycontainer_oci::Platform;

    #[test]
    fn manifest_json_names_the_config_tags_and_layers_by_path() {
        let image = Image::empty(&Platform::default_target());
        let tags = [Tag {
            tag: "1.0".into(),
            name: "example.com/team/app:1.0".into(),
        }];
        let docs = documents(&image, &tags);
        let hex = image.manifest().config.digest.hex().to_owned();
        let manifest = String::from_utf8(docs[0].1.clone()).unwrap_or_default();
        assert_eq!(
            manifest,
            format!(
                r#"[{{"Config":"blobs/sha256/{hex}","RepoTags":["example.com/team/app:1.0"],"Layers":[]}}]"#
            )
        );
        let repositories = String::from_utf8(docs[1].1.clone()).unwrap_or_default();
        assert_eq!(
            repositories,
            format!(r#"{{"example.com/team/app":{{"1.0":"{hex}"}}}}"#)
        );
    }
}
