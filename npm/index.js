'use strict';

// The JS API on Node: lib/api.js over the package's wasm core, paths
// resolved on this machine, and the Node host when the caller gives none.
// The core itself is loaded on first use.

const fs = require('node:fs');
const path = require('node:path');
const {
  coreBuildOptions,
  coreDeployOptions,
  corePushOptions,
  coreValidateOptions,
  createApi,
  DEFAULT_OUTPUT,
  explicitCredentials,
  resolveBaseImage,
  splitLayoutRef,
} = require('./lib/api.js');
const { createNodeHost } = require('./lib/node-host.js');
const { loadWasm } = require('./lib/wasm.js');

function toAbsolute(p, cwd) {
  return path.resolve(cwd, p);
}

/**
 * The absolute path with symlinks resolved as far as the path exists. The
 * core compares paths as strings (is the output inside the context?) and
 * looks at roots without following links, so it must get real paths.
 */
function toReal(p, cwd) {
  const abs = path.resolve(cwd, p);
  const missing = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...missing.reverse());
    } catch (err) {
      if (err.code !== 'ENOENT') return abs;
    }
    const parent = path.dirname(cur);
    if (parent === cur) return abs;
    missing.push(path.basename(cur));
    cur = parent;
  }
}

const { build, deploy, dockerfile, plan, push, validate, version } = createApi({
  loadCore: loadWasm,
  // The Node host reads this machine's files: real paths. A caller's own
  // host has files that may not be ours: plain absolute ones.
  resolverFor: (options) => (options?.host === undefined ? toReal : toAbsolute),
  defaultHost: (options, signal) =>
    createNodeHost({
      onProgress: options.onProgress,
      credentials: explicitCredentials(options),
      signal,
    }),
  cwd: () => process.cwd(),
});

module.exports = {
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
  // Exposed for the CLI and tests; not part of the documented API.
  _internal: {
    coreBuildOptions: (options, cwd = process.cwd()) => coreBuildOptions(options, cwd, toAbsolute),
    coreDeployOptions: (options, cwd = process.cwd()) =>
      coreDeployOptions(options, cwd, toAbsolute),
    corePushOptions: (options, cwd = process.cwd()) => corePushOptions(options, cwd, toAbsolute),
    coreValidateOptions: (options, cwd = process.cwd()) =>
      coreValidateOptions(options, cwd, toAbsolute),
    resolveBaseImage: (ref, cwd) => resolveBaseImage(ref, cwd, toAbsolute),
    toReal,
  },
};
