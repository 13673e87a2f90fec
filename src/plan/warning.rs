//! What the plan tells people the build will do that their project may
//! not expect: each with a stable code, in the plan and as a progress
//! warning when the plan is made.

use serde::Serialize;

use pycontainer_archive::Entry;

use crate::deps::bytecode::Bytecode;
use crate::host::{Host, Progress};
use crate::project::framework::Served;
use crate::project::Project;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Warning {
    /// Stable: `excluded-referenced`; `credentials-included` (a file that
    /// looks like credentials ships because the user brought it back, or a
    /// shipped pyproject.toml/requirements.txt writes a password in a URL);
    /// `private-files` (files the image's user cannot read); `dev-server` (a web app without a
    /// production server); `no-bytecode` (the dependencies are
    /// installed without bytecode, for want of a compiler); `writes-unknown` (the app writes
    /// where pycontainer cannot follow); `writes-owner` (the writable
    /// directories cannot be handed to the user).
    pub code: String,
    pub message: String,
}

impl Warning {
    pub(super) fn new(code: &str, message: String) -> Self {
        Warning {
            code: code.to_owned(),
            message,
        }
    }

    /// Reports each warning once, through the host's progress.
    pub fn report<H: Host>(host: &H, warnings: &[Warning]) {
        for w in warnings {
            host.progress(&Progress::Warning {
                code: &w.code,
                message: &w.message,
            });
        }
    }
}

/// A web app that would run on its framework's development server, because
/// no production server is among the dependencies.
pub(super) fn dev_server(served: Option<&Served>) -> Option<Warning> {
    let served = served?;
    let (framework, add) = match served.server.as_str() {
        "flask" => ("Flask", "gunicorn (or another WSGI server)"),
        "django-runserver" => ("Django", "gunicorn, or uvicorn for asgi.py"),
        _ => return None,
    };
    Some(Warning::new(
        "dev-server",
        format!(
            "{framework} app {} will run on {framework}'s development server ({}), which is not meant for production; add {add} to the dependencies and pycontainer serves the app with it",
            served.app.file,
            served.command.join(" ")
        ),
    ))
}

/// Dependencies installed without bytecode for want of a compiler.
pub(super) fn no_bytecode(bytecode: Option<&Bytecode>) -> Option<Warning> {
    match bytecode? {
        Bytecode::Skipped {
            rule,
            unavailable: true,
        } => Some(Warning::new(
            "no-bytecode",
            format!("dependencies' bytecode {rule}"),
        )),
        _ => None,
    }
}

/// Credentials that ship because an include or a `!` rule asked for them.
pub(super) fn credentials_included(project: &Project) -> Vec<Warning> {
    project
        .shipped_secrets
        .iter()
        .map(|s| {
            Warning::new(
                "credentials-included",
                format!(
                    "{} goes into the image although it looks like {}: an include or a `!` rule brought it back",
                    s.path, s.reason
                ),
            )
        })
        .collect()
}

/// A pyproject.toml or requirements.txt that ships in the image and writes
/// a URL's password or token literally: the build never records it, but the
/// file itself goes in as written. A `${VAR}` in its place holds no secret.
pub(super) fn url_credentials(project: &Project) -> Vec<Warning> {
    let meta = &project.metadata;
    let pyproject = meta
        .dependencies
        .iter()
        .chain(meta.optional_dependencies.iter().flat_map(|(_, d)| d))
        .chain(meta.dependency_groups.iter().flat_map(|(_, d)| d));
    let listed = [
        (
            project.metadata_file.as_deref(),
            pyproject.collect::<Vec<_>>(),
        ),
        (
            Some("requirements.txt"),
            meta.requirements_txt.iter().collect(),
        ),
    ];
    listed
        .into_iter()
        .filter_map(|(file, lines)| {
            let file = file?;
            let ships = project.files.iter().any(|f| f.rel == file);
            let literal = lines.iter().any(|line| {
                line.split_whitespace()
                    .filter(|word| word.contains("://"))
                    .any(|url| pycontainer_python::url::recorded(url) != *url)
            });
            (ships && literal).then(|| {
                Warning::new(
                    "credentials-included",
                    format!(
                        "{file} goes into the image with a password or token written in a URL; write it as ${{VAR}} (expanded from the environment at build time, never recorded) or leave the file out"
                    ),
                )
            })
        })
        .collect()
}

/// Files kept private in the context stay private (root's) in the image,
/// where a non-root user cannot read them: a umask of 077 would make the
/// whole app unreadable, so it is said, with the first few.
pub(super) fn private_files(app_layer: &[Entry], user: Option<&str>) -> Option<Warning> {
    let root = user
        .is_some_and(|u| u == "0" || u.starts_with("0:") || u == "root" || u.starts_with("root:"));
    let private: Vec<&str> = app_layer
        .iter()
        .filter(|e| !e.is_dir() && e.owner == 0 && e.mode & 0o044 == 0)
        .map(|e| e.path.as_str())
        .collect();
    if root || private.is_empty() {
        return None;
    }
    let shown: Vec<String> = private.iter().take(3).map(|p| format!("/{p}")).collect();
    let more = match private.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    Some(Warning::new(
        "private-files",
        format!(
            "{}{more} {} private in the context (no read for group and others) and {} so in the image, where its user cannot read {}; chmod go+r what the app needs",
            shown.join(", "),
            if private.len() == 1 { "is" } else { "are" },
            if private.len() == 1 { "stays" } else { "stay" },
            if private.len() == 1 { "it" } else { "them" },
        ),
    ))
}

/// The build outputs left out by default that the project's sources name.
pub(super) fn excluded_but_named(project: &Project) -> Vec<Warning> {
    project
        .excluded
        .iter()
        .filter_map(|e| {
            let file = e.referenced_by.as_ref()?;
            Some(Warning::new(
                "excluded-referenced",
                format!(
                    "{}/ is left out ({}), but {file} names it; --include {} ships it",
                    e.path, e.reason, e.path
                ),
            ))
        })
        .collect()
}
