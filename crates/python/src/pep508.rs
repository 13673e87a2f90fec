//! PEP 508 dependency specifiers (`name[extras] >=1,<2 ; marker`) and their environment
//! markers: a parser whose errors point at a column, and an evaluator for a target environment.

use std::fmt;
use std::str::FromStr;

use crate::name::{normalize, ExtraName, PackageName};
use crate::pep440::{Operator, Specifier, SpecifierSet, Version, OPERATORS};
use crate::url::{self, DirectUrl};

/// Why a requirement or marker was rejected: the text, the 1-based column, and what was expected.
/// The text is shown with the userinfo of any URL in it hidden: it may be a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot parse {:?} at column {column}: {message}",
    url::redacted_in(text)
)]
pub struct Pep508Error {
    pub text: String,
    pub column: usize,
    pub message: String,
}

/// One dependency: a name, optional extras, and either a version set or a direct URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    pub name: PackageName,
    /// Sorted and deduplicated, so that two spellings of one requirement are equal.
    pub extras: Vec<ExtraName>,
    /// Empty when the requirement has no version clauses (including the URL form).
    pub version: SpecifierSet,
    /// The `name @ url` form.
    pub url: Option<DirectUrl>,
    pub marker: Option<Marker>,
}

impl Requirement {
    pub fn parse(text: &str) -> Result<Requirement, Pep508Error> {
        parse_requirement(&mut Cursor::new(text))
    }

    /// True when there is no marker, else the marker's value in `env` with these extras active.
    pub fn applies(&self, env: &MarkerEnv, extras: &[ExtraName]) -> bool {
        self.marker
            .as_ref()
            .is_none_or(|marker| marker.evaluate(env, extras))
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if !self.extras.is_empty() {
            let names: Vec<&str> = self.extras.iter().map(PackageName::as_str).collect();
            write!(f, "[{}]", names.join(","))?;
        }
        write!(f, "{}", self.version)?;
        if let Some(url) = &self.url {
            write!(f, " @ {url}")?;
        }
        if let Some(marker) = &self.marker {
            // The space matters after a URL: without it the `;` would be read as part of the URL.
            write!(f, " ; {marker}")?;
        }
        Ok(())
    }
}

impl FromStr for Requirement {
    type Err = Pep508Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Requirement::parse(s)
    }
}

/// An environment marker: comparisons joined by `and` / `or`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Marker(Expr);

impl Marker {
    pub fn parse(text: &str) -> Result<Marker, Pep508Error> {
        parse_marker(&mut Cursor::new(text))
    }

    /// The marker's value in `env` with `extras` active.
    ///
    /// `extra` holds one name at a time, so the marker is tried once per active extra and is
    /// true if any try is (pip does the same); with no extras it is tried once with `extra`
    /// empty. The PEP 751 sets `extras` and `dependency_groups` see all of `extras` at once.
    pub fn evaluate(&self, env: &MarkerEnv, extras: &[ExtraName]) -> bool {
        if extras.is_empty() {
            return self.0.eval(env, "", extras);
        }
        extras
            .iter()
            .any(|extra| self.0.eval(env, extra.as_str(), extras))
    }
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Marker {
    type Err = Pep508Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Marker::parse(s)
    }
}

/// The values marker variables take on the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerEnv {
    pub implementation_name: String,
    pub implementation_version: String,
    pub os_name: String,
    pub platform_machine: String,
    pub platform_python_implementation: String,
    pub platform_release: String,
    pub platform_system: String,
    pub platform_version: String,
    pub python_full_version: String,
    pub python_version: String,
    pub sys_platform: String,
}

impl MarkerEnv {
    /// CPython on Linux: `python` is the full version (3.11.2), `machine` is `uname -m` (x86_64, aarch64).
    ///
    /// `platform_release` and `platform_version` describe the kernel the container will run
    /// on, which is unknown at build time, so they are left empty.
    pub fn linux_cpython(python: &Version, machine: &str) -> MarkerEnv {
        let full = python.to_string();
        MarkerEnv {
            implementation_name: "cpython".to_string(),
            implementation_version: full.clone(),
            os_name: "posix".to_string(),
            platform_machine: machine.to_string(),
            platform_python_implementation: "CPython".to_string(),
            platform_release: String::new(),
            platform_system: "Linux".to_string(),
            platform_version: String::new(),
            python_full_version: full,
            python_version: format!("{}.{}", python.release_part(0), python.release_part(1)),
            sys_platform: "linux".to_string(),
        }
    }

    fn get(&self, var: Variable) -> &str {
        match var {
            Variable::ImplementationName => &self.implementation_name,
            Variable::ImplementationVersion => &self.implementation_version,
            Variable::OsName => &self.os_name,
            Variable::PlatformMachine => &self.platform_machine,
            Variable::PlatformPythonImplementation => &self.platform_python_implementation,
            Variable::PlatformRelease => &self.platform_release,
            Variable::PlatformSystem => &self.platform_system,
            Variable::PlatformVersion => &self.platform_version,
            Variable::PythonFullVersion => &self.python_full_version,
            Variable::PythonVersion => &self.python_version,
            Variable::SysPlatform => &self.sys_platform,
            // Callers handle the extra-related variables before asking the environment.
            Variable::Extra | Variable::Extras | Variable::DependencyGroups => "",
        }
    }
}

// ---- the marker tree ----

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Expr {
    /// A group never directly holds a group of its own kind, nor only one item, so that
    /// printing and parsing again gives the same tree.
    All(Vec<Expr>),
    Any(Vec<Expr>),
    Compare(Comparison),
}

/// A comparison always has one variable and one quoted string; which side the variable was
/// on is kept because `<` and `in` are not symmetric.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Comparison {
    var: Variable,
    op: MarkerOp,
    value: String,
    var_on_left: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum MarkerOp {
    Version(Operator),
    In,
    NotIn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Variable {
    ImplementationName,
    ImplementationVersion,
    OsName,
    PlatformMachine,
    PlatformPythonImplementation,
    PlatformRelease,
    PlatformSystem,
    PlatformVersion,
    PythonFullVersion,
    PythonVersion,
    SysPlatform,
    Extra,
    /// PEP 751: the set of extras requested from a lock file.
    Extras,
    /// PEP 751: the set of dependency groups requested from a lock file.
    DependencyGroups,
}

/// Every accepted spelling, including the legacy dotted names old metadata still carries.
const VARIABLES: &[(&str, Variable)] = &[
    ("implementation_name", Variable::ImplementationName),
    ("implementation_version", Variable::ImplementationVersion),
    ("os_name", Variable::OsName),
    ("platform_machine", Variable::PlatformMachine),
    (
        "platform_python_implementation",
        Variable::PlatformPythonImplementation,
    ),
    ("platform_release", Variable::PlatformRelease),
    ("platform_system", Variable::PlatformSystem),
    ("platform_version", Variable::PlatformVersion),
    ("python_full_version", Variable::PythonFullVersion),
    ("python_version", Variable::PythonVersion),
    ("sys_platform", Variable::SysPlatform),
    ("extra", Variable::Extra),
    ("extras", Variable::Extras),
    ("dependency_groups", Variable::DependencyGroups),
    ("os.name", Variable::OsName),
    ("sys.platform", Variable::SysPlatform),
    ("platform.version", Variable::PlatformVersion),
    ("platform.machine", Variable::PlatformMachine),
    (
        "platform.python_implementation",
        Variable::PlatformPythonImplementation,
    ),
    (
        "python_implementation",
        Variable::PlatformPythonImplementation,
    ),
];

impl Variable {
    fn from_name(name: &str) -> Option<Variable> {
        VARIABLES
            .iter()
            .find(|(spelling, _)| *spelling == name)
            .map(|&(_, var)| var)
    }

    /// The canonical spelling: the first one listed in [`VARIABLES`].
    fn name(self) -> &'static str {
        VARIABLES
            .iter()
            .find(|(_, var)| *var == self)
            .map_or("", |(spelling, _)| spelling)
    }

    /// The PEP 751 variables hold sets, which only `in` / `not in` can test.
    fn is_set(self) -> bool {
        matches!(self, Variable::Extras | Variable::DependencyGroups)
    }
}

impl Expr {
    fn all(items: Vec<Expr>) -> Expr {
        Expr::joined(items, true)
    }

    fn any(items: Vec<Expr>) -> Expr {
        Expr::joined(items, false)
    }

    /// `a and (b and c)` becomes one group of three, since printing cannot tell them apart.
    fn joined(items: Vec<Expr>, all: bool) -> Expr {
        let mut flat = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Expr::All(inner) if all => flat.extend(inner),
                Expr::Any(inner) if !all => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 {
            if let Some(only) = flat.pop() {
                return only;
            }
        }
        if all {
            Expr::All(flat)
        } else {
            Expr::Any(flat)
        }
    }

    fn eval(&self, env: &MarkerEnv, extra: &str, extras: &[ExtraName]) -> bool {
        match self {
            Expr::All(items) => items.iter().all(|e| e.eval(env, extra, extras)),
            Expr::Any(items) => items.iter().any(|e| e.eval(env, extra, extras)),
            Expr::Compare(cmp) => cmp.eval(env, extra, extras),
        }
    }
}

impl Comparison {
    fn eval(&self, env: &MarkerEnv, extra: &str, extras: &[ExtraName]) -> bool {
        if self.var.is_set() {
            // Parsing guarantees `"name" in extras` / `not in`.
            let wanted = normalize(&self.value);
            let found = extras.iter().any(|e| e.as_str() == wanted);
            return (self.op == MarkerOp::In) == found;
        }
        let normalized;
        let (actual, value) = if self.var == Variable::Extra {
            // PEP 685: extras compare by normalised name.
            normalized = normalize(&self.value);
            (extra, normalized.as_str())
        } else {
            (env.get(self.var), self.value.as_str())
        };
        if self.var_on_left {
            compare(actual, self.op, value)
        } else {
            compare(value, self.op, actual)
        }
    }
}

/// `lhs op rhs` as PEP 508 defines it: PEP 440 rules when both sides are versions, otherwise
/// plain string equality; ordering two non-versions is not defined, so it is false.
fn compare(lhs: &str, op: MarkerOp, rhs: &str) -> bool {
    match op {
        MarkerOp::In => rhs.contains(lhs),
        MarkerOp::NotIn => !rhs.contains(lhs),
        MarkerOp::Version(op) => {
            let spec = format!("{op}{rhs}").parse::<Specifier>();
            if let (Ok(spec), Ok(version)) = (spec, lhs.parse::<Version>()) {
                // Markers describe an interpreter, so pre-releases are never filtered out.
                return spec.matches(&version);
            }
            match op {
                // `===` is PEP 440's arbitrary equality, which is string equality anyway.
                Operator::Equal | Operator::Arbitrary => lhs == rhs,
                Operator::NotEqual => lhs != rhs,
                _ => false,
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::All(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" and ")?;
                    }
                    // `or` binds looser than `and`, so an `or` inside an `and` needs parentheses.
                    match item {
                        Expr::Any(_) => write!(f, "({item})")?,
                        _ => write!(f, "{item}")?,
                    }
                }
                Ok(())
            }
            Expr::Any(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" or ")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
            Expr::Compare(cmp) => write!(f, "{cmp}"),
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A marker string cannot contain its own quote character, so pick the other one.
        let quote = if self.value.contains('"') { '\'' } else { '"' };
        let literal = format!("{quote}{}{quote}", self.value);
        let (lhs, rhs) = if self.var_on_left {
            (self.var.name(), literal.as_str())
        } else {
            (literal.as_str(), self.var.name())
        };
        write!(f, "{lhs} {} {rhs}", self.op)
    }
}

impl fmt::Display for MarkerOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarkerOp::Version(op) => write!(f, "{op}"),
            MarkerOp::In => f.write_str("in"),
            MarkerOp::NotIn => f.write_str("not in"),
        }
    }
}

// ---- parsing ----

/// Parentheses deeper than this are refused, so hostile metadata cannot exhaust the stack
/// (the wasm stack is small); real markers nest two or three deep.
const MAX_NESTING: usize = 32;

struct Cursor<'a> {
    text: &'a str,
    /// A byte offset, always on a character boundary.
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.rest().is_empty()
    }

    fn skip_ws(&mut self) {
        self.take_while(|ch| ch.is_ascii_whitespace());
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.rest().starts_with(token);
        if found {
            self.pos += token.len();
        }
        found
    }

    /// Eats `word` only when it is a whole word, so `in` is not found at the start of `inx`.
    fn eat_word(&mut self, word: &str) -> bool {
        let rest = self.rest();
        let whole = rest.starts_with(word)
            && !rest
                .get(word.len()..)
                .and_then(|after| after.chars().next())
                .is_some_and(is_word_char);
        if whole {
            self.pos += word.len();
        }
        whole
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|ch| !keep(ch)).unwrap_or(rest.len());
        self.pos += len;
        rest.get(..len).unwrap_or("")
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> Pep508Error {
        let before = self.text.get(..pos).unwrap_or(self.text);
        Pep508Error {
            text: self.text.to_string(),
            column: before.chars().count() + 1,
            message: message.into(),
        }
    }

    fn error_here(&self, message: impl Into<String>) -> Pep508Error {
        self.error_at(self.pos, message)
    }
}

fn is_word_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.')
}

fn is_name_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.')
}

fn parse_requirement(c: &mut Cursor) -> Result<Requirement, Pep508Error> {
    c.skip_ws();
    let name = parse_name(c, "a package name")?;
    c.skip_ws();
    let extras = if c.eat("[") {
        parse_extras(c)?
    } else {
        Vec::new()
    };
    c.skip_ws();
    let mut version = SpecifierSet::default();
    let mut url = None;
    if c.eat("@") {
        url = Some(DirectUrl::new(parse_url(c)?));
    } else if c.peek() == Some('(') {
        let open = c.pos;
        c.eat("(");
        version = parse_version_many(c)?;
        c.skip_ws();
        if !c.eat(")") {
            let message = format!(
                "expected ',' or ')' to close the '(' at column {}",
                c.error_at(open, "").column
            );
            return Err(c.error_here(message));
        }
    } else if c.peek().is_some_and(|ch| "<>=!~".contains(ch)) {
        version = parse_version_many(c)?;
    }
    c.skip_ws();
    let marker = if c.eat(";") {
        Some(parse_marker(c)?)
    } else if c.at_end() {
        None
    } else {
        let expected = if url.is_some() {
            "expected ';' and a marker, or the end, after the URL"
        } else if !version.is_empty() {
            "expected ',', ';' and a marker, or the end"
        } else if !extras.is_empty() {
            "expected a version specifier, '@ URL', ';' and a marker, or the end"
        } else {
            "expected '[', a version specifier, '@ URL', ';' and a marker, or the end"
        };
        return Err(c.error_here(expected));
    };
    Ok(Requirement {
        name,
        extras,
        version,
        url,
        marker,
    })
}

fn parse_name(c: &mut Cursor, what: &str) -> Result<PackageName, Pep508Error> {
    let start = c.pos;
    let raw = c.take_while(is_name_char);
    if raw.is_empty() {
        return Err(c.error_here(format!("expected {what}")));
    }
    PackageName::new(raw).map_err(|e| c.error_at(start, e.to_string()))
}

/// After the `[`: names separated by commas, up to the `]`.
fn parse_extras(c: &mut Cursor) -> Result<Vec<ExtraName>, Pep508Error> {
    let mut extras = Vec::new();
    c.skip_ws();
    if c.eat("]") {
        return Ok(extras);
    }
    loop {
        c.skip_ws();
        extras.push(parse_name(c, "an extra name")?);
        c.skip_ws();
        if c.eat("]") {
            break;
        }
        if !c.eat(",") {
            return Err(c.error_here("expected ',' or ']' in the extras"));
        }
    }
    pycontainer_sort::sort(&mut extras);
    extras.dedup();
    Ok(extras)
}

/// After the `@`: the URL runs to the next whitespace, as PEP 508 says, so a marker after a
/// URL must be separated from it by a space.
fn parse_url(c: &mut Cursor) -> Result<String, Pep508Error> {
    c.skip_ws();
    let url = c.take_while(|ch| !ch.is_ascii_whitespace());
    if url.is_empty() {
        return Err(c.error_here("expected a URL after '@'"));
    }
    Ok(url.to_string())
}

/// `>=1.0, <2` : clauses separated by commas, whitespace allowed around each part.
fn parse_version_many(c: &mut Cursor) -> Result<SpecifierSet, Pep508Error> {
    let mut clauses = Vec::new();
    loop {
        c.skip_ws();
        clauses.push(parse_version_one(c)?);
        c.skip_ws();
        if !c.eat(",") {
            return Ok(SpecifierSet(clauses));
        }
    }
}

fn parse_version_one(c: &mut Cursor) -> Result<Specifier, Pep508Error> {
    let start = c.pos;
    let Some(&(spelling, _)) = OPERATORS.iter().find(|(s, _)| c.eat(s)) else {
        return Err(c.error_here("expected a version operator (~=, ==, !=, <=, >=, <, >, ===)"));
    };
    c.skip_ws();
    let version = c.take_while(|ch| ch.is_ascii_alphanumeric() || "._*+!-".contains(ch));
    if version.is_empty() {
        return Err(c.error_here(format!("expected a version after '{spelling}'")));
    }
    format!("{spelling}{version}")
        .parse::<Specifier>()
        .map_err(|e| c.error_at(start, e.to_string()))
}

/// A whole marker, up to the end of the text.
fn parse_marker(c: &mut Cursor) -> Result<Marker, Pep508Error> {
    let expr = parse_or(c, 0)?;
    c.skip_ws();
    if !c.at_end() {
        return Err(c.error_here("expected 'and', 'or' or the end of the marker"));
    }
    Ok(Marker(expr))
}

fn parse_or(c: &mut Cursor, depth: usize) -> Result<Expr, Pep508Error> {
    let mut items = vec![parse_and(c, depth)?];
    loop {
        c.skip_ws();
        if !c.eat_word("or") {
            return Ok(Expr::any(items));
        }
        items.push(parse_and(c, depth)?);
    }
}

fn parse_and(c: &mut Cursor, depth: usize) -> Result<Expr, Pep508Error> {
    let mut items = vec![parse_atom(c, depth)?];
    loop {
        c.skip_ws();
        if !c.eat_word("and") {
            return Ok(Expr::all(items));
        }
        items.push(parse_atom(c, depth)?);
    }
}

fn parse_atom(c: &mut Cursor, depth: usize) -> Result<Expr, Pep508Error> {
    c.skip_ws();
    let open = c.pos;
    if !c.eat("(") {
        return parse_comparison(c).map(Expr::Compare);
    }
    if depth >= MAX_NESTING {
        return Err(c.error_at(
            open,
            format!("parentheses nested deeper than {MAX_NESTING}"),
        ));
    }
    let inner = parse_or(c, depth + 1)?;
    c.skip_ws();
    if !c.eat(")") {
        let message = format!(
            "expected 'and', 'or' or ')' to close the '(' at column {}",
            c.error_at(open, "").column
        );
        return Err(c.error_here(message));
    }
    Ok(inner)
}

enum Operand {
    Var(Variable),
    Str(String),
}

fn parse_comparison(c: &mut Cursor) -> Result<Comparison, Pep508Error> {
    let start = c.pos;
    let lhs = parse_operand(c)?;
    c.skip_ws();
    let op = parse_marker_op(c)?;
    c.skip_ws();
    let rhs = parse_operand(c)?;
    let (var, value, var_on_left) =
        match (lhs, rhs) {
            (Operand::Var(var), Operand::Str(value)) => (var, value, true),
            (Operand::Str(value), Operand::Var(var)) => (var, value, false),
            _ => return Err(c.error_at(
                start,
                "a comparison needs a marker variable on one side and a quoted string on the other",
            )),
        };
    if var.is_set() && (var_on_left || !matches!(op, MarkerOp::In | MarkerOp::NotIn)) {
        return Err(c.error_at(
            start,
            format!(
                "{} is a set: test it with '\"name\" in {0}' or 'not in'",
                var.name()
            ),
        ));
    }
    Ok(Comparison {
        var,
        op,
        value,
        var_on_left,
    })
}

fn parse_operand(c: &mut Cursor) -> Result<Operand, Pep508Error> {
    let start = c.pos;
    if let Some(quote) = c.peek().filter(|ch| matches!(ch, '"' | '\'')) {
        c.pos += quote.len_utf8();
        let value = c.take_while(|ch| ch != quote);
        if !c.eat(&quote.to_string()) {
            return Err(c.error_at(start, "this string is never closed"));
        }
        return Ok(Operand::Str(value.to_string()));
    }
    let word = c.take_while(is_word_char);
    if word.is_empty() {
        return Err(c.error_here(
            "expected a marker variable (such as python_version or sys_platform) or a quoted string",
        ));
    }
    Variable::from_name(word).map(Operand::Var).ok_or_else(|| {
        c.error_at(
            start,
            format!(
                "unknown marker variable '{word}'; expected one of {}",
                known_variables()
            ),
        )
    })
}

fn known_variables() -> String {
    let names: Vec<&str> = VARIABLES.iter().map(|(name, _)| *name).collect();
    names.join(", ")
}

fn parse_marker_op(c: &mut Cursor) -> Result<MarkerOp, Pep508Error> {
    if c.eat_word("in") {
        return Ok(MarkerOp::In);
    }
    if c.eat_word("not") {
        c.skip_ws();
        if c.eat_word("in") {
            return Ok(MarkerOp::NotIn);
        }
        return Err(c.error_here("expected 'in' after 'not'"));
    }
    OPERATORS
        .iter()
        .find(|(spelling, _)| c.eat(spelling))
        .map(|&(_, op)| MarkerOp::Version(op))
        .ok_or_else(|| {
            c.error_here("expected a marker operator (==, !=, <, <=, >, >=, ~=, ===, in, not in)")
        })
}

#[cfg(test)]
mod tests;
