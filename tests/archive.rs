//! The archive sinks on the native host: what an oci-archive and a
//! docker-archive hold, that the same input makes the same bytes, and that
//! a failed build or a refused output leaves nothing.
// Tests run natively, never in the wasm: the standard sorts are fine here.
#![allow(clippy::disallowed_methods)]

mod common;

use common::*;
use pycontainer::errors::SinkError;
use pycontainer::{BuildOptions, Error, NativeHost, PlanError};
use pycontainer_oci::Index;

const EPOCH: u64 = 1_700_000_000;

/// An archive build of `ctx`; its app layer is made in `cache`, as that of
/// every build that writes no layout.
fn archive_options(
    (ctx, cache): (&TempDir, &TempDir),
    output: &str,
    format: &str,
    base: &str,
) -> BuildOptions {
    BuildOptions {
        format: Some(format.to_owned()),
        cache_dir: Some(cache.path("")),
        ..options(&ctx.path(""), output, base, &["example.com/app:1"])
    }
}

fn epoch_host() -> NativeHost {
    NativeHost::with_env(&[("SOURCE_DATE_EPOCH", "1700000000")])
}

fn member<'a>(members: &'a [Listed], name: &str) -> &'a Listed {
    members
        .iter()
        .find(|m| m.path == name)
        .unwrap_or_else(|| panic!("no {name} in the archive"))
}

#[test]
fn an_oci_archive_is_the_layout_in_one_tar_the_same_bytes_each_time() {
    let (ctx, out, cache) = (
        TempDir::new("ctx"),
        TempDir::new("out"),
        TempDir::new("cache"),
    );
    hello_project(&ctx);
    let layout = build_valid(
        &epoch_host(),
        &options(
            &ctx.path(""),
            &out.path("l"),
            "scratch",
            &["example.com/app:1"],
        ),
    );
    let (a, b) = (out.path("a.tar"), out.path("b.tar"));
    let result = run(
        &epoch_host(),
        &archive_options((&ctx, &cache), &a, "oci-archive", "scratch"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    run(
        &epoch_host(),
        &archive_options((&ctx, &cache), &b, "oci-archive", "scratch"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(result.format, Some("oci-archive"));
    assert_eq!(result.output.as_deref(), Some(a.as_str()));
    assert_eq!(
        result.manifest_digest, layout.manifest_digest,
        "the sink changes no byte of the image"
    );
    let bytes = std::fs::read(&a).expect("read a");
    assert_eq!(
        bytes,
        std::fs::read(&b).expect("read b"),
        "the same input, the same archive"
    );

    let members = list_tar(&bytes);
    let names: Vec<&str> = members.iter().map(|m| m.path.as_str()).collect();
    let hex = |d: &pycontainer_digest::Digest| format!("blobs/sha256/{}", d.hex());
    let layer = hex(&result.layers[0].descriptor.digest);
    let config = hex(result.config_digest.as_ref().expect("config"));
    let manifest = hex(result.manifest_digest.as_ref().expect("manifest"));
    assert_eq!(
        names,
        [
            "oci-layout",
            "index.json",
            "blobs/",
            "blobs/sha256/",
            &layer,
            &config,
            &manifest
        ]
    );
    for m in &members {
        assert_eq!((m.mtime, m.uid, m.gid), (EPOCH, 0, 0), "{}", m.path);
    }
    // Every blob is the layout's, byte for byte.
    for name in [&layer, &config, &manifest] {
        let want = std::fs::read(format!("{}/{name}", out.path("l"))).expect("layout blob");
        assert_eq!(member(&members, name).content, want, "{name}");
    }
    let index: Index =
        serde_json::from_slice(&member(&members, "index.json").content).expect("index");
    assert_eq!(index.manifests.len(), 1);
    assert_eq!(
        Some(&index.manifests[0].digest),
        result.manifest_digest.as_ref()
    );
    assert_eq!(index.manifests[0].ref_name(), Some("1"));
}

#[test]
fn a_docker_archive_names_its_config_tags_and_layers_as_members() {
    let (ctx, out, cache) = (
        TempDir::new("ctx"),
        TempDir::new("out"),
        TempDir::new("cache"),
    );
    hello_project(&ctx);
    let path = out.path("d.tar");
    let result = run(
        &epoch_host(),
        &archive_options((&ctx, &cache), &path, "docker-archive", "scratch"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let members = list_tar(&std::fs::read(&path).expect("read"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&member(&members, "manifest.json").content).expect("manifest.json");
    let entry = &manifest[0];
    assert_eq!(entry["RepoTags"], serde_json::json!(["example.com/app:1"]));
    let config = entry["Config"].as_str().expect("Config");
    assert_eq!(
        Some(config.trim_start_matches("blobs/sha256/")),
        result.config_digest.as_ref().map(|d| d.hex())
    );
    let layers = entry["Layers"].as_array().expect("Layers");
    assert_eq!(layers.len(), result.layers.len());
    for name in layers.iter().filter_map(|l| l.as_str()).chain([config]) {
        member(&members, name);
    }
    member(&members, "repositories");
    assert_eq!(
        std::fs::read_dir(out.path("")).map(|d| d.count()).ok(),
        Some(1),
        "no temp file left"
    );
}

#[test]
fn a_late_failure_leaves_no_archive_nor_the_directories_made_for_it() {
    let (ctx, out, cache) = (
        TempDir::new("ctx"),
        TempDir::new("out"),
        TempDir::new("cache"),
    );
    hello_project(&ctx);
    let base = out.path("base");
    let b = build_valid(&host(), &options(&ctx.path(""), &base, "scratch", &["b:1"]));
    // Same size, other bytes: found only as the archive streams the layer.
    let layer = blob(&base, &b.layers[0].descriptor.digest);
    let mut bytes = std::fs::read(&layer).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&layer, &bytes).expect("corrupt");
    let fresh = out.path("fresh");
    let e = run(
        &host(),
        &archive_options(
            (&ctx, &cache),
            &format!("{fresh}/deep/app.tar"),
            "docker-archive",
            &format!("oci:{base}:1"),
        ),
    )
    .map(|r| r.manifest_digest)
    .expect_err("a corrupt base layer");
    assert!(e.to_string().contains("corrupt"), "{e}");
    assert!(
        !std::path::Path::new(&fresh).exists(),
        "the new directories are removed again"
    );
}

#[test]
fn an_archive_output_that_is_a_directory_is_refused_while_planning() {
    let (ctx, out, cache) = (
        TempDir::new("ctx"),
        TempDir::new("out"),
        TempDir::new("cache"),
    );
    hello_project(&ctx);
    out.write(&[("dir/keep.txt", "mine")]);
    let e = run(
        &host(),
        &archive_options((&ctx, &cache), &out.path("dir"), "oci-archive", "scratch"),
    )
    .map(|r| r.manifest_digest)
    .expect_err("a directory");
    assert!(
        matches!(&e, Error::Plan(PlanError::Output { source, .. }) if matches!(**source, SinkError::Archive(_))),
        "{e}"
    );
    assert_eq!(e.code(), "output");
    assert_eq!(
        std::fs::read_dir(out.path("dir")).map(|d| d.count()).ok(),
        Some(1)
    );
}

#[test]
fn a_killed_builds_temp_file_beside_the_archive_goes_and_nothing_else_does() {
    let (ctx, out, cache) = (
        TempDir::new("ctx"),
        TempDir::new("out"),
        TempDir::new("cache"),
    );
    hello_project(&ctx);
    // No process has this pid (above Linux's pid_max).
    out.write(&[
        ("app.tar.tmp-999999999-1f", "half an archive"),
        ("notes.txt.tmp-999999999-1f", "someone else's"),
    ]);
    run(
        &host(),
        &archive_options(
            (&ctx, &cache),
            &out.path("app.tar"),
            "oci-archive",
            "scratch",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut names: Vec<String> = std::fs::read_dir(out.path(""))
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["app.tar", "notes.txt.tmp-999999999-1f"]);
}
