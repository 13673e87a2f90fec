//! Installing one wheel (the binary distribution format spec, after PEP 427):
//! where each file goes and with which mode, every file checked against
//! RECORD, launchers for its entry points, INSTALLER and a new RECORD.
//! Nothing is written here; the plan says what the layer holds.
//!
//! The caller:
//! 1. [`Wheel::new`] from the file name and central directory: every path is
//!    checked here, before any byte is read;
//! 2. reads each of [`Wheel::needed`] whole (a few small files);
//! 3. [`Wheel::plan`]: files sorted by path, each from the zip (to verify
//!    against its sha256 while streaming) or from bytes made here.

use std::collections::{BTreeMap, BTreeSet};

use pycontainer_archive::zip::ZipEntry;
use pycontainer_digest::{Digest, Sha256};
use pycontainer_python::name::normalize;
use pycontainer_python::pep440::Version;
use pycontainer_python::record::{self, RecordEntry, RecordError, RecordHash};

const FILE_MODE: u32 = 0o644;
const EXEC_MODE: u32 = 0o755;
const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;
const INSTALLER: &[u8] = b"pycontainer\n";
/// Longest shebang line Linux reads (`#!`, the path, the newline).
const MAX_SHEBANG: usize = 127;
/// Scripts up to this size are read whole to rewrite `#!python`; larger ones
/// are the compiled binaries some wheels ship there (ruff, uv) and are
/// streamed as they are; a `#!python` script that large would keep its line.
const SCRIPT_READ_LIMIT: u64 = 1 << 20;

/// Where a wheel's files go, relative to the image root (no leading `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    pub site_packages: String,
    pub scripts: String,
    pub headers: String,
    pub data: String,
    /// The interpreter's absolute path, for shebang lines.
    pub python: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The entry's bytes, which must hash to `expected` (from RECORD).
    Zip { entry: ZipEntry, expected: Digest },
    /// Made or rewritten here, and already checked.
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// Relative to the image root.
    pub path: String,
    pub mode: u32,
    pub source: Source,
}

impl Installed {
    pub fn size(&self) -> u64 {
        match &self.source {
            Source::Zip { entry, .. } => entry.size,
            Source::Bytes(bytes) => bytes.len() as u64,
        }
    }
}

/// One wheel's part of the layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Every directory the files need, sorted, mode 0o755: those below
    /// `Scheme::data`, which itself and its parents are the caller's.
    pub dirs: Vec<String>,
    /// Sorted by path.
    pub files: Vec<Installed>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstallError {
    #[error("{wheel}: not a wheel file name (name-version[-build]-python-abi-platform.whl)")]
    Filename { wheel: String },
    #[error("{wheel}: entry {entry:?} {reason}; refusing to install it")]
    UnsafePath {
        wheel: String,
        entry: String,
        reason: &'static str,
    },
    #[error("{wheel}: entry {entry:?} is a symbolic link; a wheel may only hold regular files")]
    Symlink { wheel: String, entry: String },
    #[error("{wheel}: entry {entry:?} is a special file (mode {mode:o}); a wheel may only hold regular files")]
    SpecialFile {
        wheel: String,
        entry: String,
        mode: u32,
    },
    #[error("{wheel}: {path:?} would be installed twice")]
    Duplicate { wheel: String, path: String },
    #[error("{wheel}: {path:?} would be both a file and a directory")]
    FileAndDirectory { wheel: String, path: String },
    #[error("{wheel}: no .dist-info directory")]
    NoDistInfo { wheel: String },
    #[error("{wheel}: more than one .dist-info directory: {}", found.join(", "))]
    ManyDistInfo { wheel: String, found: Vec<String> },
    #[error("{wheel}: its metadata directory {dist_info:?} names another project or version than the file name")]
    DistInfoMismatch { wheel: String, dist_info: String },
    #[error("{wheel}: unexpected directory {dir:?}; the only .data directory may be {expected:?}")]
    UnexpectedDataDir {
        wheel: String,
        dir: String,
        expected: String,
    },
    #[error("{wheel}: entry {entry:?} is not under one of .data's purelib, platlib, scripts, headers or data")]
    DataKey { wheel: String, entry: String },
    #[error("{wheel}: {entry:?} is missing")]
    MissingMetadata { wheel: String, entry: String },
    #[error("{wheel}: the contents of {entry:?} were not given")]
    MissingContent { wheel: String, entry: String },
    #[error("{wheel}: {entry:?} is not UTF-8")]
    NotUtf8 { wheel: String, entry: String },
    #[error("{wheel}: WHEEL says Wheel-Version {version:?}; only 1.x is supported")]
    WheelVersion { wheel: String, version: String },
    #[error("{wheel}: WHEEL has no Wheel-Version")]
    NoWheelVersion { wheel: String },
    #[error("{wheel}: {source}")]
    Record { wheel: String, source: RecordError },
    #[error("{wheel}: {entry:?} is not listed in RECORD")]
    NotInRecord { wheel: String, entry: String },
    #[error("{wheel}: RECORD lists {entry:?}, which the wheel does not hold")]
    MissingFromWheel { wheel: String, entry: String },
    #[error("{wheel}: RECORD lists {entry:?} twice")]
    ListedTwice { wheel: String, entry: String },
    #[error("{wheel}: RECORD has no hash for {entry:?}")]
    NoHash { wheel: String, entry: String },
    #[error("{wheel}: RECORD's hash for {entry:?} uses {algorithm}; only sha256 is accepted")]
    UnsupportedHash {
        wheel: String,
        entry: String,
        algorithm: String,
    },
    #[error("{wheel}: RECORD's hash for {entry:?}: {source}")]
    BadHash {
        wheel: String,
        entry: String,
        source: RecordError,
    },
    #[error("{wheel}: {entry:?} is {actual} bytes but RECORD says {expected}")]
    RecordSize {
        wheel: String,
        entry: String,
        expected: u64,
        actual: u64,
    },
    #[error("{wheel}: {entry:?} does not match its sha256 in RECORD")]
    HashMismatch { wheel: String, entry: String },
    #[error("{wheel}: entry_points.txt line {line} ({text:?}): {reason}")]
    EntryPoint {
        wheel: String,
        line: usize,
        text: String,
        reason: &'static str,
    },
    #[error("the interpreter path {python:?} cannot be a shebang: it needs no spaces and at most {} bytes", MAX_SHEBANG - 3)]
    Interpreter { python: String },
}

/// Which scheme directory a file goes under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    SitePackages,
    Scripts,
    Headers,
    Data,
}

impl Root {
    fn path(self, scheme: &Scheme) -> &str {
        match self {
            Root::SitePackages => &scheme.site_packages,
            Root::Scripts => &scheme.scripts,
            Root::Headers => &scheme.headers,
            Root::Data => &scheme.data,
        }
    }
}

/// A file of the wheel and where it goes below its root.
#[derive(Debug, Clone)]
struct File {
    entry: ZipEntry,
    root: Root,
    below: String,
}

/// A wheel whose paths have been checked, ready to plan.
#[derive(Debug, Clone)]
pub struct Wheel {
    filename: String,
    dist_info: String,
    /// The wheel's files (not its directories), by entry name.
    files: BTreeMap<String, File>,
}

impl Wheel {
    /// Checks every entry's path and kind, finds the `.dist-info` directory
    /// and maps each file to its scheme directory.
    pub fn new(filename: &str, entries: Vec<ZipEntry>) -> Result<Wheel, InstallError> {
        let (name, version) = name_and_version(filename)?;
        let mut seen = BTreeSet::new();
        for entry in &entries {
            check_path(filename, &entry.name)?;
            check_kind(filename, entry)?;
            if !seen.insert(entry.name.trim_end_matches('/')) {
                return Err(InstallError::Duplicate {
                    wheel: filename.to_owned(),
                    path: entry.name.clone(),
                });
            }
        }
        let dist_info = find_dist_info(filename, &entries, name, version)?;
        let data_dir = format!(
            "{}.data",
            dist_info.strip_suffix(".dist-info").unwrap_or(&dist_info)
        );
        let mut files = BTreeMap::new();
        for entry in entries.into_iter().filter(|e| !e.is_dir) {
            let (root, below) = destination(filename, &entry.name, &data_dir)?;
            files.insert(entry.name.clone(), File { entry, root, below });
        }
        let wheel = Wheel {
            filename: filename.to_owned(),
            dist_info,
            files,
        };
        for required in ["WHEEL", "RECORD"] {
            let entry = wheel.metadata_path(required);
            if !wheel.files.contains_key(&entry) {
                return Err(InstallError::MissingMetadata {
                    wheel: wheel.filename,
                    entry,
                });
            }
        }
        Ok(wheel)
    }

    /// The entries to read whole and pass to [`Wheel::plan`]: WHEEL, RECORD,
    /// entry_points.txt, and the scripts small enough to be `#!python` ones.
    pub fn needed(&self) -> Vec<&ZipEntry> {
        let metadata = ["WHEEL", "RECORD", "entry_points.txt"].map(|f| self.metadata_path(f));
        self.files
            .values()
            .filter(|f| metadata.contains(&f.entry.name) || self.is_readable_script(f))
            .map(|f| &f.entry)
            .collect()
    }

    /// Lays out the wheel; `contents` holds the bytes of [`Wheel::needed`], by entry name.
    pub fn plan(
        &self,
        contents: &BTreeMap<String, Vec<u8>>,
        scheme: &Scheme,
    ) -> Result<Plan, InstallError> {
        check_interpreter(&scheme.python)?;
        // Root-Is-Purelib is not read: purelib and platlib are one directory in a venv.
        self.check_wheel_version(self.text(contents, &self.metadata_path("WHEEL"))?)?;
        let digests = self.record_digests(self.text(contents, &self.metadata_path("RECORD"))?)?;
        self.verify_contents(contents, &digests)?;
        let entry_points_path = self.metadata_path("entry_points.txt");
        let launchers = if self.files.contains_key(&entry_points_path) {
            parse_entry_points(&self.filename, self.text(contents, &entry_points_path)?)?
        } else {
            Vec::new()
        };

        let mut files = Vec::new();
        for file in self.files.values() {
            if let Some(installed) =
                self.install_file(file, contents, &digests, &launchers, scheme)?
            {
                files.push(installed);
            }
        }
        files.extend(launchers.iter().map(|ep| Installed {
            path: format!("{}/{}", scheme.scripts, ep.name),
            mode: EXEC_MODE,
            source: Source::Bytes(ep.launcher(&scheme.python).into_bytes()),
        }));
        files.push(Installed {
            path: self.installed_metadata_path(scheme, "INSTALLER"),
            mode: FILE_MODE,
            source: Source::Bytes(INSTALLER.to_vec()),
        });
        let record = self.new_record(&files, scheme);
        files.push(Installed {
            path: self.installed_metadata_path(scheme, "RECORD"),
            mode: FILE_MODE,
            source: Source::Bytes(record.into_bytes()),
        });
        pycontainer_sort::sort_by(&mut files, |a, b| a.path.cmp(&b.path));
        check_collisions(&self.filename, &files)?;
        Ok(Plan {
            dirs: directories(&files, &scheme.data),
            files,
        })
    }

    fn metadata_path(&self, file: &str) -> String {
        format!("{}/{file}", self.dist_info)
    }

    fn installed_metadata_path(&self, scheme: &Scheme, file: &str) -> String {
        format!("{}/{}/{file}", scheme.site_packages, self.dist_info)
    }

    fn is_readable_script(&self, file: &File) -> bool {
        file.root == Root::Scripts && file.entry.size <= SCRIPT_READ_LIMIT
    }

    /// RECORD cannot list itself or the signatures of itself.
    fn is_unlisted(&self, entry: &str) -> bool {
        ["RECORD", "RECORD.jws", "RECORD.p7s"]
            .iter()
            .any(|f| entry == self.metadata_path(f))
    }

    /// RECORD is written anew, which voids its signatures; INSTALLER names us.
    fn is_replaced(&self, entry: &str) -> bool {
        self.is_unlisted(entry) || entry == self.metadata_path("INSTALLER")
    }

    fn text<'c>(
        &self,
        contents: &'c BTreeMap<String, Vec<u8>>,
        entry: &str,
    ) -> Result<&'c str, InstallError> {
        let bytes = self.content(contents, entry)?;
        std::str::from_utf8(bytes).map_err(|_| InstallError::NotUtf8 {
            wheel: self.filename.clone(),
            entry: entry.to_owned(),
        })
    }

    fn content<'c>(
        &self,
        contents: &'c BTreeMap<String, Vec<u8>>,
        entry: &str,
    ) -> Result<&'c [u8], InstallError> {
        contents
            .get(entry)
            .map(Vec::as_slice)
            .ok_or_else(|| InstallError::MissingContent {
                wheel: self.filename.clone(),
                entry: entry.to_owned(),
            })
    }

    fn check_wheel_version(&self, wheel_file: &str) -> Result<(), InstallError> {
        let version = wheel_file
            .lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.trim() == "Wheel-Version").then(|| value.trim())
            })
            .ok_or_else(|| InstallError::NoWheelVersion {
                wheel: self.filename.clone(),
            })?;
        // A newer minor version is compatible by the spec's rule, so only the major is checked.
        match version.split_once('.') {
            Some(("1", minor))
                if !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok(())
            }
            _ => Err(InstallError::WheelVersion {
                wheel: self.filename.clone(),
                version: version.to_owned(),
            }),
        }
    }

    /// Checks RECORD against the wheel's files both ways and returns each
    /// file's sha256.
    fn record_digests(&self, text: &str) -> Result<BTreeMap<String, Digest>, InstallError> {
        let wheel = || self.filename.clone();
        let rows = record::parse(text).map_err(|source| InstallError::Record {
            wheel: wheel(),
            source,
        })?;
        let mut digests = BTreeMap::new();
        for row in rows.into_iter().filter(|r| !self.is_unlisted(&r.path)) {
            let digest = self.row_digest(&row)?;
            if digests.insert(row.path.clone(), digest).is_some() {
                return Err(InstallError::ListedTwice {
                    wheel: wheel(),
                    entry: row.path,
                });
            }
        }
        match self
            .files
            .keys()
            .find(|name| !self.is_unlisted(name) && !digests.contains_key(*name))
        {
            Some(name) => Err(InstallError::NotInRecord {
                wheel: wheel(),
                entry: name.clone(),
            }),
            None => Ok(digests),
        }
    }

    fn row_digest(&self, row: &RecordEntry) -> Result<Digest, InstallError> {
        let wheel = self.filename.clone();
        let entry = row.path.clone();
        let Some(file) = self.files.get(&row.path) else {
            return Err(InstallError::MissingFromWheel { wheel, entry });
        };
        let Some(hash) = &row.hash else {
            return Err(InstallError::NoHash { wheel, entry });
        };
        if hash.algorithm != "sha256" {
            let algorithm = hash.algorithm.clone();
            return Err(InstallError::UnsupportedHash {
                wheel,
                entry,
                algorithm,
            });
        }
        if let Some(expected) = row.size.filter(|&size| size != file.entry.size) {
            let actual = file.entry.size;
            return Err(InstallError::RecordSize {
                wheel,
                entry,
                expected,
                actual,
            });
        }
        hash.to_digest().map_err(|source| InstallError::BadHash {
            wheel,
            entry,
            source,
        })
    }

    /// The files read whole never pass through the caller's streaming check,
    /// so they are checked here.
    fn verify_contents(
        &self,
        contents: &BTreeMap<String, Vec<u8>>,
        digests: &BTreeMap<String, Digest>,
    ) -> Result<(), InstallError> {
        for entry in self.needed() {
            let Some(expected) = digests.get(&entry.name) else {
                continue; // RECORD itself
            };
            let bytes = self.content(contents, &entry.name)?;
            if Digest::of(Sha256::portable(), bytes) != *expected {
                return Err(InstallError::HashMismatch {
                    wheel: self.filename.clone(),
                    entry: entry.name.clone(),
                });
            }
        }
        Ok(())
    }

    fn install_file(
        &self,
        file: &File,
        contents: &BTreeMap<String, Vec<u8>>,
        digests: &BTreeMap<String, Digest>,
        launchers: &[EntryPoint],
        scheme: &Scheme,
    ) -> Result<Option<Installed>, InstallError> {
        if self.is_replaced(&file.entry.name) || is_launcher_twin(file, launchers) {
            return Ok(None);
        }
        let path = format!("{}/{}", file.root.path(scheme), file.below);
        if self.is_readable_script(file) {
            let script = self.content(contents, &file.entry.name)?;
            let bytes = rewrite_shebang(script, &scheme.python).unwrap_or_else(|| script.to_vec());
            return Ok(Some(Installed {
                path,
                mode: EXEC_MODE,
                source: Source::Bytes(bytes),
            }));
        }
        let expected =
            digests
                .get(&file.entry.name)
                .cloned()
                .ok_or_else(|| InstallError::NotInRecord {
                    wheel: self.filename.clone(),
                    entry: file.entry.name.clone(),
                })?;
        let executable = file.root == Root::Scripts
            || file.entry.unix_mode.is_some_and(|mode| mode & 0o111 != 0);
        Ok(Some(Installed {
            path,
            mode: if executable { EXEC_MODE } else { FILE_MODE },
            source: Source::Zip {
                entry: file.entry.clone(),
                expected,
            },
        }))
    }

    /// RECORD as installed: every file by its path from site-packages (as
    /// pip writes them), sorted, with RECORD's own row last in its place.
    fn new_record(&self, files: &[Installed], scheme: &Scheme) -> String {
        let mut rows: Vec<RecordEntry> = files
            .iter()
            .map(|f| RecordEntry {
                path: relative(&scheme.site_packages, &f.path),
                hash: Some(RecordHash::sha256(&match &f.source {
                    Source::Zip { expected, .. } => expected.clone(),
                    Source::Bytes(bytes) => Digest::of(Sha256::portable(), bytes),
                })),
                size: Some(f.size()),
            })
            .collect();
        rows.push(RecordEntry {
            path: self.metadata_path("RECORD"),
            hash: None,
            size: None,
        });
        record::write(&rows)
    }
}

fn name_and_version(filename: &str) -> Result<(&str, &str), InstallError> {
    let parts: Vec<&str> = filename
        .strip_suffix(".whl")
        .map(|stem| stem.split('-').collect())
        .unwrap_or_default();
    match parts.as_slice() {
        [name, version, ..] if (5..=6).contains(&parts.len()) && !parts.contains(&"") => {
            Ok((name, version))
        }
        _ => Err(InstallError::Filename {
            wheel: filename.to_owned(),
        }),
    }
}

/// Refuses any path that could land outside the directory it is unpacked
/// into, or that tools would read differently. With no `..`, `.` or empty
/// component, a path joined below a scheme root stays below it.
fn check_path(wheel: &str, entry: &str) -> Result<(), InstallError> {
    let path = entry.strip_suffix('/').unwrap_or(entry);
    let bytes = path.as_bytes();
    let reason = if path.is_empty() {
        Some("has an empty path")
    } else if path.starts_with('/') {
        Some("is an absolute path")
    } else if path.contains('\\') {
        Some("contains a backslash")
    } else if bytes.get(1) == Some(&b':') && bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        Some("starts with a drive letter")
    } else if path.contains('\0') {
        Some("contains a NUL byte")
    } else {
        path.split('/').find_map(|part| match part {
            "" => Some("has an empty path component"),
            "." => Some("has a '.' component"),
            ".." => Some("has a '..' component"),
            _ => None,
        })
    };
    match reason {
        Some(reason) => Err(InstallError::UnsafePath {
            wheel: wheel.to_owned(),
            entry: entry.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

fn check_kind(wheel: &str, entry: &ZipEntry) -> Result<(), InstallError> {
    let Some(mode) = entry.unix_mode else {
        return Ok(());
    };
    match mode & S_IFMT {
        0 | S_IFREG => Ok(()),
        S_IFDIR if entry.is_dir => Ok(()),
        S_IFLNK => Err(InstallError::Symlink {
            wheel: wheel.to_owned(),
            entry: entry.name.clone(),
        }),
        _ => Err(InstallError::SpecialFile {
            wheel: wheel.to_owned(),
            entry: entry.name.clone(),
            mode,
        }),
    }
}

fn find_dist_info(
    wheel: &str,
    entries: &[ZipEntry],
    name: &str,
    version: &str,
) -> Result<String, InstallError> {
    // Extended, not collected: collecting into a set sorts, with a copy of the sort per type.
    let mut found = BTreeSet::new();
    found.extend(
        entries
            .iter()
            .filter_map(|e| e.name.split_once('/').map(|(top, _)| top))
            .filter(|top| top.ends_with(".dist-info")),
    );
    let dist_info = match found.iter().collect::<Vec<_>>().as_slice() {
        [] => {
            return Err(InstallError::NoDistInfo {
                wheel: wheel.to_owned(),
            })
        }
        [one] => one.to_string(),
        _ => {
            return Err(InstallError::ManyDistInfo {
                wheel: wheel.to_owned(),
                found: found.iter().map(|s| s.to_string()).collect(),
            })
        }
    };
    let matches = dist_info
        .strip_suffix(".dist-info")
        .unwrap_or(&dist_info)
        .rsplit_once('-')
        .is_some_and(|(n, v)| normalize(n) == normalize(name) && same_version(v, version));
    if matches {
        Ok(dist_info)
    } else {
        Err(InstallError::DistInfoMismatch {
            wheel: wheel.to_owned(),
            dist_info,
        })
    }
}

/// Equal as written, or as PEP 440 versions (`1.0` and `1.0.0`).
fn same_version(a: &str, b: &str) -> bool {
    a == b
        || matches!(
            (a.parse::<Version>(), b.parse::<Version>()),
            (Ok(x), Ok(y)) if x == y
        )
}

/// Which scheme directory a file goes to, and its path there.
fn destination(wheel: &str, entry: &str, data_dir: &str) -> Result<(Root, String), InstallError> {
    let Some((top, rest)) = entry.split_once('/') else {
        return Ok((Root::SitePackages, entry.to_owned()));
    };
    if top != data_dir {
        if top.ends_with(".data") {
            return Err(InstallError::UnexpectedDataDir {
                wheel: wheel.to_owned(),
                dir: top.to_owned(),
                expected: data_dir.to_owned(),
            });
        }
        return Ok((Root::SitePackages, entry.to_owned()));
    }
    let root = match rest.split_once('/') {
        Some(("purelib" | "platlib", _)) => Root::SitePackages,
        Some(("scripts", _)) => Root::Scripts,
        Some(("headers", _)) => Root::Headers,
        Some(("data", _)) => Root::Data,
        _ => {
            return Err(InstallError::DataKey {
                wheel: wheel.to_owned(),
                entry: entry.to_owned(),
            })
        }
    };
    let below = rest
        .split_once('/')
        .map(|(_, below)| below)
        .unwrap_or_default();
    Ok((root, below.to_owned()))
}

fn check_interpreter(python: &str) -> Result<(), InstallError> {
    if python.contains(char::is_whitespace) || python.len() + 3 > MAX_SHEBANG {
        return Err(InstallError::Interpreter {
            python: python.to_owned(),
        });
    }
    Ok(())
}

/// `#!python` (or `#!pythonw`) on the first line becomes the interpreter;
/// as pip does, the whole first line is replaced.
fn rewrite_shebang(script: &[u8], python: &str) -> Option<Vec<u8>> {
    if !script.starts_with(b"#!python") {
        return None;
    }
    let rest = script
        .iter()
        .position(|&b| b == b'\n')
        .and_then(|end| script.get(end + 1..))
        .unwrap_or_default();
    Some([format!("#!{python}\n").as_bytes(), rest].concat())
}

/// A console or GUI script: a command name and the `module:attr` it calls.
/// A project's own scripts are read into one too, so that they get the
/// same checks and the same launchers as a wheel's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    name: String,
    module: String,
    attr: String,
}

impl EntryPoint {
    /// `name` and its object reference `module.sub:attr.sub [extras]`;
    /// extras only matter to resolvers. The name becomes a file in the
    /// scripts directory, so it must be a plain file name.
    pub fn new(name: &str, reference: &str) -> Result<EntryPoint, &'static str> {
        let name = name.trim();
        if name.is_empty() || name.contains(['/', '\\', '\0']) || name == "." || name == ".." {
            return Err("the script name must be a plain file name");
        }
        let reference = match reference.split_once('[') {
            Some((reference, extras)) if extras.trim_end().ends_with(']') => reference,
            Some(_) => return Err("unclosed [extras]"),
            None => reference,
        };
        let (module, attr) = reference
            .split_once(':')
            .ok_or("the object reference has no :function to call")?;
        let (module, attr) = (module.trim(), attr.trim());
        if !is_dotted_name(module) || !is_dotted_name(attr) {
            return Err("the object reference is not module.path:name.path");
        }
        Ok(EntryPoint {
            name: name.to_owned(),
            module: module.to_owned(),
            attr: attr.to_owned(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn module(&self) -> &str {
        &self.module
    }

    /// The dotted path called in the module.
    pub fn attr(&self) -> &str {
        &self.attr
    }

    /// pip's launcher (distlib's template), byte for byte, so that images
    /// match what `pip install` would have written.
    pub fn launcher(&self, python: &str) -> String {
        let import = self.attr.split('.').next().unwrap_or(&self.attr);
        format!(
            r#"#!{python}
# -*- coding: utf-8 -*-
import re
import sys
from {module} import {import}
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\.pyw|\.exe)?$', '', sys.argv[0])
    sys.exit({attr}())
"#,
            module = self.module,
            attr = self.attr,
        )
    }
}

/// Reads the `[console_scripts]` and `[gui_scripts]` sections; other
/// sections belong to plugins and are not read.
fn parse_entry_points(wheel: &str, text: &str) -> Result<Vec<EntryPoint>, InstallError> {
    let mut section = None;
    let mut found = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = Some(name.trim());
            continue;
        }
        if matches!(section, Some("console_scripts" | "gui_scripts")) {
            let entry_point = line
                .split_once('=')
                .ok_or("expected name = module:function")
                .and_then(|(name, reference)| EntryPoint::new(name, reference))
                .map_err(|reason| InstallError::EntryPoint {
                    wheel: wheel.to_owned(),
                    line: index + 1,
                    text: line.to_owned(),
                    reason,
                })?;
            found.push(entry_point);
        }
    }
    Ok(found)
}

fn is_dotted_name(s: &str) -> bool {
    s.split('.').all(|part| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_')
    })
}

/// setuptools used to put wrappers for entry points in `.data/scripts`
/// (`name`, `name.exe`, `name-script.py`); pip drops them for its own launchers.
fn is_launcher_twin(file: &File, launchers: &[EntryPoint]) -> bool {
    if file.root != Root::Scripts {
        return false;
    }
    let base = file.below.rsplit('/').next().unwrap_or(&file.below);
    let lower = base.to_ascii_lowercase();
    let stem = [".exe", "-script.py", ".pya"]
        .iter()
        .find(|suffix| lower.ends_with(*suffix))
        .and_then(|suffix| base.get(..base.len() - suffix.len()))
        .unwrap_or(base);
    launchers.iter().any(|ep| ep.name == stem)
}

/// `to` as seen from the directory `from`, both relative to the same root.
pub(crate) fn relative(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').collect();
    let to: Vec<&str> = to.split('/').collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let ups = std::iter::repeat_n("..", from.len() - common);
    ups.chain(to.iter().skip(common).copied())
        .collect::<Vec<_>>()
        .join("/")
}

fn check_collisions(wheel: &str, files: &[Installed]) -> Result<(), InstallError> {
    let mut paths = BTreeSet::new();
    for file in files {
        if !paths.insert(file.path.as_str()) {
            return Err(InstallError::Duplicate {
                wheel: wheel.to_owned(),
                path: file.path.clone(),
            });
        }
    }
    match files
        .iter()
        .flat_map(|f| ancestors(&f.path))
        .find(|dir| paths.contains(dir))
    {
        Some(dir) => Err(InstallError::FileAndDirectory {
            wheel: wheel.to_owned(),
            path: dir.to_owned(),
        }),
        None => Ok(()),
    }
}

fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').filter_map(|(i, _)| path.get(..i))
}

fn directories(files: &[Installed], data: &str) -> Vec<String> {
    // Extended, not collected: collecting into a set sorts, with a copy of the sort per type.
    let mut callers = BTreeSet::new();
    callers.extend(ancestors(data).chain([data]));
    let mut dirs = BTreeSet::new();
    dirs.extend(
        files
            .iter()
            .flat_map(|f| ancestors(&f.path))
            .filter(|dir| !callers.contains(dir)),
    );
    dirs.into_iter().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests;
