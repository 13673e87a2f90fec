#!/usr/bin/env bash
# Runs every test: formatting and lints, Rust unit and integration tests (native),
# the wasm build, the Node package's tests, and the end-to-end tests that build
# real images and check them with skopeo, umoci and runc.
# Needs what scripts/setup.sh installs (it runs it first; quick when done).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step setup
bash scripts/setup.sh

step "format and lint"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy --workspace --target wasm32-unknown-unknown --quiet -- -D warnings
npx biome check npm bench tests web-demo examples scripts
# The typed API as ESM and CommonJS consumers (a VS Code extension) see it.
npx tsc -p tests/types

# Before the Rust tests: tests/cross_host.rs builds through the Node CLI too.
step "wasm build"
bash scripts/build-wasm.sh

step "rust tests (native host, and native against wasm)"
cargo test --workspace --quiet

step "node tests (CLI, host adapter, end to end)"
node --test tests/js/ tests/e2e/
