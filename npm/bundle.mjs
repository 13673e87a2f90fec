// The API for a bundle on Node: one file with no package next to it, such as
// a VS Code extension built with esbuild. The core cannot come from the
// package's files there, so the caller gives it to initWasm (embedded bytes,
// a fetched URL, a compiled module). Everything else is the CommonJS API
// itself, so a bundle builds what `require('pycontainer')` builds, byte for
// byte, and `require('pycontainer')` in the same bundle uses this core.

import api from './index.js';
import { useWasm } from './lib/wasm.js';
import { instantiateCore } from './lib/web-core.mjs';

/** Instantiates the core from `source` (see instantiateCore) for the API; call it once, first. */
export async function initWasm(source) {
  useWasm(await instantiateCore(source));
}

export * from './index.mjs';
export default { ...api, initWasm };
