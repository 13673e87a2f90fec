// Tests how the JS API (npm/index.js) turns build() options into the core's
// option object: only what the caller set, paths made absolute, repeatables
// as string lists, wrong JS types refused with invalid-option. What a value
// means is the core's to judge (tests/e2e/cli-config.test.mjs, Rust tests).
// No wasm is loaded.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';

const require = createRequire(import.meta.url);
const api = require('../../npm/index.js');

const { coreBuildOptions, coreDeployOptions } = api._internal;
const core = (options) => coreBuildOptions(options, '/w');

describe('coreBuildOptions', () => {
  test('nothing set: only context and cwd', () => {
    assert.deepEqual(core({}), { context: '/w', cwd: '/w' });
    assert.deepEqual(core(), { context: '/w', cwd: '/w' });
  });

  test('every option, with paths resolved against the cwd', () => {
    assert.deepEqual(
      core({
        context: 'app',
        output: 'out',
        format: 'docker-archive',
        config: 'conf/pycontainer.toml',
        tags: ['a:1', 'a:2'],
        baseImage: 'oci:../base:3.12',
        python: '3.12',
        platform: 'linux/arm64',
        workdir: '/srv',
        env: ['A=1'],
        envFile: '.env',
        labels: ['k=v'],
        annotations: ['n=1'],
        ports: ['80', '53/udp'],
        user: 'root',
        entrypoint: 'python3 -m app',
        cmd: '["--serve"]',
        script: 'app',
        include: ['keep/**'],
        exclude: ['*.log'],
        includeDeps: true,
        requirements: 'requirements/prod.txt',
        extras: ['standard', 'redis'],
        groups: 'prod',
        indexUrl: 'https://ci:tok@pkgs.example.com/simple',
        extraIndexUrls: 'https://pypi.org/simple',
        pre: true,
        locked: true,
        dryRun: true,
      }),
      {
        context: '/w/app',
        cwd: '/w',
        output: '/w/out',
        format: 'docker-archive',
        config: '/w/conf/pycontainer.toml',
        tags: ['a:1', 'a:2'],
        baseImage: 'oci:/base:3.12',
        python: '3.12',
        platform: 'linux/arm64',
        workdir: '/srv',
        env: ['A=1'],
        envFile: '/w/.env',
        labels: ['k=v'],
        annotations: ['n=1'],
        ports: ['80', '53/udp'],
        user: 'root',
        entrypoint: 'python3 -m app',
        cmd: '["--serve"]',
        script: 'app',
        include: ['keep/**'],
        exclude: ['*.log'],
        includeDeps: true,
        requirements: '/w/requirements/prod.txt',
        extras: ['standard', 'redis'],
        groups: ['prod'],
        indexUrl: 'https://ci:tok@pkgs.example.com/simple',
        extraIndexUrls: ['https://pypi.org/simple'],
        pre: true,
        locked: true,
        dryRun: true,
      },
    );
  });

  test('repeatables take a single string; ports take numbers', () => {
    const out = core({ tags: 'a:1', env: 'A=1', ports: [8000, '9000/tcp'], exclude: 'x' });
    assert.deepEqual(out.tags, ['a:1']);
    assert.deepEqual(out.env, ['A=1']);
    assert.deepEqual(out.ports, ['8000', '9000/tcp']);
    assert.deepEqual(out.exclude, ['x']);
  });

  test('empty lists, undefined and null say nothing', () => {
    assert.deepEqual(core({ tags: [], env: null, labels: undefined, output: undefined }), {
      context: '/w',
      cwd: '/w',
    });
  });

  test('an entrypoint or cmd array is passed as a JSON array string', () => {
    const out = core({ entrypoint: ['python3', '-m', 'my app'], cmd: [] });
    assert.equal(out.entrypoint, '["python3","-m","my app"]');
    assert.equal(out.cmd, '[]');
  });

  test('dryRun: false and includeDeps: false are passed as given', () => {
    assert.equal(core({ dryRun: false }).dryRun, false);
    // `--no-deps`: false says something, unlike leaving the option out.
    assert.equal(core({ includeDeps: false }).includeDeps, false);
  });

  test('requirements is taken from the cwd, not the context', () => {
    assert.equal(core({ context: 'app', requirements: 'req.txt' }).requirements, '/w/req.txt');
    assert.equal(core({ requirements: '/abs/uv.lock' }).requirements, '/abs/uv.lock');
  });

  test('values are passed for the core to judge, counts as numbers or flag text', () => {
    const out = core({
      env: ['FOO'],
      ports: ['70000'],
      indexUrl: 'pypi.org/simple',
      registryMirrors: 'docker.io',
      parallel: '0',
      chunkSize: '8M',
    });
    assert.deepEqual(out.env, ['FOO']);
    assert.deepEqual(out.ports, ['70000']);
    assert.equal(out.indexUrl, 'pypi.org/simple');
    assert.deepEqual(out.registryMirrors, ['docker.io']);
    assert.equal(out.parallel, '0');
    assert.equal(out.chunkSize, '8M');
    assert.equal(core({ parallel: 4 }).parallel, 4);
  });

  const bad = [
    [{ annotations: [1] }, /^annotations must be a non-empty string/],
    [{ parallel: true }, /^parallel must be a number$/],
    [{ chunkSize: '' }, /^chunkSize must be a number$/],
    [{ parallel: Number.NaN }, /^parallel must be a number$/],
    [{ tags: [''] }, /^tags must be a non-empty string/],
    [{ output: '' }, /^output must be a non-empty string$/],
    [{ user: 0 }, /^user must be a non-empty string$/],
    [{ entrypoint: ['a', 1] }, /^entrypoint must be a string or an array of strings$/],
    [{ cmd: '' }, /^cmd must be a non-empty string$/],
    [{ dryRun: 'yes' }, /^dryRun must be a boolean$/],
    [{ includeDeps: 'no' }, /^includeDeps must be a boolean$/],
    [{ pre: 1 }, /^pre must be a boolean$/],
    [{ locked: 'true' }, /^locked must be a boolean$/],
    [{ requirements: '' }, /^requirements must be a non-empty string$/],
    [{ requirements: ['a.txt'] }, /^requirements must be a non-empty string$/],
    [{ extras: [1] }, /^extras must be a non-empty string or an array of them$/],
    [{ groups: [''] }, /^groups must be a non-empty string or an array of them$/],
    [{ indexUrl: 42 }, /^indexUrl must be a non-empty string$/],
    [{ extraIndexUrls: { url: 'x' } }, /^extraIndexUrls must be a non-empty string or an array/],
  ];
  for (const [options, message] of bad) {
    test(`rejects ${JSON.stringify(options)}`, () => {
      assert.throws(
        () => core(options),
        (err) => {
          assert.equal(err.code, 'invalid-option');
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});

describe('coreDeployOptions', () => {
  test("a build's options, and `runtime` passed on for the core to judge", () => {
    assert.deepEqual(
      coreDeployOptions(
        { context: 'app', tags: 'r/a:1', runtime: { replicas: '3', public: true } },
        '/w',
      ),
      { context: '/w/app', cwd: '/w', tags: ['r/a:1'], runtime: { replicas: '3', public: true } },
    );
    assert.deepEqual(coreDeployOptions({ runtime: null }, '/w'), { context: '/w', cwd: '/w' });
  });

  test('a runtime that is not an object is refused', () => {
    for (const runtime of [3, 'replicas=3', [1]]) {
      assert.throws(
        () => coreDeployOptions({ runtime }, '/w'),
        (err) => err.code === 'invalid-option' && /runtime must be an object/.test(err.message),
      );
    }
  });
});
