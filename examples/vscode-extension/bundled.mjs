// The extension as one file (README, "Bundle it"): esbuild embeds the wasm
// module here, and initWasm gives it to pycontainer before extension.js
// runs; its `require('pycontainer')` is the same API, bundled once.

import { initWasm } from 'pycontainer/bundle';
import wasm from 'pycontainer/pycontainer_bg.wasm';
import extension from './extension.js';

export async function activate(context) {
  await initWasm(wasm);
  extension.activate(context);
}
