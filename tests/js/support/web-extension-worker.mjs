// A VS Code web extension's build in a browser worker, for
// tests/e2e/web-extension.test.mjs: pycontainer/web and pycontainer/vscode-host
// over an in-memory workspace.fs holding the files the page posts, with the
// wasm module embedded in the bundle. It posts back the plan, the build
// result and whether the layout was written, or the error.

import wasm from 'pycontainer/pycontainer_bg.wasm';
import { createVscodeHost } from 'pycontainer/vscode-host';
import { build, initWasm, plan } from 'pycontainer/web';
import { createMemoryFileSystem, Uri } from './vscode-stand-in.cjs';

self.onmessage = async ({ data: files }) => {
  try {
    const memfs = createMemoryFileSystem();
    const root = new Uri('memfs', '', '/ws');
    for (const [rel, bytes] of files) {
      const p = `/ws/${rel}`;
      await memfs.createDirectory(root.with({ path: p.slice(0, p.lastIndexOf('/')) }));
      await memfs.writeFile(root.with({ path: p }), bytes);
    }
    await initWasm(wasm);
    const vscode = { Uri, workspace: { fs: memfs } };
    const host = () => createVscodeHost({ vscode, root, fetch: null });
    const options = { context: '/ws', baseImage: 'scratch', output: '/ws/out' };
    const planned = await plan({ ...options, host: host() });
    const result = await build({ ...options, host: host() });
    self.postMessage({
      plan: planned,
      result,
      written: memfs.files.has('/ws/out/index.json'),
      node: typeof process !== 'undefined',
    });
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err) });
  }
};
