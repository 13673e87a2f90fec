'use strict';

// The JS API over a platform: turns user-friendly options (relative paths,
// optional fields) into what the wasm core expects (absolute paths, a host
// object) and calls the core. Where the core comes from, how paths resolve
// and the host used when the caller gives none are the platform's: Node's
// in index.js, a browser's in web.mjs.

const { checkSignal, interruptedError, interruptible } = require('./interrupt.js');

/**
 * Where the core writes when no `output` is set anywhere (relative to the
 * cwd). The core applies it; this is for documentation and messages.
 */
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

/** Makes the PATH of an `oci:PATH[:TAG]` base image absolute; other refs pass unchanged. */
function resolveBaseImage(ref, cwd, resolve) {
  if (typeof ref !== 'string' || !ref.startsWith('oci:')) return ref;
  const { path: p, tag } = splitLayoutRef(ref.slice('oci:'.length));
  const abs = resolve(p === '' ? '.' : p, cwd);
  return tag === undefined ? `oci:${abs}` : `oci:${abs}:${tag}`;
}

/**
 * An option of the wrong JS type. What a value means (a port, a URL, a
 * count) is the core's to judge, once for every caller; this side only
 * needs the shapes it translates.
 */
function invalidOption(message) {
  const err = new TypeError(message);
  err.code = 'invalid-option';
  return err;
}

function requireString(value, name) {
  if (typeof value !== 'string' || value === '') {
    throw invalidOption(`${name} must be a non-empty string`);
  }
}

/**
 * A repeatable option as a list: one string or an array of them (numbers too
 * for `ports`). `undefined`, `null` and `[]` all mean "not given".
 */
function toList(value, name, { numbers = false } = {}) {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    const ok = typeof item === 'string' || (numbers && typeof item === 'number');
    if (!ok || item === '') {
      throw invalidOption(`${name} must be a non-empty string or an array of them`);
    }
  }
  return list.length === 0 ? undefined : list.map(String);
}

/** `entrypoint` and `cmd`: a shell-words or JSON-array string; an array becomes JSON. */
function toCommand(value, name) {
  if (Array.isArray(value)) {
    if (value.some((w) => typeof w !== 'string')) {
      throw invalidOption(`${name} must be a string or an array of strings`);
    }
    return JSON.stringify(value);
  }
  requireString(value, name);
  return value;
}

// Options copied as they are: the core checks what they say.
const STRING_OPTIONS = ['format', 'python', 'platform', 'workdir', 'user', 'script', 'indexUrl'];
// Options naming files on this machine: resolved against the cwd.
const PATH_OPTIONS = ['output', 'config', 'envFile', 'cacheDir', 'requirements'];
// Repeatable options: one string or an array of them.
const LIST_OPTIONS = [
  'tags',
  'env',
  'labels',
  'annotations',
  'ports',
  'include',
  'exclude',
  'writable',
  'insecureRegistries',
  'registryMirrors',
  'extras',
  'groups',
  'extraIndexUrls',
  'sbom',
];
const BOOLEAN_OPTIONS = [
  'dryRun',
  'push',
  'includeDeps',
  'pre',
  'locked',
  'compile',
  'ignoreRequiresPython',
];

/** `parallel` and `chunkSize`: a number, or a flag's text such as `8M`. */
function copyCounts(options, out) {
  for (const name of ['parallel', 'chunkSize']) {
    const v = options[name];
    if (v === undefined) continue;
    // NaN and Infinity have no JSON: they would reach the core as null.
    const number = typeof v === 'number' && Number.isFinite(v);
    if (!number && (typeof v !== 'string' || v === '')) {
      throw invalidOption(`${name} must be a number`);
    }
    out[name] = v;
  }
}

/** `username` and `password` for the registries the core says they apply to. */
function explicitCredentials(options) {
  const { username, password } = options;
  if (username === undefined && password === undefined) return undefined;
  requireString(username, 'username');
  if (typeof password !== 'string') throw invalidOption('password must be a string');
  return { username, password };
}

/**
 * Builds the plain options object the core's `build` takes. Only options the
 * caller set are passed: the core merges them over PYCONTAINER_* variables
 * and the config files, so an absent key must stay absent rather than carry
 * a default. `resolve` makes paths absolute: real paths for the Node host,
 * plain absolute ones for a caller's own host, whose files may not be ours.
 */
function coreBuildOptions(options = {}, cwd, resolve) {
  const context = options.context ?? '.';
  requireString(context, 'context');
  // `cwd` lets the core place its defaults (e.g. the output directory).
  const out = { context: resolve(context, cwd), cwd: resolve(cwd, cwd) };
  for (const name of PATH_OPTIONS) {
    if (options[name] === undefined) continue;
    requireString(options[name], name);
    out[name] = resolve(options[name], cwd);
  }
  if (options.baseImage !== undefined) {
    requireString(options.baseImage, 'baseImage');
    out.baseImage = resolveBaseImage(options.baseImage, cwd, resolve);
  }
  for (const name of STRING_OPTIONS) {
    if (options[name] === undefined) continue;
    requireString(options[name], name);
    out[name] = options[name];
  }
  for (const name of ['entrypoint', 'cmd']) {
    if (options[name] !== undefined) out[name] = toCommand(options[name], name);
  }
  for (const name of LIST_OPTIONS) {
    const list = toList(options[name], name, { numbers: name === 'ports' });
    if (list !== undefined) out[name] = list;
  }
  for (const name of BOOLEAN_OPTIONS) {
    if (options[name] === undefined) continue;
    if (typeof options[name] !== 'boolean') throw invalidOption(`${name} must be a boolean`);
    out[name] = options[name];
  }
  copyCounts(options, out);
  return out;
}

/** The options object the core's `dockerfile` takes: a build's, and `file`. */
function coreDockerfileOptions(options = {}, cwd, resolve) {
  const { file, ...build } = options;
  const out = coreBuildOptions(build, cwd, resolve);
  if (file !== undefined) {
    requireString(file, 'file');
    out.file = resolve(file, cwd);
  }
  return out;
}

/**
 * Builds the plain options object the core's `deploy` takes: a build's, and
 * the `runtime` options (replicas, public, shards, jobIterations,
 * jobParallelism, cpu, memory), which the core judges.
 */
function coreDeployOptions(options = {}, cwd, resolve) {
  const out = coreBuildOptions(options, cwd, resolve);
  const { runtime } = options;
  if (runtime !== undefined && runtime !== null) {
    if (typeof runtime !== 'object' || Array.isArray(runtime)) {
      throw invalidOption('runtime must be an object');
    }
    out.runtime = { ...runtime };
  }
  return out;
}

/** Builds the plain options object the core's `push` takes. */
function corePushOptions(options = {}, cwd, resolve) {
  requireString(options.layout, 'layout');
  const references = toList(options.references, 'references');
  if (references === undefined) throw invalidOption('references must name at least one image');
  const out = { layout: resolve(options.layout, cwd), references };
  if (options.tag !== undefined && options.tag !== null) {
    requireString(options.tag, 'tag');
    out.tag = options.tag;
  }
  const insecure = toList(options.insecureRegistries, 'insecureRegistries');
  if (insecure !== undefined) out.insecureRegistries = insecure;
  copyCounts(options, out);
  return out;
}

/** Builds the plain options object the core's `validate` takes. */
function coreValidateOptions(options = {}, cwd, resolve) {
  requireString(options.layout, 'layout');
  const out = { layout: resolve(options.layout, cwd) };
  if (options.tag !== undefined && options.tag !== null) out.tag = options.tag;
  return out;
}

/**
 * The API's functions over a platform:
 * - `loadCore()`: the wasm-bindgen module (`build`, `deploy`, `dockerfile`, `push`, `validate`, `version`);
 * - `defaultHost(options, signal)`: the host when `options.host` is not given;
 * - `resolverFor(options)`: `(path, cwd) => absolute path` for these options;
 * - `cwd()`: what relative paths are relative to.
 */
function createApi({ loadCore, defaultHost, resolverFor, cwd }) {
  function hostFor(options, signal) {
    if (options?.host) return interruptible(options.host, signal);
    return defaultHost(options ?? {}, signal);
  }

  /**
   * Runs a core call that `options.signal` may stop: then it rejects with the
   * `interrupted` error, once the core has taken back what it wrote, whatever
   * error the stopped host calls made inside it.
   */
  async function stoppable(call, options, coreOptions, what) {
    const { signal } = options;
    checkSignal(signal);
    if (signal?.aborted) throw interruptedError(signal, what);
    try {
      return await call(coreOptions, hostFor(options, signal));
    } catch (err) {
      if (signal?.aborted) throw interruptedError(signal, what);
      throw err;
    }
  }

  /** Builds an image from a Python project into an OCI layout directory, a registry, or both. */
  async function build(options = {}) {
    const coreOptions = coreBuildOptions(options, cwd(), resolverFor(options));
    return stoppable(loadCore().build, options, coreOptions, 'the build');
  }

  /**
   * The dry run as a function: the core's plan for these options, the one a
   * build with them then follows. It is the build with `dryRun` set, so the
   * plan and the build can never be worked out by different code.
   */
  async function plan(options = {}) {
    const result = await build({ ...options, dryRun: true });
    return result.plan;
  }

  /**
   * The build as a Dockerfile and its ignore file: their paths and texts,
   * for the caller to write. The plan is made as for a build (the base's
   * digest read, the dependencies resolved); nothing is built or written.
   */
  async function dockerfile(options = {}) {
    const coreOptions = coreDockerfileOptions(options, cwd(), resolverFor(options));
    return stoppable(loadCore().dockerfile, options, coreOptions, 'planning');
  }

  /**
   * Builds and pushes an image (deploy always pushes), then makes the
   * Kubernetes manifests that run it by its digest.
   */
  async function deploy(options = {}) {
    const coreOptions = coreDeployOptions(options, cwd(), resolverFor(options));
    return stoppable(loadCore().deploy, options, coreOptions, 'the deploy');
  }

  /** Pushes an image (or index) from an OCI layout to one or more registry references. */
  async function push(options = {}) {
    const coreOptions = corePushOptions(options, cwd(), resolverFor(options));
    return stoppable(loadCore().push, options, coreOptions, 'the push');
  }

  /** Checks an OCI layout (blobs, digests, sizes, manifest and config) and reports problems. */
  async function validate(options) {
    const coreOptions = coreValidateOptions(options, cwd(), resolverFor(options));
    const host = hostFor(options);
    return loadCore().validate(coreOptions, host);
  }

  /** The version of the wasm core. */
  function version() {
    return loadCore().version();
  }

  return { build, deploy, dockerfile, plan, push, validate, version };
}

module.exports = {
  createApi,
  explicitCredentials,
  coreBuildOptions,
  coreDeployOptions,
  coreDockerfileOptions,
  corePushOptions,
  coreValidateOptions,
  resolveBaseImage,
  splitLayoutRef,
  DEFAULT_OUTPUT,
};
