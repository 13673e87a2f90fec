//! Wheels built from source distributions without running Python, where
//! that is safe: pure-Python code, static metadata, and a build backend whose
//! documented file-selection rules are reimplemented here
//! ([`backend`]). Anything that would need code to run (`setup.py` logic,
//! build plugins and hooks, C or Rust sources, dynamic metadata) is refused
//! with a [`Refusal`] that says why. No I/O: the caller hands over the
//! `.tar.gz` bytes and gets the wheel's bytes back.
//!
//! The wheel's METADATA is the sdist's PKG-INFO, byte for byte: the backend
//! wrote it from the same static data it would write the wheel's from
//! ([`metadata`] says when that holds). The wheel is a stored zip with a
//! fixed timestamp, so the same sdist always gives the same bytes.

mod backend;
mod metadata;
mod tree;
mod wheel;

use pycontainer_python::name::PackageName;
use pycontainer_python::pep440::Version;

pub use backend::Backend;

/// Bump when the same sdist would give a different wheel: the deps layer's
/// cache key includes it.
pub const BUILDER: &str = "pycontainer-sdist-1";

/// A wheel built from an sdist.
#[derive(Debug)]
pub struct Built {
    /// `{name}-{version}-py3-none-any.whl`.
    pub filename: String,
    /// The wheel, a zip archive.
    pub wheel: Vec<u8>,
    /// Its METADATA, for the resolver.
    pub metadata: Vec<u8>,
    pub backend: Backend,
}

#[derive(Debug, thiserror::Error)]
pub enum SdistError {
    /// The archive cannot be read.
    #[error("{0}")]
    Archive(String),
    /// Readable, but pycontainer will not build it.
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// Why an sdist is not built. Each says what would have to run, or what
/// pycontainer does not implement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("only .tar.gz source distributions are built")]
    NotTarGz,
    #[error("it has no PKG-INFO")]
    NoPkgInfo,
    #[error("its PKG-INFO describes {found} instead")]
    OtherDistribution { found: String },
    #[error("its build backend {0:?} is not one pycontainer implements (setuptools, flit_core, hatchling, pdm-backend, poetry-core)")]
    Backend(String),
    #[error("its build needs {0:?}, a build plugin that would run code")]
    BuildPlugin(String),
    #[error("setup.py runs code (it is not the plain setup() call)")]
    SetupPy,
    #[error("it has compiled or native sources ({0})")]
    Native(String),
    #[error("{0} is a link; links in sdists are not followed")]
    Link(String),
    #[error("its metadata is dynamic ({0})")]
    Dynamic(String),
    #[error("its PKG-INFO is metadata {0}, older than 2.2, so the wheel's metadata may differ from it, and it has no static pyproject.toml [project] table to trust instead")]
    OldMetadata(String),
    #[error("pyproject.toml cannot be read: {0}")]
    Pyproject(String),
    #[error("setup.cfg cannot be read: {0}")]
    SetupCfg(String),
    #[error("{backend} option {option} is not implemented by pycontainer")]
    Option {
        backend: &'static str,
        option: String,
    },
    #[error("{0}")]
    Layout(String),
}

/// Whether a file an index or lock lists is an sdist this crate may build.
pub fn is_sdist(filename: &str) -> bool {
    filename.ends_with(".tar.gz")
}

/// The name of the wheel [`build`] makes.
pub fn wheel_name(name: &PackageName, version: &Version) -> String {
    format!("{}-{version}-py3-none-any.whl", name.as_dist_info_name())
}

/// Unpacks `tar_gz` and builds the wheel of `name` `version` from it.
pub fn build(
    name: &PackageName,
    version: &Version,
    filename: &str,
    tar_gz: &[u8],
) -> Result<Built, SdistError> {
    if !is_sdist(filename) {
        return Err(Refusal::NotTarGz.into());
    }
    let tree = tree::Tree::unpack(tar_gz)?;
    Ok(build_tree(name, version, &tree)?)
}

fn build_tree(name: &PackageName, version: &Version, tree: &tree::Tree) -> Result<Built, Refusal> {
    tree.check_pure()?;
    let project = backend::Project::read(tree)?;
    let metadata = metadata::Metadata::choose(tree, &project, name, version)?;
    let files = project.backend.select(tree, &project, &metadata)?;
    let dist_info = format!("{}-{version}.dist-info", name.as_dist_info_name());
    let extra = wheel::dist_info_files(tree, &project, &metadata)?;
    let wheel = wheel::write(tree, &files, &dist_info, &extra, &metadata.text);
    Ok(Built {
        filename: wheel_name(name, version),
        wheel,
        metadata: metadata.text.clone(),
        backend: project.backend,
    })
}

#[cfg(test)]
mod tests;
