//! `.dockerignore` rules, matched exactly as BuildKit and the classic builder match them.

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
    },
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
    /// The rule that decided, for "left out by .dockerignore:3" messages.
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
            rules.push(line, &format!("{file}:{}", index + 1))?;
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
    pub fn rules(&self) -> impl ExactSizeIterator<Item = &Rule> + '_ {
        self.entries.iter().map(|e| &e.rule)
    }

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
    pub fn is_excluded(&self, rel_path: &str) -> bool {
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
fn clean(path: &str) -> String {
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

/// A compiled pattern. Docker picks one of four strategies per pattern and
/// they disagree at the edges (`**foo` is a plain suffix test and matches
/// `xfoo`; `**foo*` is a regexp and does not), so the strategy is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Glob {
    Exact(String),
    /// Byte strings: Docker slices the pattern by bytes, even mid-character.
    Prefix(Vec<u8>),
    Suffix(Vec<u8>),
    Tokens(Vec<Token>),
}

/// Docker's regexp translation, one piece per token.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Lit(char),
    /// `*`, i.e. `[^/]*`.
    Star,
    /// `?`, i.e. `[^/]`.
    Quest,
    /// `[...]`; like any regexp class, it can match `/`.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    /// `**` before more pattern, i.e. `(.*/)?`.
    Dirs,
    /// `**` at the end, i.e. `.*`.
    Rest,
    /// An unescaped `^`, which Docker leaves as a start-of-text anchor.
    Start,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Strategy {
    Exact,
    Prefix,
    Suffix,
    Regexp,
}

impl Glob {
    fn matches(&self, path: &str) -> bool {
        match self {
            Glob::Exact(p) => path == p,
            Glob::Prefix(p) => path.as_bytes().starts_with(p),
            Glob::Suffix(s) => {
                path.as_bytes().ends_with(s)
                    || s.split_first()
                        .is_some_and(|(first, rest)| *first == b'/' && path.as_bytes() == rest)
            }
            Glob::Tokens(tokens) => run(tokens, path),
        }
    }
}

fn compile(pattern: &str) -> Result<Glob, String> {
    let chars: Vec<char> = pattern.chars().collect();
    check_go_syntax(&chars)?;
    // Go's text/scanner, which Docker reads patterns with, drops a leading BOM.
    let mut pos = usize::from(chars.first() == Some(&'\u{feff}'));
    let mut strategy = Strategy::Exact;
    let mut tokens = Vec::new();
    let mut first = true;
    while let Some(&ch) = chars.get(pos) {
        pos += 1;
        match ch {
            '*' if chars.get(pos) == Some(&'*') => {
                pos += 1;
                if chars.get(pos) == Some(&'/') {
                    pos += 1;
                }
                if pos < chars.len() {
                    tokens.push(Token::Dirs);
                    strategy = Strategy::Regexp;
                } else if strategy == Strategy::Exact {
                    strategy = Strategy::Prefix;
                } else {
                    tokens.push(Token::Rest);
                    strategy = Strategy::Regexp;
                }
                // Docker overrides whatever it decided when `**` opens the
                // pattern; later wildcards can still turn it into a regexp.
                if first {
                    strategy = Strategy::Suffix;
                }
            }
            '*' => {
                tokens.push(Token::Star);
                strategy = Strategy::Regexp;
            }
            '?' => {
                tokens.push(Token::Quest);
                strategy = Strategy::Regexp;
            }
            '\\' => {
                let c = *chars.get(pos).ok_or_else(trailing_backslash)?;
                check_escape(c)?;
                pos += 1;
                tokens.push(Token::Lit(c));
                strategy = Strategy::Regexp;
            }
            '[' => {
                let (class, next) = class(&chars, pos)?;
                pos = next;
                tokens.push(class);
                strategy = Strategy::Regexp;
            }
            ']' => {
                tokens.push(Token::Lit(']'));
                strategy = Strategy::Regexp;
            }
            '^' => tokens.push(Token::Start),
            c => tokens.push(Token::Lit(c)),
        }
        first = false;
    }
    let bytes = pattern.as_bytes();
    Ok(match strategy {
        Strategy::Exact => Glob::Exact(pattern.to_owned()),
        Strategy::Prefix => Glob::Prefix(
            bytes
                .get(..bytes.len().saturating_sub(2))
                .unwrap_or(&[])
                .to_vec(),
        ),
        Strategy::Suffix => Glob::Suffix(bytes.get(2..).unwrap_or(&[]).to_vec()),
        Strategy::Regexp => Glob::Tokens(tokens),
    })
}

/// Parses a class body after `[` the way the regexp engine will read
/// Docker's translation of it.
fn class(chars: &[char], mut pos: usize) -> Result<(Token, usize), String> {
    let negated = chars.get(pos) == Some(&'^');
    if negated {
        pos += 1;
    }
    let mut ranges = Vec::new();
    loop {
        if chars.get(pos) == Some(&']') && !ranges.is_empty() {
            return Ok((Token::Class { negated, ranges }, pos + 1));
        }
        let (lo, next) = class_char(chars, pos)?;
        pos = next;
        let mut hi = lo;
        if chars.get(pos) == Some(&'-') {
            let (h, next) = class_char(chars, pos + 1)?;
            hi = h;
            pos = next;
            if lo > hi {
                // Go's glob accepts this; Docker's regexp does not and
                // fails the whole build at the first path it matches.
                return Err(format!(
                    "range `{lo}-{hi}` is backwards (Docker fails the build on it)"
                ));
            }
        }
        ranges.push((lo, hi));
    }
}

fn class_char(chars: &[char], pos: usize) -> Result<(char, usize), String> {
    match chars.get(pos) {
        None => Err(unclosed()),
        Some('\\') => {
            let c = *chars.get(pos + 1).ok_or_else(unclosed)?;
            check_escape(c)?;
            Ok((c, pos + 2))
        }
        Some(c @ ('*' | '?')) => Err(format!(
            "Docker turns `{c}` inside `[...]` into a regular expression of its own; write `\\{c}` for the character"
        )),
        Some('[') if chars.get(pos + 1) == Some(&':') => Err(
            "`[:` inside `[...]` starts a POSIX class in Docker's regexp translation; write `\\[:` for the characters"
                .to_owned(),
        ),
        Some(&c) => Ok((c, pos + 1)),
    }
}

/// Docker passes `\x` straight into a regexp: punctuation stays literal, but
/// `\d` means a digit, `\b` a word boundary, and `\e` or `\é` are errors.
fn check_escape(c: char) -> Result<(), String> {
    if c.is_ascii_alphanumeric() || !c.is_ascii() {
        Err(format!(
            "Docker reads `\\{c}` as a regular-expression escape, not the character `{c}`; drop the `\\`"
        ))
    } else {
        Ok(())
    }
}

fn unclosed() -> String {
    "`[` is never closed by `]`".to_owned()
}

fn trailing_backslash() -> String {
    "trailing `\\` escapes nothing".to_owned()
}

/// Go's glob grammar, checked in full. Docker runs the same check but stops
/// at the first mismatch against ".", so a few malformed patterns (`a*b\`,
/// `x*[ab`) slip through to its regexp translation, where they fail mid-build
/// or match oddly; refusing all of them is the consistent choice.
fn check_go_syntax(chars: &[char]) -> Result<(), String> {
    let mut pos = 0;
    while let Some(&c) = chars.get(pos) {
        match c {
            '\\' => {
                if pos + 1 >= chars.len() {
                    return Err(trailing_backslash());
                }
                pos += 2;
            }
            '[' => {
                pos += 1;
                if chars.get(pos) == Some(&'^') {
                    pos += 1;
                }
                let mut items = 0;
                loop {
                    if chars.get(pos) == Some(&']') && items > 0 {
                        pos += 1;
                        break;
                    }
                    pos = go_class_char(chars, pos, items == 0)?;
                    if chars.get(pos) == Some(&'-') {
                        pos = go_class_char(chars, pos + 1, false)?;
                    }
                    items += 1;
                }
            }
            _ => pos += 1,
        }
    }
    Ok(())
}

fn go_class_char(chars: &[char], pos: usize, first: bool) -> Result<usize, String> {
    let next = match chars.get(pos) {
        None => return Err(unclosed()),
        Some(']') if first => return Err("empty `[]` (write `\\]` for a literal `]`)".to_owned()),
        Some(']') => {
            return Err(
                "a range needs an end before `]` (write `\\-` for a literal `-`)".to_owned(),
            )
        }
        Some('-') => {
            return Err("`-` must join two characters (write `\\-` for a literal `-`)".to_owned())
        }
        Some('\\') if pos + 1 >= chars.len() => return Err(unclosed()),
        Some('\\') => pos + 2,
        Some(_) => pos + 1,
    };
    // Go also refuses a class that runs to the end of the pattern here.
    if next >= chars.len() {
        return Err(unclosed());
    }
    Ok(next)
}

/// Runs a regexp-strategy pattern over the whole of `text` as a state set,
/// so the cost stays linear in the text and deep patterns cannot recurse.
fn run(tokens: &[Token], text: &str) -> bool {
    let end = tokens.len();
    let mut now = States::new(end);
    let mut next = States::new(end);
    now.at[0] = true;
    now.close(tokens, true);
    for c in text.chars() {
        next.clear();
        for (t, token) in tokens.iter().enumerate() {
            if now.at[t] {
                match token {
                    Token::Lit(x) if *x == c => next.at[t + 1] = true,
                    Token::Star if c != '/' => next.at[t] = true,
                    Token::Quest if c != '/' => next.at[t + 1] = true,
                    Token::Class { negated, ranges }
                        if ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated =>
                    {
                        next.at[t + 1] = true
                    }
                    // `.` in Go's regexp stops at newlines.
                    Token::Rest if c != '\n' => next.at[t] = true,
                    _ => {}
                }
            }
            if now.inside[t] {
                if c != '\n' {
                    next.inside[t] = true;
                }
                if c == '/' {
                    next.at[t + 1] = true;
                }
            }
        }
        std::mem::swap(&mut now, &mut next);
        now.close(tokens, false);
        if !now.live() {
            return false;
        }
    }
    now.at[end]
}

/// `at[t]`: about to match token `t` (`at[len]` accepts). `inside[t]`: within
/// the `.*` of a `**` group, which must still consume a `/` to leave it.
struct States {
    at: Vec<bool>,
    inside: Vec<bool>,
}

impl States {
    fn new(tokens: usize) -> Self {
        States {
            at: vec![false; tokens + 1],
            inside: vec![false; tokens],
        }
    }

    fn clear(&mut self) {
        self.at.fill(false);
        self.inside.fill(false);
    }

    fn live(&self) -> bool {
        self.at.iter().chain(&self.inside).any(|&s| s)
    }

    /// Empty moves only go forward, so one ascending pass reaches them all.
    fn close(&mut self, tokens: &[Token], at_start: bool) {
        for (t, token) in tokens.iter().enumerate() {
            if !self.at[t] {
                continue;
            }
            match token {
                Token::Star | Token::Rest => self.at[t + 1] = true,
                Token::Dirs => {
                    self.at[t + 1] = true;
                    self.inside[t] = true;
                }
                Token::Start if at_start => self.at[t + 1] = true,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(patterns: &[&str]) -> IgnoreRules {
        let mut r = IgnoreRules::new();
        for p in patterns {
            r.push(p, "test").unwrap();
        }
        r
    }

    fn excluded(patterns: &[&str], path: &str) -> bool {
        rules(patterns).is_excluded(path)
    }

    fn reason(pattern: &str) -> String {
        match IgnoreRules::new().push(pattern, "test") {
            Err(IgnoreError::BadPattern { reason, .. }) => reason,
            Ok(()) => panic!("{pattern:?} was accepted"),
        }
    }

    /// moby/patternmatcher's `TestMatches` table (one pattern each).
    #[test]
    fn moby_match_table() {
        let table: &[(&str, &str, bool)] = &[
            ("**", "file", true),
            ("**", "file/", true),
            ("**/", "file", true),
            ("**/", "file/", true),
            ("**", "dir/file", true),
            ("**/", "dir/file", true),
            ("**", "dir/file/", true),
            ("**/", "dir/file/", true),
            ("**/**", "dir/file", true),
            ("**/**", "dir/file/", true),
            ("dir/**", "dir/file", true),
            ("dir/**", "dir/file/", true),
            ("dir/**", "dir/dir2/file", true),
            ("dir/**", "dir/dir2/file/", true),
            ("**/dir", "dir", true),
            ("**/dir", "dir/file", true),
            ("**/dir2/*", "dir/dir2/file", true),
            ("**/dir2/*", "dir/dir2/file/", true),
            ("**/dir2/**", "dir/dir2/dir3/file", true),
            ("**/dir2/**", "dir/dir2/dir3/file/", true),
            ("**file", "file", true),
            ("**file", "dir/file", true),
            ("**/file", "dir/file", true),
            ("**file", "dir/dir/file", true),
            ("**/file", "dir/dir/file", true),
            ("**/file*", "dir/dir/file", true),
            ("**/file*", "dir/dir/file.txt", true),
            ("**/file*txt", "dir/dir/file.txt", true),
            ("**/file*.txt", "dir/dir/file.txt", true),
            ("**/file*.txt*", "dir/dir/file.txt", true),
            ("**/**/*.txt", "dir/dir/file.txt", true),
            ("**/**/*.txt2", "dir/dir/file.txt", false),
            ("**/*.txt", "file.txt", true),
            ("**/**/*.txt", "file.txt", true),
            ("a**/*.txt", "a/file.txt", true),
            ("a**/*.txt", "a/dir/file.txt", true),
            ("a**/*.txt", "a/dir/dir/file.txt", true),
            ("a/*.txt", "a/dir/file.txt", false),
            ("a/*.txt", "a/file.txt", true),
            ("a/*.txt**", "a/file.txt", true),
            ("a[b-d]e", "ae", false),
            ("a[b-d]e", "ace", true),
            ("a[b-d]e", "aae", false),
            ("a[^b-d]e", "aze", true),
            (".*", ".foo", true),
            (".*", "foo", false),
            ("abc.def", "abcdef", false),
            ("abc.def", "abc.def", true),
            ("abc.def", "abcZdef", false),
            ("abc?def", "abcZdef", true),
            ("abc?def", "abcdef", false),
            ("a\\\\", "a\\", true),
            ("**/foo/bar", "foo/bar", true),
            ("**/foo/bar", "dir/foo/bar", true),
            ("**/foo/bar", "dir/dir2/foo/bar", true),
            ("abc/**", "abc", false),
            ("abc/**", "abc/def", true),
            ("abc/**", "abc/def/ghi", true),
            ("**/.foo", ".foo", true),
            ("**/.foo", "bar.foo", false),
            ("a(b)c/def", "a(b)c/def", true),
            ("a(b)c/def", "a(b)c/xyz", false),
            ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
            (
                "dist/*.whl",
                "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
                true,
            ),
            ("a\\*b", "a*b", true),
        ];
        for &(pattern, path, want) in table {
            assert_eq!(excluded(&[pattern], path), want, "{pattern:?} vs {path:?}");
        }
        // Paths are cleaned first, so moby's `"/"` rows only make sense
        // against the compiled pattern itself.
        assert!(compile("**").unwrap().matches("/"));
    }

    #[test]
    fn moby_multi_pattern_table() {
        let whl = "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl";
        assert!(!excluded(
            &["**", "!util/docker/web"],
            "util/docker/web/foo"
        ));
        assert!(excluded(
            &["**", "!util/docker/web", "util/docker/web/foo"],
            "util/docker/web/foo"
        ));
        assert!(!excluded(&["**", &format!("!{whl}")], whl));
        assert!(!excluded(&["**", "!dist/*.whl"], whl));
    }

    /// The `filepath.Match` table moby runs through its matcher; `None`
    /// marks patterns Docker refuses.
    #[test]
    fn go_filepath_match_table() {
        let table: &[(&str, &str, Option<bool>)] = &[
            ("abc", "abc", Some(true)),
            ("*", "abc", Some(true)),
            ("*c", "abc", Some(true)),
            ("a*", "a", Some(true)),
            ("a*", "abc", Some(true)),
            ("a*", "ab/c", Some(true)),
            ("a*/b", "abc/b", Some(true)),
            ("a*/b", "a/c/b", Some(false)),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", Some(true)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Some(true)),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Some(false)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Some(false)),
            ("a*b?c*x", "abxbbxdbxebxczzx", Some(true)),
            ("a*b?c*x", "abxbbxdbxebxczzy", Some(false)),
            ("ab[c]", "abc", Some(true)),
            ("ab[b-d]", "abc", Some(true)),
            ("ab[e-g]", "abc", Some(false)),
            ("ab[^c]", "abc", Some(false)),
            ("ab[^b-d]", "abc", Some(false)),
            ("ab[^e-g]", "abc", Some(true)),
            ("a\\*b", "a*b", Some(true)),
            ("a\\*b", "ab", Some(false)),
            ("a?b", "a☺b", Some(true)),
            ("a[^a]b", "a☺b", Some(true)),
            ("a???b", "a☺b", Some(false)),
            ("a[^a][^a][^a]b", "a☺b", Some(false)),
            ("[a-ζ]*", "α", Some(true)),
            ("*[a-ζ]", "A", Some(false)),
            ("a?b", "a/b", Some(false)),
            ("a*b", "a/b", Some(false)),
            ("[\\]a]", "]", Some(true)),
            ("[\\-]", "-", Some(true)),
            ("[x\\-]", "x", Some(true)),
            ("[x\\-]", "-", Some(true)),
            ("[x\\-]", "z", Some(false)),
            ("[\\-x]", "x", Some(true)),
            ("[\\-x]", "-", Some(true)),
            ("[\\-x]", "a", Some(false)),
            ("[]a]", "]", None),
            ("[-]", "-", None),
            ("[x-]", "x", None),
            ("[-x]", "x", None),
            ("\\", "a", None),
            ("[a-b-c]", "a", None),
            ("[", "a", None),
            ("[^", "a", None),
            ("[^bc", "a", None),
            ("a[", "a", None),
            ("*x", "xxx", Some(true)),
        ];
        for &(pattern, path, want) in table {
            let mut r = IgnoreRules::new();
            match (r.push(pattern, "t"), want) {
                (Ok(()), Some(want)) => {
                    assert_eq!(r.is_excluded(path), want, "{pattern:?} vs {path:?}")
                }
                (Err(_), None) => {}
                (got, _) => panic!("{pattern:?}: got {got:?}, wanted {want:?}"),
            }
        }
    }

    /// The examples from Docker's `.dockerignore` documentation.
    #[test]
    fn documented_examples() {
        let r =
            IgnoreRules::parse(".dockerignore", "# comment\n*/temp*\n*/*/temp*\ntemp?\n").unwrap();
        assert_eq!(r.rules().len(), 3);
        for path in [
            "somedir/temporary.txt",
            "somedir/temp",
            "somedir/temp/inner.txt",
            "somedir/subdir/temporary.txt",
            "tempa",
            "tempb",
        ] {
            assert!(r.is_excluded(path), "{path}");
        }
        for path in ["temp.txt", "temp", "tempab", "a/b/c/temp", "somedir/xtemp"] {
            assert!(!r.is_excluded(path), "{path}");
        }

        let go = rules(&["**/*.go"]);
        assert!(go.is_excluded("main.go"));
        assert!(go.is_excluded("a/b/c.go"));
        assert!(!go.is_excluded("a/b/c.gox"));

        let md = rules(&["*.md", "!README*.md", "README-secret.md"]);
        assert!(md.is_excluded("CHANGELOG.md"));
        assert!(!md.is_excluded("README.md"));
        assert!(md.is_excluded("README-secret.md"));
        assert!(!md.is_excluded("docs/notes.md"), "`*` stays in one segment");

        let readme = rules(&["*.md", "!README.md"]);
        match readme.verdict("README.md") {
            Verdict::Included(rule) => assert_eq!(rule.pattern, "README.md"),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn excluded_directory_with_exception() {
        let r = IgnoreRules::parse(".dockerignore", "docs\n!docs/keep.md\n").unwrap();
        let rule_of = |p: &str| r.verdict(p).rule().map(|r| r.source.clone());
        assert!(r.is_excluded("docs"));
        assert!(r.is_excluded("docs/other.md"));
        assert!(r.is_excluded("docs/sub/deep.md"));
        assert!(matches!(r.verdict("docs/keep.md"), Verdict::Included(_)));
        assert_eq!(rule_of("docs/keep.md").as_deref(), Some(".dockerignore:2"));
        assert_eq!(rule_of("docs/x").as_deref(), Some(".dockerignore:1"));
        assert_eq!(r.verdict("src/main.py"), Verdict::NoRule);
        assert!(r.may_reinclude_under("docs"));
        assert!(!r.may_reinclude_under("src"));
        // The trailing slash and `/*` forms from moby's tests behave alike.
        assert!(!excluded(&["docs/", "!docs/README.md"], "docs/README.md"));
        assert!(!excluded(&["docs/*", "!docs/README.md"], "docs/README.md"));
    }

    #[test]
    fn patterns_are_cleaned() {
        let r =
            IgnoreRules::parse("f", "/abs\n./x\na/../b\nc//d/\n! /e/./f\n/\n..\n../up\n").unwrap();
        let got: Vec<(&str, bool)> = r.rules().map(|r| (r.pattern.as_str(), r.negated)).collect();
        assert_eq!(
            got,
            [
                ("abs", false),
                ("x", false),
                ("b", false),
                ("c/d", false),
                ("e/f", true),
                ("/", false),
                ("..", false),
                ("../up", false),
            ]
        );
        assert!(r.is_excluded("abs/inner"));
        assert!(r.is_excluded("x"));
        assert!(r.is_excluded("b"));
        assert!(!r.is_excluded("a"));
        assert!(r.is_excluded("c/d"));
        // Clean can expose trailing blanks, which Docker then trims, and a
        // line that is only blanks between slashes disappears.
        let r = IgnoreRules::parse("f", "x /\n/ /\n! y /\n").unwrap();
        let got: Vec<(&str, bool)> = r.rules().map(|r| (r.pattern.as_str(), r.negated)).collect();
        assert_eq!(got, [("x", false), ("y", true)]);
        // `/` and `..` stay as Docker leaves them and match nothing.
        assert!(!rules(&["/"]).is_excluded("a"));
        assert!(!rules(&[".."]).is_excluded("a"));
    }

    #[test]
    fn comments_and_blank_lines() {
        let text = "\u{feff}# bom then comment\n\n   \n\t\n # not a comment\nfoo # not a comment either\n\\#escaped\nkeep#this\r\n  spaced  \r\n";
        let r = IgnoreRules::parse("ign", text).unwrap();
        let got: Vec<(&str, &str)> = r
            .rules()
            .map(|r| (r.pattern.as_str(), r.source.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("# not a comment", "ign:5"),
                ("foo # not a comment either", "ign:6"),
                ("\\#escaped", "ign:7"),
                ("keep#this", "ign:8"),
                ("spaced", "ign:9"),
            ]
        );
        assert!(r.is_excluded("# not a comment"));
        assert!(r.is_excluded("#escaped"));
        assert!(r.is_excluded("keep#this"));
        assert!(r.is_excluded("spaced"));
        assert!(!r.is_excluded("foo"));
    }

    #[test]
    fn bom_only_counts_on_the_first_line() {
        let r = IgnoreRules::parse("f", "\u{feff}a\n\u{feff}b\n").unwrap();
        assert!(r.is_excluded("a"));
        assert!(!r.is_excluded("b"));
        assert!(r.is_excluded("\u{feff}b"));
        // A pattern starting with a BOM must not be sliced mid-character.
        let odd = rules(&["\u{feff}**x"]);
        assert!(!odd.is_excluded("ax"));
        assert!(odd.is_excluded("a\u{bf}**x"));
    }

    /// moby's `ignorefile.TestReadAll`, minus the lone `!` lines Docker's
    /// matcher rejects (checked below).
    #[test]
    fn docker_reader_example() {
        let text =
            "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n";
        let r = IgnoreRules::parse(".dockerignore", text).unwrap();
        let got: Vec<String> = r
            .rules()
            .map(|r| format!("{}{}", if r.negated { "!" } else { "" }, r.pattern))
            .collect();
        assert_eq!(
            got,
            [
                "test1",
                "test2",
                "a/file/here",
                "lastfile",
                "!inverted/abs/path"
            ]
        );

        for text in ["x\n!\n", "x\n! \n", "x\n!/\n"] {
            let err = IgnoreRules::parse(".dockerignore", text).unwrap_err();
            let IgnoreError::BadPattern { origin, .. } = &err;
            assert_eq!(origin, ".dockerignore:2", "{text:?}");
        }
    }

    #[test]
    fn character_classes() {
        assert!(excluded(&["file[0-9].txt"], "file7.txt"));
        assert!(!excluded(&["file[0-9].txt"], "fileA.txt"));
        assert!(excluded(&["[abc]x"], "bx"));
        assert!(excluded(&["[^abc]x"], "dx"));
        assert!(!excluded(&["[^abc]x"], "ax"));
        // `!` does not negate a class in Go or in Docker.
        assert!(excluded(&["[!a]x"], "!x"));
        assert!(excluded(&["[!a]x"], "ax"));
        assert!(!excluded(&["[!a]x"], "bx"));
        // A class matches `/`, unlike `?` and `*`.
        assert!(excluded(&["a[^x]b"], "a/b"));
        assert!(!excluded(&["a?b"], "a/b"));
        assert!(excluded(&["[[]x"], "[x"));
        assert!(excluded(&["[a^]"], "^"));
        assert!(excluded(&["x[.]"], "x."));
        assert!(!excluded(&["x[.]"], "xy"));
        assert!(excluded(&["[\\]]"], "]"));
        assert!(excluded(&["[+-.]"], ","));
    }

    #[test]
    fn escapes() {
        assert!(excluded(&["a\\*b"], "a*b"));
        assert!(!excluded(&["a\\*b"], "axb"));
        assert!(excluded(&["\\[x\\]"], "[x]"));
        assert!(excluded(&["a\\?"], "a?"));
        assert!(!excluded(&["a\\?"], "ab"));
        assert!(excluded(&["a\\ b"], "a b"));
        assert!(excluded(&["a\\_b"], "a_b"));
        assert!(excluded(&["a\\\\b"], "a\\b"));
        // An unescaped `]` outside a class is just a character.
        assert!(excluded(&["a]*"], "a]b"));
    }

    #[test]
    fn double_star() {
        let r = rules(&["a/**/b"]);
        for p in ["a/b", "a/x/b", "a/x/y/b", "a/b/c"] {
            assert!(r.is_excluded(p), "{p}");
        }
        assert!(!r.is_excluded("a/xb"));
        assert!(!r.is_excluded("ab"));
        assert!(excluded(&["a**"], "abc/d"));
        assert!(excluded(&["**"], "anything/at/all"));
        // `**` glued to a name: a plain suffix test when nothing else is a
        // wildcard, a regexp otherwise, and the two disagree.
        assert!(excluded(&["**file"], "dir/myfile"));
        assert!(!excluded(&["**file*"], "dir/myfile"));
        assert!(excluded(&["**.txt"], "notes.txt"));
        assert!(!excluded(&["a**b"], "axb"));
        assert!(excluded(&["a**b"], "ax/b"));
        // Regexp `.` stops at newlines; the suffix test does not.
        assert!(!excluded(&["a/**/b*"], "a/x\ny/b"));
        assert!(excluded(&["**/b"], "x\ny/b"));
    }

    #[test]
    fn caret_is_an_anchor_in_wildcard_patterns() {
        assert!(excluded(&["a^b"], "a^b"));
        assert!(!excluded(&["a^*"], "a^b"));
        assert!(excluded(&["^x*"], "xy"));
        assert!(!excluded(&["^x*"], "^xy"));
        assert!(excluded(&["a^b/**"], "a^b/c"));
    }

    #[test]
    fn parent_directories_match() {
        let r = rules(&["a/b"]);
        assert!(r.is_excluded("a/b"));
        assert!(r.is_excluded("a/b/c/d"));
        assert!(!r.is_excluded("a"));
        assert!(!r.is_excluded("a/bc"));
        assert!(excluded(&["*/temp*"], "x/temp/y/z"));
        assert!(excluded(&["docs"], "docs/x/y"));
        assert!(excluded(&["docs"], "./docs/x/"));
        assert!(excluded(&["docs"], "/docs/x"));
    }

    #[test]
    fn last_rule_wins() {
        let r = rules(&["*.md", "!README.md", "README.md"]);
        assert_eq!(
            r.verdict("README.md")
                .rule()
                .map(|r| (r.pattern.as_str(), r.negated)),
            Some(("README.md", false))
        );
        assert!(excluded(&["!x", "x"], "x"));
        assert!(!excluded(&["x", "!x"], "x"));
        assert!(!excluded(&["!x"], "x"));
        assert_eq!(rules(&["!x"]).verdict("x"), Verdict::NoRule);
        let r = rules(&["docs", "!docs", "docs/a"]);
        assert!(!r.is_excluded("docs/b"));
        assert!(r.is_excluded("docs/a/z"));
    }

    /// The walkers carry per-directory results down, and a rule skipped at a
    /// directory is not inherited; plain "last match wins" would exclude
    /// `d/f` here, Docker keeps it.
    #[test]
    fn skipped_rules_are_not_inherited() {
        let r = rules(&["d", "!d/f", "d"]);
        assert!(r.is_excluded("d"));
        match r.verdict("d/f") {
            Verdict::Included(rule) => assert_eq!(rule.pattern, "d/f"),
            v => panic!("{v:?}"),
        }
        assert!(!r.is_excluded("d/f/g"));
        assert!(r.is_excluded("d/g"));
    }

    #[test]
    fn root_is_never_excluded() {
        let r = rules(&["**", "*"]);
        assert_eq!(r.verdict("."), Verdict::NoRule);
        assert_eq!(r.verdict(""), Verdict::NoRule);
        assert_eq!(r.verdict("/"), Verdict::NoRule);
        assert!(r.is_excluded("x"));
    }

    #[test]
    fn push_takes_exclude_flags() {
        let mut r = IgnoreRules::new();
        r.push("*.pyc", "--exclude").unwrap();
        r.push("!keep.pyc", "--exclude").unwrap();
        r.push("   ", "--exclude").unwrap();
        r.push("#literal", "--exclude").unwrap();
        assert_eq!(r.rules().len(), 3);
        assert!(r.is_excluded("a.pyc"));
        assert!(!r.is_excluded("keep.pyc"));
        assert!(r.is_excluded("#literal"));
        assert_eq!(
            r.verdict("a.pyc").rule().map(|r| r.source.as_str()),
            Some("--exclude")
        );
        assert!(IgnoreRules::new().is_empty());
    }

    #[test]
    fn malformed_patterns_name_file_line_and_pattern() {
        let err = IgnoreRules::parse(".dockerignore", "ok\n# c\n  a[b  \n").unwrap_err();
        assert_eq!(
            err,
            IgnoreError::BadPattern {
                origin: ".dockerignore:3".into(),
                pattern: "a[b".into(),
                reason: unclosed(),
            }
        );
        assert_eq!(
            err.to_string(),
            ".dockerignore:3: invalid pattern `a[b`: `[` is never closed by `]`"
        );
        let bad = [
            "[", "a[", "[^", "[]", "[]a]", "[^]", "[-x]", "[x-]", "[a-b-c]", "a\\", "\\", "[a\\",
            "!", "!/",
        ];
        for p in bad {
            assert!(IgnoreRules::new().push(p, "t").is_err(), "{p:?}");
        }
        assert!(reason("a\\").contains("trailing"));
        assert!(reason("[]").contains("empty"));
        assert!(reason("[x-]").contains("range"));
        assert!(reason("!").contains("`!`"));
    }

    /// Patterns Docker accepts up front but then fails on, or reads as a
    /// regular expression no glob reading agrees with.
    #[test]
    fn regexp_leaks_are_refused() {
        assert!(reason("[z-a]").contains("backwards"));
        assert!(reason("[Local-Only]/").contains("`l-O`"));
        assert!(reason("\\d").contains("regular-expression escape"));
        assert!(reason("[\\w]").contains("regular-expression escape"));
        assert!(reason("a\\é").contains("regular-expression escape"));
        assert!(reason("[*]").contains("inside `[...]`"));
        assert!(reason("[a?]").contains("inside `[...]`"));
        assert!(reason("[[:alpha:]]").contains("POSIX"));
        let err = IgnoreRules::parse("f", "\n\n!x\\n").unwrap_err();
        assert!(
            err.to_string().starts_with("f:3: invalid pattern `!x\\n`"),
            "{err}"
        );
    }

    #[test]
    fn may_reinclude_under_follows_buildkit() {
        assert!(!rules(&["docs"]).may_reinclude_under("docs"));
        let r = rules(&["docs", "!docs/sub/keep.md"]);
        assert!(r.may_reinclude_under("docs"));
        assert!(r.may_reinclude_under("docs/sub"));
        assert!(!r.may_reinclude_under("docs/other"));
        assert!(!r.may_reinclude_under("doc"));
        assert!(!r.may_reinclude_under("docs/sub/keep.md/x"));
        assert!(r.may_reinclude_under("./docs/"));
        // A trailing `/**` or `/*` is not a wildcard for this purpose.
        let r = rules(&["docs", "!docs/sub/**"]);
        assert!(r.may_reinclude_under("docs/sub"));
        assert!(!r.may_reinclude_under("docs/other"));
        let r = rules(&["docs", "!docs/*"]);
        assert!(r.may_reinclude_under("docs"));
        assert!(!r.may_reinclude_under("src"));
        // Any other wildcard in a `!` rule means every directory is walked.
        let r = rules(&["docs", "!**/keep.md"]);
        assert!(r.may_reinclude_under("docs"));
        assert!(r.may_reinclude_under("anything/else"));
        assert!(rules(&["*", "!a^b"]).may_reinclude_under("x"));
    }

    #[test]
    fn clean_matches_go() {
        for (input, want) in [
            ("", "."),
            (".", "."),
            ("./", "."),
            ("a/", "a"),
            ("a//b", "a/b"),
            ("a/./b", "a/b"),
            ("a/../b", "b"),
            ("a/../..", ".."),
            ("../../a", "../../a"),
            ("/../a", "/a"),
            ("//a", "/a"),
            ("/", "/"),
            ("!a/..", "."),
            ("!/", "!"),
        ] {
            assert_eq!(clean(input), want, "{input:?}");
        }
    }

    #[test]
    fn long_patterns_do_not_recurse() {
        let pattern = "a*".repeat(500);
        let path = "a".repeat(4000);
        assert!(excluded(&[&pattern], &path));
        assert!(!excluded(&[&format!("{pattern}b")], &path));
    }
}
