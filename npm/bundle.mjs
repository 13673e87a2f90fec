// The API for a bundle: one file with no package next to it, such as a VS
// Code extension built with esbuild. The core cannot come from the package's
// files there, so the caller gives it to initWasm (embedded bytes, a fetched
// URL, a compiled module) and the web glue, which a bundler inlines,
// instantiates it. Everything else is the CommonJS API itself, so a bundle
// builds what `require('pycontainer')` builds, byte for byte.

import api from './index.js';
import { useWasm } from './lib/wasm.js';
import instantiate, * as core from './wasm-web/pycontainer.mjs';

/**
 * Instantiates the core from `source` and makes the API use it. `source`:
 * the module's bytes (an ArrayBuffer or a view), a WebAssembly.Module, or
 * where to fetch it (a URL, its string, a Request or Response), or a promise
 * of one of these. Call it once, before anything else.
 */
export async function initWasm(source) {
  if (source === undefined || source === null) {
    const err = new TypeError('initWasm needs the wasm module: its bytes, a URL or a Module');
    err.code = 'invalid-option';
    throw err;
  }
  await instantiate({ module_or_path: source });
  useWasm(core);
}

export * from './index.mjs';
export default { ...api, initWasm };
