// The plan is the build: what `--dry-run` shows is the config and the layers
// the build then writes, and what the plan can check it checks before any
// base layer is pulled.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startFaultProxy } from '../infra/fault-proxy.mjs';
import { startRegistry } from '../infra/registry.mjs';
import { seedBase } from '../infra/seed.mjs';
import {
  BASE_TAG,
  baseRef,
  build,
  describeRun,
  ensureWasm,
  makeTempDir,
  ROOT,
  readImage,
  readLayerTar,
  removeDir,
  runCliAsync,
} from './helpers.mjs';

const CACHE = path.join(
  process.env.PYCONTAINER_TEST_CACHE ??
    path.join(process.env.HOME ?? '/tmp', '.cache', 'pycontainer-test'),
  'deps-cache',
);
const UV_APP = path.join(ROOT, 'tests', 'fixtures', 'deps', 'fastapi-app');

let tmp;

before(() => {
  tmp = makeTempDir('pycontainer-e2e-plan-');
});

after(() => removeDir(tmp));

/** A copy of `from` (only the named entries) to build from. */
function copy(name, from, entries) {
  const dir = path.join(tmp, name);
  for (const e of entries) fs.cpSync(path.join(from, e), path.join(dir, e), { recursive: true });
  return dir;
}

describe('--dry-run shows what the build writes', () => {
  const cases = [
    [
      'hello-cli',
      () => copy('hello', path.join(ROOT, 'examples', 'hello-cli'), ['pyproject.toml', 'src']),
    ],
    [
      'fastapi-app, with dependencies from its pylock.toml',
      () =>
        copy('fastapi', path.join(ROOT, 'examples', 'fastapi-app'), [
          'pyproject.toml',
          'pylock.toml',
          'src',
        ]),
    ],
  ];
  for (const [name, project] of cases) {
    test(name, () => {
      const dir = project();
      const out = `${dir}-out`;
      const args = [
        '--context',
        dir,
        '--base-image',
        baseRef(),
        '--output',
        out,
        '--tag',
        'plan:1',
        '--cache-dir',
        CACHE,
      ];
      const planned = build([...args, '--dry-run']);
      assert.equal(fs.existsSync(out), false, 'the dry run wrote nothing');
      const built = build(args);
      const { manifest, config } = readImage(out, '1');

      // The config, key for key: env (the base's and the venv's), entry
      // point, user, ports, labels, workdir.
      assert.deepEqual(planned.plan.config, config.config);
      assert.deepEqual(planned.plan, built.plan, 'the build followed the plan');

      // The layers the plan lists are the layers the build added, in order.
      const added = manifest.layers.slice(-planned.plan.layers.length);
      assert.equal(manifest.layers.length - added.length, 1, 'one base layer below the added ones');
      const app = planned.plan.layers.at(-1);
      assert.equal(app.name, 'app');
      assert.equal(readLayerTar(out, added.at(-1).digest).entries.length, app.entries);
      const deps = planned.plan.layers.find((l) => l.name === 'dependencies');
      if (deps) {
        assert.equal(deps.packages, planned.plan.dependencies.packages.length);
        assert.ok(deps.packages > 0);
      }
    });
  }
});

describe('checks that come before any base layer is pulled', () => {
  let reg;
  let proxy;
  let via;

  before(async () => {
    ensureWasm();
    reg = await startRegistry({ mode: 'plain' });
    proxy = await startFaultProxy(reg.url);
    via = { ...reg, host: proxy.host, url: proxy.url };
    await seedBase(via);
  });

  after(async () => {
    await proxy?.close();
    await reg?.stop();
  });

  const failing = async (name, args, code = 1) => {
    const dir = copy(name, UV_APP, ['pyproject.toml', 'deps_demo', 'uv.lock']);
    const cache = path.join(tmp, `${name}-cache`);
    proxy.reset();
    const r = await runCliAsync([
      'build',
      '--context',
      dir,
      '--base-image',
      `${proxy.host}/library/python:${BASE_TAG}`,
      '--output',
      `${dir}-out`,
      '--cache-dir',
      cache,
      ...args,
    ]);
    assert.equal(r.code, code, describeRun(r));
    assert.equal(proxy.count('blob-get') <= 1, true, 'at most the config was read');
    const blobs = path.join(cache, 'oci', 'blobs', 'sha256');
    assert.deepEqual(fs.existsSync(blobs) ? fs.readdirSync(blobs) : [], [], 'nothing pulled');
    assert.equal(fs.existsSync(`${dir}-out`), false, 'nothing written');
    return r;
  };

  test('an extra the lock does not define', async () => {
    const r = await failing('extra', ['--extra', 'nosuch']);
    assert.match(r.stderr, /uv\.lock: extra "nosuch" is not defined; it has: /);
  });

  test('a group the project does not define', async () => {
    const r = await failing('group', ['--group', 'nosuch']);
    assert.match(r.stderr, /dependency group "nosuch" is not defined/);
  });

  test('an extra that is no valid name, named by the setting it came from', async () => {
    // Malformed, so a usage error (exit 2).
    const r = await failing('badname', ['--extra', 'not a name!'], 2);
    assert.match(r.stderr, /^pycontainer: error: --extra: /m);
  });
});
