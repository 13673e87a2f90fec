#!/usr/bin/env bash
# Long fuzz runs of the parsers of untrusted bytes (crates/fuzz), on stable Rust.
#
#   scripts/fuzz.sh [SECONDS] [TARGET] [--seed N]
#
# SECONDS (default 600) is split evenly over the targets, or given whole to
# TARGET; `cargo run -p pycontainer-fuzz -- list` names them. Each target runs
# from a fresh random seed, printed with its cases per second; `--seed N`
# runs that seed again. A failing input is saved under crates/fuzz/corpus/TARGET/
# (every later run, the smoke run in `cargo test` too, replays it first) and the
# command to replay it is printed. An input that kills the process (a stack
# overflow, an abort) is saved from the journal the runner keeps.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

seconds="${1:-600}"
shift || true

# Optimised, with overflow checks and unwinding panics (Cargo.toml [profile.fuzz]).
cargo build --quiet --profile fuzz -p pycontainer-fuzz --bin pycontainer-fuzz
bin="${CARGO_TARGET_DIR:-target}/fuzz/pycontainer-fuzz"
# Where the runner writes each input before running it, and its target and seed.
journal="${TMPDIR:-/tmp}/pycontainer-fuzz.last"
about="${TMPDIR:-/tmp}/pycontainer-fuzz.target"

status=0
"$bin" run "$seconds" "$@" || status=$?
if [ "$status" -gt 128 ] && [ -s "$about" ]; then
    read -r target seed < "$about"
    echo "CRASHED ${target} (seed ${seed}): the process died of signal $((status - 128))" >&2
    "$bin" save "$target" "$journal" >&2
fi
exit "$status"
