// The wasm core in headless Chromium: it builds examples/hello-cli from an
// in-memory tree (web-demo/browser-host.js) and pushes it to Debian's
// docker-registry over the browser's own fetch, then builds on the pushed
// image as a registry base, then installs the deps fixture's wheels from a
// package index. skopeo and umoci check what arrived.
//
// One node:http server in this process serves web-demo/ (as
// scripts/serve-demo.mjs does),
// reverse-proxies /v2/ to the registry and serves a PEP 691 index under
// /simple/ (wheels under /files/), so the page, the registry and the index
// share an origin (no CORS). Everything here is async: the browser talks to
// that server while the test waits.

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { staticHandler } from '../../scripts/serve-demo.mjs';
import { startRegistry } from '../infra/registry.mjs';
import { manifestDigest, seedBase, skopeoOk } from '../infra/seed.mjs';
import {
  baseRef,
  describeRun,
  EXAMPLE,
  ensureWasm,
  makeTempDir,
  ROOT,
  removeDir,
  requireTools,
  runCliAsync,
} from './helpers.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];

function withoutHopByHop(headers) {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

/**
 * Streams a request to the registry and its answer back. The Host header is
 * kept: the registry builds its upload `Location`s from it, so they point
 * back at this origin.
 */
function proxy(req, res, upstream, agent, record) {
  const upReq = http.request({
    host: upstream.hostname,
    port: upstream.port,
    method: req.method,
    path: req.url,
    headers: withoutHopByHop(req.headers),
    agent,
  });
  upReq.on('response', (upRes) => {
    record.status = upRes.statusCode;
    res.writeHead(upRes.statusCode, withoutHopByHop(upRes.headers));
    upRes.pipe(res);
  });
  upReq.on('error', (err) => {
    record.status = 502;
    if (res.headersSent) res.destroy();
    else {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}\n`);
    }
  });
  req.on('close', () => {
    if (!req.complete) upReq.destroy();
  });
  req.pipe(upReq);
}

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';

/** PEP 503's normalised project name: `Typing_Extensions` → `typing-extensions`. */
const normalizeName = (name) => name.toLowerCase().replace(/[-_.]+/g, '-');

/**
 * A project page (PEP 691 JSON) from `wheels` (normalised name → files), or
 * 404. Without JSON in Accept the answer is 406, so a core (or browser) that
 * stopped asking for JSON fails here rather than falling back unseen.
 */
function serveProjectPage(req, res, pathname, wheels) {
  const name = normalizeName(
    decodeURIComponent(pathname.slice('/simple/'.length)).replace(/\/$/, ''),
  );
  const files = wheels.get(name);
  if (!files) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such project\n');
    return;
  }
  if (!(req.headers.accept ?? '').includes(SIMPLE_JSON)) {
    res.writeHead(406, { 'content-type': 'text/plain' });
    res.end(`only ${SIMPLE_JSON}\n`);
    return;
  }
  const page = {
    meta: { 'api-version': '1.1' },
    name,
    files: files.map((f) => ({
      filename: f.filename,
      url: `http://${req.headers.host}/files/${encodeURIComponent(f.filename)}`,
      hashes: { sha256: f.sha256 },
      size: f.size,
    })),
  };
  const body = JSON.stringify(page);
  res.writeHead(200, { 'content-type': SIMPLE_JSON, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function serveWheel(res, pathname, wheels) {
  const filename = decodeURIComponent(pathname.slice('/files/'.length));
  const file = [...wheels.values()].flat().find((f) => f.filename === filename);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such file\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.size });
  fs.createReadStream(file.path).pipe(res);
}

/**
 * The page's origin: web-demo/ as files, /v2/ proxied to
 * `registryUrl`, and a package index of `origin.wheels` (empty until a test
 * fills it) under /simple/ and /files/. Every request but the static ones
 * is recorded.
 */
async function startOrigin(registryUrl) {
  const upstream = new URL(registryUrl);
  const serveDemo = staticHandler();
  const agent = new http.Agent({ keepAlive: true });
  const requests = [];
  const wheels = new Map();
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://origin.invalid');
    const record = () => {
      const r = {
        method: req.method,
        url: req.url,
        userAgent: req.headers['user-agent'] ?? '',
        status: null,
      };
      requests.push(r);
      return r;
    };
    // The index's own answers are complete once sent; the proxy sets its
    // record's status itself, from the registry's answer.
    const recordAnswer = () => {
      const r = record();
      res.on('finish', () => {
        r.status = res.statusCode;
      });
    };
    if (pathname === '/v2' || pathname.startsWith('/v2/')) {
      proxy(req, res, upstream, agent, record());
    } else if (pathname.startsWith('/simple/') && req.method === 'GET') {
      recordAnswer();
      serveProjectPage(req, res, pathname, wheels);
    } else if (pathname.startsWith('/files/') && req.method === 'GET') {
      recordAnswer();
      serveWheel(res, pathname, wheels);
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      serveDemo(req, res);
    } else {
      res.writeHead(405).end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    wheels,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/**
 * The files under `root` as `{'/project/<relative path>': text}`; `only`
 * keeps just those top-level entries.
 */
function projectFiles(root, only) {
  const files = {};
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (!rel && only && !only.includes(entry.name)) continue;
      if (entry.isDirectory()) walk(child);
      else files[`/project/${child}`] = fs.readFileSync(path.join(root, child), 'utf8');
    }
  };
  walk('');
  return files;
}

/** examples/hello-cli as `{'/project/<relative path>': text}`. */
const exampleFiles = () => projectFiles(EXAMPLE);

const DEPS_APP = path.join(ROOT, 'tests', 'fixtures', 'deps', 'fastapi-app');
const TEST_CACHE =
  process.env.PYCONTAINER_TEST_CACHE ??
  path.join(process.env.HOME ?? '/tmp', '.cache', 'pycontainer-test');

/**
 * pip's --platform does not imply the older manylinux tags a glibc 2.36
 * base also runs, so all are named, newest first (as
 * tests/infra/pip-target.sh does).
 */
function manylinuxPlatforms() {
  const tags = [];
  for (let minor = 36; minor >= 5; minor--) tags.push(`manylinux_2_${minor}_x86_64`);
  tags.push('manylinux2014_x86_64', 'manylinux2010_x86_64', 'manylinux1_x86_64');
  return tags.flatMap((tag) => ['--platform', tag]);
}

/**
 * The directory of the wheels pip picks for the fixture's pins on CPython
 * 3.11 / linux x86_64, downloaded once per machine (pip checks each against
 * the requirements' hashes) and keyed by the requirements file. Downloaded
 * into a temp dir and renamed, so the directory exists only complete.
 */
function fixtureWheels() {
  const requirements = path.join(DEPS_APP, 'requirements.txt');
  const key = crypto
    .createHash('sha256')
    .update(fs.readFileSync(requirements))
    .digest('hex')
    .slice(0, 12);
  const parent = path.join(TEST_CACHE, 'browser-wheels');
  const dir = path.join(parent, key);
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, '.tmp-'));
  try {
    execFileSync(
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--quiet',
        '--disable-pip-version-check',
        '--no-deps',
        '--only-binary=:all:',
        ...manylinuxPlatforms(),
        '--python-version',
        '3.11',
        '--implementation',
        'cp',
        '-r',
        requirements,
        '-d',
        tmp,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    fs.renameSync(tmp, dir);
  } catch (err) {
    removeDir(tmp);
    // Another test process finished first: its download is as good as ours.
    if (!fs.existsSync(dir)) throw err;
  }
  return dir;
}

/** Fills an index (normalised name → files) with the wheels in `dir`. */
function indexWheels(dir, index) {
  for (const filename of fs.readdirSync(dir).filter((f) => f.endsWith('.whl'))) {
    const file = path.join(dir, filename);
    const bytes = fs.readFileSync(file);
    const name = normalizeName(filename.split('-')[0]);
    const entry = {
      filename,
      path: file,
      size: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    };
    index.set(name, [...(index.get(name) ?? []), entry]);
  }
}

/** The normalised names the fixture's requirements.txt pins, sorted. */
function pinnedNames() {
  const text = fs.readFileSync(path.join(DEPS_APP, 'requirements.txt'), 'utf8');
  return [...text.matchAll(/^([A-Za-z0-9][A-Za-z0-9._-]*)==/gm)]
    .map((m) => normalizeName(m[1]))
    .sort();
}

let reg;
let origin;
let browser;
let page;
let work;
const pageLog = [];

before(async () => {
  requireTools('docker-registry', 'skopeo', 'umoci');
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'bash scripts/setup.sh'`);
  ensureWasm();
  assert.ok(
    fs.existsSync(path.join(ROOT, 'web-demo', 'pkg', 'pycontainer_bg.wasm')),
    'web-demo/pkg is missing: run bash scripts/build-wasm.sh',
  );
  work = makeTempDir('pycontainer-browser-');
  reg = await startRegistry({ mode: 'plain' });
  origin = await startOrigin(reg.url);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  page = await browser.newPage();
  page.on('console', (msg) => pageLog.push(`console.${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => pageLog.push(`pageerror: ${err.message}`));
  await page.goto(`${origin.url}/index.html`);
  await page.waitForFunction(() => typeof window.pycontainerBuild === 'function');
});

after(async () => {
  await browser?.close();
  await origin?.close();
  await reg?.stop();
  removeDir(work);
});

/** Runs a build in the page; resolves {result, events} or throws with the core's message. */
async function buildInPage(files, options) {
  const out = await page.evaluate(
    async ({ files, options }) => {
      const events = [];
      try {
        const onProgress = (e) => events.push(e);
        const result = await window.pycontainerBuild(files, options, { onProgress });
        return { result, events };
      } catch (err) {
        return {
          error: `${err.code ?? 'error'}: ${err.message}`,
        };
      }
    },
    { files, options },
  );
  if (out.error)
    throw new Error(`build in the browser failed: ${out.error}\n${pageLog.join('\n')}`);
  return out;
}

/** The registry's answer for REPO:TAG, read straight from the registry (not through the page). */
async function inspect(ref) {
  const { stdout } = await skopeoOk([
    'inspect',
    '--tls-verify=false',
    `docker://${reg.host}/${ref}`,
  ]);
  return JSON.parse(stdout);
}

let first;

test('the browser builds hello-cli on scratch and pushes it over fetch', async () => {
  const started = Date.now();
  const { result, events } = await buildInPage(exampleFiles(), {
    context: '/project',
    cwd: '/',
    baseImage: 'scratch',
    tags: [`${origin.host}/browser/hello:1`],
    push: true,
    cacheDir: '/cache',
  });
  console.log(`# browser build + push: ${Date.now() - started} ms`);
  first = result;
  assert.equal(result.pushed.length, 1);
  const { digest, reference } = result.pushed[0];
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(digest, result.manifestDigest);
  assert.match(reference, new RegExp(`^${origin.host}/browser/hello:1`));
  assert.equal(result.output, undefined, 'push without output writes no layout');
  assert.equal(result.layers.length, 1);
  assert.equal(result.pushStats.uploaded, 2, 'the app layer and the config');
  assert.ok(events.some((e) => e.type === 'transfer' && e.action === 'push'));

  // The requests came from Chromium's fetch, through this origin.
  const puts = origin.requests.filter((r) => r.method === 'PUT' && r.url.includes('/manifests/'));
  assert.equal(puts.length, 1);
  assert.equal(puts[0].status, 201);
  assert.match(puts[0].userAgent, /Chrome/);

  // What the registry holds, seen by skopeo.
  const info = await inspect('browser/hello:1');
  assert.equal(info.Digest, digest);
  assert.equal(await manifestDigest(reg, 'browser/hello:1'), digest);
  assert.deepEqual(
    info.Layers,
    result.layers.map((l) => l.digest),
  );

  const layout = path.join(work, 'hello-layout');
  const bundle = path.join(work, 'hello-bundle');
  await skopeoOk([
    'copy',
    '--src-tls-verify=false',
    `docker://${reg.host}/browser/hello:1`,
    `oci:${layout}:1`,
  ]);
  await new Promise((resolve, reject) =>
    execFile('umoci', ['unpack', '--image', `${layout}:1`, bundle], (err, _out, stderr) =>
      err ? reject(new Error(`umoci unpack failed: ${stderr}`)) : resolve(),
    ),
  );
  const rootfs = path.join(bundle, 'rootfs');
  assert.equal(
    fs.readFileSync(path.join(rootfs, 'app', 'src', 'hello', 'cli.py'), 'utf8'),
    fs.readFileSync(path.join(EXAMPLE, 'src', 'hello', 'cli.py'), 'utf8'),
  );
  const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  assert.deepEqual(spec.process.args, result.plan.entrypoint.command);
  assert.equal(spec.process.cwd, '/app');
});

test('the browser builds on a registry base: its layer is mounted, never downloaded', async (t) => {
  if (!first) t.skip('needs the first push');
  const base = `${origin.host}/browser/hello:1`;
  const baseLayer = first.layers[0].digest;
  const files = exampleFiles();
  files['/project/README.md'] += '\nBuilt again, on the image pushed before.\n';
  origin.requests.length = 0;
  const started = Date.now();
  const { result, events } = await buildInPage(files, {
    context: '/project',
    cwd: '/',
    baseImage: base,
    tags: [`${origin.host}/browser/derived:1`],
    push: true,
    cacheDir: '/cache',
  });
  console.log(`# browser build on a registry base + push: ${Date.now() - started} ms`);
  assert.equal(result.plan.base.image, base);
  assert.equal(result.layers.length, 2);
  assert.equal(result.layers[0].digest, baseLayer);
  assert.notEqual(result.layers[1].digest, baseLayer);
  const { mounted, existing } = result.pushStats;
  assert.ok(mounted + existing >= 1, `base layer reused: ${JSON.stringify(result.pushStats)}`);
  assert.equal(mounted, 1, 'mounted from browser/hello');
  assert.ok(
    events.some((e) => e.type === 'transfer' && e.action === 'mount' && e.digest === baseLayer),
  );

  // The base came through the page's fetch: its manifest and config were
  // read, its layer mounted and never downloaded.
  const seen = (method, part) =>
    origin.requests.filter((r) => r.method === method && r.url.includes(part));
  assert.ok(seen('GET', '/v2/browser/hello/manifests/1').length >= 1);
  assert.equal(seen('GET', `/blobs/${baseLayer}`).length, 0, 'base layer downloaded');
  const mounts = seen('POST', `mount=${encodeURIComponent(baseLayer)}`);
  const mountsRaw = seen('POST', `mount=${baseLayer}`);
  assert.equal(mounts.length + mountsRaw.length, 1);
  assert.equal((mounts[0] ?? mountsRaw[0]).status, 201);

  const info = await inspect('browser/derived:1');
  assert.equal(info.Digest, result.pushed[0].digest);
  assert.deepEqual(
    info.Layers,
    result.layers.map((l) => l.digest),
  );
});

test("the browser installs the fixture's dependencies from a same-origin package index", async () => {
  indexWheels(fixtureWheels(), origin.wheels);
  assert.deepEqual([...origin.wheels.keys()].sort(), pinnedNames(), 'one wheel per pin');
  await seedBase(reg, { repo: 'browser/python', tag: '3.11-slim' });
  const indexUrl = `${origin.url}/simple`;
  const kept = ['pyproject.toml', 'deps_demo', 'requirements.txt'];

  // The Node CLI builds the same project on the same base from the same
  // index, with a cache of its own so that it downloads the wheels too.
  const cliDir = path.join(work, 'deps-app');
  for (const f of kept)
    fs.cpSync(path.join(DEPS_APP, f), path.join(cliDir, f), { recursive: true });
  const cliArgs = [
    'build',
    '--context',
    cliDir,
    '--base-image',
    baseRef(),
    '--output',
    path.join(work, 'deps-out'),
    '--tag',
    'deps:1',
    '--cache-dir',
    path.join(work, 'cli-cache'),
    '--index-url',
    indexUrl,
    // A browser has no bytecode compiler: the CLI leaves it out too, so
    // that the two venv layers can be compared byte for byte.
    '--no-compile',
    '--json',
  ];

  origin.requests.length = 0;
  const timed = async (what, promise) => {
    const started = Date.now();
    const value = await promise;
    console.log(`# ${what}: ${Date.now() - started} ms`);
    return value;
  };
  const [{ result }, cli] = await Promise.all([
    timed(
      'browser build with dependencies + push',
      buildInPage(projectFiles(DEPS_APP, kept), {
        context: '/project',
        cwd: '/',
        baseImage: `${origin.host}/browser/python:3.11-slim`,
        tags: [`${origin.host}/browser/deps:1`],
        push: true,
        cacheDir: '/cache',
        indexUrl,
      }),
    ),
    timed('CLI build with dependencies', runCliAsync(cliArgs)),
  ]);
  assert.equal(cli.code, 0, describeRun(cli));

  assert.match(result.plan.dependencies.rule, /^requirements\.txt found in the context/);
  assert.equal(result.plan.dependencies.target, 'CPython 3.11 on linux x86_64 (glibc 2.36)');
  assert.equal(result.plan.dependencies.venv, '/app/.venv');
  assert.equal(result.plan.dependencies.packages.length, 20);
  assert.deepEqual(
    result.plan.dependencies.packages.map((p) => p.wheel).sort(),
    [...origin.wheels.values()]
      .flat()
      .map((f) => f.filename)
      .sort(),
  );

  // The venv layer (below the app layer) is the CLI's, byte for byte. The
  // input file's path is each host's own: the page's is in its virtual tree.
  const withoutPath = ({ path: _, bytecode: __, ...deps }) => deps;
  assert.deepEqual(withoutPath(result.plan.dependencies), withoutPath(cli.json.plan.dependencies));
  // The page says why its image has no bytecode; the CLI was told.
  assert.match(
    result.plan.dependencies.bytecode,
    /^not compiled: this host has no CPython 3\.11 compiler/,
  );
  assert.ok(
    result.plan.warnings.some((w) => w.code === 'no-bytecode'),
    JSON.stringify(result.plan.warnings),
  );
  assert.match(cli.json.plan.dependencies.bytecode, /^off/);
  assert.equal(result.layers.length, cli.json.layers.length);
  assert.equal(result.layers.at(-2).digest, cli.json.layers.at(-2).digest);

  // Every page and wheel came through Chromium's fetch, from this origin.
  const fromChrome = (prefix) =>
    origin.requests.filter((r) => r.url.startsWith(prefix) && /Chrome/.test(r.userAgent));
  const pages = fromChrome('/simple/');
  const wheels = fromChrome('/files/');
  assert.equal(pages.length, 20, pages.map((r) => `${r.url} ${r.status}`).join('\n'));
  assert.equal(wheels.length, 20, wheels.map((r) => `${r.url} ${r.status}`).join('\n'));
  assert.ok([...pages, ...wheels].every((r) => r.status === 200));

  // The base layer was read (for its Python) but mounted, not uploaded.
  assert.equal(result.pushStats.mounted, result.layers.length - 2);
  assert.equal(result.pushStats.uploaded, 3, 'the venv layer, the app layer and the config');

  const info = await inspect('browser/deps:1');
  assert.equal(info.Digest, result.pushed[0].digest);
  assert.deepEqual(
    info.Layers,
    result.layers.map((l) => l.digest),
  );
  assert.ok(info.Env.includes('VIRTUAL_ENV=/app/.venv'), info.Env.join('\n'));
});
