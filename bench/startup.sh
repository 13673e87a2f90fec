#!/usr/bin/env bash
# Start-up time of an image with and without the dependencies' bytecode:
# examples/fastapi-app built on the Debian base (tests/infra/base-image.sh)
# with the default (compiled) and with --no-compile, unpacked with umoci,
# then `python -c "import fastapi, uvicorn"` timed in each rootfs, with the
# image's environment (PYTHONDONTWRITEBYTECODE=1, so nothing is cached on
# the way), interleaved, all in one run. Needs root (umoci unpack, chroot).
#
#   bash bench/startup.sh [--runs 15]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs=15
while [ "$#" -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    *) echo "usage: bench/startup.sh [--runs N]" >&2; exit 2 ;;
  esac
done
work="$(mktemp -d "${TMPDIR:-/tmp}/pyc-bench-startup.XXXXXX")"
trap 'rm -rf "$work"' EXIT
base="$(bash "$repo/tests/infra/base-image.sh" 2>/dev/null | tail -n 1)"
cp -r "$repo/examples/fastapi-app" "$work/app"

for variant in compiled plain; do
  flags=()
  [ "$variant" = plain ] && flags=(--no-compile)
  start=$(date +%s.%N)
  node "$repo/npm/bin/pycontainer.js" build --context "$work/app" --base-image "oci:$base:3.11-slim" \
    --output "$work/$variant" --cache-dir "$work/cache" --tag "bench:$variant" "${flags[@]}" --json >/dev/null
  echo "bench: build ($variant, wheels cached after the first): $(echo "$(date +%s.%N) - $start" | bc) s" >&2
  umoci unpack --image "$work/$variant:$variant" "$work/$variant-bundle" >/dev/null
done

run() {
  local start end
  start=$(date +%s%N)
  env -i PATH=/app/.venv/bin:/usr/bin:/bin PYTHONDONTWRITEBYTECODE=1 VIRTUAL_ENV=/app/.venv \
    /usr/sbin/chroot "$work/$1-bundle/rootfs" /app/.venv/bin/python -c 'import fastapi, uvicorn'
  end=$(date +%s%N)
  echo "$1 $(( (end - start) / 1000000 ))"
}
run compiled >/dev/null
run plain >/dev/null
for _ in $(seq "$runs"); do run compiled; run plain; done >"$work/times"
median() { grep "^$1 " "$work/times" | cut -d' ' -f2 | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
range() { grep "^$1 " "$work/times" | cut -d' ' -f2 | sort -n | awk 'NR==1{lo=$1} {hi=$1} END {print lo "–" hi}'; }
c=$(median compiled); p=$(median plain)
echo "| image | import fastapi, uvicorn: median ms | min–max ms |"
echo "|---|---:|---:|"
echo "| with bytecode (default) | $c | $(range compiled) |"
echo "| --no-compile | $p | $(range plain) |"
echo "without ÷ with: $(echo "scale=2; $p / $c" | bc); $runs runs each, interleaved; $(nproc) cores"
