//! Lock files and requirements files, each read into what ONE target environment installs.
//!
//! Every reader takes the file's text (no I/O), the target's [`MarkerEnv`] and what the user
//! selected, and returns [`Locked`]: one pinned version per package with the files the lock
//! allows for it. Markers, forks and extras are settled here, so later steps never see them.

pub mod poetry;
pub mod pylock;
pub mod requirements;
mod tree;
pub mod uvlock;

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use toml::Spanned;

use crate::index::url::percent_decode;
use pycontainer_python::name::{ExtraName, PackageName};
use pycontainer_python::pep440::{Pep440Error, SpecifierSet, Version};
use pycontainer_python::pep508::{Marker, MarkerEnv};
use pycontainer_python::tags::PythonTags;
use pycontainer_python::wheel::WheelName;

/// What the user asked for beyond the default dependencies (`--extra`, `--group`).
///
/// No group is implied, not even `dev`: an image is not a development environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub extras: Vec<ExtraName>,
    pub groups: Vec<ExtraName>,
}

/// One package to install, at one version.
#[derive(Clone, Debug, PartialEq)]
pub struct Pinned {
    pub name: PackageName,
    pub version: Version,
    /// The files the lock allows (wheels, and the sdist when it names one); empty when the
    /// input names none and the index must be asked for this version's files.
    pub files: Vec<LockedFile>,
    /// The simple-API URL the files came from, when the input says.
    pub index: Option<String>,
    /// Hashes not tied to one file (requirements.txt `--hash`): whichever file is downloaded
    /// must match one of them. Empty when the input hashes each file in `files` instead.
    pub hashes: Vec<FileHash>,
}

/// A file the lock names for a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedFile {
    pub filename: String,
    /// None when the input gives only the file's name (poetry.lock): the index has its URL.
    pub url: Option<String>,
    /// The downloaded file must match every one of these. Empty only when the lock has none
    /// (uv.lock, for an index that publishes no hashes): the installer decides what to do.
    pub hashes: Vec<FileHash>,
    pub size: Option<u64>,
}

/// A file digest as locks record it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileHash {
    /// Lowercase: `sha256`, `sha512`, …
    pub algorithm: String,
    /// Lowercase hex digits.
    pub hex: String,
}

impl FileHash {
    /// Lowercases both parts; None when either is empty or the digest is not hex.
    pub fn new(algorithm: &str, hex: &str) -> Option<FileHash> {
        let valid = !algorithm.is_empty()
            && algorithm.chars().all(|c| c.is_ascii_alphanumeric())
            && !hex.is_empty()
            && hex.chars().all(|c| c.is_ascii_hexdigit());
        valid.then(|| FileHash {
            algorithm: algorithm.to_ascii_lowercase(),
            hex: hex.to_ascii_lowercase(),
        })
    }

    /// The `sha256:<hex>` form uv, Poetry and pip write.
    pub fn parse(text: &str) -> Option<FileHash> {
        let (algorithm, hex) = text.trim().split_once(':')?;
        FileHash::new(algorithm, hex)
    }
}

impl fmt::Display for FileHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

/// Everything one input pins for the target environment.
#[derive(Clone, Debug, PartialEq)]
pub struct Locked {
    /// The input's file name, for messages.
    pub source: String,
    /// Sorted by name, one entry per name.
    pub packages: Vec<Pinned>,
}

impl Locked {
    /// The packages that list wheels, none of which CPython fits on Linux as `tags` says.
    /// Packages that list no wheel (an sdist alone, or files left to the index to name) are
    /// not counted: the choice of Python neither helps nor hurts them here.
    pub fn without_wheels_for(&self, tags: &PythonTags) -> Vec<&Pinned> {
        self.packages
            .iter()
            .filter(|p| {
                let wheels: Vec<WheelName> = p
                    .files
                    .iter()
                    .filter_map(|f| WheelName::parse(&f.filename).ok())
                    .collect();
                !wheels.is_empty() && !wheels.iter().any(|w| tags.fits(w))
            })
            .collect()
    }
}

/// Why an input could not be turned into pins. Every message names the file, and the line,
/// key or package where one applies.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LockError {
    #[error("{file} (line {line}, column {column}): {message}")]
    Toml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: `{key}`: {message}")]
    Field {
        file: String,
        key: String,
        message: String,
    },
    #[error("{file}: {key} = {found:?} is a newer format than pycontainer reads ({supported})")]
    FormatVersion {
        file: String,
        key: &'static str,
        found: String,
        supported: &'static str,
    },
    #[error("{file} requires Python {requires}, but the image has Python {python}")]
    Python {
        file: String,
        requires: String,
        python: String,
    },
    #[error("{file} is locked for {}, and the image ({image}) is none of them", .environments.join(" | "))]
    Environment {
        file: String,
        environments: Vec<String>,
        image: String,
    },
    #[error("{file}: package \"{package}\"{}: {problem}", At(*.line))]
    Package {
        file: String,
        package: String,
        line: Option<usize>,
        problem: Problem,
    },
    #[error("{file}: {what} \"{name}\" is not defined; it has: {}", list_or_none(.available))]
    NotDefined {
        file: String,
        what: &'static str,
        name: String,
        available: Vec<String>,
    },
    #[error("{file}: no package is the project itself (a source of `editable`, `virtual` or `directory` \".\", or a `[manifest] members` entry)")]
    NoProject { file: String },
    #[error("{file} has no package for the workspace member {member} (a source of `editable` or `virtual` \"{member}\"); it is out of date, or locks another workspace: run `uv lock` in the workspace")]
    NoMember { file: String, member: String },
    #[error("{file} is out of date: {package} is not in it")]
    OutOfDate { file: String, package: String },
    #[error("{file} line {line}: {problem}")]
    Line {
        file: String,
        line: usize,
        problem: LineProblem,
    },
}

impl LockError {
    /// The lock or requirements file at fault, as the message names it.
    pub fn file(&self) -> &str {
        match self {
            LockError::Toml { file, .. }
            | LockError::Field { file, .. }
            | LockError::FormatVersion { file, .. }
            | LockError::Python { file, .. }
            | LockError::Environment { file, .. }
            | LockError::Package { file, .. }
            | LockError::NotDefined { file, .. }
            | LockError::NoProject { file }
            | LockError::NoMember { file, .. }
            | LockError::OutOfDate { file, .. }
            | LockError::Line { file, .. } => file,
        }
    }

    /// The key at fault in the file, when one is.
    pub fn key(&self) -> Option<&str> {
        match self {
            LockError::Field { key, .. } => Some(key),
            LockError::FormatVersion { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The line at fault (1-based), when the reader knows it.
    pub fn line(&self) -> Option<usize> {
        match self {
            LockError::Toml { line, .. } | LockError::Line { line, .. } => Some(*line),
            LockError::Package { line, .. } => *line,
            _ => None,
        }
    }

    /// The column at fault on `line` (1-based), when the reader knows it.
    pub fn column(&self) -> Option<usize> {
        match self {
            LockError::Toml { column, .. } => Some(*column),
            _ => None,
        }
    }
}

/// What is wrong with one package of a lock.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("{0:?} is not a valid package name")]
    Name(String),
    #[error("has no version")]
    NoVersion,
    #[error("invalid version: {0}")]
    Version(String),
    #[error("invalid marker {marker:?}: {message}")]
    Marker { marker: String, message: String },
    #[error("invalid requires-python {requires:?}: {message}")]
    RequiresPythonSyntax { requires: String, message: String },
    #[error("requires Python {requires}, but the image has Python {python}")]
    Python { requires: String, python: String },
    #[error("is locked more than once for this environment ({versions}); the lock must narrow it to one")]
    Ambiguous { versions: String },
    #[error("none of the locked versions of its dependency \"{dependency}\" is for this environment ({detail})")]
    NoFork { dependency: String, detail: String },
    #[error("several locked versions of its dependency \"{dependency}\" are for this environment ({versions}); the lock must narrow it to one")]
    ForkAmbiguous {
        dependency: String,
        versions: String,
    },
    #[error("comes from {what}, which would need a build; only packages from an index can go in the image as wheels")]
    NeedsBuild { what: String },
    #[error("depends on \"{0}\", which is not in the lock")]
    MissingDependency(String),
    #[error("invalid hash {0:?}: expected ALGORITHM:HEX, such as sha256:…")]
    Hash(String),
    #[error("a file has no url ({0}); files given only by a local path are not supported")]
    NoUrl(String),
    #[error("file {0} has no hash; a lock must give one for every file")]
    NoHash(String),
    #[error("lists no wheel and no sdist")]
    NoFiles,
}

/// What is wrong with one line of a requirements file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LineProblem {
    #[error("{0}")]
    Requirement(String),
    #[error("editable installs (-e) cannot go in an image: the image holds installed files, not a link to a source tree")]
    Editable,
    #[error("--no-binary asks for a build from source, which pycontainer does not do: it installs wheels only")]
    NoBinary,
    #[error("--find-links is not supported: use --index-url or --extra-index-url")]
    FindLinks,
    #[error("unknown option {0}")]
    UnknownOption(String),
    #[error("{0} needs a value")]
    MissingValue(String),
    #[error("invalid hash {0:?}: expected sha256:HEX (or sha384, sha512)")]
    Hash(String),
    #[error("{0} is not a requirement pycontainer can install once its ${{VAR}}s are expanded (their values are not shown)")]
    Expanded(String),
    #[error("{0} is not a wheel: installing it would need a build")]
    NeedsBuild(String),
    #[error("{0:?} is not a valid wheel file name")]
    WheelName(String),
    #[error("{0} has no --hash, but {1} does: once one requirement has hashes, pip's hash-checking mode needs them on all")]
    HashMissing(String, String),
    #[error("{0} conflicts with {1}")]
    Conflict(String, String),
    #[error(
        "{0} is not pinned with ==, which pip's hash-checking mode requires of every requirement"
    )]
    NotPinned(String),
}

/// " (line N)" when the line is known.
struct At(Option<usize>);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(line) => write!(f, " (line {line})"),
            None => Ok(()),
        }
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.bytes().take(offset).filter(|&b| b == b'\n').count() + 1
}

/// A TOML syntax or shape error, placed by line and column.
fn toml_error(file: &str, text: &str, error: &toml::de::Error) -> LockError {
    let start = error.span().map_or(0, |s| s.start);
    toml_error_at(file, text, start, error.message().trim().to_owned())
}

/// A TOML error at byte offset `start`, placed by line and column.
fn toml_error_at(file: &str, text: &str, start: usize, message: String) -> LockError {
    let before = text.get(..start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    LockError::Toml {
        file: file.to_owned(),
        line,
        column,
        message,
    }
}

/// The image's Python as a version, from the environment's `python_full_version`.
fn image_python(file: &str, env: &MarkerEnv) -> Result<Version, LockError> {
    env.python_full_version
        .parse()
        .map_err(|e: Pep440Error| LockError::Field {
            file: file.to_owned(),
            key: "python_full_version".to_owned(),
            message: format!("the image's Python version is not PEP 440: {e}"),
        })
}

/// Refuses a file whose top-level `requires-python` excludes the image's Python.
fn check_requires_python(file: &str, requires: &str, python: &Version) -> Result<(), LockError> {
    let admitted = admits_python(requires, python).map_err(|e| LockError::Field {
        file: file.to_owned(),
        key: "requires-python".to_owned(),
        message: e.to_string(),
    })?;
    if admitted {
        Ok(())
    } else {
        Err(LockError::Python {
            file: file.to_owned(),
            requires: requires.to_owned(),
            python: python.to_string(),
        })
    }
}

/// Whether a PEP 440 `requires-python` admits the image's Python.
fn admits_python(requires: &str, python: &Version) -> Result<bool, Pep440Error> {
    let set: SpecifierSet = requires.parse()?;
    // A pre-release image Python (3.14.0rc1) is still the Python the lock must accept.
    Ok(set.contains(python, true))
}

/// A short description of the image for messages: `Linux x86_64, Python 3.11.9`.
fn describe(env: &MarkerEnv) -> String {
    format!(
        "{} {}, Python {}",
        env.platform_system, env.platform_machine, env.python_full_version
    )
}

/// The file name a URL points at: its last path segment, percent-decoded.
fn url_filename(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let last = path.rsplit('/').next().unwrap_or(path);
    percent_decode(last)
}

/// Where in a lock a package is, so that its problems can name it.
#[derive(Clone, Copy)]
struct PackageAt<'a> {
    file: &'a str,
    package: &'a str,
    line: Option<usize>,
}

impl PackageAt<'_> {
    fn error(&self, problem: Problem) -> LockError {
        LockError::Package {
            file: self.file.to_owned(),
            package: self.package.to_owned(),
            line: self.line,
            problem,
        }
    }

    fn name(&self) -> Result<PackageName, LockError> {
        PackageName::new(self.package)
            .map_err(|_| self.error(Problem::Name(self.package.to_owned())))
    }

    fn marker(&self, text: &str) -> Result<Marker, LockError> {
        Marker::parse(text).map_err(|e| {
            self.error(Problem::Marker {
                marker: text.to_owned(),
                message: e.to_string(),
            })
        })
    }

    fn version(&self, text: Option<&str>) -> Result<Version, LockError> {
        let text = text.ok_or_else(|| self.error(Problem::NoVersion))?;
        text.parse()
            .map_err(|e: Pep440Error| self.error(Problem::Version(e.to_string())))
    }

    /// The file list of a pin: `files` converted, and at least one of them.
    fn files(
        &self,
        files: impl Iterator<Item = Result<LockedFile, LockError>>,
    ) -> Result<Vec<LockedFile>, LockError> {
        let files = files.collect::<Result<Vec<_>, _>>()?;
        if files.is_empty() {
            return Err(self.error(Problem::NoFiles));
        }
        Ok(files)
    }

    /// A file's name and URL. The name is the one written, else the last segment of the URL
    /// or path; a file with no URL is an error that names it.
    fn file_place(
        &self,
        name: Option<&str>,
        url: Option<&str>,
        path: Option<&str>,
    ) -> Result<(String, String), LockError> {
        let filename = match (name, url, path) {
            (Some(name), _, _) => name.to_owned(),
            (None, Some(url), _) => url_filename(url),
            (None, None, Some(path)) => url_filename(path),
            (None, None, None) => String::from("(unnamed)"),
        };
        match url {
            Some(url) => Ok((filename, url.to_owned())),
            None => Err(self.error(Problem::NoUrl(filename))),
        }
    }

    /// A `sha256:…` hash as uv and Poetry write it.
    fn prefixed_hash(&self, text: &str) -> Result<FileHash, LockError> {
        FileHash::parse(text).ok_or_else(|| self.error(Problem::Hash(text.to_owned())))
    }
}

/// A lock's package entries, each placed in the file's text for messages.
struct Entries<'a, P> {
    file: &'a str,
    text: &'a str,
    list: &'a [Spanned<P>],
    /// The name an entry gives, as written.
    name: fn(&P) -> &str,
}

impl<'a, P> Entries<'a, P> {
    fn new(file: &'a str, text: &'a str, list: &'a [Spanned<P>], name: fn(&P) -> &str) -> Self {
        Entries {
            file,
            text,
            list,
            name,
        }
    }

    fn at_entry(&self, entry: &'a Spanned<P>) -> PackageAt<'a> {
        PackageAt {
            file: self.file,
            package: (self.name)(entry.get_ref()),
            line: Some(line_of(self.text, entry.span().start)),
        }
    }

    fn at(&self, index: usize) -> Option<PackageAt<'a>> {
        self.list.get(index).map(|entry| self.at_entry(entry))
    }

    fn package(&self, index: usize) -> Option<&'a P> {
        self.list.get(index).map(Spanned::get_ref)
    }
}

/// The part of a lock's graph a walk has reached: each package entry (by index) with each
/// extra of it, and the ones whose dependencies are still to follow.
#[derive(Default)]
struct Frontier {
    seen: HashSet<(usize, Option<ExtraName>)>,
    queue: Vec<(usize, Option<ExtraName>)>,
    /// Every entry reached, by name; more than one for a name is an error.
    reached: BTreeMap<PackageName, Vec<usize>>,
}

impl Frontier {
    /// Reaches entry `index`, named `name` (None when it has no valid name), with `extra`.
    fn push(&mut self, index: usize, name: Option<&PackageName>, extra: Option<ExtraName>) {
        if self.seen.insert((index, extra.clone())) {
            self.queue.push((index, extra));
        }
        if let Some(name) = name {
            let entries = self.reached.entry(name.clone()).or_default();
            if !entries.contains(&index) {
                entries.push(index);
            }
        }
    }

    /// Reaches `index` itself and with each of `extras`, as a dependency of `at` asks.
    fn push_with_extras(
        &mut self,
        at: &PackageAt,
        index: usize,
        name: Option<&PackageName>,
        extras: &[String],
    ) -> Result<(), LockError> {
        self.push(index, name, None);
        for extra in extras {
            let extra =
                ExtraName::new(extra).map_err(|_| at.error(Problem::Name(extra.clone())))?;
            self.push(index, name, Some(extra));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_lowercased_and_checked() {
        let h = FileHash::parse("SHA256:ABCdef0123").unwrap();
        assert_eq!(
            (h.algorithm.as_str(), h.hex.as_str()),
            ("sha256", "abcdef0123")
        );
        assert_eq!(h.to_string(), "sha256:abcdef0123");
        for bad in ["sha256", "sha256:", ":abc", "sha256:xyz", "sha-256:ab"] {
            assert_eq!(FileHash::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_url_names_its_file_percent_decoded() {
        assert_eq!(
            url_filename("https://download.pytorch.org/whl/cpu/torch-2.6.0%2Bcpu-cp312-cp312-linux_x86_64.whl#sha256=abc"),
            "torch-2.6.0+cpu-cp312-cp312-linux_x86_64.whl"
        );
        assert_eq!(
            url_filename(
                "https://files.pythonhosted.org/packages/ab/cd/idna-3.7-py3-none-any.whl?x=1"
            ),
            "idna-3.7-py3-none-any.whl"
        );
    }

    #[test]
    fn toml_errors_point_at_line_and_column() {
        let text = "a = 1\nb = [\n  1,\n  x\n]\n";
        let e = toml::from_str::<toml::Table>(text).unwrap_err();
        match toml_error("uv.lock", text, &e) {
            LockError::Toml { line, column, .. } => assert_eq!((line, column), (4, 3)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn packages_without_a_wheel_for_a_python() {
        let file = |filename: &str| LockedFile {
            filename: filename.to_owned(),
            url: None,
            hashes: Vec::new(),
            size: None,
        };
        let pinned = |name: &str, files: &[&str]| Pinned {
            name: PackageName::new(name).unwrap(),
            version: "2.0".parse().unwrap(),
            files: files.iter().map(|f| file(f)).collect(),
            index: None,
            hashes: Vec::new(),
        };
        let locked = Locked {
            source: "uv.lock".to_owned(),
            packages: vec![
                pinned(
                    "core",
                    &[
                        "core-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                        "core-2.0-cp312-cp312-manylinux_2_17_x86_64.whl",
                        "core-2.0-cp313-cp313-win_amd64.whl",
                        "core-2.0.tar.gz",
                    ],
                ),
                pinned("pure", &["pure-2.0-py3-none-any.whl"]),
                pinned(
                    "stable",
                    &["stable-2.0-cp312-abi3-manylinux_2_17_x86_64.whl"],
                ),
                pinned("sdist", &["sdist-2.0.tar.gz"]),
                pinned("unnamed", &[]),
            ],
        };
        let lacking = |minor| {
            locked
                .without_wheels_for(&PythonTags::for_minor(3, minor))
                .iter()
                .map(|p| p.name.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(lacking(12), Vec::<String>::new());
        assert_eq!(lacking(11), ["stable"]);
        assert_eq!(lacking(13), ["core"], "a Windows wheel does not count");
        assert_eq!(lacking(10), ["core", "stable"]);
    }
}
