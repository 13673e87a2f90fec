// Tests the example VS Code extension (examples/vscode-extension) with a
// stand-in `vscode` module (tests/js/support; VS Code cannot be downloaded
// here): activation, each command on a real example project on disk with a
// scratch base, cancellation from the progress notification, an error that
// opens the file at fault, and a virtual workspace through workspace.fs.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../infra/registry.mjs';

const require = createRequire(import.meta.url);
const Module = require('node:module');
const api = require('../../npm/index.js');
const {
  copyIntoMemory,
  createVscode,
  createMemoryFileSystem,
} = require('./support/vscode-stand-in.cjs');

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extensionDir = path.join(repo, 'examples/vscode-extension');
const example = path.join(repo, 'examples/hello-cli');

// The extension's `require('vscode')` gets the stand-in of the test running.
let current;
const load = Module._load;
Module._load = function loadStandIn(request, ...rest) {
  return request === 'vscode' ? current : load.call(this, request, ...rest);
};

/** Activates a fresh copy of the extension against `vscode`; returns its subscriptions. */
function activate(vscode) {
  current = vscode;
  const main = require.resolve(extensionDir);
  delete require.cache[main];
  const context = { subscriptions: [] };
  require(main).activate(context);
  return context;
}

/** Every path under `dir`, relative, sorted: what a command left on disk. */
function tree(dir) {
  return fs.readdirSync(dir, { recursive: true }).sort();
}

function hasDockerRegistry() {
  try {
    execFileSync('sh', ['-c', 'command -v docker-registry'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('example VS Code extension', () => {
  let tmp;
  let project;

  /** A stand-in with the example project on disk as the workspace folder. */
  function onDisk(options = {}) {
    return createVscode({
      fs: createMemoryFileSystem(),
      workspaceFolders: [{ uri: { scheme: 'file', fsPath: project, path: project }, index: 0 }],
      ...options,
      settings: { 'pycontainer.baseImage': 'scratch', ...options.settings },
    });
  }

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-vscode-ext-'));
    project = path.join(tmp, 'hello-cli');
    fs.cpSync(example, project, { recursive: true });
  });

  after(() => {
    Module._load = load;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('activation registers the commands the manifest contributes', () => {
    const vscode = onDisk();
    const context = activate(vscode);
    const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.deepEqual(vscode.commands.registered().sort(), contributed.sort());
    assert.deepEqual(
      manifest.contributes.commands.map((c) => `${c.category}: ${c.title}`),
      ['pycontainer: Show plan', 'pycontainer: Build image', 'pycontainer: Build and push'],
    );
    assert.equal(context.subscriptions.length, 3);
  });

  test('Show plan shows plan() in a webview, builds nothing and writes nothing', async () => {
    const vscode = onDisk();
    activate(vscode);
    const before = tree(project);
    // The extension's `pycontainer` is this module: count what it calls.
    const calls = [];
    const { plan, build } = api;
    api.plan = (options) => calls.push('plan') && plan(options);
    api.build = (options) => calls.push('build') && build(options);
    try {
      await vscode.commands.executeCommand('pycontainer.showPlan');
    } finally {
      Object.assign(api, { plan, build });
    }
    assert.deepEqual(calls, ['plan']);
    assert.deepEqual(vscode.shown.errors, []);
    assert.equal(vscode.shown.webviews.length, 1);
    const html = vscode.shown.webviews[0].webview.html;
    assert.match(html, /<th>Base image<\/th><td>scratch<\/td>/);
    assert.match(html, /\/usr\/local\/bin\/hello/);
    assert.match(html, new RegExp(`${project}/pycontainer-out`));
    assert.deepEqual(tree(project), before);
  });

  test('Build image writes a valid layout with progress in the notification area', async () => {
    const vscode = onDisk();
    activate(vscode);
    await vscode.commands.executeCommand('pycontainer.build');
    assert.deepEqual(vscode.shown.errors, []);
    const [progress] = vscode.shown.progress;
    assert.equal(progress.options.location, vscode.ProgressLocation.Notification);
    assert.equal(progress.options.cancellable, true);
    assert.ok(progress.reports.some((r) => r.message === 'writing the layout'));
    const output = path.join(project, 'pycontainer-out');
    const report = await api.validate({ layout: output });
    assert.equal(report.ok, true, report.problems.join('\n'));
    assert.match(vscode.shown.info[0].message, new RegExp(report.manifestDigest));
    fs.rmSync(output, { recursive: true });
  });

  test('cancelling from the progress notification stops the build and leaves nothing', async () => {
    const vscode = onDisk({
      // The user clicks Cancel once the layout is being written.
      onProgressReport: (value, cancel) => {
        if (value.message === 'writing the layout') cancel();
      },
    });
    activate(vscode);
    const before = tree(project);
    await vscode.commands.executeCommand('pycontainer.build');
    assert.deepEqual(vscode.shown.errors, []);
    assert.match(vscode.shown.info[0].message, /cancelled/);
    assert.ok(vscode.shown.progress[0].reports.some((r) => r.message === 'writing the layout'));
    assert.deepEqual(tree(project), before);
  });

  test('an error opens the file at fault at its line and column', async () => {
    const broken = path.join(tmp, 'broken');
    fs.cpSync(example, broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'pyproject.toml'), '[project\nname = "x"\n');
    const vscode = createVscode({
      fs: createMemoryFileSystem(),
      workspaceFolders: [{ uri: { scheme: 'file', fsPath: broken, path: broken }, index: 0 }],
      settings: { 'pycontainer.baseImage': 'scratch' },
    });
    activate(vscode);
    await vscode.commands.executeCommand('pycontainer.showPlan');
    assert.equal(vscode.shown.errors.length, 1);
    assert.deepEqual(vscode.shown.errors[0].items, ['Open pyproject.toml']);
    const [opened] = vscode.shown.opened;
    assert.equal(opened.uri.path, path.join(broken, 'pyproject.toml'));
    assert.deepEqual(
      { line: opened.selection.start.line, character: opened.selection.start.character },
      { line: 0, character: 8 },
    );
  });

  /** A stand-in on a copy of the example whose pyproject.toml ends with `toml`. */
  function brokenProject(name, toml, options = {}) {
    const dir = path.join(tmp, name);
    fs.cpSync(example, dir, { recursive: true });
    fs.appendFileSync(path.join(dir, 'pyproject.toml'), toml);
    return createVscode({
      fs: createMemoryFileSystem(),
      workspaceFolders: [{ uri: { scheme: 'file', fsPath: dir, path: dir }, index: 0 }],
      ...options,
      settings: { 'pycontainer.baseImage': 'scratch', ...options.settings },
    });
  }

  test("a config error opens the file the error's `file` names at its `key`", async () => {
    const vscode = brokenProject('bad-key', '\n[tool.pycontainer]\nworkdir = "/srv"\n  tags = 5\n');
    activate(vscode);
    await vscode.commands.executeCommand('pycontainer.build');
    assert.equal(vscode.shown.errors.length, 1);
    assert.match(vscode.shown.errors[0].message, /`tags` must be an array of strings/);
    assert.deepEqual(vscode.shown.errors[0].items, ['Open pyproject.toml']);
    const [opened] = vscode.shown.opened;
    assert.equal(opened.uri.path, path.join(tmp, 'bad-key', 'pyproject.toml'));
    const lines = fs.readFileSync(opened.uri.path, 'utf8').split('\n');
    const { line, character } = opened.selection.start;
    assert.equal(lines[line].slice(character), 'tags = 5');
  });

  test("an option's error opens the setting it came from", async () => {
    const vscode = onDisk({ settings: { 'pycontainer.tags': ['Bad Tag!'] } });
    activate(vscode);
    const before = tree(project);
    await vscode.commands.executeCommand('pycontainer.build');
    assert.equal(vscode.shown.errors.length, 1);
    assert.match(vscode.shown.errors[0].message, /--tag "Bad Tag!"/);
    assert.deepEqual(vscode.shown.errors[0].items, ['Open Settings']);
    assert.deepEqual(vscode.shown.executed, [
      { id: 'workbench.action.openSettings', args: ['pycontainer.tags'] },
    ]);
    assert.deepEqual(vscode.shown.opened, []);
    assert.deepEqual(tree(project), before);
  });

  /** A stand-in whose workspace is the example project in an in-memory `memfs:` file system. */
  async function virtual(options = {}) {
    const memfs = createMemoryFileSystem();
    const vscode = createVscode({
      fs: memfs,
      settings: { 'pycontainer.baseImage': 'scratch' },
      ...options,
    });
    const root = new vscode.Uri('memfs', '', '/ws');
    await copyIntoMemory(memfs, root, example);
    vscode.workspace.workspaceFolders.push({ uri: root, index: 0 });
    return { vscode, memfs };
  }

  test('a virtual workspace builds through workspace.fs', async () => {
    const { vscode, memfs } = await virtual();
    activate(vscode);
    await vscode.commands.executeCommand('pycontainer.build');
    assert.deepEqual(vscode.shown.errors, []);
    assert.ok(memfs.files.has('/ws/pycontainer-out/index.json'));
    assert.match(vscode.shown.info[0].message, /written to \/ws\/pycontainer-out/);
  });

  test('cancelling in a virtual workspace takes back what was written through workspace.fs', async () => {
    const { vscode, memfs } = await virtual({
      onProgressReport: (value, cancel) => {
        if (value.message === 'writing the layout') cancel();
      },
    });
    // Which files the build wrote, to show that there was something to take back.
    const written = [];
    const writeFile = memfs.writeFile;
    memfs.writeFile = (uri, content) => {
      written.push(uri.path);
      return writeFile(uri, content);
    };
    activate(vscode);
    const before = [...memfs.files.keys(), ...memfs.dirs].sort();
    await vscode.commands.executeCommand('pycontainer.build');
    assert.deepEqual(vscode.shown.errors, []);
    assert.match(vscode.shown.info[0].message, /cancelled/);
    assert.ok(
      written.some((p) => p.startsWith('/ws/pycontainer-out/')),
      written.join('\n'),
    );
    assert.deepEqual([...memfs.files.keys(), ...memfs.dirs].sort(), before);
  });

  test('Build and push sends the image to a registry', { skip: !hasDockerRegistry() }, async () => {
    const registry = await startRegistry({ mode: 'plain' });
    try {
      const ref = `${registry.host}/hello:1`;
      const vscode = onDisk({ inputBoxAnswer: ref });
      activate(vscode);
      const before = tree(project);
      await vscode.commands.executeCommand('pycontainer.buildAndPush');
      assert.deepEqual(vscode.shown.errors, []);
      assert.match(vscode.shown.info[0].message, new RegExp(`pushed to ${ref}`));
      const digest = /sha256:[0-9a-f]{64}/.exec(vscode.shown.info[0].message)[0];
      const res = await fetch(`${registry.url}/v2/hello/manifests/1`, {
        method: 'HEAD',
        headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('docker-content-digest'), digest);
      // A push alone writes no layout into the workspace.
      assert.deepEqual(tree(project), before);
    } finally {
      await registry.stop();
    }
  });
});
