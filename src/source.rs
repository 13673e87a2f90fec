//! Where a base image comes from: `scratch`, a local OCI layout, or a registry.

use crate::cache::CacheDir;
use crate::host::Host;
use crate::layout::{Layout, LayoutError};
use crate::registry::{pull, Client, RegistryError};
use pycontainer_digest::Digest;
use pycontainer_oci::platform::Platform;
use pycontainer_oci::reference::Reference;
use pycontainer_oci::Image;

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
    #[error("base image {value}: {source}")]
    Registry {
        value: String,
        source: Box<RegistryError>,
    },
    #[error("{value:?}: {reason}")]
    Invalid { value: String, reason: String },
    #[error("{value}: {source}")]
    Layout { value: String, source: LayoutError },
}

impl SourceError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::Registry { source, .. } => source.code(),
            SourceError::Invalid { .. } | SourceError::Layout { .. } => "base-image",
        }
    }
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
    /// Its layers say where their blobs are: in a layout, or in a registry.
    pub image: Image,
    /// The manifest's digest, for a base read from a registry or a layout;
    /// not for `scratch`, which is no stored image.
    pub digest: Option<Digest>,
}

/// The platforms the base offers, as its index lists them (its one
/// image's, when it has no index); none for `scratch`, which is any.
pub async fn offered<H: Host>(
    client: &Client<'_, H>,
    value: &str,
) -> Result<Vec<Platform>, SourceError> {
    match BaseRef::parse(value)? {
        BaseRef::Scratch => Ok(Vec::new()),
        BaseRef::Registry(reference) => {
            pull::platforms(client, &reference)
                .await
                .map_err(|source| SourceError::Registry {
                    value: value.to_owned(),
                    source: Box::new(source),
                })
        }
        BaseRef::Layout { path, tag } => Layout::new(client.host(), &path)
            .platforms(tag.as_deref())
            .await
            .map_err(|source| SourceError::Layout {
                value: value.to_owned(),
                source,
            }),
    }
}

/// Reads the base's manifest and config (never its layers); a registry's
/// documents named by digest come from `cache` when it holds them.
pub async fn resolve<H: Host>(
    client: &Client<'_, H>,
    value: &str,
    platform: Option<&Platform>,
    cache: &CacheDir,
) -> Result<BaseImage, SourceError> {
    let image = match BaseRef::parse(value)? {
        BaseRef::Scratch => {
            let platform = platform.cloned().unwrap_or_else(Platform::default_target);
            return Ok(BaseImage {
                name: "scratch".to_owned(),
                image: Image::empty(&platform),
                digest: None,
            });
        }
        BaseRef::Registry(reference) => {
            let cache = cache.path().map(|dir| Layout::new(client.host(), dir));
            pull::resolve(client, &reference, platform, cache.as_ref())
                .await
                .map_err(|source| SourceError::Registry {
                    value: value.to_owned(),
                    source: Box::new(source),
                })?
        }
        BaseRef::Layout { path, tag } => Layout::new(client.host(), &path)
            .image(tag.as_deref(), platform)
            .await
            .map_err(|source| SourceError::Layout {
                value: value.to_owned(),
                source,
            })?,
    };
    Ok(BaseImage {
        name: value.to_owned(),
        digest: Some(image.digest().clone()),
        image,
    })
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
