#!/usr/bin/env bash
# Install everything the build and the tests need. Idempotent, and quick when
# everything is already there:
#   - Debian packages: binaryen (wasm-opt, for the wasm's size passes), registry, skopeo,
#     umoci, runc, mmdebstrap, htpasswd, time, pigz,
#     nginx-light (the browser test puts it in front of a registry with auth, to answer CORS preflights),
#     chromium (the browser test drives it with playwright-core; never `playwright install`),
#     podman (the web demo test loads the page's OCI archive with `podman load`),
#     docker.io (the formats test starts its own dockerd to `docker load` a docker-archive),
#     containernetworking-plugins, iptables and iproute2 (`pycontainer run -p` on podman's CNI
#     bridge, and the bridge the run test gives its dockerd),
#     qemu-user-static and binfmt-support (arm64 images run under emulation in the tests),
#     kubernetes-client when there is no kubectl (the deploy test reads its YAML with
#     `kubectl kustomize` and runs `deploy --apply`; the machine image's own kubectl is newer)
#   - binfmt_misc with qemu-aarch64 enabled, when this machine allows it
#   - python3 (3.11+, tests only: pip is the reference the installed wheels are compared with)
#   - the venv the Python integrations are tested in (pytest, Poetry, hatchling from the
#     package index; cached, tests/infra/python-venv.sh)
#   - the wasm32-unknown-unknown Rust target
#   - wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock
#   - npm dependencies (npm ci) when node_modules is missing or older than package-lock.json
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# ---- apt ---------------------------------------------------------------------
apt_cmds=(wasm-opt skopeo umoci runc mmdebstrap docker-registry htpasswd pigz /usr/bin/time curl /usr/bin/chromium /usr/sbin/nginx
  /usr/bin/podman /usr/sbin/dockerd /usr/lib/cni/bridge /usr/lib/cni/portmap /usr/sbin/iptables /usr/sbin/ip
  /usr/bin/qemu-aarch64-static update-binfmts kubectl)
apt_pkgs=(binaryen docker-registry skopeo umoci runc mmdebstrap apache2-utils time pigz curl ca-certificates chromium nginx-light
  podman docker.io containernetworking-plugins iptables iproute2 qemu-user-static binfmt-support arch-test)
# Only when it is missing: a kubectl already on PATH is left alone.
command -v kubectl >/dev/null 2>&1 || apt_pkgs+=(kubernetes-client)
missing=()
for c in "${apt_cmds[@]}"; do
  case "$c" in
    /*) [ -x "$c" ] || missing+=("$c") ;;
    *) command -v "$c" >/dev/null 2>&1 || missing+=("$c") ;;
  esac
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "apt: missing ${missing[*]}; installing"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install ${apt_pkgs[*]} by hand"
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${apt_pkgs[@]}"
fi
say "apt ok"

# ---- arm64 emulation -------------------------------------------------------------
# Optional: without it the arm64 run test is skipped (wheel choice is still tested).
if [ "$(id -u)" -eq 0 ] && [ "$(uname -m)" != aarch64 ]; then
  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  fi
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
fi
if grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
  say "arm64 emulation ok"
else
  say "arm64 emulation unavailable; the test that runs an arm64 image will be skipped"
fi

# ---- python (tests only) ---------------------------------------------------------
python3 -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 11)' 2>/dev/null ||
  die "the tests need python3 3.11+ with venv and pip (tests/infra/pip-target.sh runs pip as the reference)"
say "python3 $(python3 -c 'import platform; print(platform.python_version())') ok (tests only)"
say "integrations venv $(bash tests/infra/python-venv.sh | tail -n1) ok (tests only)"

# ---- node --------------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "node is not installed (Node 20 or newer is required)"
command -v npm >/dev/null 2>&1 || die "npm is not installed"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node $(node --version) is too old; Node 20 or newer is required"
say "node $(node --version) ok"

# ---- rust target ---------------------------------------------------------------
command -v rustup >/dev/null 2>&1 || die "rustup is not installed (https://rustup.rs)"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
say "rust target wasm32-unknown-unknown ok"

# ---- wasm-bindgen-cli ----------------------------------------------------------
# Version of the `wasm-bindgen` package in Cargo.lock (the CLI must match it exactly).
lock_version() {
  [ -f Cargo.lock ] || return 0
  awk '
    /^\[\[package\]\]/ { in_wb = 0; next }
    /^name = "wasm-bindgen"$/ { in_wb = 1; next }
    in_wb && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' Cargo.lock
}
# Fallback when no lockfile can be made yet: the exact pin in Cargo.toml.
toml_pin() {
  sed -nE 's/^wasm-bindgen[[:space:]]*=[[:space:]]*(\{[^}]*version[[:space:]]*=[[:space:]]*)?"=([0-9][^"]*)".*/\2/p' Cargo.toml | head -n1
}
if [ ! -f Cargo.lock ]; then
  if ! cargo generate-lockfile; then
    say "warning: cargo generate-lockfile failed; using the wasm-bindgen pin in Cargo.toml"
  fi
fi
wb_version="$(lock_version)"
[ -n "$wb_version" ] || wb_version="$(toml_pin)"
[ -n "$wb_version" ] || die "cannot find the wasm-bindgen version in Cargo.lock or an exact (=X.Y.Z) pin in Cargo.toml"
have_version="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [ "$have_version" != "$wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version (have: ${have_version:-none}; takes a few minutes)"
  cargo install --locked wasm-bindgen-cli --version "$wb_version"
  have_version="$(wasm-bindgen --version | awk '{ print $2 }')"
  [ "$have_version" = "$wb_version" ] ||
    die "wasm-bindgen on PATH is $have_version after installing $wb_version ($(command -v wasm-bindgen))"
fi
say "wasm-bindgen-cli $wb_version ok"

# ---- npm -----------------------------------------------------------------------
# "Up to date" = npm's own record of the last install (node_modules/.package-lock.json,
# or node_modules itself) is not older than the lockfile.
if [ -f package.json ]; then
  installed=node_modules/.package-lock.json
  [ -e "$installed" ] || installed=node_modules
  if [ -f package-lock.json ]; then
    if [ ! -e node_modules ] || [ package-lock.json -nt "$installed" ]; then
      npm ci --no-audit --no-fund
      touch "$installed" 2>/dev/null || true
    fi
    say "npm ok"
  else
    # No lockfile committed (yet): install without writing one.
    if [ ! -e node_modules ] || [ package.json -nt "$installed" ]; then
      say "warning: no package-lock.json; running npm install --no-package-lock"
      npm install --no-package-lock --no-audit --no-fund
      touch "$installed" 2>/dev/null || true
    fi
    say "npm ok (no lockfile)"
  fi
else
  say "npm skipped (no package.json at the repo root)"
fi
