//! Bytecode for the dependencies, so that an image starts as fast as one
//! pip installed: whether the build compiles (decided while planning, from
//! `compile`, the host's compiler and the base's interpreter), and the
//! compiling itself, through the host, one wheel at a time.

use std::collections::BTreeMap;

use pycontainer_archive::{Content, Entry};
use pycontainer_wheel::bytecode;
use pycontainer_wheel::target::BaseEnv;

use super::DepsError;
use crate::host::{Host, Progress, PySource};
use crate::wheelfile::WheelFile;

/// What the deps layer does about bytecode, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bytecode {
    Compiled {
        /// `3.11`.
        minor: String,
        /// `cpython-311`, in each `.pyc`'s name.
        tag: String,
        magic: [u8; 4],
        rule: String,
    },
    Skipped {
        rule: String,
        /// Skipped for want of a compiler, not because it was turned off.
        unavailable: bool,
    },
}

impl Bytecode {
    pub fn rule(&self) -> &str {
        match self {
            Bytecode::Compiled { rule, .. } | Bytecode::Skipped { rule, .. } => rule,
        }
    }

    /// What the deps layer's cache key says about it.
    pub fn key(&self) -> String {
        match self {
            Bytecode::Compiled { tag, magic, .. } => format!("{tag} {}", hex(magic)),
            Bytecode::Skipped { .. } => "no bytecode".to_owned(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `compile`: `Some(true)` requires bytecode, `Some(false)` turns it off,
/// `None` compiles where the host can.
pub fn decide<H: Host>(
    host: &H,
    compile: Option<bool>,
    env: &BaseEnv,
) -> Result<Bytecode, DepsError> {
    let minor = env.minor();
    if compile == Some(false) {
        return Ok(Bytecode::Skipped {
            rule: "off (compile = false, or --no-compile)".to_owned(),
            unavailable: false,
        });
    }
    let unavailable = |why: String| -> Result<Bytecode, DepsError> {
        match compile {
            Some(true) => Err(DepsError::NoBytecode { why }),
            _ => Ok(Bytecode::Skipped {
                rule: format!(
                    "not compiled: {why}; the image's Python compiles each module at every start"
                ),
                unavailable: true,
            }),
        }
    };
    let tag = match bytecode::cache_tag(&minor) {
        Some(tag) => tag,
        None => {
            return unavailable(format!(
                "the base's Python {} has no CPython cache tag",
                env.python
            ))
        }
    };
    let Some(magic) = host.bytecode_magic(&minor) else {
        return unavailable(format!(
            "this host has no CPython {minor} compiler (the Node CLI's comes with its optional pyodide packages; a browser has none)"
        ));
    };
    let checked = match &env.bytecode_magic {
        Some(base) if *base != hex(&magic) => {
            return unavailable(format!(
                "the base's CPython {} reads bytecode with magic {base}, the compiler writes {}",
                env.python,
                hex(&magic)
            ))
        }
        Some(_) => "the magic number the base's own bytecode has",
        // Official images delete their .pyc files; within a final release
        // series the magic number does not change.
        None => "the base ships no bytecode to compare, and a CPython release series keeps one magic number",
    };
    Ok(Bytecode::Compiled {
        rule: format!(
            "compiled for CPython {minor} (magic {}, {checked}), unchecked-hash .pyc files",
            hex(&magic)
        ),
        minor,
        tag,
        magic,
    })
}

/// `entries` with a `.pyc` for each module of `site_packages`, compiled
/// by the host from the wheels' sources.
pub async fn compile<H: Host>(
    host: &H,
    entries: Vec<Entry>,
    site_packages: &str,
    minor: &str,
    tag: &str,
) -> Result<Vec<Entry>, DepsError> {
    // The modules of each wheel, compiled in one call per wheel.
    let mut by_wheel: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    let mut own = Vec::new();
    for i in bytecode::sources(&entries, site_packages, tag) {
        match &entries[i].kind {
            pycontainer_archive::EntryKind::File {
                content: Content::ZipMember(m),
                ..
            } => by_wheel
                .entry((m.archive.as_str(), m.label.as_str()))
                .or_default()
                .push(i),
            _ => own.push(i),
        }
    }
    host.progress(&Progress::Phase { name: "compile" });
    let mut compiled = Vec::new();
    for ((archive, label), indices) in &by_wheel {
        let file = WheelFile::open(host, archive, label).await?;
        let mut texts = Vec::with_capacity(indices.len());
        for &i in indices {
            if let pycontainer_archive::EntryKind::File {
                content: Content::ZipMember(m),
                ..
            } = &entries[i].kind
            {
                texts.push(file.read(host, &m.entry).await?);
            }
        }
        compiled.extend(run(host, &entries, indices, &texts, minor).await?);
    }
    let texts: Vec<Vec<u8>> = own
        .iter()
        .map(|&i| match &entries[i].kind {
            pycontainer_archive::EntryKind::File {
                content: Content::Bytes(b),
                ..
            } => b.clone(),
            _ => Vec::new(),
        })
        .collect();
    compiled.extend(run(host, &entries, &own, &texts, minor).await?);
    Ok(bytecode::add(entries, compiled, tag))
}

/// One call to the host's compiler: each module's path and `.pyc`, the
/// ones it refused (bad syntax) left out, as pip's compileall leaves them.
async fn run<H: Host>(
    host: &H,
    entries: &[Entry],
    indices: &[usize],
    texts: &[Vec<u8>],
    minor: &str,
) -> Result<Vec<(String, Vec<u8>)>, DepsError> {
    if indices.is_empty() {
        return Ok(Vec::new());
    }
    let paths: Vec<String> = indices
        .iter()
        .map(|&i| format!("/{}", entries[i].path))
        .collect();
    let sources: Vec<PySource> = paths
        .iter()
        .zip(texts)
        .map(|(path, text)| PySource { path, text })
        .collect();
    let pycs = host.compile_bytecode(minor, &sources).await?;
    Ok(indices
        .iter()
        .zip(pycs)
        .filter_map(|(&i, pyc)| Some((entries[i].path.clone(), pyc?)))
        .collect())
}
