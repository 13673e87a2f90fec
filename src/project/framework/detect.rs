//! The frameworks, the command that serves each, and `detect`, which picks the one app to serve.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::scan::{defines_application, module_name, scan_apps, settings_module};
use super::{Deps, SourceFile};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    FastApi,
    Starlette,
    Flask,
    Django,
}

impl Framework {
    /// The name people write, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Framework::FastApi => "FastAPI",
            Framework::Starlette => "Starlette",
            Framework::Flask => "Flask",
            Framework::Django => "Django",
        }
    }

    /// The project's name on PyPI, normalised.
    pub fn dependency(self) -> &'static str {
        match self {
            Framework::FastApi => "fastapi",
            Framework::Starlette => "starlette",
            Framework::Flask => "flask",
            Framework::Django => "django",
        }
    }

    /// FastAPI is built on Starlette and pulls it in, so a project that asks
    /// for FastAPI has asked for Starlette too.
    fn named_by(self, deps: &Deps) -> bool {
        deps.contains(self.dependency())
            || (self == Framework::Starlette && deps.contains(Framework::FastApi.dependency()))
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The application object a server loads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct App {
    pub framework: Framework,
    /// Dotted module path: `svc.main`.
    pub module: String,
    /// The variable holding the app, or the function that builds it. Empty
    /// only for a Django project with neither `wsgi.py` nor `asgi.py`, where
    /// `module` is the settings module and `file` is `manage.py`.
    pub attr: String,
    /// `attr` is a function to call for the app.
    pub factory: bool,
    /// The file defining it, relative to the import root.
    pub file: String,
}

/// How to serve the detected app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Served {
    pub app: App,
    pub command: Vec<String>,
    pub port: u16,
    /// `uvicorn`, `gunicorn`, `flask` or `django-runserver`.
    pub server: String,
    /// Directory, relative to the import root, the command must run in. It is
    /// empty except for a Django project whose `manage.py` sits in a
    /// subdirectory, since Django resolves its settings module from there
    /// (`app.module` is then relative to it too).
    pub workdir: String,
    /// `manage.py` relative to the import root, for Django projects.
    pub manage: Option<String>,
    /// Django's settings module, dotted, relative to `workdir`.
    pub settings: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameworkError {
    #[error(
        "found apps of more than one web framework ({}) and the dependencies do not settle which one to serve; choose one with --entrypoint",
        .candidates.join("; ")
    )]
    Ambiguous { candidates: Vec<String> },
}

const UVICORN_PORT: u16 = 8000;
const FLASK_PORT: u16 = 5000;
const DJANGO_PORT: u16 = 8000;

/// Finds the app to serve, on `port` when given (else the framework's
/// usual one). `Ok(None)` means no supported framework was found.
pub fn detect(
    files: &[SourceFile],
    deps: &Deps,
    port: Option<u16>,
) -> Result<Option<Served>, FrameworkError> {
    let mut sorted: Vec<&SourceFile> = files.iter().filter(|f| !is_test_file(f.rel)).collect();
    pycontainer_sort::sort_by(&mut sorted, |a, b| a.rel.cmp(b.rel));

    let mut best: BTreeMap<Framework, Found> = BTreeMap::new();
    for found in find_apps(&sorted).into_iter().chain(find_django(&sorted)) {
        let better = best
            .get(&found.framework())
            .is_none_or(|held| found.rank() < held.rank());
        if better {
            best.insert(found.framework(), found);
        }
    }
    // FastAPI apps are Starlette apps, and FastAPI projects often build
    // plain Starlette sub-apps: the FastAPI one is what the author serves.
    if best.contains_key(&Framework::FastApi) {
        best.remove(&Framework::Starlette);
    }
    let chosen = if best.len() <= 1 {
        best.into_values().next()
    } else {
        let named: Vec<Framework> = best
            .keys()
            .copied()
            .filter(|fw| fw.named_by(deps))
            .collect();
        match named.as_slice() {
            [only] => best.remove(only),
            _ => {
                return Err(FrameworkError::Ambiguous {
                    candidates: best.values().map(Found::label).collect(),
                })
            }
        }
    };
    Ok(chosen.map(|found| serve(found, deps, port)))
}

enum Found {
    App(App),
    Django(Django),
}

struct Django {
    /// `manage.py`, relative to the import root.
    manage: String,
    /// Directory of `manage.py`; the modules below are relative to it.
    dir: String,
    settings: String,
    /// Dotted module and file of `wsgi.py` / `asgi.py` when they define `application`.
    wsgi: Option<(String, String)>,
    asgi: Option<(String, String)>,
}

type Rank = (u8, usize, String, bool, u8, String);

impl Found {
    fn framework(&self) -> Framework {
        match self {
            Found::App(app) => app.framework,
            Found::Django(_) => Framework::Django,
        }
    }

    /// Smaller is better; only compared within one framework.
    fn rank(&self) -> Rank {
        match self {
            Found::App(app) => (
                module_rank(&app.module),
                app.module.split('.').count(),
                app.module.clone(),
                app.factory,
                attr_rank(&app.attr),
                app.attr.clone(),
            ),
            Found::Django(d) => (
                0,
                d.manage.split('/').count(),
                d.manage.clone(),
                false,
                0,
                String::new(),
            ),
        }
    }

    fn label(&self) -> String {
        match self {
            Found::App(app) => format!("{} app in {}", app.framework, app.file),
            Found::Django(d) => format!("Django project in {}", d.manage),
        }
    }
}

/// Conventional names for the module that holds the app, best first.
fn module_rank(module: &str) -> u8 {
    match module.rsplit('.').next().unwrap_or(module) {
        "main" => 0,
        "app" => 1,
        "asgi" | "wsgi" => 2,
        "server" => 3,
        "api" => 4,
        _ => 5,
    }
}

fn attr_rank(attr: &str) -> u8 {
    match attr {
        "app" => 0,
        "application" => 1,
        _ => 2,
    }
}

fn serve(found: Found, deps: &Deps, port: Option<u16>) -> Served {
    match found {
        Found::App(app) => serve_app(app, deps, port),
        Found::Django(d) => serve_django(d, deps, port.unwrap_or(DJANGO_PORT)),
    }
}

pub(super) fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|&s| s.to_owned()).collect()
}

fn serve_app(app: App, deps: &Deps, port: Option<u16>) -> Served {
    let (command, port, server) = if app.framework == Framework::Flask {
        let port = port.unwrap_or(FLASK_PORT);
        // Both gunicorn and the flask CLI call `module:f()` themselves.
        let target = if app.factory {
            format!("{}:{}()", app.module, app.attr)
        } else {
            format!("{}:{}", app.module, app.attr)
        };
        if deps.contains("gunicorn") {
            let bind = format!("0.0.0.0:{port}");
            (
                strings(&["gunicorn", "--bind", &bind, &target]),
                port,
                "gunicorn",
            )
        } else {
            let text = port.to_string();
            let command = [
                "flask", "--app", &target, "run", "--host", "0.0.0.0", "--port", &text,
            ];
            (strings(&command), port, "flask")
        }
    } else {
        let port = port.unwrap_or(UVICORN_PORT);
        let target = format!("{}:{}", app.module, app.attr);
        let text = port.to_string();
        let mut command = strings(&["uvicorn", &target, "--host", "0.0.0.0", "--port", &text]);
        if app.factory {
            command.push("--factory".to_owned());
        }
        (command, port, "uvicorn")
    };
    Served {
        app,
        command,
        port,
        server: server.to_owned(),
        workdir: String::new(),
        manage: None,
        settings: None,
    }
}

fn serve_django(d: Django, deps: &Deps, port: u16) -> Served {
    let app = |(module, file): &(String, String)| App {
        framework: Framework::Django,
        module: module.clone(),
        attr: "application".to_owned(),
        factory: false,
        file: file.clone(),
    };
    let (app, command, server) = match (&d.wsgi, &d.asgi) {
        (Some(wsgi), _) if deps.contains("gunicorn") => {
            let bind = format!("0.0.0.0:{port}");
            let target = format!("{}:application", wsgi.0);
            (
                app(wsgi),
                strings(&["gunicorn", "--bind", &bind, &target]),
                "gunicorn",
            )
        }
        (_, Some(asgi)) if deps.contains("uvicorn") => {
            let target = format!("{}:application", asgi.0);
            let text = port.to_string();
            let command = ["uvicorn", &target, "--host", "0.0.0.0", "--port", &text];
            (app(asgi), strings(&command), "uvicorn")
        }
        (wsgi, asgi) => {
            let app = match wsgi.as_ref().or(asgi.as_ref()) {
                Some(found) => app(found),
                None => App {
                    framework: Framework::Django,
                    module: d.settings.clone(),
                    attr: String::new(),
                    factory: false,
                    file: d.manage.clone(),
                },
            };
            let bind = format!("0.0.0.0:{port}");
            let command = strings(&["python3", "manage.py", "runserver", &bind]);
            (app, command, "django-runserver")
        }
    };
    Served {
        app,
        command,
        port,
        server: server.to_owned(),
        workdir: d.dir,
        manage: Some(d.manage),
        settings: Some(d.settings),
    }
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// Test modules build throwaway apps of their own; they never hold the real one.
pub(super) fn is_test_file(rel: &str) -> bool {
    let name = file_name(rel);
    name == "conftest.py"
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || rel.split('/').rev().skip(1).any(|dir| dir == "tests")
}

fn find_apps(files: &[&SourceFile]) -> Vec<Found> {
    let mut found = Vec::new();
    for file in files {
        let Some(module) = module_name(file.rel) else {
            continue;
        };
        for (attr, framework, factory) in scan_apps(file.text) {
            found.push(Found::App(App {
                framework,
                module: module.clone(),
                attr,
                factory,
                file: file.rel.to_owned(),
            }));
        }
    }
    found
}

fn join_path(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/")
}

fn find_django(files: &[&SourceFile]) -> Vec<Found> {
    // Extended, not collected: collecting into a map sorts, with a copy of the sort per type.
    let mut by_rel: BTreeMap<&str, &SourceFile> = BTreeMap::new();
    by_rel.extend(files.iter().map(|f| (f.rel, *f)));
    let mut found = Vec::new();
    for manage in files.iter().filter(|f| file_name(f.rel) == "manage.py") {
        let Some(settings) = settings_module(manage.text) else {
            continue;
        };
        let dir = manage
            .rel
            .rsplit_once('/')
            .map_or("", |(dir, _)| dir)
            .to_owned();
        // `config.settings.production` keeps wsgi.py in `config`, next to
        // the settings package, so walk up from the settings module.
        let parts: Vec<&str> = settings.split('.').collect();
        let packages: Vec<&[&str]> = if parts.len() == 1 {
            vec![&parts[..0]]
        } else {
            (1..parts.len()).rev().map(|n| &parts[..n]).collect()
        };
        let locate = |name: &str, helper: &str| {
            packages.iter().find_map(|package| {
                let package_dir = package.join("/");
                let file = join_path(&[&dir, &package_dir, &format!("{name}.py")]);
                let source = by_rel.get(file.as_str())?;
                defines_application(source.text, helper).then(|| {
                    let module = package
                        .iter()
                        .copied()
                        .chain([name])
                        .collect::<Vec<_>>()
                        .join(".");
                    (module, file)
                })
            })
        };
        let wsgi = locate("wsgi", "get_wsgi_application");
        let asgi = locate("asgi", "get_asgi_application");
        found.push(Found::Django(Django {
            manage: manage.rel.to_owned(),
            dir,
            settings,
            wsgi,
            asgi,
        }));
    }
    found
}
