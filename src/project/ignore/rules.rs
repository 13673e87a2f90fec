//! The ordered rule list: Docker's line reading and cleaning, and the verdict on a path.

use super::glob::{compile, Glob};

/// A pattern refused up front. Docker refuses most of these too (some only
/// once the first path is matched, failing the build mid-walk); the rest it
/// accepts but reads as regular expressions no glob reading agrees with, and
/// an error beats quietly shipping a different set of files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IgnoreError {
    /// `origin` is where the pattern came from, e.g. `.dockerignore:12` or
    /// `--exclude` (not `source`: thiserror would take that for a cause).
    #[error("{origin}: invalid pattern `{pattern}`: {reason}")]
    BadPattern {
        origin: String,
        pattern: String,
        reason: String,
        /// The file and line (1-based) of a pattern read from a file.
        line_of: Option<(String, usize)>,
    },
}

impl IgnoreError {
    /// The ignore file at fault, when the pattern came from one.
    pub fn file(&self) -> Option<&str> {
        let IgnoreError::BadPattern { line_of, .. } = self;
        line_of.as_ref().map(|(file, _)| file.as_str())
    }

    /// The line of `file` at fault (1-based).
    pub fn line(&self) -> Option<usize> {
        let IgnoreError::BadPattern { line_of, .. } = self;
        line_of.as_ref().map(|(_, line)| *line)
    }
}

/// One rule, as Docker keeps it after cleaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The cleaned pattern, without its `!`.
    pub pattern: String,
    /// A `!` rule: it brings back what earlier rules excluded.
    pub negated: bool,
    /// Where it came from: `.dockerignore:12`, `--exclude`, ...
    pub source: String,
}

/// What the rules say about one path, and which rule said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    Excluded(&'a Rule),
    /// Re-included by a `!` rule after something excluded it.
    Included(&'a Rule),
    NoRule,
}

impl<'a> Verdict<'a> {
    /// The rule that decided.
    #[cfg(test)]
    pub fn rule(&self) -> Option<&'a Rule> {
        match *self {
            Verdict::Excluded(r) | Verdict::Included(r) => Some(r),
            Verdict::NoRule => None,
        }
    }
}

/// Ordered ignore rules; later rules override earlier ones.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    rule: Rule,
    glob: Glob,
}

impl IgnoreRules {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `.dockerignore` text the way Docker's reader does; `file` names
    /// the file in rules and errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, IgnoreError> {
        let mut rules = Self::new();
        for (index, raw) in text.split('\n').enumerate() {
            let mut line = raw.strip_suffix('\r').unwrap_or(raw);
            if index == 0 {
                line = line.strip_prefix('\u{feff}').unwrap_or(line);
            }
            // Docker tests for `#` before trimming, so ` # x` is a pattern.
            if line.starts_with('#') {
                continue;
            }
            let number = index + 1;
            rules.push(line, &format!("{file}:{number}")).map_err(
                |IgnoreError::BadPattern {
                     origin,
                     pattern,
                     reason,
                     ..
                 }| {
                    IgnoreError::BadPattern {
                        origin,
                        pattern,
                        reason,
                        line_of: Some((file.to_owned(), number)),
                    }
                },
            )?;
        }
        Ok(rules)
    }

    /// Adds one pattern (`!pat` to re-include), normalised like a
    /// `.dockerignore` line; blank patterns are ignored, as Docker ignores them.
    pub fn push(&mut self, pattern: &str, source: &str) -> Result<(), IgnoreError> {
        let bad = |reason: String| IgnoreError::BadPattern {
            origin: source.to_owned(),
            pattern: pattern.trim().to_owned(),
            reason,
            line_of: None,
        };
        // Docker normalises twice, once in the file reader and again when
        // compiling, and the second pass runs Clean over the `!` as well:
        // that is how `!/` ends up as a lone `!`, so both passes are kept.
        let Some(read) = read_line(pattern) else {
            return Ok(());
        };
        // The second pass trims again, and the first pass's Clean can leave
        // whitespace exposed at the end (`x /` becomes `x `).
        let read = read.trim();
        if read.is_empty() {
            return Ok(());
        }
        let cleaned = clean(read);
        let (negated, body) = match cleaned.strip_prefix('!') {
            Some("") => return Err(bad("`!` must be followed by a pattern".to_owned())),
            Some(rest) => (true, rest.to_owned()),
            None => (false, cleaned),
        };
        let glob = compile(&body).map_err(bad)?;
        self.entries.push(Entry {
            rule: Rule {
                pattern: body,
                negated,
                source: source.to_owned(),
            },
            glob,
        });
        Ok(())
    }

    #[cfg(test)]
    pub(super) fn rules(&self) -> impl ExactSizeIterator<Item = &Rule> + '_ {
        self.entries.iter().map(|e| &e.rule)
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Decides `rel_path` (relative to the context, `/`-separated).
    ///
    /// This follows the walkers (moby's `MatchesUsingParentResults`), not the
    /// simpler "last matching rule wins": each directory on the way down
    /// remembers which rules matched it, and a rule skipped at a directory
    /// (because it could not change the outcome there) is not inherited by
    /// its children. So `d`, `!d/f`, `d` keeps `d/f`, as BuildKit does.
    pub fn verdict(&self, rel_path: &str) -> Verdict<'_> {
        let path = relative(rel_path);
        if path == "." || self.entries.is_empty() {
            // Docker never lets the rules drop the context root itself.
            return Verdict::NoRule;
        }
        let n = self.entries.len();
        let mut parent = vec![false; n];
        let mut here = vec![false; n];
        let mut decided: Option<&Entry> = None;
        let ends = path
            .match_indices('/')
            .map(|(i, _)| i)
            .chain(std::iter::once(path.len()));
        for end in ends {
            let prefix = &path[..end];
            let mut excluded = false;
            decided = None;
            for ((entry, inherited), matched) in
                self.entries.iter().zip(&parent).zip(here.iter_mut())
            {
                let mut hit = *inherited;
                if !hit {
                    if entry.rule.negated != excluded {
                        *matched = false;
                        continue;
                    }
                    hit = entry.glob.matches(prefix);
                }
                *matched = hit;
                if hit {
                    excluded = !entry.rule.negated;
                    decided = Some(entry);
                }
            }
            std::mem::swap(&mut parent, &mut here);
        }
        match decided {
            Some(e) if e.rule.negated => Verdict::Included(&e.rule),
            Some(e) => Verdict::Excluded(&e.rule),
            None => Verdict::NoRule,
        }
    }

    #[cfg(test)]
    pub(super) fn is_excluded(&self, rel_path: &str) -> bool {
        matches!(self.verdict(rel_path), Verdict::Excluded(_))
    }

    /// Whether a walker must still descend into the excluded directory
    /// `rel_dir`. This is BuildKit's own test, so skipping exactly when it
    /// says no sends the same files BuildKit would: any `!` rule with a
    /// wildcard (past a trailing `/*` or `/**`) forces a descent everywhere;
    /// otherwise only a `!` rule naming something under `rel_dir` does.
    /// BuildKit still sends the excluded directory's own entry once anything
    /// under it is re-included, so the files keep a parent in the layer.
    pub fn may_reinclude_under(&self, rel_dir: &str) -> bool {
        let dir = relative(rel_dir);
        let dir_slash = format!("{dir}/");
        self.entries.iter().filter(|e| e.rule.negated).any(|e| {
            let p = e.rule.pattern.as_str();
            let p = p.strip_suffix("/**").unwrap_or(p);
            let p = p.strip_suffix("/*").unwrap_or(p);
            dir == "."
                || p.contains(['*', '[', ']', '?', '^', '\\'])
                || format!("{p}/").starts_with(&dir_slash)
        })
    }
}

/// What Docker's `.dockerignore` reader makes of one line, before the
/// matcher sees it; `None` for a blank line.
fn read_line(line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (negated, rest) = match line.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, line),
    };
    let mut body = String::new();
    if !rest.is_empty() {
        body = clean(rest);
        if body.len() > 1 {
            if let Some(stripped) = body.strip_prefix('/') {
                body = stripped.to_owned();
            }
        }
    }
    Some(if negated { format!("!{body}") } else { body })
}

/// Go's `path.Clean`, which Docker applies to patterns.
pub(super) fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    let body = parts.join("/");
    if rooted {
        format!("/{body}")
    } else if body.is_empty() {
        ".".to_owned()
    } else {
        body
    }
}

/// A caller's path in the form Docker's walkers produce: cleaned, relative.
fn relative(path: &str) -> String {
    let cleaned = clean(path);
    match cleaned.trim_start_matches('/') {
        "" => ".".to_owned(),
        rest => rest.to_owned(),
    }
}
