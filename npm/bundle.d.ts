// Types for `pycontainer/bundle`: the API of `pycontainer`, with the wasm
// core given by the caller (see bundle.mjs).

import api = require('./index');

export * from './index';

/**
 * The wasm module (`pycontainer_bg.wasm`): its bytes, a compiled module, or
 * where to fetch it, or a promise of one of these.
 */
export type WasmSource =
  | ArrayBuffer
  | ArrayBufferView
  | WebAssembly.Module
  | URL
  | string
  | Request
  | Response
  | Promise<ArrayBuffer | ArrayBufferView | WebAssembly.Module | URL | string | Request | Response>;

/** Instantiates the core from `source` for the API to use; call it once, before anything else. */
export function initWasm(source: WasmSource): Promise<void>;

declare const bundle: typeof api & { initWasm: typeof initWasm };
export default bundle;
