//! The lock pycontainer writes after resolving: a PEP 751 pylock.toml for
//! the one target it was resolved for, with what it was resolved from, so
//! a later build can tell whether it still holds.

use pycontainer_python::pep508::Requirement;
use pycontainer_python::tags::Target;
use pycontainer_python::url;
use toml::Table;

use crate::lock::requirements::expand;
use crate::lock::{self, FileHash, LockError, Locked, LockedFile, Pinned, Selection};
use crate::resolve::{Options, Resolution};

/// Where the lock goes, in the context.
pub const FILE: &str = "pylock.toml";
const CREATED_BY: &str = "pycontainer";

/// Whether a pylock.toml is one this tool wrote (and may rewrite).
pub fn is_ours(text: &str) -> bool {
    text.parse::<Table>().ok().is_some_and(|doc| {
        doc.get("created-by").and_then(|v| v.as_str()) == Some(CREATED_BY)
            && tool_table(&doc).is_some()
    })
}

/// What a resolution depends on besides the index's contents: the
/// requirements, the indexes, the pre-release choice, the constraints and
/// the target.
pub fn inputs_key(
    requirements: &[Requirement],
    indexes: &[String],
    options: &Options,
    target: &Target,
) -> String {
    let mut lines: Vec<String> = requirements.iter().map(ToString::to_string).collect();
    pycontainer_sort::sort(&mut lines);
    lines.dedup();
    lines.extend(indexes.iter().map(|i| format!("index {i}")));
    lines.push(format!("pre {}", options.allow_prereleases));
    lines.extend(
        options
            .constraints
            .iter()
            .map(|(name, set)| format!("constraint {name}{set}")),
    );
    lines.push(format!("target {}", target.describe()));
    let digest = pycontainer_digest::Digest::of(
        pycontainer_digest::Sha256::portable(),
        lines.join("\n").as_bytes(),
    );
    digest.to_string()
}

/// The lock in `text` when it is ours and was made from the same inputs.
/// `env` expands the `${VAR}`s of its URLs, which it keeps as the
/// requirements wrote them.
pub fn fresh(
    text: &str,
    inputs: &str,
    selection: &Selection,
    target: &Target,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Locked>, LockError> {
    let Ok(doc) = text.parse::<Table>() else {
        return Ok(None);
    };
    let fresh = tool_table(&doc)
        .and_then(|t| t.get("inputs"))
        .and_then(|v| v.as_str())
        == Some(inputs);
    if !fresh {
        return Ok(None);
    }
    let mut locked = lock::pylock::read(text, FILE, &target.marker_env(), selection)?;
    for file in locked.packages.iter_mut().flat_map(|p| &mut p.files) {
        file.url = file.url.as_deref().map(|url| expand(url, env));
    }
    Ok(Some(locked))
}

fn tool_table(doc: &Table) -> Option<&Table> {
    doc.get("tool")?.as_table()?.get("pycontainer")?.as_table()
}

/// The lock's text: the resolution's one file per package, and what it was
/// resolved from. No URL in it carries a literal userinfo.
pub fn render(resolution: &Resolution, inputs: &str, target: &Target) -> String {
    let locked = Locked {
        source: FILE.to_owned(),
        packages: resolution
            .packages
            .iter()
            .map(|p| Pinned {
                name: p.name.clone(),
                version: p.version.clone(),
                files: vec![LockedFile {
                    filename: p.file.filename.clone(),
                    url: Some(url::recorded(&p.file.url)),
                    hashes: p
                        .file
                        .hashes
                        .iter()
                        .filter_map(|(a, h)| FileHash::new(a, h))
                        .collect(),
                    size: p.file.size,
                }],
                index: Some(url::recorded(&p.index_url)),
                hashes: Vec::new(),
            })
            .collect(),
    };
    let requires = format!("=={}", target.python);
    let mut text = lock::pylock::write(&locked, CREATED_BY, Some(&requires));
    text.push_str(&format!(
        "\n[tool.pycontainer]\n# What this lock was resolved from; a build resolves again when it changes.\ninputs = \"{inputs}\"\ntarget = \"{}\"\n",
        target.describe().replace('"', "'")
    ));
    text
}
