//! What an index offers one package, grouped by version, and which of it the target can
//! install: a wheel that fits, else a `.tar.gz` sdist, which the caller builds when it
//! can (only pure-Python ones with static metadata; `pycontainer-sdist` decides).

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BTreeMap;

use crate::index::{ProjectFile, ProjectPage};
use pycontainer_python::name::{normalize, PackageName};
use pycontainer_python::pep440::{SpecifierSet, Version};
use pycontainer_python::tags::{Tags, Target};
use pycontainer_python::wheel::WheelName;

/// One package's files on the index, by version.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// False when the index has no such project (a 404).
    pub found: bool,
    versions: BTreeMap<Version, Vec<ProjectFile>>,
    /// [`Project::choose`]'s answers by version and flags, as positions in
    /// the version's files: the resolver steps many times over the same
    /// versions, and each answer parses all of a version's file names. A
    /// project belongs to one resolver, whose platform never changes.
    chosen: RefCell<BTreeMap<ChoiceKey, Result<usize, Unusable>>>,
}

/// A version, whether yanked files may be chosen, and whether sdists may.
type ChoiceKey = (Version, bool, bool);

/// Why no file of a version can be installed on the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// No wheel's tags fit; `wheels` counts the wheels there are (0: only sdists).
    NoWheel {
        wheels: usize,
    },
    RequiresPython(SpecifierSet),
    Yanked(String),
}

/// The target, as candidate selection sees it.
pub struct Platform<'a> {
    pub target: &'a Target,
    pub tags: &'a Tags,
}

impl Project {
    /// Files whose name is not this package's wheel or sdist (other formats, other
    /// packages, unparsable versions) are left out: nothing could install them.
    /// The page is taken, not copied: pydantic-core's has 15,000 files.
    pub fn from_page(name: &PackageName, page: ProjectPage) -> Project {
        // Files gathered per version in the order versions are first seen,
        // each version parsed once; a version's wheels share their
        // `name-version` start (pydantic-core: 15,000 files, 150 versions),
        // which is looked up rather than parsed again.
        let mut groups: Vec<(Version, Vec<ProjectFile>)> = Vec::new();
        let mut group_of: BTreeMap<Version, usize> = BTreeMap::new();
        let mut starts: BTreeMap<String, usize> = BTreeMap::new();
        for file in page.files {
            let start = wheel_start(&file.filename);
            let group = match start.and_then(|s| starts.get(s)) {
                Some(&group) => Some(group),
                None => version_of(name, &file.filename).map(|version| {
                    let group = *group_of.entry(version.clone()).or_insert_with(|| {
                        groups.push((version, Vec::new()));
                        groups.len() - 1
                    });
                    if let Some(start) = start {
                        starts.insert(start.to_owned(), group);
                    }
                    group
                }),
            };
            if let Some((_, files)) = group.and_then(|g| groups.get_mut(g)) {
                files.push(file);
            }
        }
        let mut versions = BTreeMap::new();
        for (version, mut files) in groups {
            pycontainer_sort::sort_by(&mut files, |a, b| a.filename.cmp(&b.filename));
            versions.insert(version, files);
        }
        Project {
            found: true,
            versions,
            chosen: RefCell::default(),
        }
    }

    pub fn not_found() -> Project {
        Project::default()
    }

    /// Newest first.
    pub fn versions(&self) -> impl DoubleEndedIterator<Item = (&Version, &[ProjectFile])> {
        self.versions.iter().rev().map(|(v, f)| (v, f.as_slice()))
    }

    pub fn files(&self, version: &Version) -> &[ProjectFile] {
        self.versions.get(version).map_or(&[], Vec::as_slice)
    }

    /// [`choose`] over `version`'s files, each answer worked out once.
    pub fn choose(
        &self,
        version: &Version,
        platform: &Platform,
        allow_yanked: bool,
        sdists: bool,
    ) -> Result<&ProjectFile, Unusable> {
        let files = self.files(version);
        let key = (version.clone(), allow_yanked, sdists);
        let known = self.chosen.borrow().get(&key).cloned();
        let position = match known {
            Some(position) => position,
            None => {
                let position = choose(files, platform, allow_yanked, sdists).map(|file| {
                    files
                        .iter()
                        .position(|f| std::ptr::eq(f, file))
                        .unwrap_or(0)
                });
                self.chosen.borrow_mut().insert(key, position.clone());
                position
            }
        };
        position.and_then(|i| {
            files.get(i).ok_or(Unusable::NoWheel {
                wheels: files.len(),
            })
        })
    }

    /// The version closest to `version` that has a wheel for the target: the newest older
    /// one, else the oldest newer one. Pre-releases count only next to a pre-release.
    pub fn nearest_with_wheel(&self, version: &Version, platform: &Platform) -> Option<&Version> {
        let fits = |(v, files): &(&Version, &Vec<ProjectFile>)| {
            (version.is_prerelease() || !v.is_prerelease())
                && assess(files, platform, false).is_ok()
        };
        let older = self.versions.range(..version).rev().find(fits);
        let newer = || {
            self.versions
                .range(version..)
                .filter(|(v, _)| *v != version)
                .find(fits)
        };
        older.or_else(newer).map(|(v, _)| v)
    }
}

/// A wheel that fits, with its sort key: tag priority (lower is better), then build tag
/// (higher is better).
type Ranked<'f> = (usize, Reverse<Option<(u64, String)>>, &'f ProjectFile);

/// The best file of a version for the target (tag priority, then the higher build, then
/// the file name so that the choice never depends on page order), or why there is none.
///
/// Yanked files count only with `allow_yanked`, which PEP 592 grants to exact pins.
pub fn assess<'f>(
    files: &'f [ProjectFile],
    platform: &Platform,
    allow_yanked: bool,
) -> Result<&'f ProjectFile, Unusable> {
    let mut fitting: Vec<Ranked<'f>> = files
        .iter()
        .filter_map(|file| {
            let wheel = WheelName::parse(&file.filename).ok()?;
            let rank = platform.tags.priority(&wheel)?;
            Some((rank, Reverse(wheel.build), file))
        })
        .collect();
    pycontainer_sort::sort_by(&mut fitting, |a, b| {
        (a.0, &a.1, &a.2.filename).cmp(&(b.0, &b.1, &b.2.filename))
    });
    let Some((_, _, best_fit)) = fitting.first() else {
        let wheels = files
            .iter()
            .filter(|f| f.filename.ends_with(".whl"))
            .count();
        return Err(Unusable::NoWheel { wheels });
    };
    let python = &platform.target.python;
    let admits_python = |f: &&ProjectFile| {
        f.requires_python
            .as_ref()
            .is_none_or(|spec| spec.contains(python, true))
    };
    let runnable: Vec<&ProjectFile> = fitting
        .iter()
        .map(|(_, _, f)| *f)
        .filter(admits_python)
        .collect();
    let Some(best_runnable) = runnable.first() else {
        let spec = best_fit.requires_python.clone().unwrap_or_default();
        return Err(Unusable::RequiresPython(spec));
    };
    runnable
        .iter()
        .find(|f| allow_yanked || f.yanked.is_none())
        .copied()
        .ok_or_else(|| Unusable::Yanked(best_runnable.yanked.clone().unwrap_or_default()))
}

/// What a version offers the target: its best wheel ([`assess`]), else its sdist when
/// `sdists` allows them. Wheels always win within a version.
pub fn choose<'f>(
    files: &'f [ProjectFile],
    platform: &Platform,
    allow_yanked: bool,
    sdists: bool,
) -> Result<&'f ProjectFile, Unusable> {
    assess(files, platform, allow_yanked).or_else(|unusable| {
        let python = &platform.target.python;
        let sdist = files.iter().find(|f| {
            f.filename.ends_with(".tar.gz")
                && (allow_yanked || f.yanked.is_none())
                && f.requires_python
                    .as_ref()
                    .is_none_or(|spec| spec.contains(python, true))
        });
        sdist.filter(|_| sdists).ok_or(unusable)
    })
}

/// A wheel file name up to its version's end (`pydantic_core-2.27.1`).
fn wheel_start(filename: &str) -> Option<&str> {
    let stem = filename.strip_suffix(".whl")?;
    let name_end = stem.find('-')?;
    let version_end = stem.get(name_end + 1..)?.find('-')? + name_end + 1;
    stem.get(..version_end)
}

/// The version a wheel or sdist file name carries, when the name is this package's.
fn version_of(name: &PackageName, filename: &str) -> Option<Version> {
    if filename.ends_with(".whl") {
        let wheel = WheelName::parse(filename).ok()?;
        return (wheel.name == *name).then_some(wheel.version);
    }
    let stem = [".tar.gz", ".zip"]
        .iter()
        .find_map(|ext| filename.strip_suffix(ext))?;
    // Old sdists spell the name freely (`Django-1.0`, `python-dateutil-2.8.2`), so each `-`
    // is tried as the name/version split.
    stem.match_indices('-').find_map(|(i, _)| {
        let (head, tail) = stem.split_at(i);
        let version = tail.get(1..)?;
        (normalize(head) == name.as_str())
            .then(|| version.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pycontainer_python::tags::Libc;

    fn file(filename: &str) -> ProjectFile {
        ProjectFile::new(filename, &format!("https://files.example/{filename}"))
    }

    /// A page listing `filenames`, in that order.
    fn page(filenames: &[&str]) -> ProjectPage {
        ProjectPage {
            files: filenames.iter().copied().map(file).collect(),
        }
    }

    fn target() -> Target {
        Target {
            python: "3.11.4".parse().unwrap(),
            machine: "x86_64".to_string(),
            libc: Libc::Glibc {
                major: 2,
                minor: 36,
            },
        }
    }

    #[test]
    fn versions_come_from_wheel_and_sdist_names() {
        let name = PackageName::new("python-dateutil").unwrap();
        let page = page(&[
            "python-dateutil-2.8.2.tar.gz",
            "python_dateutil-2.9.0.post0-py2.py3-none-any.whl",
            "python-dateutil-2.9.0.post0.tar.gz",
            "python-dateutil-1.4.win32.exe",
            "dateutil-9.9.tar.gz",
            "python-dateutil-latest.zip",
        ]);
        let project = Project::from_page(&name, page);
        let versions: Vec<String> = project.versions().map(|(v, _)| v.to_string()).collect();
        assert_eq!(versions, ["2.9.0.post0", "2.8.2"]);
        assert_eq!(project.files(&"2.9.0.post0".parse().unwrap()).len(), 2);
    }

    #[test]
    fn wheels_sharing_a_version_start_are_grouped_and_others_names_left_out() {
        let name = PackageName::new("pydantic-core").unwrap();
        let page = page(&[
            // Unparsable tags first: its version is not taken from it.
            "pydantic_core-2.27.2-cp311.whl",
            "pydantic_core-2.27.2-cp311-cp311-manylinux_2_17_x86_64.whl",
            "pydantic_core-2.27.2-cp312-cp312-win_amd64.whl",
            "pydantic_core-2.27.2-1-cp311-cp311-musllinux_1_1_x86_64.whl",
            "pydantic_core_extra-2.27.2-cp311-cp311-win_amd64.whl",
            "pydantic_core-2.27.1-cp311-cp311-win_amd64.whl",
        ]);
        let project = Project::from_page(&name, page);
        let versions: Vec<String> = project.versions().map(|(v, _)| v.to_string()).collect();
        assert_eq!(versions, ["2.27.2", "2.27.1"]);
        let newest: Vec<&str> = project
            .files(&"2.27.2".parse().unwrap())
            .iter()
            .map(|f| f.filename.as_str())
            .collect();
        assert_eq!(
            newest,
            [
                "pydantic_core-2.27.2-1-cp311-cp311-musllinux_1_1_x86_64.whl",
                "pydantic_core-2.27.2-cp311-cp311-manylinux_2_17_x86_64.whl",
                "pydantic_core-2.27.2-cp312-cp312-win_amd64.whl",
            ]
        );
    }

    #[test]
    fn a_projects_choice_is_the_files_choice_asked_once_or_again() {
        let target = target();
        let tags = Tags::for_target(&target);
        let platform = Platform {
            target: &target,
            tags: &tags,
        };
        let name = PackageName::new("pydantic-core").unwrap();
        let mut page = page(&[
            "pydantic_core-2.27.2-cp311-cp311-win_amd64.whl",
            "pydantic_core-2.27.2-cp311-cp311-manylinux_2_17_x86_64.whl",
            "pydantic_core-2.27.2.tar.gz",
            "pydantic_core-2.27.1-cp311-cp311-win_amd64.whl",
            "pydantic_core-2.27.1.tar.gz",
        ]);
        page.files[1].yanked = Some("broken".to_owned());
        let project = Project::from_page(&name, page);
        for version in ["2.27.2", "2.27.1"] {
            let version: Version = version.parse().unwrap();
            let files = project.files(&version);
            for (yanked, sdists) in [(false, false), (false, true), (true, false), (true, true)] {
                let direct = choose(files, &platform, yanked, sdists).map(|f| &f.filename);
                for _ in 0..2 {
                    let memo = project
                        .choose(&version, &platform, yanked, sdists)
                        .map(|f| &f.filename);
                    assert_eq!(memo, direct, "{version} yanked={yanked} sdists={sdists}");
                }
            }
        }
        // The yanked wheel counts only when yanked files may be chosen.
        let v2: Version = "2.27.2".parse().unwrap();
        assert!(project.choose(&v2, &platform, false, false).is_err());
        assert!(project.choose(&v2, &platform, true, false).is_ok());
    }

    #[test]
    fn the_best_wheel_wins_whatever_the_page_order() {
        let target = target();
        let tags = Tags::for_target(&target);
        let platform = Platform {
            target: &target,
            tags: &tags,
        };
        let files: Vec<ProjectFile> = [
            "pydantic_core-2.27.2-cp311-cp311-musllinux_1_1_x86_64.whl",
            "pydantic_core-2.27.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "pydantic_core-2.27.2-cp311-cp311-win_amd64.whl",
            "pydantic_core-2.27.2.tar.gz",
        ]
        .into_iter()
        .map(file)
        .collect();
        let best = assess(&files, &platform, false).unwrap();
        assert_eq!(
            best.filename,
            "pydantic_core-2.27.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        );
        let mut reversed = files.clone();
        reversed.reverse();
        assert_eq!(assess(&reversed, &platform, false).unwrap(), best);

        let sdist_only = [file("pydantic_core-2.27.2.tar.gz")];
        assert_eq!(
            assess(&sdist_only, &platform, false),
            Err(Unusable::NoWheel { wheels: 0 })
        );
        assert_eq!(
            assess(&files[2..], &platform, false),
            Err(Unusable::NoWheel { wheels: 1 })
        );
    }

    #[test]
    fn python_and_yank_checks() {
        let target = target();
        let tags = Tags::for_target(&target);
        let platform = Platform {
            target: &target,
            tags: &tags,
        };
        let mut wheel = file("idna-3.10-py3-none-any.whl");
        wheel.requires_python = Some(">=3.12".parse().unwrap());
        assert_eq!(
            assess(std::slice::from_ref(&wheel), &platform, false),
            Err(Unusable::RequiresPython(">=3.12".parse().unwrap()))
        );
        wheel.requires_python = Some(">=3.6".parse().unwrap());
        wheel.yanked = Some("broken".to_string());
        assert_eq!(
            assess(std::slice::from_ref(&wheel), &platform, false),
            Err(Unusable::Yanked("broken".to_string()))
        );
        assert!(assess(std::slice::from_ref(&wheel), &platform, true).is_ok());
    }
}
