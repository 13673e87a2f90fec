#!/usr/bin/env bash
# The reference answer for "which distributions does this lock install on
# the target": pip itself installs the pins for a target platform it is not
# running on, and we list what landed.
#
#   bash tests/infra/pip-target.sh [--python-version 3.11] [--arch x86_64|aarch64]
#                                  [--glibc 2.36] [--keep DIR] INPUT
#
# INPUT is one of:
#   requirements*.txt  given to pip as is (-r), so its --hash lines are checked.
#                      pip evaluates its markers for the HOST, so use pins
#                      compiled for one platform (the fixtures' are).
#   pylock.toml        (PEP 751) every package with a version, its marker
#                      evaluated for the TARGET, pinned with its files' hashes.
#   uv.lock            exported with `uv export --frozen` (uv is installed into
#                      the cached venv on first use), markers evaluated for the
#                      TARGET, pinned with hashes. pyproject.toml must sit next to it.
#
# It runs, in a venv cached under ${PYCONTAINER_TEST_CACHE:-$HOME/.cache/pycontainer-test}/pip-target:
#   pip install --no-deps --only-binary=:all: --platform manylinux_<glibc>_<arch>
#               (and every older manylinux tag) --python-version <ver>
#               --implementation cp --target DIR -r PINS
# and prints one `name==version` line per installed *.dist-info (Name and
# Version read from its METADATA, the name PEP 503-normalised), sorted.
# Everything else goes to stderr. --keep DIR installs into DIR (must not
# exist) and leaves it there; otherwise a temp dir is used and removed.
#
# --arch takes OCI names too (amd64, arm64). Needs python3 >= 3.11 on the
# host (tomllib), which only the tests use. pip's cache is pip-cache/ in the
# same cache directory (pip stores nothing there when the index sends no
# caching headers, as the one here does).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/infra/lib.sh
. "$here/lib.sh"

# Fixed versions, so that every machine computes the same answer. uv only
# turns uv.lock into pins.
PIP_VERSION=26.3
UV_VERSION=0.13.9

log() { printf 'pip-target: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
usage() {
  sed -n '6,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

pyver=3.11 arch=x86_64 glibc=2.36 keep="" input=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --python-version) pyver="${2:?}"; shift 2 ;;
    --arch) arch="${2:?}"; shift 2 ;;
    --glibc) glibc="${2:?}"; shift 2 ;;
    --keep) keep="${2:?}"; shift 2 ;;
    -h | --help) usage ;;
    -*) log "unknown option $1"; usage ;;
    *)
      [ -z "$input" ] || usage
      input="$1"; shift
      ;;
  esac
done
[ -n "$input" ] || usage
case "$arch" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) die "unsupported --arch $arch (x86_64/amd64 or aarch64/arm64)" ;;
esac
[[ "$pyver" =~ ^3\.[0-9]+$ ]] || die "--python-version wants 3.N, got $pyver"
[[ "$glibc" =~ ^2\.[0-9]+$ ]] || die "--glibc wants 2.N, got $glibc"
[ -f "$input" ] || die "no such file: $input"
if [ -n "$keep" ] && [ -e "$keep" ]; then
  die "--keep $keep already exists; pip --target would merge into it"
fi

need python3 flock
cache="$(cache_dir)"
venv="$cache/pip-target/venv"

# One venv for all callers; parallel tests wait for the first to create it.
mkdir -p "$cache/pip-target"
exec 9>"$cache/pip-target/.lock"
flock 9
if ! "$venv/bin/python" -m pip --version 2>/dev/null | grep -q "^pip $PIP_VERSION "; then
  log "creating $venv"
  rm -rf "$venv"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "python3 >= 3.11 is needed (tomllib); found $(python3 --version 2>&1)"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --cache-dir "$cache/pip-cache" "pip==$PIP_VERSION" >&2
fi
if [ "$(basename "$input")" = uv.lock ] && ! "$venv/bin/uv" --version 2>/dev/null | grep -qx "uv $UV_VERSION.*"; then
  log "installing uv $UV_VERSION into $venv"
  "$venv/bin/python" -m pip install --quiet --cache-dir "$cache/pip-cache" "uv==$UV_VERSION" >&2
fi
flock -u 9

work="$(mktemp -d "${TMPDIR:-/tmp}/pyc-pip-target.XXXXXX")"
trap 'rm -rf "$work"' EXIT
target="${keep:-$work/site}"

# What pip gets: a requirements file itself (so relative -r/-c includes
# work), or pins written from a lock.
pins="$work/pins.txt"
case "$(basename "$input")" in
  uv.lock)
    # `uv export` reads the project next to the lock; --frozen takes the lock
    # as it is, with no resolution and no network.
    (cd "$(dirname "$input")" && "$venv/bin/uv" export --frozen --quiet --format requirements.txt \
      --no-emit-project --no-annotate --no-header) >"$work/exported.txt" ||
      die "uv export from $input failed"
    mode=requirements-markers src="$work/exported.txt"
    ;;
  pylock.toml | pylock.*.toml) mode=pylock src="$input" ;;
  *) mode=as-is src="$input" ;;
esac
if [ "$mode" = as-is ]; then
  pins="$src"
else
  # pip's vendored `packaging` evaluates markers for the TARGET; pip's own
  # evaluation would use the host's platform_machine.
  "$venv/bin/python" - "$mode" "$src" "$pyver" "$arch" >"$pins" <<'EOF'
import sys, tomllib
from pip._vendor.packaging.markers import Marker
from pip._vendor.packaging.requirements import Requirement

mode, src, pyver, arch = sys.argv[1:]
env = {
    "python_version": pyver,
    "python_full_version": pyver + ".0",
    "platform_machine": arch,
    "platform_system": "Linux",
    "sys_platform": "linux",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "extra": "",
}

def wanted(marker):
    if marker is None:
        return True
    return (Marker(marker) if isinstance(marker, str) else marker).evaluate(env)

def pin(name, version, hashes):
    return " ".join([f"{name}=={version}"] + [f"--hash={h}" for h in hashes])

if mode == "pylock":
    with open(src, "rb") as f:
        lock = tomllib.load(f)
    for pkg in lock.get("packages", []):
        # directory/vcs/archive entries (the project itself) have no version
        # on the index; pip --target of pins cannot install them either.
        if "version" not in pkg or not wanted(pkg.get("marker")):
            continue
        files = list(pkg.get("wheels", [])) + ([pkg["sdist"]] if "sdist" in pkg else [])
        hashes = [f"{algo}:{digest}" for f in files for algo, digest in f.get("hashes", {}).items()]
        print(pin(pkg["name"], pkg["version"], hashes))
else:
    # uv export: one requirement per logical line, `--hash=` on continuations.
    text = open(src, encoding="utf-8").read().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        parts = line.split()
        hashes = [p.removeprefix("--hash=") for p in parts if p.startswith("--hash=")]
        req = Requirement(" ".join(p for p in parts if not p.startswith("--hash=")))
        if not wanted(req.marker):
            continue
        (spec,) = req.specifier
        print(pin(req.name, spec.version, hashes))
EOF
fi

# pip does not widen manylinux_2_N to the older tags a glibc 2.N system also
# runs (it only widens manylinux2014/2010), so list them all, newest first:
# manylinux_2_N .. 2_5 (aarch64 starts at 2_17) and the legacy aliases.
platforms=()
oldest=5
[ "$arch" = aarch64 ] && oldest=17
for ((minor = ${glibc#2.}; minor >= oldest; minor--)); do
  platforms+=(--platform "manylinux_2_${minor}_$arch")
done
platforms+=(--platform "manylinux2014_$arch")
if [ "$arch" = x86_64 ]; then
  platforms+=(--platform manylinux2010_x86_64 --platform manylinux1_x86_64)
fi
log "pip install --target for cp${pyver/./} manylinux_${glibc/./_}_$arch (and older) from $input"
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --cache-dir "$cache/pip-cache" \
  --no-deps --only-binary=:all: "${platforms[@]}" \
  --python-version "$pyver" --implementation cp \
  --target "$target" -r "$pins" >&2; then
  die "pip install failed for $input (pip's message above)"
fi

# METADATA's Name/Version are the distribution's own spelling; the
# dist-info directory name is escaped, so read the headers instead.
shopt -s nullglob
for meta in "$target"/*.dist-info/METADATA; do
  awk '
    /^Name:/ && !name { name = $2 }
    /^Version:/ && !version { version = $2 }
    /^$/ { exit }
    END {
      name = tolower(name); gsub(/[-_.]+/, "-", name)
      print name "==" version
    }' "$meta"
done | LC_ALL=C sort
