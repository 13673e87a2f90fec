#!/usr/bin/env bash
# Layer-building benchmark: pycontainer vs the usual tar | gzip pipelines, all
# on the same synthetic tree (bench/gen-tree.mjs).
#
#   bash bench/layer.sh [--files N] [--mb MB] [--tree DIR] [--runs 3] [--native-only]
#   --tree DIR times an existing tree instead (e.g. wheels of a large framework
#   unpacked: real Python sources rather than generated ones).
#   BENCH_CLI=PATH times another pycontainer.js (a copy of an older npm/, say);
#   BENCH_CLI_ALSO="PATH ..." adds rows for more of them, in the same runs.
#
# Each row runs --runs times (default 3), the rows in turn, forward on odd runs
# and backward on even ones; the median wall time is reported,
# peak RSS is the largest "Maximum resident set size" from /usr/bin/time -v
# (for a pipeline: its largest single process). MB = 10^6 bytes; MB/s is the
# uncompressed tree bytes divided by the median time.
#
# The pycontainer row must work: if the CLI fails or its JSON has no layer
# size, the script prints the native rows, marks the row FAILED and exits 1.
# --native-only (or BENCH_NATIVE_ONLY=1) skips it on purpose.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tests/infra/lib.sh
. "$repo/tests/infra/lib.sh"

files=2000
mb=50
runs=3
tree=""
native_only="${BENCH_NATIVE_ONLY:-0}"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --mb) mb="$2"; shift 2 ;;
    --tree) tree="$(cd "$2" && pwd)"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --native-only) native_only=1; shift ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "layer.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

need node tar gzip pigz sha256sum /usr/bin/time

log() { printf 'bench: %s\n' "$*" >&2; }

# ---- the tree (cached; the key includes the generator's hash) -------------
# Generated into a temp dir and renamed into place, so $tree exists only complete.
cache="$(cache_dir)"
gen_hash="$(sha256sum "$repo/bench/gen-tree.mjs" | cut -c1-12)"
tree_base="$cache/bench-tree-f${files}-mb${mb}-${gen_hash}"
tree_source="bench/gen-tree.mjs --files $files --mb $mb"
if [ -n "$tree" ]; then
  tree_source="$tree"
else
  tree="$tree_base/tree"
fi
if [ ! -d "$tree" ]; then
  log "generating tree ($files files, $mb MB) in $tree"
  # Drop trees made by older versions of the generator.
  rm -rf "$cache/bench-tree-f${files}-mb${mb}-"*
  tmp_tree="$(mktemp -d "$cache/.bench-tree.tmp.XXXXXX")"
  if ! node "$repo/bench/gen-tree.mjs" "$tmp_tree/tree" --files "$files" --mb "$mb"; then
    rm -rf "$tmp_tree"
    exit 1
  fi
  mv -T "$tmp_tree" "$tree_base"
fi
tree_bytes="$(find "$tree" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')"
tree_files="$(find "$tree" -type f | wc -l)"

work="$(mktemp -d "${TMPDIR:-/tmp}/pyc-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

TAR=(tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tree" -c .)
export TREE="$tree" OUT="$work/out.gz"
tar_cmd="$(printf '%q ' "${TAR[@]}")"

# Warm the page cache so every run reads the tree from memory.
"${TAR[@]}" >/dev/null

# time_once NAME CMD: runs CMD (a bash -c string) once; sets T_US (wall
# microseconds) and T_RSS_KB (peak RSS of its largest process).
time_once() {
  local name="$1" cmd="$2" t0 t1
  t0="$(date +%s%N)"
  if ! /usr/bin/time -v -o "$work/time.txt" bash -c "$cmd" >"$work/cmd.out" 2>"$work/cmd.err"; then
    log "error: '$name' failed: $cmd"
    sed 's/^/  | /' "$work/cmd.err" >&2
    return 1
  fi
  t1="$(date +%s%N)"
  T_US="$(((t1 - t0) / 1000))"
  T_RSS_KB="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")"
}

median_s() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.6f", m / 1e6 }'; }

log "tree: $tree ($tree_files files, $tree_bytes bytes)"

# The rows, each writing its blob to $WORK/out.<row> (sizes are read from there).
# shellcheck disable=SC2016
labels=(
  "tar \| gzip -1 \| tee \| sha256sum"
  "tar \| gzip -6 \| tee \| sha256sum"
  "tar \| sha256sum (no compression)"
  "tar \| pigz -1 \| sha256sum ($(nproc) cores)"
)
cmds=(
  "$tar_cmd | gzip -1 | tee \"\$WORK/out.0\" | sha256sum"
  "$tar_cmd | gzip -6 | tee \"\$WORK/out.1\" | sha256sum"
  "$tar_cmd | tee \"\$WORK/out.2\" | sha256sum"
  "$tar_cmd | pigz -1 | tee \"\$WORK/out.3\" | sha256sum"
)
pyc_row=""
# A pycontainer row's command, run by the inner bash (hence the escaped
# \$): a fresh output directory per run (its removal is inside the timed
# command, but it is a few files in page cache), the --json result kept in
# $WORK/NAME for the layer's size.
pyc_cmd() { # CLI NAME
  printf 'o="$(mktemp -d -p "$WORK")" && node %q build --context "$TREE" --base-image scratch --output "$o" --tag bench:1 --json > "$WORK/%s"; rc=$?; rm -rf "$o"; exit $rc' "$1" "$2"
}
if [ "$native_only" != 1 ]; then
  # BENCH_CLI: another pycontainer.js to time (e.g. a copy of an older npm/).
  pyc_row="${#cmds[@]}"
  labels+=("pycontainer build (app layer)")
  cmds+=("$(pyc_cmd "${BENCH_CLI:-$repo/npm/bin/pycontainer.js}" pyc.json)")
  # BENCH_CLI_ALSO: more pycontainer.js files, each a row of its own (the
  # steps of a change, timed side by side); these rows must work too.
  for cli in ${BENCH_CLI_ALSO:-}; do
    labels+=("pycontainer build ($cli)")
    cmds+=("$(pyc_cmd "$cli" "pyc.${#cmds[@]}.json")")
  done
fi
export WORK="$work"

# Runs alternate the order (forward, then backward), so that load from other
# work on the machine falls on every row alike: the ratios are what to read.
pyc_status=ok
for ((i = 1; i <= runs; i++)); do
  order=("${!cmds[@]}")
  if ((i % 2 == 0)); then mapfile -t order < <(printf '%s\n' "${order[@]}" | tac); fi
  for r in "${order[@]}"; do
    if ! time_once "${labels[$r]}" "${cmds[$r]}"; then
      [ "$r" = "$pyc_row" ] || exit 1
      pyc_status=failed
      continue
    fi
    echo "$T_US" >>"$work/us.$r"
    echo "${T_RSS_KB:-0}" >>"$work/rss.$r"
    log "${labels[$r]//\\/} run $i: $(awk -v us="$T_US" 'BEGIN { printf "%.3f", us / 1e6 }') s"
  done
done

# layer_size JSON: the app layer's size from a pycontainer --json output.
layer_size() {
  node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const l = Array.isArray(j.layers) ? j.layers[j.layers.length - 1] : undefined;
    if (!l || !Number.isFinite(l.size) || l.size <= 0) {
      console.error("pycontainer --json output has no layers[-1].size: " + JSON.stringify(j).slice(0, 500));
      process.exit(1);
    }
    console.log(l.size);
  ' "$1"
}

names=() secs=() sizes=() rsss=()
for r in "${!cmds[@]}"; do
  [ "$r" = "$pyc_row" ] && continue
  names+=("${labels[$r]}")
  secs+=("$(median_s <"$work/us.$r")")
  if [ -f "$work/out.$r" ]; then
    sizes+=("$(stat -c %s "$work/out.$r")")
  else
    sizes+=("$(layer_size "$work/pyc.$r.json")")
  fi
  rsss+=("$(sort -n "$work/rss.$r" | tail -1)")
done
gz1_seconds="${secs[0]}"
gz6_size="${sizes[1]}"

pyc_seconds=""
if [ "$native_only" = 1 ]; then
  pyc_status=skipped
elif [ "$pyc_status" = ok ]; then
  pyc_size="$(layer_size "$work/pyc.json")" || pyc_status=failed
  if [ "$pyc_status" = ok ]; then
    pyc_seconds="$(median_s <"$work/us.$pyc_row")"
    names+=("${labels[$pyc_row]}")
    secs+=("$pyc_seconds")
    sizes+=("$pyc_size")
    rsss+=("$(sort -n "$work/rss.$pyc_row" | tail -1)")
  fi
fi

# ---- report ----------------------------------------------------------------
echo
echo "Tree: $tree_files files, $(awk -v b="$tree_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB ($tree_source); $runs runs each, median; $(nproc) cores; $(node --version)"
echo
echo "| tool | median s | MB/s | output MB | peak RSS MB | size ÷ gzip -6 |"
echo "|---|---:|---:|---:|---:|---:|"
for i in "${!names[@]}"; do
  awk -v n="${names[$i]}" -v s="${secs[$i]}" -v b="$tree_bytes" -v o="${sizes[$i]}" -v r="${rsss[$i]}" -v g="$gz6_size" \
    'BEGIN { printf "| %s | %.3f | %.1f | %.2f | %.1f | %.3f |\n", n, s, b / 1e6 / s, o / 1e6, r / 1024, o / g }'
done
case "$pyc_status" in
  failed) echo "| pycontainer build (app layer) | FAILED | | | | |" ;;
  skipped) echo "| pycontainer build (app layer) | skipped (--native-only) | | | | |" ;;
esac
echo
if [ -n "$pyc_seconds" ]; then
  awk -v a="$gz1_seconds" -v p="$pyc_seconds" \
    'BEGIN { printf "gzip -1 pipeline time ÷ pycontainer time: %.2f (>= 1.0 means pycontainer is faster)\n", a / p }'
  awk -v a="${secs[3]}" -v p="$pyc_seconds" \
    'BEGIN { printf "pigz -1 pipeline time ÷ pycontainer time: %.2f (>= 1.0 means pycontainer is faster)\n", a / p }'
  awk -v s="$pyc_size" -v g="$gz6_size" \
    'BEGIN { printf "pycontainer layer size ÷ gzip -6 size: %.3f (< 1.0 means pycontainer is smaller)\n", s / g }'
fi
if [ "$pyc_status" = failed ]; then
  echo "bench: error: the pycontainer row failed (see above); no pycontainer numbers reported" >&2
  exit 1
fi
