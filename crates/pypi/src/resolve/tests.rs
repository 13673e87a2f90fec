//! The resolver against small in-memory indexes: each test's index is the resolver's input
//! (pages and metadata), served in whatever order a test chooses.

use std::collections::BTreeMap;

use super::*;
use pycontainer_python::tags::Libc;

const INDEX: &str = "https://pypi.example/simple";

fn name(s: &str) -> PackageName {
    PackageName::new(s).unwrap()
}

fn v(s: &str) -> Version {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn target() -> Target {
    Target {
        python: v("3.11.4"),
        machine: "x86_64".to_string(),
        libc: Libc::Glibc {
            major: 2,
            minor: 36,
        },
    }
}

/// One package's files and metadata per version.
#[derive(Default, Clone)]
struct Fake {
    pages: BTreeMap<PackageName, Vec<ProjectFile>>,
    metadata: BTreeMap<(PackageName, Version), String>,
}

/// A file on a fake page; `tag` is the wheel's `python-abi-platform`, or `None` for an sdist.
struct Release<'a> {
    name: &'a str,
    version: &'a str,
    tag: Option<&'a str>,
    requires_python: Option<&'a str>,
    yanked: Option<&'a str>,
    pep658: bool,
}

impl<'a> Release<'a> {
    fn wheel(name: &'a str, version: &'a str) -> Self {
        Release {
            name,
            version,
            tag: Some("py3-none-any"),
            requires_python: None,
            yanked: None,
            pep658: false,
        }
    }

    fn tag(self, tag: &'a str) -> Self {
        Release {
            tag: Some(tag),
            ..self
        }
    }

    fn sdist(self) -> Self {
        Release { tag: None, ..self }
    }

    fn requires_python(self, spec: &'a str) -> Self {
        Release {
            requires_python: Some(spec),
            ..self
        }
    }

    fn yanked(self, reason: &'a str) -> Self {
        Release {
            yanked: Some(reason),
            ..self
        }
    }

    fn pep658(self) -> Self {
        Release {
            pep658: true,
            ..self
        }
    }
}

impl Fake {
    /// Adds a file and, for wheels, METADATA with `deps` as Requires-Dist.
    fn add(&mut self, release: Release, deps: &[&str]) -> &mut Self {
        let package = name(release.name);
        let dist = package.as_dist_info_name();
        let filename = match release.tag {
            Some(tag) => format!("{dist}-{}-{tag}.whl", release.version),
            None => format!("{dist}-{}.tar.gz", release.version),
        };
        self.pages
            .entry(package.clone())
            .or_default()
            .push(ProjectFile {
                url: format!("https://files.example/{filename}"),
                filename,
                hashes: vec![("sha256".to_string(), "00".repeat(32))],
                requires_python: release.requires_python.map(|s| s.parse().unwrap()),
                yanked: release.yanked.map(str::to_string),
                core_metadata: release.pep658.then(Vec::new),
                size: None,
            });
        let mut text = format!(
            "Metadata-Version: 2.1\nName: {}\nVersion: {}\n",
            release.name, release.version
        );
        for dep in deps {
            text.push_str(&format!("Requires-Dist: {dep}\n"));
        }
        self.metadata.insert((package, v(release.version)), text);
        self
    }

    fn pure(&mut self, package: &str, version: &str, deps: &[&str]) -> &mut Self {
        self.add(Release::wheel(package, version), deps)
    }

    fn serve(&self, resolver: &mut Resolver, fetch: &Fetch) {
        match fetch {
            Fetch::Page { name, url } => {
                assert_eq!(*url, format!("{INDEX}/{name}/"));
                match self.pages.get(name) {
                    Some(files) => resolver.add_page(
                        name,
                        ProjectPage {
                            files: files.clone(),
                        },
                    ),
                    None => resolver.add_not_found(name),
                }
            }
            Fetch::Metadata { name, version, .. }
            | Fetch::WheelMetadata { name, version, .. }
            | Fetch::Sdist { name, version, .. } => {
                let text = &self.metadata[&(name.clone(), version.clone())];
                resolver.add_metadata(name, version, text.as_bytes());
            }
        }
    }
}

/// A fixed permutation source, so that "shuffled" tests are reproducible.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % bound as u64) as usize
    }
}

struct Run {
    result: Result<Resolution, ResolveError>,
    steps: Vec<Vec<Fetch>>,
}

fn run(fake: &Fake, requirements: &[&str], options: Options, seed: Option<u64>) -> Run {
    let requirements: Vec<Requirement> = requirements
        .iter()
        .map(|r| Requirement::parse(r).unwrap())
        .collect();
    let mut resolver = Resolver::new(&requirements, &target(), INDEX, options).unwrap();
    let mut rng = seed.map(Lcg);
    let mut steps = Vec::new();
    for _ in 0..200 {
        match resolver.step() {
            Step::Need(mut fetches) => {
                assert!(!fetches.is_empty());
                steps.push(fetches.clone());
                if let Some(rng) = rng.as_mut() {
                    // Serve in a random order, and hold back some fetches for a later step.
                    for i in (1..fetches.len()).rev() {
                        fetches.swap(i, rng.next(i + 1));
                    }
                    let keep = 1 + rng.next(fetches.len());
                    fetches.truncate(keep);
                }
                for fetch in &fetches {
                    fake.serve(&mut resolver, fetch);
                }
            }
            Step::Done(resolution) => {
                return Run {
                    result: Ok(resolution),
                    steps,
                }
            }
            Step::Failed(error) => {
                return Run {
                    result: Err(error),
                    steps,
                }
            }
        }
    }
    panic!("the resolver did not finish in 200 steps")
}

fn resolve(fake: &Fake, requirements: &[&str]) -> Result<Resolution, ResolveError> {
    run(fake, requirements, Options::default(), None).result
}

/// `name==version` for every resolved package, in order.
fn pins(resolution: &Resolution) -> Vec<String> {
    resolution
        .packages
        .iter()
        .map(|p| format!("{}=={}", p.name, p.version))
        .collect()
}

fn pins_of(fake: &Fake, requirements: &[&str]) -> Vec<String> {
    match resolve(fake, requirements) {
        Ok(resolution) => pins(&resolution),
        Err(e) => panic!("{e}"),
    }
}

fn failure(fake: &Fake, requirements: &[&str]) -> String {
    match resolve(fake, requirements) {
        Ok(resolution) => panic!("resolved unexpectedly: {:?}", pins(&resolution)),
        Err(e) => e.to_string(),
    }
}

fn web_stack() -> Fake {
    let mut fake = Fake::default();
    fake.pure(
        "fastapi",
        "0.115.0",
        &["starlette>=0.40.0,<0.47.0", "pydantic>=1.7.4"],
    )
    .pure("starlette", "0.40.0", &["anyio>=3.4.0,<5"])
    .pure("starlette", "0.46.2", &["anyio>=3.6.2,<5"])
    .pure("starlette", "0.47.0", &["anyio>=3.6.2,<5"])
    .pure("anyio", "4.8.0", &["idna>=2.8", "sniffio>=1.1"])
    .pure("idna", "3.10", &[])
    .pure("sniffio", "1.3.1", &[])
    .pure("pydantic", "2.10.6", &["typing-extensions>=4.12.2"])
    .pure("typing-extensions", "4.12.2", &[]);
    fake
}

#[test]
fn a_web_stack_resolves_to_the_newest_compatible_versions() {
    let fake = web_stack();
    assert_eq!(
        pins_of(&fake, &["fastapi"]),
        [
            "anyio==4.8.0",
            "fastapi==0.115.0",
            "idna==3.10",
            "pydantic==2.10.6",
            "sniffio==1.3.1",
            "starlette==0.46.2",
            "typing-extensions==4.12.2"
        ]
    );
    let resolution = resolve(&fake, &["fastapi"]).unwrap();
    let starlette = &resolution.packages[5];
    assert_eq!(starlette.file.filename, "starlette-0.46.2-py3-none-any.whl");
    assert_eq!(starlette.index_url, INDEX);
}

#[test]
fn steps_batch_the_frontier() {
    let fake = web_stack();
    let run = run(&fake, &["fastapi", "idna"], Options::default(), None);
    assert!(run.result.is_ok());
    let first: Vec<String> = run.steps[0]
        .iter()
        .map(|f| match f {
            Fetch::Page { name, .. } => format!("page {name}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(first, ["page fastapi", "page idna"]);
    // The second step asks for both packages' metadata at once.
    assert_eq!(run.steps[1].len(), 2);
    assert!(run.steps[1]
        .iter()
        .all(|f| matches!(f, Fetch::WheelMetadata { .. })));
    // Depth 4 (fastapi → starlette → anyio → idna): about two steps per level.
    assert!(run.steps.len() <= 9, "{} steps", run.steps.len());
}

#[test]
fn pep658_metadata_is_preferred_over_the_wheel() {
    let mut fake = Fake::default();
    fake.add(Release::wheel("idna", "3.10").pep658(), &[]);
    let run = run(&fake, &["idna"], Options::default(), None);
    match &run.steps[1][..] {
        [Fetch::Metadata { url, wheel, .. }] => {
            assert_eq!(
                url,
                "https://files.example/idna-3.10-py3-none-any.whl.metadata"
            );
            assert_eq!(wheel.filename, "idna-3.10-py3-none-any.whl");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn markers_are_evaluated_for_the_target() {
    let mut fake = Fake::default();
    fake.pure(
        "app-lib",
        "1.0",
        &[
            "pywin32>=300; sys_platform == 'win32'",
            "tomli>=1.1; python_version < '3.11'",
            "exceptiongroup; python_full_version < '3.11.0'",
            "click>=8; platform_machine == 'x86_64'",
        ],
    )
    .pure(
        "click",
        "8.1.8",
        &["colorama; platform_system == 'Windows'"],
    );
    // None of the dropped packages is on the index: asking for them would fail.
    assert_eq!(
        pins_of(&fake, &["app-lib", "uvloop; sys_platform == 'win32'"]),
        ["app-lib==1.0", "click==8.1.8"]
    );
}

/// uvicorn's real METADATA (0.54.0): `[standard]` adds uvloop, httptools and the rest, and
/// typing-extensions is only for Python < 3.11.
#[test]
fn extras_pull_in_their_requirements() {
    let mut fake = Fake::default();
    fake.pure("uvicorn", "0.54.0", &[])
        .pure("click", "8.1.8", &[])
        .pure("h11", "0.14.0", &[])
        .add(
            Release::wheel("httptools", "0.8.0")
                .tag("cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64"),
            &[],
        )
        .pure("python-dotenv", "1.0.1", &[])
        .add(Release::wheel("pyyaml", "6.0.2").tag("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"), &[])
        .add(Release::wheel("uvloop", "0.21.0").tag("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"), &[])
        .add(Release::wheel("uvloop", "0.21.0").tag("cp311-cp311-macosx_10_9_universal2"), &[])
        .add(Release::wheel("watchfiles", "1.0.4").tag("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"), &["anyio>=3.0.0"])
        .pure("anyio", "4.8.0", &[])
        .pure("websockets", "14.2", &[]);
    fake.metadata.insert(
        (name("uvicorn"), v("0.54.0")),
        include_str!("../../../../tests/fixtures/metadata/uvicorn-METADATA").to_string(),
    );
    assert_eq!(
        pins_of(&fake, &["uvicorn"]),
        ["click==8.1.8", "h11==0.14.0", "uvicorn==0.54.0"]
    );
    let resolution = resolve(&fake, &["uvicorn[standard]>=0.30"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        pins(&resolution),
        [
            "anyio==4.8.0",
            "click==8.1.8",
            "h11==0.14.0",
            "httptools==0.8.0",
            "python-dotenv==1.0.1",
            "pyyaml==6.0.2",
            "uvicorn==0.54.0",
            "uvloop==0.21.0",
            "watchfiles==1.0.4",
            "websockets==14.2"
        ]
    );
    let uvloop = resolution
        .packages
        .iter()
        .find(|p| p.name.as_str() == "uvloop")
        .unwrap();
    assert_eq!(
        uvloop.file.filename,
        "uvloop-0.21.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    );
}

#[test]
fn an_extra_pins_its_base_to_the_same_version() {
    let mut fake = Fake::default();
    fake.pure("lib", "2.0", &["fast>=2; extra == 'speed'"])
        .pure("lib", "1.0", &["fast<2; extra == 'speed'"])
        .pure("fast", "1.5", &[])
        .pure("fast", "2.5", &[]);
    // `fast<2` rules out lib 2.0's extra, so lib itself must drop to 1.0 as well.
    assert_eq!(
        pins_of(&fake, &["lib[speed]", "fast<2"]),
        ["fast==1.5", "lib==1.0"]
    );
}

#[test]
fn a_transitive_conflict_is_explained_in_plain_words() {
    let fake = web_stack();
    let message = failure(&fake, &["fastapi", "starlette>=0.47"]);
    assert_eq!(
        message,
        "the dependencies cannot be resolved for CPython 3.11 on linux x86_64 (glibc 2.36):\n\
         Because fastapi depends on starlette>=0.40.0, <0.47.0 \
         and the project depends on starlette>=0.47, the project cannot use fastapi.\n\
         And because the project depends on fastapi, no versions satisfy the project's requirements."
    );
}

#[test]
fn a_deeper_conflict_names_every_step() {
    let mut fake = web_stack();
    fake.pure("fastapi", "0.114.0", &["starlette>=0.37.2,<0.39.0"])
        .pure("fastapi", "0.113.0", &["starlette>=0.37.2,<0.39.0"])
        .pure("starlette", "0.38.0", &[])
        .pure("sse-starlette", "1.0", &["starlette>=0.47"]);
    assert_eq!(
        failure(&fake, &["fastapi", "sse-starlette"]),
        "the dependencies cannot be resolved for CPython 3.11 on linux x86_64 (glibc 2.36):\n\
         Because fastapi<0.115.0 depends on starlette>=0.37.2, <0.39.0 \
         and fastapi==0.115.0 depends on starlette>=0.40.0, <0.47.0, \
         fastapi depends on starlette>=0.37.2, <0.39.0 or >=0.40.0, <0.47.0.\n\
         And because sse-starlette==1.0 depends on starlette>=0.47 \
         and sse-starlette has no version other than 1.0, \
         fastapi and sse-starlette cannot be used together.\n\
         And because the project depends on sse-starlette and the project depends on fastapi, \
         no versions satisfy the project's requirements."
    );
}

#[test]
fn a_conflict_inside_an_extra_names_the_extra() {
    let mut fake = Fake::default();
    fake.pure("lib", "2.0", &["fast>=2; extra == 'speed'"])
        .pure("fast", "1.5", &[]);
    assert_eq!(
        failure(&fake, &["lib[speed]"]),
        "the dependencies cannot be resolved for CPython 3.11 on linux x86_64 (glibc 2.36):\n\
         lib[speed]==2.0 depends on fast>=2, but no version of fast>=2 exists (the newest is 1.5), \
         so lib[speed]==2.0 cannot be used.\n\
         And because lib has no version other than 2.0 and the project depends on lib[speed], \
         no versions satisfy the project's requirements."
    );
}

#[test]
fn constraints_narrow_transitive_dependencies_without_adding_any() {
    let fake = web_stack();
    let constraints = [
        (name("starlette"), "<0.46".parse().unwrap()),
        (name("uvicorn"), ">=99".parse().unwrap()),
    ]
    .into_iter()
    .collect();
    let options = Options {
        constraints,
        ..Options::default()
    };
    let resolution = run(&fake, &["fastapi"], options, None).result.unwrap();
    let pinned = pins(&resolution);
    assert!(
        pinned.contains(&"starlette==0.40.0".to_owned()),
        "{pinned:?}"
    );
    assert!(
        !pinned.iter().any(|p| p.starts_with("uvicorn")),
        "{pinned:?}"
    );
}

#[test]
fn backtracking_finds_an_older_version_that_fits() {
    let mut fake = Fake::default();
    fake.pure("alpha", "2.0", &["gamma>=2"])
        .pure("alpha", "1.0", &["gamma<2"])
        .pure("beta", "1.0", &["gamma<2"])
        .pure("gamma", "1.4", &[])
        .pure("gamma", "2.1", &[]);
    assert_eq!(
        pins_of(&fake, &["alpha", "beta"]),
        ["alpha==1.0", "beta==1.0", "gamma==1.4"]
    );
}

#[test]
fn prereleases_only_when_allowed_named_or_needed() {
    let mut fake = Fake::default();
    fake.pure("lib", "1.0", &[]).pure("lib", "2.0b1", &[]);
    assert_eq!(pins_of(&fake, &["lib"]), ["lib==1.0"]);
    let flagged = run(
        &fake,
        &["lib"],
        Options {
            constraints: Default::default(),
            allow_prereleases: true,
        },
        None,
    );
    assert_eq!(pins(&flagged.result.unwrap()), ["lib==2.0b1"]);
    assert_eq!(pins_of(&fake, &["lib>=2.0b1"]), ["lib==2.0b1"]);
    // pip's rule: no final release is allowed, so a pre-release may be.
    assert_eq!(pins_of(&fake, &["lib>1.0"]), ["lib==2.0b1"]);
    // Named by a dependency, not by the project.
    fake.pure("app", "1.0", &["lib>=2.0b1"]);
    assert_eq!(pins_of(&fake, &["app", "lib"]), ["app==1.0", "lib==2.0b1"]);
}

#[test]
fn yanked_files_are_skipped_unless_pinned() {
    let mut fake = Fake::default();
    fake.pure("lib", "1.0", &[])
        .add(Release::wheel("lib", "1.1").yanked("broken build"), &[]);
    assert_eq!(pins_of(&fake, &["lib"]), ["lib==1.0"]);
    assert_eq!(pins_of(&fake, &["lib==1.1"]), ["lib==1.1"]);
    assert_eq!(
        failure(&fake, &["lib>1.0"]),
        "the dependencies cannot be resolved for CPython 3.11 on linux x86_64 (glibc 2.36):\n\
         The project depends on lib>1.0, but lib 1.1 was yanked (broken build); \
         pin it with ==1.1 to use it anyway."
    );
}

#[test]
fn requires_python_filters_versions() {
    let mut fake = Fake::default();
    fake.add(Release::wheel("lib", "2.0").requires_python(">=3.12"), &[])
        .add(Release::wheel("lib", "1.9").requires_python(">=3.9"), &[])
        // Only the metadata says so: found after the wheel was chosen, then backtracked.
        .pure("other", "3.0", &[])
        .pure("other", "2.0", &[]);
    fake.metadata.insert(
        (name("other"), v("3.0")),
        "Metadata-Version: 2.1\nName: other\nVersion: 3.0\nRequires-Python: >=3.13\n".to_string(),
    );
    assert_eq!(
        pins_of(&fake, &["lib", "other"]),
        ["lib==1.9", "other==2.0"]
    );
    assert_eq!(
        failure(&fake, &["lib>=2"]),
        "the dependencies cannot be resolved for CPython 3.11 on linux x86_64 (glibc 2.36):\n\
         The project depends on lib>=2, but lib 2.0 requires Python >=3.12 \
         (the image has Python 3.11.4)."
    );
    assert_eq!(
        failure(&fake, &["other>=3"]),
        "the dependencies cannot be resolved for CPython 3.11 on linux x86_64 (glibc 2.36):\n\
         The project depends on other>=3, but other==3.0 cannot be used: \
         it requires Python >=3.13 (the image has Python 3.11.4)."
    );
}

#[test]
fn sdists_are_chosen_only_where_no_version_in_range_has_a_fitting_wheel() {
    let mut fake = Fake::default();
    fake.pure("pkg", "1.1.0", &[])
        .pure("pkg", "1.2.0", &[])
        .add(Release::wheel("pkg", "1.2.0").sdist(), &[])
        .add(Release::wheel("pkg", "1.2.3").sdist(), &[])
        .add(
            Release::wheel("native", "2.0").tag("cp311-cp311-win_amd64"),
            &[],
        )
        .add(
            Release::wheel("native", "2.0")
                .tag("cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"),
            &[],
        );
    // Unconstrained, the sdist-only release is passed over for an older wheel.
    assert_eq!(pins_of(&fake, &["pkg"]), ["pkg==1.2.0"]);
    // Where no version in range has a wheel, the sdist is chosen, to be built.
    assert_eq!(pins_of(&fake, &["pkg>=1.2.3"]), ["pkg==1.2.3"]);
    let resolution = resolve(&fake, &["pkg>=1.2.3"]).unwrap();
    assert_eq!(resolution.packages[0].file.filename, "pkg-1.2.3.tar.gz");
    assert!(failure(&fake, &["native"]).contains(
        "no wheel of native 2.0 fits CPython 3.11 on linux x86_64 (glibc 2.36); \
         its 2 wheels are built for other platforms or Pythons; no version of native has a wheel that fits"
    ));
}

#[test]
fn a_missing_project_is_named() {
    let fake = web_stack();
    let message = failure(&fake, &["fastapi", "no-such-package>=1"]);
    assert!(
        message.contains("the index has no project named no-such-package"),
        "{message}"
    );
}

#[test]
fn direct_urls_are_refused() {
    let requirements =
        [Requirement::parse("lib @ https://example.com/lib-1.0-py3-none-any.whl").unwrap()];
    let error = Resolver::new(&requirements, &target(), INDEX, Options::default())
        .err()
        .unwrap();
    assert_eq!(
        error.to_string(),
        "the requirement \"lib @ https://example.com/lib-1.0-py3-none-any.whl\" names a URL; \
         the resolver installs from the package index only"
    );
}

#[test]
fn the_result_does_not_depend_on_fetch_order() {
    let mut fake = web_stack();
    fake.pure("alpha", "2.0", &["gamma>=2"])
        .pure("alpha", "1.0", &["gamma<2"])
        .pure("beta", "1.0", &["gamma<2", "starlette<0.47"])
        .pure("gamma", "1.4", &[])
        .pure("gamma", "2.1", &[]);
    let requirements = ["fastapi", "alpha", "beta", "idna<4"];
    let expected = pins_of(&fake, &requirements);
    assert!(expected.contains(&"alpha==1.0".to_string()));
    for seed in 0..40 {
        let shuffled = run(&fake, &requirements, Options::default(), Some(seed));
        assert_eq!(pins(&shuffled.result.unwrap()), expected, "seed {seed}");
    }
}

#[test]
fn extra_knowledge_does_not_change_the_result() {
    let fake = web_stack();
    let requirements: Vec<Requirement> = ["fastapi"]
        .iter()
        .map(|r| Requirement::parse(r).unwrap())
        .collect();
    let mut resolver = Resolver::new(&requirements, &target(), INDEX, Options::default()).unwrap();
    // Metadata of versions that will not be chosen, and pages nobody needs, up front.
    for (name, version) in fake.metadata.keys() {
        resolver.add_metadata(
            name,
            version,
            fake.metadata[&(name.clone(), version.clone())].as_bytes(),
        );
    }
    resolver.add_not_found(&PackageName::new("unrelated").unwrap());
    let mut steps = 0;
    let resolution = loop {
        match resolver.step() {
            Step::Need(fetches) => {
                steps += 1;
                for fetch in &fetches {
                    assert!(matches!(fetch, Fetch::Page { .. }), "{fetch:?}");
                    fake.serve(&mut resolver, fetch);
                }
            }
            Step::Done(resolution) => break resolution,
            Step::Failed(e) => panic!("{e}"),
        }
    };
    assert_eq!(pins(&resolution), pins_of(&fake, &["fastapi"]));
    assert!(steps <= 5, "{steps} steps");
}

#[test]
fn bad_metadata_makes_a_version_unusable() {
    let mut fake = Fake::default();
    fake.pure("lib", "2.0", &[]).pure("lib", "1.0", &[]);
    fake.metadata.insert(
        (name("lib"), v("2.0")),
        "Metadata-Version: 2.1\nName: other\nVersion: 2.0\n".to_string(),
    );
    assert_eq!(pins_of(&fake, &["lib"]), ["lib==1.0"]);
    let message = failure(&fake, &["lib==2.0"]);
    assert!(
        message.contains(
            "lib==2.0 cannot be used: its metadata is unusable: it describes other 2.0 instead"
        ),
        "{message}"
    );
}

#[test]
fn an_exclusion_of_the_newest_version_reads_as_one() {
    let mut fake = Fake::default();
    fake.pure("emails", "1.1.3", &[])
        .pure("emails", "1.1.2", &[]);
    assert_eq!(
        failure(&fake, &["emails!=1.1.3,>=1.1.3"]),
        "the dependencies cannot be resolved for CPython 3.11 on linux x86_64 (glibc 2.36):\n\
         The project depends on emails>1.1.3, but emails 1.1.3 is excluded and no newer version exists."
    );
    assert!(failure(&fake, &["emails>=2"])
        .contains("no version of emails>=2 exists (the newest is 1.1.3)"));
}
