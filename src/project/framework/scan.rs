//! A Python line scanner: statements with comments dropped and strings blanked, and what they define.

use std::collections::BTreeMap;

use super::detect::Framework;

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

fn is_identifier(s: &str) -> bool {
    ident_prefix(s).is_some_and(|(ident, rest)| rest.is_empty() && !KEYWORDS.contains(&ident))
}

/// The dotted module a file is imported as, or `None` when `import` cannot reach it.
pub fn module_name(rel: &str) -> Option<String> {
    let stem = rel.strip_suffix(".py")?;
    let mut parts: Vec<&str> = stem.split('/').collect();
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    (!parts.is_empty() && parts.iter().all(|p| is_identifier(p))).then(|| parts.join("."))
}

/// One logical statement: continuation lines joined, comments dropped.
#[derive(Debug)]
pub(super) struct Stmt {
    pub(super) indent: usize,
    /// The statement with the contents of string literals blanked out, so
    /// that no pattern ever matches inside a string or docstring.
    pub(super) code: String,
    /// The same statement with string contents kept. It lines up byte for
    /// byte with `code`, so a position found in one is valid in the other.
    pub(super) text: String,
}

impl Stmt {
    fn new(indent: usize) -> Self {
        Stmt {
            indent,
            code: String::new(),
            text: String::new(),
        }
    }

    fn push(&mut self, c: char) {
        self.code.push(c);
        self.text.push(c);
    }

    fn push_hidden(&mut self, c: char) {
        self.text.push(c);
        self.code.extend(std::iter::repeat_n(' ', c.len_utf8()));
    }
}

fn indent_of(line: &str) -> usize {
    let mut width = 0;
    for c in line.chars() {
        match c {
            ' ' => width += 1,
            // Python rounds tabs up to the next multiple of 8.
            '\t' => width = (width / 8 + 1) * 8,
            '\x0c' => width = 0,
            _ => break,
        }
    }
    width
}

/// Splits source into statements. It tracks brackets, strings and
/// backslashes only as far as needed to know where a statement ends; bad
/// syntax degrades the result but never fails.
pub(super) fn statements(src: &str) -> Vec<Stmt> {
    let mut out = Vec::new();
    let mut current: Option<Stmt> = None;
    // The open string's quote and whether it is triple-quoted.
    let mut quote: Option<(char, bool)> = None;
    let mut depth = 0usize;
    let finish = |stmt: Stmt, out: &mut Vec<Stmt>| {
        if !stmt.code.trim().is_empty() {
            out.push(stmt);
        }
    };

    // Editors on Windows may save a BOM, which would hide the first statement.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    for line in src.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut stmt = match current.take() {
            Some(mut stmt) => {
                stmt.push(' ');
                stmt
            }
            None => Stmt::new(indent_of(line)),
        };
        let mut skip_space = stmt.code.is_empty();
        let mut backslash = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if let Some((q, triple)) = quote {
                if c == '\\' {
                    stmt.push_hidden(c);
                    match chars.get(i + 1) {
                        Some(&next) => stmt.push_hidden(next),
                        None => backslash = true,
                    }
                    i += 2;
                    continue;
                }
                let closes = c == q
                    && (!triple || chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q));
                if closes {
                    let n = if triple { 3 } else { 1 };
                    (0..n).for_each(|_| stmt.push(q));
                    quote = None;
                    i += n;
                } else {
                    stmt.push_hidden(c);
                    i += 1;
                }
                continue;
            }
            if skip_space && c.is_whitespace() {
                i += 1;
                continue;
            }
            skip_space = false;
            match c {
                '#' => break,
                '"' | '\'' => {
                    let triple = chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c);
                    let n = if triple { 3 } else { 1 };
                    (0..n).for_each(|_| stmt.push(c));
                    quote = Some((c, triple));
                    i += n;
                    continue;
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                ';' if depth == 0 => {
                    let indent = stmt.indent;
                    finish(std::mem::replace(&mut stmt, Stmt::new(indent)), &mut out);
                    skip_space = true;
                    i += 1;
                    continue;
                }
                '\\' if chars[i + 1..].iter().all(|c| c.is_whitespace()) => {
                    backslash = true;
                    break;
                }
                _ => {}
            }
            stmt.push(c);
            i += 1;
        }
        // A one-line string cannot run past the end of its line.
        if matches!(quote, Some((_, false))) && !backslash {
            quote = None;
        }
        if backslash || depth > 0 || matches!(quote, Some((_, true))) {
            current = Some(stmt);
        } else {
            finish(stmt, &mut out);
        }
    }
    if let Some(stmt) = current {
        finish(stmt, &mut out);
    }
    out
}

fn ident_prefix(s: &str) -> Option<(&str, &str)> {
    let mut chars = s.char_indices();
    let (_, first) = chars.next()?;
    if !(first == '_' || first.is_alphabetic()) {
        return None;
    }
    let end = chars
        .find(|&(_, c)| !(c == '_' || c.is_alphanumeric()))
        .map_or(s.len(), |(i, _)| i);
    Some(s.split_at(end))
}

/// A dotted name such as `fastapi.FastAPI` at the start of `s`.
fn dotted_prefix(s: &str) -> Option<(&str, &str)> {
    let (first, mut rest) = ident_prefix(s)?;
    let mut end = first.len();
    while let Some((part, after)) = rest.strip_prefix('.').and_then(ident_prefix) {
        end += 1 + part.len();
        rest = after;
    }
    Some(s.split_at(end))
}

fn keyword<'a>(code: &'a str, word: &str) -> Option<&'a str> {
    code.strip_prefix(word)
        .filter(|rest| rest.starts_with(char::is_whitespace))
        .map(str::trim_start)
}

/// The callee when `expr` starts with a call: `fastapi.FastAPI(` → `fastapi.FastAPI`.
fn call_name(expr: &str) -> Option<&str> {
    let (name, rest) = dotted_prefix(expr)?;
    rest.trim_start().starts_with('(').then_some(name)
}

/// `NAME = value` or `NAME: annotation = value`, as (name, value).
fn assignment(code: &str) -> Option<(&str, &str)> {
    let (target, rest) = ident_prefix(code)?;
    let mut rest = rest.trim_start();
    if let Some(annotated) = rest.strip_prefix(':') {
        rest = &annotated[annotated.find('=')?..];
    }
    let value = rest.strip_prefix('=')?;
    if value.starts_with('=') || KEYWORDS.contains(&target) {
        return None;
    }
    Some((target, value.trim_start()))
}

/// Byte index of the bracket closing the one just before `s`.
fn closing_bracket(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return Some(i),
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

struct DefHeader<'a> {
    name: &'a str,
    is_async: bool,
    params: &'a str,
    returns: Option<&'a str>,
}

fn def_header(code: &str) -> Option<DefHeader<'_>> {
    let (is_async, rest) = match keyword(code, "async") {
        Some(rest) => (true, rest),
        None => (false, code),
    };
    let rest = keyword(rest, "def")?;
    let (name, rest) = ident_prefix(rest)?;
    let rest = rest.trim_start().strip_prefix('(')?;
    let close = closing_bracket(rest)?;
    let params = &rest[..close];
    let returns = rest[close + 1..]
        .trim_start()
        .strip_prefix("->")
        .map(|r| r.split(':').next().unwrap_or(r).trim());
    Some(DefHeader {
        name,
        is_async,
        params,
        returns,
    })
}

/// Whether the function can be called with no arguments, as servers call factories.
pub(super) fn callable_bare(params: &str) -> bool {
    let mut depth = 0usize;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in params.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&params[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&params[start..]);
    parts
        .iter()
        .map(|p| p.trim())
        .all(|p| p.is_empty() || p == "/" || p.starts_with('*') || p.contains('='))
}

/// The same stretch of `stmt.text` as `part`, a slice of `stmt.code`.
fn text_of<'a>(stmt: &'a Stmt, part: &str) -> Option<&'a str> {
    let start = (part.as_ptr() as usize).checked_sub(stmt.code.as_ptr() as usize)?;
    stmt.text.get(start..start + part.len())
}

/// Each framework's app class and the modules that export it.
const CLASSES: &[(Framework, &str, &[&str])] = &[
    (
        Framework::FastApi,
        "FastAPI",
        &["fastapi", "fastapi.applications"],
    ),
    (
        Framework::Starlette,
        "Starlette",
        &["starlette.applications"],
    ),
    (Framework::Flask, "Flask", &["flask", "flask.app"]),
];

/// Names the Flask CLI itself looks for when given only a module.
const FLASK_FACTORY_NAMES: &[&str] = &["create_app", "make_app"];

pub(super) struct Import<'a> {
    pub(super) module: &'a str,
    /// The imported name for `from module import name`.
    pub(super) name: Option<&'a str>,
    pub(super) alias: Option<&'a str>,
}

/// `name` or `name as alias`, one item of an import list.
fn import_item(item: &str) -> Option<(&str, Option<&str>)> {
    let words: Vec<&str> = item.split_whitespace().collect();
    match words.as_slice() {
        [name] => Some((*name, None)),
        [name, "as", alias] => Some((*name, Some(*alias))),
        _ => None,
    }
}

pub(super) fn imports(code: &str) -> Vec<Import<'_>> {
    if let Some(list) = keyword(code, "import") {
        return list
            .split(',')
            .filter_map(import_item)
            .map(|(module, alias)| Import {
                module,
                name: None,
                alias,
            })
            .collect();
    }
    let Some(rest) = keyword(code, "from") else {
        return Vec::new();
    };
    let Some((module, names)) = rest.split_once(char::is_whitespace) else {
        return Vec::new();
    };
    let Some(names) = keyword(names.trim_start(), "import") else {
        return Vec::new();
    };
    names
        .trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace())
        .split(',')
        .filter_map(import_item)
        .map(|(name, alias)| Import {
            module,
            name: Some(name),
            alias,
        })
        .collect()
}

/// Every dotted name that means a framework's app class in this file.
fn class_names(stmts: &[Stmt]) -> (BTreeMap<String, Framework>, bool) {
    let mut names = BTreeMap::new();
    // The plain spellings count even unimported: star imports and
    // re-exports are common enough, and user classes with these names are not.
    for &(fw, class, modules) in CLASSES {
        names.insert(class.to_owned(), fw);
        for module in modules {
            names.insert(format!("{module}.{class}"), fw);
        }
    }
    let mut imports_flask = false;
    for stmt in stmts {
        for import in imports(&stmt.code) {
            imports_flask |= import.module == "flask" || import.module.starts_with("flask.");
            for &(fw, class, modules) in CLASSES {
                match import.name {
                    None if modules.contains(&import.module) => {
                        let local = import.alias.unwrap_or(import.module);
                        names.insert(format!("{local}.{class}"), fw);
                    }
                    None => {}
                    Some(name) => {
                        let local = import.alias.unwrap_or(name);
                        if name == class && modules.contains(&import.module) {
                            names.insert(local.to_owned(), fw);
                        }
                        let submodule = modules.iter().any(|m| {
                            m.strip_prefix(import.module)
                                .and_then(|r| r.strip_prefix('.'))
                                == Some(name)
                        });
                        if submodule {
                            names.insert(format!("{local}.{class}"), fw);
                        }
                    }
                }
            }
        }
    }
    (names, imports_flask)
}

struct FunctionScan {
    indent: usize,
    name: String,
    usable: bool,
    returns: Option<Framework>,
    locals: BTreeMap<String, Framework>,
}

enum Block {
    Function(FunctionScan),
    Class(usize),
}

/// The apps one file defines at module level, as (attribute, framework, factory).
pub(super) fn scan_apps(src: &str) -> Vec<(String, Framework, bool)> {
    let stmts = statements(src);
    let (classes, imports_flask) = class_names(&stmts);
    let framework_of = |expr: &str| call_name(expr).and_then(|name| classes.get(name).copied());

    let mut instances = Vec::new();
    // (name, framework, callable without arguments)
    let mut functions: Vec<(String, Framework, bool)> = Vec::new();
    let mut calls = Vec::new();
    let mut block: Option<Block> = None;
    let close = |function: FunctionScan, functions: &mut Vec<(String, Framework, bool)>| {
        let by_name = imports_flask && FLASK_FACTORY_NAMES.contains(&function.name.as_str());
        let framework = function
            .returns
            .or_else(|| by_name.then_some(Framework::Flask));
        if let Some(fw) = framework {
            functions.push((function.name, fw, function.usable));
        }
    };

    for stmt in &stmts {
        let ended = match &block {
            Some(Block::Function(f)) => stmt.indent <= f.indent,
            Some(Block::Class(indent)) => stmt.indent <= *indent,
            None => false,
        };
        if ended {
            if let Some(Block::Function(f)) = block.take() {
                close(f, &mut functions);
            }
        }
        match &mut block {
            Some(Block::Class(_)) => {}
            Some(Block::Function(f)) => {
                if let Some(value) = keyword(&stmt.code, "return") {
                    let returned =
                        framework_of(value).or_else(|| f.locals.get(value.trim()).copied());
                    f.returns = f.returns.or(returned);
                } else if let Some((target, value)) = assignment(&stmt.code) {
                    if let Some(fw) = framework_of(value) {
                        f.locals.insert(target.to_owned(), fw);
                    }
                }
            }
            None => {
                if let Some(def) = def_header(&stmt.code) {
                    let annotated = def
                        .returns
                        .and_then(|r| text_of(stmt, r))
                        .map(|r| r.trim_matches(|c| c == '"' || c == '\''))
                        .and_then(|r| classes.get(r).copied());
                    block = Some(Block::Function(FunctionScan {
                        indent: stmt.indent,
                        name: def.name.to_owned(),
                        // Servers call factories synchronously, with no arguments.
                        usable: !def.is_async && callable_bare(def.params),
                        returns: annotated,
                        locals: BTreeMap::new(),
                    }));
                } else if keyword(&stmt.code, "class").is_some() {
                    block = Some(Block::Class(stmt.indent));
                } else if let Some((target, value)) = assignment(&stmt.code) {
                    match framework_of(value) {
                        Some(fw) => instances.push((target.to_owned(), fw)),
                        None => {
                            if let Some(callee) = call_name(value) {
                                calls.push((target.to_owned(), callee.to_owned()));
                            }
                        }
                    }
                }
            }
        }
    }
    if let Some(Block::Function(f)) = block {
        close(f, &mut functions);
    }

    let mut apps: Vec<(String, Framework, bool)> = instances
        .into_iter()
        .map(|(attr, fw)| (attr, fw, false))
        .collect();
    // `app = create_app()` at module level is an app servers can load directly.
    for (target, callee) in calls {
        if let Some((_, fw, _)) = functions.iter().find(|(name, _, _)| *name == callee) {
            apps.push((target, *fw, false));
        }
    }
    apps.extend(
        functions
            .into_iter()
            .filter(|(_, _, usable)| *usable)
            .map(|(name, fw, _)| (name, fw, true)),
    );
    apps
}

/// The settings module `manage.py` points Django at.
pub(super) fn settings_module(src: &str) -> Option<String> {
    const KEY: &str = "DJANGO_SETTINGS_MODULE";
    statements(src).iter().find_map(|stmt| {
        let at = stmt.text.find(KEY)?;
        // Quotes sit at the same places in `code` and `text`, and only
        // quotes in `code`: the first one after the key closes the key's
        // own literal when it is quoted, so skip it then.
        let after = at + KEY.len();
        let mut quotes = stmt
            .code
            .get(after..)?
            .match_indices(['"', '\''])
            .map(|(i, q)| (after + i, q));
        let key_quoted = stmt.code.get(at..after)?.trim().is_empty();
        if key_quoted {
            quotes.next()?;
        }
        let (open, q) = quotes.next()?;
        let (close, _) = quotes.find(|&(_, c)| c == q)?;
        let value = stmt.text.get(open + 1..close)?;
        let valid = !value.is_empty() && value.split('.').all(is_identifier);
        valid.then(|| value.to_owned())
    })
}

/// Whether a `wsgi.py`/`asgi.py` defines `application` with Django's helper.
pub(super) fn defines_application(src: &str, helper: &str) -> bool {
    let stmts = statements(src);
    let assigns = stmts.iter().any(|s| {
        s.indent == 0 && assignment(&s.code).is_some_and(|(target, _)| target == "application")
    });
    // Middleware wrappers and Channels routers nest the helper's call,
    // sometimes through a variable, so look anywhere in the file's code.
    let calls = stmts.iter().any(|s| {
        s.code.match_indices(helper).any(|(i, _)| {
            let before = s.code[..i].chars().next_back();
            let boundary = !before.is_some_and(|c| c == '_' || c.is_alphanumeric());
            boundary && s.code[i + helper.len()..].trim_start().starts_with('(')
        })
    });
    assigns && calls
}
