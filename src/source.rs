//! Where a base image comes from: `scratch` or a local OCI layout (registries join here).

use crate::digest::Digest;
use crate::host::Host;
use crate::image::Flavor;
use crate::layout::{Layout, LayoutError};
use crate::oci::{Descriptor, ImageConfig};
use crate::platform::Platform;
use crate::reference::Reference;

/// A `--base-image` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseRef {
    /// No base: the app layer alone.
    Scratch,
    /// `oci:PATH[:TAG]`, a local OCI image layout.
    Layout { path: String, tag: Option<String> },
    /// An image in a registry, such as `python:3.12-slim`.
    Registry(Reference),
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("base image {value:?}: pulling from a registry is not supported yet; give --base-image as `oci:PATH[:TAG]` (a local OCI layout) or `scratch`")]
    Unsupported { value: String },
    #[error("--base-image {value:?}: {reason}")]
    Invalid { value: String, reason: String },
    #[error("--base-image {value}: {source}")]
    Layout { value: String, source: LayoutError },
}

impl BaseRef {
    pub fn parse(value: &str) -> Result<Self, SourceError> {
        if value == "scratch" {
            return Ok(BaseRef::Scratch);
        }
        let Some(rest) = value.strip_prefix("oci:") else {
            return Reference::parse(value).map(BaseRef::Registry).map_err(|e| {
                SourceError::Invalid {
                    value: value.to_owned(),
                    reason: e.to_string(),
                }
            });
        };
        // A tag never holds '/', so a last ':' followed by one belongs to the path.
        let (path, tag) = match rest.rsplit_once(':') {
            Some((path, tag)) if !tag.contains('/') => (path, Some(tag.to_owned())),
            _ => (rest, None),
        };
        if path.is_empty() {
            return Err(SourceError::Invalid {
                value: value.to_owned(),
                reason: "the layout path is empty".to_owned(),
            });
        }
        if tag.as_deref() == Some("") {
            return Err(SourceError::Invalid {
                value: value.to_owned(),
                reason: "the tag after ':' is empty".to_owned(),
            });
        }
        Ok(BaseRef::Layout {
            path: path.to_owned(),
            tag,
        })
    }
}

/// A base image ready to build on.
#[derive(Clone, Debug)]
pub struct BaseImage {
    /// As the user named it, for messages and labels.
    pub name: String,
    pub flavor: Flavor,
    pub config: ImageConfig,
    pub layers: Vec<Descriptor>,
    pub manifest_digest: Option<Digest>,
    /// The layout holding the layer blobs, when they are local.
    pub layout: Option<String>,
}

/// Reads the base's manifest and config (never its layers).
pub async fn resolve<H: Host>(
    host: &H,
    value: &str,
    platform: Option<&Platform>,
) -> Result<BaseImage, SourceError> {
    match BaseRef::parse(value)? {
        BaseRef::Scratch => {
            let platform = platform.cloned().unwrap_or_else(Platform::default_target);
            Ok(BaseImage {
                name: "scratch".to_owned(),
                flavor: Flavor::Oci,
                config: ImageConfig::scratch(&platform),
                layers: Vec::new(),
                manifest_digest: None,
                layout: None,
            })
        }
        BaseRef::Registry(_) => Err(SourceError::Unsupported {
            value: value.to_owned(),
        }),
        BaseRef::Layout { path, tag } => {
            let layout = Layout::new(host, &path);
            let resolved = layout
                .resolve(tag.as_deref(), platform)
                .await
                .map_err(|source| SourceError::Layout {
                    value: value.to_owned(),
                    source,
                })?;
            Ok(BaseImage {
                name: value.to_owned(),
                flavor: Flavor::of_manifest(resolved.manifest.media_type.as_deref()),
                config: resolved.config,
                layers: resolved.manifest.layers,
                manifest_digest: Some(resolved.descriptor.digest),
                layout: Some(path),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_base_references() {
        assert_eq!(BaseRef::parse("scratch").ok(), Some(BaseRef::Scratch));
        let l = |p: &str, t: Option<&str>| {
            Some(BaseRef::Layout {
                path: p.into(),
                tag: t.map(Into::into),
            })
        };
        assert_eq!(
            BaseRef::parse("oci:/a/b:3.11-slim").ok(),
            l("/a/b", Some("3.11-slim"))
        );
        assert_eq!(BaseRef::parse("oci:/a/b").ok(), l("/a/b", None));
        assert_eq!(BaseRef::parse("oci:/a:b/c").ok(), l("/a:b/c", None));
        assert!(matches!(
            BaseRef::parse("python:3.11"),
            Ok(BaseRef::Registry(_))
        ));
        assert!(matches!(
            BaseRef::parse("Python:3.11"),
            Err(SourceError::Invalid { .. })
        ));
        assert!(matches!(
            BaseRef::parse("oci:/a:"),
            Err(SourceError::Invalid { .. })
        ));
        assert!(matches!(
            BaseRef::parse("oci:"),
            Err(SourceError::Invalid { .. })
        ));
    }
}
