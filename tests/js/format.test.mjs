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
});

describe('formatPlan', () => {
  const result = {
    output: '/w/out',
    plan: {
      base: { image: 'scratch', rule: 'given by --base-image' },
      python: null,
      platform: 'linux/amd64',
      workdir: '/app',
      user: '65532:65532',
      entrypoint: { command: ['python3', '/app/my script.py'], rule: 'R', detail: '' },
      cmd: ['--port', '80'],
      env: { A: '1', SPACED: ' x', NL: 'a\nb' },
      labels: {},
      annotations: { note: 'hi' },
      ports: [80, 443],
      tags: ['docker.io/library/a:1'],
      files: { count: 2, bytes: 1500 },
      excluded: [{ path: '.git', reason: 'default exclude' }],
      layers: [
        { name: 'deps', entries: 10, bytes: 2_000_000 },
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
        '  python:         (none)',
        "  entry point:    python3 '/app/my script.py'",
        '                  rule: R',
        '  cmd:            --port 80',
        '  workdir:        /app',
        '  user:           65532:65532',
        '  ports:          80, 443',
        '  env:            A=1',
        '                  SPACED=" x"',
        '                  NL="a\\nb"',
        '  labels:         (none)',
        '  annotations:    note=hi',
        '  files:          2 included (1.5 kB), 1 excluded (--verbose lists them)',
        '  layers:         deps: 10 entries, 2.0 MB',
        '                  app: 2 entries, 1.5 kB',
        '  settings from:  [tool.pycontainer] in pyproject.toml (pyproject.toml)',
      ].join('\n'),
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
    const text = formatPlan(
      { output: '/w/out', base: 'scratch', entrypoint: ['x'] },
      { cwd: '/w' },
    );
    assert.match(text, /base: +scratch\n/);
    assert.match(text, /entry point: +x\n/);
    assert.match(text, /files: +\? included \(0 B\), 0 excluded\n/);
  });
});

describe('small helpers', () => {
  test('formatBytes', () => {
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1000), '1.0 kB');
    assert.equal(formatBytes(12_345_678n), '12.3 MB');
    assert.equal(formatBytes(undefined), 'undefined');
  });

  test('shellWord', () => {
    assert.equal(shellWord('oci:out:1'), 'oci:out:1');
    assert.equal(shellWord("it's"), `'it'\\''s'`);
  });
});
