//! What the dependency layer will hold, decided before anything is written:
//! the selection checked against the input, the base's Python and C library,
//! the venv, and one wheel per package, from a lock or a resolution.

use pycontainer_pypi::lock::{self, Selection};
use pycontainer_python::tags::{Tags, Target};
use pycontainer_wheel::target::BaseEnv;
use pycontainer_wheel::venv::Venv;
use serde::Serialize;

use super::bytecode::{self, Bytecode};
use super::download::Credentials;
use super::indexes::Indexes;
use super::input::{Format, Input};
use super::pins::{self, PendingLock, Pick};
use super::{project, DepsError, DepsRequest};
use crate::host::{Host, Progress};
use crate::layout::Layout;
use crate::project::Project;
use crate::registry::Client;
use crate::source::BaseImage;

/// The dependency layer, as planned.
pub struct Install {
    pub target: Target,
    pub venv: Venv,
    /// `VIRTUAL_ENV`, and PATH with the venv's bin first, as activating it sets them.
    pub env: Vec<(String, String)>,
    /// One wheel per package, sorted by name.
    pub picks: Vec<Pick>,
    /// The lock to write once the layer exists, when the picks come from a new resolution.
    pub lock: Option<PendingLock>,
    /// What the downloads send to each index.
    pub credentials: Vec<Credentials>,
    pub bytecode: Bytecode,
}

/// One installed distribution, for people and `--json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct InstalledPackage {
    pub name: String,
    pub version: String,
    /// The wheel installed: from the index, or built from `sdist`.
    pub wheel: String,
    /// The sdist the wheel was built from, when the version has no wheel
    /// for the image.
    pub sdist: Option<String>,
}

impl Install {
    pub fn packages(&self) -> Vec<InstalledPackage> {
        self.picks
            .iter()
            .map(|p| {
                let (wheel, sdist) = if p.is_sdist() {
                    let wheel = pycontainer_sdist::wheel_name(&p.name, &p.version);
                    (wheel, Some(p.wanted.filename.clone()))
                } else {
                    (p.wanted.filename.clone(), None)
                };
                InstalledPackage {
                    name: p.name.to_string(),
                    version: p.version.to_string(),
                    wheel,
                    sdist,
                }
            })
            .collect()
    }
}

/// Reads the input file and checks every selected extra and group against
/// it; needs no target, so it runs before any base layer is pulled. Returns
/// the text of a lock, which the picks are read from later.
pub async fn check<H: Host>(
    host: &H,
    project: &Project,
    input: &Input,
    selection: &Selection,
) -> Result<Option<String>, DepsError> {
    let format = input.format;
    let text = match (format, &input.path) {
        (Format::Pylock | Format::UvLock | Format::PoetryLock, Some(path)) => {
            Some(String::from_utf8_lossy(&host.read_all(path).await?).into_owned())
        }
        _ => None,
    };
    let name = input.file_name();
    match (format, text.as_deref()) {
        (Format::Pylock, Some(text)) => lock::pylock::check_selection(text, &name, selection)?,
        (Format::UvLock, Some(text)) => {
            lock::uvlock::check_selection(text, &name, selection, input.member())?
        }
        // Poetry's extras and groups, like the project's, are pyproject.toml's.
        (Format::PoetryLock | Format::Project, _) => {
            project::requirements(project, selection)?;
        }
        _ => {}
    }
    Ok(text)
}

/// Everything the layer needs: the target the base's Python (`env`, read
/// from its layers by the plan) makes, the venv, and the picks. `text` is
/// what `check` returned.
pub async fn decide<H: Host>(
    client: &Client<'_, H>,
    req: &DepsRequest<'_>,
    text: Option<&str>,
    env: &BaseEnv,
) -> Result<Install, DepsError> {
    let host = client.host();
    let cache = Layout::new(host, req.cache.require("installing dependencies")?);
    host.progress(&Progress::Phase {
        name: "dependencies",
    });
    let machine = req
        .platform
        .python_machine()
        .ok_or_else(|| DepsError::Machine {
            platform: req.platform.to_string(),
        })?;
    let target = Target {
        python: env.version()?,
        machine: machine.to_owned(),
        libc: env.libc,
    };
    let cx = pins::Context {
        host,
        cache: &cache,
        target: &target,
        tags: Tags::for_target(&target),
        indexes: Indexes::new(req.settings, &[]),
        parallel: client.options.parallel,
        context: &req.project.root,
    };
    let (picks, lock) = cache.cleaning(pins::pick(&cx, req, text)).await?;
    let bytecode = bytecode::decide(host, req.settings.compile, env)?;
    let venv = Venv {
        interpreter: env.interpreter.clone(),
        version: env.python.clone(),
        minor: env.minor(),
    };
    Ok(Install {
        env: venv.env(base_path(req.base)),
        venv,
        picks,
        lock,
        credentials: cx.indexes.credentials,
        target,
        bytecode,
    })
}

/// The base's PATH, which the venv's bin goes in front of.
fn base_path(base: &BaseImage) -> Option<&str> {
    base.image
        .config()
        .config
        .as_ref()
        .and_then(|c| c.env.as_ref())
        .and_then(|env| env.iter().find_map(|e| e.strip_prefix("PATH=")))
}
