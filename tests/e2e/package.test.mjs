// The package as users get it: `npm pack` in npm/, the tarball installed
// into an empty directory with `npm install --omit=dev`, and then, with
// nothing of this repository reachable (cwd there, no NODE_PATH, a PATH with
// node and npm but no cargo), `npx pycontainer build` on an example, checked
// with skopeo and umoci and run with runc, and the API from CommonJS, ESM and
// pycontainer/bundle building the same image. A file the package needs at
// run time but leaves out of `files` (the wasm core, the web glue, a lib
// module) fails it. The optional dependencies (the CPython bytecode
// compilers) are installed, as a user's `npm install` does; the npm cache
// that `npm ci` in this repository filled makes that quick.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  baseRef,
  ensureWasm,
  HELLO_ALICE,
  makeTempDir,
  ROOT,
  readImage,
  removeDir,
  requireRoot,
  requireTools,
  runInImage,
  runTool,
} from './helpers.mjs';

// Files the package cannot work without, by what needs them.
const REQUIRED_FILES = [
  'bin/pycontainer.js',
  'index.js',
  'index.mjs',
  'index.d.ts',
  'core.d.ts',
  'bundle.mjs',
  'bundle.d.ts',
  'web.mjs',
  'web.d.ts',
  'lib/api.js',
  'lib/web-core.mjs',
  'wasm/pycontainer.js',
  'wasm/pycontainer_bg.wasm',
  'wasm-web/pycontainer.mjs',
  'lib/vscode-host.js',
  'lib/vscode-host.d.ts',
];

/** node and npm on PATH, and the tools a user's shell has, but no Rust. */
const USER_PATH = [...new Set([path.dirname(process.execPath), '/usr/bin', '/bin'])].join(':');

/** The environment of a user's shell: no NODE_PATH, no npm_* of a running npm, no repo paths. */
function userEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_PATH' || k === 'SOURCE_DATE_EPOCH' || k.startsWith('npm_')) continue;
    if (k.startsWith('PYCONTAINER_')) continue;
    env[k] = v;
  }
  env.PATH = USER_PATH;
  return env;
}

/** Runs `cmd` in `cwd` as a user would; throws with its output on failure. */
function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: userEnv(),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    input: '',
  });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Bytes of every file under `dir`. */
function treeBytes(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

// The consumers: each plans, builds into its own layout and prints the results.
const CJS_CONSUMER = `
const pycontainer = require('pycontainer');
const options = { context: 'hello-cli', baseImage: process.argv[2], output: 'out-cjs', tags: ['hello:1'] };
(async () => {
  const plan = await pycontainer.plan(options);
  const result = await pycontainer.build(options);
  console.log(JSON.stringify({ plan, result, version: pycontainer.version() }));
})();
`;

const ESM_CONSUMER = `
import pycontainer, { build, plan } from 'pycontainer';
const options = { context: 'hello-cli', baseImage: process.argv[2], output: 'out-esm', tags: ['hello:1'] };
const planned = await plan(options);
const result = await build(options);
console.log(JSON.stringify({ plan: planned, result, version: pycontainer.version() }));
`;

const BUNDLE_CONSUMER = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build, initWasm } from 'pycontainer/bundle';
const require = createRequire(import.meta.url);
await initWasm(readFileSync(require.resolve('pycontainer/pycontainer_bg.wasm')));
const options = { context: 'hello-cli', baseImage: process.argv[2], output: 'out-bundle', tags: ['hello:1'] };
console.log(JSON.stringify({ result: await build(options) }));
`;

describe('the npm package installed from its tarball', () => {
  let tmp;
  let packed;
  let user;
  let base;
  let cli;

  before(() => {
    requireTools('npm', 'skopeo', 'umoci', 'runc');
    ensureWasm();
    base = baseRef();
    tmp = makeTempDir('pycontainer-package-');
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], {
      cwd: path.join(ROOT, 'npm'),
      encoding: 'utf8',
      env: userEnv(),
    });
    [packed] = JSON.parse(out);
    user = path.join(tmp, 'user');
    fs.mkdirSync(user);
    fs.writeFileSync(
      path.join(user, 'package.json'),
      JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }),
    );
    fs.cpSync(path.join(ROOT, 'examples/hello-cli'), path.join(user, 'hello-cli'), {
      recursive: true,
    });
    run(
      'npm',
      [
        'install',
        '--omit=dev',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        path.join(tmp, packed.filename),
      ],
      user,
    );
  });

  after(() => {
    removeDir(tmp);
  });

  test('the tarball holds the built wasm and every file the package loads', (t) => {
    const files = packed.files.map((f) => f.path);
    for (const f of REQUIRED_FILES) assert.ok(files.includes(f), `${f} is in the tarball`);
    const wasm = packed.files.find((f) => f.path === 'wasm/pycontainer_bg.wasm');
    const built = fs.statSync(path.join(ROOT, 'npm/wasm/pycontainer_bg.wasm')).size;
    assert.equal(wasm.size, built);
    const installed = treeBytes(path.join(user, 'node_modules/pycontainer'));
    const all = treeBytes(path.join(user, 'node_modules'));
    t.diagnostic(
      `${packed.filename}: ${packed.size} bytes packed, ${installed} installed; with its dependencies ${all} installed`,
    );
  });

  test('nothing of the repository is reachable from the user project', () => {
    const resolved = run(process.execPath, ['-p', "require.resolve('pycontainer')"], user).trim();
    assert.equal(resolved, path.join(user, 'node_modules/pycontainer/index.js'));
    const cargo = spawnSync('sh', ['-c', 'command -v cargo rustc wasm-bindgen'], {
      env: userEnv(),
    });
    assert.notEqual(cargo.status, 0, 'no Rust tool on the user PATH');
  });

  test('npx pycontainer build writes an image that skopeo, umoci and runc take', () => {
    requireRoot();
    const out = run(
      'npx',
      [
        '--no',
        'pycontainer',
        'build',
        '--context',
        'hello-cli',
        '--base-image',
        base,
        '--output',
        'out',
        '--tag',
        'hello:1',
        '--json',
      ],
      user,
    );
    cli = JSON.parse(out);
    const layout = path.join(user, 'out');
    assert.equal(readImage(layout, '1').descriptor.digest, cli.manifestDigest);
    const inspect = runTool('skopeo', ['inspect', `oci:${layout}:1`]);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.equal(JSON.parse(inspect.stdout).Digest, cli.manifestDigest);
    const bundle = path.join(tmp, 'bundle');
    const unpack = runTool('umoci', ['unpack', '--image', `${layout}:1`, bundle]);
    assert.equal(unpack.code, 0, unpack.stderr);
    assert.ok(fs.existsSync(path.join(bundle, 'rootfs/app/src/hello/cli.py')));
    const ran = runInImage(layout, '1', ['Alice']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout.trim(), HELLO_ALICE);
  });

  for (const [name, file, source] of [
    ['CommonJS', 'cjs.cjs', CJS_CONSUMER],
    ['ESM', 'esm.mjs', ESM_CONSUMER],
  ]) {
    test(`the API from ${name}: plan() and build() give the CLI's image`, () => {
      assert.ok(cli, 'the CLI build ran');
      fs.writeFileSync(path.join(user, file), source);
      const { plan, result, version } = JSON.parse(run(process.execPath, [file, base], user));
      assert.match(version, /^\d+\.\d+\.\d+/);
      assert.deepEqual(plan, result.plan);
      assert.equal(result.manifestDigest, cli.manifestDigest);
    });
  }

  test('pycontainer/bundle with the wasm given as bytes gives the same image', () => {
    assert.ok(cli, 'the CLI build ran');
    fs.writeFileSync(path.join(user, 'bundle.mjs'), BUNDLE_CONSUMER);
    const { result } = JSON.parse(run(process.execPath, ['bundle.mjs', base], user));
    assert.equal(result.manifestDigest, cli.manifestDigest);
    assert.equal(
      readImage(path.join(user, 'out-bundle'), '1').descriptor.digest,
      result.manifestDigest,
    );
  });
});
