// Shared helpers for the end-to-end tests: they drive the real CLI
// (`node npm/bin/pycontainer.js`) and check what it writes with the real
// tools (skopeo, umoci, runc) and with independent code in this file.
//
// Nothing here skips a test: a missing tool makes the test fail, because CI
// installs every one of them.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'npm', 'bin', 'pycontainer.js');
export const EXAMPLE = path.join(ROOT, 'examples', 'hello-cli');
export const LIB_SH = path.join(ROOT, 'tests', 'infra', 'lib.sh');
export const BASE_TAG = '3.11-slim';
export const HELLO_ALICE = 'Hello, Alice! (hello 0.1.0, Python 3.11.2, argv[0]=hello)';

// Debian's Chromium for the page tests (playwright-core drives it; a
// downloaded browser is never used), with the flags it needs here: no
// sandbox as root, no GPU, and no traffic of its own.
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const WASM_ENTRY = path.join(ROOT, 'npm', 'wasm', 'pycontainer.js');
const WASM_BINARY = path.join(ROOT, 'npm', 'wasm', 'pycontainer_bg.wasm');
// The web glue the package's bundler entry (pycontainer/bundle) imports.
const WASM_WEB = path.join(ROOT, 'npm', 'wasm-web', 'pycontainer.mjs');
// The web demo's copy of the same module (--target web glue).
const DEMO_WASM = path.join(ROOT, 'web-demo', 'pkg', 'pycontainer_bg.wasm');
// The npm package's files the page loads, copied into web-demo/pkg by
// scripts/build-wasm.sh: a copy that differs from its source is stale.
const DEMO_SHARED = ['interrupt.js', 'response-bodies.js'];

function demoSharedStale() {
  return DEMO_SHARED.some((name) => {
    const copy = path.join(ROOT, 'web-demo', 'pkg', name);
    const source = fs.readFileSync(path.join(ROOT, 'npm', 'lib', name));
    return !fs.existsSync(copy) || !source.equals(fs.readFileSync(copy));
  });
}

/** Newest mtime (ms) of any file under `dir`. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(p) : fs.lstatSync(p).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

let wasmChecked = false;

/**
 * Builds the wasm core when it is missing or older than `src/`, `crates/` or Cargo.toml.
 * Test files run in parallel processes, so the build runs under `flock`.
 */
export function ensureWasm() {
  if (wasmChecked) return;
  const stale = () => {
    const outputs = [WASM_ENTRY, WASM_BINARY, WASM_WEB, DEMO_WASM];
    if (!outputs.every((f) => fs.existsSync(f))) return true;
    if (demoSharedStale()) return true;
    const built = fs.statSync(WASM_BINARY).mtimeMs;
    const sources = Math.max(
      newestMtime(path.join(ROOT, 'src')),
      newestMtime(path.join(ROOT, 'crates')),
      fs.statSync(path.join(ROOT, 'Cargo.toml')).mtimeMs,
    );
    return sources > built;
  };
  if (stale()) {
    const lock = path.join(os.tmpdir(), 'pycontainer-e2e-wasm.lock');
    // Re-check under the lock: another test process may have just built it.
    const shared = DEMO_SHARED.map((f) => `cmp -s npm/lib/${f} web-demo/pkg/${f}`).join(' && ');
    const script = `cd "$1" && if [ -f npm/wasm/pycontainer.js ] && [ -f npm/wasm-web/pycontainer.mjs ] && [ -f web-demo/pkg/pycontainer_bg.wasm ] && ${shared} && [ -z "$(find src crates Cargo.toml -newer npm/wasm/pycontainer_bg.wasm 2>/dev/null | head -1)" ]; then exit 0; fi; bash scripts/build-wasm.sh >&2`;
    execFileSync('flock', [lock, 'bash', '-c', script, 'build-wasm', ROOT], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  wasmChecked = true;
}

/**
 * The CLI's environment: a copy of process.env without SOURCE_DATE_EPOCH and
 * PYCONTAINER_DEBUG, plus `env` (an entry set to undefined removes that variable).
 */
function cliEnv(env) {
  const fullEnv = { ...process.env };
  delete fullEnv.SOURCE_DATE_EPOCH;
  delete fullEnv.PYCONTAINER_DEBUG;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete fullEnv[k];
    else fullEnv[k] = String(v);
  }
  return fullEnv;
}

/** stdout parsed as JSON when the CLI was asked for --json (undefined if it is not JSON). */
function parseJsonOutput(args, stdout) {
  if (!args.includes('--json')) return undefined;
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

/**
 * Runs the CLI. `env` entries are added to a copy of process.env from which
 * SOURCE_DATE_EPOCH is removed (so results do not depend on the caller's shell);
 * an entry set to undefined removes that variable. `input` is written to its stdin.
 * Returns {code, stdout, stderr, json} (json: parsed stdout, or undefined).
 */
export function runCli(args, { cwd = ROOT, env = {}, input } = {}) {
  ensureWasm();
  // `--` first: Node itself reads an `--env-file` anywhere before it and
  // exits 9 when the file is missing (the bin's shell prologue does the same).
  const r = spawnSync(process.execPath, ['--', CLI, ...args], {
    cwd,
    env: cliEnv(env),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    input,
  });
  if (r.error) throw r.error;
  const json = parseJsonOutput(args, r.stdout);
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, json };
}

/**
 * runCli without blocking the event loop: needed whenever a server in this
 * process (a token server, a fault proxy) must answer the CLI. Resolves
 * {code, signal, stdout, stderr, json}; the CLI gets SIGKILL after `timeoutMs`.
 * `onStart(child)` gets the child process, for a test that signals it.
 */
export function runCliAsync(
  args,
  { cwd = ROOT, env = {}, input, timeoutMs = 180_000, onStart } = {},
) {
  ensureWasm();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', CLI, ...args], {
      cwd,
      env: cliEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    onStart?.(child);
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({ code, signal, stdout, stderr, json: parseJsonOutput(args, stdout) });
    });
    // The CLI may exit before reading its stdin (EPIPE): that is its business.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** A one-line description of a CLI result, for assertion messages. */
export function describeRun(r) {
  return `exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** Runs a build that must succeed and returns its --json result. */
export function build(args, opts = {}) {
  const r = runCli(['build', ...args, '--json'], opts);
  if (r.code !== 0 || r.json === undefined) {
    throw new Error(`pycontainer build ${args.join(' ')} failed: ${describeRun(r)}`);
  }
  return r.json;
}

let baseLayoutPath;

/** The Debian python base layout (tag BASE_TAG), built once by tests/infra/base-image.sh. */
export function baseLayout() {
  if (baseLayoutPath) return baseLayoutPath;
  const out = execFileSync('bash', [path.join(ROOT, 'tests', 'infra', 'base-image.sh')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const p = lines.at(-1);
  if (!p || !fs.existsSync(path.join(p, 'index.json'))) {
    throw new Error(`tests/infra/base-image.sh did not print a layout path (stdout: ${out})`);
  }
  baseLayoutPath = p;
  return p;
}

/** `oci:BASE:3.11-slim`, building the base first if needed. */
export function baseRef() {
  return `oci:${baseLayout()}:${BASE_TAG}`;
}

/** A fresh temp dir; remove it with removeDir. */
export function makeTempDir(prefix = 'pycontainer-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir) {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** Copies examples/hello-cli (or another example) to `parent/name` and returns that path. */
export function copyExample(parent, name = 'hello-cli', example = EXAMPLE) {
  const dest = path.join(parent, name);
  fs.mkdirSync(parent, { recursive: true });
  fs.cpSync(example, dest, { recursive: true, verbatimSymlinks: true });
  return dest;
}

/** Fails with a clear message when a command is missing (never skips). */
export function requireTools(...tools) {
  const missing = tools.filter((t) => {
    const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t], { encoding: 'utf8' });
    return r.status !== 0;
  });
  if (missing.length > 0) {
    throw new Error(
      `required command(s) not found: ${missing.join(', ')}; run 'bash scripts/setup.sh' (installs the test tools)`,
    );
  }
}

/** Fails unless running as root (runc and umoci unpack need it). */
export function requireRoot() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('this test needs root (runc, umoci unpack); CI runs it as root');
  }
}

/** Runs a tool; returns {code, stdout, stderr}. */
export function runTool(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
  });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * run_in_image from tests/infra/lib.sh: unpacks LAYOUT:TAG with umoci and runs
 * its process with runc. `args` are appended to the image's entrypoint and
 * cmd, or with `replace` are the whole process (a command looked up on the
 * image's PATH, as the image's user). Returns {code, stdout, stderr}.
 */
export function runInImage(layout, tag, args = [], { timeoutSeconds = 120, replace = false } = {}) {
  const flags = replace ? ['--replace'] : [];
  return runTool(
    'bash',
    [
      '-c',
      '. "$1"; shift; run_in_image "$@"',
      'run-in-image',
      LIB_SH,
      ...flags,
      layout,
      tag,
      ...args,
    ],
    { env: { ...process.env, RUN_IN_IMAGE_TIMEOUT: String(timeoutSeconds) } },
  );
}

// ---------------------------------------------------------------------------
// Reading an OCI layout straight from its files.

export function sha256Hex(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export function blobPath(layout, digest) {
  const [algo, hex] = digest.split(':');
  return path.join(layout, 'blobs', algo, hex);
}

export function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function readIndex(layout) {
  return readJson(path.join(layout, 'index.json'));
}

export function readBlob(layout, digest) {
  return fs.readFileSync(blobPath(layout, digest));
}

export function readBlobJson(layout, digest) {
  return JSON.parse(readBlob(layout, digest).toString('utf8'));
}

export const REF_NAME = 'org.opencontainers.image.ref.name';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** The index entries whose ref.name is `tag`. */
export function indexEntries(layout, tag) {
  return readIndex(layout).manifests.filter((m) => m.annotations?.[REF_NAME] === tag);
}

/** {descriptor, manifest, config} of LAYOUT:TAG (exactly one index entry must carry TAG). */
export function readImage(layout, tag) {
  const entries = indexEntries(layout, tag);
  if (entries.length !== 1) {
    throw new Error(`${layout}: expected one index entry tagged ${tag}, found ${entries.length}`);
  }
  const descriptor = entries[0];
  const manifest = readBlobJson(layout, descriptor.digest);
  const config = readBlobJson(layout, manifest.config.digest);
  return { descriptor, manifest, config };
}

/** sha256 ("sha256:…") and byte count of a file, streamed. */
export async function fileDigest(file) {
  const hash = crypto.createHash('sha256');
  let size = 0;
  await pipeline(fs.createReadStream(file), async (source) => {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
    }
  });
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** sha256 ("sha256:…") of a gzip file's decompressed content, streamed. */
export async function gunzippedDigest(file) {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), zlib.createGunzip(), async (source) => {
    for await (const chunk of source) hash.update(chunk);
  });
  return `sha256:${hash.digest('hex')}`;
}

// ---------------------------------------------------------------------------
// File trees: "nothing written" and "byte-identical" checks.

/** Every path under `dir` (relative, sorted; dirs included), symlinks not followed. */
export function listTree(dir) {
  const out = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      out.push(child);
      if (entry.isDirectory()) walk(child);
    }
  };
  walk('');
  return out.sort();
}

/**
 * A comparable picture of a tree: for every path its kind, permission bits and
 * content hash (files) or link text (symlinks). Equal snapshots mean nothing
 * under `dir` was added, removed or changed.
 */
export function snapshotTree(dir) {
  const snap = {};
  // Names as bytes: a tree may hold a name that is not UTF-8 (a case that
  // checks pycontainer refuses it), which a string path cannot reach.
  const walk = (abs, rel) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true, encoding: 'buffer' })) {
      const p = Buffer.concat([abs, Buffer.from('/'), entry.name]);
      const key = rel ? `${rel}/${entry.name.toString('utf8')}` : entry.name.toString('utf8');
      const st = fs.lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) snap[key] = `symlink ${fs.readlinkSync(p)}`;
      else if (st.isDirectory()) {
        snap[key] = `dir ${mode}`;
        walk(p, key);
      } else if (st.isFile())
        snap[key] = `file ${mode} ${st.size} ${sha256Hex(fs.readFileSync(p))}`;
      else snap[key] = `other ${mode}`;
    }
  };
  walk(Buffer.from(dir), '');
  return Object.fromEntries(Object.entries(snap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---------------------------------------------------------------------------
// A small tar reader (ustar + PAX + GNU long names), independent of the product.

function tarString(buf, start, len) {
  const field = buf.subarray(start, start + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? len : nul).toString('utf8');
}

function tarNumber(buf, start, len) {
  const field = buf.subarray(start, start + len);
  if (field[0] & 0x80) {
    // base-256: big-endian, high bit of the first byte is the marker
    let n = BigInt(field[0] & 0x7f);
    for (let i = 1; i < len; i++) n = (n << 8n) | BigInt(field[i]);
    return Number(n);
  }
  const text = tarString(buf, start, len).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function parsePax(data) {
  const records = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) throw new Error('bad PAX record');
    const len = Number.parseInt(data.subarray(pos, space).toString('utf8'), 10);
    if (!Number.isFinite(len) || len <= 0) throw new Error('bad PAX record length');
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    records[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return records;
}

const TYPE_NAMES = { 0: 'file', '': 'file', 5: 'dir', 2: 'symlink', 1: 'hardlink' };

/**
 * Parses an uncompressed tar archive. Returns entries:
 * {path, type, mode, uid, gid, uname, gname, mtime, size, linkname, data, checksumOk, ustar}.
 * `path` is as stored (directories keep their trailing '/').
 */
export function parseTar(buf) {
  const entries = [];
  let pos = 0;
  let pax = {};
  let longName;
  let longLink;
  let sawEnd = false;
  while (pos + 512 <= buf.length) {
    const header = buf.subarray(pos, pos + 512);
    if (header.every((b) => b === 0)) {
      sawEnd = true;
      break;
    }
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
    const checksumOk = sum === tarNumber(header, 148, 8);
    const typeflag = String.fromCharCode(header[156]).replace('\0', '');
    const size = tarNumber(header, 124, 12);
    const dataStart = pos + 512;
    const data = buf.subarray(dataStart, dataStart + size);
    pos = dataStart + Math.ceil(size / 512) * 512;
    if (typeflag === 'x') {
      pax = { ...pax, ...parsePax(data) };
      continue;
    }
    if (typeflag === 'g') continue;
    if (typeflag === 'L') {
      longName = tarString(data, 0, data.length);
      continue;
    }
    if (typeflag === 'K') {
      longLink = tarString(data, 0, data.length);
      continue;
    }
    const magic = tarString(header, 257, 6);
    const prefix = magic === 'ustar' ? tarString(header, 345, 155) : '';
    let name = tarString(header, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const entry = {
      path: pax.path ?? longName ?? name,
      headerName: name,
      type: TYPE_NAMES[typeflag] ?? `type-${typeflag}`,
      mode: tarNumber(header, 100, 8),
      uid: pax.uid !== undefined ? Number(pax.uid) : tarNumber(header, 108, 8),
      gid: pax.gid !== undefined ? Number(pax.gid) : tarNumber(header, 116, 8),
      uname: pax.uname ?? tarString(header, 265, 32),
      gname: pax.gname ?? tarString(header, 297, 32),
      mtime: pax.mtime !== undefined ? Number(pax.mtime) : tarNumber(header, 136, 12),
      size: pax.size !== undefined ? Number(pax.size) : size,
      linkname: pax.linkpath ?? longLink ?? tarString(header, 157, 100),
      data,
      checksumOk,
      ustar: magic === 'ustar',
      pax: Object.keys(pax),
    };
    entries.push(entry);
    pax = {};
    longName = undefined;
    longLink = undefined;
  }
  return { entries, sawEnd };
}

/** One 512-byte ustar header; numbers in octal, as tar writes them. */
function header(name, { type, size = 0, mode, link = '' }) {
  const h = Buffer.alloc(512);
  const put = (text, at, len) => h.write(text, at, len, 'utf8');
  const octal = (n, at, len) => put(`${n.toString(8).padStart(len - 1, '0')}\0`, at, len);
  put(name, 0, 100);
  octal(mode, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(0, 136, 12);
  h.fill(' ', 148, 156);
  put(type, 156, 1);
  put(link, 157, 100);
  put('ustar\u000000', 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** A tar of `entries`: [name, {dir | file: content | link: target}]. */
export function tar(entries) {
  const parts = [];
  for (const [name, e] of entries) {
    if (e.dir) {
      parts.push(header(`${name}/`, { type: '5', mode: 0o755 }));
    } else if (e.link !== undefined) {
      parts.push(header(name, { type: '2', mode: 0o777, link: e.link }));
    } else {
      const data = Buffer.from(e.file);
      parts.push(header(name, { type: '0', mode: 0o755, size: data.length }), data);
      parts.push(Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Parses a gzip-compressed tar layer blob. */
export function readLayerTar(layout, digest) {
  return parseTar(zlib.gunzipSync(readBlob(layout, digest)));
}

// ---------------------------------------------------------------------------
// More base variants for dependency installation; see the header of
// tests/infra/base-image.sh for what each holds.

export const OFFICIAL_BASE_TAG = '3.11-official';
export const ARM64_PROBE_TAG = '3.11-arm64-probe';
export const ARM64_BASE_TAG = '3.11-arm64';

/** Layout paths by variant, so each variant's script runs once per process. */
const variantLayoutPaths = new Map();

/** Runs `tests/infra/base-image.sh VARIANT` once and returns its layout path. */
function variantLayout(variant) {
  const known = variantLayoutPaths.get(variant);
  if (known) return known;
  const out = execFileSync('bash', [path.join(ROOT, 'tests', 'infra', 'base-image.sh'), variant], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const p = out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .at(-1);
  if (!p || !fs.existsSync(path.join(p, 'index.json'))) {
    throw new Error(
      `tests/infra/base-image.sh ${variant} did not print a layout path (stdout: ${out})`,
    );
  }
  variantLayoutPaths.set(variant, p);
  return p;
}

/**
 * The slim base's Debian with python3-pip (pip 23) too, tag 3.11-pip: a base
 * with a pip, for building the Dockerfiles `pycontainer dockerfile` writes.
 */
export function pipBaseLayout() {
  return variantLayout('pip');
}

/**
 * The slim base plus a layer imitating the official python:3.11-slim
 * layout (/usr/local/bin/python3, PYTHON_VERSION, PATH with /usr/local/bin
 * first), tag OFFICIAL_BASE_TAG. It runs like the slim base.
 */
export function officialBaseLayout() {
  return variantLayout('official');
}

/** `oci:OFFICIAL:3.11-official`, building it first if needed. */
export function officialBaseRef() {
  return `oci:${officialBaseLayout()}:${OFFICIAL_BASE_TAG}`;
}

/**
 * A synthetic linux/arm64 image (tag ARM64_PROBE_TAG) holding only what
 * pycontainer reads to pick the target: dpkg status (glibc 2.36, Python
 * 3.11.2), /usr/bin/python3, the stdlib's os.py and an aarch64 libc.so.6.
 * It builds in well under a second and cannot run.
 */
export function arm64ProbeLayout() {
  return variantLayout('arm64-probe');
}

/** `oci:PROBE:3.11-arm64-probe`, building it first if needed. */
export function arm64ProbeRef() {
  return `oci:${arm64ProbeLayout()}:${ARM64_PROBE_TAG}`;
}

/**
 * Whether aarch64 binaries run here: natively, or through binfmt_misc and
 * qemu-user-static. Building or running the real arm64 base needs it.
 */
export function canRunArm64() {
  if (process.arch === 'arm64') return true;
  return ['qemu-aarch64', 'qemu-aarch64-static'].some((entry) => {
    try {
      const state = fs.readFileSync(path.join('/proc/sys/fs/binfmt_misc', entry), 'utf8');
      return state.split('\n')[0] === 'enabled';
    } catch {
      return false;
    }
  });
}

/**
 * The real Debian python3 base for linux/arm64 (tag ARM64_BASE_TAG). The
 * first build takes minutes under qemu; check canRunArm64() first and skip
 * when it is false.
 */
export function arm64BaseLayout() {
  return variantLayout('arm64');
}

/** `oci:ARM64:3.11-arm64`, building it first if needed. */
export function arm64BaseRef() {
  return `oci:${arm64BaseLayout()}:${ARM64_BASE_TAG}`;
}

/**
 * A layout whose tag BASE_TAG is an index of the amd64 base and the arm64
 * one (the real one when aarch64 code runs here, else the probe image),
 * blobs hard-linked from theirs.
 */
export function twoPlatformBase(dir, armRuns = canRunArm64()) {
  const arm = armRuns ? [arm64BaseLayout(), ARM64_BASE_TAG] : [arm64ProbeLayout(), ARM64_PROBE_TAG];
  const blobs = path.join(dir, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const manifests = [];
  for (const [layout, tag] of [[baseLayout(), BASE_TAG], arm]) {
    const src = path.join(layout, 'blobs', 'sha256');
    for (const name of fs.readdirSync(src)) {
      if (!fs.existsSync(path.join(blobs, name))) {
        fs.linkSync(path.join(src, name), path.join(blobs, name));
      }
    }
    const entry = readIndex(layout).manifests.find((m) => m.annotations?.[REF_NAME] === tag);
    const config = readBlobJson(layout, readBlobJson(layout, entry.digest).config.digest);
    const platform = { architecture: config.architecture, os: config.os };
    if (config.variant) platform.variant = config.variant;
    manifests.push({
      mediaType: entry.mediaType,
      digest: entry.digest,
      size: entry.size,
      platform,
    });
  }
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests,
    }),
  );
  const digest = `sha256:${sha256Hex(bytes)}`;
  fs.writeFileSync(path.join(blobs, digest.slice(7)), bytes);
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const top = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      {
        mediaType: OCI_INDEX,
        digest,
        size: bytes.length,
        annotations: { [REF_NAME]: BASE_TAG },
      },
    ],
  };
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(top));
  return dir;
}

/**
 * Where startInImage unpacks bundles: /dev/shm when it is a writable tmpfs
 * that allows exec (umoci unpack of a ~60 MB base takes ~4 s there against
 * ~15 s on some disks), else the temp dir.
 */
function bundleParent() {
  try {
    const mount = fs
      .readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .findLast((f) => f[1] === '/dev/shm');
    if (mount && mount[2] === 'tmpfs' && !mount[3].split(',').includes('noexec')) {
      fs.accessSync('/dev/shm', fs.constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // no /proc/mounts or no /dev/shm: fall back to the temp dir
  }
  return os.tmpdir();
}

/** Containers started by startInImage and not yet stopped. */
const liveContainers = new Set();
let exitHookInstalled = false;

/**
 * Starts LAYOUT:TAG in the background: `umoci unpack` into a temporary
 * bundle, config.json edited for no TTY and host networking (as run_in_image
 * in tests/infra/lib.sh does), `--env K=V` entries added, then
 * `runc run --detach` with the container's stdout and stderr going to a file.
 *
 * Returns a handle: {id, bundle, rootfs, log(), status()}. Always pair it with
 * stopInImage (in a `finally` or `after`); a process exit stops whatever is
 * still running as a last resort.
 */
export function startInImage(layout, tag, { env = [] } = {}) {
  requireRoot();
  requireTools('umoci', 'runc');
  const work = fs.mkdtempSync(path.join(bundleParent(), 'pycontainer-e2e-serve-'));
  const container = {
    id: `pyc-e2e-${process.pid}-${crypto.randomBytes(4).toString('hex')}`,
    work,
    bundle: path.join(work, 'bundle'),
    rootfs: path.join(work, 'bundle', 'rootfs'),
    logFile: path.join(work, 'container.log'),
    /** What the container has printed so far (stdout and stderr). */
    log() {
      try {
        return fs.readFileSync(this.logFile, 'utf8');
      } catch {
        return '';
      }
    },
    /** runc's status: 'running', 'stopped', ... or 'gone' when runc does not know it. */
    status() {
      const r = spawnSync('runc', ['state', this.id], { encoding: 'utf8' });
      if (r.status !== 0) return 'gone';
      try {
        return JSON.parse(r.stdout).status;
      } catch {
        return 'unknown';
      }
    },
  };
  liveContainers.add(container);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of [...liveContainers]) stopInImage(c);
    });
  }
  try {
    const unpack = runTool('umoci', ['unpack', '--image', `${layout}:${tag}`, container.bundle]);
    if (unpack.code !== 0) {
      throw new Error(`umoci unpack --image ${layout}:${tag} failed: ${unpack.stderr}`);
    }
    const specFile = path.join(container.bundle, 'config.json');
    const spec = readJson(specFile);
    spec.process.terminal = false;
    delete spec.process.consoleSize;
    if (Array.isArray(spec.linux?.namespaces)) {
      spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== 'network');
    }
    const specEnv = spec.process.env ?? [];
    for (const kv of env) {
      const key = kv.split('=')[0];
      const i = specEnv.findIndex((e) => e.split('=')[0] === key);
      if (i >= 0) specEnv[i] = kv;
      else specEnv.push(kv);
    }
    spec.process.env = specEnv;
    fs.writeFileSync(specFile, JSON.stringify(spec, null, 2));

    // Files, not pipes: the detached container keeps them open after runc exits.
    const fd = fs.openSync(container.logFile, 'w');
    let r;
    try {
      r = spawnSync('runc', ['run', '--detach', '--bundle', container.bundle, container.id], {
        stdio: ['ignore', fd, fd],
        timeout: 30_000,
      });
    } finally {
      fs.closeSync(fd);
    }
    if (r.error) throw r.error;
    if (r.status !== 0) {
      throw new Error(`runc run --detach failed (exit ${r.status}):\n${container.log()}`);
    }
  } catch (err) {
    stopInImage(container);
    throw err;
  }
  return container;
}

/**
 * Stops and removes a container from startInImage (`runc kill KILL`, then
 * `runc delete -f`, which waits for it to die) and its bundle. Idempotent.
 * Returns what the container printed.
 */
export function stopInImage(container) {
  if (!container || !liveContainers.has(container)) return '';
  const log = container.log();
  spawnSync('runc', ['kill', container.id, 'KILL'], { stdio: 'ignore' });
  spawnSync('runc', ['delete', '-f', container.id], { stdio: 'ignore' });
  liveContainers.delete(container);
  removeDir(container.work);
  return log;
}

/** GET http://127.0.0.1:PORT/PATH (never another host); resolves {status, headers, body}. */
export function httpGet(port, urlPath = '/', { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: urlPath, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:PORT. */
export function portInUse(port, { timeoutMs = 1000 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (inUse) => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Waits (bounded) until nothing listens on 127.0.0.1:PORT; fails otherwise. */
export async function waitPortFree(port, { timeoutMs = 10_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (await portInUse(port)) {
    if (Date.now() > deadline) {
      throw new Error(`something still listens on 127.0.0.1:${port} after ${timeoutMs / 1000} s`);
    }
    await sleep(100);
  }
}

/**
 * Polls GET http://127.0.0.1:PORT/PATH until it answers (any status), at most
 * `timeoutMs`. Fails early, with the container's output, when `container`
 * stops running first.
 */
export async function waitForHttp(port, { container, urlPath = '/', timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      return await httpGet(port, urlPath, {
        timeoutMs: Math.max(500, Math.min(5000, deadline - Date.now())),
      });
    } catch (err) {
      lastError = err;
    }
    if (container) {
      const status = container.status();
      if (status !== 'running') {
        throw new Error(
          `container ${container.id} is ${status} before answering on 127.0.0.1:${port}; its output:\n${container.log()}`,
        );
      }
    }
    await sleep(200);
  }
  throw new Error(
    `nothing answered GET http://127.0.0.1:${port}${urlPath} within ${timeoutMs / 1000} s (last error: ${lastError?.message})${container ? `; container output:\n${container.log()}` : ''}`,
  );
}

/** tests/fixtures/wheels' six, the one wheel the offline index serves. */
export const SIX_WHEEL = path.join(
  ROOT,
  'tests',
  'fixtures',
  'wheels',
  'six-1.17.0-py2.py3-none-any.whl',
);

/**
 * A Simple API (PEP 503) index on 127.0.0.1 that offers six alone, with
 * its sha256: for resolving or for locks that name files, not URLs.
 * Resolves to {url: '…/simple', close()}.
 */
export async function startSixIndex() {
  const name = path.basename(SIX_WHEEL);
  const sha = sha256Hex(fs.readFileSync(SIX_WHEEL));
  const server = http.createServer((req, res) => {
    if (req.url === '/simple/six/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<!DOCTYPE html><html><body><a href="/files/${name}#sha256=${sha}">${name}</a></body></html>`,
      );
    } else if (req.url === `/files/${name}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(fs.readFileSync(SIX_WHEEL));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/simple`, close: () => server.close() };
}
