// Type-checks `pycontainer/vscode-host` as a VS Code extension (CommonJS) uses it,
// with a structural stand-in for the `vscode` module's types.
import pycontainer = require('pycontainer');
import vscodeHost = require('pycontainer/vscode-host');

declare const vscode: vscodeHost.VscodeHostOptions['vscode'];
declare const folder: vscodeHost.VscodeUri;

export async function run(signal: AbortSignal): Promise<string | undefined> {
  const host = vscodeHost.createVscodeHost({
    vscode,
    root: folder,
    env: (name) => (name === 'SOURCE_DATE_EPOCH' ? '0' : undefined),
    onProgress: (event) => console.log(event.type),
    signal,
  });
  const result = await pycontainer.build({
    context: folder.path,
    baseImage: 'scratch',
    host,
    signal,
  });
  return result.manifestDigest;
}
