//! pip's requirements files: each parsed without I/O, then the tree combined into what to
//! install, which is a lock when every requirement is pinned.
//!
//! `-r` and `-c` are returned as written; the caller reads those files (relative to the file
//! that names them) and parses them too, then hands every parsed file to [`combine`].

use std::collections::btree_map::Entry as Slot;
use std::collections::BTreeMap;

use super::{
    url_filename, FileHash, LineProblem, LockError, Locked, LockedFile, Pinned, Selection,
};
use pycontainer_python::name::PackageName;
use pycontainer_python::pep440::{Operator, Specifier, SpecifierSet, Version};
use pycontainer_python::pep508::{Marker, MarkerEnv, Requirement};
use pycontainer_python::url::{self, DirectUrl};
use pycontainer_python::wheel::WheelName;

/// Whether a file lists what to install, or only limits versions (`-c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Requirements,
    Constraints,
}

/// One parsed file, its lines in order.
#[derive(Clone, Debug, PartialEq)]
pub struct RequirementsFile {
    pub source: String,
    pub role: Role,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Requirement(Entry),
    /// `-r PATH`: another requirements file, as written (relative to this one).
    Include {
        path: String,
        line: usize,
    },
    /// `-c PATH`: a constraints file, as written (relative to this one).
    Constraints {
        path: String,
        line: usize,
    },
    IndexUrl(String),
    ExtraIndexUrl(String),
    NoIndex,
    /// `--pre`: pre-releases may be chosen.
    Pre,
    /// `--require-hashes`: hash-checking mode even before any `--hash` appears.
    RequireHashes,
}

/// A requirement line and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// A wheel given by path or URL becomes `name==version @ location`.
    pub requirement: Requirement,
    /// From `--hash=sha256:…`: the downloaded file must match one of them.
    pub hashes: Vec<FileHash>,
    pub file: String,
    /// The first physical line of the (possibly continued) line.
    pub line: usize,
}

impl Entry {
    fn place(&self) -> String {
        format!(
            "{} ({} line {})",
            self.requirement.name, self.file, self.line
        )
    }
}

/// Parses one requirements or constraints file. `env` looks up `${VAR}` references (pip
/// expands only that spelling, with upper-case names); unknown ones are left as written.
pub fn parse(
    text: &str,
    source: &str,
    role: Role,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RequirementsFile, LockError> {
    let mut items = Vec::new();
    for (line, written) in logical_lines(text) {
        let expanded = expand(&written, env);
        let content = expanded.trim();
        if content.is_empty() {
            continue;
        }
        let fail = |problem| LockError::Line {
            file: source.to_owned(),
            line,
            problem: if expanded == written {
                problem
            } else {
                as_written(written.trim())
            },
        };
        if content.starts_with('-') {
            options(content, line, &mut items).map_err(fail)?;
        } else {
            let (mut requirement, hashes) = requirement_line(content).map_err(fail)?;
            if expanded != written {
                requirement.url = requirement
                    .url
                    .map(|url| DirectUrl::expanded(url.fetched(), &written_url(written.trim())));
            }
            items.push(Item::Requirement(Entry {
                requirement,
                hashes,
                file: source.to_owned(),
                line,
            }));
        }
    }
    Ok(RequirementsFile {
        source: source.to_owned(),
        role,
        items,
    })
}

/// What is wrong with a line that `${VAR}` expansion changed, said of the line as written: the
/// expanded one may hold a secret.
fn as_written(written: &str) -> LineProblem {
    let problem = if written.starts_with('-') {
        options(written, 0, &mut Vec::new()).err()
    } else {
        requirement_line(written).err()
    };
    problem.unwrap_or_else(|| LineProblem::Expanded(url::redacted_in(written)))
}

/// The URL of a requirement line as written (`${VAR}`s unexpanded), or the whole line when
/// that is not a requirement with a URL (a variable that holds all of it).
fn written_url(written: &str) -> String {
    requirement_line(written)
        .ok()
        .and_then(|(r, _)| r.url)
        .map_or_else(|| written.to_owned(), |u| u.fetched().to_owned())
}

/// The project one requirement line or PEP 508 string names, if any.
pub fn name_of(line: &str) -> Option<PackageName> {
    // Read as a file's line: a physical line of an exported lock ends in the `\` that carries
    // its `--hash` options on to the next.
    let (_, content) = logical_lines(line).into_iter().next()?;
    let (words, options) = words_and_options(&content);
    if words.is_empty() {
        // Of pip's options only an editable install names a project, and then only through
        // its `#egg=` fragment.
        let mut options = Options {
            tokens: options.iter(),
        };
        let editable = options.next().filter(Opt::is_editable)?;
        return egg_name(options.value(&editable).ok()?);
    }
    // A line the reader refuses, such as a location that is no wheel, may still name its
    // project in an `#egg=` fragment.
    stated(&words)
        .map(|r| r.name)
        .ok()
        .or_else(|| egg_name(&content))
}

/// Joins `\` continuations and drops comments, numbering each result by its first line.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (index, raw) in text.lines().enumerate() {
        let content = strip_comment(raw);
        // A comment ends a continuation, as in pip: `a \` then `# note` is just `a`.
        let continued = content.len() == raw.len() && content.ends_with('\\');
        let piece = content
            .strip_suffix('\\')
            .filter(|_| continued)
            .unwrap_or(content);
        let (first, mut joined) = pending.take().unwrap_or((index + 1, String::new()));
        joined.push_str(piece);
        if continued {
            pending = Some((first, joined));
        } else {
            out.push((first, joined));
        }
    }
    out.extend(pending);
    out
}

/// Cuts a `#` comment that starts the line or follows whitespace; a `#` inside a token (a URL
/// fragment) is kept.
fn strip_comment(line: &str) -> &str {
    let mut previous_blank = true;
    for (at, c) in line.char_indices() {
        if c == '#' && previous_blank {
            return line.get(..at).unwrap_or(line);
        }
        previous_blank = c.is_whitespace();
    }
    line
}

/// Replaces `${NAME}` (NAME of `A-Z`, `0-9`, `_`) by its value when `env` knows it.
pub(crate) fn expand(line: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("${") {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let after = from.get(2..).unwrap_or_default();
        let name_len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        let name = after.get(..name_len).unwrap_or_default();
        let value = (!name.is_empty() && after.get(name_len..).is_some_and(|r| r.starts_with('}')))
            .then(|| env(name))
            .flatten();
        match value {
            Some(value) => {
                out.push_str(&value);
                rest = after.get(name_len + 1..).unwrap_or_default();
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The options of a line, read one at a time.
struct Options<'a> {
    tokens: std::slice::Iter<'a, &'a str>,
}

/// One option as written: `spelled` is how to name it in messages (`-r`, `--index-url`).
struct Opt<'a> {
    name: &'a str,
    inline: Option<&'a str>,
    spelled: &'a str,
}

impl Opt<'_> {
    /// `-e` / `--editable`: an editable install.
    fn is_editable(&self) -> bool {
        matches!(self.name, "e" | "editable")
    }
}

impl<'a> Options<'a> {
    /// The next option, with its inline value (`--opt=value`, `-ovalue`). A token that is not
    /// an option comes back whole as the name, which no option matches.
    fn next(&mut self) -> Option<Opt<'a>> {
        let token: &'a str = self.tokens.next()?;
        if let Some(long) = token.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            let spelled = token.get(..name.len() + 2).unwrap_or(token);
            return Some(Opt {
                name,
                inline,
                spelled,
            });
        }
        let Some(short) = token.strip_prefix('-') else {
            return Some(Opt {
                name: token,
                inline: None,
                spelled: token,
            });
        };
        let split = short.char_indices().nth(1).map_or(short.len(), |(i, _)| i);
        let (name, value) = short.split_at(split);
        Some(Opt {
            name,
            inline: (!value.is_empty()).then_some(value),
            spelled: token.get(..split + 1).unwrap_or(token),
        })
    }

    fn value(&mut self, opt: &Opt<'a>) -> Result<&'a str, LineProblem> {
        opt.inline
            .or_else(|| self.tokens.next().copied())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| LineProblem::MissingValue(opt.spelled.to_owned()))
    }
}

/// A line of global options.
fn options(content: &str, line: usize, items: &mut Vec<Item>) -> Result<(), LineProblem> {
    let tokens: Vec<&str> = content.split_whitespace().collect();
    let mut options = Options {
        tokens: tokens.iter(),
    };
    while let Some(opt) = options.next() {
        let item = match opt.name {
            "r" | "requirement" => Item::Include {
                path: options.value(&opt)?.to_owned(),
                line,
            },
            "c" | "constraint" => Item::Constraints {
                path: options.value(&opt)?.to_owned(),
                line,
            },
            "i" | "index-url" => Item::IndexUrl(options.value(&opt)?.to_owned()),
            "extra-index-url" => Item::ExtraIndexUrl(options.value(&opt)?.to_owned()),
            "no-index" => Item::NoIndex,
            "pre" => Item::Pre,
            "require-hashes" => Item::RequireHashes,
            // Only wheels are ever installed, so these ask for what happens anyway.
            "prefer-binary" => continue,
            "only-binary" => {
                options.value(&opt)?;
                continue;
            }
            "no-binary" => match options.value(&opt)? {
                ":none:" => continue,
                _ => return Err(LineProblem::NoBinary),
            },
            "f" | "find-links" => return Err(LineProblem::FindLinks),
            _ if opt.is_editable() => match options.value(&opt)? {
                // `uv export` and `pip freeze` list the project itself as `-e .`;
                // the app layer holds it, so that line asks for nothing more.
                "." | "./" => continue,
                _ => return Err(LineProblem::Editable),
            },
            _ => return Err(LineProblem::UnknownOption(opt.spelled.to_owned())),
        };
        items.push(item);
    }
    Ok(())
}

/// A requirement and the per-requirement options after it (`--hash` only).
fn requirement_line(content: &str) -> Result<(Requirement, Vec<FileHash>), LineProblem> {
    let (words, rest) = words_and_options(content);
    let mut hashes = Vec::new();
    let mut options = Options {
        tokens: rest.iter(),
    };
    while let Some(opt) = options.next() {
        if opt.name != "hash" {
            return Err(LineProblem::UnknownOption(opt.spelled.to_owned()));
        }
        hashes.push(pip_hash(options.value(&opt)?)?);
    }
    Ok((requirement(&words)?, hashes))
}

/// A requirement line split into the requirement, its words joined by single spaces, and the
/// option tokens from the first that starts with `-`.
fn words_and_options(content: &str) -> (String, Vec<&str>) {
    let mut words: Vec<&str> = content.split_whitespace().collect();
    let split = words
        .iter()
        .position(|t| t.starts_with('-'))
        .unwrap_or(words.len());
    let options = words.split_off(split);
    (words.join(" "), options)
}

/// `sha256:<hex>`, with one of the algorithms pip accepts.
fn pip_hash(value: &str) -> Result<FileHash, LineProblem> {
    FileHash::parse(value)
        .filter(|h| ["sha256", "sha384", "sha512"].contains(&h.algorithm.as_str()))
        .ok_or_else(|| LineProblem::Hash(value.to_owned()))
}

/// A requirement that can be installed from wheels alone.
fn requirement(text: &str) -> Result<Requirement, LineProblem> {
    let requirement = stated(text)?;
    if let Some(url) = &requirement.url {
        if !url_filename(url.fetched()).ends_with(".whl") {
            return Err(LineProblem::NeedsBuild(url.to_string()));
        }
    }
    Ok(requirement)
}

/// The requirement a line states without its options: PEP 508, or a wheel by path or URL.
fn stated(text: &str) -> Result<Requirement, LineProblem> {
    let head = text.split([' ', ';']).next().unwrap_or(text);
    let bare_url = head
        .find("://")
        .and_then(|at| head.get(..at))
        .is_some_and(|scheme| !scheme.contains('@'));
    let bare_path = head.starts_with(['.', '/', '~']) || head.ends_with(".whl") || archive(head);
    if bare_url || bare_path {
        return location(text);
    }
    Requirement::parse(text).map_err(|e| LineProblem::Requirement(e.to_string()))
}

/// Whether pip takes `head` for an archive file (`foo-1.0.tar.gz`): by its ending, whatever
/// its case, unless an `@` after something that is no path makes it `name@url`.
fn archive(head: &str) -> bool {
    let lower = head.to_ascii_lowercase();
    let named = head
        .split_once('@')
        .is_some_and(|(before, _)| !(before.starts_with('.') || before.contains('/')));
    !named
        && [".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"]
            .iter()
            .any(|ending| lower.ends_with(ending))
}

/// The project pip reads from a location's `#egg=name` fragment.
fn egg_name(location: &str) -> Option<PackageName> {
    let (_, fragment) = location.split_once("egg=")?;
    let name = fragment
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .next()?;
    PackageName::new(name.trim_end_matches(['-', '_', '.'])).ok()
}

/// A wheel named by path or URL, optionally followed by ` ; marker`.
fn location(text: &str) -> Result<Requirement, LineProblem> {
    let (place, marker) = match text.split_once(" ;").or_else(|| text.split_once("; ")) {
        Some((place, marker)) => (place.trim(), Some(marker.trim())),
        None => (text.trim(), None),
    };
    let filename = url_filename(place);
    if !filename.ends_with(".whl") {
        return Err(LineProblem::NeedsBuild(url::redacted(place)));
    }
    let WheelName { name, version, .. } =
        WheelName::parse(&filename).map_err(|_| LineProblem::WheelName(filename.clone()))?;
    let exact = Specifier::new(Operator::Equal, version, false)
        .map_err(|e| LineProblem::Requirement(e.to_string()))?;
    let marker = marker
        .map(|m| Marker::parse(m).map_err(|e| LineProblem::Requirement(e.to_string())))
        .transpose()?;
    Ok(Requirement {
        name,
        extras: Vec::new(),
        version: SpecifierSet(vec![exact]),
        url: Some(DirectUrl::new(place)),
        marker,
    })
}

/// A requirements tree, combined.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Requirements {
    /// The first file of the tree, for messages.
    pub source: String,
    pub requirements: Vec<Entry>,
    /// From `-c` files: they narrow versions of the names they list, never add packages.
    pub constraints: Vec<Entry>,
    /// The last `--index-url` given, as pip takes it.
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub no_index: bool,
    pub pre: bool,
    pub require_hashes: bool,
}

/// Merges every file of a tree, in the order given (the caller's `-r` walk order).
pub fn combine(files: Vec<RequirementsFile>) -> Requirements {
    let mut all = Requirements {
        source: files.first().map(|f| f.source.clone()).unwrap_or_default(),
        ..Requirements::default()
    };
    for file in files {
        for item in file.items {
            match item {
                Item::Requirement(entry) => match file.role {
                    Role::Requirements => all.requirements.push(entry),
                    Role::Constraints => all.constraints.push(entry),
                },
                Item::IndexUrl(url) => all.index_url = Some(url),
                Item::ExtraIndexUrl(url) => {
                    if !all.extra_index_urls.contains(&url) {
                        all.extra_index_urls.push(url);
                    }
                }
                Item::NoIndex => all.no_index = true,
                Item::Pre => all.pre = true,
                Item::RequireHashes => all.require_hashes = true,
                Item::Include { .. } | Item::Constraints { .. } => {}
            }
        }
    }
    all
}

impl Requirements {
    /// The requirements that apply to `env`, each narrowed by the constraints on its name:
    /// the roots a resolver starts from.
    pub fn roots(&self, env: &MarkerEnv, selection: &Selection) -> Vec<Requirement> {
        let constraints = self.constraints(env);
        self.applying(env, selection)
            .map(|entry| {
                let mut requirement = entry.requirement.clone();
                if let Some(limit) = constraints.get(&requirement.name) {
                    requirement.version.0.extend(limit.iter().cloned());
                }
                requirement
            })
            .collect()
    }

    /// The constraints that apply to `env`, one set per package. The resolver applies them
    /// to every requirement on that package, transitive ones too.
    pub fn constraints(&self, env: &MarkerEnv) -> BTreeMap<PackageName, SpecifierSet> {
        let mut out: BTreeMap<PackageName, SpecifierSet> = BTreeMap::new();
        for c in self
            .constraints
            .iter()
            .filter(|c| c.requirement.applies(env, &[]))
        {
            out.entry(c.requirement.name.clone())
                .or_insert_with(|| SpecifierSet(Vec::new()))
                .0
                .extend(c.requirement.version.iter().cloned());
        }
        out
    }

    fn applying<'s>(
        &'s self,
        env: &'s MarkerEnv,
        selection: &'s Selection,
    ) -> impl Iterator<Item = &'s Entry> {
        self.requirements
            .iter()
            .filter(move |e| e.requirement.applies(env, &selection.extras))
    }

    /// The tree as a lock, when every requirement that applies to `env` is pinned with `==`
    /// or `===` (as `pip freeze`, pip-compile and `uv export` write them); None when something
    /// is left to resolve.
    ///
    /// With any `--hash` (or `--require-hashes`) this is pip's hash-checking mode: every
    /// requirement needs hashes and a pin, and the hashes go in [`Pinned::hashes`]. Files are
    /// known only for wheels given by URL or path; otherwise the index must be asked.
    ///
    /// Trust in completeness is the file's: a hand-written `requests==2.32.3` alone pins
    /// requests but not its dependencies. Hash-checking mode is pip's own guarantee that
    /// the list is complete.
    pub fn pinned(
        &self,
        env: &MarkerEnv,
        selection: &Selection,
    ) -> Result<Option<Locked>, LockError> {
        let entries: Vec<&Entry> = self.applying(env, selection).collect();
        let hashing = self.require_hashes || entries.iter().any(|e| !e.hashes.is_empty());
        if hashing {
            check_hashes(&entries)?;
        }
        let mut pins: BTreeMap<PackageName, (Pinned, &Entry)> = BTreeMap::new();
        for entry in entries {
            let Some(version) = exact_version(&entry.requirement) else {
                if hashing {
                    return Err(error(
                        entry,
                        LineProblem::NotPinned(entry.requirement.to_string()),
                    ));
                }
                return Ok(None);
            };
            self.check_constraints(entry, &version, env)?;
            let pin = pin(entry, version);
            match pins.entry(pin.name.clone()) {
                Slot::Vacant(slot) => {
                    slot.insert((pin, entry));
                }
                Slot::Occupied(slot) => {
                    let (kept, first) = slot.into_mut();
                    merge(kept, first, pin, entry)?;
                }
            }
        }
        Ok(Some(Locked {
            source: self.source.clone(),
            packages: pins.into_values().map(|(pin, _)| pin).collect(),
        }))
    }

    fn check_constraints(
        &self,
        entry: &Entry,
        version: &Version,
        env: &MarkerEnv,
    ) -> Result<(), LockError> {
        let name = &entry.requirement.name;
        for constraint in self
            .constraints
            .iter()
            .filter(|c| &c.requirement.name == name)
        {
            let holds = constraint.requirement.version.contains(version, true);
            if constraint.requirement.applies(env, &[]) && !holds {
                return Err(error(
                    entry,
                    LineProblem::Conflict(
                        format!("{name}=={version}"),
                        format!(
                            "the constraint {} ({} line {})",
                            constraint.requirement, constraint.file, constraint.line
                        ),
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn error(entry: &Entry, problem: LineProblem) -> LockError {
    LockError::Line {
        file: entry.file.clone(),
        line: entry.line,
        problem,
    }
}

/// In hash-checking mode, the first requirement without a hash is an error.
fn check_hashes(entries: &[&Entry]) -> Result<(), LockError> {
    let missing = entries.iter().find(|e| e.hashes.is_empty());
    let hashed = entries.iter().find(|e| !e.hashes.is_empty());
    match (missing, hashed) {
        (Some(missing), Some(hashed)) => Err(error(
            missing,
            LineProblem::HashMissing(missing.requirement.name.to_string(), hashed.place()),
        )),
        (Some(missing), None) => Err(error(
            missing,
            LineProblem::HashMissing(
                missing.requirement.name.to_string(),
                "--require-hashes".to_owned(),
            ),
        )),
        _ => Ok(()),
    }
}

/// The single version `==V` (no wildcard) or `===V` allows.
fn exact_version(requirement: &Requirement) -> Option<Version> {
    match requirement.version.0.as_slice() {
        [only]
            if matches!(only.op(), Operator::Equal | Operator::Arbitrary) && !only.wildcard() =>
        {
            Some(only.version().clone())
        }
        _ => None,
    }
}

fn pin(entry: &Entry, version: Version) -> Pinned {
    let requirement = &entry.requirement;
    let files = requirement
        .url
        .iter()
        .map(|url| LockedFile {
            filename: url_filename(url.fetched()),
            url: Some(url.fetched().to_owned()),
            hashes: Vec::new(),
            size: None,
        })
        .collect();
    Pinned {
        name: requirement.name.clone(),
        version,
        files,
        index: None,
        hashes: entry.hashes.clone(),
    }
}

/// The same name listed twice: fine when both pin one version (hashes add up), else a conflict.
fn merge(kept: &mut Pinned, first: &Entry, again: Pinned, entry: &Entry) -> Result<(), LockError> {
    if kept.version != again.version {
        return Err(error(
            entry,
            LineProblem::Conflict(entry.requirement.to_string(), first.place()),
        ));
    }
    for hash in again.hashes {
        if !kept.hashes.contains(&hash) {
            kept.hashes.push(hash);
        }
    }
    for file in again.files {
        if !kept.files.contains(&file) {
            kept.files.push(file);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pycontainer_python::name::ExtraName;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn parsed(text: &str) -> RequirementsFile {
        parse(text, "requirements.txt", Role::Requirements, &no_env)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn error(text: &str) -> String {
        parse(text, "requirements.txt", Role::Requirements, &no_env)
            .unwrap_err()
            .to_string()
    }

    fn linux() -> MarkerEnv {
        MarkerEnv::linux_cpython(&"3.11.9".parse().unwrap(), "x86_64")
    }

    /// `uv export --no-emit-project` output: hashes on continuation lines, markers, `# via`.
    const EXPORTED: &str = r#"# This file was autogenerated by uv via the following command:
#    uv export --format requirements-txt --no-emit-project
--index-url https://pypi.org/simple
--extra-index-url https://${PRIVATE_USER}:${PRIVATE_TOKEN}@pypi.example.com/simple/
anyio==4.13.0 \
    --hash=sha256:334b70e641fd2221c1505b3890c69882fe4a2df910cba14d97019b90b24439dc \
    --hash=sha256:08b310f9e24a9594186fd75b4f73f4a4152069e3853f1ed8bfbf58369f4ad708
    # via
    #   starlette
    #   watchfiles
click==8.1.7 \
    --hash=sha256:ca9853ad459e787e2192211578cc907e7594e294c7ccc834310722b41b9ca6de \
    --hash=sha256:ae74fb96c20a0277a1d615f1e4d73c8414f5a98db8b799a7931d1582f3390c28
    # via uvicorn
colorama==0.4.6 ; sys_platform == 'win32' \
    --hash=sha256:08695f5cb7ed6e0531a20572697297273c47b8cae5a63ffc6d6ed5c201be6e44 \
    --hash=sha256:4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6
    # via click
exceptiongroup==1.2.2 ; python_full_version < '3.11' \
    --hash=sha256:47c2edf7c6738fafb49fd34290706d1a1a2f4d1c6df275526b62cbb4aa5393cc \
    --hash=sha256:3111b9d131c238bec2f8f516e123e14ba243563fb135d3fe885990585aa7795b
    # via anyio
uvicorn==0.46.0 \
    --hash=sha256:fb9da0926999cc6cb22dc7cd71a94a632f078e6ae47ff683c5c420750fb7413d \
    --hash=sha256:bbebbcbed972d162afca128605223022bedd345b7bc7855ce66deb31487a9048
uvloop==0.22.1 ; platform_python_implementation != 'PyPy' and sys_platform != 'cygwin' and sys_platform != 'win32' \
    --hash=sha256:6c84bae345b9147082b17371e3dd5d42775bddce91f885499017f4607fdaf39f \
    --hash=sha256:0530a5fbad9c9e4ee3f2b33b148c6a64d47bbad8000ea63704fa8260f4cf728e
    # via uvicorn
"#;

    #[test]
    fn an_exported_lock_parses_line_by_line() {
        let env = |name: &str| match name {
            "PRIVATE_USER" => Some("ci".to_owned()),
            "PRIVATE_TOKEN" => Some("s3cret".to_owned()),
            _ => None,
        };
        let file = parse(EXPORTED, "requirements.txt", Role::Requirements, &env).unwrap();
        assert_eq!(file.items.len(), 8);
        assert_eq!(
            file.items[0],
            Item::IndexUrl("https://pypi.org/simple".to_owned())
        );
        assert_eq!(
            file.items[1],
            Item::ExtraIndexUrl("https://ci:s3cret@pypi.example.com/simple/".to_owned())
        );
        let Item::Requirement(colorama) = &file.items[4] else {
            panic!("{:?}", file.items[4]);
        };
        assert_eq!(colorama.line, 15);
        assert_eq!(
            colorama.requirement.to_string(),
            "colorama==0.4.6 ; sys_platform == \"win32\""
        );
        assert_eq!(colorama.hashes.len(), 2);
        assert_eq!(
            colorama.hashes[1].hex,
            "4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6"
        );
    }

    #[test]
    fn a_fully_pinned_tree_is_a_lock_for_the_target() {
        let all = combine(vec![parsed(EXPORTED)]);
        assert_eq!(all.index_url.as_deref(), Some("https://pypi.org/simple"));
        // Unknown variables stay as written, as pip leaves them.
        assert_eq!(
            all.extra_index_urls,
            ["https://${PRIVATE_USER}:${PRIVATE_TOKEN}@pypi.example.com/simple/"]
        );
        let locked = all
            .pinned(&linux(), &Selection::default())
            .unwrap()
            .unwrap();
        assert_eq!(locked.source, "requirements.txt");
        let names: Vec<String> = locked
            .packages
            .iter()
            .map(|p| format!("{}=={}", p.name, p.version))
            .collect();
        assert_eq!(
            names,
            [
                "anyio==4.13.0",
                "click==8.1.7",
                "uvicorn==0.46.0",
                "uvloop==0.22.1"
            ]
        );
        let uvloop = &locked.packages[3];
        assert!(uvloop.files.is_empty());
        assert_eq!(uvloop.hashes.len(), 2);
        assert_eq!(uvloop.index, None);
    }

    #[test]
    fn hash_checking_mode_needs_a_hash_and_a_pin_on_every_requirement() {
        let text = "idna==3.7 --hash=sha256:82fee1fc78add43492d3a1898bfa6d8a904cc97d8427f683ed8e798d07761aa0\n# pinned by hand\nsniffio==1.3.1\n";
        let err = combine(vec![parsed(text)])
            .pinned(&linux(), &Selection::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "requirements.txt line 3: sniffio has no --hash, but idna (requirements.txt line 1) does: once one requirement has hashes, pip's hash-checking mode needs them on all"
        );
        let text = "--require-hashes\nidna>=3 --hash=sha256:82fee1fc78add43492d3a1898bfa6d8a904cc97d8427f683ed8e798d07761aa0\n";
        let err = combine(vec![parsed(text)])
            .pinned(&linux(), &Selection::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "requirements.txt line 2: idna>=3 is not pinned with ==, which pip's hash-checking mode requires of every requirement"
        );
        let err = combine(vec![parsed("--require-hashes\nidna==3.7\n")])
            .pinned(&linux(), &Selection::default())
            .unwrap_err();
        assert!(err
            .to_string()
            .contains("idna has no --hash, but --require-hashes does"));
    }

    #[test]
    fn anything_unpinned_leaves_resolution_to_the_resolver() {
        let app = parsed("fastapi>=0.110\nuvicorn[standard]==0.30.6\n-c constraints.txt\n");
        assert_eq!(
            app.items[2],
            Item::Constraints {
                path: "constraints.txt".to_owned(),
                line: 3
            }
        );
        let constraints = parse(
            "fastapi<0.116\npydantic<2.9 ; python_version >= '3.9'\n",
            "constraints.txt",
            Role::Constraints,
            &no_env,
        )
        .unwrap();
        let all = combine(vec![app, constraints]);
        assert_eq!(all.pinned(&linux(), &Selection::default()).unwrap(), None);
        let roots: Vec<String> = all
            .roots(&linux(), &Selection::default())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            roots,
            ["fastapi>=0.110,<0.116", "uvicorn[standard]==0.30.6"]
        );
        let pydantic = PackageName::new("pydantic").unwrap();
        let constraints = all.constraints(&linux());
        assert_eq!(constraints[&pydantic].to_string(), "<2.9");
        assert!(!constraints.contains_key(&PackageName::new("idna").unwrap()));
    }

    #[test]
    fn pins_must_agree_with_constraints_and_each_other() {
        let app = parsed("fastapi==0.115.0\n");
        let constraints = parse(
            "fastapi>=0.116\n",
            "constraints.txt",
            Role::Constraints,
            &no_env,
        )
        .unwrap();
        let err = combine(vec![app, constraints])
            .pinned(&linux(), &Selection::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "requirements.txt line 1: fastapi==0.115.0 conflicts with the constraint fastapi>=0.116 (constraints.txt line 1)"
        );
        let twice = parsed("idna==3.7\nIDNA==3.7 --hash=sha256:aa\nidna==3.6 --hash=sha256:bb\n");
        let err = combine(vec![twice])
            .pinned(&linux(), &Selection::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "requirements.txt line 1: idna has no --hash, but idna (requirements.txt line 2) does: once one requirement has hashes, pip's hash-checking mode needs them on all"
        );
        let twice = parsed("idna==3.7\nIDNA==3.7\nidna==3.6\n");
        let err = combine(vec![twice])
            .pinned(&linux(), &Selection::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "requirements.txt line 3: idna==3.6 conflicts with idna (requirements.txt line 1)"
        );
    }

    #[test]
    fn markers_use_the_selected_extras() {
        let all = combine(vec![parsed("redis==5.2.1 ; extra == 'cache'\nidna==3.7\n")]);
        let plain = all
            .pinned(&linux(), &Selection::default())
            .unwrap()
            .unwrap();
        assert_eq!(plain.packages.len(), 1);
        let selection = Selection {
            extras: vec![ExtraName::new("cache").unwrap()],
            groups: vec![],
        };
        assert_eq!(
            all.pinned(&linux(), &selection)
                .unwrap()
                .unwrap()
                .packages
                .len(),
            2
        );
    }

    #[test]
    fn wheels_by_path_or_url_are_pinned_requirements() {
        let file = parsed(
            "./wheels/internal_auth-1.4.0-py3-none-any.whl\nhttps://download.pytorch.org/whl/cpu/torch-2.6.0%2Bcpu-cp311-cp311-linux_x86_64.whl ; platform_machine == 'x86_64'\n",
        );
        let locked = combine(vec![file])
            .pinned(&linux(), &Selection::default())
            .unwrap()
            .unwrap();
        let summary: Vec<(String, String, Option<String>)> = locked
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.to_string(),
                    p.version.to_string(),
                    p.files.first().map(|f| f.filename.clone()),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "internal-auth".to_owned(),
                    "1.4.0".to_owned(),
                    Some("internal_auth-1.4.0-py3-none-any.whl".to_owned())
                ),
                (
                    "torch".to_owned(),
                    "2.6.0+cpu".to_owned(),
                    Some("torch-2.6.0+cpu-cp311-cp311-linux_x86_64.whl".to_owned())
                ),
            ]
        );
        assert_eq!(
            locked.packages[0].files[0].url.as_deref(),
            Some("./wheels/internal_auth-1.4.0-py3-none-any.whl")
        );

        // `name @ url` is a direct reference without a version, so it still needs resolving.
        let direct = combine(vec![parsed(
            "certifi @ https://files.pythonhosted.org/packages/12/90/certifi-2024.8.30-py3-none-any.whl#sha256=922820b53db7a7257ffbda3f597266d435245903d80737e34f8a45ff3e3230d8\n",
        )]);
        assert_eq!(
            direct.requirements[0]
                .requirement
                .url
                .as_ref()
                .map(|u| url_filename(u.fetched()))
                .as_deref(),
            Some("certifi-2024.8.30-py3-none-any.whl")
        );
        assert_eq!(
            direct.pinned(&linux(), &Selection::default()).unwrap(),
            None
        );
    }

    #[test]
    fn includes_and_options_are_read_in_every_spelling() {
        let file = parsed("-r base.txt\n--requirement=dev.txt\n-cconstraints.txt\n-i https://mirror.example/simple --pre\n--no-index\n--prefer-binary\n--only-binary :all:\n--no-binary :none:\n");
        assert_eq!(
            file.items,
            [
                Item::Include {
                    path: "base.txt".to_owned(),
                    line: 1
                },
                Item::Include {
                    path: "dev.txt".to_owned(),
                    line: 2
                },
                Item::Constraints {
                    path: "constraints.txt".to_owned(),
                    line: 3
                },
                Item::IndexUrl("https://mirror.example/simple".to_owned()),
                Item::Pre,
                Item::NoIndex,
            ]
        );
    }

    #[test]
    fn the_project_itself_as_editable_is_skipped() {
        // `uv export` writes the project as `-e .`; the app layer holds it.
        let file = parsed("-e .\nidna==3.7\n--editable ./\n");
        assert_eq!(file.items.len(), 1);
        assert!(
            matches!(&file.items[0], Item::Requirement(e) if e.requirement.name.as_str() == "idna")
        );
    }

    #[test]
    fn unsupported_lines_are_errors_with_their_line() {
        assert_eq!(
            error("idna==3.7\n\n-e ../lib\n"),
            "requirements.txt line 3: editable installs (-e) cannot go in an image: the image holds installed files, not a link to a source tree"
        );
        assert!(
            error("--editable=git+https://github.com/pallets/flask#egg=flask")
                .contains("editable installs")
        );
        assert!(error("--no-binary :all:")
            .starts_with("requirements.txt line 1: --no-binary asks for a build"));
        assert!(
            error("-f https://download.pytorch.org/whl/torch_stable.html")
                .contains("--find-links is not supported")
        );
        assert_eq!(
            error("--trusted-host pypi.example.com"),
            "requirements.txt line 1: unknown option --trusted-host"
        );
        assert_eq!(
            error("idna==3.7 --global-option=x"),
            "requirements.txt line 1: unknown option --global-option"
        );
        assert_eq!(
            error("--index-url"),
            "requirements.txt line 1: --index-url needs a value"
        );
        assert_eq!(
            error("idna==3.7 --hash=md5:0123"),
            "requirements.txt line 1: invalid hash \"md5:0123\": expected sha256:HEX (or sha384, sha512)"
        );
        assert_eq!(
            error("flask @ git+https://github.com/pallets/flask@3.0.3"),
            "requirements.txt line 1: git+https://github.com/pallets/flask@3.0.3 is not a wheel: installing it would need a build"
        );
        assert!(
            error("https://files.pythonhosted.org/packages/idna-3.7.tar.gz")
                .contains("idna-3.7.tar.gz is not a wheel")
        );
        assert!(error("./vendor/mylib").contains("./vendor/mylib is not a wheel"));
        assert!(error("./dist/not-a-wheel.whl")
            .contains("\"not-a-wheel.whl\" is not a valid wheel file name"));
        assert!(error("idna===").starts_with("requirements.txt line 1: cannot parse"));
    }

    #[test]
    fn sdist_archives_are_files_that_need_a_build() {
        assert_eq!(
            error("foo-1.0.tar.gz"),
            "requirements.txt line 1: foo-1.0.tar.gz is not a wheel: installing it would need a build"
        );
        assert_eq!(
            error("idna==3.7\n./vendor/foo-1.0.tar.gz\n"),
            "requirements.txt line 2: ./vendor/foo-1.0.tar.gz is not a wheel: installing it would need a build"
        );
        for archive in [
            "foo-1.0.zip",
            "foo-1.0.tgz",
            "foo-1.0.tar.bz2",
            "FOO-1.0.TAR.XZ",
        ] {
            assert!(
                error(archive).ends_with(&format!(
                    "{archive} is not a wheel: installing it would need a build"
                )),
                "{archive}"
            );
        }
        // Before an `@`, a name rather than a path makes the line PEP 508's `name@url`.
        assert_eq!(
            error("foo@https://example.com/foo-1.0.tar.gz"),
            "requirements.txt line 1: https://example.com/foo-1.0.tar.gz is not a wheel: installing it would need a build"
        );
        assert_eq!(
            name_of("foo@https://example.com/foo-1.0.tar.gz")
                .as_ref()
                .map(PackageName::as_str),
            Some("foo")
        );
    }

    #[test]
    fn name_of_reads_any_requirement_line() {
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
            // A wheel's file name starts with its distribution's, which pip installs from it.
            ("dist/foo-1.0-py3-none-any.whl", Some("foo")),
            ("foo-1.0.tar.gz", None),
            ("not a requirement", None),
            // Physical lines of an exported lock, as a file's lines are read.
            ("anyio==4.13.0 \\", Some("anyio")),
            (
                "colorama==0.4.6 ; sys_platform == 'win32' \\",
                Some("colorama"),
            ),
            (
                "idna==3.7 --hash=sha256:82fee1fc78add43492d3a1898bfa",
                Some("idna"),
            ),
        ];
        for (line, want) in cases {
            assert_eq!(
                name_of(line).as_ref().map(PackageName::as_str),
                want,
                "{line:?}"
            );
        }
    }

    #[test]
    fn continuations_and_comments_follow_pips_rules() {
        let lines =
            logical_lines("a \\\n  b # note\n# whole line \\\nc \\\n# ends it\nd#not-a-comment\n");
        assert_eq!(
            lines,
            [
                (1, "a   b ".to_owned()),
                (3, String::new()),
                (4, "c ".to_owned()),
                (6, "d#not-a-comment".to_owned()),
            ]
        );
        // A file that ends mid-continuation keeps what it has.
        assert_eq!(
            logical_lines("idna==3.7 \\"),
            [(1, "idna==3.7 ".to_owned())]
        );
    }

    #[test]
    fn variables_expand_only_in_pips_spelling() {
        let env = |name: &str| (name == "TOKEN").then(|| "t0k".to_owned());
        assert_eq!(
            expand("a${TOKEN}b $TOKEN ${token} ${MISSING} ${TOKEN", &env),
            "at0kb $TOKEN ${token} ${MISSING} ${TOKEN"
        );
    }

    #[test]
    fn expanded_secrets_are_fetched_but_never_shown() {
        let env = |name: &str| match name {
            "TOKEN" => Some("s3cret".to_owned()),
            "WHEEL" => Some("https://u:s3cret@h/x-1.0-py3-none-any.whl".to_owned()),
            _ => None,
        };
        let file = parse(
            "x @ https://u:${TOKEN}@h/x-1.0-py3-none-any.whl\n${WHEEL}\n",
            "requirements.txt",
            Role::Requirements,
            &env,
        )
        .unwrap();
        let urls: Vec<(String, String)> = file
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Requirement(e) => e.requirement.url.as_ref(),
                _ => None,
            })
            .map(|u| (u.fetched().to_owned(), u.to_string()))
            .collect();
        assert_eq!(
            urls,
            [
                (
                    "https://u:s3cret@h/x-1.0-py3-none-any.whl".to_owned(),
                    "https://u:${TOKEN}@h/x-1.0-py3-none-any.whl".to_owned()
                ),
                (
                    "https://u:s3cret@h/x-1.0-py3-none-any.whl".to_owned(),
                    "${WHEEL}".to_owned()
                ),
            ]
        );
        // Errors show the line as written, whether the variable or the text is at fault.
        for line in [
            "x @ https://u:${TOKEN}@h/x-1.0.tar.gz",
            "https://u:${TOKEN}@h/x-1.0.tar.gz junk",
            "--index-url ${TOKEN} --bogus",
            "${TOKEN} junk",
            "x==1 ; python_version > '${TOKEN}",
        ] {
            let e = parse(line, "requirements.txt", Role::Requirements, &env)
                .unwrap_err()
                .to_string();
            assert!(!e.contains("s3cret"), "{e}");
            assert!(e.contains("requirements.txt line 1"), "{e}");
        }
        // A literal token is never repeated either.
        let e = error("x @ https://u:s3cret@h/x-1.0.tar.gz");
        assert!(!e.contains("s3cret"), "{e}");
        let e = error("https://u:s3cret@h/x-1.0.tar.gz");
        assert!(!e.contains("s3cret"), "{e}");
    }
}
