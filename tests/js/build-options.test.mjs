// Tests how the JS API (npm/index.js) turns build() options into the core's
// option object: only what the caller set, paths made absolute, repeatables
// as string lists, light checks with INVALID_OPTION. No wasm is loaded.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';

const require = createRequire(import.meta.url);
const api = require('../../npm/index.js');
const { keyValueProblem, portProblem, urlProblem } = require('../../npm/lib/options.js');

const { coreBuildOptions } = api._internal;
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

  const bad = [
    [{ env: ['FOO'] }, /^env needs KEY=VALUE, got 'FOO'$/],
    [{ labels: '=x' }, /^labels needs KEY=VALUE with a non-empty KEY/],
    [{ annotations: [1] }, /^annotations must be a non-empty string/],
    [{ ports: ['70000'] }, /^ports needs a port number from 1 to 65535/],
    [{ ports: [0] }, /^ports needs a port number/],
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
    [{ indexUrl: 'pypi.org/simple' }, /^indexUrl needs an http:\/\/ or https:\/\/ URL/],
    [{ extraIndexUrls: { url: 'x' } }, /^extraIndexUrls must be a non-empty string or an array/],
    [{ extraIndexUrls: ['https://a/simple', 'ftp://b/simple'] }, /^extraIndexUrls needs an http/],
  ];
  for (const [options, message] of bad) {
    test(`rejects ${JSON.stringify(options)}`, () => {
      assert.throws(
        () => core(options),
        (err) => {
          assert.equal(err.code, 'INVALID_OPTION');
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});

describe('light checks', () => {
  test('index URLs', () => {
    for (const ok of [
      'https://pypi.org/simple',
      'http://127.0.0.1:8080/simple/',
      'https://ci:s%40cret@pkgs.example.com/simple',
    ]) {
      assert.equal(urlProblem(ok), null, ok);
    }
    for (const no of ['pypi.org/simple', 'file:///srv/wheels', 'https://', '', 7]) {
      assert.match(urlProblem(no), /needs an http:\/\/ or https:\/\/ URL/, String(no));
    }
  });

  test('a rejected index URL is not echoed: it may hold a token', () => {
    assert.equal(urlProblem('ci:s3cret@pkgs.example.com/simple').includes('s3cret'), false);
  });

  test('KEY=VALUE', () => {
    assert.equal(keyValueProblem('A=1'), null);
    assert.equal(keyValueProblem('A='), null);
    assert.equal(keyValueProblem('A=b=c'), null);
    assert.match(keyValueProblem('A'), /KEY=VALUE/);
    assert.match(keyValueProblem('=1'), /non-empty KEY/);
    assert.match(keyValueProblem(''), /KEY=VALUE/);
  });

  test('ports', () => {
    for (const ok of ['1', '80', '65535', '8000/tcp', '53/udp', 443]) {
      assert.equal(portProblem(ok), null, String(ok));
    }
    for (const no of [
      '0',
      '65536',
      '70000',
      'abc',
      '80/sctp',
      '80/TCP',
      ' 80',
      '8080:80',
      '-1',
      '1.5',
      1.5,
      '',
    ]) {
      assert.match(portProblem(no), /port number from 1 to 65535/, String(no));
    }
  });
});
