// Type-checks `pycontainer/bundle` as an extension bundled with esbuild uses it.
import pycontainer, { build, initWasm, plan } from 'pycontainer/bundle';
import wasmBytes from './pycontainer_bg.wasm';

export async function run(url: URL): Promise<string> {
  await initWasm(wasmBytes);
  await initWasm(url);
  await pycontainer.initWasm(fetch(url));
  const p = await plan({ context: '.', baseImage: 'scratch' });
  const result = await build({ context: '.', baseImage: 'scratch', output: 'out' });
  return `${p.entrypoint.rule} ${result.manifestDigest} ${pycontainer.version()}`;
}
