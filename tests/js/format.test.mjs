// Tests the text helpers of the CLI (npm/lib/format.js) directly: when colour
// is used, and how a plan is laid out, also when the core leaves fields out.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';

const require = createRequire(import.meta.url);
const {
  colorEnabled,
  paint,
  formatPlan,
  formatBytes,
  shellWord,
  transferLine,
  warningLine,
} = require('../../npm/lib/format.js');

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colour', () => {
  test('only on a terminal, and only without --no-color, NO_COLOR or TERM=dumb', () => {
    assert.equal(colorEnabled(tty, { env: {} }), true);
    assert.equal(colorEnabled(tty, { env: { NO_COLOR: '' } }), true);
    assert.equal(colorEnabled(pipe, { env: {} }), false);
    assert.equal(colorEnabled(undefined, { env: {} }), false);
    assert.equal(colorEnabled(tty, { env: {}, noColor: true }), false);
    assert.equal(colorEnabled(tty, { env: { NO_COLOR: '1' } }), false);
    assert.equal(colorEnabled(tty, { env: { NO_COLOR: '0' } }), false);
    assert.equal(colorEnabled(tty, { env: { TERM: 'dumb' } }), false);
  });

  test('paint wraps in SGR codes only when enabled', () => {
    assert.equal(paint('built', 'green', true), '\u001b[32mbuilt\u001b[39m');
    assert.equal(paint('error', 'red', true), '\u001b[31merror\u001b[39m');
    assert.equal(paint('built', 'green', false), 'built');
  });

  test('a warning is labelled, in yellow when colour is on', () => {
    assert.equal(warningLine('lock not written', false), 'warning: lock not written');
    assert.equal(
      warningLine('lock not written', true),
      '\u001b[33mwarning:\u001b[39m lock not written',
    );
  });
});

describe('formatPlan', () => {
  test("the python row: the base's full version, the minor chosen, or unknown, always with its rule", () => {
    const rows = (python) =>
      formatPlan({ plan: { python } })
        .split('\n')
        .filter((l) => /^ {2}python:|^\s+rule: P/.test(l));
    assert.deepEqual(rows({ major: 3, minor: 11, version: '3.11.2', rule: 'P base' }), [
      '  python:         3.11.2',
      '                  rule: P base',
    ]);
    assert.deepEqual(rows({ major: 3, minor: 12, rule: 'P chosen' }), [
      '  python:         3.12',
      '                  rule: P chosen',
    ]);
    assert.deepEqual(rows({ rule: 'P not read' }), [
      '  python:         (unknown)',
      '                  rule: P not read',
    ]);
  });

  const result = {
    output: '/w/out',
    plan: {
      base: { image: 'scratch', rule: 'given by --base-image' },
      python: {
        major: 3,
        minor: 12,
        patch: 0,
        baseImage: 'python:3.12-slim',
        rule: 'requires-python ">=3.11" → Python 3.12',
      },
      platform: 'linux/amd64',
      workdir: '/app',
      user: '65532:65532',
      entrypoint: { command: ['python3', '/app/my script.py'], rule: 'R', detail: '' },
      scripts: [
        { name: 'one', target: 'm:a', path: '/app/.venv/bin/one' },
        { name: 'two', target: 'm:b', path: '/app/.venv/bin/two' },
      ],
      cmd: ['--port', '80'],
      env: { A: '1', SPACED: ' x', NL: 'a\nb' },
      labels: {},
      annotations: { note: 'hi' },
      ports: ['80/tcp', '443/tcp'],
      tags: ['docker.io/library/a:1'],
      files: { count: 2, bytes: 1500 },
      excluded: [{ path: '.git', reason: 'default exclude' }],
      layers: [
        { name: 'dependencies', packages: 10 },
        { name: 'app', entries: 2, bytes: 1500 },
      ],
      sources: [{ kind: 'pyproject', file: '/w/pyproject.toml' }],
    },
  };

  test('lays out every part of the plan', () => {
    const text = formatPlan(result, { cwd: '/w' });
    assert.equal(
      text,
      [
        'plan:',
        '  output:         out',
        '  tags:           docker.io/library/a:1',
        '  platform:       linux/amd64',
        '  base:           scratch',
        '                  rule: given by --base-image',
        '  python:         3.12',
        '                  rule: requires-python ">=3.11" → Python 3.12',
        "  entry point:    python3 '/app/my script.py'",
        '                  rule: R',
        '  scripts:        one, two (in /app/.venv/bin)',
        '  cmd:            --port 80',
        '  workdir:        /app',
        '  user:           65532:65532',
        '  ports:          80/tcp, 443/tcp',
        '  env:            A=1',
        '                  SPACED=" x"',
        '                  NL="a\\nb"',
        '  labels:         (none)',
        '  annotations:    note=hi',
        '  files:          2 included (1.5 kB), 1 excluded (--verbose lists them)',
        '  dependencies:   (none)',
        '  layers:         dependencies: 10 packages',
        '                  app: 2 entries, 1.5 kB',
        '  settings from:  [tool.pycontainer] in pyproject.toml (pyproject.toml)',
      ].join('\n'),
    );
  });

  test('names the dependency input, its rule and format', () => {
    const withDeps = (dependencies) => ({ ...result, plan: { ...result.plan, dependencies } });
    const found = formatPlan(
      withDeps({ format: 'uv-lock', path: '/w/uv.lock', rule: 'uv.lock found in the context' }),
      { cwd: '/w' },
    );
    assert.match(found, /\n {2}dependencies: {3}uv\.lock found in the context \(uv-lock\)\n/);
    const project = formatPlan(
      withDeps({
        format: 'project',
        rule: 'the dependencies listed in pyproject.toml, resolved',
      }),
      { cwd: '/w' },
    );
    assert.match(
      project,
      /\n {2}dependencies: {3}the dependencies listed in pyproject\.toml, resolved \(project\)\n/,
    );
  });

  test('verbose lists the excluded paths', () => {
    const text = formatPlan(result, { cwd: '/w', verbose: true });
    assert.match(
      text,
      /files: +2 included \(1\.5 kB\), 1 excluded\n +- \.git {2}\(default exclude\)\n/,
    );
  });

  test('a result without a plan still formats', () => {
    const text = formatPlan({ output: '/w/out' }, { cwd: '/w' });
    assert.match(text, /output: +out\n/);
    assert.match(text, /base: +\(unknown\)\n/);
    assert.match(text, /entry point: +\(none\)\n/);
    assert.doesNotMatch(text, /scripts:/);
    const none = formatPlan({ plan: { scripts: [] } });
    assert.match(none, /scripts: +\(none\)\n/);
    assert.match(text, /files: +\? included \(0 B\), 0 excluded\n/);
  });
});

describe('transferLine', () => {
  test('a registry blob is named by 12 hex digits of its digest', () => {
    assert.equal(
      transferLine({
        digest: `sha256:${'0123456789ab'.repeat(5)}cdef`,
        action: 'push',
        bytes: 12_000_000,
        total: 48_000_000,
      }),
      'pushing 0123456789ab [######------------------] 12.0 MB / 48.0 MB',
    );
  });

  const wheel = (digest, bytes, total) => ({ digest, action: 'download', bytes, total });
  const numpy = 'numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl';

  test('a wheel download shows the file name, padded so bars line up', () => {
    assert.equal(
      transferLine(wheel('idna-3.10-py3-none-any.whl', 70_442, 70_442), 120),
      `fetching ${'idna-3.10-py3-none-any.whl'.padEnd(40)} [${'#'.repeat(24)}] 70.4 kB / 70.4 kB`,
    );
  });

  test('a long file name is cut to 40 characters with an ellipsis', () => {
    assert.equal(
      transferLine(wheel(numpy, 0, 16_000_000), 120),
      `fetching numpy-2.1.3-cp312-cp312-manylinux_2_17_… [${'-'.repeat(24)}] 0 B / 16.0 MB`,
    );
  });

  test('on a narrow terminal the name gives way, so the line does not wrap', () => {
    const line = transferLine(wheel(numpy, 999_900_000, 999_900_000), 78);
    assert.equal(line.length, 78);
    assert.ok(line.startsWith('fetching numpy-2.1.3-cp312-cp3… ['), line);
    // Below the minimum the name keeps 12 characters, as many as a digest.
    assert.ok(transferLine(wheel(numpy, 0, 1), 0).startsWith('fetching numpy-2.1.3… ['));
  });
});

describe('small helpers', () => {
  test('formatBytes', () => {
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1000), '1.0 kB');
    assert.equal(formatBytes(12_345_678), '12.3 MB');
    assert.equal(formatBytes(undefined), 'undefined');
  });

  test('shellWord', () => {
    assert.equal(shellWord('oci:out:1'), 'oci:out:1');
    assert.equal(shellWord("it's"), `'it'\\''s'`);
  });
});
