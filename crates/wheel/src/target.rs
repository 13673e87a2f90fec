//! What the base image runs Python with: interpreter, version and C
//! library, read from its config and layers. Nothing about the build
//! machine enters into it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use pycontainer_archive::untar::{Header, Kind, Visitor, Want, Whiteout};
use pycontainer_python::pep440::Version;
use pycontainer_python::tags::Libc;

/// The Python environment of a base image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseEnv {
    /// Full version, such as 3.11.2.
    pub python: String,
    /// Absolute path of the `python3` the image runs.
    pub interpreter: String,
    pub libc: Libc,
    /// The first four bytes of the stdlib's `os` bytecode, hex, when the
    /// image ships it: what its interpreter accepts in a `.pyc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytecode_magic: Option<String>,
}

impl BaseEnv {
    pub fn version(&self) -> Result<Version, TargetError> {
        self.python.parse().map_err(|_| TargetError::Version {
            text: self.python.clone(),
        })
    }

    /// `3.11`, as in `lib/python3.11`.
    pub fn minor(&self) -> String {
        let mut parts = self.python.split('.');
        format!(
            "{}.{}",
            parts.next().unwrap_or("3"),
            parts.next().unwrap_or("0")
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("the base image has no CPython: neither /usr/local/bin/python3 nor /usr/bin/python3 is in its layers, so no wheel can be chosen for it; use a base with Python, or --no-deps")]
    NoPython,
    #[error("the base image's Python version {text:?} is not a PEP 440 version")]
    Version { text: String },
    #[error("cannot tell which C library the base image has: found neither /lib/ld-musl-*.so.1 nor a libc.so.6 whose version could be read (looked in /var/lib/dpkg/status and the libc.so.6 file)")]
    NoLibc,
}

/// Where the interpreter may be when the config's PATH names none that
/// holds one, best first: the official images build their own under
/// /usr/local; distribution packages use /usr.
const INTERPRETERS: [&str; 2] = ["usr/local/bin/python3", "usr/bin/python3"];
/// libc.so.6 is about 2 MB; its version strings are what is wanted.
const LIBC_LIMIT: u64 = 16 << 20;
/// Package databases: a few MB even on large images.
const DB_LIMIT: u64 = 64 << 20;
/// The stdlib's `os` bytecode is tens of KB; only its magic is read.
const PYC_LIMIT: u64 = 1 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Found {
    Present,
    Symlink(String),
}

/// Collects what `detect` needs while the base's layers stream past, the
/// lowest layer first. Later layers override earlier ones, and whiteouts
/// delete, as when the layers are unpacked.
#[derive(Default)]
pub struct Probe {
    paths: BTreeMap<String, Found>,
    files: BTreeMap<String, Vec<u8>>,
    capturing: Option<String>,
}

impl Probe {
    /// Call before each layer's entries.
    pub fn begin_layer(&mut self) {
        self.capturing = None;
    }

    /// The environment, given the base config's `Env`.
    pub fn finish(self, env: &[String]) -> Result<BaseEnv, TargetError> {
        let interpreter = self.interpreter(env).ok_or(TargetError::NoPython)?;
        let prefix = interpreter
            .strip_suffix("/bin/python3")
            .map_or("usr/", |p| if p.is_empty() { "" } else { p });
        let python = self
            .python_version(env, prefix)
            .ok_or(TargetError::NoPython)?;
        let libc = self.libc().ok_or(TargetError::NoLibc)?;
        let bytecode_magic = self.bytecode_magic(prefix, &python);
        let env = BaseEnv {
            python,
            interpreter: format!("/{interpreter}"),
            libc,
            bytecode_magic,
        };
        env.version()?;
        Ok(env)
    }

    /// The `python3` the image runs: the first the config's PATH finds (a
    /// conda or distroless base has it elsewhere), else a usual place.
    fn interpreter(&self, env: &[String]) -> Option<String> {
        let path = env
            .iter()
            .find_map(|e| e.strip_prefix("PATH="))
            .unwrap_or("");
        path.split(':')
            .map(|dir| dir.trim_matches('/'))
            .filter(|dir| !dir.is_empty())
            .map(|dir| format!("{dir}/python3"))
            .chain(INTERPRETERS.iter().map(|p| (*p).to_owned()))
            .find(|p| self.paths.contains_key(p))
    }

    fn python_version(&self, env: &[String], prefix: &str) -> Option<String> {
        let from_env = env
            .iter()
            .find_map(|e| e.strip_prefix("PYTHON_VERSION="))
            .map(str::to_owned);
        let from_dpkg = || {
            let status = self.text("var/lib/dpkg/status")?;
            let minor = self.stdlib_minor(prefix)?;
            let version = dpkg_version(&status, &format!("libpython{minor}-minimal"))
                .or_else(|| dpkg_version(&status, &format!("python{minor}-minimal")))?;
            Some(upstream(&version).to_owned())
        };
        let from_apk = || {
            let db = self.text("lib/apk/db/installed")?;
            apk_version(&db, "python3").map(|v| upstream(&v).to_owned())
        };
        // The stdlib directory gives the minor version only; x.y.0 keeps
        // `python_full_version` markers conservative.
        let from_dirs = || self.stdlib_minor(prefix).map(|m| format!("{m}.0"));
        from_env
            .or_else(from_dpkg)
            .or_else(from_apk)
            .or_else(from_dirs)
    }

    /// `3.11` when `PREFIX/lib/python3.11/os.py` is there for the
    /// interpreter's prefix (`usr/local`, `opt/conda`), else under /usr;
    /// the newest when there are several.
    fn stdlib_minor(&self, prefix: &str) -> Option<String> {
        let own = format!("{}/lib/", prefix.trim_end_matches('/'));
        [own.as_str(), "usr/local/lib/", "usr/lib/"]
            .iter()
            .find_map(|lib| {
                self.paths.keys().rev().find_map(|p| {
                    let rest = p.strip_prefix(lib)?.strip_prefix("python")?;
                    let minor = rest.strip_suffix("/os.py")?;
                    minor.starts_with("3.").then(|| minor.to_owned())
                })
            })
    }

    /// The magic of `PREFIX/lib/python3.X/__pycache__/os.cpython-3X.pyc`.
    fn bytecode_magic(&self, prefix: &str, python: &str) -> Option<String> {
        let mut parts = python.split('.');
        let (major, minor) = (parts.next()?, parts.next()?);
        let lib = format!("{}/lib/python{major}.{minor}", prefix.trim_end_matches('/'));
        let pyc = format!("{lib}/__pycache__/os.cpython-{major}{minor}.pyc");
        let bytes = self.files.get(pyc.trim_start_matches('/'))?.get(..4)?;
        Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    fn libc(&self) -> Option<Libc> {
        if self.paths.keys().any(|p| is_musl_loader(p)) {
            let version = self
                .text("lib/apk/db/installed")
                .and_then(|db| apk_version(&db, "musl"));
            // Without a package database, 1.1 is the oldest musllinux level
            // wheels are built for, so it never admits a wheel that cannot load.
            let (major, minor) = version
                .as_deref()
                .and_then(|v| major_minor(upstream(v)))
                .unwrap_or((1, 1));
            return Some(Libc::Musl { major, minor });
        }
        let glibc = self
            .text("var/lib/dpkg/status")
            .and_then(|s| dpkg_version(&s, "libc6"))
            .and_then(|v| major_minor(upstream(&v)))
            .or_else(|| self.libc_file_version())
            .or_else(|| self.libc_name_version())?;
        Some(Libc::Glibc {
            major: glibc.0,
            minor: glibc.1,
        })
    }

    /// The highest `GLIBC_2.N` symbol version libc.so.6 defines is its own version.
    fn libc_file_version(&self) -> Option<(u32, u32)> {
        self.files
            .iter()
            .filter(|(p, _)| is_libc(p))
            .flat_map(|(_, bytes)| glibc_symbol_versions(bytes))
            .max()
    }

    /// Before glibc 2.34, libc.so.6 linked to `libc-2.N.so`.
    fn libc_name_version(&self) -> Option<(u32, u32)> {
        self.paths
            .iter()
            .filter_map(|(p, found)| match found {
                Found::Symlink(target) if is_libc(p) => {
                    let name = target.rsplit('/').next()?;
                    major_minor(name.strip_prefix("libc-")?.strip_suffix(".so")?)
                }
                _ => None,
            })
            .max()
    }

    fn text(&self, path: &str) -> Option<String> {
        self.files
            .get(path)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    fn remove_under(&mut self, dir: &str, including_dir: bool) {
        let prefix = format!("{dir}/");
        let gone = |p: &String| p.starts_with(&prefix) || (including_dir && p == dir);
        self.paths.retain(|p, _| !gone(p));
        self.files.retain(|p, _| !gone(p));
    }
}

impl Visitor for Probe {
    fn entry(&mut self, header: &Header) -> Want {
        self.capturing = None;
        match header.whiteout() {
            Some(Whiteout::Opaque(dir)) => {
                self.remove_under(dir, false);
                return Want::Skip;
            }
            Some(Whiteout::Removed(gone)) => {
                self.remove_under(&gone, true);
                return Want::Skip;
            }
            None => {}
        }
        let path = header.path.as_str();
        let limit = match path {
            "var/lib/dpkg/status" | "lib/apk/db/installed" => Some(DB_LIMIT),
            p if is_libc(p) => Some(LIBC_LIMIT),
            p if is_stdlib_os_pyc(p) => Some(PYC_LIMIT),
            _ => None,
        };
        if !(limit.is_some() || interesting(path)) {
            return Want::Skip;
        }
        let found = match &header.kind {
            Kind::Symlink(target) => Found::Symlink(target.clone()),
            _ => Found::Present,
        };
        self.paths.insert(path.to_owned(), found);
        self.files.remove(path);
        match (limit, &header.kind) {
            (Some(limit), Kind::File) => {
                self.files.insert(path.to_owned(), Vec::new());
                self.capturing = Some(path.to_owned());
                Want::Data { limit }
            }
            _ => Want::Skip,
        }
    }

    fn data(&mut self, bytes: &[u8]) {
        if let Some(file) = self.capturing.as_ref().and_then(|p| self.files.get_mut(p)) {
            file.extend_from_slice(bytes);
        }
    }
}

/// Any `…/bin/python3`, and the `os.py` of any `…/lib/python3.X/`: which
/// of them counts is settled at the end, with the config's PATH.
fn interesting(path: &str) -> bool {
    path.ends_with("/bin/python3")
        || is_musl_loader(path)
        || path.rsplit_once("/lib/python3.").is_some_and(|(_, rest)| {
            rest.strip_suffix("/os.py")
                .is_some_and(|minor| !minor.contains('/'))
        })
}

fn is_musl_loader(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let dir = &path[..path.len() - name.len()];
    matches!(dir, "lib/" | "usr/lib/") && name.starts_with("ld-musl-") && name.ends_with(".so.1")
}

/// `lib/x86_64-linux-gnu/libc.so.6`, `usr/lib64/libc.so.6` and the like.
/// `…/lib/python3.X/__pycache__/os.cpython-3X.pyc`, under any prefix.
fn is_stdlib_os_pyc(path: &str) -> bool {
    path.rsplit_once("/__pycache__/os.cpython-")
        .is_some_and(|(dir, rest)| dir.contains("/lib/python3.") && rest.ends_with(".pyc"))
}

fn is_libc(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/libc.so.6") else {
        return false;
    };
    let dir = dir.strip_prefix("usr/").unwrap_or(dir);
    dir == "lib" || dir == "lib64" || dir.strip_prefix("lib/").is_some_and(|d| !d.contains('/'))
}

/// The `Version:` of `package` in a dpkg status file, if installed.
fn dpkg_version(status: &str, package: &str) -> Option<String> {
    status.split("\n\n").find_map(|stanza| {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(str::trim))
        };
        let installed = field("Status").is_none_or(|s| s.ends_with(" installed"));
        (field("Package")? == package && installed).then(|| field("Version").map(str::to_owned))?
    })
}

/// The `V:` of package `P:` in apk's database.
fn apk_version(db: &str, package: &str) -> Option<String> {
    db.split("\n\n").find_map(|stanza| {
        let field = |key: &str| stanza.lines().find_map(|l| l.strip_prefix(key));
        (field("P:")? == package).then(|| field("V:").map(str::to_owned))?
    })
}

/// The upstream part of a package version: `2.36` of `2.36-9+deb12u7`,
/// `3.11.2` of `3.11.2-6+b1`, `1.2.5` of `1.2.5-r0`, without an epoch.
fn upstream(version: &str) -> &str {
    let v = version.split_once(':').map_or(version, |(_, v)| v);
    let end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    v[..end].trim_end_matches('.')
}

fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Every `GLIBC_2.N` (and `GLIBC_2.N.M`) string in a binary.
fn glibc_symbol_versions(bytes: &[u8]) -> Vec<(u32, u32)> {
    const TAG: &[u8] = b"GLIBC_";
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(pos) = find(&bytes[at..], TAG) {
        let start = at + pos + TAG.len();
        let end = bytes[start..]
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b'.'))
            .map_or(bytes.len(), |n| start + n);
        if let Some(v) = std::str::from_utf8(&bytes[start..end])
            .ok()
            .and_then(major_minor)
        {
            out.push(v);
        }
        at = end.max(start);
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pycontainer_archive::tar::{header, padding, END_OF_ARCHIVE};
    use pycontainer_archive::untar::Untar;
    use pycontainer_archive::Entry;

    enum E<'a> {
        Dir(&'a str),
        File(&'a str, &'a [u8]),
        Link(&'a str, &'a str),
    }

    fn layer(entries: &[E]) -> Vec<u8> {
        let mut tar = Vec::new();
        for e in entries {
            let (entry, data): (Entry, &[u8]) = match e {
                E::Dir(p) => (Entry::dir(*p, 0), b""),
                E::File(p, d) => (Entry::bytes(*p, 0o644, d.to_vec()), d),
                E::Link(p, t) => (Entry::symlink(*p, *t), b""),
            };
            tar.extend(header(&entry, 0).unwrap());
            tar.extend(data);
            tar.resize(tar.len() + padding(data.len() as u64), 0);
        }
        tar.extend(END_OF_ARCHIVE);
        tar
    }

    fn probe(layers: &[Vec<u8>], env: &[&str]) -> Result<BaseEnv, TargetError> {
        let mut probe = Probe::default();
        for l in layers {
            probe.begin_layer();
            let mut untar = Untar::default();
            for chunk in l.chunks(300) {
                untar.push(chunk, &mut probe).unwrap();
            }
        }
        let env: Vec<String> = env.iter().map(|s| (*s).to_owned()).collect();
        probe.finish(&env)
    }

    const DPKG: &[u8] = b"Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u7\n\nPackage: libpython3.11-minimal\nStatus: install ok installed\nVersion: 3.11.2-6+deb12u2\n\nPackage: python3\nStatus: install ok installed\nVersion: 3.11.2-1+b1\n";

    #[test]
    fn debian_layout_reads_dpkg() {
        let base = layer(&[
            E::Dir("usr/bin"),
            E::Link("usr/bin/python3", "python3.11"),
            E::File("usr/bin/python3.11", b"\x7fELF"),
            E::File("usr/lib/python3.11/os.py", b"#"),
            E::File(
                "usr/lib/python3.11/__pycache__/os.cpython-311.pyc",
                b"\xa7\x0d\x0d\x0a\0\0\0\0",
            ),
            E::Link("lib", "usr/lib"),
            E::File("usr/lib/x86_64-linux-gnu/libc.so.6", b"\x7fELF"),
            E::File("var/lib/dpkg/status", DPKG),
        ]);
        let env = probe(&[base], &["PATH=/usr/bin"]).unwrap();
        assert_eq!(
            env,
            BaseEnv {
                python: "3.11.2".into(),
                interpreter: "/usr/bin/python3".into(),
                libc: Libc::Glibc {
                    major: 2,
                    minor: 36
                },
                bytecode_magic: Some("a70d0d0a".into()),
            }
        );
        assert_eq!(env.minor(), "3.11");
    }

    #[test]
    fn official_layout_prefers_usr_local_and_python_version_env() {
        let debian = layer(&[E::File(
            "usr/lib/x86_64-linux-gnu/libc.so.6",
            b"..GLIBC_2.2.5\0GLIBC_2.34\0GLIBC_2.36\0GLIBC_PRIVATE\0",
        )]);
        let python = layer(&[
            E::Link("usr/local/bin/python3", "python3.12"),
            E::File("usr/local/lib/python3.12/os.py", b"#"),
        ]);
        let env = probe(&[debian, python], &["PYTHON_VERSION=3.12.7"]).unwrap();
        assert_eq!(env.python, "3.12.7");
        assert_eq!(env.interpreter, "/usr/local/bin/python3");
        assert_eq!(
            env.libc,
            Libc::Glibc {
                major: 2,
                minor: 36
            }
        );
    }

    #[test]
    fn old_glibc_is_read_from_the_link_name_and_musl_from_apk() {
        let old = layer(&[
            E::Link("lib/x86_64-linux-gnu/libc.so.6", "libc-2.31.so"),
            E::File("usr/bin/python3", b""),
            E::File("usr/lib/python3.9/os.py", b"#"),
        ]);
        let env = probe(&[old], &[]).unwrap();
        assert_eq!(
            env.libc,
            Libc::Glibc {
                major: 2,
                minor: 31
            }
        );
        assert_eq!(env.python, "3.9.0");

        let alpine = layer(&[
            E::File("lib/ld-musl-aarch64.so.1", b""),
            E::File(
                "lib/apk/db/installed",
                b"C:Q1\nP:musl\nV:1.2.5-r0\n\nP:python3\nV:3.12.8-r1\n",
            ),
            E::Link("usr/bin/python3", "python3.12"),
        ]);
        let env = probe(&[alpine], &[]).unwrap();
        assert_eq!(env.libc, Libc::Musl { major: 1, minor: 2 });
        assert_eq!(env.python, "3.12.8");
    }

    #[test]
    fn the_config_path_finds_an_interpreter_anywhere() {
        let conda = layer(&[
            E::File("usr/bin/python3", b""),
            E::File("usr/lib/python3.9/os.py", b"#"),
            E::Link("opt/conda/bin/python3", "python3.12"),
            E::File("opt/conda/lib/python3.12/os.py", b"#"),
            E::File("usr/lib/x86_64-linux-gnu/libc.so.6", b"GLIBC_2.31\0"),
        ]);
        let env = probe(
            std::slice::from_ref(&conda),
            &["PATH=/opt/conda/bin:/usr/bin:/bin"],
        )
        .unwrap();
        assert_eq!(env.interpreter, "/opt/conda/bin/python3");
        assert_eq!(env.python, "3.12.0");
        let env = probe(&[conda], &["PATH=/usr/bin:/bin"]).unwrap();
        assert_eq!(env.interpreter, "/usr/bin/python3");
        assert_eq!(env.python, "3.9.0");
    }

    #[test]
    fn whiteouts_delete_what_lower_layers_had() {
        let lower = layer(&[
            E::File("usr/local/bin/python3", b""),
            E::File("usr/bin/python3", b""),
            E::File("usr/lib/python3.11/os.py", b"#"),
            E::File("var/lib/dpkg/status", DPKG),
        ]);
        let upper = layer(&[E::File("usr/local/bin/.wh.python3", b"")]);
        let env = probe(&[lower.clone(), upper], &[]).unwrap();
        assert_eq!(env.interpreter, "/usr/bin/python3");

        let opaque = layer(&[
            E::File("usr/bin/.wh..wh..opq", b""),
            E::File("usr/local/.wh.bin", b""),
        ]);
        assert_eq!(probe(&[lower, opaque], &[]), Err(TargetError::NoPython));
    }

    #[test]
    fn a_base_without_libc_facts_is_an_error_naming_what_was_looked_for() {
        let bare = layer(&[
            E::File("usr/bin/python3", b""),
            E::File("usr/lib/python3.11/os.py", b""),
        ]);
        let err = probe(&[bare], &[]).unwrap_err();
        assert_eq!(err, TargetError::NoLibc);
        assert!(err.to_string().contains("ld-musl"));
    }

    #[test]
    fn package_versions() {
        assert_eq!(upstream("2.36-9+deb12u7"), "2.36");
        assert_eq!(upstream("1:2.35-0ubuntu3.8"), "2.35");
        assert_eq!(upstream("3.11.2-6+b1"), "3.11.2");
        assert_eq!(upstream("1.2.5-r0"), "1.2.5");
        assert_eq!(
            glibc_symbol_versions(b"GLIBC_2.17\0GLIBC_2.2.5\0GLIBC_"),
            [(2, 17), (2, 2)]
        );
        assert!(is_libc("usr/lib64/libc.so.6"));
        assert!(is_libc("lib/aarch64-linux-gnu/libc.so.6"));
        assert!(!is_libc("usr/lib/x86_64-linux-gnu/i386/libc.so.6"));
        assert!(!is_libc("opt/app/lib/libc.so.6"));
    }
}
