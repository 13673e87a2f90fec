//! The same tree gives the same image whichever host builds it: the native core here, the wasm core in Node.

mod common;

use std::process::Command;

use common::*;
use pycontainer::host::NativeHost;

/// A project with several 1 MiB chunks of text and of noise, so that Node's
/// worker compresses some chunks and the main thread others.
fn fixture(ctx: &TempDir) {
    hello_project(ctx);
    let mut seed = 99u64;
    for i in 0..3 {
        let noise: Vec<u8> = (0..900_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        std::fs::write(ctx.0.join(format!("data/noise{i}.bin")), noise).expect("write noise");
        std::fs::write(
            ctx.0.join(format!("data/text{i}.txt")),
            "x = {'a': [1, 2, 3]}\n".repeat(50_000),
        )
        .expect("write text");
    }
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
    std::fs::create_dir_all(ctx.0.join("data")).expect("mkdir");
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
        native.layers[0].size > 2 * 1024 * 1024,
        "several chunks: {}",
        native.layers[0].size
    );
    assert_eq!(
        result["layers"][0]["digest"].as_str(),
        Some(native.layers[0].digest.to_string().as_str())
    );
    assert_eq!(
        result["manifestDigest"].as_str(),
        Some(digest(&native.manifest_digest).to_string().as_str())
    );
}
