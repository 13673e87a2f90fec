//! The directories the app writes at run time. The image runs as a
//! non-root user and its code and venv stay root's, read-only to that
//! user; only these directories are handed to it: the ones `writable`
//! names, and the ones a detected framework's own settings name (Flask's
//! instance folder, Django's `STATIC_ROOT`, `MEDIA_ROOT` and the directory
//! of a SQLite database).

use serde::Serialize;

use super::warning::Warning;
use super::PlanError;
use crate::host::{Host, Kind};
use crate::project::framework::{django_writes, Framework, Served, SettingPath};
use crate::project::Project;

/// A path the runtime user owns, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct WritableDir {
    /// Absolute, inside the image.
    pub path: String,
    pub rule: String,
    pub scope: Scope,
}

/// How much of a writable path the user gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The directory and everything in it; made when the context has none.
    Tree,
    /// The directory alone: new files may be made in it, the ones the
    /// context puts there stay root's (the code beside a SQLite database).
    Directory,
    /// One file, when the context has it (a SQLite database); never made.
    File,
}

/// What the app is known to write: the directories, and warnings where it
/// writes somewhere pycontainer cannot follow or cannot hand over.
pub(super) struct Writes {
    pub dirs: Vec<WritableDir>,
    pub warnings: Vec<Warning>,
}

/// What the decision needs from the rest of the plan.
pub(super) struct Inputs<'a> {
    pub project: &'a Project,
    pub workdir: &'a str,
    /// `writable` from every source, and where the setting came from.
    pub declared: &'a [String],
    pub origin: &'a str,
    /// The detected web app, when the entry point serves one.
    pub served: Option<&'a Served>,
    /// The project's sources that name a framework (path under the import root, text).
    pub sources: &'a [(String, String)],
}

pub(super) async fn decide<H: Host>(host: &H, cx: &Inputs<'_>) -> Result<Writes, PlanError> {
    let mut w = Writes {
        dirs: Vec::new(),
        warnings: Vec::new(),
    };
    for value in cx.declared {
        let path = declared_path(cx.workdir, value)
            .map_err(|why| PlanError::setting(cx.origin, format!("{value:?} {why}")))?;
        w.add(path, format!("set explicitly ({})", cx.origin), Scope::Tree);
    }
    let import_root = match cx.project.import_root.as_str() {
        "" => cx.workdir.to_owned(),
        root => format!("{}/{root}", cx.workdir),
    };
    match cx.served.map(|s| s.app.framework) {
        Some(Framework::Flask) => flask(cx, &import_root, &mut w),
        Some(Framework::Django) => django(host, cx, &import_root, &mut w).await?,
        _ => {}
    }
    Ok(w)
}

impl Writes {
    fn add(&mut self, path: String, rule: String, scope: Scope) {
        if !self.dirs.iter().any(|d| d.path == path) {
            self.dirs.push(WritableDir { path, rule, scope });
        }
    }

    fn not_followed(&mut self, what: &str, file: &str, expr: &str, workdir: &str) {
        self.warnings.push(Warning::new(
            "writes-unknown",
            format!(
                "{what} in {file} is {expr}, which pycontainer does not follow; if the app writes under {workdir}, name the directory with --writable"
            ),
        ));
    }
}

/// A `writable` value: relative to the workdir, or absolute; never the
/// image's root, a system directory, or the venv (which stays read-only).
fn declared_path(workdir: &str, value: &str) -> Result<String, &'static str> {
    let joined = match value.starts_with('/') {
        true => value.to_owned(),
        false => format!("{workdir}/{value}"),
    };
    let parts: Vec<&str> = joined
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err("must not contain '..'");
    }
    let path = format!("/{}", parts.join("/"));
    const SYSTEM: &[&str] = &[
        "/", "/bin", "/etc", "/lib", "/sbin", "/usr", "/proc", "/sys",
    ];
    if SYSTEM
        .iter()
        .any(|s| path == *s || (*s != "/" && path.starts_with(&format!("{s}/"))))
    {
        return Err(
            "is a system directory; only the app's own directories can be handed to its user",
        );
    }
    let venv = pycontainer_wheel::venv::VENV;
    if path == venv || path.starts_with(&format!("{venv}/")) {
        return Err("is inside the venv, which stays read-only");
    }
    Ok(path)
}

/// Flask keeps per-deployment files in `instance/` next to the top-level
/// package, which is the import root here, and apps create it at start-up
/// (`os.makedirs(app.instance_path)`). Handed over when the app uses it.
fn flask(cx: &Inputs<'_>, import_root: &str, w: &mut Writes) {
    let user = cx.sources.iter().find(|(_, text)| {
        text.contains("instance_path") || text.contains("instance_relative_config")
    });
    if let Some((file, _)) = user {
        w.add(
            format!("{import_root}/instance"),
            format!("Flask's instance folder, used in {file}"),
            Scope::Tree,
        );
    }
}

/// Django's settings module names what collectstatic, uploads and SQLite write.
async fn django<H: Host>(
    host: &H,
    cx: &Inputs<'_>,
    import_root: &str,
    w: &mut Writes,
) -> Result<(), PlanError> {
    let Some((rel, text)) = settings_source(host, cx).await? else {
        return Ok(());
    };
    let found = django_writes(&rel, &text);
    let in_image = |p: &str| match p.starts_with('/') {
        true => p.to_owned(),
        false => format!("{import_root}/{p}"),
    };
    let settings = [
        ("STATIC_ROOT", found.static_root, false),
        ("MEDIA_ROOT", found.media_root, false),
        ("the SQLite database's NAME", found.sqlite, true),
    ];
    for (what, value, file) in settings {
        match value {
            None => {}
            Some(SettingPath::Known(p)) => {
                let path = in_image(&p);
                // SQLite writes a journal beside the database: the
                // directory too, but not the code that may share it.
                let handed = match file {
                    true => {
                        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                        vec![(dir.to_owned(), Scope::Directory), (path, Scope::File)]
                    }
                    false => vec![(path, Scope::Tree)],
                };
                let checked: Result<Vec<_>, _> = handed
                    .into_iter()
                    .map(|(p, scope)| declared_path(cx.workdir, &p).map(|p| (p, scope)))
                    .collect();
                match checked {
                    Ok(paths) => {
                        for (p, scope) in paths {
                            w.add(p, format!("Django's {what} in {rel}"), scope);
                        }
                    }
                    Err(why) => w.warnings.push(Warning::new(
                        "writes-unknown",
                        format!("Django's {what} in {rel} is {p}, which {why}; the app cannot write there as its user"),
                    )),
                }
            }
            Some(SettingPath::Unknown(expr)) => {
                w.not_followed(&format!("Django's {what}"), &rel, &expr, cx.workdir)
            }
        }
    }
    Ok(())
}

/// The settings module's file (relative to the import root) and text:
/// `pkg/settings.py` or `pkg/settings/__init__.py`, beside `manage.py`.
async fn settings_source<H: Host>(
    host: &H,
    cx: &Inputs<'_>,
) -> Result<Option<(String, String)>, PlanError> {
    let Some(served) = cx.served else {
        return Ok(None);
    };
    let Some(module) = &served.settings else {
        return Ok(None);
    };
    let base = module.replace('.', "/");
    let dir = served.workdir.as_str();
    for candidate in [format!("{base}.py"), format!("{base}/__init__.py")] {
        let rel = match dir {
            "" => candidate,
            dir => format!("{dir}/{candidate}"),
        };
        let in_context = match cx.project.import_root.as_str() {
            "" => rel.clone(),
            root => format!("{root}/{rel}"),
        };
        let path = cx.project.path(&in_context);
        if let Some(info) = host.stat(&path).await? {
            if info.kind == Kind::File {
                let text = String::from_utf8_lossy(&host.read_all(&path).await?).into_owned();
                return Ok(Some((rel, text)));
            }
        }
    }
    Ok(None)
}

/// The owner to give the writable directories: the uid of `user` when it
/// is numeric and not root; `Err` with a warning when it cannot be known.
pub(super) fn owner(user: Option<&str>, dirs: &[WritableDir]) -> Result<Option<u32>, Warning> {
    if dirs.is_empty() {
        return Ok(None);
    }
    let Some(user) = user else {
        return Err(Warning::new(
            "writes-owner",
            "the base image names no user, so the writable directories stay root's".to_owned(),
        ));
    };
    let uid = user.split(':').next().unwrap_or(user);
    match uid.parse::<u32>() {
        Ok(0) => Ok(None),
        Ok(uid) => Ok(Some(uid)),
        Err(_) if uid == "root" => Ok(None),
        Err(_) => Err(Warning::new(
            "writes-owner",
            format!("the user {user:?} is a name, not a uid, so the writable directories stay root's; give --user as UID:GID"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_paths_stay_out_of_the_system_and_the_venv() {
        assert_eq!(
            declared_path("/app", "instance"),
            Ok("/app/instance".to_owned())
        );
        assert_eq!(declared_path("/app", "./data/"), Ok("/app/data".to_owned()));
        assert_eq!(
            declared_path("/app", "/srv/media"),
            Ok("/srv/media".to_owned())
        );
        assert_eq!(declared_path("/app", "/app"), Ok("/app".to_owned()));
        assert!(declared_path("/app", "../etc").is_err());
        assert!(declared_path("/app", "/").is_err());
        assert!(declared_path("/app", "/usr/local/lib").is_err());
        assert!(declared_path("/app", ".venv/lib").is_err());
    }

    #[test]
    fn the_owner_is_the_users_uid() {
        let dirs = [WritableDir {
            path: "/app/x".into(),
            rule: String::new(),
            scope: Scope::Tree,
        }];
        assert_eq!(owner(Some("65532:65532"), &dirs), Ok(Some(65532)));
        assert_eq!(owner(Some("1000"), &dirs), Ok(Some(1000)));
        assert_eq!(owner(Some("0:0"), &dirs), Ok(None));
        assert_eq!(owner(Some("root"), &dirs), Ok(None));
        assert!(owner(Some("app"), &dirs).is_err());
        assert!(owner(None, &dirs).is_err());
        assert_eq!(owner(Some("app"), &[]), Ok(None));
    }
}
