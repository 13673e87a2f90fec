//! The virtual environment the dependencies live in, and the layer entries
//! that make it: the venv's own files, then every wheel's, merged.

use std::collections::BTreeMap;

use pycontainer_archive::{Entry, ZipMember};
use pycontainer_python::name::PackageName;

use crate::install::{Plan, Scheme, Source};

/// Where the venv is in the image. Under the default workdir, so that the
/// image reads like a project checked out with `uv sync`; the default
/// excludes keep a host's own `.venv` out of the app layer.
pub const VENV: &str = "/app/.venv";

/// The venv's interpreter, absolute: what launchers' shebangs name.
pub fn python() -> String {
    format!("{VENV}/bin/python")
}

/// Where console scripts go, absolute; on PATH through [`Venv::env`].
pub fn scripts_dir() -> String {
    format!("{VENV}/bin")
}

/// The venv for one base interpreter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Venv {
    /// The base's interpreter, absolute: `/usr/local/bin/python3`.
    pub interpreter: String,
    /// `3.11.2`.
    pub version: String,
    /// `3.11`.
    pub minor: String,
}

impl Venv {
    fn root(&self) -> &'static str {
        VENV.trim_start_matches('/')
    }

    pub fn site_packages(&self) -> String {
        format!("{}/lib/python{}/site-packages", self.root(), self.minor)
    }

    pub fn bin(&self) -> String {
        scripts_dir().trim_start_matches('/').to_owned()
    }

    /// Where one distribution's files go: pip's scheme for a venv.
    pub fn scheme(&self, name: &PackageName) -> Scheme {
        Scheme {
            site_packages: self.site_packages(),
            scripts: self.bin(),
            headers: format!("{}/include/site/python{}/{name}", self.root(), self.minor),
            data: self.root().to_owned(),
            python: python(),
        }
    }

    /// `VIRTUAL_ENV`, and PATH with the venv's bin first, as `activate` sets them.
    pub fn env(&self, base_path: Option<&str>) -> Vec<(String, String)> {
        let path =
            base_path.unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        vec![
            ("VIRTUAL_ENV".to_owned(), VENV.to_owned()),
            ("PATH".to_owned(), format!("{VENV}/bin:{path}")),
        ]
    }

    /// pyvenv.cfg, as `python -m venv` writes it: `home` is the directory
    /// of the interpreter the venv runs, which is how Python finds its
    /// standard library from a venv.
    fn pyvenv_cfg(&self) -> String {
        let home = self
            .interpreter
            .rsplit_once('/')
            .map_or(
                "/usr/bin",
                |(dir, _)| if dir.is_empty() { "/" } else { dir },
            );
        format!(
            "home = {home}\ninclude-system-site-packages = false\nversion = {}\nexecutable = {}\ncommand = {} -m venv {VENV}\n",
            self.version, self.interpreter, self.interpreter
        )
    }

    /// The venv's own entries: its directories, pyvenv.cfg and the
    /// interpreter links.
    fn skeleton(&self) -> Vec<Entry> {
        let root = self.root();
        let mut out: Vec<Entry> = [
            "app".to_owned(),
            root.to_owned(),
            self.bin(),
            format!("{root}/include"),
            format!("{root}/lib"),
            format!("{root}/lib/python{}", self.minor),
            self.site_packages(),
        ]
        .into_iter()
        .map(|d| Entry::dir(d, 0))
        .collect();
        out.push(Entry::bytes(
            format!("{root}/pyvenv.cfg"),
            0o644,
            self.pyvenv_cfg().into_bytes(),
        ));
        out.push(Entry::symlink(
            format!("{root}/bin/python"),
            &self.interpreter,
        ));
        out.push(Entry::symlink(format!("{root}/bin/python3"), "python"));
        out.push(Entry::symlink(
            format!("{root}/bin/python{}", self.minor),
            "python",
        ));
        // 64-bit venvs on Linux have it, and some tools look for lib64.
        out.push(Entry::symlink(format!("{root}/lib64"), "lib"));
        out
    }

    /// Every entry of the deps layer, sorted by path. `wheels` holds each
    /// wheel's cached path, file name and install plan, in package-name
    /// order. Where two wheels install one path, the later wins, as it
    /// would with pip installing in that order.
    pub fn entries(&self, wheels: &[(String, String, Plan)]) -> Vec<Entry> {
        let mut all: BTreeMap<String, Entry> = BTreeMap::new();
        for e in self.skeleton() {
            all.insert(e.path.clone(), e);
        }
        for (archive, wheel, plan) in wheels {
            for d in &plan.dirs {
                all.entry(d.clone())
                    .or_insert_with(|| Entry::dir(d.clone(), 0));
            }
            for f in &plan.files {
                let entry = match &f.source {
                    Source::Bytes(bytes) => Entry::bytes(f.path.clone(), f.mode, bytes.clone()),
                    Source::Zip { entry, expected } => Entry::zip_member(
                        f.path.clone(),
                        f.mode,
                        ZipMember {
                            archive: archive.clone(),
                            label: wheel.clone(),
                            entry: entry.clone(),
                            expected: expected.clone(),
                        },
                    ),
                };
                all.insert(f.path.clone(), entry);
            }
        }
        all.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venv(interpreter: &str) -> Venv {
        Venv {
            interpreter: interpreter.to_owned(),
            version: "3.11.2".to_owned(),
            minor: "3.11".to_owned(),
        }
    }

    #[test]
    fn pyvenv_cfg_points_home_at_the_base_interpreter_directory() {
        let cfg = venv("/usr/local/bin/python3").pyvenv_cfg();
        assert!(
            cfg.starts_with(
                "home = /usr/local/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n"
            ),
            "{cfg}"
        );
        assert!(venv("/usr/bin/python3")
            .pyvenv_cfg()
            .starts_with("home = /usr/bin\n"));
    }

    #[test]
    fn skeleton_is_sorted_with_links_to_the_base_interpreter() {
        let v = venv("/usr/bin/python3");
        let entries = v.entries(&[]);
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        let mut sorted = paths.clone();
        pycontainer_sort::sort(&mut sorted);
        assert_eq!(paths, sorted);
        assert!(paths.contains(&"app/.venv/lib/python3.11/site-packages"));
        let python = entries
            .iter()
            .find(|e| e.path == "app/.venv/bin/python")
            .unwrap();
        assert_eq!(
            python.kind,
            pycontainer_archive::EntryKind::Symlink {
                target: "/usr/bin/python3".into()
            }
        );
        assert_eq!(
            v.scheme(&PackageName::new("Foo").unwrap()).headers,
            "app/.venv/include/site/python3.11/foo"
        );
        assert_eq!(
            v.env(Some("/usr/bin:/bin"))[1],
            ("PATH".to_owned(), "/app/.venv/bin:/usr/bin:/bin".to_owned())
        );
    }
}
