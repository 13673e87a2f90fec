// pycontainer/web as a VS Code web extension uses it: esbuild bundles a
// build on pycontainer/web and pycontainer/vscode-host for the browser (no
// Node modules to resolve, the wasm module embedded), and Debian's chromium
// runs the file in a Web Worker, as the web extension host does, over an
// in-memory workspace.fs holding examples/hello-cli. The image must be the
// one the CLI builds from the same files.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { staticHandler } from '../../scripts/serve-demo.mjs';
import { build, EXAMPLE, ensureWasm, makeTempDir, ROOT, removeDir } from './helpers.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];

let work;
let server;
let browser;

before(async () => {
  ensureWasm();
  work = makeTempDir('pycontainer-web-extension-');
  const site = path.join(work, 'site');
  fs.mkdirSync(site);
  fs.writeFileSync(path.join(site, 'index.html'), '<!DOCTYPE html><title>web extension</title>\n');
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'tests/js/support/web-extension-worker.mjs')],
    bundle: true,
    // As docs/bundling.md says for a web extension.
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    loader: { '.wasm': 'binary' },
    // Only the vscode stand-in's disk helpers, never called in the worker, name these.
    external: ['node:fs', 'node:path'],
    logOverride: { 'empty-import-meta': 'silent' },
    outfile: path.join(site, 'worker.js'),
    logLevel: 'silent',
  });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.warnings.map((w) => w.text),
    [],
  );
  server = http.createServer(staticHandler(site));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  removeDir(work);
});

test('a web extension bundle builds the CLI image in a browser worker', async () => {
  const project = path.join(work, 'hello-cli');
  fs.cpSync(EXAMPLE, project, { recursive: true });
  const cli = build(['--context', project, '--base-image', 'scratch', '--output', `${work}/out`]);
  const files = fs
    .readdirSync(project, { recursive: true })
    .filter((rel) => fs.statSync(path.join(project, rel)).isFile())
    .map((rel) => [rel, [...fs.readFileSync(path.join(project, rel))]]);

  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
  const out = await page.evaluate(
    (posted) =>
      new Promise((resolve) => {
        const worker = new Worker('worker.js');
        worker.onmessage = ({ data }) => resolve(data);
        worker.onerror = (e) => resolve({ error: e.message });
        worker.postMessage(posted.map(([rel, bytes]) => [rel, new Uint8Array(bytes)]));
      }),
    files,
  );
  assert.equal(out.error, undefined, out.error);
  assert.deepEqual(errors, []);
  assert.equal(out.node, false, 'the worker has no Node');
  assert.equal(out.written, true, 'the layout is written through workspace.fs');
  assert.equal(out.result.manifestDigest, cli.manifestDigest);
  assert.deepEqual(out.plan, out.result.plan);
});
