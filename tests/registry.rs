//! The registry client with the native host against Debian's real
//! `docker-registry` on loopback (plain http, and htpasswd Basic auth).
//! TLS, token auth, faults and request counting are tested through Node in
//! tests/e2e/registry.test.mjs.
// Tests run natively, never in the wasm: the standard sorts are fine here.
#![allow(clippy::disallowed_methods)]

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use pycontainer::errors::RegistryError;
use pycontainer::errors::SinkError;
use pycontainer::errors::SourceError;
use pycontainer::Error;
use pycontainer::NativeHost;
use pycontainer::{push_layout, PushOptions};
use pycontainer::{BuildOptions, PlanError};

/// A registry process, killed when dropped.
struct Registry {
    child: Child,
    host: String,
    _dir: TempDir,
}

impl Registry {
    fn start(htpasswd: Option<(&str, &str)>) -> Registry {
        let dir = TempDir::new("registry");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut config = format!(
            "version: 0.1\nlog: {{level: error}}\n\
             storage: {{filesystem: {{rootdirectory: {}}}, delete: {{enabled: true}}}}\n\
             http: {{addr: 127.0.0.1:{port}}}\n",
            dir.path("data")
        );
        if let Some((user, pass)) = htpasswd {
            let out = Command::new("htpasswd")
                .args(["-Bbn", user, pass])
                .output()
                .expect("htpasswd (apache2-utils) is installed");
            std::fs::write(dir.path("htpasswd"), out.stdout).expect("write htpasswd");
            config.push_str(&format!(
                "auth: {{htpasswd: {{realm: basic-realm, path: {}}}}}\n",
                dir.path("htpasswd")
            ));
        }
        std::fs::write(dir.path("config.yml"), config).expect("write config");
        let child = Command::new("docker-registry")
            .args(["serve", &dir.path("config.yml")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry is installed (scripts/setup.sh)");
        let host = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(&host).is_err() {
            assert!(
                Instant::now() < deadline,
                "registry did not start on {host}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        Registry {
            child,
            host,
            _dir: dir,
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn push_options(ctx: &TempDir, base: &str, tag: &str, cache: &TempDir) -> BuildOptions {
    BuildOptions {
        context: ctx.path(""),
        tags: vec![tag.to_owned()],
        base_image: Some(base.to_owned()),
        push: true,
        cache_dir: Some(cache.path("")),
        ..BuildOptions::default()
    }
}

fn cached_blobs(cache: &TempDir) -> Vec<String> {
    let dir = Path::new(&cache.path("oci/blobs/sha256")).to_path_buf();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn push_pull_mount_and_repush_against_a_real_registry() {
    let reg = Registry::start(None);
    let host = host();
    let ctx = TempDir::new("ctx");
    hello_project(&ctx);
    let cache = TempDir::new("cache");
    let first_tag = format!("{}/team/hello:1", reg.host);

    // Push only: no layout is written; the app layer is staged in the cache.
    let first = run(&host, &push_options(&ctx, "scratch", &first_tag, &cache))
        .unwrap_or_else(|e| panic!("push: {e}"));
    assert!(first.output.is_none());
    let stats = first.push_stats.clone().expect("push stats");
    assert_eq!((stats.uploaded, stats.existing, stats.mounted), (2, 0, 0));
    assert_eq!(first.pushed.len(), 1);
    assert_eq!(
        Some(&first.pushed[0].digest),
        first.manifest_digest.as_ref()
    );
    assert_eq!(
        first.pushed[0].reference,
        format!("{first_tag}@{}", first.pushed[0].digest)
    );

    // The same image again: every blob is already there.
    let again = run(&host, &push_options(&ctx, "scratch", &first_tag, &cache))
        .unwrap_or_else(|e| panic!("re-push: {e}"));
    let stats = again.push_stats.clone().expect("push stats");
    assert_eq!(
        (stats.uploaded, stats.existing, stats.bytes_uploaded),
        (0, 2, 0)
    );
    assert_eq!(again.manifest_digest, first.manifest_digest);

    // Pulled back as a base into a layout: its layers arrive through a fresh cache.
    let out = TempDir::new("out");
    let pull_cache = TempDir::new("pull-cache");
    let derived = build_valid(
        &host,
        &BuildOptions {
            cache_dir: Some(pull_cache.path("")),
            ..options(
                &ctx.path(""),
                &out.path("layout"),
                &first_tag,
                &["derived:1"],
            )
        },
    );
    assert_eq!(derived.layers.len(), 2);
    assert_eq!(
        derived.layers[0].descriptor.digest,
        first.layers[0].descriptor.digest
    );
    let base_layer = first.layers[0].descriptor.digest.hex().to_owned();
    assert!(cached_blobs(&pull_cache).contains(&base_layer));
    assert_eq!(
        manifest(&out.path("layout"), &derived).annotations["org.opencontainers.image.base.digest"],
        first.pushed[0].digest.to_string()
    );

    // `pycontainer push` of that layout: the base layer (named by the
    // manifest's base.name annotation) is mounted, the rest uploaded.
    let published = pollster::block_on(push_layout(
        &host,
        &PushOptions {
            layout: out.path("layout"),
            tag: Some("1".into()),
            references: vec![format!("{}/third/app:1", reg.host)],
            ..PushOptions::default()
        },
    ))
    .unwrap_or_else(|e| panic!("push_layout: {e}"));
    let stats = published.push_stats;
    assert_eq!((stats.mounted, stats.uploaded), (1, 2));
    assert_eq!(
        Some(&published.manifest_digest),
        derived.manifest_digest.as_ref()
    );

    // Pushed to another repository of the base's registry: the base layer
    // is mounted, never downloaded.
    let mount_cache = TempDir::new("mount-cache");
    let other = run(
        &host,
        &push_options(
            &ctx,
            &first_tag,
            &format!("{}/other/app:2", reg.host),
            &mount_cache,
        ),
    )
    .unwrap_or_else(|e| panic!("mount push: {e}"));
    let stats = other.push_stats.expect("push stats");
    assert_eq!((stats.mounted, stats.uploaded), (1, 2));
    assert!(!cached_blobs(&mount_cache).contains(&base_layer));
    // Nor read for its Python: the plan says it was not.
    assert!(
        other
            .plan
            .python
            .rule
            .starts_with("the base image's, not read"),
        "{}",
        other.plan.python.rule
    );
}

#[test]
fn large_layers_go_up_in_chunks_and_come_back_intact() {
    let reg = Registry::start(None);
    let host = NativeHost::with_env(&[]);
    let ctx = TempDir::new("ctx");
    hello_project(&ctx);
    write_noise_and_text(&ctx, "src/hello/data", 3, 400_000, 7, "text\n");
    let cache = TempDir::new("cache");
    let tag = format!("{}/big:1", reg.host);
    let pushed = run(
        &host,
        &BuildOptions {
            chunk_size: Some((256usize << 10).into()),
            parallel: Some(2usize.into()),
            ..push_options(&ctx, "scratch", &tag, &cache)
        },
    )
    .unwrap_or_else(|e| panic!("chunked push: {e}"));
    assert!(
        pushed.layers[0].descriptor.size > 3 * (256 << 10),
        "several chunks"
    );

    let out = TempDir::new("out");
    let back = build_valid(
        &host,
        &BuildOptions {
            cache_dir: Some(TempDir::new("c2").path("")),
            ..options(&ctx.path(""), &out.path("layout"), &tag, &["x:1"])
        },
    );
    assert_eq!(
        back.layers[0].descriptor.digest,
        pushed.layers[0].descriptor.digest
    );
}

fn registry_error(result: Result<pycontainer::BuildResult, Error>) -> RegistryError {
    match result {
        Err(Error::Registry(e)) => e,
        Err(Error::Sink(SinkError::Registry(e))) => e,
        Err(Error::Plan(PlanError::Source(e))) => match *e {
            SourceError::Registry { source, .. } => *source,
            e => panic!("expected a registry error, got {e}"),
        },
        Err(e) => panic!("expected a registry error, got {e}"),
        Ok(_) => panic!("expected a registry error, got success"),
    }
}

#[test]
fn basic_auth_needs_the_right_password() {
    let reg = Registry::start(Some(("ci", "s3cret")));
    let ctx = TempDir::new("ctx");
    hello_project(&ctx);
    let cache = TempDir::new("cache");
    let tag = format!("{}/auth/app:1", reg.host);
    let opts = push_options(&ctx, "scratch", &tag, &cache);

    let anonymous = registry_error(run(&host(), &opts));
    assert_eq!(
        anonymous.to_string().split(':').next(),
        Some("authentication required for 127.0.0.1")
    );
    let wrong = registry_error(run(&host().with_credentials("ci", "nope"), &opts));
    let message = wrong.to_string();
    assert!(
        message.starts_with(&format!("authentication failed for {}", reg.host)),
        "{message}"
    );
    assert!(!message.contains("nope"));
    let ok = run(&host().with_credentials("ci", "s3cret"), &opts)
        .unwrap_or_else(|e| panic!("authenticated push: {e}"));
    assert_eq!(ok.pushed.len(), 1);
}

#[test]
fn an_unreachable_registry_is_named() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let ctx = TempDir::new("ctx");
    hello_project(&ctx);
    let cache = TempDir::new("cache");
    let opts = push_options(&ctx, "scratch", &format!("127.0.0.1:{port}/x:1"), &cache);
    let e = registry_error(run(&host(), &opts));
    assert!(
        e.to_string()
            .contains(&format!("cannot reach 127.0.0.1:{port}")),
        "{e}"
    );
}

#[test]
fn push_needs_an_explicit_tag() {
    let ctx = TempDir::new("ctx");
    hello_project(&ctx);
    let opts = BuildOptions {
        context: ctx.path(""),
        base_image: Some("scratch".into()),
        push: true,
        ..BuildOptions::default()
    };
    let e = run(&host(), &opts).err().map(|e| e.to_string());
    assert!(e.is_some_and(|m| m.starts_with("--push: needs a --tag")));
}
