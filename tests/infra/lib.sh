# shellcheck shell=bash
# Helpers for the integration test scripts. Source it:
#
#   . "$(dirname "$0")/../infra/lib.sh"      (or wherever the caller lives)
#
# Functions (see tests/infra/README.md for the details):
#   cache_dir                       print (and create) the test cache directory
#   need CMD...                     abort with a clear message if a command is missing
#   start_registry PORT DIR [YAML]  start docker-registry on 127.0.0.1:PORT, data in DIR
#   stop_registry [PORT]            stop that registry, or every one this shell started
#   run_in_image [--replace] [--env K=V]... LAYOUT TAG [ARGS...]
#                                   run the image's process with runc, print its stdout
#   lib_cleanup                     stop everything lib.sh started (installed as EXIT trap)
#
# Sourcing installs `trap lib_cleanup EXIT`. A caller that sets its own EXIT
# trap must call lib_cleanup from it, or registries outlive the script.

if [ -n "${_PYC_TEST_LIB_LOADED:-}" ]; then
  return 0
fi
_PYC_TEST_LIB_LOADED=1

declare -gA _PYC_REGISTRY_PIDS=()

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

# _pyc_yaml_has_key KEY YAML: does YAML define KEY at top level?
_pyc_yaml_has_key() {
  printf '%s\n' "$2" | grep -Eq "^$1[[:space:]]*:"
}

# start_registry PORT DIR [EXTRA_YAML]
#   Writes DIR/config.yml, stores blobs under DIR/data, logs to DIR/registry.log,
#   starts `docker-registry serve` on 127.0.0.1:PORT and waits (max 15 s) until
#   it answers on /v2/ (any HTTP status, so auth setups count). Sets the shell
#   variables REGISTRY_PID and REGISTRY_URL (http[s]://127.0.0.1:PORT; https when
#   EXTRA_YAML mentions tls). Relative paths in EXTRA_YAML resolve against DIR.
#   EXTRA_YAML is appended as top-level YAML (e.g. an `auth:` section). If it
#   defines a top-level `log:`, `storage:` or `http:` key, that key replaces the
#   generated default; the listen address is always forced to 127.0.0.1:PORT
#   (through REGISTRY_HTTP_ADDR), so an `http:` section needs only tls/headers.
start_registry() {
  if [ "$#" -lt 2 ]; then
    _pyc_err "usage: start_registry PORT DIR [EXTRA_YAML]"
    return 2
  fi
  local port="$1" dir="$2" extra="${3:-}"
  need docker-registry curl
  if [ -n "${_PYC_REGISTRY_PIDS[$port]:-}" ]; then
    _pyc_err "error: start_registry: a registry started by this shell already listens on port $port"
    return 1
  fi
  if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null; then
    _pyc_err "error: start_registry: something already answers on 127.0.0.1:$port"
    return 1
  fi
  mkdir -p "$dir/data"
  dir="$(cd "$dir" && pwd)"

  {
    echo "version: 0.1"
    _pyc_yaml_has_key log "$extra" || echo "log: {level: error}"
    _pyc_yaml_has_key storage "$extra" ||
      echo "storage: {filesystem: {rootdirectory: \"$dir/data\"}, delete: {enabled: true}}"
    _pyc_yaml_has_key http "$extra" || echo "http: {addr: \"127.0.0.1:$port\"}"
    if [ -n "$extra" ]; then printf '%s\n' "$extra"; fi
  } >"$dir/config.yml"

  local scheme=http
  if printf '%s\n' "$extra" | grep -Eq '(^|[[:space:]{,])tls[[:space:]]*:'; then
    scheme=https
  fi

  # Relative paths in the config (htpasswd, certificates) resolve against DIR.
  (cd "$dir" && exec env -u REGISTRY_PID -u REGISTRY_URL REGISTRY_HTTP_ADDR="127.0.0.1:$port" \
    docker-registry serve "$dir/config.yml") \
    </dev/null >"$dir/registry.log" 2>&1 &
  local pid=$!
  _PYC_REGISTRY_PIDS[$port]=$pid
  echo "$pid" >"$dir/registry.pid"

  local i code
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      _pyc_err "error: docker-registry on port $port exited at start; config $dir/config.yml; log:"
      sed 's/^/  | /' "$dir/registry.log" >&2 || true
      unset "_PYC_REGISTRY_PIDS[$port]"
      return 1
    fi
    code="$(curl -s -k -o /dev/null -w '%{http_code}' --max-time 1 "$scheme://127.0.0.1:$port/v2/" 2>/dev/null || true)"
    if [ -n "$code" ] && [ "$code" != "000" ]; then
      # Plain shell variables, deliberately not exported: docker-registry reads
      # every REGISTRY_* variable in its environment as configuration.
      # shellcheck disable=SC2034  # read by the caller
      REGISTRY_PID=$pid
      # shellcheck disable=SC2034
      REGISTRY_URL="$scheme://127.0.0.1:$port"
      return 0
    fi
    sleep 0.05
  done
  _pyc_err "error: docker-registry on port $port did not answer within 15 s; log:"
  sed 's/^/  | /' "$dir/registry.log" >&2 || true
  stop_registry "$port"
  return 1
}

# stop_registry [PORT]: stop the registry on PORT, or all registries started here.
stop_registry() {
  local ports=("$@") port pid i
  if [ "${#ports[@]}" -eq 0 ]; then
    ports=("${!_PYC_REGISTRY_PIDS[@]}")
  fi
  for port in "${ports[@]}"; do
    pid="${_PYC_REGISTRY_PIDS[$port]:-}"
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "_PYC_REGISTRY_PIDS[$port]"
  done
  return 0
}

lib_cleanup() {
  stop_registry
}
trap lib_cleanup EXIT

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
