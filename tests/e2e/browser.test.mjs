// The wasm core in headless Chromium, cross-origin as a user has it: the
// page (web-demo/, served as scripts/serve-demo.mjs serves it), Debian's
// docker-registry and a PEP 691 package index each on an origin of their
// own, the registry and the index sending the CORS headers of docs/cors.md.
// The page builds examples/hello-cli from an in-memory tree
// (web-demo/browser-host.js) and pushes it to the registry over the
// browser's own fetch, then builds on the pushed image as a registry base,
// then installs the deps fixture's wheels from the index; skopeo and umoci
// check what arrived. A registry without the headers makes the push fail,
// promptly and with a message. A registry with token auth answers
// preflights 401, which blocks a page; behind nginx answering them
// (tests/infra/preflight-front.mjs) the page pushes with credentials.
//
// The registry's access log says which requests Chromium sent it (the
// preflights too); the index records its own. Everything here is async:
// the browser talks to servers in this process while the test waits.

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { staticHandler } from '../../scripts/serve-demo.mjs';
import { listen } from '../infra/net.mjs';
import { normalizeName, startPep691Index } from '../infra/pep691-index.mjs';
import { startPreflightFront } from '../infra/preflight-front.mjs';
import { skopeoCredsArgs, startRegistry } from '../infra/registry.mjs';
import { manifestDigest, seedBase, skopeoOk } from '../infra/seed.mjs';
import {
  baseRef,
  CHROMIUM,
  CHROMIUM_ARGS,
  describeRun,
  EXAMPLE,
  ensureWasm,
  makeTempDir,
  ROOT,
  removeDir,
  requireTools,
  runCliAsync,
} from './helpers.mjs';

/** web-demo/ as the static files it deploys as, on a free loopback port. */
async function startPage() {
  const server = http.createServer(staticHandler());
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
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

/** The normalised names the fixture's requirements.txt pins, sorted. */
function pinnedNames() {
  const text = fs.readFileSync(path.join(DEPS_APP, 'requirements.txt'), 'utf8');
  return [...text.matchAll(/^([A-Za-z0-9][A-Za-z0-9._-]*)==/gm)]
    .map((m) => normalizeName(m[1]))
    .sort();
}

let site;
let reg;
let index;
let tokenReg;
let front;
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
  site = await startPage();
  reg = await startRegistry({ mode: 'plain', cors: site.url });
  index = await startPep691Index({ cors: site.url });
  tokenReg = await startRegistry({ mode: 'token', cors: site.url });
  front = await startPreflightFront(tokenReg.url, site.url);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  page = await browser.newPage();
  page.on('console', (msg) => pageLog.push(`console.${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => pageLog.push(`pageerror: ${err.message}`));
  await page.goto(`${site.url}/index.html`);
  await page.waitForFunction(() => typeof window.pycontainerBuild === 'function');
});

after(async () => {
  await browser?.close();
  await index?.close();
  await reg?.stop();
  await front?.stop();
  await tokenReg?.stop();
  await site?.close();
  removeDir(work);
});

/**
 * Runs a build in the page; resolves {result, events} or, when the build
 * fails, {error: {code, message}}. `credentials` ({'host:port': {username,
 * password}}) go to the browser host: window.pycontainerBuild takes none,
 * so a build with them runs on the page's own modules.
 */
function runInPage(files, options, credentials) {
  return page.evaluate(
    async ({ files, options, credentials }) => {
      const events = [];
      try {
        const onProgress = (e) => events.push(e);
        if (!credentials) {
          const result = await window.pycontainerBuild(files, options, { onProgress });
          return { result, events };
        }
        const { createBrowserHost } = await import(new URL('browser-host.js', location.href));
        const core = await import(new URL('pkg/pycontainer.js', location.href));
        await core.default();
        const host = createBrowserHost({ files, onProgress, credentials });
        return { result: await core.build(options, host), events };
      } catch (err) {
        return { error: { code: err.code, message: err.message } };
      }
    },
    { files, options, credentials },
  );
}

/** Runs a build in the page; resolves {result, events} or throws with the core's message. */
async function buildInPage(files, options) {
  const out = await runInPage(files, options);
  if (out.error)
    throw new Error(
      `build in the browser failed: ${out.error.code ?? 'error'}: ${out.error.message}\n${pageLog.join('\n')}`,
    );
  return out;
}

/**
 * The requests the registry answered from the page since `mark` (an
 * earlier `reg.accessLog().length`): Chromium's, sent cross-origin from
 * the page (its Referer), skopeo's left out.
 */
function fromPage(mark) {
  return reg
    .accessLog()
    .slice(mark)
    .filter((r) => /Chrome/.test(r.userAgent) && r.referer.startsWith(`${site.url}/`));
}

/**
 * What Chromium logged since `mark` (an earlier `pageLog.length`) about
 * requests CORS blocked: the cause it names only in the console, never to
 * the page. (A registry's 404s, as a HEAD for a blob not yet there, are
 * logged too, and are no fault.)
 */
const corsErrors = (mark) =>
  pageLog.slice(mark).filter((l) => /blocked by CORS policy|net::ERR_FAILED/.test(l));

/**
 * Waits (up to 5 s) for a console line after `mark` that includes `text`:
 * Chromium logs a blocked request on its own time, which can be after a
 * build that failed at once has returned. Returns whether one came.
 */
async function consoleSays(mark, text) {
  for (const until = Date.now() + 5_000; Date.now() < until; ) {
    if (corsErrors(mark).some((l) => l.includes(text))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
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

test('the browser builds hello-cli on scratch and pushes it cross-origin to a docker-registry configured with CORS; skopeo pulls it back', async () => {
  const mark = reg.accessLog().length;
  const logged = pageLog.length;
  const started = Date.now();
  const { result, events } = await buildInPage(exampleFiles(), {
    context: '/project',
    cwd: '/',
    baseImage: 'scratch',
    tags: [`${reg.host}/browser/hello:1`],
    push: true,
    cacheDir: '/cache',
  });
  console.log(`# browser build + push: ${Date.now() - started} ms`);
  first = result;
  assert.equal(result.pushed.length, 1);
  const { digest, reference } = result.pushed[0];
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(digest, result.manifestDigest);
  assert.match(reference, new RegExp(`^${reg.host}/browser/hello:1`));
  assert.equal(result.output, undefined, 'push without output writes no layout');
  assert.equal(result.layers.length, 1);
  assert.equal(result.pushStats.uploaded, 2, 'the app layer and the config');
  assert.ok(events.some((e) => e.type === 'transfer' && e.action === 'push'));

  // The requests came from Chromium's fetch on the page, straight to the
  // registry's origin. Those that are not CORS-simple (PUT, PATCH, any with
  // Content-Type or Authorization) were preflighted, and the registry
  // answered each preflight itself.
  const requests = fromPage(mark);
  const puts = requests.filter((r) => r.method === 'PUT' && r.url.includes('/manifests/'));
  assert.equal(puts.length, 1);
  assert.equal(puts[0].status, 201);
  const preflights = requests.filter((r) => r.method === 'OPTIONS');
  assert.ok(
    preflights.some((r) => r.url.includes('/manifests/')),
    requests.map((r) => `${r.method} ${r.url} ${r.status}`).join('\n'),
  );
  assert.ok(preflights.every((r) => r.status === 200));
  assert.deepEqual(corsErrors(logged), []);

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
  const base = `${reg.host}/browser/hello:1`;
  const baseLayer = first.layers[0].digest;
  const files = exampleFiles();
  files['/project/README.md'] += '\nBuilt again, on the image pushed before.\n';
  const mark = reg.accessLog().length;
  const logged = pageLog.length;
  const started = Date.now();
  const { result, events } = await buildInPage(files, {
    context: '/project',
    cwd: '/',
    baseImage: base,
    tags: [`${reg.host}/browser/derived:1`],
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
  const requests = fromPage(mark);
  const seen = (method, part) =>
    requests.filter((r) => r.method === method && r.url.includes(part));
  assert.ok(seen('GET', '/v2/browser/hello/manifests/1').length >= 1);
  assert.equal(seen('GET', `/blobs/${baseLayer}`).length, 0, 'base layer downloaded');
  const mounts = seen('POST', `mount=${encodeURIComponent(baseLayer)}`);
  const mountsRaw = seen('POST', `mount=${baseLayer}`);
  assert.equal(mounts.length + mountsRaw.length, 1);
  assert.equal((mounts[0] ?? mountsRaw[0]).status, 201);
  assert.deepEqual(corsErrors(logged), []);

  const info = await inspect('browser/derived:1');
  assert.equal(info.Digest, result.pushed[0].digest);
  assert.deepEqual(
    info.Layers,
    result.layers.map((l) => l.digest),
  );
});

test("the browser installs the fixture's dependencies from a package index on its own origin, with CORS", async () => {
  index.addWheels(fixtureWheels());
  assert.deepEqual([...index.wheels.keys()].sort(), pinnedNames(), 'one wheel per pin');
  await seedBase(reg, { repo: 'browser/python', tag: '3.11-slim' });
  const indexUrl = index.url;
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

  index.requests.length = 0;
  const mark = reg.accessLog().length;
  const logged = pageLog.length;
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
        baseImage: `${reg.host}/browser/python:3.11-slim`,
        tags: [`${reg.host}/browser/deps:1`],
        push: true,
        cacheDir: '/cache',
        indexUrl,
        // The venv layer (MBs) then goes up in PATCHes with Content-Range,
        // as a big layer does, so those cross origins too.
        chunkSize: '256K',
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
    [...index.wheels.values()]
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

  // Every page and wheel came through Chromium's fetch, cross-origin from
  // the page, as plain GETs: a GET whose only header is a JSON Accept needs
  // no preflight, so Allow-Origin is all the index has to send.
  const fromChrome = index.requests.filter((r) => /Chrome/.test(r.userAgent));
  const pages = fromChrome.filter((r) => r.url.startsWith('/simple/'));
  const wheels = fromChrome.filter((r) => r.url.startsWith('/files/'));
  assert.equal(pages.length, 20, pages.map((r) => `${r.url} ${r.status}`).join('\n'));
  assert.equal(wheels.length, 20, wheels.map((r) => `${r.url} ${r.status}`).join('\n'));
  assert.ok([...pages, ...wheels].every((r) => r.status === 200));
  assert.deepEqual(
    fromChrome.filter((r) => r.method !== 'GET' || r.origin !== site.url),
    [],
    'no preflight, and every request cross-origin from the page',
  );
  assert.deepEqual(corsErrors(logged), []);

  // The chunks went cross-origin, each PATCH after its preflight.
  const patches = fromPage(mark).filter((r) => r.url.includes('/blobs/uploads/'));
  assert.ok(
    patches.filter((r) => r.method === 'PATCH' && r.status === 202).length >= 2,
    patches.map((r) => `${r.method} ${r.url.slice(0, 60)} ${r.status}`).join('\n'),
  );
  assert.ok(patches.some((r) => r.method === 'OPTIONS' && r.status === 200));

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

test('a docker-registry without CORS headers: the push fails at once, naming the registry and CORS', async () => {
  const bare = await startRegistry({ mode: 'plain' });
  try {
    const started = Date.now();
    const out = await runInPage(exampleFiles(), {
      context: '/project',
      cwd: '/',
      baseImage: 'scratch',
      tags: [`${bare.host}/browser/hello:1`],
      push: true,
      cacheDir: '/cache',
    });
    const ms = Date.now() - started;
    console.log(`# push to a registry without CORS: failed after ${ms} ms: ${out.error?.message}`);
    assert.ok(out.error, 'the push failed');
    assert.equal(out.error.code, 'network');
    assert.ok(out.error.message.includes(`cannot reach ${bare.host}`), out.error.message);
    assert.ok(out.error.message.includes('sends no CORS headers for'), out.error.message);
    assert.ok(out.error.message.includes('(ECORS)'), out.error.message);
    // A blocked answer is not retried, and no other scheme is tried: one
    // GET /v2/ (a simple request needs no preflight; the browser only hides
    // the answer) and the host's no-cors HEAD that tells CORS from a server
    // that is not there. No upload began.
    assert.ok(ms < 5_000, `${ms} ms`);
    const requests = bare.accessLog().filter((r) => /Chrome/.test(r.userAgent));
    assert.deepEqual(
      requests.map((r) => `${r.method} ${r.url}`),
      ['GET /v2/', 'HEAD /v2/'],
    );
    // Chromium names the cause, in the console only.
  } finally {
    await bare.stop();
  }
});

/** The hello-cli push to `host` with tokenReg's user, as a page with credentials runs it. */
function pushWithToken(host) {
  const [username, password] = Object.entries(tokenReg.users)[0];
  return runInPage(
    exampleFiles(),
    {
      context: '/project',
      cwd: '/',
      baseImage: 'scratch',
      tags: [`${host}/browser/private:1`],
      push: true,
      cacheDir: '/cache',
    },
    { [host]: { username, password } },
  );
}

test('a docker-registry with token auth, reached straight: its 401 to the preflight blocks the push', async () => {
  const mark = tokenReg.accessLog().length;
  const logged = pageLog.length;
  const started = Date.now();
  const out = await pushWithToken(tokenReg.host);
  console.log(
    `# token registry without a front: failed after ${Date.now() - started} ms: ${out.error?.message}`,
  );
  assert.ok(out.error, 'the push failed');
  assert.equal(out.error.code, 'network');
  assert.ok(out.error.message.includes(tokenReg.host), out.error.message);
  // The token was granted (the token server answers the page); the
  // registry then refused the preflight of the first request carrying it.
  assert.ok(tokenReg.tokenServer.requests.some((r) => r.status === 200 && r.authorized));
  const requests = tokenReg
    .accessLog()
    .slice(mark)
    .filter((r) => /Chrome/.test(r.userAgent));
  assert.ok(
    requests.some((r) => r.method === 'OPTIONS' && r.status === 401),
    JSON.stringify(requests),
  );
  // Besides the pings and the refused preflight, only the host's no-cors
  // HEAD of the blocked URL, which tells CORS from a server that is down.
  assert.ok(
    requests.every((r) => r.method === 'OPTIONS' || r.method === 'HEAD' || r.url === '/v2/'),
    JSON.stringify(requests),
  );
  assert.ok(out.error.message.includes('(ECORS)'), out.error.message);
  assert.ok(
    await consoleSays(logged, "Response to preflight request doesn't pass access control check"),
    pageLog.slice(logged).join('\n'),
  );
});

test('a docker-registry with token auth behind nginx answering the preflights: the page pushes with credentials', async () => {
  const mark = tokenReg.accessLog().length;
  const tokensBefore = tokenReg.tokenServer.requests.length;
  const logged = pageLog.length;
  const started = Date.now();
  const out = await pushWithToken(front.host);
  console.log(`# token registry behind nginx: build + push ${Date.now() - started} ms`);
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  const { digest } = out.result.pushed[0];

  // The page asked the token server itself (a preflight first: Basic
  // credentials are a non-simple header), then sent the token to the
  // registry through nginx.
  const tokens = tokenReg.tokenServer.requests.slice(tokensBefore);
  assert.ok(tokens.some((r) => r.method === 'OPTIONS' && r.status === 204));
  assert.ok(
    tokens.some(
      (r) =>
        r.status === 200 &&
        r.user === 'user' &&
        r.authorized &&
        r.scopes.some((sc) => sc.name === 'browser/private' && sc.actions.includes('push')),
    ),
    JSON.stringify(tokens),
  );
  const requests = tokenReg
    .accessLog()
    .slice(mark)
    .filter((r) => /Chrome/.test(r.userAgent));
  assert.equal(
    requests.filter((r) => r.method === 'OPTIONS').length,
    0,
    'nginx answered every preflight',
  );
  assert.ok(
    requests.some((r) => r.method === 'PUT' && r.url.includes('/manifests/') && r.status === 201),
  );
  assert.deepEqual(corsErrors(logged), []);

  const { stdout } = await skopeoOk([
    'inspect',
    '--tls-verify=false',
    ...skopeoCredsArgs(tokenReg),
    `docker://${tokenReg.host}/browser/private:1`,
  ]);
  assert.equal(JSON.parse(stdout).Digest, digest);
});
