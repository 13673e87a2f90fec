//! Derives an image from a base: our settings on its config, our layers after its own, and the manifest.

use std::collections::BTreeMap;

use pycontainer_digest::{Digest, Sha256};

use crate::config::{History, ImageConfig};
use crate::descriptor::Descriptor;
use crate::flavor::Flavor;
use crate::image::{Image, Layer};
use crate::json::to_canonical_json;
use crate::manifest::Manifest;

/// What pycontainer sets on top of the base's config.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigChanges {
    pub created: String,
    /// Set or replaced by key; the base's other variables (PATH among them) stay.
    pub env: Vec<(String, String)>,
    pub working_dir: String,
    pub entrypoint: Vec<String>,
    /// Arguments for the entrypoint; `None` clears an inherited Cmd.
    pub cmd: Option<Vec<String>>,
    /// `None` keeps the base's user.
    pub user: Option<String>,
    /// `N/tcp` or `N/udp`.
    pub ports: Vec<String>,
    pub labels: BTreeMap<String, String>,
}

/// A layer to append, and what the config's history says made it.
#[derive(Clone, Debug, PartialEq)]
pub struct Addendum {
    pub layer: Layer,
    pub created_by: String,
}

/// The image `base` becomes with `added` on top and `changes` applied; its
/// media types follow the base's, and its documents are canonical JSON.
pub fn append(
    base: &Image,
    added: Vec<Addendum>,
    changes: &ConfigChanges,
    annotations: BTreeMap<String, String>,
) -> Image {
    let flavor = base.flavor();
    let config = derive_config(base.config(), &added, changes);
    let config_bytes = to_canonical_json(&config);
    let config_desc = Descriptor::new(
        flavor.config(),
        Digest::of(Sha256::portable(), &config_bytes),
        config_bytes.len() as u64,
    );
    let mut layers = base.layers().to_vec();
    layers.extend(added.into_iter().map(|a| a.layer));
    let descriptors = layers.iter().map(|l| l.descriptor.clone()).collect();
    let manifest = manifest(flavor, config_desc, descriptors, annotations);
    Image::made(manifest, config, config_bytes, layers)
}

/// The base's config with our layers appended and our settings applied.
pub fn derive_config(
    base: &ImageConfig,
    layers: &[Addendum],
    changes: &ConfigChanges,
) -> ImageConfig {
    let mut out = base.clone();
    out.created = Some(changes.created.clone());
    let mut cfg = out.config.take().unwrap_or_default();
    cfg.env = Some(merge_env(cfg.env.take().unwrap_or_default(), &changes.env));
    cfg.working_dir = Some(changes.working_dir.clone());
    // An inherited Cmd was written as arguments for the base's entrypoint;
    // passed to ours it would only confuse, as Docker also resets it.
    cfg.entrypoint = Some(changes.entrypoint.clone());
    cfg.cmd = changes.cmd.clone();
    if let Some(user) = &changes.user {
        cfg.user = Some(user.clone());
    }
    if !changes.ports.is_empty() {
        let mut ports = cfg.exposed_ports.take().unwrap_or_default();
        ports.extend(
            changes
                .ports
                .iter()
                .map(|p| (p.clone(), serde_json::json!({}))),
        );
        cfg.exposed_ports = Some(ports);
    }
    if !changes.labels.is_empty() {
        let mut labels = cfg.labels.take().unwrap_or_default();
        labels.extend(changes.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
        cfg.labels = Some(labels);
    }
    out.config = Some(cfg);
    // History pairs its non-empty entries with the layers in order. A base
    // without history (or with a history that does not pair) gets none from
    // us either: an entry for our layer alone would be read as the history
    // of the base's first layer, and checkers refuse the mismatch.
    let keeps_history =
        out.history.iter().filter(|h| !h.empty_layer).count() == out.rootfs.diff_ids.len();
    for added in layers {
        out.rootfs.diff_ids.push(added.layer.diff_id.clone());
        if !keeps_history {
            continue;
        }
        out.history.push(History {
            created: Some(changes.created.clone()),
            created_by: Some(added.created_by.clone()),
            comment: Some("pycontainer".to_owned()),
            ..History::default()
        });
    }
    out
}

fn merge_env(mut env: Vec<String>, ours: &[(String, String)]) -> Vec<String> {
    for (key, value) in ours {
        let entry = format!("{key}={value}");
        match env
            .iter_mut()
            .find(|e| e.split('=').next() == Some(key.as_str()))
        {
            Some(existing) => *existing = entry,
            None => env.push(entry),
        }
    }
    env
}

pub fn manifest(
    flavor: Flavor,
    config: Descriptor,
    layers: Vec<Descriptor>,
    annotations: BTreeMap<String, String>,
) -> Manifest {
    Manifest {
        schema_version: 2,
        media_type: Some(flavor.manifest().to_owned()),
        config,
        layers,
        annotations,
        extra: serde_json::Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ContainerConfig;
    use crate::platform::Platform;
    use pycontainer_digest::Sha256;

    fn base() -> ImageConfig {
        let mut c = ImageConfig::scratch(&Platform::default_target());
        c.config = Some(ContainerConfig {
            env: Some(vec!["PATH=/usr/bin:/bin".into(), "LANG=C.UTF-8".into()]),
            cmd: Some(vec!["python3".into()]),
            user: Some("1000".into()),
            ..ContainerConfig::default()
        });
        c.rootfs
            .diff_ids
            .push(Digest::of(Sha256::portable(), b"base"));
        c.history.push(History {
            created_by: Some("base".into()),
            ..History::default()
        });
        c
    }

    fn app_layer() -> Layer {
        Layer {
            descriptor: Descriptor::new(
                crate::media::OCI_LAYER_GZIP,
                Digest::of(Sha256::portable(), b"gzip"),
                4,
            ),
            diff_id: Digest::of(Sha256::portable(), b"app"),
            source: crate::image::BlobSource::Layout("/store".into()),
        }
    }

    #[test]
    fn a_base_without_history_gets_none_so_history_never_mispairs() {
        let mut bare = base();
        bare.history.clear();
        let added = [Addendum {
            layer: app_layer(),
            created_by: "app".into(),
        }];
        let changes = ConfigChanges::default();
        let out = derive_config(&bare, &added, &changes);
        assert_eq!(out.rootfs.diff_ids.len(), 2);
        assert!(out.history.is_empty(), "{:?}", out.history);
        let out = derive_config(&base(), &added, &changes);
        assert_eq!(out.history.len(), 2);
        let scratch = ImageConfig::scratch(&Platform::default_target());
        assert_eq!(derive_config(&scratch, &added, &changes).history.len(), 1);
    }

    #[test]
    fn appending_to_an_image_makes_consistent_documents() {
        let base = Image::empty(&Platform::new("linux", "arm64", None));
        let changes = ConfigChanges {
            working_dir: "/app".into(),
            ..ConfigChanges::default()
        };
        let added = Addendum {
            layer: app_layer(),
            created_by: "app".into(),
        };
        let image = append(&base, vec![added], &changes, BTreeMap::new());
        assert_eq!(image.layers(), [app_layer()]);
        assert_eq!(image.manifest().layers, [app_layer().descriptor]);
        assert_eq!(image.config().rootfs.diff_ids, [app_layer().diff_id]);
        let digest_of = |b: &[u8]| Digest::of(Sha256::portable(), b);
        assert_eq!(
            image.manifest().config.digest,
            digest_of(image.config_bytes())
        );
        assert_eq!(image.digest(), &digest_of(image.manifest_bytes()));
        assert_eq!(image.descriptor().size, image.manifest_bytes().len() as u64);
        assert_eq!(
            image
                .descriptor()
                .platform
                .as_ref()
                .map(ToString::to_string),
            Some("linux/arm64".to_owned())
        );
        assert_eq!(image.flavor(), Flavor::Oci);
        assert_eq!(
            image.size(),
            (image.manifest_bytes().len() + image.config_bytes().len()) as u64 + 4
        );
    }

    #[test]
    fn keeps_the_base_and_applies_ours() {
        let changes = ConfigChanges {
            created: "1970-01-01T00:00:00Z".into(),
            env: vec![
                ("LANG".into(), "C".into()),
                ("PYTHONUNBUFFERED".into(), "1".into()),
            ],
            working_dir: "/app".into(),
            entrypoint: vec!["python3".into(), "/usr/local/bin/x".into()],
            cmd: None,
            user: None,
            ports: vec!["8000/tcp".into()],
            labels: BTreeMap::from([("a".into(), "b".into())]),
        };
        let layer = Addendum {
            layer: app_layer(),
            created_by: "app".into(),
        };
        let out = derive_config(&base(), std::slice::from_ref(&layer), &changes);
        let cfg = out.config.clone().unwrap_or_default();
        assert_eq!(
            cfg.env,
            Some(vec![
                "PATH=/usr/bin:/bin".into(),
                "LANG=C".into(),
                "PYTHONUNBUFFERED=1".into()
            ])
        );
        assert_eq!(cfg.cmd, None, "an entrypoint clears the inherited Cmd");
        assert_eq!(
            cfg.user.as_deref(),
            Some("1000"),
            "no user given: the base's stays"
        );
        assert!(cfg
            .exposed_ports
            .is_some_and(|p| p.contains_key("8000/tcp")));
        assert_eq!(out.rootfs.diff_ids.len(), 2);
        assert_eq!(out.rootfs.diff_ids[1], layer.layer.diff_id);
        assert_eq!(out.history.len(), 2);
        assert_eq!(out.history[0].created_by.as_deref(), Some("base"));
    }
}
