// The output formats: examples/hello-cli on the Debian python base written
// as an oci-archive (read by skopeo, copied into a layout that runs) and a
// docker-archive (loaded and run by podman, and by a dockerd this test
// starts); the same input makes the same archive bytes; a build that fails
// after its archive was written leaves nothing; an output that cannot be
// written is refused before the build, with nothing written.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { podmanEnv, startDockerd } from '../infra/engines.mjs';

import {
  baseRef,
  build,
  copyExample,
  describeRun,
  fileDigest,
  HELLO_ALICE,
  listTree,
  makeTempDir,
  removeDir,
  requireRoot,
  requireTools,
  runCli,
  runInImage,
  runTool,
} from './helpers.mjs';

// A name no other test loads, so that removing it touches nothing else.
const NAME = 'pycontainer-formats-test';
const TAG = `${NAME}:1`;

let tmp;
let ctx;
let podmanEnvironment;

before(() => {
  requireTools('skopeo', 'umoci', 'runc', 'podman', 'dockerd', 'docker', 'chattr');
  requireRoot();
  tmp = makeTempDir('pycontainer-e2e-formats-');
  ctx = copyExample(tmp);
  // podman as test-infra.md says it runs here: runc, cgroupfs, the host's network.
  podmanEnvironment = podmanEnv(path.join(tmp, 'containers.conf'), { hostNetwork: true });
});

after(() => removeDir(tmp));

/** Builds hello-cli as `format` into `output`; returns the --json result. */
function buildArchive(format, output, more = []) {
  return build([
    '--context',
    ctx,
    '--base-image',
    baseRef(),
    '--tag',
    TAG,
    '--format',
    format,
    '--output',
    output,
    ...more,
  ]);
}

function podman(args) {
  return runTool('podman', args, { env: podmanEnvironment });
}

test('oci-archive: skopeo inspects it and copies it to a layout that runs; --digest-file has its digest', () => {
  const archive = path.join(tmp, 'oci', 'hello.tar');
  const digestFile = path.join(tmp, 'oci-digest');
  const result = buildArchive('oci-archive', archive, ['--digest-file', digestFile]);
  assert.equal(result.format, 'oci-archive');
  assert.equal(result.output, archive);
  assert.equal(fs.readFileSync(digestFile, 'utf8'), result.manifestDigest);
  assert.deepEqual(fs.readdirSync(path.dirname(archive)), ['hello.tar'], 'no temp file left');

  const inspect = runTool('skopeo', ['inspect', `oci-archive:${archive}:1`]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.equal(JSON.parse(inspect.stdout).Digest, result.manifestDigest);

  const layout = path.join(tmp, 'oci-copied');
  const copy = runTool('skopeo', ['copy', `oci-archive:${archive}:1`, `oci:${layout}:1`]);
  assert.equal(copy.code, 0, copy.stderr);
  const run = runInImage(layout, '1', ['Alice']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), HELLO_ALICE);
});

test('docker-archive: podman loads it under its tag and runs it', (t) => {
  const archive = path.join(tmp, 'docker.tar');
  const result = buildArchive('docker-archive', archive);
  assert.equal(result.format, 'docker-archive');
  t.after(() => podman(['rmi', '--force', `docker.io/library/${TAG}`]));
  const load = podman(['load', '-i', archive]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, new RegExp(`Loaded image: (docker\\.io/library/)?${TAG}`));
  const run = podman(['run', '--rm', `docker.io/library/${TAG}`, 'Alice']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), HELLO_ALICE);
  // The image ID both engines show is the config's digest.
  const id = podman(['image', 'inspect', '--format', '{{.Id}}', `docker.io/library/${TAG}`]);
  assert.equal(`sha256:${id.stdout.trim()}`, result.configDigest);
});

test('docker-archive: docker load takes it and docker run runs it', async (t) => {
  const archive = path.join(tmp, 'docker-for-docker.tar');
  const result = buildArchive('docker-archive', archive);
  const dir = path.join(tmp, 'dockerd');
  fs.mkdirSync(dir);
  const docker = await startDockerd(dir);
  if (docker.error) {
    t.skip(`dockerd does not start on this machine: ${docker.error}`);
    return;
  }
  t.after(docker.stop);
  const load = runTool('docker', ['load', '-i', archive], { env: docker.env });
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, new RegExp(`Loaded image: ${TAG}`));
  const run = runTool('docker', ['run', '--rm', '--network', 'host', TAG, 'Alice'], {
    env: docker.env,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), HELLO_ALICE);
  const id = runTool('docker', ['image', 'inspect', '--format', '{{.Id}}', TAG], {
    env: docker.env,
  });
  assert.equal(id.stdout.trim(), result.configDigest);
});

test('the same input makes the same archive bytes, in either format', async () => {
  for (const format of ['oci-archive', 'docker-archive']) {
    const one = path.join(tmp, 'same', `${format}-1.tar`);
    const two = path.join(tmp, 'same', `${format}-2.tar`);
    const first = buildArchive(format, one);
    const second = buildArchive(format, two);
    assert.equal(first.manifestDigest, second.manifestDigest);
    assert.deepEqual(await fileDigest(one), await fileDigest(two), `${format}: archives differ`);
  }
});

test('a build that fails after writing its archive leaves nothing, not even the directories it made', async () => {
  const api = createRequire(import.meta.url)('../../npm/index.js');
  const parent = path.join(tmp, 'failed');
  fs.mkdirSync(parent);
  const archive = path.join(parent, 'new', 'deeper', 'hello.tar');
  const written = [];
  // The push comes after the archive is written and before it is put in
  // place; nothing listens on port 1, so it fails.
  await assert.rejects(
    api.build({
      context: ctx,
      baseImage: baseRef(),
      format: 'docker-archive',
      output: archive,
      push: true,
      tags: ['127.0.0.1:1/formats/hello:1'],
      insecureRegistries: ['127.0.0.1:1'],
      onProgress: (e) => {
        if (e.type === 'blob' && e.label === 'archive') written.push(e.bytes);
      },
    }),
    /127\.0\.0\.1:1/,
  );
  assert.ok(written.length > 0, 'the archive was being written when the push failed');
  assert.deepEqual(listTree(parent), []);
});

test('an output that cannot be written is refused before the build, and nothing is written', (t) => {
  const locked = path.join(tmp, 'immutable');
  fs.mkdirSync(locked);
  // Root writes through permission bits; an immutable directory stops even root.
  assert.equal(runTool('chattr', ['+i', locked]).code, 0);
  t.after(() => runTool('chattr', ['-i', locked]));
  for (const [format, output] of [
    ['oci-archive', path.join(locked, 'hello.tar')],
    ['docker-archive', path.join(locked, 'sub', 'hello.tar')],
    ['oci', path.join(locked, 'layout')],
  ]) {
    const r = runCli([
      'build',
      '--context',
      ctx,
      '--base-image',
      baseRef(),
      '--format',
      format,
      '--output',
      output,
    ]);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, new RegExp(`${output.replaceAll('/', '\\/')} cannot be written`));
    assert.match(r.stderr, /takes no new files/);
    assert.deepEqual(fs.readdirSync(locked), []);
  }
});
