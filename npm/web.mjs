// The API in a browser (a VS Code web extension, a web page, a worker):
// lib/api.js over the core the caller gives to initWasm and the host it
// gives to every call (such as pycontainer/vscode-host over workspace.fs);
// a browser has no file system or registry credentials of its own. Nothing
// here or in what it loads needs Node, so a bundler targets the browser.

import { createApi, DEFAULT_OUTPUT, splitLayoutRef } from './lib/api.js';
import { instantiateCore } from './lib/web-core.mjs';

let core;

/** Instantiates the core from `source` (see instantiateCore) for the API; call it once, first. */
export async function initWasm(source) {
  core = await instantiateCore(source);
}

function loadCore() {
  if (core) return core;
  const err = new Error('the pycontainer wasm core is not loaded: call initWasm first');
  err.code = 'WASM_NOT_BUILT';
  throw err;
}

function requireHost() {
  const err = new TypeError(
    'host is required in a browser, which has no file system of its own (see pycontainer/vscode-host)',
  );
  err.code = 'invalid-option';
  throw err;
}

/** `p` against `cwd` as POSIX paths: absolute, with no `.`, `..` or repeated `/`. */
function resolvePosix(p, cwd) {
  const parts = [];
  for (const part of `${p.startsWith('/') ? '' : cwd}/${p}`.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return `/${parts.join('/')}`;
}

export const { build, plan, push, validate, version } = createApi({
  loadCore,
  defaultHost: requireHost,
  resolverFor: () => resolvePosix,
  // Host paths are absolute (a workspace URI's path); relative ones are from the root.
  cwd: () => '/',
});

export { DEFAULT_OUTPUT, splitLayoutRef };

export default { build, plan, push, validate, version, initWasm, splitLayoutRef, DEFAULT_OUTPUT };
