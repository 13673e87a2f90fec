#!/usr/bin/env bash
# From a fresh machine to a running image: installs what is needed, builds the
# wasm core, makes the Debian-based Python base image (cached), then builds
# examples/hello-cli with `npx pycontainer build`, prints its digest, and runs it;
# then does the same through a local registry (push, pull back with skopeo, run).
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

echo
echo "A FastAPI app: its dependencies, pinned in examples/fastapi-app/pylock.toml,"
echo "become wheels for the image's CPython and glibc, in a venv layer (no pip, no Python here):"
echo "\$ npx pycontainer build --context examples/fastapi-app --base-image oci:$base:3.11-slim --tag fastapi-app:1.0 --output pycontainer-out"
npx pycontainer build --context examples/fastapi-app --base-image "oci:$base:3.11-slim" \
  --tag fastapi-app:1.0 --output pycontainer-out
run_in_image --replace pycontainer-out 1.0 python3 -c \
  'import fastapi, pydantic_core, uvicorn, svc.main; print("fastapi", fastapi.__version__, "pydantic-core", pydantic_core.__version__, "uvicorn", uvicorn.__version__, "app", type(svc.main.app).__name__)'

echo
echo "The same through a registry (Debian's docker-registry on loopback, no Docker):"
work=$(mktemp -d)
port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
reg=127.0.0.1:$port
cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: "$work/data"}}
http: {addr: "$reg"}
YAML
docker-registry serve "$work/registry.yml" 2>"$work/registry.log" &
registry_pid=$!
# The script's own status, not the killed registry's 143 (errexit would end the trap at a failing wait).
trap 'status=$?; kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null || true; rm -rf "$work"; exit "$status"' EXIT
until curl -s -o /dev/null "http://$reg/v2/"; do sleep 0.1; done
skopeo copy --quiet --dest-tls-verify=false "oci:$base:3.11-slim" "docker://$reg/library/python:3.11-slim"

# The base is in the target registry, so its layers are mounted, never downloaded.
echo "\$ npx pycontainer build --context examples/hello-cli --base-image $reg/library/python:3.11-slim --push --tag $reg/hello-cli:0.1.0"
npx pycontainer build --context examples/hello-cli --base-image "$reg/library/python:3.11-slim" \
  --push --tag "$reg/hello-cli:0.1.0" --cache-dir "$work/cache"

echo
echo "Pulled back with skopeo and run: hello Alice"
skopeo copy --quiet --src-tls-verify=false "docker://$reg/hello-cli:0.1.0" "oci:$work/pulled:0.1.0"
run_in_image "$work/pulled" 0.1.0 Alice
