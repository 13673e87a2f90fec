#!/usr/bin/env bash
# From a fresh machine to a running image: installs what is needed, builds the
# wasm core, makes the Debian-based Python base image (cached), then builds
# examples/hello-cli with `npx pycontainer build`, prints its digest, and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

bash scripts/setup.sh
bash scripts/build-wasm.sh
base=$(bash tests/infra/base-image.sh | tail -n 1)

echo
echo "\$ npx pycontainer build --context examples/hello-cli --base-image oci:$base:3.11-slim --tag hello-cli:0.1.0 --output pycontainer-out"
npx pycontainer build --context examples/hello-cli --base-image "oci:$base:3.11-slim" \
  --tag hello-cli:0.1.0 --output pycontainer-out

echo
echo "Running it (umoci unpack + runc, no Docker): hello Alice"
# shellcheck source=../tests/infra/lib.sh
source tests/infra/lib.sh
run_in_image pycontainer-out 0.1.0 Alice
