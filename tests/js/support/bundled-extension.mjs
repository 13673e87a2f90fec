// The part of an extension on `pycontainer/bundle` that does not depend on
// where its wasm comes from; tests/js/bundle.test.mjs bundles it with an
// entry that gives the module embedded or by URL. Its commands return what
// the test compares with the CLI's build.

import { build, initWasm, plan } from 'pycontainer/bundle';
import { createVscodeHost } from 'pycontainer/vscode-host';
import * as vscode from 'vscode';

/** Registers the commands; `wasmSource()` is the module for initWasm. */
export function activateWith(context, wasmSource) {
  const ready = initWasm(wasmSource());
  context.subscriptions.push(
    // The first workspace folder (a virtual one) through workspace.fs.
    vscode.commands.registerCommand('bundled.build', async () => {
      await ready;
      const root = vscode.workspace.workspaceFolders[0].uri;
      const host = () => createVscodeHost({ vscode, root, fetch: null });
      const options = { context: root.path, baseImage: 'scratch', output: `${root.path}/out` };
      const planned = await plan({ ...options, host: host() });
      const result = await build({ ...options, host: host() });
      return { plan: planned, result };
    }),
    // A directory on disk through the package's Node host.
    vscode.commands.registerCommand('bundled.buildOnDisk', async (dir) => {
      await ready;
      return build({ context: dir, baseImage: 'scratch', output: `${dir}/out` });
    }),
  );
}
