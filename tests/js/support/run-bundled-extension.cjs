'use strict';

// An extension host for tests/js/bundle.test.mjs: loads the bundled
// extension (argv[2]) with the `vscode` stand-in as its `require('vscode')`,
// a virtual workspace holding the project at argv[3], the extension's URI
// argv[4] and a `scratch` base in the settings; runs the commands named
// after those, each given a copy of the project on disk, and prints their
// results and what the extension showed as JSON.

const Module = require('node:module');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { copyIntoMemory, createMemoryFileSystem, createVscode } = require('./vscode-stand-in.cjs');

async function main([bundle, project, extensionUri, ...commands]) {
  const memfs = createMemoryFileSystem();
  const vscode = createVscode({ fs: memfs, settings: { 'pycontainer.baseImage': 'scratch' } });
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
  await require(bundle).activate(context);
  const disk = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-bundled-'));
  try {
    fs.cpSync(project, disk, { recursive: true });
    const results = {};
    for (const command of commands) {
      results[command] = await vscode.commands.executeCommand(command, disk);
    }
    process.stdout.write(`${JSON.stringify({ results, shown: vscode.shown })}\n`);
  } finally {
    fs.rmSync(disk, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
