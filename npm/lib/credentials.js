'use strict';

// Registry credentials, found the way Docker finds them, so `docker login`
// (or a CI login action) is all a user needs. In order:
//   1. --username with --password-stdin (optionally for some registries only);
//   2. PYCONTAINER_REGISTRY_USERNAME / _PASSWORD (optionally scoped by
//      PYCONTAINER_REGISTRY), for CI;
//   3. Docker's config.json: credHelpers, then credsStore, then auths;
//   4. none (anonymous pulls).
// Secrets are returned to the caller and never put in a message.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * @typedef {{username: string, password: string} | {identityToken: string}} Credentials
 * `identityToken` is an OAuth2 refresh token (Docker's `identitytoken`).
 */

/**
 * @typedef {object} ExplicitCredentials
 * @property {string} username
 * @property {string} password
 */

/**
 * Runs a credential helper: resolves to its stdout, or throws an Error with
 * `code` ('ENOENT' when missing) or `status`, `stdout` and `stderr`.
 * @typedef {(cmd: string, args: string[], input: string, env: Record<string, string | undefined>) => string} RunHelper
 */

const HUB_SERVER = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `https://ghcr.io/v1/` → `ghcr.io`: a config key or a user-typed name as a host[:port]. */
function hostOf(key) {
  return String(key)
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

/** The name a registry is compared by: Docker Hub's aliases are all `docker.io`. */
function canonical(registry) {
  const host = hostOf(registry);
  return HUB_HOSTS.has(host) ? 'docker.io' : host;
}

/**
 * The key of `map` (credHelpers or auths) for a registry, as Docker matches it:
 * an exact key first, then any key naming the same host (scheme and path ignored).
 */
function findKey(map, registry) {
  if (!map || typeof map !== 'object') return undefined;
  const keys = Object.keys(map);
  const want = canonical(registry);
  const exact = want === 'docker.io' ? HUB_SERVER : want;
  if (Object.hasOwn(map, exact)) return exact;
  return keys.find((key) => canonical(key) === want);
}

function defaultRun(cmd, args, input, env) {
  // With `env` given, the command is looked up on env.PATH.
  return execFileSync(cmd, args, {
    input,
    env,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 1 << 20,
  });
}

function nonEmpty(value) {
  return typeof value === 'string' && value !== '';
}

/**
 * `--username`/`--password-stdin` credentials, where the core says they
 * apply (`applies`: the run pushes to this registry, or pushes nowhere); else null.
 */
function fromExplicit(explicit, applies) {
  if (!explicit || !applies) return null;
  const { username, password } = explicit;
  if (!nonEmpty(username) || typeof password !== 'string') {
    throw new Error('explicit registry credentials need both a username and a password');
  }
  return { username, password };
}

/** PYCONTAINER_REGISTRY_USERNAME/_PASSWORD, scoped by PYCONTAINER_REGISTRY; or null. */
function fromEnv(env, registry) {
  const username = env.PYCONTAINER_REGISTRY_USERNAME;
  const password = env.PYCONTAINER_REGISTRY_PASSWORD;
  if (!nonEmpty(username) && !nonEmpty(password)) return null;
  if (!nonEmpty(username)) {
    throw new Error(
      'PYCONTAINER_REGISTRY_PASSWORD is set but PYCONTAINER_REGISTRY_USERNAME is not: set both or neither',
    );
  }
  if (!nonEmpty(password)) {
    throw new Error(
      'PYCONTAINER_REGISTRY_USERNAME is set but PYCONTAINER_REGISTRY_PASSWORD is not: set both or neither',
    );
  }
  const scope = env.PYCONTAINER_REGISTRY;
  if (nonEmpty(scope) && canonical(scope) !== canonical(registry)) return null;
  return { username, password };
}

/** Docker's config.json, parsed once; null when there is none. */
function loadDockerConfig(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw new Error(`cannot read Docker config ${file}: ${err.message}`);
  }
  let config;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid JSON in Docker config ${file}: ${err.message}`);
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new Error(`invalid Docker config ${file}: expected a JSON object`);
  }
  return config;
}

/**
 * Asks `docker-credential-<helper> get` for a server's credentials.
 * Resolves to Credentials, or null when the helper has none.
 */
function fromHelper({ helper, serverUrl, source, file, env, run }) {
  const cmd = `docker-credential-${helper}`;
  let stdout;
  try {
    stdout = run(cmd, ['get'], serverUrl, env);
  } catch (err) {
    if (err?.code === 'ENOENT') {
      throw new Error(`${cmd} not found on PATH (named by ${source} in ${file})`);
    }
    const out = `${err?.stdout ?? ''}\n${err?.stderr ?? ''}`;
    if (/credentials not found/i.test(out)) return null;
    // The helper's stdout is never shown: only its stderr, which holds no secret.
    const stderr = String(err?.stderr ?? '').trim();
    let why = stderr;
    if (!why && err?.signal) why = `killed by ${err.signal}`;
    if (!why) why = `exit status ${err?.status ?? 'unknown'}`;
    throw new Error(`${cmd} get failed for ${serverUrl} (named by ${source} in ${file}): ${why}`);
  }
  let reply;
  try {
    reply = JSON.parse(String(stdout));
  } catch {
    throw new Error(`${cmd} get returned output that is not JSON (named by ${source} in ${file})`);
  }
  const username = typeof reply?.Username === 'string' ? reply.Username : '';
  const secret = typeof reply?.Secret === 'string' ? reply.Secret : '';
  if (!secret) return null;
  if (username === '<token>') return { identityToken: secret };
  return { username, password: secret };
}

/** An `auths` entry as Credentials, or null when it holds none. */
function fromAuthEntry(entry, key, file) {
  if (!entry || typeof entry !== 'object') return null;
  // An identity token wins: `docker login` to e.g. ACR stores it next to a
  // placeholder `auth` with an empty password.
  if (nonEmpty(entry.identitytoken)) return { identityToken: entry.identitytoken };
  if (nonEmpty(entry.auth)) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new Error(
        `invalid "auth" for ${JSON.stringify(key)} in ${file}: not base64 of user:password`,
      );
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (nonEmpty(entry.username) && typeof entry.password === 'string') {
    return { username: entry.username, password: entry.password };
  }
  return null;
}

/** Looks a registry up in Docker's config: credHelpers, credsStore, then auths. */
function fromDockerConfig(config, registry, file, env, run) {
  const hub = canonical(registry) === 'docker.io';
  const serverUrl = hub ? HUB_SERVER : canonical(registry);

  const helperKey = findKey(config.credHelpers, registry);
  const helper = helperKey === undefined ? undefined : config.credHelpers[helperKey];
  if (nonEmpty(helper)) {
    const creds = fromHelper({ helper, serverUrl, source: 'credHelpers', file, env, run });
    if (creds) return creds;
  } else if (nonEmpty(config.credsStore)) {
    const creds = fromHelper({
      helper: config.credsStore,
      serverUrl,
      source: 'credsStore',
      file,
      env,
      run,
    });
    if (creds) return creds;
  }

  const authKey = findKey(config.auths, registry);
  if (authKey === undefined) return null;
  return fromAuthEntry(config.auths[authKey], authKey, file);
}

/**
 * Creates the credentials lookup the core calls before it talks to a registry.
 * @param {object} [options]
 * @param {ExplicitCredentials | null} [options.explicit] from --username and --password-stdin
 * @param {Record<string, string | undefined>} [options.env] environment (PATH for helpers, DOCKER_CONFIG, PYCONTAINER_REGISTRY_*)
 * @param {string} [options.homedir] where `.docker/config.json` is when DOCKER_CONFIG is unset
 * @param {RunHelper} [options.run] runs a credential helper (default: execFileSync)
 * @returns {(registry: string, explicit?: boolean) => Promise<Credentials | null>} `registry`
 *   is `docker.io` or `host[:port]`, as the core names it; `explicit` (default true) whether
 *   the explicit credentials apply to it
 */
function createCredentials(options = {}) {
  const { explicit = null, env = process.env, homedir = os.homedir(), run = defaultRun } = options;
  const file = nonEmpty(env.DOCKER_CONFIG)
    ? path.join(env.DOCKER_CONFIG, 'config.json')
    : path.join(homedir, '.docker', 'config.json');
  let config;
  /** @type {Map<string, Promise<Credentials | null>>} */
  const cache = new Map();

  function lookup(registry, applies) {
    const fromFlags = fromExplicit(explicit, applies);
    if (fromFlags) return fromFlags;
    const fromVars = fromEnv(env, registry);
    if (fromVars) return fromVars;
    if (config === undefined) config = loadDockerConfig(file);
    if (!config) return null;
    return fromDockerConfig(config, registry, file, env, run);
  }

  return (registry, applies = true) => {
    const key = `${canonical(registry)} ${applies === true}`;
    let result = cache.get(key);
    if (!result) {
      result = Promise.resolve().then(() => lookup(registry, applies === true));
      cache.set(key, result);
      // A failure is not remembered: the next call tries again.
      result.catch(() => cache.delete(key));
    }
    return result;
  };
}

module.exports = { createCredentials };
