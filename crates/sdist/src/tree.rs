//! The sdist's files, unpacked in memory below its one top-level directory.

use std::collections::BTreeMap;

use pycontainer_archive::gunzip::Gunzip;
use pycontainer_archive::untar::{Header, Kind, Untar, Visitor, Want};

use crate::{Refusal, SdistError};

/// Pure-Python sdists are small; this bounds what a hostile one can make us hold.
const MAX_UNPACKED: u64 = 256 << 20;

pub(crate) struct Tree {
    /// By path below the top-level directory (`pkg/__init__.py`).
    pub files: BTreeMap<String, Vec<u8>>,
    /// Symlinks and hard links, which are refused where they would be used.
    pub links: Vec<String>,
}

/// Files ending in these are compiled, or sources of compiled code: a build
/// would have to run a compiler.
const NATIVE: &[&str] = &[
    ".c", ".cc", ".cpp", ".cxx", ".pyx", ".pxd", ".rs", ".f", ".f90", ".f95", ".cu", ".so", ".pyd",
    ".dll", ".dylib",
];

#[derive(Default)]
struct Collect {
    entries: Vec<(Header, Vec<u8>)>,
    total: u64,
    too_large: bool,
}

impl Visitor for Collect {
    fn entry(&mut self, header: &Header) -> Want {
        self.total += header.size;
        if self.total > MAX_UNPACKED {
            self.too_large = true;
            return Want::Skip;
        }
        self.entries.push((header.clone(), Vec::new()));
        match header.kind {
            Kind::File => Want::Data { limit: header.size },
            _ => Want::Skip,
        }
    }

    fn data(&mut self, bytes: &[u8]) {
        if let Some(last) = self.entries.last_mut() {
            last.1.extend_from_slice(bytes);
        }
    }
}

impl Tree {
    pub fn unpack(tar_gz: &[u8]) -> Result<Tree, SdistError> {
        let mut untar = Untar::default();
        let mut collect = Collect::default();
        let mut failed = None;
        let mut gunzip = Gunzip::new();
        gunzip
            .push(tar_gz, &mut |chunk| {
                if failed.is_none() {
                    failed = untar.push(chunk, &mut collect).err();
                }
            })
            .and_then(|()| gunzip.finish())
            .map_err(|e| SdistError::Archive(e.to_string()))?;
        if let Some(e) = failed {
            return Err(SdistError::Archive(e.to_string()));
        }
        if collect.too_large {
            return Err(SdistError::Archive(format!(
                "it unpacks to more than {MAX_UNPACKED} bytes"
            )));
        }
        let mut files = BTreeMap::new();
        let mut links = Vec::new();
        let mut top: Option<String> = None;
        for (header, bytes) in collect.entries {
            let (first, rest) = header.path.split_once('/').unwrap_or((&header.path, ""));
            match &top {
                None => top = Some(first.to_owned()),
                Some(t) if t != first => {
                    return Err(SdistError::Archive(format!(
                        "it has more than one top-level directory ({t}, {first})"
                    )))
                }
                Some(_) => {}
            }
            if rest.is_empty() {
                continue;
            }
            if rest
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
            {
                return Err(SdistError::Archive(format!(
                    "{} is not a plain relative path",
                    header.path
                )));
            }
            match header.kind {
                Kind::File => {
                    files.insert(rest.to_owned(), bytes);
                }
                Kind::Symlink(_) | Kind::Hardlink(_) => links.push(rest.to_owned()),
                Kind::Dir | Kind::Other => {}
            }
        }
        Ok(Tree { files, links })
    }

    /// Refuses an sdist with native sources anywhere in it: only a build
    /// script could compile them, and one that ships them but never builds
    /// them is rare enough not to guess about.
    pub fn check_pure(&self) -> Result<(), Refusal> {
        let native = self.files.keys().find(|p| {
            let lower = p.to_ascii_lowercase();
            lower.rsplit('/').next() == Some("cargo.toml")
                || NATIVE.iter().any(|ext| lower.ends_with(ext))
        });
        match native {
            Some(path) => Err(Refusal::Native(path.clone())),
            None => Ok(()),
        }
    }

    pub fn text(&self, path: &str) -> Option<String> {
        self.files
            .get(path)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    pub fn is_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// A directory is there when some file is below it.
    pub fn is_dir(&self, dir: &str) -> bool {
        dir.is_empty() || self.below(dir).next().is_some()
    }

    /// Every file below `dir` (all of them for ""), recursively.
    pub fn below<'a>(&'a self, dir: &str) -> impl Iterator<Item = &'a str> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.files
            .range(prefix.clone()..)
            .map(|(p, _)| p.as_str())
            .take_while(move |p| p.starts_with(&prefix))
    }

    /// The names of the directories directly below `dir`.
    pub fn subdirs(&self, dir: &str) -> Vec<String> {
        let skip = if dir.is_empty() { 0 } else { dir.len() + 1 };
        let mut out: Vec<String> = self
            .below(dir)
            .filter_map(|p| p.get(skip..)?.split_once('/').map(|(d, _)| d.to_owned()))
            .collect();
        out.dedup();
        out
    }

    /// The first link at or below `path`, which a wheel built by copying
    /// files would have to follow.
    pub fn link_below(&self, path: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|l| *l == path || l.starts_with(&format!("{path}/")))
            .map(String::as_str)
    }
}

/// Paths a wheel never carries: caches of compiled bytecode.
pub(crate) fn is_bytecode(path: &str) -> bool {
    path.split('/').any(|c| c == "__pycache__") || path.ends_with(".pyc") || path.ends_with(".pyo")
}
