//! Detects a Python project's web framework from its own sources and picks the command that serves it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use pycontainer_python::name::normalize as normalize_name;

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

/// Finds the app to serve, on `port` when given (else the framework's
/// usual one). `Ok(None)` means no supported framework was found.
pub fn detect(
    files: &[SourceFile],
    deps: &Deps,
    port: Option<u16>,
) -> Result<Option<Served>, FrameworkError> {
    let mut sorted: Vec<&SourceFile> = files.iter().filter(|f| !is_test_file(f.rel)).collect();
    pycontainer_sort::sort_by(&mut sorted, |a, b| a.rel.cmp(b.rel));

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
    Ok(chosen.map(|found| serve(found, deps, port)))
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

fn serve(found: Found, deps: &Deps, port: Option<u16>) -> Served {
    match found {
        Found::App(app) => serve_app(app, deps, port),
        Found::Django(d) => serve_django(d, deps, port.unwrap_or(DJANGO_PORT)),
    }
}

fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|&s| s.to_owned()).collect()
}

fn serve_app(app: App, deps: &Deps, port: Option<u16>) -> Served {
    let (command, port, server) = if app.framework == Framework::Flask {
        let port = port.unwrap_or(FLASK_PORT);
        // Both gunicorn and the flask CLI call `module:f()` themselves.
        let target = if app.factory {
            format!("{}:{}()", app.module, app.attr)
        } else {
            format!("{}:{}", app.module, app.attr)
        };
        if deps.contains("gunicorn") {
            let bind = format!("0.0.0.0:{port}");
            (
                strings(&["gunicorn", "--bind", &bind, &target]),
                port,
                "gunicorn",
            )
        } else {
            let text = port.to_string();
            let command = [
                "flask", "--app", &target, "run", "--host", "0.0.0.0", "--port", &text,
            ];
            (strings(&command), port, "flask")
        }
    } else {
        let port = port.unwrap_or(UVICORN_PORT);
        let target = format!("{}:{}", app.module, app.attr);
        let text = port.to_string();
        let mut command = strings(&["uvicorn", &target, "--host", "0.0.0.0", "--port", &text]);
        if app.factory {
            command.push("--factory".to_owned());
        }
        (command, port, "uvicorn")
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

fn serve_django(d: Django, deps: &Deps, port: u16) -> Served {
    let app = |(module, file): &(String, String)| App {
        framework: Framework::Django,
        module: module.clone(),
        attr: "application".to_owned(),
        factory: false,
        file: file.clone(),
    };
    let (app, command, server) = match (&d.wsgi, &d.asgi) {
        (Some(wsgi), _) if deps.contains("gunicorn") => {
            let bind = format!("0.0.0.0:{port}");
            let target = format!("{}:application", wsgi.0);
            (
                app(wsgi),
                strings(&["gunicorn", "--bind", &bind, &target]),
                "gunicorn",
            )
        }
        (_, Some(asgi)) if deps.contains("uvicorn") => {
            let target = format!("{}:application", asgi.0);
            let text = port.to_string();
            let command = ["uvicorn", &target, "--host", "0.0.0.0", "--port", &text];
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
            let bind = format!("0.0.0.0:{port}");
            let command = strings(&["python3", "manage.py", "runserver", &bind]);
            (app, command, "django-runserver")
        }
    };
    Served {
        app,
        command,
        port,
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
    // Extended, not collected: collecting into a map sorts, with a copy of the sort per type.
    let mut by_rel: BTreeMap<&str, &SourceFile> = BTreeMap::new();
    by_rel.extend(files.iter().map(|f| (f.rel, *f)));
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
mod tests;
