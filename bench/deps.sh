#!/usr/bin/env bash
# Dependencies benchmark (issue 5): the deps layer of
# tests/fixtures/deps/fastapi-app (fastapi, uvicorn[standard], pydantic: 20
# wheels) made by pycontainer, against pip installing the same wheel files
# with --target followed by tar | gzip, all in one run.
#
#   bash bench/deps.sh [--runs 7] [--cold-runs 3] [--no-cold]
#
# Warm (every wheel already on disk), --runs rounds after one untimed one,
# the row order reversed on even rounds:
#   pycontainer, deps layer made  the whole `pycontainer build` of the fixture
#                                 on the Debian base (tests/infra/base-image.sh)
#                                 with a cache whose wheels are there but whose
#                                 deps-layer records are deleted, so the wheels
#                                 are read, installed and written as a layer;
#   pycontainer, deps layer found the same build with the record kept: the
#                                 app layer and the copies into the output.
#   The deps layer's own cost is the first minus the second, per round.
#   pip rows                      `pip install --no-deps --no-index --target T`
#                                 of the same wheel files (checked: the same
#                                 names as pycontainer's), then a reproducible
#                                 `tar | gzip | tee FILE | sha256sum` of T.
#                                 --no-compile is the fair row: pycontainer
#                                 writes no .pyc files.
# Cold (--cold-runs rounds, alternating; --no-cold skips them), against the
# package index, so the network dominates:
#   pycontainer, fresh cache      the fixture without its locks (pyproject.toml
#                                 and deps_demo/ only): resolve against the
#                                 index, download, install, write the layer and
#                                 pylock.toml; the base is probed again too;
#   ... base probe kept           the same with the cache's record of the base
#                                 image's Python and libc copied in;
#   pip download                  resolve and download the same requirements.
#
# Wall time is taken around each process, peak RSS is the largest "Maximum
# resident set size" from /usr/bin/time -v (for a pipeline: its largest
# single process). MB = 10^6 bytes. pip is the pinned one of
# tests/infra/pip-target.sh, which this script runs once (it also gives the
# reference set of installed distributions). BENCH_CLI=PATH times another
# pycontainer.js (a copy of npm/, say, so a rebuild cannot land mid-run).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tests/infra/lib.sh
. "$repo/tests/infra/lib.sh"

runs=7
cold_runs=3
while [ "$#" -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --cold-runs) cold_runs="$2"; shift 2 ;;
    --no-cold) cold_runs=0; shift ;;
    -h | --help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "deps.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

need node python3 tar gzip sha256sum /usr/bin/time

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

fixture="$repo/tests/fixtures/deps/fastapi-app"
cli="$(realpath "${BENCH_CLI:-$repo/npm/bin/pycontainer.js}")"
[ -f "$cli" ] || die "no pycontainer CLI at $cli"
# A machine-wide find-links directory would let pip take wheels from disk
# in the cold row instead of the index.
unset PIP_FIND_LINKS

work="$(mktemp -d "${TMPDIR:-/tmp}/pyc-bench-deps.XXXXXX")"
trap 'rm -rf "$work"' EXIT

base="$(bash "$repo/tests/infra/base-image.sh" | tail -n 1)"
cache="$(cache_dir)"

# The reference set, and the pinned pip in its cached venv.
log "pip's reference install (tests/infra/pip-target.sh)"
bash "$repo/tests/infra/pip-target.sh" "$fixture/requirements.txt" >"$work/pip-set.txt"
pip=("$cache/pip-target/venv/bin/python" -m pip --disable-pip-version-check --quiet)

# pip's --platform does not imply the older manylinux tags that a glibc 2.36
# base also runs, so name them all, as tests/infra/pip-target.sh does.
platforms=()
for ((minor = 36; minor >= 5; minor--)); do
  platforms+=(--platform "manylinux_2_${minor}_x86_64")
done
platforms+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)
target_args=(--only-binary=:all: "${platforms[@]}" --python-version 3.11 --implementation cp)

# The wheel files, hash-checked by requirements.txt, kept between runs;
# downloaded into a temp dir and renamed, so the directory exists only complete.
wheels="$cache/bench-deps-wheels-$(sha256sum "$fixture/requirements.txt" | cut -c1-12)"
if [ ! -d "$wheels" ]; then
  log "downloading the wheels of requirements.txt into $wheels"
  tmp_wheels="$(mktemp -d "$cache/.bench-deps-wheels.tmp.XXXXXX")"
  if ! "${pip[@]}" download --no-deps "${target_args[@]}" -r "$fixture/requirements.txt" -d "$tmp_wheels"; then
    rm -rf "$tmp_wheels"
    exit 1
  fi
  mv -T "$tmp_wheels" "$wheels"
fi

# pyc_build CONTEXT CACHE JSON: the timed pycontainer command, a bash -c string.
pyc_build() {
  printf 'node %q build --context %q --base-image %q --cache-dir %q --output %q --tag bench:1 --json > %q' \
    "$cli" "$1" "oci:$base:3.11-slim" "$2" "$work/out" "$3"
}

# json_get FILE EXPR: EXPR evaluated on the parsed JSON as `j`, printed.
json_get() {
  node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]));' "$1" "$2"
}

# Where the build keeps layer records: the cache's OCI layout is its oci/.
pyc_cache="$work/pyc-cache"
records="$pyc_cache/oci/pycontainer/deps"
log "priming pycontainer's cache (downloads the wheels of pylock.toml)"
bash -c "$(pyc_build "$fixture" "$pyc_cache" "$work/pyc.json")" || die "pycontainer build failed"
shopt -s nullglob
record_files=("$records"/*.json)
[ "${#record_files[@]}" -eq 1 ] || die "expected one deps-layer record in $records, found ${#record_files[@]}"

# The same work on both sides: the same distributions, from the same files.
json_get "$work/pyc.json" 'j.plan.dependencies.packages.map((p) => p.name + "==" + p.version).sort().join("\n")' >"$work/pyc-set.txt"
json_get "$work/pyc.json" 'j.plan.dependencies.packages.map((p) => p.wheel).sort().join("\n")' >"$work/pyc-wheels.txt"
(cd "$wheels" && printf '%s\n' *.whl | LC_ALL=C sort) >"$work/pip-wheels.txt"
LC_ALL=C sort -o "$work/pyc-wheels.txt" "$work/pyc-wheels.txt"
diff -u "$work/pip-set.txt" "$work/pyc-set.txt" >&2 || die "pycontainer installs other distributions than pip (diff above)"
diff -u "$work/pip-wheels.txt" "$work/pyc-wheels.txt" >&2 || die "pycontainer picked other wheel files than pip (diff above)"
n_packages="$(wc -l <"$work/pyc-set.txt")"
log "$n_packages packages, the same wheel files on both sides"

# ---- rows ------------------------------------------------------------------
# Each row: a label, a preparation (untimed), a command (timed) and
# optionally a look at its output (untimed, stdout kept in facts[ROW]), all
# bash -c strings.
TAR="tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C $(printf %q "$work/T") -cf - ."
PIP="$(printf '%q ' "${pip[@]}")"
WHL="$(printf '%q' "$wheels")/*.whl"
OUT="$(printf %q "$work/pip.tar.gz")"
# The compressed size, the number of files and the uncompressed tar size.
PIP_FACTS="stat -c %s $OUT && find $(printf %q "$work/T") -type f | wc -l && $TAR | wc -c"

declare -A label prep cmd after facts times rsss
row() { label[$1]="$2"; prep[$1]="$3"; cmd[$1]="$4"; after[$1]="${5:-}"; }

# Deleting the record and the layer blob it names leaves the wheels cached
# and nothing of the layer, as after a change of the lock.
row pyc_deps "pycontainer build, deps layer made (wheels cached)" \
  "rm -rf $(printf %q "$work/out") && for r in $(printf %q "$records")/*.json; do rm -f $(printf %q "$pyc_cache/oci/blobs/sha256")/\"\$(node -p 'require(process.argv[1]).digest.slice(7)' \"\$r\")\" \"\$r\"; done" \
  "$(pyc_build "$fixture" "$pyc_cache" "$work/pyc.json")"
row pyc_app "pycontainer build, deps layer found (app layer only)" \
  "rm -rf $(printf %q "$work/out")" \
  "$(pyc_build "$fixture" "$pyc_cache" "$work/pyc-app.json")"
row pip_nc "pip install --no-compile, tar | gzip -6 | tee | sha256sum" \
  "rm -rf $(printf %q "$work/T")" \
  "$PIP install --no-deps --no-index --no-compile --target $(printf %q "$work/T") $WHL && $TAR | gzip -6 | tee $OUT | sha256sum" \
  "$PIP_FACTS"
row pip_c "pip install (compiles .pyc), tar | gzip -6 | tee | sha256sum" \
  "rm -rf $(printf %q "$work/T")" \
  "$PIP install --no-deps --no-index --target $(printf %q "$work/T") $WHL && $TAR | gzip -6 | tee $OUT | sha256sum" \
  "$PIP_FACTS"
row pip_gz1 "pip install --no-compile, tar | gzip -1 | tee | sha256sum" \
  "rm -rf $(printf %q "$work/T")" \
  "$PIP install --no-deps --no-index --no-compile --target $(printf %q "$work/T") $WHL && $TAR | gzip -1 | tee $OUT | sha256sum" \
  "$PIP_FACTS"

# The cold rows' project: the fixture without its locks.
cold_app="$work/cold-app"
cold_cache="$work/cold-cache"
mkdir -p "$work/targets"
cp -r "$pyc_cache/oci/pycontainer/targets" "$work/targets/"
fresh_project="rm -rf $(printf %q "$cold_app") $(printf %q "$cold_cache") $(printf %q "$work/out") && mkdir -p $(printf %q "$cold_app") && cp -r $(printf %q "$fixture/pyproject.toml") $(printf %q "$fixture/deps_demo") $(printf %q "$cold_app")/"
row pyc_cold "pycontainer build, fresh cache, no lock" \
  "$fresh_project" \
  "$(pyc_build "$cold_app" "$cold_cache" "$work/pyc-cold.json")"
row pyc_cold_probe "pycontainer build, fresh cache but the base probe, no lock" \
  "$fresh_project && mkdir -p $(printf %q "$cold_cache/oci/pycontainer") && cp -r $(printf %q "$work/targets/targets") $(printf %q "$cold_cache/oci/pycontainer/")" \
  "$(pyc_build "$cold_app" "$cold_cache" "$work/pyc-cold.json")"
"$cache/pip-target/venv/bin/python" -c '
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["dependencies"]))
' "$fixture/pyproject.toml" >"$work/cold-reqs.txt"
row pip_cold "pip download (resolves), fresh dir, no cache" \
  "rm -rf $(printf %q "$work/cold-wheels")" \
  "$PIP download --no-cache-dir $(printf '%q ' "${target_args[@]}") -r $(printf %q "$work/cold-reqs.txt") -d $(printf %q "$work/cold-wheels")"

# measure KEY: one prepared, timed run of row KEY; appends its wall time (us)
# and peak RSS (KB) to the row's lists.
measure() {
  local key="$1" t0 t1 rss us
  bash -c "${prep[$key]}" || die "preparing '${label[$key]}' failed"
  # pycontainer fsyncs its blobs, and on ext4 that also flushes what the
  # previous row left dirty; each row starts clean instead.
  sync
  t0="$(date +%s%N)"
  if ! /usr/bin/time -v -o "$work/time.txt" bash -c "${cmd[$key]}" >"$work/cmd.out" 2>"$work/cmd.err"; then
    log "error: '${label[$key]}' failed: ${cmd[$key]}"
    sed 's/^/  | /' "$work/cmd.err" >&2
    exit 1
  fi
  t1="$(date +%s%N)"
  if [ -n "${after[$key]}" ]; then
    facts[$key]="$(bash -c "${after[$key]}")" || die "looking at the output of '${label[$key]}' failed"
  fi
  rss="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")"
  us="$(((t1 - t0) / 1000))"
  times[$key]+="$us "
  rsss[$key]+="$rss "
  log "${label[$key]}: $(awk -v us="$us" 'BEGIN { printf "%.3f", us / 1e6 }') s, $((rss / 1024)) MB"
}

# rounds N ROW...: one untimed warm-up round, then N rounds, reversed on even ones.
rounds() {
  local n="$1" i key order
  shift
  for key in "$@"; do measure "$key"; done
  for key in "$@"; do times[$key]="" rsss[$key]=""; done
  for ((i = 1; i <= n; i++)); do
    order=("$@")
    if ((i % 2 == 0)); then
      mapfile -t order < <(printf '%s\n' "$@" | tac)
    fi
    log "round $i of $n"
    for key in "${order[@]}"; do measure "$key"; done
  done
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.6f", m / 1e6 }'; }
range() { tr ' ' '\n' | grep . | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f–%.2f", lo / 1e6, hi / 1e6 }'; }
max_mb() { tr ' ' '\n' | grep . | sort -n | tail -n 1 | awk '{ printf "%.0f", $1 / 1024 }'; }
# paired LIST_A LIST_B AWK_EXPR: AWK_EXPR of a and b for each round, times
# in us, the same scale as the lists (rows of one round ran back to back, so
# this cancels the machine's slow spells).
paired() {
  paste -d' ' <(tr ' ' '\n' <<<"$1" | grep .) <(tr ' ' '\n' <<<"$2" | grep .) |
    awk "{ a = \$1; b = \$2; printf \"%d \", $3 }"
}

rounds "$runs" pyc_deps pyc_app pip_nc pip_c pip_gz1

# ---- sizes: the last run of each ------------------------------------------
record="$(printf '%s\n' "$records"/*.json | head -n 1)"
deps_digest="$(json_get "$record" 'j.digest')"
deps_size="$(json_get "$work/pyc.json" "j.layers.find((l) => l.digest === '$deps_digest').size")"
if [ -z "$deps_size" ] || [ "$deps_size" = undefined ]; then
  die "the deps layer $deps_digest is not in the build's --json layers"
fi
deps_blob="$pyc_cache/oci/blobs/sha256/${deps_digest#sha256:}"
deps_tar_bytes="$(gzip -dc "$deps_blob" | wc -c)"
deps_files="$(gzip -dc "$deps_blob" | tar -tvf - | grep -c '^-')"
app_size="$(json_get "$work/pyc-app.json" 'j.layers[j.layers.length - 1].size')"
n_json="$(json_get "$work/pyc.json" 'j.plan.dependencies.packages.length')"
{ read -r pip_nc_size; read -r pip_files; read -r pip_tar_bytes; } <<<"${facts[pip_nc]}"
{ read -r pip_c_size; read -r pip_c_files; } <<<"${facts[pip_c]}"
read -r pip_gz1_size <<<"${facts[pip_gz1]}"

if [ "$cold_runs" -gt 0 ]; then
  rounds "$cold_runs" pyc_cold pyc_cold_probe pip_cold
  n_cold_pyc="$(json_get "$work/pyc-cold.json" 'j.plan.dependencies.packages.length')"
  n_cold_pip="$(find "$work/cold-wheels" -name '*.whl' | wc -l)"
  json_get "$work/pyc-cold.json" 'j.plan.dependencies.packages.map((p) => p.wheel).sort().join("\n")' | LC_ALL=C sort >"$work/cold-pyc-wheels.txt"
  (cd "$work/cold-wheels" && printf '%s\n' *.whl | LC_ALL=C sort) >"$work/cold-pip-wheels.txt"
  cold_same=yes
  cmp -s "$work/cold-pyc-wheels.txt" "$work/cold-pip-wheels.txt" || cold_same=no
  [ -f "$cold_app/pylock.toml" ] || die "the cold pycontainer build wrote no pylock.toml"
fi

# ---- report ----------------------------------------------------------------
med() { median <<<"${times[$1]}"; }
share="$(paired "${times[pyc_deps]}" "${times[pyc_app]}" 'a - b')"
# Ratios scaled by 1e6, so that median and range print them as they are.
share_ratio="$(paired "$share" "${times[pip_nc]}" 'a / b * 1e6')"
whole_ratio="$(paired "${times[pyc_deps]}" "${times[pip_nc]}" 'a / b * 1e6')"
fair="$(med pip_nc)"
mb() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1e6 }'; }
# A table's first cell, the label's pipes escaped for Markdown (printf, as
# awk -v would take the backslashes for escapes).
cell() { printf '| %s ' "${1//|/\\|}"; }
line() { # LABEL MEDIAN_S RANGE RSS_MB OUTPUT
  cell "$1"
  awk -v s="$2" -v r="$3" -v f="$fair" -v m="$4" -v o="$5" \
    'BEGIN { printf "| %.3f | %s | %.2f | %s | %s |\n", s, r, s / f, m, o }'
}
echo
echo "Fixture: tests/fixtures/deps/fastapi-app, $n_json packages ($n_packages in pip's reference set), base oci:$base:3.11-slim; $runs warm rounds, median; $(nproc) cores; $(node --version); $("${pip[@]}" --version | cut -d' ' -f1-2)"
echo
echo "| warm: wheels on disk | median s | min–max | ÷ pip --no-compile | peak RSS MB | output MB |"
echo "|---|---:|---:|---:|---:|---:|"
line "${label[pyc_deps]}" "$(med pyc_deps)" "$(range <<<"${times[pyc_deps]}")" "$(max_mb <<<"${rsss[pyc_deps]}")" "deps $(mb "$deps_size")"
line "${label[pyc_app]}" "$(med pyc_app)" "$(range <<<"${times[pyc_app]}")" "$(max_mb <<<"${rsss[pyc_app]}")" "app $(mb "$app_size")"
line "**deps layer: the two above, per round**" "$(median <<<"$share")" "$(range <<<"$share")" "–" "$(mb "$deps_size")"
line "${label[pip_nc]}" "$fair" "$(range <<<"${times[pip_nc]}")" "$(max_mb <<<"${rsss[pip_nc]}")" "$(mb "$pip_nc_size")"
line "${label[pip_c]}" "$(med pip_c)" "$(range <<<"${times[pip_c]}")" "$(max_mb <<<"${rsss[pip_c]}")" "$(mb "$pip_c_size")"
line "${label[pip_gz1]}" "$(med pip_gz1)" "$(range <<<"${times[pip_gz1]}")" "$(max_mb <<<"${rsss[pip_gz1]}")" "$(mb "$pip_gz1_size")"
echo
echo "Contents: pycontainer's deps layer $deps_files files, $(mb "$deps_tar_bytes") MB as tar; pip --target $pip_files files, $(mb "$pip_tar_bytes") MB as tar ($pip_c_files files with .pyc)"
awk -v s="$(median <<<"$share")" -v f="$fair" -v m="$(median <<<"$share_ratio")" -v r="$(range <<<"$share_ratio")" \
  'BEGIN { printf "deps layer ÷ pip --no-compile + tar | gzip -6: %.2f from the medians, per round %.2f (%s) (target ≤ 1.0; below 1.0 means pycontainer is faster)\n", s / f, m, r }'
awk -v s="$(med pyc_deps)" -v f="$fair" -v m="$(median <<<"$whole_ratio")" -v r="$(range <<<"$whole_ratio")" \
  'BEGIN { printf "whole pycontainer build ÷ the same: %.2f from the medians, per round %.2f (%s)\n", s / f, m, r }'
awk -v p="$deps_size" -v g="$pip_nc_size" \
  'BEGIN { printf "deps layer size ÷ gzip -6 of pip'"'"'s tree: %.3f\n", p / g }'

if [ "$cold_runs" -gt 0 ]; then
  echo
  echo "| cold: against the index | median s | min–max | peak RSS MB | packages |"
  echo "|---|---:|---:|---:|---:|"
  for key in pyc_cold pyc_cold_probe pip_cold; do
    n="$n_cold_pip"
    [ "$key" = pip_cold ] || n="$n_cold_pyc"
    cell "${label[$key]}"
    awk -v s="$(med "$key")" -v r="$(range <<<"${times[$key]}")" -v m="$(max_mb <<<"${rsss[$key]}")" -v n="$n" \
      'BEGIN { printf "| %.3f | %s | %s | %s |\n", s, r, m, n }'
  done
  echo
  awk -v c="$(med pyc_cold_probe)" -v d="$(med pip_cold)" -v i="$fair" \
    'BEGIN { printf "pycontainer cold (base probe kept) ÷ (pip download + pip install --no-compile + tar | gzip -6): %.3f s ÷ %.3f s = %.2f\n", c, d + i, c / (d + i) }'
  awk -v c="$(med pyc_cold_probe)" -v w="$(med pyc_deps)" -v p="$(med pip_cold)" \
    'BEGIN { printf "resolve + download in pycontainer, as its cold build minus its warm one: %.3f s (pip download: %.3f s)\n", c - w, p }'
  awk -v c="$(med pyc_cold)" -v k="$(med pyc_cold_probe)" \
    'BEGIN { printf "probing the base image (first build against a base, then cached): %.3f s\n", c - k }'
  if [ "$cold_same" = yes ]; then
    echo "cold resolutions: the same $n_cold_pyc wheel files on both sides"
  else
    echo "cold resolutions differ between pycontainer and pip:"
    diff "$work/cold-pyc-wheels.txt" "$work/cold-pip-wheels.txt" || true
  fi
fi
