//! Fixtures for the integration tests: temp projects, builds with the native host, layer listings.
#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use pycontainer::validate;
use pycontainer::BuildOptions;
use pycontainer::Error;
use pycontainer::NativeHost;
use pycontainer::{build, BuildResult};
use pycontainer_archive::gunzip::Gunzip;
use pycontainer_digest::Digest;
use pycontainer_oci::{ImageConfig, Index, Manifest};

/// A fixture project's files: (relative path, content).
pub type Files<'a> = &'a [(&'a str, &'a str)];

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("pyc-test-{}-{label}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    pub fn path(&self, rel: &str) -> String {
        self.0.join(rel).to_string_lossy().into_owned()
    }

    /// Writes files given as (relative path, content); parents are created.
    pub fn write(&self, files: &[(&str, &str)]) -> &Self {
        for (rel, content) in files {
            let p = self.0.join(rel);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(&p, content).expect("write");
        }
        self
    }

    pub fn chmod(&self, rel: &str, mode: u32) {
        fs::set_permissions(self.0.join(rel), fs::Permissions::from_mode(mode)).expect("chmod");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

pub fn host() -> NativeHost {
    NativeHost::with_env(&[])
}

pub fn options(context: &str, output: &str, base: &str, tags: &[&str]) -> BuildOptions {
    BuildOptions {
        context: context.to_owned(),
        output: Some(output.to_owned()),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        base_image: Some(base.to_owned()),
        ..BuildOptions::default()
    }
}

pub fn run(host: &NativeHost, opts: &BuildOptions) -> Result<BuildResult, Error> {
    pollster::block_on(build(host, opts))
}

/// Builds and checks the image with `validate`, as every test that builds should.
pub fn build_valid(host: &NativeHost, opts: &BuildOptions) -> BuildResult {
    let result = run(host, opts).unwrap_or_else(|e| panic!("build failed: {e}"));
    let output = result
        .output
        .as_deref()
        .unwrap_or_else(|| panic!("no output layout"));
    for tag in &result.tags {
        let report = pollster::block_on(validate(host, output, Some(tag)));
        assert!(
            report.ok,
            "invalid image {output}:{tag}: {:?}",
            report.problems
        );
    }
    result
}

pub fn read_json<T: serde::de::DeserializeOwned>(path: impl AsRef<Path>) -> T {
    let bytes =
        fs::read(path.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()));
    serde_json::from_slice(&bytes).expect("json")
}

pub fn blob(layout: &str, digest: &impl ToString) -> PathBuf {
    let d = digest.to_string();
    Path::new(layout)
        .join("blobs/sha256")
        .join(d.trim_start_matches("sha256:"))
}

pub fn index(layout: &str) -> Index {
    read_json(Path::new(layout).join("index.json"))
}

pub fn manifest(layout: &str, result: &BuildResult) -> Manifest {
    read_json(blob(layout, &digest(&result.manifest_digest)))
}

pub fn config(layout: &str, result: &BuildResult) -> ImageConfig {
    read_json(blob(layout, &digest(&result.config_digest)))
}

/// The digest of something that was built (not dry-run).
pub fn digest(d: &Option<Digest>) -> Digest {
    d.clone().expect("a build, not a dry run, has digests")
}

/// One entry of a layer, as a tar reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub path: String,
    pub kind: char,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: u64,
    pub user: String,
    pub link: Option<String>,
    pub content: Vec<u8>,
}

/// Every entry of a gzip layer blob, in archive order.
pub fn list_layer(path: &Path) -> Vec<Listed> {
    let gz = fs::read(path).expect("read layer");
    let mut tar_bytes = Vec::new();
    let mut d = Gunzip::new();
    d.push(&gz, &mut |b| tar_bytes.extend_from_slice(b))
        .expect("gunzip");
    d.finish().expect("gunzip end");
    list_tar(&tar_bytes)
}

/// Every entry of a tar, in archive order.
pub fn list_tar(tar_bytes: &[u8]) -> Vec<Listed> {
    let mut archive = tar::Archive::new(tar_bytes);
    let mut out = Vec::new();
    for entry in archive.entries().expect("tar") {
        let mut e = entry.expect("entry");
        let h = e.header().clone();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut content).expect("content");
        out.push(Listed {
            path: e.path().expect("path").to_string_lossy().into_owned(),
            kind: match h.entry_type() {
                tar::EntryType::Directory => 'd',
                tar::EntryType::Symlink => 'l',
                tar::EntryType::Regular => 'f',
                _ => '?',
            },
            mode: h.mode().expect("mode"),
            uid: h.uid().expect("uid"),
            gid: h.gid().expect("gid"),
            mtime: h.mtime().expect("mtime"),
            user: String::from_utf8_lossy(h.username_bytes().unwrap_or_default()).into_owned(),
            link: e
                .link_name()
                .ok()
                .flatten()
                .map(|l| l.to_string_lossy().into_owned()),
            content,
        });
    }
    out
}

/// Writes `count` pairs of files into `dir` (relative to the context):
/// `noise{i}.bin` (xorshift bytes from `seed`, incompressible) and
/// `text{i}.txt` (`text`, highly compressible), so a layer spans several
/// compression chunks of both kinds.
pub fn write_noise_and_text(
    ctx: &TempDir,
    dir: &str,
    count: usize,
    noise_len: usize,
    seed: u64,
    text: &str,
) {
    let mut seed = seed;
    let base = ctx.0.join(dir);
    fs::create_dir_all(&base).expect("mkdir");
    for i in 0..count {
        let noise: Vec<u8> = (0..noise_len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        fs::write(base.join(format!("noise{i}.bin")), noise).expect("write noise");
        fs::write(base.join(format!("text{i}.txt")), text).expect("write text");
    }
}

/// The src-layout console-script project the README builds.
pub fn hello_project(dir: &TempDir) {
    dir.write(&[
        ("pyproject.toml", "[project]\nname = \"hello-cli\"\nversion = \"0.1.0\"\n[project.scripts]\nhello = \"hello.cli:main\"\n"),
        ("src/hello/__init__.py", ""),
        ("src/hello/cli.py", "def main():\n    print('hi')\n"),
    ]);
}
