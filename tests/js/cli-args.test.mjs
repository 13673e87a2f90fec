// Tests the CLI (npm/bin/pycontainer.js) by spawning it. The wasm core is
// replaced by a stub injected with `node --require`, so these tests run before
// scripts/build-wasm.sh and check only the JS side: argument parsing, path
// resolution, output formats, exit codes and error reporting.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'npm', 'bin', 'pycontainer.js');
const pkg = require('../../npm/package.json');
const api = require('../../npm/index.js');

const DIGEST = `sha256:${'ab'.repeat(32)}`;

// Stands in for npm/wasm/pycontainer.js. STUB_WASM selects the behaviour;
// STUB_RECORD names a file that receives the options the core was called with.
const STUB = `
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const entry = path.join('wasm', 'pycontainer.js');
const mode = process.env.STUB_WASM;
const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (!request.endsWith(path.sep + entry)) return originalLoad.call(this, request, parent, isMain);
  if (mode === 'forbid') throw new Error('STUB: the wasm core must not be loaded for this command');
  if (mode === 'missing') {
    const err = new Error("Cannot find module '" + request + "'");
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  const record = (name, options, host) => {
    const methods = Object.keys(host).filter((k) => typeof host[k] === 'function').sort();
    const contextInfo = options.context ? host.stat(options.context) : null;
    fs.writeFileSync(process.env.STUB_RECORD, JSON.stringify({ name, options, methods, contextInfo }));
  };
  return {
    version: () => '0.1.0-stub',
    async build(options, host) {
      record('build', options, host);
      host.progress({ type: 'layer', digest: 'sha256:00', size: 3 });
      if (mode === 'coded-error') {
        const err = new Error('no pyproject.toml in ' + options.context);
        err.code = 'NO_PYPROJECT';
        err.hint = 'point --context at the project directory';
        throw err;
      }
      if (mode === 'plain-error') throw new Error('STUB unexpected failure');
      return {
        manifestDigest: '${DIGEST}',
        configDigest: 'sha256:' + 'cd'.repeat(32),
        output: options.output,
        // As the real core: layout tags alone, and the full names beside them.
        tags: (options.tags.length > 0 ? options.tags : ['demo:0.1.0']).map((t) => t.split(':').pop()),
        names: (options.tags.length > 0 ? options.tags : ['demo:0.1.0']).map((t) => 'docker.io/library/' + t),
        platform: options.platform ?? 'linux/amd64',
        entrypoint: ['/usr/bin/python3', '-m', 'demo'],
        layers: [{ digest: 'sha256:' + 'ef'.repeat(32), diffId: 'sha256:' + '12'.repeat(32), size: 1234, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
        size: 2345,
      };
    },
    async validate(options, host) {
      record('validate', options, host);
      const ok = mode !== 'invalid';
      return { manifestDigest: '${DIGEST}', tag: options.tag ?? null, ok, problems: ok ? [] : ['blob sha256:ef has the wrong size', 'config is missing'], layers: 1 };
    },
  };
};
`;

let tmp;
let stubPath;
let recordPath;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-cli-'));
  stubPath = path.join(tmp, 'stub-wasm.cjs');
  recordPath = path.join(tmp, 'record.json');
  fs.writeFileSync(stubPath, STUB);
  fs.mkdirSync(path.join(tmp, 'project'));
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the CLI with the stub core in `mode`, from `cwd` (default: the temp dir). */
function run(args, { mode = 'ok', cwd = tmp, env = {} } = {}) {
  fs.rmSync(recordPath, { force: true });
  const result = spawnSync(process.execPath, ['--require', stubPath, bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      PYCONTAINER_DEBUG: '',
      STUB_WASM: mode,
      STUB_RECORD: recordPath,
      ...env,
    },
  });
  const recorded = fs.existsSync(recordPath)
    ? JSON.parse(fs.readFileSync(recordPath, 'utf8'))
    : null;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, recorded };
}

const hasStack = (s) => /\n\s+at .+:\d+:\d+/.test(s);

describe('help and version need no wasm', () => {
  test('--help', () => {
    const r = run(['--help'], { mode: 'forbid' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pycontainer build/);
    assert.match(r.stdout, /pycontainer validate LAYOUT\[:TAG\]/);
    assert.equal(r.stderr, '');
  });

  test('--version prints the package version', () => {
    const r = run(['--version'], { mode: 'forbid' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `pycontainer ${pkg.version}\n`);
  });

  test('build --help explains every flag and the defaults', () => {
    const r = run(['build', '--help'], { mode: 'forbid' });
    assert.equal(r.code, 0, r.stderr);
    for (const flag of [
      '--context',
      '--tag',
      '--output',
      '--base-image',
      '--platform',
      '--workdir',
      '--json',
      '--quiet',
      '--help',
    ]) {
      assert.ok(r.stdout.includes(flag), `build --help mentions ${flag}`);
    }
    assert.match(r.stdout, /\[default: pycontainer-out\]/);
    assert.match(r.stdout, /\[default: \. /);
  });

  test('-h and help build are the same as build --help', () => {
    const reference = run(['build', '--help'], { mode: 'forbid' }).stdout;
    assert.equal(run(['build', '-h'], { mode: 'forbid' }).stdout, reference);
    assert.equal(run(['help', 'build'], { mode: 'forbid' }).stdout, reference);
  });

  test('validate --help', () => {
    const r = run(['validate', '--help'], { mode: 'forbid' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: pycontainer validate LAYOUT\[:TAG\]/);
    assert.match(r.stdout, /--json/);
  });
});

describe('usage errors exit 2 without touching the core', () => {
  const cases = [
    [['build', '--bogus'], /Unknown option '--bogus'/, 'build'],
    [['build', '--tag'], /--tag/, 'build'],
    [['build', 'extra-positional'], /Unexpected argument 'extra-positional'/, 'build'],
    [['build', '--json=yes'], /--json/, 'build'],
    [['build', '--context', ''], /'--context' needs a non-empty value/, 'build'],
    [['validate'], /missing the LAYOUT\[:TAG\] argument/, 'validate'],
    [['validate', 'a', 'b'], /expected one LAYOUT\[:TAG\] argument, got 2/, 'validate'],
    [['validate', 'out', '--quiet'], /Unknown option '--quiet'/, 'validate'],
    [['frobnicate'], /unknown command 'frobnicate'/, null],
    [['--bogus'], /unknown option '--bogus'/, null],
  ];
  for (const [args, message, helpCommand] of cases) {
    test(args.join(' '), () => {
      const r = run(args, { mode: 'forbid' });
      assert.equal(r.code, 2, `stderr: ${r.stderr}`);
      assert.match(r.stderr, /^pycontainer: error: /);
      assert.match(r.stderr, message);
      const help = helpCommand ? `pycontainer ${helpCommand} --help` : 'pycontainer --help';
      assert.ok(r.stderr.includes(`see '${help}'`), r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(hasStack(r.stderr), false);
    });
  }

  test('no command prints the usage on stderr', () => {
    const r = run([], { mode: 'forbid' });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Usage:/);
  });
});

describe('build', () => {
  test('relative paths are made absolute against the cwd', () => {
    const r = run([
      'build',
      '--context',
      'project',
      '--output',
      'out/img',
      '--tag',
      'demo:1',
      '-t',
      'demo:latest',
      '--base-image',
      'oci:base/layout:3.11-slim',
      '--platform',
      'linux/arm64/v8',
      '--workdir',
      '/srv',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.recorded.options, {
      context: path.join(tmp, 'project'),
      output: path.join(tmp, 'out', 'img'),
      tags: ['demo:1', 'demo:latest'],
      baseImage: `oci:${path.join(tmp, 'base', 'layout')}:3.11-slim`,
      platform: 'linux/arm64/v8',
      workdir: '/srv',
    });
  });

  test('defaults: context is the cwd, output pycontainer-out, no tags, optional fields left out', () => {
    const r = run(['build', '--json'], { cwd: path.join(tmp, 'project') });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.recorded.options, {
      context: path.join(tmp, 'project'),
      output: path.join(tmp, 'project', 'pycontainer-out'),
      tags: [],
    });
  });

  test('the core gets a working Node host', () => {
    const r = run(['build', '--context', 'project', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.recorded.methods, [
      'close',
      'create',
      'env',
      'listDir',
      'progress',
      'read',
      'remove',
      'removeDir',
      'rename',
      'sha256',
      'stat',
      'write',
    ]);
    assert.equal(r.recorded.contextInfo.kind, 'dir');
  });

  test('--json prints only the result as JSON on stdout', () => {
    const r = run(['build', '--context', 'project', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.manifestDigest, DIGEST);
    assert.equal(result.output, path.join(tmp, 'pycontainer-out'));
    assert.deepEqual(result.tags, ['0.1.0']);
    assert.equal(result.layers.length, 1);
  });

  test('summary shows digest, layout, tags and how to run it', () => {
    const r = run(['build', '--context', 'project', '--tag', 'demo:1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`built ${DIGEST}`));
    assert.match(r.stdout, /layout: +pycontainer-out\n/);
    assert.match(r.stdout, /tags: +1\n/);
    assert.ok(r.stdout.includes('podman run --rm oci:pycontainer-out:1\n'), r.stdout);
    assert.ok(
      r.stdout.includes('skopeo copy oci:pycontainer-out:1 docker-daemon:demo:1\n'),
      r.stdout,
    );
    // stderr is a pipe here, not a terminal: no progress.
    assert.equal(r.stderr, '');
  });

  test('paths that need it are shell-quoted in the hints', () => {
    const r = run(['build', '--context', 'project', '--output', 'my out', '--tag', 'demo:1']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes("podman run --rm 'oci:my out:1'\n"), r.stdout);
  });

  test('--quiet prints only the manifest digest', () => {
    const r = run(['build', '--context', 'project', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${DIGEST}\n`);
    assert.equal(r.stderr, '');
  });

  test('a core error with a code: message and hint, exit 1, no stack', () => {
    const r = run(['build', '--context', 'project'], { mode: 'coded-error' });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `pycontainer: error: no pyproject.toml in ${path.join(tmp, 'project')}\n` +
        'hint: point --context at the project directory\n',
    );
    assert.equal(r.stdout, '');
  });

  test('a coded error with --json still leaves stdout empty', () => {
    const r = run(['build', '--context', 'project', '--json'], { mode: 'coded-error' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
  });

  test('an unexpected error hides the stack unless PYCONTAINER_DEBUG=1', () => {
    const quiet = run(['build', '--context', 'project'], { mode: 'plain-error' });
    assert.equal(quiet.code, 1);
    assert.match(quiet.stderr, /^pycontainer: error: STUB unexpected failure\n/);
    assert.match(quiet.stderr, /PYCONTAINER_DEBUG=1/);
    assert.equal(hasStack(quiet.stderr), false);

    const debug = run(['build', '--context', 'project'], {
      mode: 'plain-error',
      env: { PYCONTAINER_DEBUG: '1' },
    });
    assert.equal(debug.code, 1);
    assert.equal(hasStack(debug.stderr), true, debug.stderr);
  });

  test('a missing wasm build says to run scripts/build-wasm.sh', () => {
    const r = run(['build', '--context', 'project'], { mode: 'missing' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^pycontainer: error: .*run scripts\/build-wasm\.sh/);
    assert.equal(hasStack(r.stderr), false);
  });
});

describe('validate', () => {
  test('LAYOUT:TAG is split and the layout made absolute', () => {
    const r = run(['validate', 'out/img:1.0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.recorded.options, { layout: path.join(tmp, 'out', 'img'), tag: '1.0' });
    assert.equal(JSON.parse(r.stdout).ok, true);
  });

  test('a valid layout exits 0 with a short report', () => {
    const r = run(['validate', 'out']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.recorded.options, { layout: path.join(tmp, 'out') });
    assert.match(r.stdout, /^valid: out\n/);
    assert.ok(r.stdout.includes(DIGEST));
  });

  test('an invalid layout exits 1 and lists the problems', () => {
    const r = run(['validate', 'out:v1'], { mode: 'invalid' });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^INVALID: out:v1\n/);
    assert.match(r.stdout, /- blob sha256:ef has the wrong size\n/);
    assert.match(r.stdout, /- config is missing\n/);
  });

  test('--json of an invalid layout still exits 1', () => {
    const r = run(['validate', 'out', '--json'], { mode: 'invalid' });
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).problems.length, 2);
  });
});

describe('reference splitting', () => {
  const cases = [
    ['out', { path: 'out', tag: undefined }],
    ['out:latest', { path: 'out', tag: 'latest' }],
    ['./a/b:3.11-slim', { path: './a/b', tag: '3.11-slim' }],
    ['/abs/dir:v1', { path: '/abs/dir', tag: 'v1' }],
    ['./odd:name/inside', { path: './odd:name/inside', tag: undefined }],
    ['a:b:c', { path: 'a:b', tag: 'c' }],
    ['out:', { path: 'out', tag: undefined }],
  ];
  for (const [ref, expected] of cases) {
    test(ref, () => assert.deepEqual(api.splitLayoutRef(ref), expected));
  }

  test('base images: scratch passes through, oci: paths become absolute', () => {
    const { resolveBaseImage } = api._internal;
    assert.equal(resolveBaseImage('scratch', '/w'), 'scratch');
    assert.equal(resolveBaseImage('oci:base', '/w'), 'oci:/w/base');
    assert.equal(resolveBaseImage('oci:../base:3.11-slim', '/w/x'), 'oci:/w/base:3.11-slim');
    assert.equal(resolveBaseImage('oci:/abs/base:tag', '/w'), 'oci:/abs/base:tag');
  });
});
