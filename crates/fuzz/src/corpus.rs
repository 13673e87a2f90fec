//! Where inputs come from and where failing ones go: the repo's fixtures,
//! each target's inline seeds, and `crates/fuzz/corpus/TARGET/`, which holds
//! every input that once failed (replayed first, by every run).

use std::fs;
use std::path::{Path, PathBuf};

use pycontainer_digest::{Digest, Sha256};

use crate::Target;

/// The repository's root, which `seed_files` are relative to.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory of `target`'s saved inputs.
pub fn saved_dir(target: &Target) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target.name)
}

/// The saved failures (in name order, for a stable run), then the fixture
/// files, then the inline seeds.
pub fn seeds(target: &Target) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let dir = saved_dir(target);
    if dir.is_dir() {
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        pycontainer_sort::sort(&mut files);
        for file in files {
            out.push(fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?);
        }
    }
    for name in target.seed_files {
        let path = repo_root().join(name);
        out.push(fs::read(&path).map_err(|e| format!("seed {}: {e}", path.display()))?);
    }
    out.extend((target.seeds)());
    Ok(out)
}

/// Keeps a failing input; returns where it went.
pub fn save(target: &Target, input: &[u8]) -> Result<PathBuf, String> {
    let dir = saved_dir(target);
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let digest = Digest::of(Sha256::portable(), input);
    let name = format!("crash-{}", digest.hex().get(..16).unwrap_or_default());
    let path = dir.join(name);
    fs::write(&path, input).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
