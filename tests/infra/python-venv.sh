#!/usr/bin/env bash
# Make (once) the venv the Python integration tests run in: the system
# python3 with the pinned tools of integrations/python/tests/requirements.txt
# (pytest, and the real Poetry and hatchling the plugin and the build hook
# are tested against), downloaded from the package index.
#
#   bash tests/infra/python-venv.sh   -> last stdout line: the venv directory
#
# Cached under ${PYCONTAINER_TEST_CACHE:-$HOME/.cache/pycontainer-test} in a
# directory named for the requirements' hash, so a changed pin makes a new
# venv instead of mutating one another test may be using. It is made under
# a flock and marked complete last: parallel callers wait, and a venv an
# interrupted run left half-made is made again. The package under test is never installed here (each
# test installs it into its own temp dir), so the venv stays read-only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/infra/lib.sh
. "$here/lib.sh"
requirements="$here/../../integrations/python/tests/requirements.txt"

need python3 sha256sum flock
cache="$(cache_dir)"
hash="$(sha256sum "$requirements" | cut -c1-16)"
out="$cache/integrations-venv-$hash"

is_valid() { [ -x "$out/bin/python" ] && [ -e "$out/.complete" ]; }

if ! is_valid; then
  exec 9>"$cache/integrations-venv.lock"
  flock 9
  if ! is_valid; then
    printf 'python-venv: making %s (pip downloads pytest, poetry, hatchling; about a minute)\n' "$out" >&2
    # Made where it will live (not renamed into place): a venv's scripts
    # carry its absolute path.
    rm -rf "$out"
    python3 -m venv "$out"
    "$out/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    touch "$out/.complete"
  fi
fi
printf '%s\n' "$out"
