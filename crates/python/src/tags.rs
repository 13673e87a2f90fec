//! Which wheels the target image can install, best first.
//!
//! The order is that of `packaging.tags.sys_tags()` for CPython on Linux, which pip uses to pick
//! among a release's wheels, but computed for the target's Python, machine and libc rather than
//! for the interpreter running the build (there is none).

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::pep440::Version;
use crate::pep508::MarkerEnv;
use crate::wheel::WheelName;

/// The C library the target's interpreter links against, which decides between
/// `manylinux_*` and `musllinux_*` wheels and caps their version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "LibcRecord", try_from = "LibcRecord")]
pub enum Libc {
    Glibc { major: u32, minor: u32 },
    Musl { major: u32, minor: u32 },
}

/// [`Libc`] as JSON, `{"kind": "glibc", "major": 2, "minor": 36}`, through a flat struct: an
/// internally tagged enum's derive buffers its input and cost 12 KB of the wasm module.
#[derive(serde::Serialize, serde::Deserialize)]
struct LibcRecord {
    kind: String,
    major: u32,
    minor: u32,
}

impl From<Libc> for LibcRecord {
    fn from(libc: Libc) -> LibcRecord {
        let (kind, major, minor) = match libc {
            Libc::Glibc { major, minor } => ("glibc", major, minor),
            Libc::Musl { major, minor } => ("musl", major, minor),
        };
        LibcRecord {
            kind: kind.to_owned(),
            major,
            minor,
        }
    }
}

impl TryFrom<LibcRecord> for Libc {
    type Error = String;

    fn try_from(record: LibcRecord) -> Result<Libc, String> {
        let LibcRecord { kind, major, minor } = record;
        match kind.as_str() {
            "glibc" => Ok(Libc::Glibc { major, minor }),
            "musl" => Ok(Libc::Musl { major, minor }),
            _ => Err(format!(
                "unknown variant `{kind}`, expected `glibc` or `musl`"
            )),
        }
    }
}

impl fmt::Display for Libc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Libc::Glibc { major, minor } => write!(f, "glibc {major}.{minor}"),
            Libc::Musl { major, minor } => write!(f, "musl {major}.{minor}"),
        }
    }
}

/// The platform the image will run on: CPython on Linux.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The full version, e.g. 3.11.2.
    pub python: Version,
    /// As `uname -m` says it: x86_64, aarch64, armv7l, i686, ppc64le, s390x.
    pub machine: String,
    pub libc: Libc,
}

impl Target {
    pub fn marker_env(&self) -> MarkerEnv {
        MarkerEnv::linux_cpython(&self.python, &self.machine)
    }

    /// For error messages: "CPython 3.11 on linux x86_64 (glibc 2.36)".
    pub fn describe(&self) -> String {
        format!(
            "CPython {}.{} on linux {} ({})",
            self.python.release_part(0),
            self.python.release_part(1),
            self.machine,
            self.libc
        )
    }
}

/// The target's supported tags, each with its rank.
#[derive(Clone, Debug)]
pub struct Tags {
    /// `python-abi-platform`, lowercase, to its position in the preference order.
    rank: HashMap<String, usize>,
}

impl Tags {
    pub fn for_target(target: &Target) -> Tags {
        let major = target.python.release_part(0);
        let minor = target.python.release_part(1);
        let platforms = platforms(&target.machine, target.libc);
        let mut ordered = Vec::new();
        cpython_tags(major, minor, &platforms, &mut ordered);
        compatible_tags(major, minor, &platforms, &mut ordered);
        let mut rank = HashMap::with_capacity(ordered.len());
        for (i, tag) in ordered.into_iter().enumerate() {
            rank.entry(tag).or_insert(i);
        }
        Tags { rank }
    }

    /// Lower is better; None when the wheel cannot be installed on the target.
    ///
    /// A wheel with several tags ranks by its best one, as in pip.
    pub fn priority(&self, wheel: &WheelName) -> Option<usize> {
        wheel
            .tags()
            .filter_map(|(python, abi, platform)| {
                // Tags compare case-insensitively (packaging lowercases them).
                let key = format!("{python}-{abi}-{platform}").to_ascii_lowercase();
                self.rank.get(&key).copied()
            })
            .min()
    }
}

/// Which wheels CPython `major.minor` can load on some Linux machine, whatever its architecture
/// and C library: for choosing the Python before the base image, and so the machine, is read.
/// A wheel fits when one of its tags pairs an interpreter and ABI that [`Tags`] would rank for
/// that Python with a Linux platform or `any`; the install still checks the full tag later.
#[derive(Clone, Debug)]
pub struct PythonTags {
    /// `cp311-abi3`, `py3-none`, …, lowercase.
    pairs: HashSet<String>,
}

impl PythonTags {
    pub fn for_minor(major: u32, minor: u32) -> PythonTags {
        // The same generators as `Tags`, with the one platform `any`, give exactly the
        // interpreter-ABI pairs that Python ranks.
        let any = ["any".to_owned()];
        let mut tags = Vec::new();
        cpython_tags(u64::from(major), u64::from(minor), &any, &mut tags);
        compatible_tags(u64::from(major), u64::from(minor), &any, &mut tags);
        let pairs = tags
            .iter()
            .filter_map(|t| t.strip_suffix("-any"))
            .map(str::to_owned)
            .collect();
        PythonTags { pairs }
    }

    /// Whether one of the wheel's tags fits this Python on Linux.
    pub fn fits(&self, wheel: &WheelName) -> bool {
        wheel.tags().any(|(python, abi, platform)| {
            let platform = platform.to_ascii_lowercase();
            let linux = platform == "any"
                || ["manylinux", "musllinux", "linux_"]
                    .iter()
                    .any(|prefix| platform.starts_with(prefix));
            linux
                && self
                    .pairs
                    .contains(&format!("{python}-{abi}").to_ascii_lowercase())
        })
    }
}

/// `cpython_tags()`: the exact ABI, then the stable ABI, then none, each over every platform,
/// then the stable ABI of every older minor down to 3.2, where it began.
fn cpython_tags(major: u64, minor: u64, platforms: &[String], out: &mut Vec<String>) {
    let interpreter = format!("cp{major}{minor}");
    // Before 3.8 the default build (pymalloc) marked its ABI with an `m`.
    let abi = if (major, minor) < (3, 8) {
        format!("{interpreter}m")
    } else {
        interpreter.clone()
    };
    let stable_abi = (major, minor) >= (3, 2);
    let mut abis = vec![abi.as_str()];
    if stable_abi {
        abis.push("abi3");
    }
    abis.push("none");
    for abi in abis {
        out.extend(platforms.iter().map(|p| format!("{interpreter}-{abi}-{p}")));
    }
    if stable_abi {
        for older in (2..minor).rev() {
            out.extend(
                platforms
                    .iter()
                    .map(|p| format!("cp{major}{older}-abi3-{p}")),
            );
        }
    }
}

/// `compatible_tags()`: pure-Python tags, first with a platform, then for `any`.
fn compatible_tags(major: u64, minor: u64, platforms: &[String], out: &mut Vec<String>) {
    let pythons = python_range(major, minor);
    for python in &pythons {
        out.extend(platforms.iter().map(|p| format!("{python}-none-{p}")));
    }
    out.push(format!("cp{major}{minor}-none-any"));
    out.extend(pythons.iter().map(|python| format!("{python}-none-any")));
}

/// `py311`, `py3`, then `py310` down to `py30`.
fn python_range(major: u64, minor: u64) -> Vec<String> {
    let mut pythons = vec![format!("py{major}{minor}"), format!("py{major}")];
    pythons.extend((0..minor).rev().map(|older| format!("py{major}{older}")));
    pythons
}

/// Architectures whose glibc builds can load manylinux wheels. packaging checks the
/// interpreter's ELF header for 32-bit ARM and only accepts hard-float; `linux/arm/v7`
/// images are armhf, so `armv7l` is taken as hard-float, while older ARM machines
/// (armv6l, armv5tel) get no manylinux tags, as packaging gives a soft-float build none.
const MANYLINUX_ARCHS: &[&str] = &[
    "x86_64",
    "i686",
    "aarch64",
    "armv7l",
    "ppc64",
    "ppc64le",
    "s390x",
    "loongarch64",
    "riscv64",
];

/// The newest glibc minor assumed for an older glibc major, as packaging does.
const LAST_GLIBC_MINOR: u32 = 50;

/// The platform tags, best first: the libc's own tags, then the plain `linux_*` ones.
fn platforms(machine: &str, libc: Libc) -> Vec<String> {
    // A 32-bit ARM userland on a 64-bit kernel also runs armv7l wheels.
    let archs: &[&str] = if machine == "armv8l" {
        &["armv8l", "armv7l"]
    } else {
        &[machine]
    };
    let mut out = match libc {
        Libc::Glibc { major, minor } => manylinux(archs, major, minor),
        Libc::Musl { major, minor } => archs
            .iter()
            .flat_map(|arch| {
                (0..=minor)
                    .rev()
                    .map(move |m| format!("musllinux_{major}_{m}_{arch}"))
            })
            .collect(),
    };
    out.extend(archs.iter().map(|arch| format!("linux_{arch}")));
    out
}

/// `manylinux_{major}_{minor}_{arch}` from the target's glibc down to the first one each
/// architecture had in manylinux (2.5 for x86, 2.17 for the rest), with the legacy names
/// right after the PEP 600 tag they alias.
fn manylinux(archs: &[&str], major: u32, minor: u32) -> Vec<String> {
    if !archs.iter().any(|arch| MANYLINUX_ARCHS.contains(arch)) {
        return Vec::new();
    }
    let floor = if archs.iter().any(|arch| matches!(*arch, "x86_64" | "i686")) {
        (2, 5)
    } else {
        (2, 17)
    };
    // For a glibc 3.x, every 2.x would still be older; packaging lists those too.
    let mut ranges = vec![(major, minor)];
    ranges.extend((2..major).rev().map(|older| (older, LAST_GLIBC_MINOR)));
    let mut out = Vec::new();
    for arch in archs {
        for &(glibc_major, newest) in &ranges {
            let oldest = if glibc_major == floor.0 { floor.1 } else { 0 };
            for glibc_minor in (oldest..=newest).rev() {
                out.push(format!("manylinux_{glibc_major}_{glibc_minor}_{arch}"));
                if let Some(legacy) = legacy_manylinux(glibc_major, glibc_minor) {
                    out.push(format!("{legacy}_{arch}"));
                }
            }
        }
    }
    out
}

/// PEP 600's aliases for the tags that predate it.
fn legacy_manylinux(major: u32, minor: u32) -> Option<&'static str> {
    match (major, minor) {
        (2, 17) => Some("manylinux2014"),
        (2, 12) => Some("manylinux2010"),
        (2, 5) => Some("manylinux1"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn libc_json_is_tagged_by_kind() {
        let glibc = Libc::Glibc {
            major: 2,
            minor: 36,
        };
        let json = serde_json::to_string(&glibc).unwrap();
        assert_eq!(json, r#"{"kind":"glibc","major":2,"minor":36}"#);
        assert_eq!(serde_json::from_str::<Libc>(&json).unwrap(), glibc);
        let musl: Libc = serde_json::from_str(r#"{"minor":2,"kind":"musl","major":1}"#).unwrap();
        assert_eq!(musl, Libc::Musl { major: 1, minor: 2 });
        assert!(serde_json::from_str::<Libc>(r#"{"kind":"bionic","major":1,"minor":0}"#).is_err());
    }

    use super::*;

    fn target(python: &str, machine: &str, libc: Libc) -> Target {
        Target {
            python: python.parse().unwrap(),
            machine: machine.to_string(),
            libc,
        }
    }

    fn glibc(minor: u32) -> Libc {
        Libc::Glibc { major: 2, minor }
    }

    fn wheel(name: &str) -> WheelName {
        WheelName::parse(name).unwrap_or_else(|e| panic!("{e}"))
    }

    fn x86_64_311() -> Tags {
        Tags::for_target(&target("3.11.2", "x86_64", glibc(36)))
    }

    /// Every tag, best first.
    fn ordered(tags: &Tags) -> Vec<&str> {
        let mut all: Vec<(&str, usize)> = tags.rank.iter().map(|(t, &i)| (t.as_str(), i)).collect();
        pycontainer_sort::sort_by(&mut all, |a, b| a.1.cmp(&b.1));
        all.into_iter().map(|(t, _)| t).collect()
    }

    const PYDANTIC_X86: &str =
        "pydantic_core-2.33.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";

    #[test]
    fn glibc_x86_64_accepts_manylinux_and_rejects_other_platforms() {
        let tags = x86_64_311();
        assert!(tags.priority(&wheel(PYDANTIC_X86)).is_some());
        for rejected in [
            "pydantic_core-2.33.2-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
            "pydantic_core-2.33.2-cp311-cp311-musllinux_1_1_x86_64.whl",
            "pydantic_core-2.33.2-cp311-cp311-win_amd64.whl",
            "pydantic_core-2.33.2-cp311-cp311-macosx_11_0_arm64.whl",
            "pydantic_core-2.33.2-pp311-pypy311_pp73-manylinux_2_17_x86_64.whl",
            "pydantic_core-2.33.2-cp312-cp312-manylinux_2_17_x86_64.whl",
        ] {
            assert_eq!(tags.priority(&wheel(rejected)), None, "{rejected}");
        }
    }

    #[test]
    fn exact_abi_beats_stable_abi_beats_pure_python() {
        let tags = x86_64_311();
        let exact = tags.priority(&wheel(PYDANTIC_X86)).unwrap();
        let abi3 = tags
            .priority(&wheel(
                "cryptography-45.0.4-cp311-abi3-manylinux_2_34_x86_64.whl",
            ))
            .unwrap();
        let older_abi3 = tags
            .priority(&wheel(
                "cryptography-45.0.4-cp39-abi3-manylinux_2_34_x86_64.whl",
            ))
            .unwrap();
        let pure = tags
            .priority(&wheel("typing_extensions-4.14.0-py3-none-any.whl"))
            .unwrap();
        assert!(exact < abi3, "{exact} {abi3}");
        assert!(abi3 < older_abi3, "{abi3} {older_abi3}");
        assert!(older_abi3 < pure, "{older_abi3} {pure}");
        // A newer manylinux tag ranks before an older one of the same ABI.
        let newer = tags
            .priority(&wheel("numpy-2.3.0-cp311-cp311-manylinux_2_28_x86_64.whl"))
            .unwrap();
        assert!(newer < exact);
    }

    #[test]
    fn a_wheel_ranks_by_its_best_tag() {
        let tags = x86_64_311();
        let both = tags.priority(&wheel("six-1.17.0-py2.py3-none-any.whl"));
        let py3 = tags.priority(&wheel("six-1.17.0-py3-none-any.whl"));
        assert_eq!(both, py3);
        assert_eq!(
            tags.priority(&wheel("futures-3.4.0-py2-none-any.whl")),
            None
        );
        // Tags compare case-insensitively, as packaging lowercases them.
        assert_eq!(
            tags.priority(&wheel("foo-1.0-CP311-CP311-MANYLINUX_2_17_X86_64.whl")),
            tags.priority(&wheel(PYDANTIC_X86))
        );
    }

    #[test]
    fn glibc_caps_the_manylinux_version() {
        let tags = Tags::for_target(&target("3.11.2", "x86_64", glibc(31)));
        let new = wheel("cryptography-45.0.4-cp311-abi3-manylinux_2_34_x86_64.whl");
        assert_eq!(tags.priority(&new), None);
        let old = wheel("cryptography-45.0.4-cp311-abi3-manylinux_2_28_x86_64.whl");
        assert!(tags.priority(&old).is_some());
        assert!(tags
            .priority(&wheel("x-1.0-cp311-cp311-manylinux_2_31_x86_64.whl"))
            .is_some());
        assert!(tags
            .priority(&wheel("x-1.0-cp311-cp311-manylinux1_x86_64.whl"))
            .is_some());
    }

    #[test]
    fn musl_accepts_musllinux_and_rejects_manylinux() {
        let tags = Tags::for_target(&target(
            "3.11.9",
            "x86_64",
            Libc::Musl { major: 1, minor: 2 },
        ));
        assert!(tags
            .priority(&wheel("numpy-2.3.0-cp311-cp311-musllinux_1_1_x86_64.whl"))
            .is_some());
        assert!(tags
            .priority(&wheel("numpy-2.3.0-cp311-cp311-musllinux_1_2_x86_64.whl"))
            .is_some());
        assert_eq!(
            tags.priority(&wheel("numpy-2.3.0-cp311-cp311-musllinux_1_3_x86_64.whl")),
            None
        );
        assert_eq!(tags.priority(&wheel(PYDANTIC_X86)), None);
        assert!(tags
            .priority(&wheel("typing_extensions-4.14.0-py3-none-any.whl"))
            .is_some());
        let order = ordered(&tags);
        assert_eq!(
            &order[..4],
            [
                "cp311-cp311-musllinux_1_2_x86_64",
                "cp311-cp311-musllinux_1_1_x86_64",
                "cp311-cp311-musllinux_1_0_x86_64",
                "cp311-cp311-linux_x86_64",
            ]
        );
    }

    #[test]
    fn newer_python_takes_older_abi3_but_not_older_exact_abi() {
        let tags = Tags::for_target(&target("3.12.4", "x86_64", glibc(36)));
        assert_eq!(tags.priority(&wheel(PYDANTIC_X86)), None);
        assert!(tags
            .priority(&wheel(
                "cryptography-45.0.4-cp39-abi3-manylinux_2_34_x86_64.whl"
            ))
            .is_some());
        // abi3 wheels are never for a newer Python than the target.
        assert_eq!(
            tags.priority(&wheel("x-1.0-cp313-abi3-manylinux_2_17_x86_64.whl")),
            None
        );
    }

    #[test]
    fn exact_positions_match_packaging_sys_tags() {
        // Generated by packaging 26.2's cpython_tags + compatible_tags for CPython 3.11,
        // glibc 2.36, x86_64: 36 platforms, 12 CPython ABI rows, 13 pure rows, 14 `any` tags.
        let tags = x86_64_311();
        let order = ordered(&tags);
        assert_eq!(order.len(), 914);
        assert_eq!(order[0], "cp311-cp311-manylinux_2_36_x86_64");
        assert_eq!(order[19], "cp311-cp311-manylinux_2_17_x86_64");
        assert_eq!(order[20], "cp311-cp311-manylinux2014_x86_64");
        assert_eq!(order[21], "cp311-cp311-manylinux_2_16_x86_64");
        assert_eq!(order[25], "cp311-cp311-manylinux_2_12_x86_64");
        assert_eq!(order[26], "cp311-cp311-manylinux2010_x86_64");
        assert_eq!(order[34], "cp311-cp311-manylinux1_x86_64");
        assert_eq!(order[35], "cp311-cp311-linux_x86_64");
        assert_eq!(order[36], "cp311-abi3-manylinux_2_36_x86_64");
        assert_eq!(order[72], "cp311-none-manylinux_2_36_x86_64");
        assert_eq!(order[108], "cp310-abi3-manylinux_2_36_x86_64");
        assert_eq!(order[431], "cp32-abi3-linux_x86_64");
        assert_eq!(order[432], "py311-none-manylinux_2_36_x86_64");
        assert_eq!(order[468], "py3-none-manylinux_2_36_x86_64");
        assert_eq!(order[899], "py30-none-linux_x86_64");
        assert_eq!(order[900], "cp311-none-any");
        assert_eq!(order[901], "py311-none-any");
        assert_eq!(order[902], "py3-none-any");
        assert_eq!(order[903], "py310-none-any");
        assert_eq!(order[913], "py30-none-any");
        assert_eq!(tags.priority(&wheel(PYDANTIC_X86)), Some(19));
    }

    #[test]
    fn other_architectures_start_manylinux_at_2_17() {
        let tags = Tags::for_target(&target("3.12.1", "aarch64", glibc(31)));
        let order = ordered(&tags);
        // 2_31 down to 2_17 is 15 tags, manylinux2014 and linux_aarch64 make 17 platforms.
        assert_eq!(order.len(), 474);
        assert_eq!(order[14], "cp312-cp312-manylinux_2_17_aarch64");
        assert_eq!(order[15], "cp312-cp312-manylinux2014_aarch64");
        assert_eq!(order[16], "cp312-cp312-linux_aarch64");
        assert!(!order
            .iter()
            .any(|t| t.contains("manylinux2010") || t.contains("manylinux1")));
        assert!(tags
            .priority(&wheel(
                "uvloop-0.21.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"
            ))
            .is_some());
        assert_eq!(
            tags.priority(&wheel("x-1.0-cp312-cp312-manylinux_2_12_aarch64.whl")),
            None
        );
    }

    #[test]
    fn armv8l_also_takes_armv7l_wheels_and_soft_float_arm_takes_no_manylinux() {
        let tags = Tags::for_target(&target("3.13.0", "armv8l", glibc(36)));
        assert!(tags
            .priority(&wheel(
                "x-1.0-cp313-cp313-manylinux_2_17_armv7l.manylinux2014_armv7l.whl"
            ))
            .is_some());
        let order = ordered(&tags);
        assert_eq!(order[0], "cp313-cp313-manylinux_2_36_armv8l");
        assert_eq!(order[21], "cp313-cp313-manylinux_2_36_armv7l");

        let tags = Tags::for_target(&target("3.9.2", "armv6l", glibc(36)));
        let order = ordered(&tags);
        assert_eq!(order[0], "cp39-cp39-linux_armv6l");
        assert!(!order.iter().any(|t| t.contains("manylinux")));
    }

    #[test]
    fn python_37_uses_the_pymalloc_abi() {
        let tags = Tags::for_target(&target("3.7.17", "i686", glibc(28)));
        assert_eq!(ordered(&tags)[0], "cp37-cp37m-manylinux_2_28_i686");
        assert!(tags
            .priority(&wheel("x-1.0-cp37-cp37m-manylinux1_i686.whl"))
            .is_some());
        assert_eq!(
            tags.priority(&wheel("x-1.0-cp37-cp37-manylinux1_i686.whl")),
            None
        );
    }

    #[test]
    fn description_and_marker_environment() {
        let t = target("3.11.2", "x86_64", glibc(36));
        assert_eq!(t.describe(), "CPython 3.11 on linux x86_64 (glibc 2.36)");
        let m = target("3.12.0", "aarch64", Libc::Musl { major: 1, minor: 2 });
        assert_eq!(m.describe(), "CPython 3.12 on linux aarch64 (musl 1.2)");
        let env = m.marker_env();
        assert_eq!(env.python_full_version, "3.12.0");
        assert_eq!(env.python_version, "3.12");
        assert_eq!(env.platform_machine, "aarch64");
        assert_eq!(env.sys_platform, "linux");
    }

    #[test]
    fn python_tags_fit_by_interpreter_and_abi_on_any_linux() {
        let py311 = PythonTags::for_minor(3, 11);
        let py312 = PythonTags::for_minor(3, 12);
        let fits = |tags: &PythonTags, name: &str| tags.fits(&wheel(name));
        // Pure wheels fit every Python 3.
        assert!(fits(&py311, "six-1.0-py2.py3-none-any.whl"));
        assert!(fits(&py312, "six-1.0-py3-none-any.whl"));
        assert!(fits(&py311, "old-1.0-py36-none-any.whl"));
        assert!(!fits(&py311, "new-1.0-py312-none-any.whl"));
        // A CPython-specific build fits its own minor only.
        let cp311 = "core-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
        assert!(fits(&py311, cp311));
        assert!(!fits(&py312, cp311));
        assert!(fits(
            &py311,
            "core-2.0-cp311-cp311-musllinux_1_2_aarch64.whl"
        ));
        assert!(fits(&py311, "core-2.0-cp311-none-any.whl"));
        // The stable ABI fits its minor and every newer one.
        let abi3 = "w-1.0-cp38-abi3-manylinux_2_17_x86_64.whl";
        assert!(fits(&py311, abi3) && fits(&py312, abi3));
        assert!(!fits(&PythonTags::for_minor(3, 7), abi3));
        // Not Linux, or not CPython's default build.
        assert!(!fits(&py311, "core-2.0-cp311-cp311-win_amd64.whl"));
        assert!(!fits(&py311, "core-2.0-cp311-cp311-macosx_11_0_arm64.whl"));
        assert!(!fits(
            &py311,
            "core-2.0-pp310-pypy310_pp73-manylinux_2_17_x86_64.whl"
        ));
        assert!(!fits(
            &PythonTags::for_minor(3, 13),
            "core-2.0-cp313-cp313t-manylinux_2_17_x86_64.whl"
        ));
        // Tags compare case-insensitively.
        assert!(fits(
            &py311,
            "core-2.0-CP311-CP311-MANYLINUX_2_17_X86_64.whl"
        ));
    }
}
