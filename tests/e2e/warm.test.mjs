// Warm builds on a registry base (Debian's docker-registry over TLS, the
// Debian base seeded by skopeo): a second build with the same cache into a
// fresh output asks the registry for the manifest by tag and nothing else
// (the config comes from the cache by its digest, the layer too), links the
// base layer out of the cache read-only, and with --verbose says how long
// each phase took.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startRegistry } from '../infra/registry.mjs';
import { seedBase } from '../infra/seed.mjs';
import {
  BASE_TAG,
  baseLayout,
  blobPath,
  copyExample,
  describeRun,
  ensureWasm,
  fileDigest,
  makeTempDir,
  readImage,
  removeDir,
  requireTools,
  runCliAsync,
} from './helpers.mjs';

const REPO = 'library/python';

let tmp;
let project;
let reg;
/** The Debian base as seeded: {descriptor, manifest, config}. */
let base;

before(async () => {
  requireTools('docker-registry', 'skopeo', 'openssl');
  ensureWasm();
  base = readImage(baseLayout(), BASE_TAG);
  tmp = makeTempDir('pycontainer-e2e-warm-');
  project = copyExample(tmp);
  reg = await startRegistry({ mode: 'tls' });
  await seedBase(reg);
});

after(async () => {
  await reg?.stop();
  removeDir(tmp);
});

/** `build` of hello-cli on the seeded base into `output`, with the shared cache. */
async function build(output, args = [], repo = REPO) {
  const r = await runCliAsync(
    [
      'build',
      '--context',
      project,
      '--base-image',
      `${reg.host}/${repo}:${BASE_TAG}`,
      '--cache-dir',
      path.join(tmp, 'cache'),
      '--output',
      output,
      '--tag',
      'warm:1',
      ...args,
    ],
    { env: { NODE_EXTRA_CA_CERTS: reg.caBundle, SOURCE_DATE_EPOCH: '1700000000' } },
  );
  assert.equal(r.code, 0, describeRun(r));
  return r;
}

test('a warm build into a fresh output asks only for the tag, links the base layer read-only, and times its phases', async () => {
  const first = await build(path.join(tmp, 'first'), ['--quiet']);
  const mark = reg.accessLog().length;
  const fresh = path.join(tmp, 'fresh');
  const warm = await build(fresh, ['--verbose']);

  // The same image, byte for byte.
  const digest = warm.stdout.match(/sha256:[0-9a-f]{64}/)?.[0];
  assert.equal(digest, first.stdout.trim());

  // Besides the version check (`/v2/`), one request: the manifest by its
  // tag, which may have moved; what a digest names never does.
  const requests = reg
    .accessLog()
    .slice(mark)
    .filter((r) => r.url !== '/v2/');
  assert.deepEqual(
    requests.map((r) => `${r.method} ${r.url}`),
    [`GET /v2/${REPO}/manifests/${BASE_TAG}`],
    JSON.stringify(requests, null, 1),
  );

  // The layer came out of the cache as a hard link (the same file system
  // here), read-only, so that nothing writes into the cache's through it.
  const layer = base.manifest.layers[0].digest;
  const linked = fs.statSync(blobPath(fresh, layer));
  const cached = fs.statSync(blobPath(path.join(tmp, 'cache', 'oci'), layer));
  assert.equal(linked.ino, cached.ino);
  assert.equal(linked.mode & 0o777, 0o444);
  assert.equal((await fileDigest(blobPath(fresh, layer))).digest, layer);

  // --verbose: a line per phase the build went through, in order, then the total.
  const times = warm.stderr.slice(warm.stderr.indexOf('phase times:\n'));
  const phases = [...times.matchAll(/^ {2}(\S[^\n]*?) +(\d+\.\d{3}) s$/gm)].map((m) => m[1]);
  assert.deepEqual(
    phases,
    ['startup', 'plan', 'layer', 'pull', 'base', 'write', 'total'],
    warm.stderr,
  );
});

test('from a two-platform index, the manifest the index chose comes from the cache too', async () => {
  const repo = 'multi/python';
  await seedBase(reg, { repo, multiPlatform: true });
  const args = ['--quiet', '--platform', 'linux/amd64'];
  const cold = reg.accessLog().length;
  await build(path.join(tmp, 'multi-first'), args, repo);
  const mark = reg.accessLog().length;
  // The first build went through the index to the amd64 manifest, by digest.
  const byDigest = reg
    .accessLog()
    .slice(cold, mark)
    .filter((r) => r.url.startsWith(`/v2/${repo}/manifests/sha256:`));
  assert.equal(byDigest.length, 1, JSON.stringify(byDigest));
  await build(path.join(tmp, 'multi-fresh'), args, repo);
  const requests = reg
    .accessLog()
    .slice(mark)
    .filter((r) => r.url !== '/v2/');
  assert.deepEqual(
    requests.map((r) => `${r.method} ${r.url}`),
    [`GET /v2/${repo}/manifests/${BASE_TAG}`],
    JSON.stringify(requests, null, 1),
  );
});

test('without --verbose no phase times are printed', async () => {
  const r = await build(path.join(tmp, 'quiet'));
  assert.doesNotMatch(r.stderr, /phase times/);
});
