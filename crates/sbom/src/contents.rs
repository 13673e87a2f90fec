//! The files of an image that say what is installed, collected while its
//! layers stream past, lowest first: every `*.dist-info/METADATA`, the
//! dpkg and apk databases, and os-release. Later layers replace earlier
//! files and whiteouts delete them, as when the layers are unpacked, so
//! what is collected is what the running container sees.

use std::collections::BTreeMap;

use pycontainer_archive::untar::{Header, Kind, Visitor, Want, Whiteout};
use pycontainer_python::metadata::headers;

use crate::license::{self, License};
use crate::model::{Manager, OsPackages};
use crate::{apk, dpkg, os_release, SbomError};

const DPKG_STATUS: &str = "var/lib/dpkg/status";
const DPKG_STATUS_D: &str = "var/lib/dpkg/status.d/";
const APK_INSTALLED: &str = "lib/apk/db/installed";
const OS_RELEASE: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];
/// A METADATA's headers come first; a long description after them is not needed whole.
const METADATA_LIMIT: u64 = 1 << 20;
/// Package databases: a few MB even on large images.
const DB_LIMIT: u64 = 64 << 20;

#[derive(Default)]
pub struct Contents {
    files: BTreeMap<String, Vec<u8>>,
    capturing: Option<String>,
}

/// A distribution as its installed METADATA names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The `.dist-info` directory, from the image's root.
    pub dist_info: String,
    pub name: String,
    pub version: String,
    pub license: License,
}

impl Contents {
    /// Call before each layer's entries.
    pub fn begin_layer(&mut self) {
        self.capturing = None;
    }

    /// What has been collected, as text by path, between layers: enough to
    /// go on from there (every reader takes the files as lossy UTF-8).
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.files
            .iter()
            .map(|(path, bytes)| (path.clone(), String::from_utf8_lossy(bytes).into_owned()))
            .collect()
    }

    /// Contents that go on from a [`Contents::snapshot`].
    pub fn from_snapshot(files: BTreeMap<String, String>) -> Contents {
        Contents {
            files: files
                .into_iter()
                .map(|(path, text)| (path, text.into_bytes()))
                .collect(),
            capturing: None,
        }
    }

    /// Every installed distribution with a readable Name and Version, by path.
    pub fn python(&self) -> Vec<Installed> {
        self.files
            .iter()
            .filter_map(|(path, bytes)| {
                let dist_info = path.strip_suffix("/METADATA")?;
                let text = String::from_utf8_lossy(bytes);
                let field = |name: &str| {
                    headers(&text)
                        .into_iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| h.value)
                };
                Some(Installed {
                    dist_info: dist_info.to_string(),
                    name: pycontainer_python::name::normalize(&field("Name")?),
                    version: field("Version")?,
                    license: license::from_metadata(&text),
                })
            })
            .collect()
    }

    /// The OS packages, from dpkg's database (with distroless's `status.d`)
    /// or apk's; none when the image carries neither.
    pub fn os(&self) -> Result<Option<OsPackages>, SbomError> {
        let mut packages = Vec::new();
        let mut manager = None;
        for (path, bytes) in &self.files {
            let text = String::from_utf8_lossy(bytes);
            if path == DPKG_STATUS || path.starts_with(DPKG_STATUS_D) {
                packages.extend(dpkg::parse_status(path, &text)?);
                manager = Some(Manager::Dpkg);
            } else if path == APK_INSTALLED {
                packages.extend(apk::parse_installed(path, &text)?);
                manager = Some(Manager::Apk);
            }
        }
        let Some(manager) = manager else {
            return Ok(None);
        };
        let release = OS_RELEASE.iter().find_map(|p| self.files.get(*p));
        let (id, version) =
            os_release::parse(&String::from_utf8_lossy(release.map_or(&[][..], |b| b)));
        let distro = version.map(|v| format!("{id}-{v}"));
        Ok(Some(OsPackages {
            manager,
            namespace: id,
            distro,
            packages,
        }))
    }

    fn remove_under(&mut self, dir: &str, including_dir: bool) {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.files
            .retain(|p, _| !(p.starts_with(&prefix) || (including_dir && p == dir)));
    }
}

impl Visitor for Contents {
    fn entry(&mut self, header: &Header) -> Want {
        self.capturing = None;
        match header.whiteout() {
            Some(Whiteout::Opaque(dir)) => {
                self.remove_under(dir, false);
                return Want::Skip;
            }
            Some(Whiteout::Removed(gone)) => {
                self.remove_under(&gone, true);
                return Want::Skip;
            }
            None => {}
        }
        let path = header.path.as_str();
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        // A directory over a directory merges with it; anything else
        // replaces what lower layers had at this path.
        match header.kind {
            Kind::Dir => {
                self.files.remove(path);
            }
            _ => self.remove_under(path, true),
        }
        let limit = if path == DPKG_STATUS
            || path == APK_INSTALLED
            || OS_RELEASE.contains(&path)
            || path
                .strip_prefix(DPKG_STATUS_D)
                .is_some_and(|f| !f.contains('/') && !f.ends_with(".md5sums"))
        {
            DB_LIMIT
        } else if dir.ends_with(".dist-info") && name == "METADATA" {
            METADATA_LIMIT
        } else {
            return Want::Skip;
        };
        if header.kind != Kind::File {
            return Want::Skip;
        }
        self.files.insert(path.to_owned(), Vec::new());
        self.capturing = Some(path.to_owned());
        Want::Data { limit }
    }

    fn data(&mut self, bytes: &[u8]) {
        if let Some(file) = self.capturing.as_ref().and_then(|p| self.files.get_mut(p)) {
            file.extend_from_slice(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(c: &mut Contents, path: &str, text: &str) {
        let header = Header {
            path: path.into(),
            kind: Kind::File,
            size: text.len() as u64,
        };
        if c.entry(&header) != Want::Skip {
            c.data(text.as_bytes());
        }
    }

    fn marker(c: &mut Contents, path: &str) {
        let header = Header {
            path: path.into(),
            kind: Kind::File,
            size: 0,
        };
        assert_eq!(c.entry(&header), Want::Skip);
    }

    const SITE: &str = "app/.venv/lib/python3.11/site-packages";

    #[test]
    fn a_snapshot_goes_on_as_the_contents_it_was_taken_from() {
        let mut c = Contents::default();
        c.begin_layer();
        file(&mut c, "var/lib/dpkg/status", "Package: a\n");
        file(
            &mut c,
            "usr/lib/python3/dist-packages/x-1.dist-info/METADATA",
            "Name: x\nVersion: 1\n",
        );
        let mut resumed = Contents::from_snapshot(c.snapshot());
        for contents in [&mut c, &mut resumed] {
            contents.begin_layer();
            marker(contents, "usr/lib/python3/dist-packages/.wh.x-1.dist-info");
        }
        assert_eq!(resumed.snapshot(), c.snapshot());
        assert_eq!(resumed.python(), c.python());
        assert_eq!(resumed.snapshot().len(), 1);
    }

    #[test]
    fn the_topmost_metadata_counts_and_whiteouts_delete() {
        let mut c = Contents::default();
        file(
            &mut c,
            &format!("{SITE}/a-1.dist-info/METADATA"),
            "Name: A\nVersion: 1\nLicense: MIT\n",
        );
        file(
            &mut c,
            &format!("{SITE}/b-1.dist-info/METADATA"),
            "Name: b\nVersion: 1\n",
        );
        file(
            &mut c,
            &format!("{SITE}/c-1.dist-info/METADATA"),
            "Name: c\nVersion: 1\n",
        );
        file(
            &mut c,
            "usr/lib/python3/dist-packages/d.egg-info/PKG-INFO",
            "Name: d\nVersion: 1\n",
        );
        c.begin_layer();
        marker(&mut c, &format!("{SITE}/.wh.b-1.dist-info"));
        file(
            &mut c,
            &format!("{SITE}/c-1.dist-info/METADATA"),
            "Name: c\nVersion: 1.0.post1\n",
        );
        let found: Vec<String> = c
            .python()
            .iter()
            .map(|d| format!("{} {} {:?}", d.name, d.version, d.license))
            .collect();
        assert_eq!(found, ["a 1 Spdx(\"MIT\")", "c 1.0.post1 NoAssertion"]);
        c.begin_layer();
        // A layer that lists the directory again keeps what is under it.
        let dir = Header {
            path: SITE.into(),
            kind: Kind::Dir,
            size: 0,
        };
        assert_eq!(c.entry(&dir), Want::Skip);
        assert_eq!(c.python().len(), 2);
        marker(&mut c, &format!("{SITE}/.wh..wh..opq"));
        assert!(c.python().is_empty());
    }

    #[test]
    fn dpkg_with_distroless_status_d_and_the_distro_from_os_release() {
        let mut c = Contents::default();
        file(&mut c, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
        file(&mut c, "var/lib/dpkg/status", "Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n");
        file(
            &mut c,
            "var/lib/dpkg/status.d/tzdata",
            "Package: tzdata\nVersion: 2024a\nArchitecture: all\n",
        );
        file(
            &mut c,
            "var/lib/dpkg/status.d/tzdata.md5sums",
            "abc  usr/share/zoneinfo/UTC\n",
        );
        let os = c.os().unwrap().unwrap();
        assert_eq!(os.manager, Manager::Dpkg);
        assert_eq!(os.distro.as_deref(), Some("debian-12"));
        let names: Vec<&str> = os.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["base-files", "tzdata"]);
    }

    #[test]
    fn apk_and_no_database_at_all() {
        let mut c = Contents::default();
        assert_eq!(c.os().unwrap(), None);
        file(&mut c, "etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n");
        file(
            &mut c,
            "lib/apk/db/installed",
            "P:musl\nV:1.2.4-r4\nA:x86_64\nL:MIT\n",
        );
        let os = c.os().unwrap().unwrap();
        assert_eq!(
            (os.manager, os.namespace.as_str()),
            (Manager::Apk, "alpine")
        );
        assert_eq!(os.packages[0].license, License::Spdx("MIT".into()));
    }
}
