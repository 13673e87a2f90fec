# shellcheck shell=bash
# Helpers for the integration test scripts. Source it:
#
#   . "$(dirname "$0")/../infra/lib.sh"      (or wherever the caller lives)
#
# Functions (see tests/infra/README.md for the details):
#   cache_dir                       print (and create) the test cache directory
#   need CMD...                     abort with a clear message if a command is missing
#   run_in_image [--replace] [--env K=V]... LAYOUT TAG [ARGS...]
#                                   run the image's process with runc, print its stdout
#
# Test registries are started from Node: tests/infra/registry.mjs.

if [ -n "${_PYC_TEST_LIB_LOADED:-}" ]; then
  return 0
fi
_PYC_TEST_LIB_LOADED=1

_pyc_err() {
  printf '%s\n' "$*" >&2
}

# cache_dir: the directory for slow-to-build test fixtures (base image, bench tree).
cache_dir() {
  local dir="${PYCONTAINER_TEST_CACHE:-$HOME/.cache/pycontainer-test}"
  mkdir -p "$dir"
  printf '%s\n' "$dir"
}

# need CMD...: exit 1 naming every missing command.
need() {
  local cmd missing=()
  for cmd in "$@"; do
    case "$cmd" in
      /*) [ -x "$cmd" ] || missing+=("$cmd") ;;
      *) command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd") ;;
    esac
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    _pyc_err "error: required command(s) not found: ${missing[*]}"
    _pyc_err "       run 'bash scripts/setup.sh' (installs the test tools) and retry"
    exit 1
  fi
}

# run_in_image [--replace] [--env K=V]... LAYOUT TAG [ARGS...]
#   Unpacks LAYOUT:TAG with umoci into a temporary bundle and runs the image's
#   configured process with runc (no TTY, host network). ARGS are appended to
#   the process args (entrypoint + cmd), or replace them with --replace.
#   --env K=V adds/overrides an environment variable (repeatable).
#   The container's stdout is printed on stdout, its stderr on stderr, and the
#   function returns the container's exit status (124 on timeout). Timeout:
#   RUN_IN_IMAGE_TIMEOUT seconds (default 300). Bundle and container are always removed.
#   The body runs in a subshell so its EXIT trap does the cleanup.
run_in_image() (
  set -euo pipefail
  local replace=0 envs=()
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --replace) replace=1; shift ;;
      --env) envs+=("$2"); shift 2 ;;
      --env=*) envs+=("${1#--env=}"); shift ;;
      --) shift; break ;;
      *) break ;;
    esac
  done
  if [ "$#" -lt 2 ]; then
    _pyc_err "usage: run_in_image [--replace] [--env K=V]... LAYOUT TAG [ARGS...]"
    exit 2
  fi
  local layout="$1" tag="$2"
  shift 2
  need umoci runc node

  local work id spid=""
  work="$(mktemp -d "${TMPDIR:-/tmp}/pyc-run.XXXXXX")"
  id="pyc-test-$$-${BASHPID}-${RANDOM}${RANDOM}"
  # shellcheck disable=SC2317  # invoked by the trap
  cleanup() {
    if [ -n "${spid:-}" ]; then kill "$spid" 2>/dev/null || true; fi
    runc delete -f "$id" >/dev/null 2>&1 || true
    rm -rf "$work"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  if ! umoci unpack --image "$layout:$tag" "$work/bundle" >"$work/unpack.log" 2>&1; then
    _pyc_err "error: run_in_image: umoci unpack --image $layout:$tag failed:"
    sed 's/^/  | /' "$work/unpack.log" >&2
    exit 1
  fi

  # Edit config.json: no TTY (we are not attached to one), no network namespace
  # (host networking; a fresh netns would only have a down loopback), extra args/env.
  node - "$work/bundle/config.json" "$replace" "${#envs[@]}" "${envs[@]}" "$@" <<'EOF'
const fs = require('fs');
const [file, replace, nenv, ...rest] = process.argv.slice(2);
const envs = rest.slice(0, Number(nenv));
const args = rest.slice(Number(nenv));
const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
cfg.process = cfg.process || {};
cfg.process.terminal = false;
delete cfg.process.consoleSize;
if (cfg.linux && Array.isArray(cfg.linux.namespaces)) {
  cfg.linux.namespaces = cfg.linux.namespaces.filter((ns) => ns.type !== 'network');
}
if (replace === '1') {
  if (args.length === 0) throw new Error('run_in_image --replace needs ARGS');
  cfg.process.args = args;
} else {
  cfg.process.args = (cfg.process.args || []).concat(args);
}
if (cfg.process.args.length === 0) throw new Error('image has no entrypoint/cmd and no ARGS were given');
if (envs.length) {
  const env = cfg.process.env || [];
  for (const kv of envs) {
    const key = kv.split('=')[0];
    const i = env.findIndex((e) => e.split('=')[0] === key);
    if (i >= 0) env[i] = kv; else env.push(kv);
  }
  cfg.process.env = env;
}
fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
EOF

  # runc runs in the background (stdin passed on explicitly, as a background
  # job would get /dev/null) next to a `sleep` watchdog; whichever ends first
  # wins. On timeout the container's init gets SIGKILL: runc forwards SIGTERM
  # to it, and a PID 1 without a handler ignores SIGTERM.
  local limit="${RUN_IN_IMAGE_TIMEOUT:-300}" rc=0 done_pid="" rpid
  runc run --bundle "$work/bundle" "$id" <&0 >"$work/stdout" 2>"$work/stderr" &
  rpid=$!
  sleep "$limit" &
  spid=$!
  wait -n -p done_pid "$rpid" "$spid" || rc=$?
  if [ "$done_pid" = "$spid" ]; then
    runc kill "$id" KILL >/dev/null 2>&1 || true
    wait "$rpid" || true
    rc=124
  else
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
  fi
  cat "$work/stderr" >&2
  cat "$work/stdout"
  if [ "$rc" -eq 124 ] && [ "$done_pid" = "$spid" ]; then
    _pyc_err "error: run_in_image: container $id timed out after $limit s and was killed"
  fi
  exit "$rc"
)
