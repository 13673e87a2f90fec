//! One pass over the project's own Python sources for what the plan needs
//! from them: the files that name a web framework, and the build outputs
//! left out by default that the code names, such as a frontend's `build/`
//! that the app serves.

use super::PlanError;
use crate::host::Host;
use crate::project::Project;

/// Larger source files are not scanned: generated code, not apps.
const MAX_SCANNED_SOURCE: u64 = 1 << 20;

/// Reads the project's own sources once. Returns, when `framework` is
/// asked for, the sources that name a framework (path under the import
/// root, text); marks each default-excluded build output that a source
/// names with the first such source.
pub(super) async fn scan<H: Host>(
    host: &H,
    project: &mut Project,
    framework: bool,
) -> Result<Vec<(String, String)>, PlanError> {
    let outputs: Vec<usize> = (0..project.excluded.len())
        .filter(|&i| project.excluded[i].output)
        .collect();
    let mut texts = Vec::new();
    if !framework && outputs.is_empty() {
        return Ok(texts);
    }
    let mut referenced = Vec::new();
    for (file, rel) in project.own_sources() {
        if file.size > MAX_SCANNED_SOURCE {
            continue;
        }
        let bytes = host.read_all(&project.path(&file.rel)).await?;
        for &i in &outputs {
            let dir = &project.excluded[i].path;
            if !referenced.iter().any(|(j, _)| *j == i) && names_dir(&bytes, last(dir)) {
                referenced.push((i, file.rel.clone()));
            }
        }
        // Only files that name a framework are kept, so memory follows the
        // app, not the size of the tree.
        if framework && mentions_framework(&bytes) {
            texts.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    for (i, file) in referenced {
        project.excluded[i].referenced_by = Some(file);
    }
    Ok(texts)
}

fn last(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether `text` names the directory `name` as a path in a string
/// literal: `"build"`, `'build/index.html'`, `"../build"`, or
/// `BASE / "build"`. The name must be a whole path component, and the run
/// of path characters around it must touch a quote, so `rebuild`,
/// `build_id`, a `build()` call and `a/build/b` (a division) do not count.
fn names_dir(text: &[u8], name: &str) -> bool {
    let name = name.as_bytes();
    if name.is_empty() {
        return false;
    }
    let quote = |b: Option<&u8>| matches!(b, Some(b'"' | b'\''));
    let edge = |b: Option<&u8>| quote(b) || b == Some(&b'/');
    let path_char = |b: &u8| b.is_ascii_alphanumeric() || b"._-/".contains(b);
    text.windows(name.len()).enumerate().any(|(i, w)| {
        let end = i + name.len();
        if w != name || !edge(i.checked_sub(1).and_then(|j| text.get(j))) || !edge(text.get(end)) {
            return false;
        }
        let start = text[..i].iter().rposition(|b| !path_char(b));
        let stop = text[end..]
            .iter()
            .position(|b| !path_char(b))
            .map(|k| end + k);
        quote(start.and_then(|j| text.get(j))) || quote(stop.and_then(|k| text.get(k)))
    })
}

/// Whether a source imports a framework or names Django's settings, which
/// every app module and manage.py does. Looking only at `import`/`from`
/// lines and that name keeps the scan cheap: most files are dropped undecoded.
fn mentions_framework(text: &[u8]) -> bool {
    const NAMES: [&[u8]; 4] = [b"fastapi", b"starlette", b"flask", b"django"];
    let names = |line: &[u8]| {
        line.windows(5).enumerate().any(|(i, w)| {
            NAMES.iter().any(|n| {
                w.eq_ignore_ascii_case(&n[..5])
                    && line
                        .get(i..i + n.len())
                        .is_some_and(|x| x.eq_ignore_ascii_case(n))
            })
        })
    };
    // Searched for once over the whole text: a 22-byte compare at every
    // byte of every line was most of the scan (2,000 files: 40 ms of 140 in
    // the plan phase).
    memchr::memmem::find(text, b"DJANGO_SETTINGS_MODULE").is_some()
        || text.split(|b| *b == b'\n').any(|line| {
            let line = line.trim_ascii_start();
            (line.starts_with(b"import ") || line.starts_with(b"from ")) && names(line)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_imports_are_noticed() {
        assert!(mentions_framework(
            b"\"\"\"doc\"\"\"\nfrom FastAPI import x"
        ));
        assert!(mentions_framework(b"import os\n    import flask as f\n"));
        assert!(mentions_framework(
            b"os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'm.settings')"
        ));
        assert!(!mentions_framework(
            b"# we moved off flask\nprint('fastapi')\nfrom os import path\n"
        ));
    }

    #[test]
    fn a_directory_is_named_only_as_a_path_in_a_string() {
        for text in [
            "app = Flask(__name__, static_folder='build')",
            "ROOT / \"build\" / \"index.html\"",
            "open('build/index.html')",
            "serve(\"../build\")",
            "p = 'x/build/y'",
            "static_folder=\"../build/static\"",
        ] {
            assert!(names_dir(text.as_bytes(), "build"), "{text}");
        }
        for text in [
            "def build(): pass",
            "rebuild = 'rebuild'",
            "x = 'build_id'",
            "# the build step",
            "a = b/build/c",
        ] {
            assert!(!names_dir(text.as_bytes(), "build"), "{text}");
        }
    }
}
