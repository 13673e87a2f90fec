// Type-checks `pycontainer/bundle` and `pycontainer/web` as an extension
// bundled with esbuild uses them.
import pycontainer, { build, initWasm, plan } from 'pycontainer/bundle';
import web, { type Host, plan as webPlan } from 'pycontainer/web';
import wasmBytes from './pycontainer_bg.wasm';

export async function run(url: URL): Promise<string> {
  await initWasm(wasmBytes);
  await initWasm(url);
  await pycontainer.initWasm(fetch(url));
  const p = await plan({ context: '.', baseImage: 'scratch' });
  const result = await build({ context: '.', baseImage: 'scratch', output: 'out' });
  return `${p.entrypoint.rule} ${result.manifestDigest} ${pycontainer.version()}`;
}

export async function inBrowser(host: Host): Promise<string> {
  await web.initWasm(wasmBytes);
  const p = await webPlan({ context: '/ws', host });
  return p.entrypoint.rule;
}
