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
    // One target's inputs, or (a lock for several platforms) each one's.
    let fresh = match tool_table(&doc).and_then(|t| t.get("inputs")) {
        Some(toml::Value::String(s)) => s == inputs,
        Some(toml::Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(inputs)),
        _ => false,
    };
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
    let mut text = write(pinned(resolution), ONE_TARGET, &target.python);
    text.push_str(&format!(
        "\n[tool.pycontainer]\n# What this lock was resolved from; a build resolves again when it changes.\ninputs = \"{inputs}\"\ntarget = \"{}\"\n",
        quoted(target)
    ));
    text
}

/// One lock for several targets (a multi-platform build), each resolved
/// from the same inputs on its own: every package with the file chosen for
/// each target (PEP 751 lets a package list several; each target's reader
/// picks its own by tag), and each target's inputs, any of which it holds
/// for. `None` when the targets resolved to different packages, versions or
/// Pythons: that lock would need markers, and none is written.
pub fn render_all(parts: &[(&Resolution, &str, &Target)]) -> Option<String> {
    let ((first, _, target), rest) = parts.split_first()?;
    let mut packages = pinned(first);
    for (resolution, _, other) in rest {
        let same = other.python == target.python
            && resolution.packages.len() == packages.len()
            && resolution
                .packages
                .iter()
                .zip(&packages)
                .all(|(r, p)| r.name == p.name && r.version == p.version);
        if !same {
            return None;
        }
        for (into, from) in packages.iter_mut().zip(pinned(resolution)) {
            for file in from.files {
                if !into.files.iter().any(|f| f.filename == file.filename) {
                    into.files.push(file);
                }
            }
        }
    }
    let list = |items: Vec<String>| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = write(packages, SEVERAL_TARGETS, &target.python);
    text.push_str(&format!(
        "\n[tool.pycontainer]\n# What this lock was resolved from, for each platform; a build resolves again when its own changes.\ninputs = [{}]\ntarget = [{}]\n",
        list(parts.iter().map(|(_, i, _)| (*i).to_owned()).collect()),
        list(parts.iter().map(|(_, _, t)| quoted(t)).collect()),
    ));
    Some(text)
}

/// The resolution's packages as a lock pins them, one file each.
fn pinned(resolution: &Resolution) -> Vec<Pinned> {
    resolution
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
        .collect()
}

/// What a lock for one target says it is.
const ONE_TARGET: &str =
    "# This lock is for a single target environment (one platform, one Python): it lists\n\
     # exactly the packages that environment installs, so no package has a marker.\n\
     # Lock again for another target instead of reusing this file.\n";
/// What a lock for several platforms says it is.
const SEVERAL_TARGETS: &str =
    "# This lock is for the target environments named at its end (one Python, several\n\
     # platforms), which install the same packages, so no package has a marker: each lists\n\
     # the wheel of each platform. Lock again for another target instead of reusing this file.\n";

/// The lock's packages, for the one Python the image runs.
fn write(packages: Vec<Pinned>, header: &str, python: &impl std::fmt::Display) -> String {
    let locked = Locked {
        source: FILE.to_owned(),
        packages,
    };
    lock::pylock::write(&locked, header, CREATED_BY, Some(&format!("=={python}")))
}

fn quoted(target: &Target) -> String {
    target.describe().replace('"', "'")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::ProjectFile;
    use crate::resolve::ResolvedPackage;
    use pycontainer_python::name::PackageName;
    use pycontainer_python::tags::Libc;

    fn target(machine: &str) -> Target {
        Target {
            python: "3.11.2".parse().unwrap(),
            machine: machine.to_owned(),
            libc: Libc::Glibc {
                major: 2,
                minor: 36,
            },
        }
    }

    fn resolution(version: &str, machine: &str) -> Resolution {
        let filename = format!("native-{version}-cp311-cp311-manylinux_2_17_{machine}.whl");
        let mut file = ProjectFile::new(&filename, &format!("https://files.example/{filename}"));
        file.hashes = vec![("sha256".to_owned(), "ab".repeat(32))];
        Resolution {
            packages: vec![ResolvedPackage {
                name: PackageName::new("native").unwrap(),
                version: version.parse().unwrap(),
                file,
                index_url: "https://index.example/simple/".to_owned(),
            }],
        }
    }

    #[test]
    fn a_lock_for_two_platforms_lists_both_wheels_and_holds_for_each() {
        let (amd, arm) = (resolution("1.0", "x86_64"), resolution("1.0", "aarch64"));
        let (t_amd, t_arm) = (target("x86_64"), target("aarch64"));
        let text = render_all(&[(&amd, "key-amd", &t_amd), (&arm, "key-arm", &t_arm)]).unwrap();
        assert!(text.contains("manylinux_2_17_x86_64.whl"), "{text}");
        assert!(text.contains("manylinux_2_17_aarch64.whl"), "{text}");
        let env = |_: &str| None;
        for (key, t, machine) in [
            ("key-amd", &t_amd, "x86_64"),
            ("key-arm", &t_arm, "aarch64"),
        ] {
            let locked = fresh(&text, key, &Selection::default(), t, &env)
                .unwrap()
                .expect("fresh for each platform's inputs");
            assert_eq!(locked.packages.len(), 1);
            assert!(locked.packages[0]
                .files
                .iter()
                .any(|f| f.filename.ends_with(&format!("{machine}.whl"))));
        }
        assert!(
            fresh(&text, "key-other", &Selection::default(), &t_amd, &env)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn platforms_resolved_to_different_versions_make_no_lock() {
        let (amd, arm) = (resolution("1.0", "x86_64"), resolution("1.1", "aarch64"));
        let (t_amd, t_arm) = (target("x86_64"), target("aarch64"));
        assert!(render_all(&[(&amd, "a", &t_amd), (&arm, "b", &t_arm)]).is_none());
    }
}
