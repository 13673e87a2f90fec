//! The plan's decisions in a Dockerfile's terms: the same base by digest,
//! the same wheels by hash, the same files, owners, config and entry point.

use pycontainer_archive::{Content, EntryKind};
use pycontainer_python::url::recorded;
use pycontainer_wheel::venv::VENV;

use super::error::EjectError;
use super::ignore::Shipped;
use super::render::{Owned, Recipe, VenvStep, Written};
use crate::deps::bytecode::Bytecode;
use crate::deps::decide::Install;
use crate::plan::Plan;
use crate::source::BaseRef;

/// The recipe for `plan`, whose deps, when it has any, are decided (a
/// plan made without a dry run). `header` goes above FROM.
pub fn recipe(plan: &Plan, header: Vec<String>) -> Result<Recipe, EjectError> {
    let changes = &plan.changes;
    Ok(Recipe {
        header,
        from: from(plan)?,
        venv: plan
            .deps
            .as_ref()
            .and_then(|d| d.install.as_ref())
            .map(venv)
            .transpose()?,
        copy_to: workdir(plan).to_owned(),
        writes: written(plan)?,
        owned: owned(plan),
        env: changes.env.clone(),
        working_dir: changes.working_dir.clone(),
        user: changes.user.clone(),
        ports: changes.ports.clone(),
        labels: changes.labels.clone(),
        entrypoint: changes.entrypoint.clone(),
        cmd: changes.cmd.clone(),
    })
}

/// The context's paths that the app layer holds, minus `skip` (the files
/// this command writes, which are no part of the app).
pub fn shipped<'a>(plan: &'a Plan, skip: &[String]) -> Vec<Shipped<'a>> {
    plan.project
        .files
        .iter()
        .filter(|f| !skip.contains(&plan.project.path(&f.rel)))
        .map(|f| Shipped {
            rel: &f.rel,
            dir: f.kind == crate::host::Kind::Dir,
        })
        .collect()
}

/// The base as the build used it: by the digest of the manifest chosen for
/// the platform, so that a rebuild gets the same image whatever the tag
/// says by then. The tag goes: podman and buildah refuse a reference with
/// both (the header names the base as the user did).
fn from(plan: &Plan) -> Result<String, EjectError> {
    let name = &plan.base.name;
    match BaseRef::parse(name) {
        Ok(BaseRef::Scratch) => Ok("scratch".to_owned()),
        Ok(BaseRef::Layout { .. }) | Err(_) => Err(EjectError::LocalBase { base: name.clone() }),
        Ok(BaseRef::Registry(_)) => Ok(match &plan.base.digest {
            Some(digest) if !name.contains('@') => format!("{}@{digest}", untagged(name)),
            _ => name.clone(),
        }),
    }
}

/// `registry:port/repo:tag` without its `:tag`.
fn untagged(name: &str) -> &str {
    let last = name.rfind('/').map_or(0, |i| i + 1);
    match name[last..].find(':') {
        Some(colon) => &name[..last + colon],
        None => name,
    }
}

/// Where the context goes: the working directory, less the subdirectory
/// the entry point runs in (Django's manage.py).
fn workdir(plan: &Plan) -> &str {
    let working = plan.changes.working_dir.as_str();
    match &plan.entrypoint.subdir {
        Some(sub) => working
            .strip_suffix(sub.as_str())
            .and_then(|w| w.strip_suffix('/'))
            .unwrap_or(working),
        None => working,
    }
}

fn venv(install: &Install) -> Result<VenvStep, EjectError> {
    let mut requirements = Vec::new();
    for pick in &install.picks {
        let url = &pick.wanted.url;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(EjectError::LocalFile {
                package: pick.name.to_string(),
                url: recorded(url),
            });
        }
        let Some(sha256) = &pick.wanted.sha256 else {
            return Err(EjectError::NoHash {
                package: pick.name.to_string(),
                file: pick.wanted.filename.clone(),
            });
        };
        // The URL as a lock records it: no credentials, but a ${VAR} pip expands.
        requirements.push(format!("{} @ {} --hash={sha256}", pick.name, recorded(url)));
    }
    Ok(VenvStep {
        interpreter: install.venv.interpreter.clone(),
        path: VENV.to_owned(),
        requirements,
        compile: matches!(install.bytecode, Bytecode::Compiled { .. }),
    })
}

/// The app layer's files that are not the context's: made by pycontainer.
fn written(plan: &Plan) -> Result<Vec<Written>, EjectError> {
    let mut out = Vec::new();
    for e in &plan.app_layer {
        let EntryKind::File {
            content: Content::Bytes(bytes),
            ..
        } = &e.kind
        else {
            continue;
        };
        let path = format!("/{}", e.path);
        let text = String::from_utf8(bytes.clone()).map_err(|_| EjectError::Unwritable {
            what: "the file".to_owned(),
            value: path.clone(),
            why: "it is not text, and the Dockerfile writes files with printf",
        })?;
        if text.contains('\r') {
            return Err(EjectError::Unwritable {
                what: "the file".to_owned(),
                value: path,
                why: "Docker's parser drops the carriage returns in its lines",
            });
        }
        out.push(Written {
            path,
            mode: e.mode,
            text,
        });
    }
    Ok(out)
}

/// Every path of the app layer with an owner other than root.
fn owned(plan: &Plan) -> Vec<Owned> {
    plan.app_layer
        .iter()
        .filter(|e| e.owner != 0)
        .map(|e| Owned {
            path: format!("/{}", e.path),
            dir: matches!(e.kind, EntryKind::Dir),
            owner: e.owner,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::untagged;

    #[test]
    fn the_tag_goes_and_a_registry_port_stays() {
        assert_eq!(untagged("python:3.12-slim"), "python");
        assert_eq!(
            untagged("127.0.0.1:5000/library/python:3.11"),
            "127.0.0.1:5000/library/python"
        );
        assert_eq!(
            untagged("127.0.0.1:5000/library/python"),
            "127.0.0.1:5000/library/python"
        );
        assert_eq!(untagged("ghcr.io/org/base"), "ghcr.io/org/base");
    }
}
