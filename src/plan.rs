//! The build plan: every decision made from the options and the project, before anything is written.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::clock;
use crate::error::Error;
use crate::host::{Host, Kind};
use crate::image::ConfigChanges;
use crate::layer::tar::{Entry, EntryKind};
use crate::layout::Layout;
use crate::oci::Index;
use crate::platform::Platform;
use crate::project::{self, Project};
use crate::reference::Reference;
use crate::source::{self, BaseImage};

pub const DEFAULT_WORKDIR: &str = "/app";

/// What a caller asks for; paths are absolute (the JS side resolves them).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuildOptions {
    pub context: String,
    pub output: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub base_image: Option<String>,
    pub platform: Option<String>,
    pub workdir: Option<String>,
}

/// Where an entry's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    None,
    /// A file in the context, by absolute path.
    File(String),
    /// Generated here (a launcher).
    Bytes(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedEntry {
    pub entry: Entry,
    pub content: Content,
}

/// A tag in the output layout: its ref name and the full image name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageTag {
    pub tag: String,
    pub name: String,
}

pub struct Plan {
    pub project: Project,
    pub base: BaseImage,
    pub output: String,
    pub existing_index: Option<Index>,
    pub tags: Vec<ImageTag>,
    pub platform: Platform,
    pub epoch: u64,
    pub app_layer: Vec<PlannedEntry>,
    pub changes: ConfigChanges,
}

/// Decides everything; reads the context and the base, writes nothing.
pub async fn make<H: Host>(host: &H, options: &BuildOptions) -> Result<Plan, Error> {
    let epoch = clock::build_epoch(host)?;
    let workdir = workdir(options.workdir.as_deref().unwrap_or(DEFAULT_WORKDIR))?;
    let wanted = options
        .platform
        .as_deref()
        .map(Platform::parse)
        .transpose()?;
    let existing_index = Layout::new(host, &options.output).check_writable().await?;
    let project = project::discover(
        host,
        &options.context,
        std::slice::from_ref(&options.output),
    )
    .await?;
    let tags = tags(&options.tags, &project)?;
    let base_value = options.base_image.as_deref().ok_or(Error::Option {
        flag: "--base-image",
        message: "required for now: `scratch` or `oci:PATH[:TAG]`".to_owned(),
    })?;
    let base = source::resolve(host, base_value, wanted.as_ref()).await?;
    let platform = base.config.platform();
    let app_layer = app_layer(&project, &workdir)?;
    let changes = changes(&project, &workdir, epoch);
    Ok(Plan {
        project,
        base,
        output: options.output.clone(),
        existing_index,
        tags,
        platform,
        epoch,
        app_layer,
        changes,
    })
}

/// An absolute, normalised directory other than `/`.
fn workdir(value: &str) -> Result<String, Error> {
    let bad = |message: &str| Error::Option {
        flag: "--workdir",
        message: format!("{value:?} {message}"),
    };
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

fn tags(values: &[String], project: &Project) -> Result<Vec<ImageTag>, Error> {
    let default;
    let values = if values.is_empty() {
        default = [format!("{}:latest", repository_name(project))];
        &default[..]
    } else {
        values
    };
    let mut out: Vec<ImageTag> = Vec::new();
    for value in values {
        let reference = Reference::parse(value).map_err(|source| Error::Tag {
            value: value.clone(),
            source,
        })?;
        if reference.digest().is_some() {
            return Err(Error::Option {
                flag: "--tag",
                message: format!("{value:?} names a digest; a tag is NAME[:TAG]"),
            });
        }
        let tag = reference.tag_or_latest().unwrap_or("latest").to_owned();
        let name = format!("{}:{tag}", reference.name());
        match out.iter().find(|t| t.tag == tag) {
            Some(prev) if prev.name != name => {
                return Err(Error::Option {
                    flag: "--tag",
                    message: format!("{} and {name} would share the layout tag {tag:?}; an OCI layout names images by tag alone", prev.name),
                })
            }
            Some(_) => {}
            None => out.push(ImageTag { tag, name }),
        }
    }
    Ok(out)
}

/// A valid repository name from the project name (or the context's folder name).
fn repository_name(project: &Project) -> String {
    let raw = project
        .metadata
        .name
        .clone()
        .unwrap_or_else(|| project.root.rsplit('/').next().unwrap_or("").to_owned());
    let mut name = String::new();
    for c in raw.to_lowercase().chars() {
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

/// Directory entries for `path` and each of its parents, root first.
fn dirs_down_to(path: &str) -> Vec<PlannedEntry> {
    let mut out = Vec::new();
    let mut acc = String::new();
    for part in path.trim_matches('/').split('/').filter(|p| !p.is_empty()) {
        if !acc.is_empty() {
            acc.push('/');
        }
        acc.push_str(part);
        out.push(PlannedEntry {
            entry: Entry {
                path: acc.clone(),
                kind: EntryKind::Dir,
                mode: 0o755,
            },
            content: Content::None,
        });
    }
    out
}

/// The app layer: the context under the workdir, plus any launcher.
fn app_layer(project: &Project, workdir: &str) -> Result<Vec<PlannedEntry>, Error> {
    let mut entries = dirs_down_to(workdir);
    let base = workdir.trim_start_matches('/');
    for f in &project.files {
        let path = format!("{base}/{}", f.rel);
        let abs = format!("{}/{}", project.root.trim_end_matches('/'), f.rel);
        let (kind, mode, content) = match f.kind {
            Kind::Dir => (EntryKind::Dir, 0o755, Content::None),
            Kind::Symlink => (
                EntryKind::Symlink {
                    target: f.target.clone().unwrap_or_default(),
                },
                0o777,
                Content::None,
            ),
            // Normalised: anyone may read; executable stays executable.
            _ => (
                EntryKind::File { size: f.size },
                if f.mode & 0o111 != 0 { 0o755 } else { 0o644 },
                Content::File(abs),
            ),
        };
        entries.push(PlannedEntry {
            entry: Entry { path, kind, mode },
            content,
        });
    }
    if let Some(launcher) = &project.entrypoint.launcher {
        let (dir, _) = launcher.path.rsplit_once('/').unwrap_or(("", ""));
        entries.extend(dirs_down_to(dir));
        let bytes = launcher.content.clone().into_bytes();
        entries.push(PlannedEntry {
            entry: Entry {
                path: launcher.path.trim_start_matches('/').to_owned(),
                kind: EntryKind::File {
                    size: bytes.len() as u64,
                },
                mode: 0o755,
            },
            content: Content::Bytes(bytes),
        });
    }
    entries.sort_by(|a, b| a.entry.path.cmp(&b.entry.path));
    // Shared parent directories are expected; a file landing on another
    // (a context file where the launcher goes) would silently lose one.
    if let Some(pair) = entries.windows(2).find(|p| {
        p[0].entry.path == p[1].entry.path
            && (p[0].entry.kind != EntryKind::Dir || p[1].entry.kind != EntryKind::Dir)
    }) {
        return Err(Error::Option {
            flag: "--workdir",
            message: format!("/{} would come both from the context and from the generated launcher; choose another --workdir", pair[0].entry.path),
        });
    }
    entries.dedup_by(|a, b| a.entry.path == b.entry.path);
    Ok(entries)
}

fn changes(project: &Project, workdir: &str, epoch: u64) -> ConfigChanges {
    let import_root = if project.import_root.is_empty() {
        workdir.to_owned()
    } else {
        format!("{workdir}/{}", project.import_root)
    };
    let env = [
        ("PYTHONPATH", import_root.as_str()),
        // Logs reach `docker logs` at once instead of sitting in a buffer.
        ("PYTHONUNBUFFERED", "1"),
        // The app dir may be read-only or owned by another user at run time.
        ("PYTHONDONTWRITEBYTECODE", "1"),
    ];
    let meta = &project.metadata;
    let labels: BTreeMap<String, String> = [
        ("org.opencontainers.image.title", &meta.name),
        ("org.opencontainers.image.version", &meta.version),
        ("org.opencontainers.image.description", &meta.description),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.clone().map(|v| (k.to_owned(), v)))
    .collect();
    ConfigChanges {
        created: clock::rfc3339(epoch),
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        working_dir: workdir.to_owned(),
        entrypoint: project.entrypoint.command.clone(),
        labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workdir_is_normalised_and_checked() {
        assert_eq!(workdir("/app/").ok().as_deref(), Some("/app"));
        assert_eq!(workdir("/srv//./app").ok().as_deref(), Some("/srv/app"));
        for bad in ["app", "/", "/a/../b", ""] {
            assert!(workdir(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parents_come_first() {
        let paths: Vec<String> = dirs_down_to("/srv/app")
            .into_iter()
            .map(|e| e.entry.path)
            .collect();
        assert_eq!(paths, vec!["srv", "srv/app"]);
    }
}
