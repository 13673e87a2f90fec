//! PEP 440 versions and version specifiers: parsing with every listed normalisation, normal form, ordering and matching.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a version, specifier or Poetry constraint was rejected; each message quotes the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Pep440Error {
    #[error("invalid version \"{input}\": {reason}")]
    InvalidVersion { input: String, reason: String },
    #[error("invalid specifier \"{input}\": {reason}")]
    InvalidSpecifier { input: String, reason: String },
    #[error("~= needs at least two release segments (\"{input}\")")]
    CompatibleReleaseTooShort { input: String },
    #[error("invalid Poetry constraint \"{input}\": {reason}")]
    InvalidPoetryConstraint { input: String, reason: String },
}

/// Pre-release phase; declaration order is the PEP 440 order (a < b < rc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreKind {
    Alpha,
    Beta,
    Rc,
}

impl PreKind {
    /// Normal-form spelling: `a`, `b` or `rc`.
    pub fn as_str(self) -> &'static str {
        match self {
            PreKind::Alpha => "a",
            PreKind::Beta => "b",
            PreKind::Rc => "rc",
        }
    }
}

/// One dot-separated piece of a local version label.
///
/// Variant order matters: PEP 440 ranks a numeric segment above any alphanumeric one,
/// and the derived `Ord` compares the variant first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LocalSegment {
    /// Lower-cased; compared lexicographically.
    Text(String),
    /// All-digit segment; compared numerically, so `+01` equals `+1`.
    Number(u64),
}

impl fmt::Display for LocalSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalSegment::Text(t) => f.write_str(t),
            LocalSegment::Number(n) => write!(f, "{n}"),
        }
    }
}

/// A PEP 440 version.
///
/// Equality and ordering are PEP 440's, not structural: `1.0 == 1.0.0`. `Display` prints the
/// normal form but keeps the release segment as written, so `1.0.0` stays `1.0.0`.
#[derive(Debug, Clone)]
pub struct Version {
    epoch: u64,
    release: Vec<u64>,
    pre: Option<(PreKind, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<LocalSegment>,
}

impl Version {
    /// A final release such as `3.12.4`; an empty slice stands for `0` so the release is never empty.
    pub fn new(release: impl Into<Vec<u64>>) -> Self {
        let mut release = release.into();
        if release.is_empty() {
            release.push(0);
        }
        Version {
            epoch: 0,
            release,
            pre: None,
            post: None,
            dev: None,
            local: Vec::new(),
        }
    }

    pub fn with_epoch(mut self, epoch: u64) -> Self {
        self.epoch = epoch;
        self
    }

    pub fn with_pre(mut self, pre: Option<(PreKind, u64)>) -> Self {
        self.pre = pre;
        self
    }

    pub fn with_post(mut self, post: Option<u64>) -> Self {
        self.post = post;
        self
    }

    pub fn with_dev(mut self, dev: Option<u64>) -> Self {
        self.dev = dev;
        self
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The release segment as written (trailing zeros kept); never empty.
    pub fn release(&self) -> &[u64] {
        &self.release
    }

    pub fn pre(&self) -> Option<(PreKind, u64)> {
        self.pre
    }

    pub fn post(&self) -> Option<u64> {
        self.post
    }

    pub fn dev(&self) -> Option<u64> {
        self.dev
    }

    pub fn local(&self) -> &[LocalSegment] {
        &self.local
    }

    /// Release component `index`, with the zero padding PEP 440 implies for missing ones.
    pub fn release_part(&self, index: usize) -> u64 {
        self.release.get(index).copied().unwrap_or(0)
    }

    /// PEP 440 counts developmental releases as pre-releases too.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    pub fn is_postrelease(&self) -> bool {
        self.post.is_some()
    }

    pub fn is_devrelease(&self) -> bool {
        self.dev.is_some()
    }

    pub fn is_local(&self) -> bool {
        !self.local.is_empty()
    }

    /// The version without its local label.
    pub fn public(&self) -> Version {
        Version {
            local: Vec::new(),
            ..self.clone()
        }
    }

    /// Epoch and release only: the final release this version belongs to.
    pub fn base(&self) -> Version {
        Version::new(self.release.clone()).with_epoch(self.epoch)
    }

    /// Ordering that ignores the local label, which specifiers must do for candidates.
    fn cmp_public(&self, other: &Version) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| cmp_release(&self.release, &other.release))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            .then_with(|| self.post.cmp(&other.post))
            .then_with(|| self.dev_key().cmp(&other.dev_key()))
    }

    /// A bare `.devN` sorts before every pre-release of the same release, so it gets its own rank.
    fn pre_key(&self) -> PreKey {
        match (self.pre, self.post, self.dev) {
            (Some((kind, n)), _, _) => PreKey::Pre(kind, n),
            (None, None, Some(_)) => PreKey::DevOnly,
            (None, _, _) => PreKey::Final,
        }
    }

    /// No dev segment must sort after any dev segment.
    fn dev_key(&self) -> (bool, u64) {
        match self.dev {
            Some(n) => (false, n),
            None => (true, 0),
        }
    }

    /// Same epoch and release segment once zero padded.
    fn same_release(&self, other: &Version) -> bool {
        self.epoch == other.epoch && cmp_release(&self.release, &other.release) == Ordering::Equal
    }

    /// Structural identity, for specifiers where `1.0` and `1.0.0` mean different things (`~=`, `.*`).
    fn identical(&self, other: &Version) -> bool {
        self.epoch == other.epoch
            && self.release == other.release
            && self.pre == other.pre
            && self.post == other.post
            && self.dev == other.dev
            && self.local == other.local
    }

    fn hash_identical<H: Hasher>(&self, state: &mut H) {
        self.epoch.hash(state);
        self.release.hash(state);
        self.pre.hash(state);
        self.post.hash(state);
        self.dev.hash(state);
        self.local.hash(state);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreKey {
    DevOnly,
    Pre(PreKind, u64),
    Final,
}

fn cmp_release(a: &[u64], b: &[u64]) -> Ordering {
    let len = a.len().max(b.len());
    (0..len)
        .map(|i| {
            let x = a.get(i).copied().unwrap_or(0);
            let y = b.get(i).copied().unwrap_or(0);
            x.cmp(&y)
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // An empty local label sorts first, which is PEP 440's "public before local".
        self.cmp_public(other)
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Trailing zeros are dropped so that equal versions (1.0 == 1.0.0) hash alike.
        let significant = self
            .release
            .iter()
            .rposition(|&n| n != 0)
            .map_or(0, |i| i + 1);
        self.epoch.hash(state);
        self.release[..significant].hash(state);
        self.pre.hash(state);
        self.post.hash(state);
        self.dev.hash(state);
        self.local.hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}!", self.epoch)?;
        }
        for (i, n) in self.release.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{n}")?;
        }
        if let Some((kind, n)) = self.pre {
            write!(f, "{}{n}", kind.as_str())?;
        }
        if let Some(n) = self.post {
            write!(f, ".post{n}")?;
        }
        if let Some(n) = self.dev {
            write!(f, ".dev{n}")?;
        }
        for (i, seg) in self.local.iter().enumerate() {
            f.write_str(if i == 0 { "+" } else { "." })?;
            write!(f, "{seg}")?;
        }
        Ok(())
    }
}

impl FromStr for Version {
    type Err = Pep440Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_version(s).map_err(|reason| Pep440Error::InvalidVersion {
            input: s.to_string(),
            reason,
        })
    }
}

/// Byte cursor over a trimmed, lower-cased, ASCII-only version string.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, s: &str) -> bool {
        if self.bytes[self.pos..].starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn at_digit(&self) -> bool {
        self.peek().is_some_and(|b| b.is_ascii_digit())
    }

    /// Reads a run of digits; `None` when there is none.
    fn number(&mut self) -> Result<Option<u64>, String> {
        let start = self.pos;
        while self.at_digit() {
            self.pos += 1;
        }
        if start == self.pos {
            return Ok(None);
        }
        let digits = &self.bytes[start..self.pos];
        let mut value: u64 = 0;
        for &d in digits {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(d - b'0')))
                .ok_or_else(|| {
                    format!(
                        "number \"{}\" is too large",
                        String::from_utf8_lossy(digits)
                    )
                })?;
        }
        Ok(Some(value))
    }

    /// Tries `[sep]label[[sep]N]`; an omitted number means 0. Leaves the cursor untouched on no match.
    ///
    /// Labels are tried in the given order, so longer spellings must come before their prefixes.
    fn labelled<T: Copy>(&mut self, labels: &[(&str, T)]) -> Result<Option<(T, u64)>, String> {
        let start = self.pos;
        if matches!(self.peek(), Some(b'.' | b'-' | b'_')) {
            self.pos += 1;
        }
        let Some(&(_, value)) = labels.iter().find(|(label, _)| self.eat_str(label)) else {
            self.pos = start;
            return Ok(None);
        };
        // The separator before the number only belongs to us if a number follows it;
        // otherwise it starts the next segment (`1.0a.post1`).
        if matches!(self.peek(), Some(b'.' | b'-' | b'_'))
            && self.peek_at(1).is_some_and(|b| b.is_ascii_digit())
        {
            self.pos += 1;
        }
        Ok(Some((value, self.number()?.unwrap_or(0))))
    }
}

const PRE_LABELS: &[(&str, PreKind)] = &[
    ("alpha", PreKind::Alpha),
    ("a", PreKind::Alpha),
    ("beta", PreKind::Beta),
    ("b", PreKind::Beta),
    ("preview", PreKind::Rc),
    ("pre", PreKind::Rc),
    ("rc", PreKind::Rc),
    ("c", PreKind::Rc),
];
const POST_LABELS: &[(&str, ())] = &[("post", ()), ("rev", ()), ("r", ())];
const DEV_LABELS: &[(&str, ())] = &[("dev", ())];

fn parse_version(input: &str) -> Result<Version, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("empty version".to_string());
    }
    if !trimmed.is_ascii() {
        return Err("contains non-ASCII characters".to_string());
    }
    let lower = trimmed.to_ascii_lowercase();
    let mut c = Cursor {
        bytes: lower.as_bytes(),
        pos: 0,
    };
    c.eat(b'v');

    let first = c
        .number()?
        .ok_or("must start with a release number such as 1.0")?;
    let (epoch, first) = if c.eat(b'!') {
        let n = c
            .number()?
            .ok_or("expected a release number after the epoch \"!\"")?;
        (first, n)
    } else {
        (0, first)
    };
    let mut release = vec![first];
    while c.peek() == Some(b'.') && c.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
        c.pos += 1;
        if let Some(n) = c.number()? {
            release.push(n);
        }
    }

    let pre = c.labelled(PRE_LABELS)?;
    // `1.0-1` is an implicit post-release; only `-` may introduce it and the number is mandatory.
    let post = if c.peek() == Some(b'-') && c.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
        c.pos += 1;
        c.number()?
    } else {
        c.labelled(POST_LABELS)?.map(|((), n)| n)
    };
    let dev = c.labelled(DEV_LABELS)?.map(|((), n)| n);

    let mut local = Vec::new();
    if c.eat(b'+') {
        loop {
            let start = c.pos;
            while c.peek().is_some_and(|b| b.is_ascii_alphanumeric()) {
                c.pos += 1;
            }
            let seg = &lower[start..c.pos];
            if seg.is_empty() {
                return Err(if local.is_empty() {
                    "empty local version label after \"+\"".to_string()
                } else {
                    "local version segments must be non-empty letters or digits".to_string()
                });
            }
            if seg.bytes().all(|b| b.is_ascii_digit()) {
                let mut digits = Cursor {
                    bytes: seg.as_bytes(),
                    pos: 0,
                };
                local.push(LocalSegment::Number(digits.number()?.unwrap_or(0)));
            } else {
                local.push(LocalSegment::Text(seg.to_string()));
            }
            if !matches!(c.peek(), Some(b'.' | b'-' | b'_')) {
                break;
            }
            c.pos += 1;
        }
    }

    if c.pos < lower.len() {
        return Err(format!(
            "unexpected \"{}\" after \"{}\"",
            &trimmed[c.pos..],
            &trimmed[..c.pos]
        ));
    }
    Ok(Version {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// A specifier's comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `~=`
    Compatible,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `<=`
    LessEqual,
    /// `>=`
    GreaterEqual,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `===`
    Arbitrary,
}

impl Operator {
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Compatible => "~=",
            Operator::Equal => "==",
            Operator::NotEqual => "!=",
            Operator::LessEqual => "<=",
            Operator::GreaterEqual => ">=",
            Operator::Less => "<",
            Operator::Greater => ">",
            Operator::Arbitrary => "===",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest spellings first so that `===` is not read as `==` followed by `=`.
pub(crate) const OPERATORS: &[(&str, Operator)] = &[
    ("===", Operator::Arbitrary),
    ("~=", Operator::Compatible),
    ("==", Operator::Equal),
    ("!=", Operator::NotEqual),
    ("<=", Operator::LessEqual),
    (">=", Operator::GreaterEqual),
    ("<", Operator::Less),
    (">", Operator::Greater),
];

/// One version clause such as `>=3.9`, `==3.12.*` or `~=2.2`.
///
/// `===` operands must themselves be PEP 440 versions here: candidates are always [`Version`]s,
/// whose text is always PEP 440, so a legacy operand such as `===foobar` could never match.
#[derive(Debug, Clone)]
pub struct Specifier {
    op: Operator,
    version: Version,
    wildcard: bool,
    /// `===` compares text, so the operand is kept as written.
    literal: Option<String>,
}

impl Specifier {
    /// Builds a clause, enforcing the same rules as parsing (wildcards only with `==`/`!=`,
    /// no local labels on ordered comparisons, `~=` needs two release segments).
    pub fn new(op: Operator, version: Version, wildcard: bool) -> Result<Self, Pep440Error> {
        let literal = (op == Operator::Arbitrary).then(|| version.to_string());
        let spec = Specifier {
            op,
            version,
            wildcard,
            literal,
        };
        spec.validate(&spec.to_string())?;
        Ok(spec)
    }

    pub fn op(&self) -> Operator {
        self.op
    }

    pub fn version(&self) -> &Version {
        &self.version
    }

    /// Whether the clause ends in `.*` (prefix matching).
    pub fn wildcard(&self) -> bool {
        self.wildcard
    }

    /// PEP 440 lets a clause that names a pre-release opt its set into pre-releases;
    /// `!=` does not, since excluding one is not asking for it.
    pub fn names_prerelease(&self) -> bool {
        self.op != Operator::NotEqual && self.version.is_prerelease()
    }

    /// Whether `candidate` satisfies this clause alone, with no pre-release filtering.
    pub fn matches(&self, candidate: &Version) -> bool {
        let v = &self.version;
        match self.op {
            Operator::Equal => self.equal_matches(candidate),
            Operator::NotEqual => !self.equal_matches(candidate),
            Operator::Compatible => {
                let prefix_len = v.release.len().saturating_sub(1);
                let prefix = Version::new(v.release[..prefix_len].to_vec()).with_epoch(v.epoch);
                candidate.cmp_public(v) != Ordering::Less && prefix_matches(&prefix, candidate)
            }
            Operator::LessEqual => candidate.cmp_public(v) != Ordering::Greater,
            Operator::GreaterEqual => candidate.cmp_public(v) != Ordering::Less,
            // "Of the specified version" is read as "same epoch and release", as pip and uv do:
            // `<2.0` keeps out 2.0a1 and 2.0.dev1, `>1.7` keeps out 1.7.post1.
            Operator::Less => {
                candidate.cmp_public(v) == Ordering::Less
                    && (v.is_prerelease()
                        || !candidate.is_prerelease()
                        || !candidate.same_release(v))
            }
            // Local labels are already ignored by `cmp_public`, so 1.7+local is not >1.7.
            Operator::Greater => {
                candidate.cmp_public(v) == Ordering::Greater
                    && (v.is_postrelease()
                        || !candidate.is_postrelease()
                        || !candidate.same_release(v))
            }
            Operator::Arbitrary => self
                .literal
                .as_deref()
                .is_some_and(|lit| candidate.to_string().eq_ignore_ascii_case(lit)),
        }
    }

    fn equal_matches(&self, candidate: &Version) -> bool {
        if self.wildcard {
            prefix_matches(&self.version, candidate)
        } else if self.version.is_local() {
            candidate == &self.version
        } else {
            candidate.cmp_public(&self.version) == Ordering::Equal
        }
    }

    fn validate(&self, input: &str) -> Result<(), Pep440Error> {
        let fail = |reason: &str| {
            Err(Pep440Error::InvalidSpecifier {
                input: input.to_string(),
                reason: reason.to_string(),
            })
        };
        let eq_like = matches!(self.op, Operator::Equal | Operator::NotEqual);
        if self.wildcard {
            if !eq_like {
                return fail("a trailing .* is only allowed with == and !=");
            }
            if self.version.is_devrelease() {
                return fail("a prefix match (.*) cannot include a dev release");
            }
            if self.version.is_local() {
                return fail("a prefix match (.*) cannot include a local version label");
            }
        }
        if self.version.is_local() && !eq_like && self.op != Operator::Arbitrary {
            return fail("local version labels are only allowed with ==, != and ===");
        }
        if self.op == Operator::Compatible && self.version.release.len() < 2 {
            return Err(Pep440Error::CompatibleReleaseTooShort {
                input: input.to_string(),
            });
        }
        Ok(())
    }
}

/// `==V.*` matching. A release-only prefix ignores trailing release components (zero padded);
/// a prefix with a pre or post segment must match the release exactly and those segments too,
/// with whatever follows them ignored.
fn prefix_matches(prefix: &Version, candidate: &Version) -> bool {
    if candidate.epoch != prefix.epoch {
        return false;
    }
    if prefix.pre.is_none() && prefix.post.is_none() {
        return prefix
            .release
            .iter()
            .enumerate()
            .all(|(i, &n)| candidate.release_part(i) == n);
    }
    cmp_release(&candidate.release, &prefix.release) == Ordering::Equal
        && candidate.pre == prefix.pre
        && (prefix.post.is_none() || candidate.post == prefix.post)
}

impl PartialEq for Specifier {
    fn eq(&self, other: &Self) -> bool {
        self.op == other.op
            && self.wildcard == other.wildcard
            && self.version.identical(&other.version)
            && self.literal.as_ref().map(|l| l.to_ascii_lowercase())
                == other.literal.as_ref().map(|l| l.to_ascii_lowercase())
    }
}

impl Eq for Specifier {}

impl Hash for Specifier {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.op.hash(state);
        self.wildcard.hash(state);
        self.version.hash_identical(state);
        self.literal
            .as_ref()
            .map(|l| l.to_ascii_lowercase())
            .hash(state);
    }
}

impl fmt::Display for Specifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.literal {
            Some(lit) => write!(f, "{}{lit}", self.op),
            None => {
                write!(f, "{}{}", self.op, self.version)?;
                if self.wildcard {
                    f.write_str(".*")?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for Specifier {
    type Err = Pep440Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.trim();
        let fail = |reason: String| Pep440Error::InvalidSpecifier {
            input: input.to_string(),
            reason,
        };
        if input.is_empty() {
            return Err(fail("empty specifier".to_string()));
        }
        let Some(&(spelling, op)) = OPERATORS.iter().find(|(t, _)| input.starts_with(t)) else {
            return Err(fail(
                "expected an operator (~=, ==, !=, <=, >=, <, >, ===) before the version"
                    .to_string(),
            ));
        };
        let operand = input[spelling.len()..].trim_start();
        if operand.is_empty() {
            return Err(fail("missing version".to_string()));
        }
        if operand.chars().any(char::is_whitespace) {
            return Err(fail("whitespace inside the version".to_string()));
        }
        let (text, wildcard) = match operand.strip_suffix(".*") {
            Some(rest) if op != Operator::Arbitrary => (rest, true),
            _ => (operand, false),
        };
        let version = text.parse::<Version>().map_err(|e| fail(e.to_string()))?;
        let spec = Specifier {
            op,
            version,
            wildcard,
            literal: (op == Operator::Arbitrary).then(|| operand.to_string()),
        };
        spec.validate(input)?;
        Ok(spec)
    }
}

/// Comma-separated clauses, all of which must match (`>=3.9, <3.13`). Empty means "any version".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SpecifierSet(pub Vec<Specifier>);

impl SpecifierSet {
    pub fn iter(&self) -> std::slice::Iter<'_, Specifier> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `version` satisfies every clause.
    ///
    /// Pre-releases (including dev releases) are rejected unless `allow_prereleases` is set or
    /// some clause itself names a pre-release, which PEP 440 treats as asking for them.
    pub fn contains(&self, version: &Version, allow_prereleases: bool) -> bool {
        if version.is_prerelease()
            && !allow_prereleases
            && !self.0.iter().any(Specifier::names_prerelease)
        {
            return false;
        }
        self.0.iter().all(|s| s.matches(version))
    }
}

impl fmt::Display for SpecifierSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, spec) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{spec}")?;
        }
        Ok(())
    }
}

impl FromStr for SpecifierSet {
    type Err = Pep440Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Empty clauses (`>=3.9,`) are skipped rather than rejected: pip accepts them and
        // real pyproject.toml files contain them.
        s.split(',')
            .map(str::trim)
            .filter(|clause| !clause.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(SpecifierSet)
    }
}

impl<'a> IntoIterator for &'a SpecifierSet {
    type Item = &'a Specifier;
    type IntoIter = std::slice::Iter<'a, Specifier>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// These types travel (to JS, to JSON reports) as their normal-form text.
macro_rules! serde_as_string {
    ($($ty:ty),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}

serde_as_string!(Version, Specifier, SpecifierSet);

#[cfg(test)]
mod tests;
