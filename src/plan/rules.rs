//! The rules that settle one setting each: output, tags, push targets,
//! workdir, user, environment, labels and annotations.

use std::collections::BTreeMap;

use pycontainer_oci::reference::Reference;
use pycontainer_oci::Platform;

use super::{
    BuildOptions, PlanError, DEFAULT_ARCHIVE, DEFAULT_OUTPUT, FRAMEWORK_LABEL, NONROOT,
    NONROOT_HOME,
};
use crate::clock;
use crate::config::{self, Settings};
use crate::host::Host;
use crate::layout::Tag;
use crate::project::{entrypoint, EntryPoint, Project};
use crate::sink::{ArchiveFormat, Format};
use crate::source::BaseImage;

/// The output layout: from the settings, else `pycontainer-out` in the caller's directory.
pub(super) fn output_path(
    options: &BuildOptions,
    settings: &Settings,
    format: Format,
    origin: &str,
) -> Result<String, PlanError> {
    let cwd = options.cwd.as_deref().unwrap_or(&options.context);
    let default = match format {
        Format::Layout => DEFAULT_OUTPUT,
        Format::Archive(_) => DEFAULT_ARCHIVE,
    };
    let path = settings
        .output
        .clone()
        .unwrap_or_else(|| default.to_owned());
    if path.trim().is_empty() {
        return Err(PlanError::setting(origin, "must not be empty"));
    }
    Ok(if path.starts_with('/') {
        path
    } else {
        format!("{}/{path}", cwd.trim_end_matches('/'))
    })
}

/// `--format`: a layout directory unless an archive is asked for.
pub(super) fn output_format(value: Option<&str>, origin: &str) -> Result<Format, PlanError> {
    let Some(value) = value else {
        return Ok(Format::Layout);
    };
    Format::parse(value).ok_or_else(|| {
        PlanError::setting(
            origin,
            format!(
                "{value:?} is not an output format; use one of {}",
                Format::ALL.map(|(name, _)| name).join(", ")
            ),
        )
    })
}

/// A docker-archive holds one image: `docker save`'s format has no index
/// for several platforms' images (an oci-archive holds the index whole).
pub(super) fn one_image(
    format: Format,
    platforms: &[Platform],
    origin: &str,
) -> Result<(), PlanError> {
    if format != Format::Archive(ArchiveFormat::Docker) || platforms.len() < 2 {
        return Ok(());
    }
    let names: Vec<String> = platforms.iter().map(ToString::to_string).collect();
    Err(PlanError::setting(
        origin,
        format!(
            "docker-archive holds one image, with no index for several platforms ({}); \
             use --format oci-archive (`skopeo copy oci-archive:FILE:TAG …` picks a platform) \
             or oci, or build one platform per docker-archive",
            names.join(", ")
        ),
    ))
}

/// The references `--push` sends the image to: the explicit tags, never
/// ones derived from the project, which would name Docker Hub.
pub(super) fn push_targets(
    push: bool,
    values: Option<&[String]>,
    origin: &str,
) -> Result<Vec<Reference>, PlanError> {
    if !push {
        return Ok(Vec::new());
    }
    let Some(values) = values else {
        return Err(PlanError::setting(
            "--push",
            "needs a --tag naming the registry and repository to push to, \
             e.g. --tag registry.example.com/team/app:1.0",
        ));
    };
    values
        .iter()
        .map(|value| {
            // Docker's rule for a registry part, on the tag as written: the
            // first component has a '.' or ':', or is localhost. Without one
            // a push would go to Docker Hub's library/, which `app:1` never meant.
            let first = value.split('/').next().unwrap_or_default();
            let registry =
                value.contains('/') && (first.contains(['.', ':']) || first == "localhost");
            if !registry {
                return Err(PlanError::setting(
                    origin,
                    format!(
                        "{value:?} names no registry; with --push each tag must, \
                         e.g. ghcr.io/org/app:1.0 or docker.io/you/app:1.0"
                    ),
                ));
            }
            Reference::parse(value).map_err(|source| PlanError::Tag {
                origin: origin.to_owned(),
                value: value.clone(),
                source,
            })
        })
        .collect()
}

/// `--user`, else the base's non-root user, else 65532 (`None`: keep the base's).
pub(super) fn user(settings: &Settings, base: &BaseImage) -> Option<String> {
    match settings.user.as_deref() {
        Some("root") => Some("0:0".to_owned()),
        Some(u) => Some(u.to_owned()),
        None => {
            let inherited = base
                .image
                .config()
                .config
                .as_ref()
                .and_then(|c| c.user.as_deref())
                .unwrap_or("");
            if matches!(inherited, "" | "0" | "root" | "0:0" | "root:root") {
                Some(format!("{NONROOT}:{NONROOT}"))
            } else {
                None
            }
        }
    }
}

/// The variables pycontainer sets, then an env file's, then explicit ones.
pub(super) async fn env<H: Host>(
    host: &H,
    project: &Project,
    settings: &Settings,
    env_file_origin: &str,
    workdir: &str,
    home: bool,
) -> Result<Vec<(String, String)>, PlanError> {
    let import_root = if project.import_root.is_empty() {
        workdir.to_owned()
    } else {
        format!("{workdir}/{}", project.import_root)
    };
    let mut env = vec![
        ("PYTHONPATH".to_owned(), import_root),
        // Logs reach `docker logs` at once instead of sitting in a buffer.
        ("PYTHONUNBUFFERED".to_owned(), "1".to_owned()),
        // The app dir is read-only to the non-root user that runs it.
        ("PYTHONDONTWRITEBYTECODE".to_owned(), "1".to_owned()),
    ];
    if home {
        env.push(("HOME".to_owned(), NONROOT_HOME.to_owned()));
    }
    if let Some(file) = &settings.env_file {
        let text = host
            .read_all(file)
            .await
            .map_err(|e| PlanError::Unreadable {
                origin: env_file_origin.to_owned(),
                message: format!("{file}: {}", e.message),
            })?;
        env.extend(config::parse_env_file(
            file,
            &String::from_utf8_lossy(&text),
        )?);
    }
    env.extend(settings.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    Ok(env)
}

pub(super) fn labels(
    project: &Project,
    base: &BaseImage,
    base_value: &str,
    entrypoint: &EntryPoint,
    epoch: u64,
    settings: &Settings,
) -> BTreeMap<String, String> {
    let meta = &project.metadata;
    let url_for = |keys: &[&str]| {
        meta.urls
            .iter()
            .find(|(k, _)| keys.iter().any(|want| k.eq_ignore_ascii_case(want)))
            .map(|(_, v)| v.clone())
    };
    let mut labels = BTreeMap::new();
    labels.extend(
        [
            ("title", meta.name.clone()),
            ("version", meta.version.clone()),
            ("description", meta.description.clone()),
            ("licenses", meta.license.clone()),
            (
                "source",
                url_for(&["source", "repository", "source code", "code"]),
            ),
            (
                "url",
                url_for(&["homepage", "home", "documentation"])
                    .or_else(|| meta.urls.first().map(|(_, v)| v.clone())),
            ),
            ("created", Some(clock::rfc3339(epoch))),
        ]
        .into_iter()
        // An empty `description = ""` says nothing: no label rather than an empty one.
        .filter_map(|(k, v)| {
            v.filter(|v| !v.trim().is_empty())
                .map(|v| (format!("{OCI_PREFIX}{k}"), v))
        }),
    );
    labels.extend(base_labels(base, base_value));
    if let entrypoint::Rule::Framework { framework, .. } = &entrypoint.rule {
        labels.insert(
            FRAMEWORK_LABEL.to_owned(),
            framework.dependency().to_owned(),
        );
    }
    labels.extend(settings.labels.clone());
    labels
}

const OCI_PREFIX: &str = "org.opencontainers.image.";
const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// `base.name` (registry bases only: a local path is no image name, and
/// would make the image depend on where the build ran) and `base.digest`.
pub(super) fn base_labels(base: &BaseImage, base_value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(r) = Reference::parse(base_value) {
        if base_value != "scratch" {
            out.push((
                pycontainer_oci::annotation::BASE_NAME.to_owned(),
                r.to_string(),
            ));
        }
    }
    if let Some(d) = &base.digest {
        out.push((BASE_DIGEST.to_owned(), d.to_string()));
    }
    out
}

/// The manifest's annotations: the OCI `org.opencontainers.image.*`
/// labels (title, version, created, source, the base's name and digest…),
/// which tools read from the manifest without fetching the config, then
/// `--annotation`s, which win.
pub(super) fn annotations(
    labels: &BTreeMap<String, String>,
    settings: &Settings,
) -> BTreeMap<String, String> {
    // Extended, not collected: collecting into a map sorts, with a copy of the sort per type.
    let mut out = BTreeMap::new();
    out.extend(
        labels
            .iter()
            .filter(|(k, _)| k.starts_with(OCI_PREFIX))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    out.extend(settings.annotations.clone());
    out
}

/// An index's annotations: its images' own, but for the base's digest,
/// which differs from platform to platform.
pub(super) fn index_annotations(manifest: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out = manifest.clone();
    out.remove(BASE_DIGEST);
    out
}

/// An absolute, normalised directory other than `/`.
pub(super) fn workdir(value: &str, origin: &str) -> Result<String, PlanError> {
    let bad = |message: &str| PlanError::setting(origin, format!("{value:?} {message}"));
    if !value.starts_with('/') {
        return Err(bad("must be an absolute path"));
    }
    let parts: Vec<&str> = value
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(bad("must not contain '..'"));
    }
    if parts.is_empty() {
        return Err(bad(
            "must not be / (the app would be spread over the image's root)",
        ));
    }
    Ok(format!("/{}", parts.join("/")))
}

pub(super) fn tags(
    values: &[String],
    project: &Project,
    origin: &str,
) -> Result<Vec<Tag>, PlanError> {
    let default;
    let values = if values.is_empty() {
        default = [format!("{}:latest", repository_name(project))];
        &default[..]
    } else {
        values
    };
    let mut out: Vec<Tag> = Vec::new();
    for value in values {
        let reference = Reference::parse(value).map_err(|source| PlanError::Tag {
            origin: origin.to_owned(),
            value: value.clone(),
            source,
        })?;
        if reference.digest().is_some() {
            return Err(PlanError::setting(
                origin,
                format!("{value:?} names a digest; a tag is NAME[:TAG]"),
            ));
        }
        let tag = reference.tag_or_latest().unwrap_or("latest").to_owned();
        let name = format!("{}:{tag}", reference.name());
        match out.iter().find(|t| t.tag == tag) {
            Some(prev) if prev.name != name => {
                return Err(PlanError::setting(
                    origin,
                    format!("{} and {name} would share the layout tag {tag:?}; an OCI layout names images by tag alone", prev.name),
                ))
            }
            Some(_) => {}
            None => out.push(Tag { tag, name }),
        }
    }
    Ok(out)
}

/// A valid repository name from the project name (or the context's folder name).
pub(super) fn repository_name(project: &Project) -> String {
    let raw = project
        .metadata
        .name
        .clone()
        .unwrap_or_else(|| project.root.rsplit('/').next().unwrap_or("").to_owned());
    let mut name = String::new();
    for c in raw.to_ascii_lowercase().chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && (name.is_empty() || name.ends_with('-'))) {
            name.push(c);
        }
    }
    let name = name.trim_end_matches('-').to_owned();
    if name.is_empty() {
        "app".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_docker_archive_refuses_several_platforms_and_names_them() {
        let docker = Format::Archive(ArchiveFormat::Docker);
        let amd64 = Platform::default_target();
        let arm64 = Platform::parse("linux/arm64").unwrap_or_else(|_| amd64.clone());
        let both = [amd64.clone(), arm64];
        assert!(one_image(docker, std::slice::from_ref(&amd64), "--format").is_ok());
        assert!(one_image(Format::Layout, &both, "--format").is_ok());
        assert!(one_image(Format::Archive(ArchiveFormat::Oci), &both, "--format").is_ok());
        let e = one_image(docker, &both, "--format")
            .map_err(|e| e.to_string())
            .unwrap_err();
        assert!(
            e.starts_with("--format: docker-archive holds one image")
                && e.contains("linux/amd64, linux/arm64"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_format_lists_the_known_ones() {
        assert_eq!(output_format(None, "--format").ok(), Some(Format::Layout));
        for (name, format) in Format::ALL {
            assert_eq!(output_format(Some(name), "--format").ok(), Some(format));
            assert_eq!(format.name(), name);
        }
        let e = output_format(Some("tar"), "--format")
            .map_err(|e| e.to_string())
            .unwrap_err();
        assert_eq!(
            e,
            "--format: \"tar\" is not an output format; use one of oci, oci-archive, docker-archive"
        );
    }
}
