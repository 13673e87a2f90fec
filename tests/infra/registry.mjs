// Starts and stops Debian's real `docker-registry` (distribution 2.8) on
// loopback for tests: plain http, htpasswd Basic auth, TLS with a self-signed
// certificate, or token auth with tests/infra/token-server.mjs.
//
// Everything is async on purpose: the token server runs in this same Node
// process, so blocking the event loop (spawnSync) while a client talks to
// the registry would deadlock the token handshake.

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort, selfSigned } from './net.mjs';
import { startTokenServer } from './token-server.mjs';

export { freePort };

const execFileAsync = promisify(execFile);

const REGISTRY_BIN = 'docker-registry';
const READY_TIMEOUT_MS = 15_000;
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
export const TOKEN_SERVICE = 'pycontainer-test';
export const TOKEN_ISSUER = 'pycontainer-test-issuer';
const MODES = ['plain', 'basic', 'tls', 'token'];

/** Registries started here and not yet stopped, killed on process exit as a last resort. */
const live = new Set();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a plain SIGKILL is all we can do.
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Runs a tool to completion; throws with its stderr when it fails. */
async function run(cmd, args, opts = {}) {
  try {
    return await execFileAsync(cmd, args, { maxBuffer: 16 * 1024 * 1024, ...opts });
  } catch (err) {
    const detail = err.stderr?.trim() || err.message;
    throw new Error(`${cmd} ${args.join(' ')} failed: ${detail}`);
  }
}

/** An htpasswd file (bcrypt) holding every user. */
async function writeHtpasswd(file, users) {
  const lines = [];
  for (const [user, password] of Object.entries(users)) {
    const { stdout } = await run('htpasswd', ['-Bbn', user, password]);
    lines.push(stdout.trim());
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

/**
 * TLS material: the server cert/key, a cert dir for skopeo (`ca.crt`), and a
 * CA bundle for Node children. NODE_EXTRA_CA_CERTS *replaces* the extra CA
 * file, and on this machine it already points at the system bundle (the
 * outbound proxy's CA lives there), so the bundle keeps that content too.
 */
async function setUpTls(dir) {
  const { key, cert } = await selfSigned(dir, 'tls', '/CN=localhost', [
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  const certDir = path.join(dir, 'certs.d');
  fs.mkdirSync(certDir);
  fs.copyFileSync(cert, path.join(certDir, 'ca.crt'));
  const base = process.env.NODE_EXTRA_CA_CERTS || SYSTEM_CA_BUNDLE;
  const caBundle = path.join(dir, 'ca-bundle.crt');
  const baseText = fs.existsSync(base) ? fs.readFileSync(base, 'utf8') : '';
  fs.writeFileSync(caBundle, `${baseText.trimEnd()}\n${fs.readFileSync(cert, 'utf8')}`);
  return { key, cert, certDir, caBundle };
}

/**
 * The CORS headers a page needs to pull from and push to a registry
 * (docs/web-demo.md): the methods and request headers the core sends, and
 * the response headers it reads. distribution sets them on every answer,
 * preflights (OPTIONS, answered 200) included.
 */
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': ['*'],
  'Access-Control-Allow-Methods': ['HEAD, GET, POST, PUT, PATCH'],
  'Access-Control-Allow-Headers': ['Authorization, Content-Type, Content-Range, Accept'],
  'Access-Control-Expose-Headers': ['Location, Docker-Content-Digest, Range, WWW-Authenticate'],
};

/** YAML for the config (JSON is valid YAML, so no YAML writer is needed). */
function configYaml({ dir, port, tls, auth, cors }) {
  const httpSection = { addr: `127.0.0.1:${port}` };
  if (tls) httpSection.tls = { certificate: tls.cert, key: tls.key };
  if (cors) httpSection.headers = CORS_HEADERS;
  const config = {
    version: '0.1',
    log: { level: 'error' },
    storage: {
      filesystem: { rootdirectory: path.join(dir, 'data') },
      delete: { enabled: true },
    },
    http: httpSection,
  };
  if (auth) config.auth = auth;
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Auth section and side files for a mode (htpasswd file, token server). */
async function setUpAuth(dir, mode, users, tokenOptions) {
  if (mode === 'basic') {
    const file = path.join(dir, 'htpasswd');
    await writeHtpasswd(file, users);
    return { auth: { htpasswd: { realm: 'basic-realm', path: file } } };
  }
  if (mode === 'token') {
    const { key, cert } = await selfSigned(dir, 'token', '/CN=pycontainer-test-token');
    const tokenServer = await startTokenServer({
      keyFile: key,
      users,
      service: TOKEN_SERVICE,
      issuer: TOKEN_ISSUER,
      ...tokenOptions,
    });
    const auth = {
      token: {
        realm: tokenServer.realm,
        service: TOKEN_SERVICE,
        issuer: TOKEN_ISSUER,
        rootcertbundle: cert,
      },
    };
    return { auth, tokenServer };
  }
  return {};
}

function logTail(logFile, lines = 30) {
  try {
    return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * The environment for docker-registry without REGISTRY_* variables:
 * distribution reads every one of them as a config override.
 */
function registryEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('REGISTRY_')) env[k] = v;
  }
  return env;
}

/** One GET /v2/; resolves with the status, rejects on a connection error. */
function probe(url, ca) {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(`${url}/v2/`, { agent: false, timeout: 1000, ca }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
  });
}

/** Polls /v2/ until it answers (any status: auth setups answer 401). */
async function waitReady(child, url, ca, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `docker-registry exited at start (${child.exitCode ?? child.signalCode}); log tail:\n${logTail(logFile)}`,
      );
    }
    try {
      return await probe(url, ca);
    } catch (err) {
      lastError = err;
    }
    await sleep(50);
  }
  throw new Error(
    `docker-registry did not answer ${url}/v2/ within ${READY_TIMEOUT_MS / 1000} s (last error: ${lastError?.message}); log tail:\n${logTail(logFile)}`,
  );
}

/** Kills a child (TERM, then KILL after 5 s) and waits until it has exited. */
async function killAndWait(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function spawnRegistry(dir, configFile, logFile) {
  const log = fs.openSync(logFile, 'a');
  try {
    const child = spawn(REGISTRY_BIN, ['serve', configFile], {
      cwd: dir,
      env: registryEnv(),
      stdio: ['ignore', log, log],
    });
    // A missing binary surfaces as an 'error' event; keep it for waitReady's message.
    child.once('error', (err) => fs.appendFileSync(logFile, `spawn error: ${err.message}\n`));
    return child;
  } finally {
    fs.closeSync(log);
  }
}

/**
 * Starts docker-registry on a free port; retries twice when the port was
 * taken between freePort() and the registry's bind (a narrow race).
 */
async function launch(dir, scheme, tls, auth, cors) {
  const logFile = path.join(dir, 'registry.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const configFile = path.join(dir, 'config.yml');
    fs.writeFileSync(configFile, configYaml({ dir, port, tls, auth, cors }));
    const child = spawnRegistry(dir, configFile, logFile);
    live.add(child);
    child.once('exit', () => live.delete(child));
    const url = `${scheme}://127.0.0.1:${port}`;
    try {
      await waitReady(child, url, tls && fs.readFileSync(tls.cert), logFile);
      return { child, port, url, logFile, configFile };
    } catch (err) {
      await killAndWait(child);
      if (attempt < 3 && /address already in use/.test(logTail(logFile))) continue;
      throw err;
    }
  }
}

/**
 * Starts a registry. mode: 'plain' | 'basic' | 'tls' | 'token'.
 * users: {name: password} for basic and token modes.
 * tokenOptions: passed to startTokenServer (anonymousPull, expiresIn).
 * cors: send the CORS headers a browser page needs (any origin).
 *
 * Returns {host, url, port, dir, mode, users, logFile, caFile, certDir,
 * caBundle, tokenServer, stop()}; caFile/certDir/caBundle only in tls mode,
 * tokenServer only in token mode. Always call stop() (in `after`/`finally`).
 */
export async function startRegistry({
  mode = 'plain',
  users = { user: 'pass' },
  tokenOptions,
  cors = false,
} = {}) {
  if (!MODES.includes(mode)) throw new Error(`unknown registry mode ${mode} (${MODES.join(', ')})`);
  installExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pycontainer-registry-${mode}-`));
  let tokenServer;
  try {
    const tls = mode === 'tls' ? await setUpTls(dir) : undefined;
    const setup = await setUpAuth(dir, mode, users, tokenOptions);
    tokenServer = setup.tokenServer;
    const started = await launch(dir, tls ? 'https' : 'http', tls, setup.auth, cors);
    return makeHandle({ ...started, dir, mode, users, tls, tokenServer });
  } catch (err) {
    await tokenServer?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function makeHandle({ child, port, url, logFile, configFile, dir, mode, users, tls, tokenServer }) {
  const reg = {
    host: `127.0.0.1:${port}`,
    url,
    port,
    dir,
    mode,
    users,
    logFile,
    configFile,
    pid: child.pid,
    logTail: () => logTail(logFile),
    async stop() {
      await killAndWait(child);
      await tokenServer?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  if (tls) Object.assign(reg, { caFile: tls.cert, certDir: tls.certDir, caBundle: tls.caBundle });
  if (tokenServer) reg.tokenServer = tokenServer;
  return reg;
}

/** `--src-`/`--dest-` prefix; no direction gives the plain flags of inspect/delete. */
function flag(direction, name) {
  if (direction === undefined) return `--${name}`;
  if (direction !== 'src' && direction !== 'dest') {
    throw new Error(`skopeo direction must be 'src', 'dest' or undefined, not ${direction}`);
  }
  return `--${direction}-${name}`;
}

/**
 * skopeo flags to reach `reg`: plain http needs tls-verify=false (skopeo then
 * falls back to http), TLS needs the cert dir holding our ca.crt.
 * direction: 'src' | 'dest' (copy), or omitted for inspect/delete.
 */
export function skopeoTlsArgs(reg, direction) {
  if (reg.mode === 'tls') return [flag(direction, 'cert-dir'), reg.certDir];
  return [`${flag(direction, 'tls-verify')}=false`];
}

/**
 * skopeo credential flags: `--dest-creds user:pass` (first user) for basic
 * and token registries, none otherwise. `creds` ('user:password') overrides,
 * e.g. to try a wrong password.
 */
export function skopeoCredsArgs(reg, direction, creds) {
  if (creds) return [flag(direction, 'creds'), creds];
  if (reg.mode !== 'basic' && reg.mode !== 'token') return [];
  const [user, password] = Object.entries(reg.users)[0] ?? [];
  if (user === undefined) throw new Error(`${reg.mode} registry has no users`);
  return [flag(direction, 'creds'), `${user}:${password}`];
}
