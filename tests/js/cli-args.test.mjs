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
const WHEEL = 'certifi-2024.8.30-py3-none-any.whl';
const LOCK_WARNING =
  'could not write /w/pylock.toml (read-only file system); the next build resolves again';

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
      // As the core installing dependencies: a wheel download, then a lock it could not write.
      if (mode === 'deps') {
        host.progress({ type: 'transfer', digest: '${WHEEL}', action: 'download', bytes: 163012, total: 163012 });
        host.progress({ type: 'warning', message: '${LOCK_WARNING}' });
      }
      if (mode === 'coded-error') {
        const err = new Error('no pyproject.toml in ' + options.context);
        err.code = 'NO_PYPROJECT';
        throw err;
      }
      if (mode === 'plain-error') throw new Error('STUB unexpected failure');
      if (mode === 'flag-error') {
        // As the core refusing a flag's value: it names the flag.
        const err = new Error('--port "70000": port 70000 is out of range (1-65535)');
        err.code = 'invalid-option';
        err.option = '--port';
        throw err;
      }
      const given = options.tags ?? ['demo:0.1.0'];
      const pairs = (list) =>
        Object.fromEntries((list ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const entrypoint = ['/usr/bin/python3', '/usr/local/bin/demo'];
      const plan = {
        base: options.baseImage
          ? { image: options.baseImage, rule: 'STUB-RULE-BASE given by --base-image' }
          : { image: 'oci:/stub/base:3.12-slim', rule: 'STUB-RULE-BASE default for Python 3.12' },
        python: {
          major: 3,
          minor: Number((options.python ?? '3.12').split('.')[1]),
          patch: 0,
          baseImage: 'python:' + (options.python ?? '3.12') + '-slim',
          rule: 'STUB-RULE-PYTHON requires-python',
        },
        platform: options.platform ?? 'linux/amd64',
        workdir: options.workdir ?? '/app',
        user: options.user ?? '65532:65532',
        entrypoint: { command: entrypoint, rule: 'STUB-RULE-ENTRY the only script', detail: 'demo = "demo.cli:main"' },
        cmd: options.cmd ? ['--serve'] : null,
        env: pairs(options.env),
        labels: pairs(options.labels),
        annotations: pairs(options.annotations),
        ports: (options.ports ?? []).map((p) => (p.includes('/') ? p : p + '/tcp')),
        tags: given.map((t) => 'docker.io/library/' + t),
        files: { count: 3, bytes: 4567 },
        excluded: [
          { path: '.git', reason: 'STUB-REASON default exclude' },
          { path: 'build/x.o', reason: 'STUB-REASON .dockerignore line 2' },
        ],
        layers: [{ name: 'app', entries: 5, bytes: 4567 }],
        sources: [{ kind: 'flag' }, { kind: 'pycontainer.toml', file: path.join(options.context, 'pycontainer.toml') }],
      };
      if (mode === 'deps') {
        plan.dependencies = {
          format: 'uv-lock',
          path: path.join(options.context, 'uv.lock'),
          rule: 'uv.lock found in the context',
          target: 'CPython 3.12 on linux x86_64 (glibc 2.36)',
          venv: '/app/.venv',
          packages: [
            { name: 'certifi', version: '2024.8.30', wheel: '${WHEEL}' },
            { name: 'idna', version: '3.10', wheel: 'idna-3.10-py3-none-any.whl' },
          ],
        };
      }
      const dryRun = options.dryRun === true;
      return {
        dryRun,
        ...(dryRun ? {} : { manifestDigest: '${DIGEST}', configDigest: 'sha256:' + 'cd'.repeat(32) }),
        output: options.output ?? path.join(options.cwd, 'pycontainer-out'),
        // As the real core: layout tags alone, and the full names beside them.
        tags: given.map((t) => t.split(':').pop()),
        layers: dryRun ? [] : [{ digest: 'sha256:' + 'ef'.repeat(32), diffId: 'sha256:' + '12'.repeat(32), size: 1234, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
        size: dryRun ? 0 : 2345,
        plan,
      };
    },
    async push(options, host) {
      record('push', options, host);
      const registry = options.references[0].split('/')[0];
      // As the real core: explicit credentials apply to the registries pushed to.
      const creds = await host.credentials(registry, true);
      const other = await host.credentials('other.example:5000', false);
      fs.writeFileSync(process.env.STUB_RECORD + '.creds', JSON.stringify({
        user: creds?.username ?? null,
        // Whether the password arrived, never the password itself.
        passwordLength: creds?.password?.length ?? 0,
        other: other === null ? null : 'found',
      }));
      if (mode === 'flag-error') {
        const err = new Error('--parallel "0": needs a whole number from 1 to 64');
        err.code = 'invalid-option';
        err.option = '--parallel';
        throw err;
      }
      if (mode === 'auth-error') {
        const err = new Error('authentication failed for ' + registry + ': the registry refused the credentials');
        err.code = 'registry-auth';
        throw err;
      }
      return {
        manifestDigest: '${DIGEST}',
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        pushed: options.references.map((r) => ({ reference: r + '@${DIGEST}', digest: '${DIGEST}' })),
        pushStats: { uploaded: 2, mounted: 1, existing: 3, bytesUploaded: 2048 },
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
  // Real path: the CLI hands the core real paths, and the assertions compare them.
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-cli-')));
  stubPath = path.join(tmp, 'stub-wasm.cjs');
  recordPath = path.join(tmp, 'record.json');
  fs.writeFileSync(stubPath, STUB);
  fs.mkdirSync(path.join(tmp, 'project'));
  // Node 20 itself reads any `--env-file FILE` in argv, even after the script,
  // and exits 9 before the CLI runs when FILE is missing: give it real files.
  fs.mkdirSync(path.join(tmp, 'conf'));
  fs.writeFileSync(path.join(tmp, 'conf', 'app.env'), 'GREETING=hello\n');
  fs.mkdirSync(path.join(tmp, 'real-dir'));
  fs.writeFileSync(path.join(tmp, 'real-dir', '.env'), 'GREETING=hello\n');
  fs.symlinkSync(path.join(tmp, 'real-dir'), path.join(tmp, 'linked'));
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the CLI with the stub core in `mode`, from `cwd` (default: the temp dir). */
function run(args, { mode = 'ok', cwd = tmp, env = {}, input } = {}) {
  fs.rmSync(recordPath, { force: true });
  const result = spawnSync(process.execPath, ['--require', stubPath, bin, ...args], {
    cwd,
    input,
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
      '--context DIR',
      '--config FILE',
      '-t, --tag NAME:TAG',
      '-o, --output PATH',
      '--format FORMAT',
      '--digest-file FILE',
      '--base-image REF',
      '--python X.Y',
      '--platform OS/ARCH[/VARIANT][,...] | all',
      '--workdir PATH',
      '-e, --env KEY=VALUE',
      '--env-file FILE',
      '--label KEY=VALUE',
      '--annotation KEY=VALUE',
      '-p, --port N[/tcp]',
      '-u, --user USER[:GROUP]',
      '--entrypoint CMD',
      '--cmd ARGS',
      '--script NAME',
      '--include PATTERN',
      '--exclude PATTERN',
      '--include-deps',
      '--no-deps',
      '--requirements FILE',
      '--extra NAME',
      '--group NAME',
      '--index-url URL',
      '--extra-index-url URL',
      '--pre',
      '--locked',
      '--dry-run',
      '-v, --verbose',
      '-q, --quiet',
      '--json',
      '--no-color',
      '-h, --help',
    ]) {
      assert.ok(r.stdout.includes(`  ${flag}`), `build --help mentions ${flag}`);
    }
    assert.match(r.stdout, /65532:65532/);
    assert.match(r.stdout, /HOME=\/home\/nonroot/);
    assert.match(r.stdout, /--user root/);
    assert.match(r.stdout, /NO_COLOR/);
    assert.match(r.stdout, /\[default: \/app\]/);
    assert.match(
      r.stdout,
      /\[default: pycontainer-out; none with --push;\s+pycontainer-out\.tar for an archive\]/,
    );
    assert.match(r.stdout, /oci-archive/);
    assert.match(r.stdout, /docker-archive/);
    assert.match(r.stdout, /\[default: \. /);
    assert.match(r.stdout, /\nImage:\n.*\nDependencies:\n.*\nOutput:\n/s);
    assert.match(r.stdout, /PYCONTAINER_INCLUDE_DEPS/);
    assert.match(r.stdout, /\[default: https:\/\/pypi\.org\/simple\]/);
    assert.match(r.stdout, /\/app\/\.venv/);
  });

  test('-h and help build are the same as build --help', () => {
    const reference = run(['build', '--help'], { mode: 'forbid' }).stdout;
    assert.equal(run(['build', '-h'], { mode: 'forbid' }).stdout, reference);
    assert.equal(run(['help', 'build'], { mode: 'forbid' }).stdout, reference);
  });

  test('dockerfile --help, -h and help dockerfile', () => {
    const r = run(['dockerfile', '--help'], { mode: 'forbid' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: pycontainer dockerfile \[options\]/);
    for (const text of [
      '-f, --file FILE',
      '--ignorefile',
      'dockerfile-exists',
      "'pycontainer build --help'",
    ]) {
      assert.ok(r.stdout.includes(text), `dockerfile --help mentions ${text}`);
    }
    assert.equal(run(['dockerfile', '-h'], { mode: 'forbid' }).stdout, r.stdout);
    assert.equal(run(['help', 'dockerfile'], { mode: 'forbid' }).stdout, r.stdout);
    assert.match(run(['--help'], { mode: 'forbid' }).stdout, /pycontainer dockerfile \[options\]/);
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
    [['build', '--user', ''], /'--user' needs a non-empty value/, 'build'],
    [['build', '--tag', 'a:1', '-t', ''], /'--tag' needs a non-empty value/, 'build'],
    [['build', '--dry-run=yes'], /--dry-run/, 'build'],
    [['build', '--entrypoint', '-m'], /--entrypoint/, 'build'],
    [['build', '-q', '-v'], /'--quiet' and '--verbose' cannot be used together/, 'build'],
    [
      ['build', '--no-deps', '--include-deps'],
      /'--include-deps' and '--no-deps' cannot be used together/,
      'build',
    ],
    [['build', '--requirements', ''], /'--requirements' needs a non-empty value/, 'build'],
    [['build', '--extra', 'a', '--extra', ''], /'--extra' needs a non-empty value/, 'build'],
    [['build', '--pre=yes'], /--pre/, 'build'],
    [['dockerfile', '--output', 'out'], /Unknown option '--output'/, 'dockerfile'],
    [['dockerfile', '--push'], /Unknown option '--push'/, 'dockerfile'],
    [['dockerfile', '-f', ''], /'--file' needs a non-empty value/, 'dockerfile'],
    [['dockerfile', 'Dockerfile'], /Unexpected argument 'Dockerfile'/, 'dockerfile'],
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
  test('every flag reaches the core; paths are made absolute against the cwd', () => {
    const r = run([
      'build',
      '--context',
      'project',
      '--config',
      'conf/pycontainer.toml',
      '--output',
      'out/img',
      '--tag',
      'demo:1',
      '-t',
      'demo:latest',
      '--base-image',
      'oci:base/layout:3.11-slim',
      '--python',
      '3.11',
      '--platform',
      'linux/arm64/v8',
      '--workdir',
      '/srv',
      '--env',
      'A=1',
      '-e',
      'EMPTY=',
      '-e',
      'URL=a=b',
      '--env-file',
      'conf/app.env',
      '--label',
      'org.opencontainers.image.source=https://example.com/demo',
      '--label',
      'team=core',
      '--annotation',
      'note=hi there',
      '--port',
      '8000',
      '-p',
      '9000/tcp',
      '-p',
      '53/udp',
      '--user',
      'app:app',
      '--entrypoint',
      '["python3", "-m", "demo"]',
      '--cmd',
      "serve --name 'a b'",
      '--script',
      'demo-admin',
      '--include',
      '.env.example',
      '--include',
      'build/keep/**',
      '--exclude',
      'tests/',
      '--exclude',
      '!tests/fixtures',
      '--dry-run',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.recorded.options, {
      context: path.join(tmp, 'project'),
      cwd: tmp,
      config: path.join(tmp, 'conf', 'pycontainer.toml'),
      output: path.join(tmp, 'out', 'img'),
      tags: ['demo:1', 'demo:latest'],
      baseImage: `oci:${path.join(tmp, 'base', 'layout')}:3.11-slim`,
      python: '3.11',
      platform: 'linux/arm64/v8',
      workdir: '/srv',
      env: ['A=1', 'EMPTY=', 'URL=a=b'],
      envFile: path.join(tmp, 'conf', 'app.env'),
      labels: ['org.opencontainers.image.source=https://example.com/demo', 'team=core'],
      annotations: ['note=hi there'],
      ports: ['8000', '9000/tcp', '53/udp'],
      user: 'app:app',
      entrypoint: '["python3", "-m", "demo"]',
      cmd: "serve --name 'a b'",
      script: 'demo-admin',
      include: ['.env.example', 'build/keep/**'],
      exclude: ['tests/', '!tests/fixtures'],
      dryRun: true,
    });
  });

  test('flags left out are not passed at all: only context and cwd', () => {
    const r = run(['build', '--json'], { cwd: path.join(tmp, 'project') });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.recorded.options, {
      context: path.join(tmp, 'project'),
      cwd: path.join(tmp, 'project'),
    });
    assert.equal('output' in r.recorded.options, false);
    assert.equal('tags' in r.recorded.options, false);
    assert.equal('dryRun' in r.recorded.options, false);
    // The core's own default output, under the cwd it was given.
    assert.equal(JSON.parse(r.stdout).output, path.join(tmp, 'project', 'pycontainer-out'));
  });

  test('the dependency flags reach the core; --requirements is taken from the cwd', () => {
    const r = run([
      'build',
      '--context',
      'project',
      '--include-deps',
      '--requirements',
      'requirements/prod.txt',
      '--extra',
      'standard',
      '--extra',
      'redis',
      '--group',
      'prod',
      '--index-url',
      'https://ci:tok@pkgs.example.com/simple',
      '--extra-index-url',
      'https://a.example/simple',
      '--extra-index-url',
      'http://b.example:8080/simple',
      '--pre',
      '--locked',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.recorded.options, {
      context: path.join(tmp, 'project'),
      cwd: tmp,
      includeDeps: true,
      // From the cwd, not the context, as every path flag.
      requirements: path.join(tmp, 'requirements', 'prod.txt'),
      extras: ['standard', 'redis'],
      groups: ['prod'],
      indexUrl: 'https://ci:tok@pkgs.example.com/simple',
      extraIndexUrls: ['https://a.example/simple', 'http://b.example:8080/simple'],
      pre: true,
      locked: true,
    });
  });

  test('--no-deps passes includeDeps: false, and nothing else', () => {
    const r = run(['build', '--context', 'project', '--no-deps', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.recorded.options, {
      context: path.join(tmp, 'project'),
      cwd: tmp,
      includeDeps: false,
    });
  });

  test('cwd, context and flag paths are real paths (symlinks resolved)', () => {
    const inside = run(['build', '--env-file', '.env', '--json'], {
      cwd: path.join(tmp, 'linked'),
      env: { PWD: path.join(tmp, 'linked') },
    });
    assert.equal(inside.code, 0, inside.stderr);
    assert.deepEqual(inside.recorded.options, {
      context: path.join(tmp, 'real-dir'),
      cwd: path.join(tmp, 'real-dir'),
      envFile: path.join(tmp, 'real-dir', '.env'),
    });
    const above = run([
      'build',
      '--context',
      'linked',
      '--output',
      'linked/not-yet/out',
      '--base-image',
      'oci:linked/base:1',
      '--env-file',
      'linked/.env',
      '--json',
    ]);
    assert.equal(above.code, 0, above.stderr);
    assert.deepEqual(above.recorded.options, {
      context: path.join(tmp, 'real-dir'),
      cwd: tmp,
      // Resolved as far as it exists, the rest kept as written.
      output: path.join(tmp, 'real-dir', 'not-yet', 'out'),
      baseImage: `oci:${path.join(tmp, 'real-dir', 'base')}:1`,
      envFile: path.join(tmp, 'real-dir', '.env'),
    });
  });

  test('--include and --exclude patterns are passed as given, not resolved', () => {
    const r = run(['build', '--include', './keep.txt', '--exclude', '../x', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.recorded.options.include, ['./keep.txt']);
    assert.deepEqual(r.recorded.options.exclude, ['../x']);
  });

  test('an option value that starts with a dash needs the --flag=value form', () => {
    const r = run(['build', '--cmd=--serve', '--entrypoint=-m demo', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.recorded.options.cmd, '--serve');
    assert.equal(r.recorded.options.entrypoint, '-m demo');
  });

  test('the core gets a working Node host', () => {
    const r = run(['build', '--context', 'project', '--json']);
    assert.equal(r.code, 0, r.stderr);
    // deflateChunk and deflateRelease (workers for the other cores) are offered only where there are some.
    const deflate = ['deflateChunk', 'deflateRelease'];
    const methods = r.recorded.methods.filter((m) => !deflate.includes(m));
    for (const m of deflate) {
      assert.equal(r.recorded.methods.includes(m), os.availableParallelism() > 1, m);
    }
    assert.deepEqual(methods, [
      'alive',
      'bytecodeMagic',
      'close',
      'compileBytecode',
      'copyFile',
      'create',
      'createNew',
      'credentials',
      'discardBody',
      'env',
      'fetch',
      'linkFile',
      'listDir',
      'pid',
      'prepareBytecode',
      'progress',
      'read',
      'readBody',
      'remove',
      'removeDir',
      'rename',
      'sha256',
      'sleep',
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

  test('the summary counts the installed dependencies; --verbose lists them', () => {
    const r = run(['build', '--context', 'project', '--tag', 'demo:1'], { mode: 'deps' });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stdout.includes(
        '  layers:   1 (2.3 kB)\n' +
          '  dependencies: 2 packages for CPython 3.12 on linux x86_64 (glibc 2.36) in /app/.venv\n\n',
      ),
      r.stdout,
    );
    assert.equal(r.stdout.includes('certifi=='), false, r.stdout);

    const verbose = run(['build', '--context', 'project', '--tag', 'demo:1', '-v'], {
      mode: 'deps',
    });
    assert.equal(verbose.code, 0, verbose.stderr);
    assert.ok(
      verbose.stdout.includes(
        'in /app/.venv\n' +
          `    certifi==2024.8.30 (${WHEEL})\n` +
          '    idna==3.10 (idna-3.10-py3-none-any.whl)\n',
      ),
      verbose.stdout,
    );
  });

  test('warnings reach stderr when it is not a terminal, and not with --quiet', () => {
    const r = run(['build', '--context', 'project'], { mode: 'deps' });
    assert.equal(r.code, 0, r.stderr);
    // Only the warning: progress (the download) stays off without a terminal.
    assert.equal(r.stderr, `warning: ${LOCK_WARNING}\n`);
    const json = run(['build', '--context', 'project', '--json'], { mode: 'deps' });
    assert.equal(json.stderr, `warning: ${LOCK_WARNING}\n`);
    assert.equal(JSON.parse(json.stdout).plan.dependencies.packages.length, 2);
    const quiet = run(['build', '--context', 'project', '-q'], { mode: 'deps' });
    assert.equal(quiet.stderr, '');
    assert.equal(quiet.stdout, `${DIGEST}\n`);
  });

  test('--quiet prints only the manifest digest', () => {
    const r = run(['build', '--context', 'project', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${DIGEST}\n`);
    assert.equal(r.stderr, '');
  });

  test('a core error with a code: its message, exit 1, no stack', () => {
    const r = run(['build', '--context', 'project'], { mode: 'coded-error' });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `pycontainer: error: no pyproject.toml in ${path.join(tmp, 'project')}\n`,
    );
    assert.equal(r.stdout, '');
  });

  test('a flag the core refuses is a usage error: exit 2, pointing at the help', () => {
    for (const [command, args] of [
      ['build', ['build', '--context', 'project', '--port', '70000']],
      ['push', ['push', 'out', 'reg.example:5000/app:1', '--parallel', '0']],
    ]) {
      const r = run(args, { mode: 'flag-error' });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^pycontainer: error: --(port "70000"|parallel "0"): /);
      assert.ok(r.stderr.includes(`see 'pycontainer ${command} --help'`), r.stderr);
      assert.equal(r.stdout, '');
    }
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

describe('dry run, verbose and quiet', () => {
  test('--dry-run prints the plan with the rules behind it, and writes nothing', () => {
    const r = run([
      'build',
      '--context',
      'project',
      '--dry-run',
      '-e',
      'A=1',
      '--label',
      'team=core',
      '-p',
      '8000',
      '--cmd',
      'serve',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.recorded.options.dryRun, true);
    for (const text of [
      /^plan:\n/,
      /base: +oci:\/stub\/base:3\.12-slim\n +rule: STUB-RULE-BASE default for Python 3\.12\n/,
      /python: +3\.12\n +rule: STUB-RULE-PYTHON requires-python\n/,
      /entry point: +\/usr\/bin\/python3 \/usr\/local\/bin\/demo\n +rule: STUB-RULE-ENTRY the only script \(demo = "demo\.cli:main"\)\n/,
      /cmd: +--serve\n/,
      /workdir: +\/app\n/,
      /user: +65532:65532\n/,
      /ports: +8000\/tcp\n/,
      /env: +A=1\n/,
      /labels: +team=core\n/,
      /files: +3 included \(4\.6 kB\), 2 excluded/,
      /layers: +app: 5 entries, 4\.6 kB\n/,
      /settings from: +flags, pycontainer\.toml \(project\/pycontainer\.toml\)\n/,
      /\ndry run: nothing written\n$/,
    ]) {
      assert.match(r.stdout, text);
    }
    // Without --verbose the excluded paths are counted, not listed.
    assert.equal(r.stdout.includes('STUB-REASON'), false, r.stdout);
    assert.equal(r.stdout.includes('built'), false);
    assert.equal(r.stdout.includes(DIGEST), false);
    assert.equal(r.stderr, '');
  });

  test('--dry-run names the dependency input, or says there is none', () => {
    const deps = run(['build', '--context', 'project', '--dry-run'], { mode: 'deps' });
    assert.equal(deps.code, 0, deps.stderr);
    assert.match(deps.stdout, /\n {2}dependencies: +uv\.lock found in the context \(uv-lock\)\n/);
    const none = run(['build', '--context', 'project', '--dry-run']);
    assert.match(none.stdout, /\n {2}dependencies: +\(none\)\n/);
  });

  test('--dry-run --verbose lists each excluded path with its reason', () => {
    const r = run(['build', '--context', 'project', '--dry-run', '-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /- \.git {2}\(STUB-REASON default exclude\)\n/);
    assert.match(r.stdout, /- build\/x\.o {2}\(STUB-REASON \.dockerignore line 2\)\n/);
    assert.match(r.stdout, /dry run: nothing written\n$/);
    // The plan is on stdout already; not repeated on stderr.
    assert.equal(r.stderr, '');
  });

  test('--dry-run --json prints only parseable JSON', () => {
    const r = run(['build', '--context', 'project', '--dry-run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.dryRun, true);
    assert.equal(result.manifestDigest, undefined);
    assert.equal(result.plan.base.rule, 'STUB-RULE-BASE default for Python 3.12');
    assert.equal(result.plan.excluded.length, 2);
    assert.equal(r.stderr, '');
  });

  test('--dry-run --quiet prints nothing', () => {
    const r = run(['build', '--context', 'project', '--dry-run', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
  });

  test('a build with --verbose puts the plan on stderr, the summary on stdout', () => {
    const r = run(['build', '--context', 'project', '--verbose']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^plan:\n/);
    assert.match(r.stderr, /rule: STUB-RULE-ENTRY the only script/);
    assert.match(r.stderr, /STUB-REASON default exclude/);
    assert.match(r.stdout, new RegExp(`^built ${DIGEST}\n`));
    assert.equal(r.stdout.includes('plan:'), false);
    assert.equal(r.stdout.includes('nothing written'), false);
  });

  test('--json --verbose keeps stdout pure JSON', () => {
    const r = run(['build', '--context', 'project', '--json', '-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).manifestDigest, DIGEST);
    assert.match(r.stderr, /^plan:\n/);
  });
});

/** Runs the CLI under a pseudo-terminal (util-linux `script`); null when that is unavailable. */
function runInTerminal(args, { mode = 'ok', env = {} } = {}) {
  const quote = (w) => `'${w.replaceAll("'", `'\\''`)}'`;
  const commandLine = [process.execPath, '--require', stubPath, bin, ...args].map(quote).join(' ');
  const r = spawnSync('script', ['-qec', commandLine, '/dev/null'], {
    cwd: tmp,
    encoding: 'utf8',
    env: {
      ...process.env,
      SHELL: '/bin/sh',
      NO_COLOR: '',
      TERM: 'xterm',
      PYCONTAINER_DEBUG: '',
      STUB_WASM: mode,
      STUB_RECORD: recordPath,
      ...env,
    },
  });
  if (r.error || r.status === null) return null;
  return { code: r.status, output: r.stdout };
}

const terminalWorks = (() => {
  const probe = spawnSync(
    'script',
    ['-qec', `'${process.execPath}' -p process.stdout.isTTY`, '/dev/null'],
    { encoding: 'utf8', env: { ...process.env, SHELL: '/bin/sh' } },
  );
  return probe.status === 0 && probe.stdout.includes('true');
})();

describe('colour', () => {
  const ESC = '\u001b[';
  const GREEN_BUILT = '\u001b[32mbuilt\u001b[39m';
  const RED_ERROR = '\u001b[31mpycontainer: error:\u001b[39m';

  test('output that is not a terminal never has escape codes', () => {
    for (const args of [
      ['build', '--context', 'project'],
      ['build', '--dry-run', '-v'],
    ]) {
      const r = run(args);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.includes(ESC), false, r.stdout);
    }
    const failed = run(['build', '--context', 'project'], { mode: 'coded-error' });
    assert.equal(failed.stderr.includes(ESC), false, failed.stderr);
    const usage = run(['build', '--env', 'FOO'], { mode: 'forbid' });
    assert.equal(usage.stderr.includes(ESC), false, usage.stderr);
  });

  describe('on a terminal', {
    skip: !terminalWorks && 'no pseudo-terminal (util-linux script)',
  }, () => {
    test('"built" is green and "pycontainer: error:" red', () => {
      const ok = runInTerminal(['build', '--context', 'project']);
      assert.equal(ok.code, 0, ok.output);
      assert.ok(ok.output.includes(GREEN_BUILT), JSON.stringify(ok.output));
      // Progress is shown on a terminal, uncoloured.
      assert.match(ok.output, /pycontainer: building project/);
      const failed = runInTerminal(['build', '--context', 'project'], { mode: 'coded-error' });
      assert.equal(failed.code, 1);
      assert.ok(failed.output.includes(`${RED_ERROR} no pyproject.toml`), failed.output);
      const usage = runInTerminal(['build', '--port', '70000'], { mode: 'flag-error' });
      assert.equal(usage.code, 2);
      assert.ok(usage.output.includes(`${RED_ERROR} --port "70000"`), usage.output);
    });

    test('--no-color turns it off', () => {
      const ok = runInTerminal(['build', '--context', 'project', '--no-color']);
      assert.equal(ok.code, 0, ok.output);
      assert.match(ok.output, /built sha256:/);
      assert.equal(ok.output.includes(ESC), false, JSON.stringify(ok.output));
      const usage = runInTerminal(['build', '--no-color', '--port', '70000'], {
        mode: 'flag-error',
      });
      assert.equal(usage.code, 2);
      assert.equal(usage.output.includes(ESC), false, JSON.stringify(usage.output));
    });

    test('NO_COLOR with any non-empty value turns it off', () => {
      for (const value of ['1', 'false']) {
        const ok = runInTerminal(['build', '--context', 'project'], { env: { NO_COLOR: value } });
        assert.equal(ok.code, 0, ok.output);
        assert.equal(ok.output.includes(ESC), false, JSON.stringify(ok.output));
        const failed = runInTerminal(['build'], { mode: 'coded-error', env: { NO_COLOR: value } });
        assert.equal(failed.output.includes(ESC), false, JSON.stringify(failed.output));
      }
    });

    test('a wheel download shows its file name; a warning is yellow', () => {
      const r = runInTerminal(['build', '--context', 'project'], { mode: 'deps' });
      assert.equal(r.code, 0, r.output);
      // A pseudo-terminal of unknown size counts as 80 wide: the name is cut.
      assert.ok(r.output.includes('fetching certifi-2024.8.30-py3… ['), JSON.stringify(r.output));
      assert.ok(
        r.output.includes(`\u001b[33mwarning:\u001b[39m ${LOCK_WARNING}`),
        JSON.stringify(r.output),
      );
      const plain = runInTerminal(['build', '--context', 'project', '--no-color'], {
        mode: 'deps',
      });
      assert.ok(plain.output.includes(`warning: ${LOCK_WARNING}`), JSON.stringify(plain.output));
      assert.equal(plain.output.includes('\u001b[33m'), false, JSON.stringify(plain.output));
    });

    test('--quiet and --json show no progress even on a terminal', () => {
      const quiet = runInTerminal(['build', '--context', 'project', '-q']);
      assert.equal(quiet.output.replaceAll('\r', ''), `${DIGEST}\n`);
      const json = runInTerminal(['build', '--context', 'project', '--json']);
      assert.equal(JSON.parse(json.output).manifestDigest, DIGEST);
    });
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

describe('push and the registry flags', () => {
  // No docker config and no PYCONTAINER_REGISTRY_* from the machine running the tests.
  const clean = () => ({
    DOCKER_CONFIG: path.join(tmp, 'no-docker-config'),
    PYCONTAINER_REGISTRY_USERNAME: '',
    PYCONTAINER_REGISTRY_PASSWORD: '',
  });
  const creds = () => JSON.parse(fs.readFileSync(`${recordPath}.creds`, 'utf8'));

  test('push LAYOUT:TAG REF...: the layout is resolved, flags are passed as given', () => {
    fs.mkdirSync(path.join(tmp, 'out'), { recursive: true });
    const r = run(
      [
        'push',
        'out:1.0',
        '127.0.0.1:5000/app:1',
        '127.0.0.1:5000/app:latest',
        '--insecure-registry',
        'reg.lan:5000',
        '--parallel',
        '8',
        '--chunk-size',
        '8M',
        '--cache-dir',
        'cache',
        '--json',
      ],
      { env: clean() },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.recorded.name, 'push');
    assert.deepEqual(r.recorded.options, {
      layout: path.join(tmp, 'out'),
      tag: '1.0',
      references: ['127.0.0.1:5000/app:1', '127.0.0.1:5000/app:latest'],
      insecureRegistries: ['reg.lan:5000'],
      parallel: '8',
      chunkSize: '8M',
    });
    const result = JSON.parse(r.stdout);
    assert.equal(result.pushed.length, 2);
    assert.equal(creds().user, null, 'no credentials anywhere: anonymous');
  });

  test('the summary names every pushed reference and what moved', () => {
    const r = run(['push', 'out', 'ghcr.io/org/app:1'], { env: clean() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `pushed ghcr.io/org/app:1@${DIGEST}\n` +
        '  blobs:    2 uploaded (2.0 kB), 1 mounted, 3 already there\n',
    );
    assert.equal(r.recorded.options.tag, undefined);
  });

  test('--password-stdin gives the pushed registry, and only it, the credentials', () => {
    const r = run(
      ['push', 'out', 'reg.example:5000/app:1', '--username', 'ci', '--password-stdin'],
      {
        env: clean(),
        input: 's3cret-value\n',
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(creds(), { user: 'ci', passwordLength: 's3cret-value'.length, other: null });
  });

  test('--password-stdin waits for a writer that is slow to start (`vault read … |`)', () => {
    // A shell pipeline whose writer only writes after the CLI has started and
    // looked at process.stdin: the pipe is non-blocking by then and a
    // synchronous read of it failed with EAGAIN.
    const argv = ['push', 'out', 'reg.example:5000/app:1', '--username', 'ci', '--password-stdin'];
    fs.rmSync(`${recordPath}.creds`, { force: true });
    const r = spawnSync(
      'sh',
      [
        '-c',
        '(sleep 0.5; printf "s3cret-value\\n") | "$@"',
        'sh',
        process.execPath,
        '--require',
        stubPath,
        bin,
        ...argv,
      ],
      {
        cwd: tmp,
        encoding: 'utf8',
        env: {
          ...process.env,
          ...clean(),
          PYCONTAINER_DEBUG: '',
          STUB_WASM: 'ok',
          STUB_RECORD: recordPath,
        },
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(creds(), { user: 'ci', passwordLength: 's3cret-value'.length, other: null });
  });

  test('PYCONTAINER_REGISTRY_USERNAME and _PASSWORD work for CI', () => {
    const r = run(['push', 'out', 'reg.example:5000/app:1'], {
      env: {
        ...clean(),
        PYCONTAINER_REGISTRY_USERNAME: 'bot',
        PYCONTAINER_REGISTRY_PASSWORD: 'tok',
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(creds().user, 'bot');
  });

  test('a failed login never shows the password, even with --verbose', () => {
    const r = run(
      ['build', '--context', 'project', '--push', '-t', 'reg.example:5000/app:1', '-v'],
      { env: clean(), input: 'hunter2-secret\n' },
    );
    assert.equal(r.code, 0, r.stderr);
    const failed = run(
      ['push', 'out', 'reg.example:5000/app:1', '--username', 'ci', '--password-stdin', '--json'],
      { env: clean(), input: 'hunter2-secret\n', mode: 'auth-error' },
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /authentication failed for reg\.example:5000/);
    assert.ok(!`${failed.stdout}${failed.stderr}`.includes('hunter2'));
  });

  test('build --push passes push and the registry options', () => {
    const r = run(
      [
        'build',
        '--context',
        'project',
        '--push',
        '-t',
        'reg.example:5000/app:1',
        '--parallel',
        '2',
      ],
      { env: clean() },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.recorded.options.push, true);
    assert.equal(r.recorded.options.parallel, '2');
    assert.deepEqual(r.recorded.options.tags, ['reg.example:5000/app:1']);
  });

  for (const [args, message] of [
    [['push', 'out'], /needs LAYOUT\[:TAG\] and at least one REF/],
    [['push', 'out', 'r/a:1', '--username', 'ci'], /'--username' needs '--password-stdin'/],
    [['push', 'out', 'r/a:1', '--password-stdin'], /'--password-stdin' needs '--username'/],
  ]) {
    test(`usage error: ${args.join(' ')}`, () => {
      const r = run(args, { mode: 'forbid', env: clean(), input: '' });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.recorded, null, 'the core was not called');
    });
  }

  test('push --help', () => {
    const r = run(['push', '--help'], { mode: 'forbid' });
    assert.equal(r.code, 0);
    for (const flag of ['--username', '--password-stdin', '--insecure-registry', '--chunk-size']) {
      assert.ok(r.stdout.includes(flag), flag);
    }
  });
});
