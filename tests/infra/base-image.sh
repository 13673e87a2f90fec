#!/usr/bin/env bash
# Build (once) a Debian bookworm python3 base image as an OCI layout.
# Stands in for Docker Hub's python:3.11-slim, which is unreachable here.
#
#   bash tests/infra/base-image.sh [slim|web]   -> last stdout line: the layout directory
#
#   slim (default): python3 only, tag 3.11-slim, cached in .../base-debian
#   web:            plus Debian's FastAPI, uvicorn, Flask, Django and gunicorn,
#                   tag 3.11-web, cached in .../base-debian-web. The framework
#                   examples run on it for real before pycontainer installs
#                   dependencies itself (issue 5).
#
# Cache: ${PYCONTAINER_TEST_CACHE:-$HOME/.cache/pycontainer-test}.
# Env: DEBIAN_MIRROR (default: from the apt sources), DEBIAN_SUITE (default bookworm).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/infra/lib.sh
. "$here/lib.sh"

variant="${1:-slim}"
case "$variant" in
  slim) TAG=3.11-slim name=base-debian packages=python3 ;;
  web)
    TAG=3.11-web name=base-debian-web
    packages=python3,python3-fastapi,uvicorn,python3-flask,python3-django,gunicorn
    ;;
  *) printf 'base-image: unknown variant %s (slim or web)\n' "$variant" >&2; exit 2 ;;
esac
cache="$(cache_dir)"
out="$cache/$name"

log() { printf 'base-image: %s\n' "$*" >&2; }

is_valid() {
  [ -d "$out" ] && skopeo inspect "oci:$out:$TAG" >/dev/null 2>&1
}

need skopeo umoci mmdebstrap flock

# Serialise concurrent builders (parallel test scripts).
exec 9>"$cache/.$name.lock"
flock 9

if is_valid; then
  log "cached: $out"
  printf '%s\n' "$out"
  exit 0
fi

mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  # "deb [opts] URI suite comp..." -> URI (skip an optional [...] block)
  mirror="$(awk '$1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      if ($i ~ /^(https?|file):/) { print $i; exit }
    }' /etc/apt/sources.list)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"
suite="${DEBIAN_SUITE:-bookworm}"

tmp="$(mktemp -d "$cache/.$name.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

log "mmdebstrap $suite $packages from $mirror"
mmdebstrap --variant=minbase --include="$packages" \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --aptopt='Acquire::Languages "none"' \
  --quiet \
  "$suite" "$tmp/rootfs.tar" "$mirror" >&2

log "packing OCI layout"
layout="$tmp/layout"
umoci init --layout "$layout"
umoci new --image "$layout:$TAG"
umoci raw add-layer --image "$layout:$TAG" "$tmp/rootfs.tar"
umoci config --image "$layout:$TAG" \
  --os linux --architecture amd64 \
  --config.cmd python3 \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.env LANG=C.UTF-8
umoci gc --layout "$layout"
rm -f "$tmp/rootfs.tar"

if ! skopeo inspect "oci:$layout:$TAG" >/dev/null; then
  log "error: the freshly built layout does not inspect"
  exit 1
fi

rm -rf "$out"
mv "$layout" "$out"
log "built: $out"
printf '%s\n' "$out"
