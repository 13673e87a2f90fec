'use strict';

// The JS API: thin wrappers that turn user-friendly options (relative paths,
// optional fields) into what the wasm core expects (absolute paths, a host
// object) and call it. The core itself is loaded on first use.

const fs = require('node:fs');
const path = require('node:path');
const { createNodeHost } = require('./lib/node-host.js');
const { loadWasm } = require('./lib/wasm.js');

/** Where `build` writes when no `output` is given (relative to the cwd). */
const DEFAULT_OUTPUT = 'pycontainer-out';

/**
 * Splits `PATH[:TAG]` at the last ':' when what follows it has no '/', so that
 * `./out:latest` is (./out, latest) while `./a:b/c` is one path.
 * Returns `{path, tag}` with `tag` undefined when there is none.
 */
function splitLayoutRef(ref) {
  const i = ref.lastIndexOf(':');
  if (i > 0) {
    const tag = ref.slice(i + 1);
    if (!tag.includes('/')) return { path: ref.slice(0, i), tag: tag === '' ? undefined : tag };
  }
  return { path: ref, tag: undefined };
}

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

/** Makes the PATH of an `oci:PATH[:TAG]` base image absolute; other refs pass unchanged. */
function resolveBaseImage(ref, cwd, resolve = toAbsolute) {
  if (typeof ref !== 'string' || !ref.startsWith('oci:')) return ref;
  const { path: p, tag } = splitLayoutRef(ref.slice('oci:'.length));
  const abs = resolve(p === '' ? '.' : p, cwd);
  return tag === undefined ? `oci:${abs}` : `oci:${abs}:${tag}`;
}

function requireString(value, name) {
  if (typeof value !== 'string' || value === '') {
    const err = new TypeError(`${name} must be a non-empty string`);
    err.code = 'INVALID_OPTION';
    throw err;
  }
}

/**
 * Builds the plain options object the core's `build` takes (undefined fields
 * left out). `resolve` makes paths absolute: real paths for the Node host,
 * plain absolute ones for a caller's own host, whose files may not be ours.
 */
function coreBuildOptions(options = {}, cwd = process.cwd(), resolve = toAbsolute) {
  const context = options.context ?? '.';
  const output = options.output ?? DEFAULT_OUTPUT;
  requireString(context, 'context');
  requireString(output, 'output');
  const tags = options.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) {
    const err = new TypeError('tags must be an array of strings');
    err.code = 'INVALID_OPTION';
    throw err;
  }
  const out = {
    context: resolve(context, cwd),
    output: resolve(output, cwd),
    tags: [...tags],
  };
  if (options.baseImage !== undefined) {
    out.baseImage = resolveBaseImage(options.baseImage, cwd, resolve);
  }
  if (options.platform !== undefined) out.platform = options.platform;
  if (options.workdir !== undefined) out.workdir = options.workdir;
  return out;
}

/** Builds the plain options object the core's `validate` takes. */
function coreValidateOptions(options = {}, cwd = process.cwd(), resolve = toAbsolute) {
  requireString(options.layout, 'layout');
  const out = { layout: resolve(options.layout, cwd) };
  if (options.tag !== undefined && options.tag !== null) out.tag = options.tag;
  return out;
}

function resolverFor(options) {
  return options?.host === undefined ? toReal : toAbsolute;
}

function hostFor(options) {
  return options?.host ?? createNodeHost({ onProgress: options?.onProgress });
}

/** Builds an image from a Python project into an OCI layout directory. */
async function build(options = {}) {
  const coreOptions = coreBuildOptions(options, process.cwd(), resolverFor(options));
  const host = hostFor(options);
  return loadWasm().build(coreOptions, host);
}

/** Checks an OCI layout (blobs, digests, sizes, manifest and config) and reports problems. */
async function validate(options) {
  const coreOptions = coreValidateOptions(options, process.cwd(), resolverFor(options));
  const host = hostFor(options);
  return loadWasm().validate(coreOptions, host);
}

/** The version of the wasm core. */
function version() {
  return loadWasm().version();
}

module.exports = {
  build,
  validate,
  version,
  createNodeHost,
  splitLayoutRef,
  DEFAULT_OUTPUT,
  // Exposed for the CLI and tests; not part of the documented API.
  _internal: { coreBuildOptions, coreValidateOptions, resolveBaseImage, toReal },
};
