// ESM entry: the same objects as the CommonJS API (one module instance, one
// cached wasm core), re-exported under named and default exports.
import api from './index.js';

export const {
  build,
  deploy,
  dockerfile,
  plan,
  push,
  validate,
  version,
  createNodeHost,
  splitLayoutRef,
  DEFAULT_OUTPUT,
} = api;
export default api;
