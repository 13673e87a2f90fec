// pycontainer/bundle as a VS Code extension uses it: esbuild bundles an
// extension on the public API and pycontainer/vscode-host into one file
// (`vscode` left external, as the extension host provides it), the file is
// copied alone into an empty directory and run there by an extension host
// stand-in, with the wasm module embedded in the bundle or fetched from the
// extension's URI. Both builds it makes (a virtual workspace through
// workspace.fs, a directory on disk through the Node host, which in a bundle
// deflates in one thread) must give the manifest the CLI gives, on a project
// big enough for the CLI to deflate in two threads.

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const support = path.join(repo, 'tests/js/support');
const example = path.join(repo, 'examples/hello-cli');
const wasmFile = path.join(repo, 'npm/wasm/pycontainer_bg.wasm');

// The extension's entry for each way of giving the module.
const ENTRIES = {
  embedded: `
import wasm from 'pycontainer/pycontainer_bg.wasm';
import { activateWith } from './bundled-extension.mjs';
export const activate = (context) => activateWith(context, () => wasm);
`,
  uri: `
import * as vscode from 'vscode';
import { activateWith } from './bundled-extension.mjs';
export const activate = (context) =>
  activateWith(context, () => vscode.Uri.joinPath(context.extensionUri, 'pycontainer_bg.wasm').toString());
`,
};

/**
 * Bundles `entry` (esbuild's entryPoints or stdin) into DIR/extension.js,
 * alone in an empty directory, with the options the docs give.
 */
async function bundle(entry, dir) {
  fs.mkdirSync(dir);
  const result = await esbuild.build({
    ...entry,
    bundle: true,
    platform: 'node',
    // VS Code's Node; esbuild's default (esnext) decodes embedded bytes with
    // Uint8Array.fromBase64, which Node 20 lacks.
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    loader: { '.wasm': 'binary' },
    outfile: path.join(dir, 'extension.js'),
    // The web glue's default location of the module (next to the glue, by
    // import.meta.url) is never used: initWasm is always given the module.
    logOverride: { 'empty-import-meta': 'silent' },
    logLevel: 'silent',
  });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.warnings.map((w) => w.text),
    [],
  );
  assert.deepEqual(fs.readdirSync(dir), ['extension.js']);
  return path.join(dir, 'extension.js');
}

/** Runs the bundled extension's `commands` in a child process; their results and what it showed. */
async function runBundled(file, project, extensionUri, commands) {
  const env = { ...process.env };
  delete env.NODE_PATH;
  delete env.SOURCE_DATE_EPOCH;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(support, 'run-bundled-extension.cjs'), file, project, extensionUri, ...commands],
    { cwd: path.dirname(file), env, maxBuffer: 16 << 20 },
  );
  return JSON.parse(stdout);
}

describe('pycontainer/bundle in a single-file extension', () => {
  let tmp;
  let project;
  let cliDigest;
  let server;
  let serverUrl;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-bundle-'));
    project = path.join(tmp, 'hello-cli');
    fs.cpSync(example, project, { recursive: true });
    // Several 1 MiB deflate chunks: the CLI sends some to its worker thread.
    fs.writeFileSync(path.join(project, 'data.bin'), randomBytes(3 << 20));
    const env = { ...process.env };
    delete env.SOURCE_DATE_EPOCH;
    const cli = [path.join(repo, 'npm/bin/pycontainer.js'), 'build', '--context', project];
    const out = execFileSync(
      process.execPath,
      ['--', ...cli, '--base-image', 'scratch', '--output', path.join(tmp, 'cli-out'), '--json'],
      { encoding: 'utf8', env },
    );
    cliDigest = JSON.parse(out).manifestDigest;
    // The extension's directory served over http: where a web extension's URI points.
    server = http.createServer((req, res) => {
      if (req.url !== '/ext/pycontainer_bg.wasm') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/wasm' });
      fs.createReadStream(wasmFile).pipe(res);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${server.address().port}/ext`;
  });

  after(() => {
    server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const variant of Object.keys(ENTRIES)) {
    test(`with the wasm ${variant}, the bundle alone builds the CLI's image`, async () => {
      const stdin = {
        contents: ENTRIES[variant],
        resolveDir: support,
        sourcefile: 'extension.mjs',
      };
      const file = await bundle({ stdin }, path.join(tmp, variant));
      const size = fs.statSync(file).size;
      const wasmSize = fs.statSync(wasmFile).size;
      // Embedded: the module is in the file; by URI it is not.
      if (variant === 'embedded') assert.ok(size > wasmSize, `${size} bytes`);
      else assert.ok(size < wasmSize, `${size} bytes`);
      const { results } = await runBundled(file, project, serverUrl, [
        'bundled.build',
        'bundled.buildOnDisk',
      ]);
      const virtual = results['bundled.build'];
      const onDisk = results['bundled.buildOnDisk'];
      assert.equal(virtual.result.manifestDigest, cliDigest);
      assert.equal(onDisk.manifestDigest, cliDigest);
      assert.deepEqual(virtual.plan, virtual.result.plan);
    });
  }

  test('the example extension bundled as its README says builds the CLI image', async () => {
    const entry = path.join(repo, 'examples/vscode-extension/bundled.mjs');
    const file = await bundle({ entryPoints: [entry] }, path.join(tmp, 'example'));
    const { shown } = await runBundled(file, project, serverUrl, [
      'pycontainer.showPlan',
      'pycontainer.build',
    ]);
    assert.deepEqual(shown.errors, []);
    assert.match(shown.webviews[0].webview.html, /<th>Base image<\/th><td>scratch<\/td>/);
    assert.match(shown.info[0].message, /written to \/ws\/pycontainer-out/);
    assert.equal(/sha256:[0-9a-f]{64}/.exec(shown.info[0].message)?.[0], cliDigest);
  });
});
