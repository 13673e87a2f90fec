// Types for `pycontainer/web`: the API in a browser, where every call needs
// a `host` (see web.mjs) and the wasm core is given to initWasm.

export { initWasm, type WasmSource } from './bundle';
export type * from './index';
export {
  build,
  DEFAULT_OUTPUT,
  plan,
  push,
  splitLayoutRef,
  validate,
  version,
} from './index';

import type { initWasm } from './bundle';
import type * as api from './index';

declare const web: Pick<
  typeof api,
  'build' | 'plan' | 'push' | 'validate' | 'version' | 'splitLayoutRef' | 'DEFAULT_OUTPUT'
> & { initWasm: typeof initWasm };
export default web;
