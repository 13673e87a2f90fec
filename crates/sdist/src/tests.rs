use pycontainer_archive::{gzip, tar, zip, Content, Entry};

use super::*;

/// A `.tar.gz` sdist of `demo` 1.0 with these files below `demo-1.0/`.
fn sdist(files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, text) in files {
        let entry = Entry::file(
            format!("demo-1.0/{path}"),
            0o644,
            text.len() as u64,
            Content::Bytes(text.as_bytes().to_vec()),
        );
        out.extend(tar::header(&entry, 0).unwrap());
        out.extend_from_slice(text.as_bytes());
        out.extend(std::iter::repeat_n(0, tar::padding(text.len() as u64)));
    }
    out.extend([0; 1024]);
    let mut trailer = gzip::Trailer::default();
    trailer.update(&out);
    let mut gz = gzip::HEADER.to_vec();
    gz.extend(gzip::deflate_chunk(&out));
    gz.extend_from_slice(&trailer.finish());
    gz
}

const PKG_INFO: &str =
    "Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nRequires-Dist: idna\n\nA demo.\n";

fn pyproject(backend: &str, requires: &str, rest: &str) -> String {
    format!("[build-system]\nrequires = [\"{requires}\"]\nbuild-backend = \"{backend}\"\n\n[project]\nname = \"demo\"\nversion = \"1.0\"\n{rest}")
}

fn build_files(files: &[(&str, &str)]) -> Result<Built, SdistError> {
    let name = PackageName::new("demo").unwrap();
    build(
        &name,
        &"1.0".parse().unwrap(),
        "demo-1.0.tar.gz",
        &sdist(files),
    )
}

/// The wheel's member names, in archive order.
fn members(built: &Built) -> Vec<String> {
    let wheel = &built.wheel;
    let zip::End::Directory(dir) = zip::find_end(wheel, wheel.len() as u64).unwrap() else {
        panic!("no zip64 here")
    };
    let start = dir.offset as usize;
    let entries = zip::parse_directory(&wheel[start..start + dir.size as usize], dir.entries);
    entries.unwrap().into_iter().map(|e| e.name).collect()
}

fn refusal(files: &[(&str, &str)]) -> String {
    match build_files(files) {
        Err(SdistError::Refused(r)) => r.to_string(),
        other => panic!("not refused: {other:?}"),
    }
}

const DIST: &str = "demo-1.0.dist-info";

fn expect(built: &Built, package: &[&str], dist_info: &[&str]) {
    let mut want: Vec<String> = package.iter().map(|p| p.to_string()).collect();
    want.extend(
        ["METADATA", "WHEEL"]
            .iter()
            .chain(dist_info)
            .map(|f| format!("{DIST}/{f}")),
    );
    want.push(format!("{DIST}/RECORD"));
    assert_eq!(members(built), want);
}

#[test]
fn flit_takes_the_module_named_after_the_project_with_scripts_and_licenses() {
    let toml = pyproject(
        "flit_core.buildapi",
        "flit_core>=3.2,<4",
        "[project.scripts]\ndemo = \"demo:main\"\n",
    );
    let built = build_files(&[
        ("PKG-INFO", PKG_INFO),
        ("pyproject.toml", &toml),
        ("LICENSE", "MIT"),
        ("src/demo/__init__.py", "def main(): pass\n"),
        ("src/demo/data.json", "{}"),
        ("src/demo/__pycache__/x.pyc", ""),
        ("tests/test_demo.py", ""),
    ])
    .unwrap();
    assert_eq!(built.filename, "demo-1.0-py3-none-any.whl");
    assert_eq!(built.backend, Backend::FlitCore);
    assert_eq!(built.metadata, PKG_INFO.as_bytes());
    expect(
        &built,
        &["demo/__init__.py", "demo/data.json"],
        &["entry_points.txt", "licenses/LICENSE"],
    );
    // The same sdist makes the same bytes.
    assert_eq!(
        build_files(&[
            ("PKG-INFO", PKG_INFO),
            ("pyproject.toml", &toml),
            ("LICENSE", "MIT"),
            ("src/demo/__init__.py", "def main(): pass\n"),
            ("src/demo/data.json", "{}"),
            ("src/demo/__pycache__/x.pyc", ""),
            ("tests/test_demo.py", "")
        ])
        .unwrap()
        .wheel,
        built.wheel
    );
}

#[test]
fn hatchling_honours_packages_and_finds_a_single_module() {
    let toml = pyproject(
        "hatchling.build",
        "hatchling",
        "[tool.hatch.build.targets.wheel]\npackages = [\"lib/demo_core\"]\n",
    );
    let built = build_files(&[
        ("PKG-INFO", PKG_INFO),
        ("pyproject.toml", &toml),
        ("lib/demo_core/__init__.py", ""),
        ("demo.py", ""),
    ])
    .unwrap();
    expect(&built, &["demo_core/__init__.py"], &[]);

    let toml = pyproject("hatchling.build", "hatchling", "");
    let built = build_files(&[
        ("PKG-INFO", PKG_INFO),
        ("pyproject.toml", &toml),
        ("demo.py", ""),
    ])
    .unwrap();
    expect(&built, &["demo.py"], &[]);

    let hooks = pyproject(
        "hatchling.build",
        "hatchling",
        "[tool.hatch.build.hooks.custom]\n",
    );
    assert_eq!(
        refusal(&[
            ("PKG-INFO", PKG_INFO),
            ("pyproject.toml", &hooks),
            ("demo.py", "")
        ]),
        "hatchling option tool.hatch.build.hooks is not implemented by pycontainer"
    );
}

#[test]
fn pdm_takes_the_packages_in_src_but_not_tests_and_writes_empty_script_groups() {
    let toml = pyproject("pdm.backend", "pdm-backend", "");
    let built = build_files(&[
        ("PKG-INFO", PKG_INFO),
        ("pyproject.toml", &toml),
        ("src/demo/__init__.py", ""),
        ("src/demo/py.typed", ""),
        ("src/tests/__init__.py", ""),
    ])
    .unwrap();
    expect(
        &built,
        &["demo/__init__.py", "demo/py.typed"],
        &["entry_points.txt"],
    );
}

#[test]
fn poetry_honours_packages_from_a_directory() {
    let toml = "[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n\n[tool.poetry]\nname = \"demo\"\nversion = \"1.0\"\npackages = [{ include = \"demo\", from = \"src\" }]\ninclude = [{ path = \"tests\", format = \"sdist\" }]\n\n[tool.poetry.scripts]\ndemo = \"demo:main\"\n";
    let built = build_files(&[
        ("PKG-INFO", PKG_INFO),
        ("pyproject.toml", toml),
        ("src/demo/__init__.py", ""),
        ("tests/test_x.py", ""),
    ])
    .unwrap();
    expect(&built, &["demo/__init__.py"], &["entry_points.txt"]);
}

#[test]
fn setuptools_follows_find_package_dir_and_package_data_rules() {
    let toml = pyproject(
        "setuptools.build_meta",
        "setuptools>=61",
        "[tool.setuptools.packages.find]\nwhere = [\"src\"]\ninclude = [\"demo*\"]\n",
    );
    let files = [
        ("PKG-INFO", PKG_INFO),
        ("pyproject.toml", toml.as_str()),
        (
            "setup.py",
            "# legacy\nfrom setuptools import setup\n\nsetup()\n",
        ),
        ("src/demo/__init__.py", ""),
        ("src/demo/sub/__init__.py", ""),
        ("src/demo/templates/a.html", ""),
        ("src/other/__init__.py", ""),
        ("src/demo.egg-info/top_level.txt", "demo\n"),
        ("src/demo.egg-info/SOURCES.txt", ""),
    ];
    let built = build_files(&files).unwrap();
    // include-package-data is on with a [project] table: data inside packages goes in.
    expect(
        &built,
        &[
            "demo/__init__.py",
            "demo/sub/__init__.py",
            "demo/templates/a.html",
        ],
        &["top_level.txt"],
    );

    let cfg = "[options]\npackages = find:\npackage_dir =\n    =src\n";
    let built = build_files(&[
        ("PKG-INFO", PKG_INFO),
        ("setup.cfg", cfg),
        ("src/demo/__init__.py", ""),
        ("src/demo/py.typed", ""),
        ("src/demo/a.html", ""),
    ])
    .unwrap();
    // Without include_package_data: the modules, py.typed and stubs only.
    expect(&built, &["demo/__init__.py", "demo/py.typed"], &[]);
}

#[test]
fn setuptools_flat_discovery_takes_one_package_and_refuses_several() {
    let toml = pyproject("setuptools.build_meta", "setuptools", "");
    let built = build_files(&[
        ("PKG-INFO", PKG_INFO),
        ("pyproject.toml", &toml),
        ("demo/__init__.py", ""),
        ("docs/conf.py", ""),
        ("tests/__init__.py", ""),
        (
            "setup.py",
            "from setuptools import setup\n\nif __name__ == \"__main__\":\n    setup()\n",
        ),
    ])
    .unwrap();
    expect(&built, &["demo/__init__.py"], &[]);
    assert!(refusal(&[
        ("PKG-INFO", PKG_INFO),
        ("pyproject.toml", &toml),
        ("demo/__init__.py", ""),
        ("extra/__init__.py", ""),
    ])
    .starts_with(
        "setuptools' flat-layout discovery finds several top-level packages (demo, extra)"
    ));
}

#[test]
fn code_that_would_run_is_refused_with_the_reason() {
    let setuptools = pyproject("setuptools.build_meta", "setuptools", "");
    let with = |extra: (&'static str, &'static str)| {
        refusal(&[
            ("PKG-INFO", PKG_INFO),
            ("pyproject.toml", &setuptools),
            ("demo/__init__.py", ""),
            extra,
        ])
    };
    assert_eq!(
        with((
            "setup.py",
            "from setuptools import setup\nsetup(name='demo', version=read())\n"
        )),
        "setup.py runs code (it is not the plain setup() call)"
    );
    assert_eq!(
        with(("demo/_speedups.c", "")),
        "it has compiled or native sources (demo/_speedups.c)"
    );
    assert_eq!(
        with(("Cargo.toml", "")),
        "it has compiled or native sources (Cargo.toml)"
    );
    let scm = pyproject("setuptools.build_meta", "setuptools-scm>=8", "");
    assert_eq!(
        refusal(&[
            ("PKG-INFO", PKG_INFO),
            ("pyproject.toml", &scm),
            ("demo/__init__.py", "")
        ]),
        "its build needs \"setuptools-scm>=8\", a build plugin that would run code"
    );
    let maturin = pyproject("maturin", "maturin", "");
    assert!(
        refusal(&[("PKG-INFO", PKG_INFO), ("pyproject.toml", &maturin)])
            .starts_with("its build backend \"maturin\" is not one pycontainer implements")
    );
}

#[test]
fn metadata_must_be_static() {
    let old = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n";
    assert!(refusal(&[
        ("PKG-INFO", old),
        ("setup.py", "from setuptools import setup; setup()"),
        ("demo/__init__.py", "")
    ])
    .starts_with("its PKG-INFO is metadata 2.1, older than 2.2"));
    // Metadata 2.1 is trusted when [project] is static but for the version.
    let toml = pyproject(
        "flit_core.buildapi",
        "flit_core",
        "dynamic = [\"version\"]\n",
    );
    assert!(build_files(&[
        ("PKG-INFO", old),
        ("pyproject.toml", &toml),
        ("demo.py", "")
    ])
    .is_ok());
    let toml = pyproject(
        "flit_core.buildapi",
        "flit_core",
        "dynamic = [\"version\", \"dependencies\"]\n",
    );
    assert_eq!(
        refusal(&[
            ("PKG-INFO", old),
            ("pyproject.toml", &toml),
            ("demo.py", "")
        ]),
        "its metadata is dynamic (pyproject.toml [project] dynamic = [dependencies])"
    );
    let dynamic = "Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nDynamic: Requires-Dist\n";
    assert_eq!(
        refusal(&[
            ("PKG-INFO", dynamic),
            ("setup.py", "import setuptools\nsetuptools.setup()\n"),
            ("demo/__init__.py", "")
        ]),
        "its metadata is dynamic (PKG-INFO marks Requires-Dist as Dynamic)"
    );
    let other = "Metadata-Version: 2.2\nName: other\nVersion: 1.0\n";
    assert_eq!(
        refusal(&[("PKG-INFO", other)]),
        "its PKG-INFO describes other 1.0 instead"
    );
    assert_eq!(refusal(&[("README", "")]), "it has no PKG-INFO");
}
