//! Detects a Python project's web framework from its own sources and picks the command that serves it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

/// One of the project's own Python files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceFile<'a> {
    /// Path relative to the import root, with `/` separators: `svc/main.py`.
    pub rel: &'a str,
    pub text: &'a str,
}

/// The names of the project's dependencies, normalised as PEP 503 says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deps {
    names: BTreeSet<String>,
}

impl Deps {
    /// Takes requirement strings (PEP 508, or lines of a requirements file)
    /// and keeps the names; strings that name no project are skipped.
    pub fn from_requirements<I, S>(requirements: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let names = requirements
            .into_iter()
            .filter_map(|r| requirement_name(r.as_ref()))
            .collect();
        Self { names }
    }

    /// Whether the project depends on `name`, however it is spelled.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(&normalize_name(name))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// PEP 503 normalisation: lowercase, and every run of `-`, `_`, `.` becomes one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_run = false;
        }
    }
    out
}

/// The normalised project name in one requirement, or `None` when it names
/// none (blank, comment, pip option, bare URL or path).
pub fn requirement_name(requirement: &str) -> Option<String> {
    let line = strip_requirement_comment(requirement).trim();
    if let Some(option) = line.strip_prefix('-') {
        // Of pip's options only an editable install names a project, and
        // then only through its `#egg=` fragment.
        let target = option
            .strip_prefix("-editable")
            .or_else(|| option.strip_prefix('e'))?;
        return egg_name(target);
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let raw = &line[..end];
    let rest = line[end..].trim_start();
    if !raw.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return egg_name(line);
    }
    if rest.is_empty() {
        let lower = raw.to_ascii_lowercase();
        if lower.ends_with(".whl") {
            // Wheel file names start with the distribution name, and escape
            // any `-` in it, so the first `-` ends the name.
            return raw.split('-').next().map(normalize_name);
        }
        if [".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"]
            .iter()
            .any(|ext| lower.ends_with(ext))
        {
            return None;
        }
    } else if !rest.starts_with(['[', '(', '<', '>', '=', '!', '~', ';', '@', ',']) {
        // `git+https://…`, `./path`, `C:\…`: a location, not a name.
        return egg_name(line);
    }
    let name = raw.trim_end_matches(['-', '_', '.']);
    (!name.is_empty()).then(|| normalize_name(name))
}

/// pip only treats `#` as a comment at the start or after whitespace, so the
/// `#sha256=` or `#egg=` fragment of a URL survives.
fn strip_requirement_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return &line[..i];
        }
        prev_space = c.is_whitespace();
    }
    line
}

fn egg_name(target: &str) -> Option<String> {
    let at = target.find("egg=")?;
    let fragment = &target[at + "egg=".len()..];
    let end = fragment
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(fragment.len());
    let name = fragment[..end].trim_end_matches(['-', '_', '.']);
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        .then(|| normalize_name(name))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    FastApi,
    Starlette,
    Flask,
    Django,
}

impl Framework {
    /// The name people write, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Framework::FastApi => "FastAPI",
            Framework::Starlette => "Starlette",
            Framework::Flask => "Flask",
            Framework::Django => "Django",
        }
    }

    /// The project's name on PyPI, normalised.
    pub fn dependency(self) -> &'static str {
        match self {
            Framework::FastApi => "fastapi",
            Framework::Starlette => "starlette",
            Framework::Flask => "flask",
            Framework::Django => "django",
        }
    }

    /// FastAPI is built on Starlette and pulls it in, so a project that asks
    /// for FastAPI has asked for Starlette too.
    fn named_by(self, deps: &Deps) -> bool {
        deps.contains(self.dependency())
            || (self == Framework::Starlette && deps.contains(Framework::FastApi.dependency()))
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The application object a server loads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct App {
    pub framework: Framework,
    /// Dotted module path: `svc.main`.
    pub module: String,
    /// The variable holding the app, or the function that builds it. Empty
    /// only for a Django project with neither `wsgi.py` nor `asgi.py`, where
    /// `module` is the settings module and `file` is `manage.py`.
    pub attr: String,
    /// `attr` is a function to call for the app.
    pub factory: bool,
    /// The file defining it, relative to the import root.
    pub file: String,
}

/// How to serve the detected app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Served {
    pub app: App,
    pub command: Vec<String>,
    pub port: u16,
    /// `uvicorn`, `gunicorn`, `flask` or `django-runserver`.
    pub server: String,
    /// Directory, relative to the import root, the command must run in. It is
    /// empty except for a Django project whose `manage.py` sits in a
    /// subdirectory, since Django resolves its settings module from there
    /// (`app.module` is then relative to it too).
    pub workdir: String,
    /// `manage.py` relative to the import root, for Django projects.
    pub manage: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameworkError {
    #[error(
        "found apps of more than one web framework ({}) and the dependencies do not settle which one to serve; choose one with --entrypoint",
        .candidates.join("; ")
    )]
    Ambiguous { candidates: Vec<String> },
}

const UVICORN_PORT: u16 = 8000;
const FLASK_PORT: u16 = 5000;
const DJANGO_PORT: u16 = 8000;

/// Finds the app to serve. `Ok(None)` means no supported framework was found.
pub fn detect(files: &[SourceFile], deps: &Deps) -> Result<Option<Served>, FrameworkError> {
    let mut sorted: Vec<&SourceFile> = files.iter().filter(|f| !is_test_file(f.rel)).collect();
    sorted.sort_by(|a, b| a.rel.cmp(b.rel));

    let mut best: BTreeMap<Framework, Found> = BTreeMap::new();
    for found in find_apps(&sorted).into_iter().chain(find_django(&sorted)) {
        let better = best
            .get(&found.framework())
            .is_none_or(|held| found.rank() < held.rank());
        if better {
            best.insert(found.framework(), found);
        }
    }
    // FastAPI apps are Starlette apps, and FastAPI projects often build
    // plain Starlette sub-apps: the FastAPI one is what the author serves.
    if best.contains_key(&Framework::FastApi) {
        best.remove(&Framework::Starlette);
    }
    let chosen = if best.len() <= 1 {
        best.into_values().next()
    } else {
        let named: Vec<Framework> = best
            .keys()
            .copied()
            .filter(|fw| fw.named_by(deps))
            .collect();
        match named.as_slice() {
            [only] => best.remove(only),
            _ => {
                return Err(FrameworkError::Ambiguous {
                    candidates: best.values().map(Found::label).collect(),
                })
            }
        }
    };
    Ok(chosen.map(|found| serve(found, deps)))
}

enum Found {
    App(App),
    Django(Django),
}

struct Django {
    /// `manage.py`, relative to the import root.
    manage: String,
    /// Directory of `manage.py`; the modules below are relative to it.
    dir: String,
    settings: String,
    /// Dotted module and file of `wsgi.py` / `asgi.py` when they define `application`.
    wsgi: Option<(String, String)>,
    asgi: Option<(String, String)>,
}

type Rank = (u8, usize, String, bool, u8, String);

impl Found {
    fn framework(&self) -> Framework {
        match self {
            Found::App(app) => app.framework,
            Found::Django(_) => Framework::Django,
        }
    }

    /// Smaller is better; only compared within one framework.
    fn rank(&self) -> Rank {
        match self {
            Found::App(app) => (
                module_rank(&app.module),
                app.module.split('.').count(),
                app.module.clone(),
                app.factory,
                attr_rank(&app.attr),
                app.attr.clone(),
            ),
            Found::Django(d) => (
                0,
                d.manage.split('/').count(),
                d.manage.clone(),
                false,
                0,
                String::new(),
            ),
        }
    }

    fn label(&self) -> String {
        match self {
            Found::App(app) => format!("{} app in {}", app.framework, app.file),
            Found::Django(d) => format!("Django project in {}", d.manage),
        }
    }
}

/// Conventional names for the module that holds the app, best first.
fn module_rank(module: &str) -> u8 {
    match module.rsplit('.').next().unwrap_or(module) {
        "main" => 0,
        "app" => 1,
        "asgi" | "wsgi" => 2,
        "server" => 3,
        "api" => 4,
        _ => 5,
    }
}

fn attr_rank(attr: &str) -> u8 {
    match attr {
        "app" => 0,
        "application" => 1,
        _ => 2,
    }
}

fn serve(found: Found, deps: &Deps) -> Served {
    match found {
        Found::App(app) => serve_app(app, deps),
        Found::Django(d) => serve_django(d, deps),
    }
}

fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|&s| s.to_owned()).collect()
}

fn serve_app(app: App, deps: &Deps) -> Served {
    let (command, port, server) = if app.framework == Framework::Flask {
        // Both gunicorn and the flask CLI call `module:f()` themselves.
        let target = if app.factory {
            format!("{}:{}()", app.module, app.attr)
        } else {
            format!("{}:{}", app.module, app.attr)
        };
        if deps.contains("gunicorn") {
            let bind = format!("0.0.0.0:{FLASK_PORT}");
            (
                strings(&["gunicorn", "--bind", &bind, &target]),
                FLASK_PORT,
                "gunicorn",
            )
        } else {
            let port = FLASK_PORT.to_string();
            let command = [
                "flask", "--app", &target, "run", "--host", "0.0.0.0", "--port", &port,
            ];
            (strings(&command), FLASK_PORT, "flask")
        }
    } else {
        let target = format!("{}:{}", app.module, app.attr);
        let port = UVICORN_PORT.to_string();
        let mut command = strings(&["uvicorn", &target, "--host", "0.0.0.0", "--port", &port]);
        if app.factory {
            command.push("--factory".to_owned());
        }
        (command, UVICORN_PORT, "uvicorn")
    };
    Served {
        app,
        command,
        port,
        server: server.to_owned(),
        workdir: String::new(),
        manage: None,
    }
}

fn serve_django(d: Django, deps: &Deps) -> Served {
    let app = |(module, file): &(String, String)| App {
        framework: Framework::Django,
        module: module.clone(),
        attr: "application".to_owned(),
        factory: false,
        file: file.clone(),
    };
    let (app, command, server) = match (&d.wsgi, &d.asgi) {
        (Some(wsgi), _) if deps.contains("gunicorn") => {
            let bind = format!("0.0.0.0:{DJANGO_PORT}");
            let target = format!("{}:application", wsgi.0);
            (
                app(wsgi),
                strings(&["gunicorn", "--bind", &bind, &target]),
                "gunicorn",
            )
        }
        (_, Some(asgi)) if deps.contains("uvicorn") => {
            let target = format!("{}:application", asgi.0);
            let port = DJANGO_PORT.to_string();
            let command = ["uvicorn", &target, "--host", "0.0.0.0", "--port", &port];
            (app(asgi), strings(&command), "uvicorn")
        }
        (wsgi, asgi) => {
            let app = match wsgi.as_ref().or(asgi.as_ref()) {
                Some(found) => app(found),
                None => App {
                    framework: Framework::Django,
                    module: d.settings.clone(),
                    attr: String::new(),
                    factory: false,
                    file: d.manage.clone(),
                },
            };
            let bind = format!("0.0.0.0:{DJANGO_PORT}");
            let command = strings(&["python3", "manage.py", "runserver", &bind]);
            (app, command, "django-runserver")
        }
    };
    Served {
        app,
        command,
        port: DJANGO_PORT,
        server: server.to_owned(),
        workdir: d.dir,
        manage: Some(d.manage),
    }
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// Test modules build throwaway apps of their own; they never hold the real one.
fn is_test_file(rel: &str) -> bool {
    let name = file_name(rel);
    name == "conftest.py"
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || rel.split('/').rev().skip(1).any(|dir| dir == "tests")
}

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
struct Stmt {
    indent: usize,
    /// The statement with the contents of string literals blanked out, so
    /// that no pattern ever matches inside a string or docstring.
    code: String,
    /// The same statement with string contents kept. It lines up byte for
    /// byte with `code`, so a position found in one is valid in the other.
    text: String,
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
fn statements(src: &str) -> Vec<Stmt> {
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
fn callable_bare(params: &str) -> bool {
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

struct Import<'a> {
    module: &'a str,
    /// The imported name for `from module import name`.
    name: Option<&'a str>,
    alias: Option<&'a str>,
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

fn imports(code: &str) -> Vec<Import<'_>> {
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
fn scan_apps(src: &str) -> Vec<(String, Framework, bool)> {
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

fn find_apps(files: &[&SourceFile]) -> Vec<Found> {
    let mut found = Vec::new();
    for file in files {
        let Some(module) = module_name(file.rel) else {
            continue;
        };
        for (attr, framework, factory) in scan_apps(file.text) {
            found.push(Found::App(App {
                framework,
                module: module.clone(),
                attr,
                factory,
                file: file.rel.to_owned(),
            }));
        }
    }
    found
}

/// The settings module `manage.py` points Django at.
fn settings_module(src: &str) -> Option<String> {
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

fn join_path(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a `wsgi.py`/`asgi.py` defines `application` with Django's helper.
fn defines_application(src: &str, helper: &str) -> bool {
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

fn find_django(files: &[&SourceFile]) -> Vec<Found> {
    let by_rel: BTreeMap<&str, &SourceFile> = files.iter().map(|f| (f.rel, *f)).collect();
    let mut found = Vec::new();
    for manage in files.iter().filter(|f| file_name(f.rel) == "manage.py") {
        let Some(settings) = settings_module(manage.text) else {
            continue;
        };
        let dir = manage
            .rel
            .rsplit_once('/')
            .map_or("", |(dir, _)| dir)
            .to_owned();
        // `config.settings.production` keeps wsgi.py in `config`, next to
        // the settings package, so walk up from the settings module.
        let parts: Vec<&str> = settings.split('.').collect();
        let packages: Vec<&[&str]> = if parts.len() == 1 {
            vec![&parts[..0]]
        } else {
            (1..parts.len()).rev().map(|n| &parts[..n]).collect()
        };
        let locate = |name: &str, helper: &str| {
            packages.iter().find_map(|package| {
                let package_dir = package.join("/");
                let file = join_path(&[&dir, &package_dir, &format!("{name}.py")]);
                let source = by_rel.get(file.as_str())?;
                defines_application(source.text, helper).then(|| {
                    let module = package
                        .iter()
                        .copied()
                        .chain([name])
                        .collect::<Vec<_>>()
                        .join(".");
                    (module, file)
                })
            })
        };
        let wsgi = locate("wsgi", "get_wsgi_application");
        let asgi = locate("asgi", "get_asgi_application");
        found.push(Found::Django(Django {
            manage: manage.rel.to_owned(),
            dir,
            settings,
            wsgi,
            asgi,
        }));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(reqs: &[&str]) -> Deps {
        Deps::from_requirements(reqs)
    }

    fn run(files: &[(&str, &str)], reqs: &[&str]) -> Result<Option<Served>, FrameworkError> {
        let files: Vec<SourceFile> = files
            .iter()
            .map(|&(rel, text)| SourceFile { rel, text })
            .collect();
        detect(&files, &deps(reqs))
    }

    /// What a fixture project must give.
    enum Want {
        Nothing,
        Serve {
            framework: Framework,
            module: &'static str,
            attr: &'static str,
            factory: bool,
            file: &'static str,
            command: &'static [&'static str],
        },
        Ambiguous(&'static [&'static str]),
    }

    fn check(name: &str, files: &[(&str, &str)], reqs: &[&str], want: Want) {
        let got = run(files, reqs);
        match want {
            Want::Nothing => assert_eq!(got, Ok(None), "{name}"),
            Want::Ambiguous(candidates) => assert_eq!(
                got,
                Err(FrameworkError::Ambiguous {
                    candidates: strings(candidates)
                }),
                "{name}"
            ),
            Want::Serve {
                framework,
                module,
                attr,
                factory,
                file,
                command,
            } => {
                let served = match got {
                    Ok(Some(served)) => served,
                    other => panic!("{name}: expected an app, got {other:?}"),
                };
                let app = App {
                    framework,
                    module: module.to_owned(),
                    attr: attr.to_owned(),
                    factory,
                    file: file.to_owned(),
                };
                assert_eq!(served.app, app, "{name}");
                assert_eq!(served.command, strings(command), "{name}");
                let (port, server) = match (framework, command[0]) {
                    (Framework::Flask, "gunicorn") => (5000, "gunicorn"),
                    (Framework::Flask, _) => (5000, "flask"),
                    (_, "python3") => (8000, "django-runserver"),
                    (_, server) => (8000, server),
                };
                assert_eq!(served.port, port, "{name}");
                assert_eq!(served.server, server, "{name}");
                if framework != Framework::Django {
                    assert_eq!(served.workdir, "", "{name}");
                    assert_eq!(served.manage, None, "{name}");
                }
            }
        }
    }

    const UV_MAIN_APP: &[&str] = &["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"];

    const DJANGO_MANAGE: &str = r#"#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError("Couldn't import Django.") from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
"#;
    const DJANGO_WSGI: &str = "import os\n\nfrom django.core.wsgi import get_wsgi_application\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n\napplication = get_wsgi_application()\n";
    const DJANGO_ASGI: &str = "import os\n\nfrom django.core.asgi import get_asgi_application\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n\napplication = get_asgi_application()\n";
    const DJANGO_SETTINGS: &str =
        "DEBUG = False\nINSTALLED_APPS = []\nROOT_URLCONF = 'mysite.urls'\n";

    macro_rules! fixtures {
        ($($name:ident: [$($file:expr),* $(,)?], [$($req:expr),* $(,)?] => $want:expr;)*) => {
            $(
                #[test]
                fn $name() {
                    check(stringify!($name), &[$($file),*], &[$($req),*], $want);
                }
            )*
        };
    }

    fixtures! {
        fastapi_flat_main:
            [("main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get('/')\ndef root():\n    return {}\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        fastapi_in_package_src_layout:
            [("svc/__init__.py", ""), ("svc/main.py", "from fastapi import FastAPI\napp = FastAPI(title='svc')\n")], ["fastapi>=0.110"]
            => Want::Serve { framework: Framework::FastApi, module: "svc.main", attr: "app", factory: false, file: "svc/main.py",
                command: &["uvicorn", "svc.main:app", "--host", "0.0.0.0", "--port", "8000"] };
        fastapi_in_package_init:
            [("svc/__init__.py", "from fastapi import FastAPI\napi = FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "svc", attr: "api", factory: false, file: "svc/__init__.py",
                command: &["uvicorn", "svc:api", "--host", "0.0.0.0", "--port", "8000"] };
        fastapi_module_qualified:
            [("main.py", "import fastapi\n\napp = fastapi.FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        fastapi_annotated_assignment:
            [("main.py", "from fastapi import FastAPI\napp: FastAPI = FastAPI(\n    title='x',\n    version='1',\n)\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        fastapi_class_alias:
            [("main.py", "from fastapi import FastAPI as F\napp = F()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        fastapi_module_alias:
            [("main.py", "import fastapi as fa\napp = fa.FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        fastapi_parenthesised_multiline_import_alias:
            [("main.py", "from fastapi import (\n    Depends,\n    FastAPI as Api,  # the app class\n)\n\napp = Api()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        fastapi_factory_returning_instance:
            [("svc/main.py", "from fastapi import FastAPI\n\ndef create_app():\n    return FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "svc.main", attr: "create_app", factory: true, file: "svc/main.py",
                command: &["uvicorn", "svc.main:create_app", "--host", "0.0.0.0", "--port", "8000", "--factory"] };
        fastapi_factory_returning_local:
            [("main.py", "from fastapi import FastAPI\n\ndef build(settings=None):\n    app = FastAPI()\n    app.include_router(r)\n    return app\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "build", factory: true, file: "main.py",
                command: &["uvicorn", "main:build", "--host", "0.0.0.0", "--port", "8000", "--factory"] };
        fastapi_factory_by_return_annotation:
            [("main.py", "import fastapi\nfrom .setup import configure\n\ndef make(*, debug: bool = False) -> fastapi.FastAPI:\n    return configure(debug)\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "make", factory: true, file: "main.py",
                command: &["uvicorn", "main:make", "--host", "0.0.0.0", "--port", "8000", "--factory"] };
        fastapi_factory_string_annotation_multiline_signature:
            [("main.py", "from fastapi import FastAPI\n\ndef make(\n    debug: bool = False,\n    name: str = 'x',\n) -> 'FastAPI':\n    return configure()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "make", factory: true, file: "main.py",
                command: &["uvicorn", "main:make", "--host", "0.0.0.0", "--port", "8000", "--factory"] };
        factory_needing_arguments_is_not_servable:
            [("main.py", "from fastapi import FastAPI\n\ndef create_app(settings: dict[str, int]):\n    return FastAPI()\n")], []
            => Want::Nothing;
        async_factory_is_not_servable:
            [("main.py", "from fastapi import FastAPI\n\nasync def create_app():\n    return FastAPI()\n")], []
            => Want::Nothing;
        module_level_call_of_local_factory_is_an_instance:
            [("main.py", "from fastapi import FastAPI\n\ndef create_app(settings):\n    return FastAPI()\n\napp = create_app(load())\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        instance_preferred_over_factory_in_same_module:
            [("main.py", "from fastapi import FastAPI\n\ndef create_app():\n    return FastAPI()\n\napplication = FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "application", factory: false, file: "main.py",
                command: &["uvicorn", "main:application", "--host", "0.0.0.0", "--port", "8000"] };
        app_attr_preferred_within_module:
            [("main.py", "from fastapi import FastAPI\nadmin = FastAPI()\nzebra = FastAPI()\napp = FastAPI()\napp.mount('/admin', admin)\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        starlette_instance:
            [("app.py", "from starlette.applications import Starlette\nfrom starlette.routing import Route\n\napp = Starlette(routes=[Route('/', home)])\n")], ["starlette"]
            => Want::Serve { framework: Framework::Starlette, module: "app", attr: "app", factory: false, file: "app.py",
                command: &["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"] };
        starlette_factory_with_alias:
            [("web/server.py", "from starlette.applications import Starlette as S\n\ndef make_app():\n    app = S(debug=True)\n    return app\n")], []
            => Want::Serve { framework: Framework::Starlette, module: "web.server", attr: "make_app", factory: true, file: "web/server.py",
                command: &["uvicorn", "web.server:make_app", "--host", "0.0.0.0", "--port", "8000", "--factory"] };
        fastapi_beats_starlette_sub_app:
            [("api/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
             ("api/app.py", "from starlette.applications import Starlette\nsub = Starlette()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "api.main", attr: "app", factory: false, file: "api/main.py",
                command: &["uvicorn", "api.main:app", "--host", "0.0.0.0", "--port", "8000"] };
        flask_without_gunicorn_uses_flask_cli:
            [("app.py", "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return 'hi'\n")], ["flask"]
            => Want::Serve { framework: Framework::Flask, module: "app", attr: "app", factory: false, file: "app.py",
                command: &["flask", "--app", "app:app", "run", "--host", "0.0.0.0", "--port", "5000"] };
        flask_with_gunicorn:
            [("web/app.py", "import flask\napp = flask.Flask(__name__, static_folder='s')\n")], ["Flask>=3", "gunicorn==22.0"]
            => Want::Serve { framework: Framework::Flask, module: "web.app", attr: "app", factory: false, file: "web/app.py",
                command: &["gunicorn", "--bind", "0.0.0.0:5000", "web.app:app"] };
        flask_factory_with_gunicorn:
            [("shop/__init__.py", "from flask import Flask\n\ndef create_app(test_config=None):\n    app = Flask(__name__, instance_relative_config=True)\n    if test_config:\n        app.config.update(test_config)\n    return app\n")], ["gunicorn"]
            => Want::Serve { framework: Framework::Flask, module: "shop", attr: "create_app", factory: true, file: "shop/__init__.py",
                command: &["gunicorn", "--bind", "0.0.0.0:5000", "shop:create_app()"] };
        flask_factory_without_gunicorn:
            [("shop/__init__.py", "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n")], ["flask"]
            => Want::Serve { framework: Framework::Flask, module: "shop", attr: "create_app", factory: true, file: "shop/__init__.py",
                command: &["flask", "--app", "shop:create_app()", "run", "--host", "0.0.0.0", "--port", "5000"] };
        flask_factory_recognised_by_name:
            [("shop/factory.py", "from flask import Flask\nfrom .ext import build\n\ndef create_app():\n    app = build(Flask)\n    return app\n")], []
            => Want::Serve { framework: Framework::Flask, module: "shop.factory", attr: "create_app", factory: true, file: "shop/factory.py",
                command: &["flask", "--app", "shop.factory:create_app()", "run", "--host", "0.0.0.0", "--port", "5000"] };
        create_app_without_flask_import_is_nothing:
            [("shop/factory.py", "def create_app():\n    return build()\n")], []
            => Want::Nothing;
        flask_alias_and_semicolons:
            [("server.py", "from flask import Flask as Web; app = Web(__name__)\n")], []
            => Want::Serve { framework: Framework::Flask, module: "server", attr: "app", factory: false, file: "server.py",
                command: &["flask", "--app", "server:app", "run", "--host", "0.0.0.0", "--port", "5000"] };
        byte_order_mark:
            [("main.py", "\u{feff}from fastapi import FastAPI as F\napp = F()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        crlf_line_endings:
            [("main.py", "from fastapi import FastAPI\r\n\r\ndef make():\r\n    return FastAPI()\r\n\r\napp = FastAPI()\r\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        django_gunicorn:
            [("manage.py", DJANGO_MANAGE), ("mysite/__init__.py", ""), ("mysite/settings.py", DJANGO_SETTINGS),
             ("mysite/wsgi.py", DJANGO_WSGI), ("mysite/asgi.py", DJANGO_ASGI)], ["Django>=5", "gunicorn", "uvicorn"]
            => Want::Serve { framework: Framework::Django, module: "mysite.wsgi", attr: "application", factory: false, file: "mysite/wsgi.py",
                command: &["gunicorn", "--bind", "0.0.0.0:8000", "mysite.wsgi:application"] };
        django_uvicorn_when_no_gunicorn:
            [("manage.py", DJANGO_MANAGE), ("mysite/settings.py", DJANGO_SETTINGS),
             ("mysite/wsgi.py", DJANGO_WSGI), ("mysite/asgi.py", DJANGO_ASGI)], ["django", "uvicorn[standard]"]
            => Want::Serve { framework: Framework::Django, module: "mysite.asgi", attr: "application", factory: false, file: "mysite/asgi.py",
                command: &["uvicorn", "mysite.asgi:application", "--host", "0.0.0.0", "--port", "8000"] };
        django_gunicorn_without_wsgi_falls_to_uvicorn:
            [("manage.py", DJANGO_MANAGE), ("mysite/asgi.py", DJANGO_ASGI)], ["gunicorn", "uvicorn"]
            => Want::Serve { framework: Framework::Django, module: "mysite.asgi", attr: "application", factory: false, file: "mysite/asgi.py",
                command: &["uvicorn", "mysite.asgi:application", "--host", "0.0.0.0", "--port", "8000"] };
        django_runserver_without_servers:
            [("manage.py", DJANGO_MANAGE), ("mysite/settings.py", DJANGO_SETTINGS),
             ("mysite/wsgi.py", DJANGO_WSGI), ("mysite/asgi.py", DJANGO_ASGI)], ["django"]
            => Want::Serve { framework: Framework::Django, module: "mysite.wsgi", attr: "application", factory: false, file: "mysite/wsgi.py",
                command: &["python3", "manage.py", "runserver", "0.0.0.0:8000"] };
        django_runserver_without_wsgi_or_asgi:
            [("manage.py", DJANGO_MANAGE), ("mysite/settings.py", DJANGO_SETTINGS)], ["gunicorn"]
            => Want::Serve { framework: Framework::Django, module: "mysite.settings", attr: "", factory: false, file: "manage.py",
                command: &["python3", "manage.py", "runserver", "0.0.0.0:8000"] };
        django_nested_settings_package:
            [("manage.py", "import os\nos.environ.setdefault(\n    'DJANGO_SETTINGS_MODULE',\n    'config.settings.production',\n)\n"),
             ("config/settings/production.py", DJANGO_SETTINGS), ("config/wsgi.py", DJANGO_WSGI)], ["gunicorn"]
            => Want::Serve { framework: Framework::Django, module: "config.wsgi", attr: "application", factory: false, file: "config/wsgi.py",
                command: &["gunicorn", "--bind", "0.0.0.0:8000", "config.wsgi:application"] };
        django_environ_subscript_and_wrapped_wsgi:
            [("manage.py", "import os\nos.environ[\"DJANGO_SETTINGS_MODULE\"] = \"proj.settings\"\n"),
             ("proj/wsgi.py", "from django.core.wsgi import get_wsgi_application\nfrom whitenoise import WhiteNoise\napplication = WhiteNoise(get_wsgi_application())\n")], ["gunicorn"]
            => Want::Serve { framework: Framework::Django, module: "proj.wsgi", attr: "application", factory: false, file: "proj/wsgi.py",
                command: &["gunicorn", "--bind", "0.0.0.0:8000", "proj.wsgi:application"] };
        django_wsgi_without_application_is_ignored:
            [("manage.py", DJANGO_MANAGE), ("mysite/wsgi.py", "# application = get_wsgi_application()\n")], ["gunicorn"]
            => Want::Serve { framework: Framework::Django, module: "mysite.settings", attr: "", factory: false, file: "manage.py",
                command: &["python3", "manage.py", "runserver", "0.0.0.0:8000"] };
        manage_py_without_settings_is_not_django:
            [("manage.py", "import sys\nprint(sys.argv)\n# os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x.settings')\n")], ["django"]
            => Want::Nothing;
        preference_main_over_everything:
            [("api.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("server.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
             ("asgi.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("app.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
             ("zzz/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("service.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "zzz.main", attr: "app", factory: false, file: "zzz/main.py",
                command: &["uvicorn", "zzz.main:app", "--host", "0.0.0.0", "--port", "8000"] };
        preference_app_over_asgi_server_api:
            [("api.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("server.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
             ("asgi.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("pkg/app.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "pkg.app", attr: "app", factory: false, file: "pkg/app.py",
                command: &["uvicorn", "pkg.app:app", "--host", "0.0.0.0", "--port", "8000"] };
        preference_server_over_api:
            [("api.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("server.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
             ("routes.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "server", attr: "app", factory: false, file: "server.py",
                command: &["uvicorn", "server:app", "--host", "0.0.0.0", "--port", "8000"] };
        preference_shallowest_then_alphabetical:
            [("b/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("a/b/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
             ("c/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "b.main", attr: "app", factory: false, file: "b/main.py",
                command: &["uvicorn", "b.main:app", "--host", "0.0.0.0", "--port", "8000"] };
        ambiguous_frameworks_without_deps:
            [("web/app.py", "from flask import Flask\napp = Flask(__name__)\n"), ("svc/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
            => Want::Ambiguous(&["FastAPI app in svc/main.py", "Flask app in web/app.py"]);
        ambiguous_frameworks_when_deps_name_both:
            [("web/app.py", "from flask import Flask\napp = Flask(__name__)\n"), ("svc/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")],
            ["fastapi", "Flask"]
            => Want::Ambiguous(&["FastAPI app in svc/main.py", "Flask app in web/app.py"]);
        deps_settle_between_frameworks:
            [("web/app.py", "from flask import Flask\napp = Flask(__name__)\n"), ("svc/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")],
            ["flask>=2; python_version >= '3.9'", "requests"]
            => Want::Serve { framework: Framework::Flask, module: "web.app", attr: "app", factory: false, file: "web/app.py",
                command: &["flask", "--app", "web.app:app", "run", "--host", "0.0.0.0", "--port", "5000"] };
        fastapi_dep_names_starlette:
            [("web/app.py", "from flask import Flask\napp = Flask(__name__)\n"), ("main.py", "from starlette.applications import Starlette\napp = Starlette()\n")],
            ["fastapi[standard]"]
            => Want::Serve { framework: Framework::Starlette, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        django_and_fastapi_ambiguous:
            [("manage.py", DJANGO_MANAGE), ("mysite/wsgi.py", DJANGO_WSGI), ("sidecar/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")],
            ["django", "fastapi"]
            => Want::Ambiguous(&["FastAPI app in sidecar/main.py", "Django project in manage.py"]);
        commented_out_app_is_ignored:
            [("main.py", "from fastapi import FastAPI\n# app = FastAPI()\n    # app = FastAPI()\n")], []
            => Want::Nothing;
        docstring_and_string_apps_are_ignored:
            [("main.py", "\"\"\"Usage:\n\napp = FastAPI()\n\"\"\"\nEXAMPLE = '''\napp = FastAPI()\n'''\nx = \"app = FastAPI()\"\n")], []
            => Want::Nothing;
        app_inside_function_or_class_is_ignored:
            [("main.py", "from fastapi import FastAPI\n\ndef run():\n    app = FastAPI()\n    serve(app)\n\nclass Holder:\n    app = FastAPI()\n\n    def build(self):\n        return FastAPI()\n")], []
            => Want::Nothing;
        app_under_module_level_if_counts:
            [("main.py", "from fastapi import FastAPI\ntry:\n    import uvloop\nexcept ImportError:\n    pass\nif True:\n    app = FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        comparison_is_not_assignment:
            [("main.py", "from fastapi import FastAPI\nassert app == FastAPI()\nif app == FastAPI(): pass\n")], []
            => Want::Nothing;
        test_files_are_ignored:
            [("test_main.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("svc/main_test.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
             ("conftest.py", "from flask import Flask\napp = Flask(__name__)\n"), ("tests/app.py", "from flask import Flask\napp = Flask(__name__)\n"),
             ("tests/manage.py", DJANGO_MANAGE)], ["gunicorn"]
            => Want::Nothing;
        test_files_do_not_cause_ambiguity:
            [("conftest.py", "from flask import Flask\napp = Flask(__name__)\n"), ("main.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
            => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
        unimportable_files_are_skipped:
            [("my-app/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("main.txt", "app = FastAPI()\n"),
             ("class.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("1st.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
            => Want::Nothing;
        empty_project:
            [], ["fastapi"]
            => Want::Nothing;
    }

    #[test]
    fn result_does_not_depend_on_input_order() {
        let mut files = vec![
            (
                "svc/app.py",
                "from fastapi import FastAPI\napp = FastAPI()\n",
            ),
            (
                "svc/main.py",
                "from fastapi import FastAPI\napp = FastAPI()\n",
            ),
            (
                "main.py",
                "from fastapi import FastAPI\ndef create_app():\n    return FastAPI()\n",
            ),
            (
                "other/main.py",
                "from fastapi import FastAPI\napp = FastAPI()\n",
            ),
        ];
        let first = run(&files, &[]);
        files.reverse();
        assert_eq!(run(&files, &[]), first);
        files.swap(0, 2);
        assert_eq!(run(&files, &[]), first);
        let served = first.ok().flatten().map(|s| s.app);
        assert_eq!(
            served.map(|a| (a.module, a.attr)),
            Some(("main".into(), "create_app".into()))
        );
    }

    #[test]
    fn django_manage_in_subdirectory_sets_workdir() {
        let files = [
            ("backend/manage.py", DJANGO_MANAGE),
            ("backend/mysite/settings.py", DJANGO_SETTINGS),
            ("backend/mysite/wsgi.py", DJANGO_WSGI),
        ];
        let served = run(&files, &["gunicorn"]).ok().flatten();
        let served = served.as_ref();
        assert_eq!(served.map(|s| s.workdir.as_str()), Some("backend"));
        assert_eq!(
            served.and_then(|s| s.manage.as_deref()),
            Some("backend/manage.py")
        );
        assert_eq!(
            served.map(|s| s.app.file.as_str()),
            Some("backend/mysite/wsgi.py")
        );
        assert_eq!(
            served.map(|s| s.command.clone()),
            Some(strings(&[
                "gunicorn",
                "--bind",
                "0.0.0.0:8000",
                "mysite.wsgi:application"
            ]))
        );
    }

    #[test]
    fn django_root_manage_has_empty_workdir() {
        let files = [
            ("manage.py", DJANGO_MANAGE),
            ("mysite/wsgi.py", DJANGO_WSGI),
        ];
        let served = run(&files, &[]).ok().flatten();
        assert_eq!(served.as_ref().map(|s| s.workdir.as_str()), Some(""));
        assert_eq!(served.and_then(|s| s.manage), Some("manage.py".to_owned()));
    }

    #[test]
    fn shallowest_manage_py_wins() {
        let files = [
            ("a/b/manage.py", DJANGO_MANAGE),
            ("z/manage.py", DJANGO_MANAGE),
            ("c/manage.py", DJANGO_MANAGE),
        ];
        let served = run(&files, &[]).ok().flatten();
        assert_eq!(
            served.and_then(|s| s.manage),
            Some("c/manage.py".to_owned())
        );
    }

    #[test]
    fn ambiguity_message_lists_candidates_and_points_at_entrypoint() {
        let err = FrameworkError::Ambiguous {
            candidates: strings(&["FastAPI app in svc/main.py", "Flask app in web/app.py"]),
        };
        let message = err.to_string();
        assert!(
            message.contains("FastAPI app in svc/main.py; Flask app in web/app.py"),
            "{message}"
        );
        assert!(message.contains("--entrypoint"), "{message}");
    }

    #[test]
    fn served_serialises_to_json() {
        let served = run(
            &[("main.py", "from fastapi import FastAPI\napp = FastAPI()\n")],
            &[],
        )
        .ok()
        .flatten();
        let json = served.map(|s| serde_json::to_value(s).ok());
        let want = serde_json::json!({
            "app": {"framework": "fastapi", "module": "main", "attr": "app", "factory": false, "file": "main.py"},
            "command": ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"],
            "port": 8000,
            "server": "uvicorn",
            "workdir": "",
            "manage": null,
        });
        assert_eq!(json, Some(Some(want)));
        assert_eq!(Framework::FastApi.to_string(), "FastAPI");
        assert_eq!(Framework::Starlette.dependency(), "starlette");
    }

    #[test]
    fn module_names_from_paths() {
        let cases = [
            ("svc/main.py", Some("svc.main")),
            ("svc/__init__.py", Some("svc")),
            ("main.py", Some("main")),
            ("a/b/c.py", Some("a.b.c")),
            ("__init__.py", None),
            ("my-app/main.py", None),
            ("svc/my-mod.py", None),
            ("svc/main.pyi", None),
            ("README.md", None),
            ("svc/import.py", None),
            ("2fa/main.py", None),
            ("_private/mod.py", Some("_private.mod")),
        ];
        for (rel, want) in cases {
            assert_eq!(module_name(rel).as_deref(), want, "{rel}");
        }
    }

    #[test]
    fn test_file_names() {
        for rel in [
            "test_app.py",
            "svc/test_main.py",
            "app_test.py",
            "conftest.py",
            "tests/main.py",
            "a/tests/b/main.py",
        ] {
            assert!(is_test_file(rel), "{rel}");
        }
        for rel in [
            "main.py",
            "testing.py",
            "contest.py",
            "svc/tests.py",
            "latest_app.py",
        ] {
            assert!(!is_test_file(rel), "{rel}");
        }
    }

    #[test]
    fn requirement_names() {
        let cases = [
            (
                "uvicorn[standard]>=0.20; python_version>'3.8'",
                Some("uvicorn"),
            ),
            ("fastapi", Some("fastapi")),
            ("  Flask_SQLAlchemy==3.0.*  ", Some("flask-sqlalchemy")),
            ("zope.interface>=5", Some("zope-interface")),
            ("Django~=4.2,!=4.2.1", Some("django")),
            ("requests (>=2.0)", Some("requests")),
            (
                "name @ https://example.com/name-1.0.tar.gz#sha256=abc",
                Some("name"),
            ),
            ("pkg@git+https://github.com/o/pkg.git@v1", Some("pkg")),
            ("pkg[extra1, extra2] @ file:///tmp/pkg", Some("pkg")),
            ("gunicorn  # production server", Some("gunicorn")),
            ("gunicorn; sys_platform != 'win32'", Some("gunicorn")),
            (
                "-e git+https://github.com/o/r.git#egg=My_Pkg",
                Some("my-pkg"),
            ),
            (
                "--editable=git+https://github.com/o/r.git#egg=thing[extra]",
                Some("thing"),
            ),
            ("git+https://github.com/o/r.git#egg=other", Some("other")),
            ("foo_bar-1.0-py3-none-any.whl", Some("foo-bar")),
            ("", None),
            ("# just a comment", None),
            ("-r base.txt", None),
            ("--index-url https://pypi.example/simple", None),
            ("-e .", None),
            ("https://example.com/pkg.tar.gz", None),
            ("./local/pkg", None),
            ("dist/foo-1.0-py3-none-any.whl", None),
            ("foo-1.0.tar.gz", None),
            ("not a requirement", None),
        ];
        for (req, want) in cases {
            assert_eq!(requirement_name(req).as_deref(), want, "{req:?}");
        }
    }

    #[test]
    fn deps_normalise_on_both_sides() {
        let deps = Deps::from_requirements([
            "Flask>=2",
            "uvicorn[standard]",
            "Some.Thing_Else",
            "-r x.txt",
        ]);
        assert!(deps.contains("flask"));
        assert!(deps.contains("FLASK"));
        assert!(deps.contains("some_thing-else"));
        assert!(!deps.contains("gunicorn"));
        assert_eq!(
            deps.names().collect::<Vec<_>>(),
            ["flask", "some-thing-else", "uvicorn"]
        );
        assert!(!deps.is_empty());
        assert!(Deps::default().is_empty());
        let owned: Vec<String> = vec!["gunicorn".to_owned()];
        assert!(Deps::from_requirements(&owned).contains("gunicorn"));
    }

    #[test]
    fn pep503_normalisation() {
        assert_eq!(normalize_name("Foo.Bar__Baz--Qux"), "foo-bar-baz-qux");
        assert_eq!(normalize_name("ALLCAPS"), "allcaps");
        assert_eq!(normalize_name("a-_.-b"), "a-b");
    }

    #[test]
    fn statements_join_continuations_and_blank_strings() {
        let src = "x = call(\n    'a # not a comment',  # comment\n)\ny = 1 \\\n    + 2\n\"\"\"doc\nstring\"\"\"\nz = 3; w = 4\n";
        let stmts = statements(src);
        let codes: Vec<&str> = stmts.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "x = call(     '                 ',   )",
                "y = 1      + 2",
                "\"\"\"          \"\"\"",
                "z = 3",
                "w = 4",
            ]
        );
        assert_eq!(stmts[0].text, "x = call(     'a # not a comment',   )");
        assert!(stmts.iter().all(|s| s.code.len() == s.text.len()));
    }

    #[test]
    fn statements_keep_byte_alignment_with_non_ascii_strings() {
        let stmts = statements("s = 'héllo wörld'\nt = \"日本\" + x\n");
        assert_eq!(stmts.len(), 2);
        for s in &stmts {
            assert_eq!(s.code.len(), s.text.len());
            assert!(s.code.is_ascii());
        }
    }

    #[test]
    fn statements_track_indentation() {
        let stmts = statements("def f():\n    return 1\n\tx = 2\n");
        let indents: Vec<usize> = stmts.iter().map(|s| s.indent).collect();
        assert_eq!(indents, [0, 4, 8]);
    }

    #[test]
    fn statements_survive_bad_syntax() {
        assert_eq!(statements("x = 'unterminated\ny = 2\n").len(), 2);
        assert_eq!(statements("x = (\n").len(), 1);
        assert_eq!(
            statements("s = '''never closed\napp = FastAPI()\n").len(),
            1
        );
        assert!(statements("").is_empty());
        assert!(scan_apps("app = FastAPI(\n")
            .iter()
            .any(|(a, _, _)| a == "app"));
        assert!(scan_apps("s = '''never closed\napp = FastAPI()\n").is_empty());
    }

    #[test]
    fn settings_module_forms() {
        let cases = [
            ("os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'a.settings')", Some("a.settings")),
            ("os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\",\"a.b.c\")", Some("a.b.c")),
            ("os.environ['DJANGO_SETTINGS_MODULE'] = 'site.settings'", Some("site.settings")),
            ("DJANGO_SETTINGS_MODULE = 'cfg.settings'", Some("cfg.settings")),
            ("x = os.getenv('DJANGO_SETTINGS_MODULE')\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'real.settings')", Some("real.settings")),
            ("os.environ.setdefault('DJANGO_SETTINGS_MODULE', f'{NAME}.settings')", None),
            ("# os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'a.settings')", None),
            ("print('hi')", None),
        ];
        for (src, want) in cases {
            assert_eq!(settings_module(src).as_deref(), want, "{src}");
        }
    }

    #[test]
    fn factory_parameters() {
        for params in [
            "",
            "config=None",
            "*, debug: bool = False",
            "*args, **kwargs",
            "a=1, /, b: dict[str, int] = {}",
        ] {
            assert!(callable_bare(params), "{params}");
        }
        for params in [
            "config",
            "a=1, b",
            "*, debug: bool",
            "settings: Dict[str, int]",
        ] {
            assert!(!callable_bare(params), "{params}");
        }
    }

    #[test]
    fn imports_parse_aliases() {
        let names = |code: &str| {
            imports(code)
                .iter()
                .map(|i| {
                    format!(
                        "{}|{}|{}",
                        i.module,
                        i.name.unwrap_or("-"),
                        i.alias.unwrap_or("-")
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names("import fastapi as fa, os"),
            ["fastapi|-|fa", "os|-|-"]
        );
        assert_eq!(
            names("from flask import ( Flask as F , request )"),
            ["flask|Flask|F", "flask|request|-"]
        );
        assert_eq!(
            names("from fastapi import applications"),
            ["fastapi|applications|-"]
        );
        assert!(names("important = 1").is_empty());
        assert!(names("from_x = 1").is_empty());
    }

    #[test]
    fn submodule_import_gives_class_access() {
        let apps =
            scan_apps("from starlette import applications as apps\napp = apps.Starlette()\n");
        assert_eq!(apps, [("app".to_owned(), Framework::Starlette, false)]);
    }
}
