//! The build backends pycontainer stands in for, and which of the sdist's
//! files each puts in the wheel, by its documented rules. Options that are
//! not implemented here are refused by name rather than ignored.

use std::collections::BTreeMap;
use std::fmt;

use pycontainer_python::name::normalize;
use pycontainer_python::setupcfg;
use toml::{Table, Value};

use crate::metadata::Metadata;
use crate::tree::{is_bytecode, Tree};
use crate::Refusal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Setuptools,
    FlitCore,
    Hatchling,
    PdmBackend,
    PoetryCore,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Setuptools => "setuptools",
            Backend::FlitCore => "flit_core",
            Backend::Hatchling => "hatchling",
            Backend::PdmBackend => "pdm-backend",
            Backend::PoetryCore => "poetry-core",
        }
    }

    /// What `[build-system] requires` may name for this backend: anything
    /// else is a plugin (setuptools-scm, hatch-vcs, ...) whose code would run.
    fn requires(self) -> &'static [&'static str] {
        match self {
            Backend::Setuptools => &["setuptools", "wheel"],
            Backend::FlitCore => &["flit-core"],
            Backend::Hatchling => &["hatchling"],
            Backend::PdmBackend => &["pdm-backend"],
            Backend::PoetryCore => &["poetry-core"],
        }
    }

    /// The sdist's files that go in the wheel: (path in the sdist, path in the wheel).
    pub(crate) fn select(
        self,
        tree: &Tree,
        project: &Project,
        metadata: &Metadata,
    ) -> Result<Selection, Refusal> {
        let selection = match self {
            Backend::Setuptools => setuptools(tree, project),
            Backend::FlitCore => flit(tree, project, metadata),
            Backend::Hatchling => hatchling(tree, project, metadata),
            Backend::PdmBackend => pdm(tree, project),
            Backend::PoetryCore => poetry(tree, project, metadata),
        }?;
        if let Some(link) = selection.keys().find_map(|p| tree.link_below(p)) {
            return Err(Refusal::Link(link.to_owned()));
        }
        if selection.is_empty() {
            return Err(Refusal::Layout(format!(
                "{} would put no module in the wheel",
                self.name()
            )));
        }
        Ok(selection)
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Path in the sdist → path in the wheel.
pub(crate) type Selection = BTreeMap<String, String>;

/// The sdist's build configuration.
pub(crate) struct Project {
    pub backend: Backend,
    pub pyproject: Table,
    /// setup.cfg's entries, for setuptools.
    pub setup_cfg: Vec<(String, String, String)>,
}

impl Project {
    pub fn read(tree: &Tree) -> Result<Project, Refusal> {
        let pyproject: Table = match tree.text("pyproject.toml") {
            Some(text) => text
                .parse()
                .map_err(|e: toml::de::Error| Refusal::Pyproject(e.message().to_owned()))?,
            None => Table::new(),
        };
        let system = table(&pyproject, &["build-system"]);
        // PEP 517: without a build-backend, a frontend falls back to setuptools' legacy backend.
        let backend = match system.and_then(|s| s.get("build-backend")) {
            None => Backend::Setuptools,
            Some(value) => match value.as_str().unwrap_or_default() {
                "setuptools.build_meta" | "setuptools.build_meta:__legacy__" => Backend::Setuptools,
                "flit_core.buildapi" => Backend::FlitCore,
                "hatchling.build" => Backend::Hatchling,
                "pdm.backend" => Backend::PdmBackend,
                "poetry.core.masonry.api" => Backend::PoetryCore,
                other => return Err(Refusal::Backend(other.to_owned())),
            },
        };
        if let Some(requires) = system.and_then(|s| s.get("requires")) {
            for requirement in strings(requires) {
                let name = requirement
                    .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
                    .next()
                    .unwrap_or_default();
                if !backend.requires().contains(&normalize(name).as_str()) {
                    return Err(Refusal::BuildPlugin(requirement.trim().to_owned()));
                }
            }
        }
        // Checked first: a setup.py with logic is the reason whatever else is wrong.
        if backend == Backend::Setuptools
            && tree.text("setup.py").is_some_and(|t| !trivial_setup(&t))
        {
            return Err(Refusal::SetupPy);
        }
        let setup_cfg = match tree.text("setup.cfg") {
            Some(t) => setupcfg::entries(&t).map_err(|e| Refusal::SetupCfg(e.to_string()))?,
            None => Vec::new(),
        };
        Ok(Project {
            backend,
            pyproject,
            setup_cfg,
        })
    }

    /// `Some(Ok)` when pyproject.toml has a `[project]` table whose only
    /// dynamic field is the version, `Some(Err(fields))` when others are
    /// dynamic, `None` without the table.
    pub fn static_project(&self) -> Option<Result<(), Vec<String>>> {
        let project = table(&self.pyproject, &["project"])?;
        let dynamic: Vec<String> = project
            .get("dynamic")
            .map(strings)
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f != "version")
            .collect();
        Some(if dynamic.is_empty() {
            Ok(())
        } else {
            Err(dynamic)
        })
    }

    fn tool(&self, path: &[&str]) -> Option<&Table> {
        let mut full = vec!["tool"];
        full.extend_from_slice(path);
        table(&self.pyproject, &full)
    }

    fn cfg(&self, section: &str, key: &str) -> Option<&str> {
        self.setup_cfg
            .iter()
            .find(|(s, k, _)| s == section && k == key)
            .map(|(_, _, v)| v.as_str())
    }
}

pub(crate) fn table<'a>(root: &'a Table, path: &[&str]) -> Option<&'a Table> {
    path.iter()
        .try_fold(root, |t, key| t.get(*key).and_then(Value::as_table))
}

/// A string or an array of strings; other values give nothing.
pub(crate) fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Refuses any key of `config` not in `known`: an option pycontainer does
/// not implement would change the wheel in ways it cannot reproduce.
fn only_keys(
    backend: Backend,
    section: &str,
    config: Option<&Table>,
    known: &[&str],
) -> Result<(), Refusal> {
    match config.and_then(|t| t.keys().find(|k| !known.contains(&k.as_str()))) {
        Some(key) => Err(Refusal::Option {
            backend: backend.name(),
            option: format!("{section}.{key}"),
        }),
        None => Ok(()),
    }
}

/// Adds every file below `dir` (or `dir` itself, a module) under `to` in the wheel.
fn add_tree(out: &mut Selection, tree: &Tree, dir: &str, to: &str) {
    if tree.is_file(dir) {
        out.insert(dir.to_owned(), to.to_owned());
        return;
    }
    for path in tree.below(dir).filter(|p| !is_bytecode(p)) {
        let rest = &path[dir.len() + 1..];
        let target = if to.is_empty() {
            rest.to_owned()
        } else {
            format!("{to}/{rest}")
        };
        out.insert(path.to_owned(), target);
    }
}

/// The last path component: where a package found at `src/foo` lands.
fn last(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_package(tree: &Tree, dir: &str) -> bool {
    tree.is_file(&format!("{dir}/__init__.py"))
}

/// The name of the project as written, from `[project]`, falling back to PKG-INFO's.
fn project_name(project: &Project, metadata: &Metadata) -> String {
    table(&project.pyproject, &["project"])
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .map_or_else(|| metadata.raw_name.clone(), str::to_owned)
}

/// A module found as a package directory or a single file, at the top or in src/.
fn find_module(tree: &Tree, module: &str) -> Vec<String> {
    [module.to_owned(), format!("src/{module}")]
        .into_iter()
        .flat_map(|base| {
            let package = is_package(tree, &base).then(|| base.clone());
            let file = format!("{base}.py");
            let file = tree.is_file(&file).then_some(file);
            package.into_iter().chain(file)
        })
        .collect()
}

/// flit_core: the one module named by `[tool.flit.module] name`, else after
/// the project (`-` as `_`), as a package or a `.py` file, at the top or in src/.
/// <https://flit.pypa.io/en/stable/pyproject_toml.html#module-section>
fn flit(tree: &Tree, project: &Project, metadata: &Metadata) -> Result<Selection, Refusal> {
    let tool = project.tool(&["flit"]);
    only_keys(
        Backend::FlitCore,
        "tool.flit",
        tool,
        &["module", "sdist", "metadata", "scripts", "entrypoints"],
    )?;
    let legacy = project
        .tool(&["flit", "metadata"])
        .and_then(|m| m.get("module"))
        .and_then(Value::as_str);
    let module = project
        .tool(&["flit", "module"])
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .or(legacy)
        .map_or_else(
            || project_name(project, metadata).replace('-', "_"),
            str::to_owned,
        );
    if module.contains('.') {
        return Err(Refusal::Option {
            backend: Backend::FlitCore.name(),
            option: format!("tool.flit.module.name = {module:?} (a namespace package)"),
        });
    }
    let found = find_module(tree, &module);
    let [path] = found.as_slice() else {
        return Err(Refusal::Layout(format!(
            "flit_core needs exactly one module named {module} (a package or .py file, at the top or in src/); found {}",
            if found.is_empty() { "none".to_owned() } else { found.join(", ") }
        )));
    };
    let mut out = Selection::new();
    let to = path.strip_prefix("src/").unwrap_or(path);
    add_tree(&mut out, tree, path, to);
    Ok(out)
}

/// hatchling: `packages` from the wheel target (or the build table), else
/// the package or module named after the project, at the top or in src/.
/// The VCS-ignore filtering hatchling also applies already happened when it
/// built the sdist, so the sdist's files are the ones that passed it.
/// <https://hatch.pypa.io/latest/plugins/builder/wheel/#default-file-selection>
fn hatchling(tree: &Tree, project: &Project, metadata: &Metadata) -> Result<Selection, Refusal> {
    const NEUTRAL: &[&str] = &[
        "packages",
        "dev-mode-dirs",
        "dev-mode-exact",
        "reproducible",
        "directory",
        "macos-max-compat",
        "strict-naming",
    ];
    let build = project.tool(&["hatch", "build"]);
    let wheel = project.tool(&["hatch", "build", "targets", "wheel"]);
    let mut build_keys = NEUTRAL.to_vec();
    build_keys.push("targets");
    only_keys(Backend::Hatchling, "tool.hatch.build", build, &build_keys)?;
    only_keys(
        Backend::Hatchling,
        "tool.hatch.build.targets.wheel",
        wheel,
        NEUTRAL,
    )?;
    if project.tool(&["hatch", "metadata", "hooks"]).is_some() {
        return Err(Refusal::Option {
            backend: Backend::Hatchling.name(),
            option: "tool.hatch.metadata.hooks".to_owned(),
        });
    }
    let packages = wheel
        .and_then(|w| w.get("packages"))
        .or_else(|| build.and_then(|b| b.get("packages")))
        .map(strings);
    let mut out = Selection::new();
    if let Some(packages) = packages {
        for package in packages {
            let package = package.trim_end_matches('/');
            if !tree.is_dir(package) {
                return Err(Refusal::Layout(format!(
                    "hatchling's packages names {package}, which the sdist does not have"
                )));
            }
            add_tree(&mut out, tree, package, last(package));
        }
        return Ok(out);
    }
    let raw = project_name(project, metadata);
    let spelled = raw.replace(['-', '.'], "_");
    let mut names = vec![spelled.clone(), spelled.to_ascii_lowercase()];
    names.dedup();
    for name in &names {
        let candidates = [
            (is_package(tree, name), name.clone()),
            (
                is_package(tree, &format!("src/{name}")),
                format!("src/{name}"),
            ),
            (tree.is_file(&format!("{name}.py")), format!("{name}.py")),
        ];
        if let Some((_, path)) = candidates.into_iter().find(|(found, _)| *found) {
            let to = path.strip_prefix("src/").unwrap_or(&path);
            add_tree(&mut out, tree, &path, to);
            return Ok(out);
        }
    }
    Err(Refusal::Layout(format!(
        "hatchling finds no package or module named {spelled} and tool.hatch.build.targets.wheel names none"
    )))
}

/// pdm-backend: `includes` (plain paths; globs are not implemented), else
/// the top-level packages in `package-dir` (src/ when there is one) with
/// their data files, else its top-level modules; tests/ stays out.
/// <https://backend.pdm-project.org/build_config/>
fn pdm(tree: &Tree, project: &Project) -> Result<Selection, Refusal> {
    let config = project.tool(&["pdm", "build"]);
    only_keys(
        Backend::PdmBackend,
        "tool.pdm.build",
        config,
        &[
            "package-dir",
            "includes",
            "source-includes",
            "is-purelib",
            "editable-backend",
        ],
    )?;
    // pdm-backend runs pdm_build.py as a hook whenever the project has one.
    if tree.is_file("pdm_build.py") {
        return Err(Refusal::Option {
            backend: Backend::PdmBackend.name(),
            option: "pdm_build.py (a build hook)".to_owned(),
        });
    }
    let package_dir = match config
        .and_then(|c| c.get("package-dir"))
        .and_then(Value::as_str)
    {
        Some(dir) => dir.trim_matches('/').trim_start_matches("./").to_owned(),
        None if tree.is_dir("src") => "src".to_owned(),
        None => String::new(),
    };
    let package_dir = if package_dir == "." {
        String::new()
    } else {
        package_dir
    };
    let in_wheel = |path: &str| -> String {
        match path.strip_prefix(&format!("{package_dir}/")) {
            Some(rest) if !package_dir.is_empty() => rest.to_owned(),
            _ => path.to_owned(),
        }
    };
    let mut out = Selection::new();
    if let Some(includes) = config.and_then(|c| c.get("includes")) {
        for include in strings(includes) {
            let include = include.trim_end_matches('/');
            if include.contains(['*', '?', '[']) {
                return Err(Refusal::Option {
                    backend: Backend::PdmBackend.name(),
                    option: format!("tool.pdm.build.includes glob {include:?}"),
                });
            }
            add_tree(&mut out, tree, include, &in_wheel(include));
        }
        return Ok(out);
    }
    let join = |name: &str| {
        if package_dir.is_empty() {
            name.to_owned()
        } else {
            format!("{package_dir}/{name}")
        }
    };
    let packages: Vec<String> = tree
        .subdirs(&package_dir)
        .into_iter()
        .filter(|d| d != "tests" && is_package(tree, &join(d)))
        .collect();
    if packages.is_empty() {
        let prefix = if package_dir.is_empty() {
            0
        } else {
            package_dir.len() + 1
        };
        let modules: Vec<&str> = tree
            .below(&package_dir)
            .filter(|p| p.ends_with(".py") && !p[prefix..].contains('/'))
            .collect();
        for module in modules {
            out.insert(module.to_owned(), in_wheel(module));
        }
    }
    for package in packages {
        let path = join(&package);
        add_tree(&mut out, tree, &path, &package);
    }
    Ok(out)
}

/// poetry-core: `[tool.poetry] packages` (`include` as a plain path, with
/// `from`), else the package or module named after the project, at the top
/// or in src/. As with hatchling, VCS-ignored files never reached the sdist.
/// <https://python-poetry.org/docs/pyproject/#packages>
fn poetry(tree: &Tree, project: &Project, metadata: &Metadata) -> Result<Selection, Refusal> {
    let tool = project.tool(&["poetry"]);
    for key in ["exclude", "build"] {
        if tool.is_some_and(|t| t.contains_key(key)) {
            return Err(Refusal::Option {
                backend: Backend::PoetryCore.name(),
                option: format!("tool.poetry.{key}"),
            });
        }
    }
    let selection = poetry_packages(tree, tool, project, metadata)?;
    poetry_includes(tree, tool, &selection)?;
    Ok(selection)
}

/// `[tool.poetry] include` entries: those for sdists only are skipped, and
/// those inside the selected packages are there already. Others are refused:
/// whether an entry without `format` reaches the wheel changed in
/// poetry-core 2.0.
fn poetry_includes(
    tree: &Tree,
    tool: Option<&Table>,
    selection: &Selection,
) -> Result<(), Refusal> {
    let Some(includes) = tool.and_then(|t| t.get("include")) else {
        return Ok(());
    };
    let refuse = |what: String| Refusal::Option {
        backend: Backend::PoetryCore.name(),
        option: format!("tool.poetry.include {what}"),
    };
    for entry in includes.as_array().map_or(&[][..], Vec::as_slice) {
        let (path, formats) = match entry {
            Value::String(path) => (path.as_str(), Vec::new()),
            Value::Table(t) => (
                t.get("path").and_then(Value::as_str).unwrap_or_default(),
                t.get("format").map(strings).unwrap_or_default(),
            ),
            _ => {
                return Err(refuse(
                    "entry that is neither a path nor a table".to_owned(),
                ))
            }
        };
        if !formats.is_empty() && !formats.iter().any(|f| f == "wheel") {
            continue;
        }
        let inside = tree.is_file(path) && selection.contains_key(path);
        if !inside {
            return Err(refuse(format!("{path:?}")));
        }
    }
    Ok(())
}

/// The packages: `[tool.poetry] packages`, else the project's own.
fn poetry_packages(
    tree: &Tree,
    tool: Option<&Table>,
    project: &Project,
    metadata: &Metadata,
) -> Result<Selection, Refusal> {
    if let Some(packages) = tool
        .and_then(|t| t.get("packages"))
        .and_then(Value::as_array)
    {
        let mut out = Selection::new();
        for entry in packages {
            let refuse = |what: &str| Refusal::Option {
                backend: Backend::PoetryCore.name(),
                option: format!("tool.poetry.packages {what}"),
            };
            let entry = entry
                .as_table()
                .ok_or_else(|| refuse("entry that is not a table"))?;
            if entry.contains_key("to") {
                return Err(refuse("`to`"));
            }
            let formats = entry.get("format").map(strings).unwrap_or_default();
            if !formats.is_empty() && !formats.iter().any(|f| f == "wheel") {
                continue;
            }
            let include = entry
                .get("include")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if include.is_empty() || include.contains(['*', '?', '[']) {
                return Err(refuse(&format!(
                    "include {include:?} (globs are not implemented)"
                )));
            }
            let from = entry
                .get("from")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let from = from.trim_matches('/');
            let path = if from.is_empty() || from == "." {
                include.to_owned()
            } else {
                format!("{from}/{include}")
            };
            if !tree.is_dir(&path) && !tree.is_file(&path) {
                return Err(Refusal::Layout(format!(
                    "poetry's packages names {path}, which the sdist does not have"
                )));
            }
            add_tree(&mut out, tree, &path, include);
        }
        return Ok(out);
    }
    let mut out = Selection::new();
    let module = normalize(&project_name(project, metadata)).replace('-', "_");
    let found: Vec<String> = [module.clone(), format!("src/{module}")]
        .into_iter()
        .flat_map(|base| {
            let dir = tree.is_dir(&base).then(|| base.clone());
            let file = format!("{base}.py");
            dir.into_iter().chain(tree.is_file(&file).then_some(file))
        })
        .collect();
    let Some(path) = found.first() else {
        return Err(Refusal::Layout(format!(
            "poetry-core finds no package or module named {module} and tool.poetry.packages names none"
        )));
    };
    let to = path.strip_prefix("src/").unwrap_or(path);
    add_tree(&mut out, tree, path, to);
    Ok(out)
}

/// setup.py that only calls `setup()` with no arguments: everything then
/// comes from pyproject.toml and setup.cfg. Comments and blank lines aside.
fn trivial_setup(text: &str) -> bool {
    let code: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .collect::<String>()
        .chars()
        // Statement separators count for nothing in forms matched whole.
        .filter(|c| !c.is_whitespace() && *c != ';')
        .collect();
    let guard = ["", "if__name__==\"__main__\":", "if__name__=='__main__':"];
    let calls = [
        ("fromsetuptoolsimportsetup", "setup()"),
        ("importsetuptools", "setuptools.setup()"),
    ];
    calls
        .iter()
        .any(|(import, call)| guard.iter().any(|g| code == format!("{import}{g}{call}")))
}

/// Directory names setuptools' flat-layout discovery never takes for a
/// package, and module names it never takes for a module.
/// <https://setuptools.pypa.io/en/latest/userguide/package_discovery.html#flat-layout>
const FLAT_EXCLUDED_PACKAGES: &[&str] = &[
    "ci",
    "bin",
    "debian",
    "doc",
    "docs",
    "documentation",
    "manpages",
    "news",
    "newsfragments",
    "changelog",
    "test",
    "tests",
    "unit_test",
    "unit_tests",
    "example",
    "examples",
    "scripts",
    "tools",
    "util",
    "utils",
    "python",
    "build",
    "dist",
    "venv",
    "env",
    "requirements",
    "tasks",
    "fabfile",
    "site_scons",
    "benchmark",
    "benchmarks",
    "exercise",
    "exercises",
    "htmlcov",
    "[._]*",
];
const FLAT_EXCLUDED_MODULES: &[&str] = &[
    "setup",
    "conftest",
    "test",
    "tests",
    "example",
    "examples",
    "build",
    "toxfile",
    "noxfile",
    "pavement",
    "dodo",
    "tasks",
    "fabfile",
    "[Ss][Cc]onstruct",
    "conanfile",
    "manage",
    "benchmark",
    "benchmarks",
    "exercise",
    "exercises",
    "[._]*",
];

/// How setuptools was configured to find code.
struct SetuptoolsConfig {
    /// Package → directory; `""` is the root package's.
    package_dir: BTreeMap<String, String>,
    packages: Vec<String>,
    py_modules: Vec<String>,
    include_package_data: bool,
}

/// setuptools, declaratively configured: pyproject.toml's `[tool.setuptools]`
/// or setup.cfg's `[options]`, else its automatic discovery; with
/// include-package-data (the default with a `[project]` table) every file
/// inside the packages that the sdist carries, else the modules plus
/// `py.typed` and `*.pyi`.
/// <https://setuptools.pypa.io/en/latest/userguide/pyproject_config.html>
/// <https://setuptools.pypa.io/en/latest/userguide/declarative_config.html>
/// <https://setuptools.pypa.io/en/latest/userguide/datafiles.html>
fn setuptools(tree: &Tree, project: &Project) -> Result<Selection, Refusal> {
    let config = setuptools_config(tree, project)?;
    let dir_of = |package: &str| -> String {
        let mut parts: Vec<&str> = package.split('.').collect();
        let mut rest = Vec::new();
        while !parts.is_empty() {
            if let Some(dir) = config.package_dir.get(&parts.join(".")) {
                rest.reverse();
                return join_path(dir, &rest.join("/"));
            }
            rest.extend(parts.pop());
        }
        rest.reverse();
        let root = config.package_dir.get("").map_or("", String::as_str);
        join_path(root, &rest.join("/"))
    };
    let mut out = Selection::new();
    for package in &config.packages {
        let dir = dir_of(package);
        let to = package.replace('.', "/");
        if config.include_package_data {
            add_tree(&mut out, tree, &dir, &to);
            continue;
        }
        let prefix = format!("{dir}/");
        for path in tree.below(&dir) {
            let name = &path[prefix.len()..];
            let kept = !name.contains('/')
                && (name.ends_with(".py") || name.ends_with(".pyi") || name == "py.typed");
            if kept {
                out.insert(path.to_owned(), format!("{to}/{name}"));
            }
        }
    }
    for module in &config.py_modules {
        let (parent, name) = module.rsplit_once('.').unwrap_or(("", module));
        let dir = if parent.is_empty() {
            config.package_dir.get("").cloned().unwrap_or_default()
        } else {
            dir_of(parent)
        };
        let path = join_path(&dir, &format!("{name}.py"));
        if !tree.is_file(&path) {
            return Err(Refusal::Layout(format!(
                "setuptools' py-modules names {module}, but the sdist has no {path}"
            )));
        }
        out.insert(path, format!("{}.py", module.replace('.', "/")));
    }
    Ok(out)
}

fn join_path(dir: &str, rest: &str) -> String {
    match (dir.is_empty() || dir == ".", rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (false, true) => dir.to_owned(),
        (false, false) => format!("{dir}/{rest}"),
    }
}

fn setuptools_config(tree: &Tree, project: &Project) -> Result<SetuptoolsConfig, Refusal> {
    let tool = project.tool(&["setuptools"]);
    only_keys(
        Backend::Setuptools,
        "tool.setuptools",
        tool,
        &[
            "packages",
            "package-dir",
            "py-modules",
            "include-package-data",
            "zip-safe",
            "platforms",
            "provides",
            "obsoletes",
            "license-files",
            "dynamic",
            "package-data",
        ],
    )?;
    for (section, key, _) in &project.setup_cfg {
        let refused = matches!(
            section.as_str(),
            "options.package_data" | "options.exclude_package_data" | "options.data_files"
        ) || (section == "options"
            && matches!(
                key.as_str(),
                "scripts" | "data_files" | "namespace_packages" | "cmdclass" | "ext_modules"
            ));
        if refused {
            return Err(Refusal::Option {
                backend: Backend::Setuptools.name(),
                option: format!("setup.cfg [{section}] {key}"),
            });
        }
    }
    let has_project = table(&project.pyproject, &["project"]).is_some();
    let include_package_data = match tool.and_then(|t| t.get("include-package-data")) {
        Some(v) => v.as_bool().unwrap_or(false),
        None => match project.cfg("options", "include_package_data") {
            Some(v) => matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
            None => has_project,
        },
    };
    // With include-package-data every file the sdist has inside the packages
    // goes in, which covers whatever package-data globs match there too.
    if !include_package_data && tool.is_some_and(|t| t.contains_key("package-data")) {
        return Err(Refusal::Option {
            backend: Backend::Setuptools.name(),
            option: "tool.setuptools.package-data without include-package-data".to_owned(),
        });
    }
    let mut package_dir = BTreeMap::new();
    if let Some(dirs) = tool
        .and_then(|t| t.get("package-dir"))
        .and_then(Value::as_table)
    {
        for (k, v) in dirs {
            package_dir.insert(
                k.clone(),
                v.as_str().unwrap_or_default().trim_matches('/').to_owned(),
            );
        }
    } else if let Some(value) = project.cfg("options", "package_dir") {
        for line in setupcfg::lines(&value.replace(',', "\n")) {
            let (k, v) = line.split_once('=').unwrap_or(("", &line));
            package_dir.insert(k.trim().to_owned(), v.trim().trim_matches('/').to_owned());
        }
    }
    let mut py_modules = tool
        .and_then(|t| t.get("py-modules"))
        .map(strings)
        .unwrap_or_default();
    if py_modules.is_empty() {
        py_modules = project
            .cfg("options", "py_modules")
            .map(|v| setupcfg::lines(&v.replace(',', "\n")))
            .unwrap_or_default();
    }
    let root = package_dir.get("").cloned().unwrap_or_default();
    let packages = match tool.and_then(|t| t.get("packages")) {
        Some(Value::Array(_)) => strings(
            tool.and_then(|t| t.get("packages"))
                .unwrap_or(&Value::Array(Vec::new())),
        ),
        Some(Value::Table(t)) => {
            let find = t.get("find").and_then(Value::as_table);
            let get = |k: &str| find.and_then(|f| f.get(k)).map(strings);
            let namespaces = find
                .and_then(|f| f.get("namespaces"))
                .and_then(Value::as_bool)
                .unwrap_or(true);
            find_packages(
                tree,
                &get("where").unwrap_or_else(|| vec![".".to_owned()]),
                &get("include").unwrap_or_else(|| vec!["*".to_owned()]),
                &get("exclude").unwrap_or_default(),
                namespaces,
                &mut package_dir,
            )?
        }
        Some(_) => Vec::new(),
        None => match project.cfg("options", "packages") {
            Some(v) if v.trim() == "find:" || v.trim() == "find_namespace:" => {
                let opt = |k: &str| {
                    project
                        .cfg("options.packages.find", k)
                        .map(|v| setupcfg::lines(&v.replace(',', "\n")))
                };
                let wheres = opt("where").unwrap_or_else(|| {
                    vec![if root.is_empty() {
                        ".".to_owned()
                    } else {
                        root.clone()
                    }]
                });
                find_packages(
                    tree,
                    &wheres,
                    &opt("include").unwrap_or_else(|| vec!["*".to_owned()]),
                    &opt("exclude").unwrap_or_default(),
                    v.trim() == "find_namespace:",
                    &mut package_dir,
                )?
            }
            Some(v) => setupcfg::lines(&v.replace(',', "\n")),
            None => Vec::new(),
        },
    };
    let mut config = SetuptoolsConfig {
        package_dir,
        packages,
        py_modules,
        include_package_data,
    };
    if config.packages.is_empty() && config.py_modules.is_empty() {
        discover(tree, &mut config)?;
    }
    Ok(config)
}

/// `find_packages`/`find_namespace_packages` over each `where`: dotted names
/// of directories (with `__init__.py` unless `namespaces`), filtered by
/// fnmatch-style include and exclude patterns. A `where` other than the root
/// becomes the root package's directory, as setuptools maps it.
fn find_packages(
    tree: &Tree,
    wheres: &[String],
    include: &[String],
    exclude: &[String],
    namespaces: bool,
    package_dir: &mut BTreeMap<String, String>,
) -> Result<Vec<String>, Refusal> {
    let mut found = Vec::new();
    for place in wheres {
        let place = place.trim_matches('/').trim_start_matches("./");
        let place = if place == "." { "" } else { place };
        if !place.is_empty() {
            package_dir
                .entry(String::new())
                .or_insert_with(|| place.to_owned());
        }
        walk(tree, place, "", namespaces, &mut found);
    }
    found.retain(|p| {
        include.iter().any(|i| fnmatch(i, p))
            && !exclude.iter().any(|e| fnmatch(e, p))
            && !p.split('.').any(|c| c == "__pycache__")
    });
    Ok(found)
}

/// Every package below `dir` (`prefix` its dotted name), depth first.
fn walk(tree: &Tree, dir: &str, prefix: &str, namespaces: bool, out: &mut Vec<String>) {
    for sub in tree.subdirs(dir) {
        let path = join_path(dir, &sub);
        let name = if prefix.is_empty() {
            sub.clone()
        } else {
            format!("{prefix}.{sub}")
        };
        if sub.contains('.') || !is_identifier(&sub) {
            continue;
        }
        if namespaces || is_package(tree, &path) {
            out.push(name.clone());
            walk(tree, &path, &name, namespaces, out);
        }
    }
}

fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// setuptools' automatic discovery: src-layout takes every package and
/// module under src/; flat-layout takes the one top-level package (or
/// else the one module) not in its exclusion lists, and setuptools stops
/// with an error when there are several.
/// <https://setuptools.pypa.io/en/latest/userguide/package_discovery.html#automatic-discovery>
fn discover(tree: &Tree, config: &mut SetuptoolsConfig) -> Result<(), Refusal> {
    let root = config.package_dir.get("").cloned();
    if root.is_none() && tree.is_dir("src") {
        config.package_dir.insert(String::new(), "src".to_owned());
        walk(tree, "src", "", true, &mut config.packages);
        config
            .packages
            .retain(|p| !p.split('.').any(|c| c == "__pycache__"));
        config.py_modules = top_modules(tree, "src");
        return Ok(());
    }
    let root = root.unwrap_or_default();
    let top: Vec<String> = tree
        .subdirs(&root)
        .into_iter()
        .filter(|d| !d.contains('.') && (is_identifier(d) || d.ends_with("-stubs")))
        .filter(|d| !FLAT_EXCLUDED_PACKAGES.iter().any(|p| fnmatch(p, d)))
        .collect();
    let modules: Vec<String> = top_modules(tree, &root)
        .into_iter()
        .filter(|m| !FLAT_EXCLUDED_MODULES.iter().any(|p| fnmatch(p, m)))
        .collect();
    let several = |kind: &str, names: &[String]| {
        Refusal::Layout(format!(
            "setuptools' flat-layout discovery finds several top-level {kind} ({}) and stops; nothing configures which",
            names.join(", ")
        ))
    };
    match (top.as_slice(), modules.as_slice()) {
        ([package], _) => {
            walk(
                tree,
                &join_path(&root, package),
                package,
                true,
                &mut config.packages,
            );
            config.packages.insert(0, package.clone());
            config
                .packages
                .retain(|p| !p.split('.').any(|c| c == "__pycache__"));
        }
        ([], [_]) => config.py_modules = modules,
        ([], []) => {
            return Err(Refusal::Layout(
                "setuptools' discovery finds no package or module".to_owned(),
            ))
        }
        ([], _) => return Err(several("modules", &modules)),
        _ => return Err(several("packages", &top)),
    }
    Ok(())
}

fn top_modules(tree: &Tree, dir: &str) -> Vec<String> {
    let skip = if dir.is_empty() { 0 } else { dir.len() + 1 };
    tree.below(dir)
        .filter_map(|p| p.get(skip..))
        .filter(|p| !p.contains('/'))
        .filter_map(|p| p.strip_suffix(".py"))
        .filter(|m| is_identifier(m))
        .map(str::to_owned)
        .collect()
}

/// fnmatch with `*`, `?` and `[...]` sets, as setuptools matches package
/// names; `*` crosses `/`, as it does in Python's fnmatch.
pub(crate) fn fnmatch(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some(('?', rest)) => !n.is_empty() && go(rest, &n[1..]),
            Some(('[', rest)) => {
                let Some(end) = rest.iter().position(|c| *c == ']') else {
                    return n.first() == Some(&'[') && go(rest, &n[1..]);
                };
                n.first().is_some_and(|c| rest[..end].contains(c)) && go(&rest[end + 1..], &n[1..])
            }
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}
