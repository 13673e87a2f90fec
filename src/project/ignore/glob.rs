//! Docker's pattern engine: a pattern compiled by the strategy Docker picks, and matched as it matches.

/// A compiled pattern. Docker picks one of four strategies per pattern and
/// they disagree at the edges (`**foo` is a plain suffix test and matches
/// `xfoo`; `**foo*` is a regexp and does not), so the strategy is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Glob {
    Exact(String),
    /// Byte strings: Docker slices the pattern by bytes, even mid-character.
    Prefix(Vec<u8>),
    Suffix(Vec<u8>),
    Tokens(Vec<Token>),
}

/// Docker's regexp translation, one piece per token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
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
    pub(super) fn matches(&self, path: &str) -> bool {
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

pub(super) fn compile(pattern: &str) -> Result<Glob, String> {
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

pub(super) fn unclosed() -> String {
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
