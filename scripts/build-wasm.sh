#!/usr/bin/env bash
# Builds the Rust core for wasm32 and generates the JS bindings:
#   pkg-js/node  (wasm-bindgen --target nodejs, copied to npm/wasm for the Node package)
#   pkg-js/web   (wasm-bindgen --target web, copied to web-demo/pkg for the browser demo;
#                 its glue alone to npm/wasm-web/pycontainer.mjs for the package's bundler entry)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wasm-opt >/dev/null || {
  echo "build-wasm: wasm-opt not found; run scripts/setup.sh (Debian package binaryen)" >&2
  exit 1
}

cargo build --release --target wasm32-unknown-unknown --lib --quiet
# Cargo puts it under CARGO_TARGET_DIR when that is set (one per worktree).
wasm=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/pycontainer.wasm
for target in nodejs web; do
  out=pkg-js/${target/nodejs/node}
  rm -rf "$out"
  wasm-bindgen --target "$target" --out-dir "$out" "$wasm"
done

# Binaryen's size passes that never inline, to a fixed point. Each crate
# instantiates std's generics for itself (Vec<String>::clone, BTreeMap
# code), and LLVM leaves those copies apart; duplicate-function-elimination
# merges them, dead-argument elimination and the peephole passes make more
# of them identical. -Os/-Oz were not taken: their inlining makes the
# gzipped module larger (docs/benchmarks.md, "wasm size").
features=(--enable-bulk-memory --enable-multivalue --enable-mutable-globals
  --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext --enable-simd)
passes=(--duplicate-function-elimination --dae-optimizing --optimize-instructions --precompute
  --rse --code-folding --remove-unused-brs --merge-blocks --vacuum --reorder-locals
  --remove-unused-module-elements --duplicate-function-elimination)
# wasm-bindgen gives both targets the same module: optimise it once.
cmp -s pkg-js/node/pycontainer_bg.wasm pkg-js/web/pycontainer_bg.wasm || {
  echo "build-wasm: the nodejs and web modules differ; optimise each" >&2
  exit 1
}
wasm-opt --converge "${passes[@]}" "${features[@]}" pkg-js/node/pycontainer_bg.wasm \
  -o pkg-js/node/pycontainer_bg.wasm
cp pkg-js/node/pycontainer_bg.wasm pkg-js/web/pycontainer_bg.wasm
rm -rf npm/wasm npm/wasm-web web-demo/pkg
cp -r pkg-js/node npm/wasm
cp -r pkg-js/web web-demo/pkg
# pycontainer/bundle gets the module from its caller (embedded or fetched):
# the package ships the web glue without a second copy of the module, as
# .mjs since the package is CommonJS and the glue an ES module.
mkdir npm/wasm-web
cp pkg-js/web/pycontainer.js npm/wasm-web/pycontainer.mjs
# The JS the page shares with the npm package (files both can load; the
# list is DEMO_SHARED in tests/e2e/helpers.mjs too).
cp npm/lib/interrupt.js npm/lib/response-bodies.js web-demo/pkg/
raw=$(stat -c %s npm/wasm/pycontainer_bg.wasm)
gz=$(gzip -9 -c npm/wasm/pycontainer_bg.wasm | wc -c)
echo "build-wasm: pycontainer_bg.wasm $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzipped"
