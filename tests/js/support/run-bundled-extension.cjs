'use strict';

// An extension host for tests/js/bundle.test.mjs: loads the bundled
// extension (argv[2]) with the `vscode` stand-in as its `require('vscode')`,
// a virtual workspace holding the project at argv[3], and the extension's
// URI argv[4]; runs its commands and prints their results as JSON.

const Module = require('node:module');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { copyIntoMemory, createMemoryFileSystem, createVscode } = require('./vscode-stand-in.cjs');

async function main([bundle, project, extensionUri]) {
  const memfs = createMemoryFileSystem();
  const vscode = createVscode({ fs: memfs });
  const root = new vscode.Uri('memfs', '', '/ws');
  await copyIntoMemory(memfs, root, project);
  vscode.workspace.workspaceFolders.push({ uri: root, index: 0 });
  const load = Module._load;
  Module._load = function loadStandIn(request, ...rest) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  const url = new URL(extensionUri);
  const context = {
    subscriptions: [],
    extensionUri: new vscode.Uri(url.protocol.slice(0, -1), url.host, url.pathname),
  };
  require(bundle).activate(context);
  const virtual = await vscode.commands.executeCommand('bundled.build');
  const disk = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-bundled-'));
  try {
    fs.cpSync(project, disk, { recursive: true });
    const onDisk = await vscode.commands.executeCommand('bundled.buildOnDisk', disk);
    process.stdout.write(`${JSON.stringify({ virtual, onDisk })}\n`);
  } finally {
    fs.rmSync(disk, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
