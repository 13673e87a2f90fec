'use strict';

// Loads the Rust core, compiled by wasm-bindgen with `--target nodejs`.
// `npm/wasm/` is generated (scripts/build-wasm.sh copies it from pkg-js/node/)
// and is not checked in, so a fresh clone has no core until that script runs.
// Loading is lazy: the CLI's --help and --version must work without it.
// A bundle has no files next to it: it gives the core itself (useWasm, from
// `pycontainer/bundle`'s initWasm), and the file is never looked for.

const fs = require('node:fs');
const path = require('node:path');

const WASM_ENTRY = path.join(__dirname, '..', 'wasm', 'pycontainer.js');

let cached;

/** Returns the wasm-bindgen module (`build`, `validate`, `version`), loading it once. */
function loadWasm() {
  if (cached) return cached;
  try {
    cached = require(WASM_ENTRY);
  } catch (err) {
    // Only translate "this very file is missing"; a missing module *inside* the
    // generated code (its require stack also names WASM_ENTRY, on later lines)
    // is a real bug and keeps its own message.
    const firstLine = String(err?.message ?? '').split('\n')[0];
    if (err?.code === 'MODULE_NOT_FOUND' && firstLine.includes(WASM_ENTRY)) {
      const missing = new Error(
        `the pycontainer wasm core is not built (${WASM_ENTRY} is missing); run scripts/build-wasm.sh, or in a bundle call initWasm from pycontainer/bundle first`,
      );
      missing.code = 'WASM_NOT_BUILT';
      throw missing;
    }
    throw err;
  }
  return cached;
}

/** Uses `core`, a wasm-bindgen module already instantiated, from now on. */
function useWasm(core) {
  cached = core;
}

/**
 * Whether a worker thread can load the core as this thread does: from the
 * package's own file, which a bundle does not have.
 */
function coreFileAvailable() {
  return fs.existsSync(WASM_ENTRY);
}

module.exports = { loadWasm, useWasm, coreFileAvailable, WASM_ENTRY };
