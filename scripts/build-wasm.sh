#!/usr/bin/env bash
# Builds the Rust core for wasm32 and generates the JS bindings:
#   pkg-js/node  (wasm-bindgen --target nodejs, copied to npm/wasm for the Node package)
#   pkg-js/web   (wasm-bindgen --target web, for the browser demo)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --target wasm32-unknown-unknown --lib --quiet
wasm=target/wasm32-unknown-unknown/release/pycontainer.wasm
for target in nodejs web; do
  out=pkg-js/${target/nodejs/node}
  rm -rf "$out"
  wasm-bindgen --target "$target" --out-dir "$out" "$wasm"
done
rm -rf npm/wasm
cp -r pkg-js/node npm/wasm
raw=$(stat -c %s npm/wasm/pycontainer_bg.wasm)
gz=$(gzip -9 -c npm/wasm/pycontainer_bg.wasm | wc -c)
echo "build-wasm: pycontainer_bg.wasm $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzipped"
