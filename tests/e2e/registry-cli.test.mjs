// The CLI's handling of registry transport settings: TLS with an untrusted
// certificate (refused, with a hint; accepted with --insecure-registry) and
// the per-blob progress bars on a terminal (a real pty from `script`).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startRegistry } from '../infra/registry.mjs';
import { seedBase } from '../infra/seed.mjs';
import {
  CLI,
  copyExample,
  EXAMPLE,
  ensureWasm,
  HELLO_ALICE,
  makeTempDir,
  removeDir,
  runCliAsync,
  runInImage,
} from './helpers.mjs';

const execFileAsync = promisify(execFile);

describe('registry transport from the CLI', () => {
  let reg;
  let tmp;
  let project;

  before(async () => {
    ensureWasm();
    reg = await startRegistry({ mode: 'tls' });
    tmp = makeTempDir('pycontainer-regcli-');
    project = copyExample(tmp);
  });

  after(async () => {
    await reg?.stop();
    if (tmp) removeDir(tmp);
  });

  const push = (tag, extra = [], env = {}) =>
    runCliAsync(
      [
        'build',
        '--context',
        project,
        '--base-image',
        'scratch',
        '--push',
        '-t',
        `${reg.host}/${tag}`,
        '--cache-dir',
        path.join(tmp, 'cache'),
        ...extra,
      ],
      { env: { DOCKER_CONFIG: path.join(tmp, 'no-docker'), ...env } },
    );

  test('an untrusted certificate is refused, and the message says what to do', async () => {
    // The system bundle only: the test CA is not trusted.
    const r = await push('tls/app:1', [], { NODE_EXTRA_CA_CERTS: undefined });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot reach ${reg.host.replace(/\./g, '\\.')}`));
    assert.match(r.stderr, /certificate/i);
    assert.match(r.stderr, /NODE_EXTRA_CA_CERTS.*--insecure-registry/);
  });

  test('the CA in NODE_EXTRA_CA_CERTS is trusted', async () => {
    const r = await push('tls/app:2', ['--json'], { NODE_EXTRA_CA_CERTS: reg.caBundle });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.pushed.length, 1);
  });

  test('--insecure-registry skips verification for that registry only', async () => {
    const r = await push('tls/app:3', ['--insecure-registry', reg.host, '--json'], {
      NODE_EXTRA_CA_CERTS: undefined,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.pushStats.uploaded + r.json.pushStats.existing, 2);
  });

  test('a terminal gets one progress bar per blob', async () => {
    // `script` runs the CLI on a pty, so stderr is a TTY as for a person.
    const cmd = [
      process.execPath,
      CLI,
      'build',
      '--context',
      project,
      '--base-image',
      'scratch',
      '--push',
      '-t',
      `${reg.host}/tls/app:tty`,
      '--cache-dir',
      path.join(tmp, 'cache-tty'),
    ]
      .map((w) => `'${w}'`)
      .join(' ');
    const { stdout } = await execFileAsync('script', ['-qfec', cmd, '/dev/null'], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: reg.caBundle },
      encoding: 'utf8',
    });
    assert.match(stdout, /push…/);
    assert.match(stdout, /(pushing|exists ) [0-9a-f]{12} \[#{24}\]/);
    assert.match(stdout, /pushed\S* \S*tls\/app:tty@sha256:[0-9a-f]{64}/);
    assert.ok(
      fs.existsSync(path.join(tmp, 'cache-tty', 'oci')),
      'the app layer staged in the cache',
    );
  });
});

describe('the inferred base through a registry mirror', () => {
  let reg;
  let tmp;

  before(async () => {
    ensureWasm();
    reg = await startRegistry({ mode: 'plain' });
    tmp = makeTempDir('pycontainer-mirror-');
    // What Docker Hub would serve as python:3.14-slim (the newest Python
    // hello-cli allows); the Debian base stands in for it.
    await seedBase(reg, { repo: 'library/python', tag: '3.14-slim' });
  });

  after(async () => {
    await reg?.stop();
    if (tmp) removeDir(tmp);
  });

  test('a build with no --base-image pulls python:3.14-slim from the mirror and runs', async () => {
    const project = copyExample(tmp);
    const out = path.join(tmp, 'out');
    const r = await runCliAsync(
      [
        'build',
        '--context',
        project,
        '-o',
        out,
        '-t',
        'hello:1',
        '--cache-dir',
        path.join(tmp, 'c'),
      ],
      { env: { PYCONTAINER_REGISTRY_MIRRORS: `docker.io=${reg.host}` } },
    );
    assert.equal(r.code, 0, r.stderr);
    const index = JSON.parse(fs.readFileSync(path.join(out, 'index.json'), 'utf8'));
    const manifest = JSON.parse(
      fs.readFileSync(
        path.join(out, 'blobs', 'sha256', index.manifests[0].digest.slice(7)),
        'utf8',
      ),
    );
    // The image names Docker Hub's python as its base, wherever it came from.
    assert.equal(
      manifest.annotations['org.opencontainers.image.base.name'],
      'docker.io/library/python:3.14-slim',
    );
    const run = runInImage(out, '1', ['Alice']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), HELLO_ALICE);
  });

  test('a malformed mirror is named', async () => {
    const r = await runCliAsync(
      ['build', '--context', EXAMPLE, '--dry-run', '--registry-mirror', 'docker.io'],
      {},
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--registry-mirror "docker.io": needs REGISTRY=MIRROR/);
    assert.match(r.stderr, /see 'pycontainer build --help'/);
    const env = await runCliAsync(['build', '--context', EXAMPLE, '--dry-run'], {
      env: { PYCONTAINER_REGISTRY_MIRRORS: 'docker.io' },
    });
    assert.equal(env.code, 1, 'the environment is not the command line');
    assert.match(env.stderr, /PYCONTAINER_REGISTRY_MIRRORS: "docker.io" needs REGISTRY=MIRROR/);
  });

  test('push refuses a malformed --parallel or --chunk-size before reading anything', async () => {
    for (const [flag, value, message] of [
      ['--parallel', '0', 'needs a whole number from 1 to 64'],
      ['--chunk-size', '8X', 'needs a size such as 8M'],
    ]) {
      const r = await runCliAsync(['push', 'no-such-layout', '127.0.0.1:1/app:1', flag, value], {});
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(`${flag} "${value}": ${message}`), r.stderr);
      assert.match(r.stderr, /see 'pycontainer push --help'/);
    }
  });
});
