//! Where a Django project writes at run time, read from its settings
//! module without running it: `STATIC_ROOT` (collectstatic), `MEDIA_ROOT`
//! (uploads) and a SQLite database's file. Only the forms Django's
//! templates and tutorials use are followed (`BASE_DIR / "x"`,
//! `os.path.join(BASE_DIR, "x")`, `Path(__file__).resolve().parent.parent`,
//! plain strings); anything else is reported as not followed, with its text.

use std::collections::BTreeMap;

use super::scan::statements;

/// A path a setting names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingPath {
    /// Absolute (`/srv/media`), or relative to the import root (`db.sqlite3`).
    Known(String),
    /// An expression pycontainer does not follow, as written.
    Unknown(String),
}

/// The paths a Django project's settings say it writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DjangoWrites {
    pub static_root: Option<SettingPath>,
    pub media_root: Option<SettingPath>,
    /// The file of the `default` (or any) SQLite database.
    pub sqlite: Option<SettingPath>,
}

/// Reads `text`, the settings module at `rel` (relative to the import root).
pub fn django_writes(rel: &str, text: &str) -> DjangoWrites {
    let mut names: BTreeMap<String, Value> = BTreeMap::new();
    let mut out = DjangoWrites::default();
    for stmt in statements(text).iter().filter(|s| s.indent == 0) {
        let Some((name, expr)) = assignment(&stmt.text) else {
            continue;
        };
        let eval = |expr: &str| Parser::new(expr, rel, &names).expr();
        match name {
            "STATIC_ROOT" => out.static_root = setting(expr, eval(expr)),
            "MEDIA_ROOT" => out.media_root = setting(expr, eval(expr)),
            "DATABASES" => out.sqlite = sqlite_name(expr).and_then(|e| setting(e, eval(e))),
            _ => {
                let value = eval(expr);
                names.insert(name.to_owned(), value);
            }
        }
    }
    out
}

/// `NAME = expr` at the top level: the name and the expression's text.
fn assignment(text: &str) -> Option<(&str, &str)> {
    let (name, expr) = text.split_once('=')?;
    let name = name.trim();
    let simple = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !expr.starts_with('=');
    simple.then(|| (name, expr.trim()))
}

/// What a setting's value says; `None` for `None` or `''`, Django's
/// defaults, which write nothing.
fn setting(expr: &str, value: Value) -> Option<SettingPath> {
    let expr = expr.trim();
    match value {
        Value::Path(p) if p.absolute || !p.parts.is_empty() => Some(SettingPath::Known(p.render())),
        Value::Path(_) => None,
        _ if expr == "None" => None,
        _ => Some(SettingPath::Unknown(expr.to_owned())),
    }
}

/// The `NAME` expression of a SQLite database in a `DATABASES` literal.
fn sqlite_name(dict: &str) -> Option<&str> {
    if !dict.contains("django.db.backends.sqlite3") {
        return None;
    }
    let at = ["'NAME'", "\"NAME\""]
        .iter()
        .filter_map(|k| dict.find(k).map(|i| i + k.len()))
        .min()?;
    let rest = dict.get(at..)?.trim_start().strip_prefix(':')?;
    Some(until_comma(rest))
}

/// The text up to the first `,` or closing bracket outside brackets and strings.
fn until_comma(text: &str) -> &str {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') if depth == 0 => return &text[..i],
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => return &text[..i],
            _ => {}
        }
    }
    text
}

/// A path during evaluation: absolute, or relative to the import root.
#[derive(Clone, Debug, PartialEq, Eq)]
struct VPath {
    absolute: bool,
    parts: Vec<String>,
}

impl VPath {
    fn parse(s: &str) -> Option<VPath> {
        let mut p = VPath {
            absolute: s.starts_with('/'),
            parts: Vec::new(),
        };
        for part in s.split('/') {
            p = p.join(part)?;
        }
        Some(p)
    }

    /// `self / part`; `None` when it climbs out of the import root.
    fn join(mut self, part: &str) -> Option<VPath> {
        match part {
            "" | "." => {}
            ".." => {
                self.parts.pop()?;
            }
            _ => self.parts.push(part.to_owned()),
        }
        Some(self)
    }

    fn join_path(self, other: VPath) -> Option<VPath> {
        if other.absolute {
            return Some(other);
        }
        other.parts.iter().try_fold(self, |p, part| p.join(part))
    }

    fn parent(mut self) -> Option<VPath> {
        self.parts.pop()?;
        Some(self)
    }

    fn render(&self) -> String {
        let joined = self.parts.join("/");
        if self.absolute {
            format!("/{joined}")
        } else {
            joined
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Path(VPath),
    /// A name that is a function or module we follow: `Path`, `os.path.join`.
    Callable(&'static str),
    Unknown,
}

/// A small recursive-descent reader of path expressions.
struct Parser<'a> {
    rest: &'a str,
    /// The settings file, relative to the import root: `__file__`.
    file: &'a str,
    names: &'a BTreeMap<String, Value>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, file: &'a str, names: &'a BTreeMap<String, Value>) -> Self {
        Parser {
            rest: text,
            file,
            names,
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        let trimmed = self.rest.trim_start();
        match trimmed.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// `term ('/' term)*`
    fn expr(&mut self) -> Value {
        let mut left = self.term();
        while self.eat("/") {
            let right = self.term();
            left = match (left, right) {
                (Value::Path(a), Value::Path(b)) => {
                    a.join_path(b).map_or(Value::Unknown, Value::Path)
                }
                _ => Value::Unknown,
            };
        }
        left
    }

    fn term(&mut self) -> Value {
        let mut value = self.atom();
        loop {
            if self.eat("(") {
                let args = self.args();
                value = call(value, args);
            } else if self.eat(".parent") {
                value = match value {
                    Value::Path(p) => p.parent().map_or(Value::Unknown, Value::Path),
                    _ => Value::Unknown,
                };
            } else if self.eat(".resolve()") || self.eat(".absolute()") {
                // The settings file's own path is already what they give.
            } else {
                return value;
            }
        }
    }

    /// Arguments up to the closing `)`.
    fn args(&mut self) -> Vec<Value> {
        let mut args = Vec::new();
        if self.eat(")") {
            return args;
        }
        loop {
            args.push(self.expr());
            if self.eat(",") {
                if self.eat(")") {
                    return args;
                }
                continue;
            }
            if !self.eat(")") {
                args.push(Value::Unknown);
            }
            return args;
        }
    }

    fn atom(&mut self) -> Value {
        let text = self.rest.trim_start();
        if let Some(q) = text.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let body = &text[1..];
            let Some(end) = body.find(q) else {
                self.rest = "";
                return Value::Unknown;
            };
            self.rest = &body[end + 1..];
            return VPath::parse(&body[..end]).map_or(Value::Unknown, Value::Path);
        }
        if let Some(inner) = text.strip_prefix('(') {
            self.rest = inner;
            let v = self.expr();
            return if self.eat(")") { v } else { Value::Unknown };
        }
        let len = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(text.len());
        // `.parent` and `.resolve` belong to the term, not the name.
        let name_len = [".parent", ".resolve", ".absolute"]
            .iter()
            .filter_map(|m| text[..len].find(m))
            .min()
            .unwrap_or(len);
        let name = &text[..name_len];
        self.rest = &text[name_len..];
        match name {
            "__file__" => VPath::parse(self.file).map_or(Value::Unknown, Value::Path),
            "Path" | "pathlib.Path" | "PurePath" => Value::Callable("Path"),
            "os.path.join" => Value::Callable("join"),
            "os.path.dirname" => Value::Callable("dirname"),
            "os.path.abspath" | "os.path.realpath" | "os.path.normpath" | "str" | "os.fspath" => {
                Value::Callable("same")
            }
            _ => self.names.get(name).cloned().unwrap_or(Value::Unknown),
        }
    }
}

fn call(f: Value, args: Vec<Value>) -> Value {
    let mut paths = args.into_iter().map(|a| match a {
        Value::Path(p) => Some(p),
        _ => None,
    });
    match f {
        Value::Callable("Path" | "same") => match (paths.next().flatten(), paths.next()) {
            (Some(p), None) => Value::Path(p),
            _ => Value::Unknown,
        },
        Value::Callable("dirname") => match (paths.next().flatten(), paths.next()) {
            (Some(p), None) => p.parent().map_or(Value::Unknown, Value::Path),
            _ => Value::Unknown,
        },
        Value::Callable("join") => {
            let mut acc: Option<VPath> = None;
            for p in paths {
                let Some(p) = p else {
                    return Value::Unknown;
                };
                acc = match acc {
                    None => Some(p),
                    Some(a) => match a.join_path(p) {
                        Some(j) => Some(j),
                        None => return Value::Unknown,
                    },
                };
            }
            acc.map_or(Value::Unknown, Value::Path)
        }
        _ => Value::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(s: &str) -> Option<SettingPath> {
        Some(SettingPath::Known(s.to_owned()))
    }

    #[test]
    fn djangos_own_template_and_the_older_os_path_one() {
        let modern = "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nDATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.sqlite3',\n        'NAME': BASE_DIR / 'db.sqlite3',\n    }\n}\nSTATIC_URL = 'static/'\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\nMEDIA_ROOT = BASE_DIR / \"media\" / \"uploads\"\n";
        let w = django_writes("mysite/settings.py", modern);
        assert_eq!(w.sqlite, known("db.sqlite3"));
        assert_eq!(w.static_root, known("staticfiles"));
        assert_eq!(w.media_root, known("media/uploads"));

        let old = "import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": os.path.join(BASE_DIR, \"data\", \"app.db\")}}\nSTATIC_ROOT = os.path.join(BASE_DIR, 'static')\nMEDIA_ROOT = '/srv/media'\n";
        let w = django_writes("src/site/settings.py", old);
        assert_eq!(w.sqlite, known("src/data/app.db"));
        assert_eq!(w.static_root, known("src/static"));
        assert_eq!(w.media_root, known("/srv/media"));
    }

    #[test]
    fn what_is_not_followed_is_said_as_written() {
        let text = "import os\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.environ.get('DB', 'x.db')}}\nSTATIC_ROOT = env('STATIC')\n";
        let w = django_writes("s/settings.py", text);
        assert_eq!(
            w.sqlite,
            Some(SettingPath::Unknown(
                "os.environ.get('DB', 'x.db')".to_owned()
            ))
        );
        assert_eq!(
            w.static_root,
            Some(SettingPath::Unknown("env('STATIC')".to_owned()))
        );
        assert_eq!(w.media_root, None);
    }

    #[test]
    fn other_databases_and_climbing_out_of_the_root_write_nothing_known() {
        let pg = "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'shop'}}\n";
        assert_eq!(django_writes("s/settings.py", pg).sqlite, None);
        let empty = "DATABASES = {}\n";
        assert_eq!(django_writes("s/settings.py", empty).sqlite, None);
        let defaults = "MEDIA_ROOT = ''\nSTATIC_ROOT = None\n";
        assert_eq!(
            django_writes("s/settings.py", defaults),
            DjangoWrites::default()
        );
        let up = "from pathlib import Path\nBASE = Path(__file__).parent.parent.parent\nSTATIC_ROOT = BASE / 's'\n";
        assert!(matches!(
            django_writes("settings.py", up).static_root,
            Some(SettingPath::Unknown(_))
        ));
    }
}
