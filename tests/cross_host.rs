//! The same tree gives the same image whichever host builds it: the native core here, the wasm core in Node.

mod common;

use std::process::Command;

use common::*;
use pycontainer::NativeHost;

/// A project with several 1 MiB chunks of text and of noise, so that Node's
/// worker compresses some chunks and the main thread others.
fn fixture(ctx: &TempDir) {
    hello_project(ctx);
    write_noise_and_text(
        ctx,
        "data",
        3,
        900_000,
        99,
        &"x = {'a': [1, 2, 3]}\n".repeat(50_000),
    );
}

#[test]
fn native_and_node_builds_are_byte_identical() {
    let repo = env!("CARGO_MANIFEST_DIR");
    let cli = format!("{repo}/npm/bin/pycontainer.js");
    assert!(
        std::path::Path::new(&format!("{repo}/npm/wasm/pycontainer.js")).exists(),
        "the wasm core is not built: run scripts/build-wasm.sh (scripts/test.sh does, before cargo test)"
    );
    let (ctx, out) = (TempDir::new("ctx"), TempDir::new("out"));
    fixture(&ctx);

    let host = NativeHost::with_env(&[("SOURCE_DATE_EPOCH", "1700000000")]);
    let native = build_valid(
        &host,
        &options(&ctx.path(""), &out.path("native"), "scratch", &["x:1"]),
    );

    let node = Command::new("node")
        .args([
            &cli,
            "build",
            "--context",
            &ctx.path(""),
            "--base-image",
            "scratch",
            "--output",
            &out.path("node"),
            "--tag",
            "x:1",
            "--json",
        ])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run node");
    assert!(
        node.status.success(),
        "node build failed: {}",
        String::from_utf8_lossy(&node.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&node.stdout).expect("--json output");

    // The stored noise alone is 2.7 MB: the input spans several 1 MiB chunks.
    assert!(
        native.layers[0].descriptor.size > 2 * 1024 * 1024,
        "several chunks: {}",
        native.layers[0].descriptor.size
    );
    assert_eq!(
        result["layers"][0]["digest"].as_str(),
        Some(native.layers[0].descriptor.digest.to_string().as_str())
    );
    assert_eq!(
        result["manifestDigest"].as_str(),
        Some(digest(&native.manifest_digest).to_string().as_str())
    );
}
