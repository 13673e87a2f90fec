// The web demo (web-demo/) as a person uses it, in headless Chromium: a
// project folder in through the folder picker and through a real drop
// (Chromium's own drag and drop, driven over CDP, so the page walks the
// folder with webkitGetAsEntry and its directory readers), the plan, a
// build in the worker on a Python base pulled from a CORS-enabled
// docker-registry, the OCI archive downloaded, checked with skopeo and
// umoci, run with runc and loaded by podman; builds cancelled mid-way
// (while compressing, and while waiting on a registry), then a push; the
// cache kept across a reload. Screenshots of each state go to
// test-artifacts/web-demo/.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { staticHandler } from '../../scripts/serve-demo.mjs';
import { makeWheel } from '../infra/make-wheels.mjs';
import { startPep691Index } from '../infra/pep691-index.mjs';
import { startRegistry } from '../infra/registry.mjs';
import { seedBase, skopeoOk } from '../infra/seed.mjs';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  EXAMPLE,
  ensureWasm,
  HELLO_ALICE,
  makeTempDir,
  ROOT,
  removeDir,
  requireRoot,
  requireTools,
  runInImage,
} from './helpers.mjs';

const execFileAsync = promisify(execFile);

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'web-demo');
// More than one batch of Chromium's directory reader (100 entries).
const EXTRA_FILES = 150;
const BUILD_TIMEOUT_MS = 60_000;
// A project that takes the worker seconds to compress: 40 MB of random bytes.
const BIG_FILES = 200;
const BIG_FILE_BYTES = 200_000;

let reg;
let site;
let hang;
let browser;
let page;
let work;
let baseRef;
const pageLog = [];

/** A server on loopback that takes requests and never answers them: a registry stuck mid-way. */
async function startHangingServer() {
  const held = [];
  const server = http.createServer((_req, res) => held.push(res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${server.address().port}`,
    held,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function startSite() {
  const server = http.createServer(staticHandler());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function screenshot(name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const statusText = () => page.locator('#status').textContent();

async function waitForStatus(pattern, timeout = BUILD_TIMEOUT_MS) {
  try {
    await page.waitForFunction(
      (source) => new RegExp(source).test(document.getElementById('status').textContent),
      pattern.source,
      { timeout },
    );
  } catch (err) {
    await screenshot('failed');
    throw new Error(`status ${JSON.stringify(await statusText())}, not ${pattern}: ${err.message}`);
  }
  return statusText();
}

/** The requests the registry logged for the blobs of `repo` (its access log). */
function blobGets(repo) {
  const log = fs.readFileSync(reg.logFile, 'utf8');
  return log.split('\n').filter((l) => l.includes(`"GET /v2/${repo}/blobs/`));
}

/**
 * Drops `dir` on the page's drop zone the way a person does: Chromium's
 * drag and drop with the folder's path, so the page gets real
 * FileSystemDirectoryEntry objects (a synthetic DataTransfer has none).
 */
async function dropFolder(dir) {
  const box = await page.locator('#drop').boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: [dir], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
  }
  await cdp.detach();
}

async function setOption(id, value) {
  await page.fill(`#${id}`, value);
  await page.locator(`#${id}`).dispatchEvent('change');
}

/** The plan, worked out again after each change, is up to date and shows `text`. */
async function waitForPlan(text) {
  await page.locator('#plan:not([aria-busy])').getByText(text).first().waitFor({
    timeout: BUILD_TIMEOUT_MS,
  });
}

before(async () => {
  requireTools('docker-registry', 'skopeo', 'umoci', 'runc', 'podman');
  requireRoot();
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'bash scripts/setup.sh'`);
  ensureWasm();
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  console.log(`# screenshots: ${ARTIFACTS}`);
  work = makeTempDir('pycontainer-web-demo-');
  reg = await startRegistry({ mode: 'plain', cors: '*' });
  await seedBase(reg, { repo: 'library/python', tag: '3.11-slim' });
  baseRef = `${reg.host}/library/python:3.11-slim`;
  site = await startSite();
  hang = await startHangingServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  const logConsole = (where) => (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      pageLog.push(`${where} console.${msg.type()}: ${msg.text()}`);
    }
  };
  page.on('console', logConsole('page'));
  // The build worker's console is its own.
  page.on('worker', (worker) => worker.on('console', logConsole('worker')));
  page.on('pageerror', (err) => pageLog.push(`pageerror: ${err.message}`));
  await page.goto(`${site.url}/`);
  await waitForStatus(/^Ready/);
});

after(async () => {
  await browser?.close();
  await hang?.close();
  await site?.close();
  await reg?.stop();
  if (work) removeDir(work);
});

test('a picked and a dropped folder are planned, built in the worker, downloaded and run', async () => {
  await screenshot('1-empty');

  // The folder picker.
  await page.setInputFiles('#folder', EXAMPLE);
  await page.locator('#project-name').getByText('hello-cli').waitFor();
  assert.equal(await page.locator('#project-count').textContent(), '4 files');
  await waitForPlan('console script hello');

  // A drop of a copy with one more directory than a reader gives in one batch.
  const dropped = path.join(work, 'dropped-hello');
  fs.cpSync(EXAMPLE, dropped, { recursive: true });
  fs.mkdirSync(path.join(dropped, 'data'));
  for (let i = 0; i < EXTRA_FILES; i++) {
    fs.writeFileSync(path.join(dropped, 'data', `f${i}.txt`), `file ${i}\n`);
  }
  // Two files the plan leaves out, each for its own reason: a default
  // exclude, and a .dockerignore line (the .dockerignore itself ships).
  fs.writeFileSync(path.join(dropped, '.env'), 'TOKEN=local-only\n');
  fs.writeFileSync(path.join(dropped, '.dockerignore'), 'data/f1.txt\n');
  await dropFolder(dropped);
  await page.locator('#project-name').getByText('dropped-hello').waitFor();
  assert.equal(await page.locator('#project-count').textContent(), `${6 + EXTRA_FILES} files`);

  await setOption('baseImage', baseRef);
  await setOption('tags', 'hello:1');
  await setOption('env', 'GREETING=hello\n\nMODE=demo');
  await waitForPlan(`${4 + EXTRA_FILES} included`);
  const plan = await page.locator('#plan').textContent();
  assert.match(plan, /2 excluded/);
  assert.match(plan, /\.env — secrets/, 'the .env file with its reason');
  assert.match(plan, /data\/f1\.txt — data\/f1\.txt \(\/project\/\.dockerignore:1\)/, 'the rule');
  await page.locator('#plan summary', { hasText: 'Files included' }).click();
  const included = await page.locator('#plan details li code').allTextContents();
  assert.ok(included.includes('pyproject.toml') && included.includes('.dockerignore'), included);
  assert.ok(!included.includes('.env') && !included.includes('data/f1.txt'), included);
  assert.match(plan, new RegExp(baseRef.replaceAll('.', '\\.')));
  assert.match(plan, /set explicitly/, 'the base image with its rule');
  assert.match(plan, /Entry point.*hello/s);
  assert.match(plan, /None: the project declares no dependencies/);
  await screenshot('2-project-and-plan');

  // The build: its progress while the base comes in, then the result.
  await page.click('#build');
  await page.locator('#progress .transfers li').first().waitFor({ timeout: BUILD_TIMEOUT_MS });
  await screenshot('3-building');
  const built = await waitForStatus(/^(Built|Build failed)/);
  assert.match(built, /^Built [0-9a-f]{12} in/, `${built}\n${pageLog.join('\n')}`);
  assert.ok(blobGets('library/python').length >= 1, 'the base came from the registry');
  const digest = await page.locator('#result code').first().getAttribute('title');
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  const layerRows = await page.locator('#result tbody tr').count();
  assert.equal(layerRows, 2, 'the base layer and the app layer');
  for (const summary of await page.locator('#result summary').all()) await summary.click();
  const config = JSON.parse(await page.locator('#result details pre').first().textContent());
  assert.equal(config.config.Entrypoint.at(-1), '/usr/local/bin/hello');
  assert.ok(config.config.Env.includes('GREETING=hello'), config.config.Env.join('\n'));
  assert.ok(config.config.Env.includes('MODE=demo'), config.config.Env.join('\n'));
  await screenshot('4-built');

  // The archive, as skopeo and umoci and runc see it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.equal(download.suggestedFilename(), 'dropped-hello.oci.tar');
  const archive = path.join(work, 'hello.oci.tar');
  await download.saveAs(archive);
  const { stdout } = await skopeoOk(['inspect', `oci-archive:${archive}:1`]);
  assert.equal(JSON.parse(stdout).Digest, digest);
  const layout = path.join(work, 'from-archive');
  await skopeoOk(['copy', `oci-archive:${archive}:1`, `oci:${layout}:1`]);
  const run = runInImage(layout, '1', ['Alice']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), HELLO_ALICE);

  const { stdout: loaded } = await execFileAsync('podman', ['load', '-i', archive]);
  assert.match(loaded, /Loaded image: docker\.io\/library\/hello:1/);
  await execFileAsync('podman', ['rmi', 'docker.io/library/hello:1']);

  await page.click('#theme');
  await screenshot('5-dark');
  await page.click('#theme');
});

test('a build cancelled mid-way leaves the page ready, and the next build pushes', async () => {
  // Cancelled while the worker compresses a large project: the core runs
  // between host calls, and the interrupt lets the cancel in every 50 ms.
  const big = path.join(work, 'big-project');
  fs.cpSync(EXAMPLE, big, { recursive: true });
  fs.mkdirSync(path.join(big, 'blobs'));
  for (let i = 0; i < BIG_FILES; i++) {
    fs.writeFileSync(path.join(big, 'blobs', `b${i}.bin`), crypto.randomBytes(BIG_FILE_BYTES));
  }
  await page.setInputFiles('#folder', big);
  await page.locator('#project-name').getByText('big-project').waitFor();
  await setOption('baseImage', 'scratch');
  await waitForPlan(`${BIG_FILES + 4} included`);
  await page.click('#build');
  await page.locator('#progress .transfers li').first().waitFor({ timeout: BUILD_TIMEOUT_MS });
  const clicked = Date.now();
  await page.click('#cancel');
  await waitForStatus(/^Cancelled/, 10_000);
  const cancelMs = Date.now() - clicked;
  console.log(`# cancel while writing layers: ${cancelMs} ms`);
  assert.ok(cancelMs < 3000, `cancel took ${cancelMs} ms`);

  await page.setInputFiles('#folder', EXAMPLE);
  await page.locator('#project-name').getByText('hello-cli').waitFor();

  // A base on a registry that never answers: the build waits until cancelled.
  await setOption('baseImage', `${hang.host}/stuck/base:1`);
  await page.click('#build');
  const deadline = Date.now() + 10_000;
  while (hang.held.length === 0 && Date.now() < deadline) await page.waitForTimeout(50);
  assert.ok(hang.held.length > 0, 'the build reached the stuck registry');
  assert.equal(await page.locator('#build').isDisabled(), true);
  await page.click('#cancel');
  assert.match(await waitForStatus(/^Cancelled/, 10_000), /nothing was kept/);
  assert.equal(await page.locator('#build').isDisabled(), false);
  assert.equal(await page.locator('#push').isDisabled(), false);
  assert.equal(await page.locator('#cancel').isDisabled(), true);
  await screenshot('6-cancelled');

  // A build the core refuses says why, and leaves the page ready too.
  await setOption('env', 'NOT A PAIR');
  await page.click('#build');
  const failed = await waitForStatus(/^(Built|Build failed)/);
  assert.match(failed, /^Build failed \([a-z-]+\): .*NOT A PAIR/, failed);
  assert.match(await page.locator('#plan [role=alert]').textContent(), /NOT A PAIR/);
  assert.equal(await page.locator('#build').isDisabled(), false);
  assert.equal(
    await page.locator('#env').getAttribute('aria-invalid'),
    'true',
    'the field at fault',
  );
  await screenshot('7-failed');
  await setOption('env', '');

  // The next build, pushed this time, over the page's fetch.
  const pushTo = `${reg.host}/web-demo/hello:2`;
  await setOption('baseImage', baseRef);
  await setOption('tags', pushTo);
  await waitForPlan(pushTo);
  await page.click('#push');
  const done = await waitForStatus(/^(Built|Build failed)/);
  assert.match(done, /^Built [0-9a-f]{12} and pushed to 1 tag/, done);
  const digest = await page.locator('#result code').first().getAttribute('title');
  assert.match(await page.locator('#result').textContent(), new RegExp(`pushed to ${pushTo}`));
  const { stdout } = await skopeoOk(['inspect', '--tls-verify=false', `docker://${pushTo}`]);
  assert.equal(JSON.parse(stdout).Digest, digest);
});

test('the cache outlives a reload: the rebuild downloads no layer', async () => {
  const before = blobGets('library/python').length;
  await page.reload();
  await waitForStatus(/^Ready/);
  // By keyboard: the theme toggle, then the folder picker, then the options.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'folder');
  await screenshot('8-keyboard-focus');
  await page.setInputFiles('#folder', EXAMPLE);
  await page.locator('#project-name').getByText('hello-cli').waitFor();
  await setOption('baseImage', baseRef);
  await waitForPlan(baseRef);
  await page.focus('#build');
  await page.keyboard.press('Enter');
  assert.match(await waitForStatus(/^(Built|Build failed)/), /^Built /);
  const baseLayer = await page.locator('#result tbody tr td code').first().textContent();
  const again = blobGets('library/python').slice(before);
  assert.deepEqual(
    again.filter((line) => line.includes(baseLayer)),
    [],
    'the base layer came from the cache',
  );
  // Nor the config: the cache keeps it by its digest, and a reload keeps the cache.
  assert.deepEqual(again, []);
  // What the store keeps is the cache alone: no temp or lock file of a
  // build (the cancelled one included) outlived it.
  const kept = await page.evaluate(async () => {
    const store = await caches.open('pycontainer-cache-v1');
    return (await store.keys()).map((r) => new URL(r.url).pathname);
  });
  assert.ok(kept.length > 0);
  assert.ok(
    kept.every((p) => p.startsWith('/.pycontainer-cache/cache/') && !/\.tmp|\.lock/.test(p)),
    kept.join('\n'),
  );
  console.log(`# cache store: ${kept.length} files`);
  const shown = await page.locator('#progress .transfers li').allTextContents();
  assert.ok(
    shown.every((row) => !/^Pulling|^Downloading/.test(row)),
    `no download shown: ${shown.join('; ')}`,
  );
});

test("the page's package index and platform options reach the build", async () => {
  // A project with one dependency, served by a PEP 691 index on its own
  // origin that sends CORS headers, as an index a page can use must.
  const project = path.join(work, 'with-deps');
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'pyproject.toml'),
    '[project]\nname = "with-deps"\nversion = "1.0"\nrequires-python = ">=3.9"\n',
  );
  fs.writeFileSync(path.join(project, 'requirements.txt'), 'greetlib==1.0\n');
  fs.writeFileSync(path.join(project, 'main.py'), 'import greetlib\nprint(greetlib.WORD)\n');
  const wheels = path.join(work, 'wheels');
  fs.mkdirSync(wheels);
  makeWheel(wheels, 'greetlib', '1.0', [{ path: 'greetlib/__init__.py', data: 'WORD = "hi"\n' }]);
  const index = await startPep691Index({ cors: site.url });
  try {
    index.addWheels(wheels);
    await page.setInputFiles('#folder', project);
    await page.locator('#project-name').getByText('with-deps').waitFor();
    await setOption('baseImage', baseRef);
    await setOption('indexUrl', index.url);
    await setOption('env', '');
    await waitForPlan('From requirements');
    await page.click('#build');
    assert.match(await waitForStatus(/^(Built|Build failed)/), /^Built /, pageLog.join('\n'));
    const fetched = index.requests.map((r) => `${r.method} ${r.url} ${r.origin}`);
    assert.ok(fetched.includes(`GET /simple/greetlib/ ${site.url}`), fetched.join('\n'));
    assert.ok(
      fetched.includes(`GET /files/greetlib-1.0-py3-none-any.whl ${site.url}`),
      fetched.join('\n'),
    );
    // The base's layer, the venv with greetlib, the app.
    assert.equal(await page.locator('#result tbody tr').count(), 3);
  } finally {
    await index.close();
  }

  // The platform: an arm64 image of the app alone.
  await page.setInputFiles('#folder', EXAMPLE);
  await page.locator('#project-name').getByText('hello-cli').waitFor();
  await setOption('baseImage', 'scratch');
  await setOption('indexUrl', '');
  await page.selectOption('#platform', 'linux/arm64');
  await page.locator('#platform').dispatchEvent('change');
  await waitForPlan('linux/arm64');
  await page.click('#build');
  assert.match(await waitForStatus(/^(Built|Build failed)/), /^Built /);
  for (const summary of await page.locator('#result summary').all()) await summary.click();
  const config = JSON.parse(await page.locator('#result details pre').first().textContent());
  assert.equal(config.architecture, 'arm64');
  await page.selectOption('#platform', 'linux/amd64');
});

test('the page logged no errors or warnings', () => {
  assert.deepEqual(pageLog, []);
});
