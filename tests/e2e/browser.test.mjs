// The wasm core in headless Chromium: it builds examples/hello-cli from an
// in-memory tree (web-demo/browser-host.js) and pushes it to Debian's
// docker-registry over the browser's own fetch, then builds on the pushed
// image as a registry base. skopeo and umoci check what arrived.
//
// One node:http server in this process serves web-demo/ and pkg-js/web/ and
// reverse-proxies /v2/ to the registry, so the page and the registry share
// an origin (no CORS). Everything here is async: the browser talks to that
// server while the test waits.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startRegistry } from '../infra/registry.mjs';
import { manifestDigest, skopeoOk } from '../infra/seed.mjs';
import { EXAMPLE, ensureWasm, makeTempDir, ROOT, removeDir, requireTools } from './helpers.mjs';

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

/** URL prefix → directory served from it. */
const STATIC_DIRS = {
  '/web-demo/': path.join(ROOT, 'web-demo'),
  '/pkg-js/web/': path.join(ROOT, 'pkg-js', 'web'),
};
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
};
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];

/** The file a static URL names, or null (unknown prefix, or a path escaping its directory). */
function staticFile(pathname) {
  for (const [prefix, dir] of Object.entries(STATIC_DIRS)) {
    if (!pathname.startsWith(prefix)) continue;
    const file = path.join(dir, decodeURIComponent(pathname.slice(prefix.length)));
    return file.startsWith(dir + path.sep) ? file : null;
  }
  return null;
}

function serveStatic(req, res, pathname) {
  const file = staticFile(pathname);
  const type = file && CONTENT_TYPES[path.extname(file)];
  fs.stat(file ?? '', (err, st) => {
    if (!type || err || !st.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': type,
      'content-length': st.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  });
}

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

/** The page's origin: web-demo/ and pkg-js/web/ as files, /v2/ proxied to `registryUrl`. */
async function startOrigin(registryUrl) {
  const upstream = new URL(registryUrl);
  const agent = new http.Agent({ keepAlive: true });
  const requests = [];
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://origin.invalid');
    if (pathname === '/v2' || pathname.startsWith('/v2/')) {
      const record = {
        method: req.method,
        url: req.url,
        userAgent: req.headers['user-agent'] ?? '',
        status: null,
      };
      requests.push(record);
      proxy(req, res, upstream, agent, record);
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      serveStatic(req, res, pathname);
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
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** examples/hello-cli as `{'/project/<relative path>': text}`. */
function exampleFiles() {
  const files = {};
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(EXAMPLE, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else files[`/project/${child}`] = fs.readFileSync(path.join(EXAMPLE, child), 'utf8');
    }
  };
  walk('');
  return files;
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
    fs.existsSync(path.join(ROOT, 'pkg-js', 'web', 'pycontainer_bg.wasm')),
    'pkg-js/web is missing: run bash scripts/build-wasm.sh',
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
  await page.goto(`${origin.url}/web-demo/index.html`);
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
          error: `${err.code ?? 'error'}: ${err.message}${err.hint ? ` (${err.hint})` : ''}`,
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
  assert.deepEqual(spec.process.args, result.entrypoint);
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
  assert.equal(result.base, base);
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
