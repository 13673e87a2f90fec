//! Whether a project directory belongs to a uv workspace declared in a parent directory:
//! `[tool.uv.workspace]`'s `members` and `exclude` globs, matched as uv matches them.
//!
//! Finding the parent and reading its files is the caller's; this module only reads the
//! text it is given.

/// A workspace root's `[tool.uv.workspace]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UvWorkspace {
    /// Globs relative to the root, such as `packages/*`.
    pub members: Vec<String>,
    pub exclude: Vec<String>,
}

/// Where a directory stands with a workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    Member,
    /// Matched by `exclude`: uv treats it as a project of its own.
    Excluded,
    /// Inside the root's directory, but matched by neither list.
    Outside,
}

/// Why a parent directory's files cannot say what the project's dependencies are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{file}: invalid TOML: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: `{key}`: {message}")]
    Field {
        file: String,
        key: &'static str,
        message: String,
    },
    #[error("{member} is inside the uv workspace of {file}, but none of its members ({}) match it; add it to `members`, or to `exclude` to build it as a project of its own", .members.join(", "))]
    NotAMember {
        file: String,
        member: String,
        members: Vec<String>,
    },
    #[error("the context has no pyproject.toml, requirements.txt or lock of its own, and is inside the project of {project}, whose {lock} holds that project's dependencies; build with that directory as the context, or with --no-deps to leave dependencies out")]
    InsideProject { project: String, lock: String },
}

/// The `[tool.uv.workspace]` of a pyproject.toml, when it has one. `file` names it in errors.
pub fn uv_workspace(text: &str, file: &str) -> Result<Option<UvWorkspace>, WorkspaceError> {
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| WorkspaceError::Syntax {
            file: file.to_owned(),
            message: e.message().to_owned(),
        })?;
    let Some(table) = doc
        .get("tool")
        .and_then(|t| t.get("uv"))
        .and_then(|t| t.get("workspace"))
    else {
        return Ok(None);
    };
    if !table.is_table() {
        return Err(WorkspaceError::Field {
            file: file.to_owned(),
            key: "tool.uv.workspace",
            message: "must be a table".to_owned(),
        });
    }
    let list = |key: &'static str| -> Result<Vec<String>, WorkspaceError> {
        let wrong = || WorkspaceError::Field {
            file: file.to_owned(),
            key,
            message: "must be a list of strings".to_owned(),
        };
        match table.get(key) {
            None => Ok(Vec::new()),
            Some(value) => value
                .as_array()
                .ok_or_else(wrong)?
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(wrong))
                .collect(),
        }
    };
    Ok(Some(UvWorkspace {
        members: list("members")?,
        exclude: list("exclude")?,
    }))
}

impl UvWorkspace {
    /// Where `dir`, relative to the root (`packages/backend`), stands. `exclude` wins over
    /// `members`, as in uv.
    pub fn membership(&self, dir: &str) -> Membership {
        let dir = clean(dir);
        let any = |globs: &[String]| globs.iter().any(|g| matches(&clean(g), &dir));
        if any(&self.exclude) {
            Membership::Excluded
        } else if any(&self.members) {
            Membership::Member
        } else {
            Membership::Outside
        }
    }
}

/// A relative path as uv writes it in uv.lock: no `./`, no empty or trailing parts.
pub fn clean(path: &str) -> String {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// uv expands members with the `glob` crate over the root's directories: the pattern is taken
/// part by part, `*`, `?` and `[…]` never cross a `/`, and a `**` part stands for any number
/// of directories. Docker's engine in `project::ignore` has other rules (a `**` suffix test,
/// classes that cross `/`), so it cannot serve here.
fn matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    let path: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    parts_match(&pattern, &path)
}

fn parts_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len())
            .any(|skip| path.get(skip..).is_some_and(|tail| parts_match(rest, tail))),
        Some((first, rest)) => path.split_first().is_some_and(|(name, tail)| {
            part_matches(
                &first.chars().collect::<Vec<_>>(),
                &name.chars().collect::<Vec<_>>(),
            ) && parts_match(rest, tail)
        }),
    }
}

/// One path part against one pattern part, by dynamic programming over both (no
/// backtracking blow-up on `*a*a*a`).
fn part_matches(pattern: &[char], name: &[char]) -> bool {
    // reach[j]: the pattern so far matches name[..j].
    let mut reach = vec![false; name.len() + 1];
    reach[0] = true;
    let mut p = 0;
    while let Some(&c) = pattern.get(p) {
        let mut next = vec![false; name.len() + 1];
        match c {
            '*' => {
                let mut on = false;
                for (j, slot) in next.iter_mut().enumerate() {
                    on |= reach[j];
                    *slot = on;
                }
                p += 1;
            }
            '[' => match class(pattern, p + 1) {
                Some((set, negated, end)) => {
                    for (j, &ch) in name.iter().enumerate() {
                        let inside = set.iter().any(|&(lo, hi)| lo <= ch && ch <= hi);
                        next[j + 1] = reach[j] && inside != negated;
                    }
                    p = end;
                }
                // An unclosed `[` is a literal, as the glob crate has it.
                None => {
                    literal(&reach, &mut next, name, |ch| ch == '[');
                    p += 1;
                }
            },
            '?' => {
                literal(&reach, &mut next, name, |_| true);
                p += 1;
            }
            c => {
                literal(&reach, &mut next, name, |ch| ch == c);
                p += 1;
            }
        }
        reach = next;
    }
    reach[name.len()]
}

fn literal(reach: &[bool], next: &mut [bool], name: &[char], ok: impl Fn(char) -> bool) {
    for (j, &ch) in name.iter().enumerate() {
        next[j + 1] = reach[j] && ok(ch);
    }
}

/// A class's character ranges, whether it is negated (`[!…]`), and where the pattern goes on.
type Class = (Vec<(char, char)>, bool, usize);

/// A `[…]` class from just after its `[`; the index returned is after its `]`. A `]` first in
/// the class is a member, as in the glob crate.
fn class(pattern: &[char], start: usize) -> Option<Class> {
    let mut i = start;
    let negated = pattern.get(i) == Some(&'!');
    if negated {
        i += 1;
    }
    let mut set = Vec::new();
    let first = i;
    loop {
        let c = *pattern.get(i)?;
        if c == ']' && i > first {
            return Some((set, negated, i + 1));
        }
        match (pattern.get(i + 1), pattern.get(i + 2)) {
            (Some('-'), Some(&hi)) if hi != ']' => {
                set.push((c, hi));
                i += 3;
            }
            _ => {
                set.push((c, c));
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(members: &[&str], exclude: &[&str]) -> UvWorkspace {
        UvWorkspace {
            members: members.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn globs_match_part_by_part() {
        assert!(matches("packages/*", "packages/backend"));
        assert!(!matches("packages/*", "packages/backend/api"));
        assert!(!matches("packages/*", "packages"));
        assert!(matches("backend", "backend"));
        assert!(!matches("backend", "backend2"));
        assert!(matches("svc-?", "svc-a"));
        assert!(!matches("svc-?", "svc-ab"));
        assert!(matches("**/api", "api"));
        assert!(matches("**/api", "a/b/api"));
        assert!(matches("libs/**", "libs/x/y"));
        assert!(matches("[ab]*", "backend"));
        assert!(!matches("[!ab]*", "backend"));
        assert!(matches("[a-c]ore", "core"));
        assert!(matches("*end", "backend"));
        assert!(matches("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaab"));
        assert!(!matches("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(matches("[x", "[x"));
    }

    #[test]
    fn exclude_wins_over_members() {
        let w = ws(&["./packages/*", "backend/"], &["packages/legacy"]);
        assert_eq!(w.membership("backend"), Membership::Member);
        assert_eq!(w.membership("packages/api"), Membership::Member);
        assert_eq!(w.membership("./packages/legacy"), Membership::Excluded);
        assert_eq!(w.membership("tools/lint"), Membership::Outside);
    }

    #[test]
    fn the_workspace_table_is_read_from_pyproject() {
        let text = "[project]\nname = \"root\"\n\n[tool.uv.workspace]\nmembers = [\"backend\", \"worker\"]\nexclude = [\"scratch\"]\n";
        assert_eq!(
            uv_workspace(text, "../pyproject.toml"),
            Ok(Some(ws(&["backend", "worker"], &["scratch"])))
        );
        assert_eq!(
            uv_workspace("[project]\nname = \"x\"\n", "pyproject.toml"),
            Ok(None)
        );
        assert_eq!(
            uv_workspace(
                "[tool.uv.workspace]\nmembers = \"backend\"\n",
                "../pyproject.toml"
            )
            .unwrap_err()
            .to_string(),
            "../pyproject.toml: `members`: must be a list of strings"
        );
        assert!(uv_workspace("[tool.uv", "../pyproject.toml")
            .unwrap_err()
            .to_string()
            .starts_with("../pyproject.toml: invalid TOML: "));
    }
}
