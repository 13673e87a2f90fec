// The wasm core through the `--target web` glue (wasm-web/, copied by
// scripts/build-wasm.sh), instantiated from a module the caller gives:
// a bundle has no package files to load it from.

import instantiate, * as core from '../wasm-web/pycontainer.mjs';

/**
 * The core, instantiated from `source`: the module's bytes (an ArrayBuffer
 * or a view), a WebAssembly.Module, where to fetch it (a URL, its string, a
 * Request) or a Response, or a promise of one of these.
 */
export async function instantiateCore(source) {
  if (source === undefined || source === null) {
    const err = new TypeError('initWasm needs the wasm module: its bytes, a URL or a Module');
    err.code = 'invalid-option';
    throw err;
  }
  await instantiate({ module_or_path: source });
  return core;
}
