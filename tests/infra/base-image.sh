#!/usr/bin/env bash
# Build (once) a Debian bookworm python3 base image as an OCI layout.
# Stands in for Docker Hub's python:3.11-slim, which is unreachable here.
#
#   bash tests/infra/base-image.sh [VARIANT]   -> last stdout line: the layout directory
#
#   slim (default): python3 only, tag 3.11-slim, cached in .../base-debian
#   pip:            python3 and python3-pip (pip 23, with `--python`): a base
#                   with a pip, as the official images have, for building the
#                   Dockerfiles `pycontainer dockerfile` writes. Tag 3.11-pip,
#                   cached in .../base-debian-pip.
#   official:       the slim base plus one layer that imitates the official
#                   python:3.11-slim layout: /usr/local/bin/python3, python and
#                   python3.11 all symlinks to /usr/bin/python3.11, an empty
#                   /usr/local/lib/python3.11/site-packages/, and in the config
#                   PATH=/usr/local/bin:... and PYTHON_VERSION=<the upstream
#                   version of the rootfs' python3.11-minimal, e.g. 3.11.2>.
#                   Tag 3.11-official, cached in .../base-debian-official.
#   arm64-probe:    a SYNTHETIC linux/arm64 image that cannot run: one layer
#                   with only what pycontainer reads to pick the target
#                   (var/lib/dpkg/status with libc6 2.36-9+deb12u7 and
#                   libpython3.11-minimal 3.11.2-6+deb12u6 for arm64,
#                   usr/bin/python3 -> python3.11, an empty usr/bin/python3.11,
#                   usr/lib/python3.11/os.py, an empty
#                   lib/aarch64-linux-gnu/libc.so.6). Tag 3.11-arm64-probe,
#                   cached in .../base-arm64-probe. Needs no Debian mirror.
#   arm64:          the slim base built for linux/arm64 (mmdebstrap running
#                   arm64 binaries under qemu-user-static via binfmt_misc; about
#                   90 s). Tag 3.11-arm64, cached in .../base-debian-arm64.
#                   Fails with a hint when this machine cannot run arm64 code.
#
# Cache: ${PYCONTAINER_TEST_CACHE:-$HOME/.cache/pycontainer-test}. The
# official variant is built from the slim one (its blobs hard-linked) and is
# not rebuilt when slim is; delete its directory to rebuild it.
# Env: DEBIAN_MIRROR (default: from the apt sources), DEBIAN_SUITE (default bookworm).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/infra/lib.sh
. "$here/lib.sh"

PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The official images' PATH, /usr/local/bin first (duplicate included).
OFFICIAL_PATH_ENV=PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

variant="${1:-slim}"
arch=amd64
case "$variant" in
  slim) TAG=3.11-slim name=base-debian packages=python3 kind=debian ;;
  pip) TAG=3.11-pip name=base-debian-pip packages=python3,python3-pip kind=debian ;;
  official) TAG=3.11-official name=base-debian-official kind=official ;;
  arm64-probe) TAG=3.11-arm64-probe name=base-arm64-probe kind=probe arch=arm64 ;;
  arm64) TAG=3.11-arm64 name=base-debian-arm64 packages=python3 kind=debian arch=arm64 ;;
  *)
    printf 'base-image: unknown variant %s (slim, pip, official, arm64-probe or arm64)\n' "$variant" >&2
    exit 2
    ;;
esac
cache="$(cache_dir)"
out="$cache/$name"

log() { printf 'base-image: %s\n' "$*" >&2; }

is_valid() {
  [ -d "$out" ] && skopeo inspect "oci:$out:$TAG" >/dev/null 2>&1
}

case "$kind" in
  debian) need skopeo umoci mmdebstrap flock ;;
  *) need skopeo umoci tar flock ;;
esac

# Serialise concurrent builders (parallel test scripts).
exec 9>"$cache/.$name.lock"
flock 9

if is_valid; then
  log "cached: $out"
  printf '%s\n' "$out"
  exit 0
fi

tmp="$(mktemp -d "$cache/.$name.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
layout="$tmp/layout"

# tar of the tree under $1 with fixed owners, modes and times, names
# without a leading "./", as image builders write them.
pack_layer() {
  local top
  mapfile -t top < <(cd "$1" && ls -A)
  tar --create --file "$2" --directory "$1" --sort=name --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --owner=0 --group=0 --numeric-owner --mtime=@0 --mode='u+rwX,go+rX,go-w' \
    "${top[@]}"
}

build_debian() {
  local mirror suite
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

  if [ "$arch" != amd64 ] && ! can_run_arm64; then
    log "error: this machine cannot run $arch binaries, which mmdebstrap needs."
    log "  apt-get install -y qemu-user-static binfmt-support"
    log "  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc  (if not mounted)"
    log "  update-binfmts --enable qemu-aarch64"
    exit 1
  fi

  log "mmdebstrap $suite ($arch) $packages from $mirror"
  mmdebstrap --variant=minbase --include="$packages" --architectures="$arch" \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --aptopt='Acquire::Languages "none"' \
    --quiet \
    "$suite" "$tmp/rootfs.tar" "$mirror" >&2

  log "packing OCI layout"
  umoci init --layout "$layout"
  umoci new --image "$layout:$TAG"
  umoci raw add-layer --image "$layout:$TAG" "$tmp/rootfs.tar"
  umoci config --image "$layout:$TAG" \
    --os linux --architecture "$arch" \
    --config.cmd python3 \
    --config.env "$PATH_ENV" \
    --config.env LANG=C.UTF-8
  rm -f "$tmp/rootfs.tar"
}

# Whether an aarch64 binary runs here (natively or through binfmt_misc + qemu).
can_run_arm64() {
  [ "$(uname -m)" = aarch64 ] && return 0
  local entry
  for entry in /proc/sys/fs/binfmt_misc/qemu-aarch64 /proc/sys/fs/binfmt_misc/qemu-aarch64-static; do
    [ -f "$entry" ] && head -n 1 "$entry" | grep -qx enabled && return 0
  done
  return 1
}

# The upstream version ("3.11.2") of python3.X-minimal in the dpkg status
# file on stdin.
python_version_from_dpkg() {
  awk '
    /^Package: / { pkg = $2 }
    /^Version: / && pkg ~ /^python3\.[0-9]+-minimal$/ { v = $2 }
    END {
      sub(/^[0-9]+:/, "", v); sub(/-[^-]*$/, "", v)
      if (v == "") exit 1
      print v
    }'
}

build_official() {
  local slim layer status version minor
  slim="$(bash "$here/base-image.sh" slim | tail -n 1)"

  # dpkg's status, from the topmost slim layer that has it.
  status=""
  while read -r layer; do
    [ -n "$layer" ] || continue
    if status="$(tar -xzOf "$slim/blobs/sha256/${layer#sha256:}" ./var/lib/dpkg/status 2>/dev/null)"; then
      break
    fi
    status=""
  done < <(skopeo inspect --format '{{range .Layers}}{{println .}}{{end}}' "oci:$slim:3.11-slim" | tac)
  [ -n "$status" ] || { log "error: no var/lib/dpkg/status in $slim"; exit 1; }
  version="$(python_version_from_dpkg <<<"$status")" ||
    { log "error: no python3.X-minimal in $slim's dpkg status"; exit 1; }
  minor="${version%.*}"
  log "official layout over $slim: Python $version"

  local stage="$tmp/stage"
  mkdir -p "$stage/usr/local/bin" "$stage/usr/local/lib/python$minor/site-packages"
  ln -s "/usr/bin/python$minor" "$stage/usr/local/bin/python3"
  ln -s "/usr/bin/python$minor" "$stage/usr/local/bin/python$minor"
  ln -s "/usr/bin/python$minor" "$stage/usr/local/bin/python"
  pack_layer "$stage" "$tmp/official.tar"

  # Blobs are content-addressed and never rewritten, so hard links are safe;
  # index.json is rewritten, so it is copied.
  mkdir -p "$layout"
  cp "$slim/oci-layout" "$slim/index.json" "$layout/"
  cp -al "$slim/blobs" "$layout/blobs" 2>/dev/null || cp -a "$slim/blobs" "$layout/blobs"
  umoci raw add-layer --image "$layout:3.11-slim" --tag "$TAG" \
    --history.created_by "pycontainer tests: official python:$minor-slim layout" "$tmp/official.tar"
  umoci config --image "$layout:$TAG" \
    --config.env "$OFFICIAL_PATH_ENV" \
    --config.env "PYTHON_VERSION=$version"
  umoci rm --image "$layout:3.11-slim"
}

build_probe() {
  local stage="$tmp/stage"
  mkdir -p "$stage/var/lib/dpkg" "$stage/usr/bin" "$stage/usr/lib/python3.11" \
    "$stage/lib/aarch64-linux-gnu"
  # Real stanzas from bookworm's arm64 packages, trimmed to the fields a
  # reader might look at.
  cat >"$stage/var/lib/dpkg/status" <<'EOF'
Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12185
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: arm64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u7
Depends: libgcc-s1
Recommends: libidn2-0 (>= 2.0.5~)
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.
Homepage: https://www.gnu.org/software/libc/libc.html

Package: libpython3.11-minimal
Status: install ok installed
Priority: optional
Section: python
Installed-Size: 5097
Maintainer: Matthias Klose <doko@debian.org>
Architecture: arm64
Multi-Arch: same
Source: python3.11
Version: 3.11.2-6+deb12u6
Depends: libc6 (>= 2.17), libssl3 (>= 3.0.0)
Recommends: libpython3.11-stdlib
Description: Minimal subset of the Python language (version 3.11)
 This package contains some essential modules.

EOF
  ln -s python3.11 "$stage/usr/bin/python3"
  : >"$stage/usr/bin/python3.11"
  chmod 0755 "$stage/usr/bin/python3.11"
  printf '# placeholder: pycontainer only looks for this file\n' >"$stage/usr/lib/python3.11/os.py"
  : >"$stage/lib/aarch64-linux-gnu/libc.so.6"
  pack_layer "$stage" "$tmp/probe.tar"

  umoci init --layout "$layout"
  umoci new --image "$layout:$TAG"
  umoci raw add-layer --image "$layout:$TAG" \
    --history.created_by "pycontainer tests: synthetic arm64 probe" "$tmp/probe.tar"
  umoci config --image "$layout:$TAG" \
    --os linux --architecture arm64 \
    --config.cmd python3 \
    --config.env "$PATH_ENV" \
    --config.env LANG=C.UTF-8
}

"build_$kind"
umoci gc --layout "$layout"

if ! skopeo inspect "oci:$layout:$TAG" >/dev/null; then
  log "error: the freshly built layout does not inspect"
  exit 1
fi

rm -rf "$out"
mv "$layout" "$out"
log "built: $out"
printf '%s\n' "$out"
