// Bytecode for the dependencies: compiled by CPython 3.11 in WebAssembly
// (the optional pyodide-cp311 package), with no Python on the build
// machine, for the base's exact CPython, deterministically; and read by the
// image's interpreter at start-up. Built from examples/fastapi-app's lock.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  baseRef,
  build,
  copyExample,
  describeRun,
  makeTempDir,
  ROOT,
  readImage,
  readLayerTar,
  removeDir,
  requireRoot,
  requireTools,
  runInImage,
} from './helpers.mjs';

const SITE = 'app/.venv/lib/python3.11/site-packages';

let tmp;
let ctx;

before(() => {
  requireTools('umoci', 'runc');
  tmp = makeTempDir('pycontainer-e2e-bytecode-');
  ctx = copyExample(tmp, 'fastapi-app', path.join(ROOT, 'examples', 'fastapi-app'));
});

after(() => removeDir(tmp));

/** Builds the example into OUT with a cache of its own; returns the deps layer's entries. */
function buildInto(name, args = []) {
  const out = path.join(tmp, `${name}-out`);
  const result = build([
    '--context',
    ctx,
    '--base-image',
    baseRef(),
    '--output',
    out,
    '--cache-dir',
    path.join(tmp, `${name}-cache`),
    ...args,
  ]);
  const layers = readImage(out, 'latest').manifest.layers;
  const deps = layers.at(-2);
  return { out, result, deps, entries: readLayerTar(out, deps.digest).entries };
}

describe('the dependencies are compiled for the base CPython', { concurrency: 1 }, () => {
  let compiled;

  before(() => {
    compiled = buildInto('compiled');
  });

  test('every module of site-packages has an unchecked-hash .pyc for CPython 3.11', () => {
    assert.match(
      compiled.result.plan.dependencies.bytecode,
      /^compiled for CPython 3\.11 \(magic a70d0d0a/,
    );
    assert.deepEqual(compiled.result.plan.warnings, []);
    const byPath = new Map(compiled.entries.map((e) => [e.path, e]));
    const modules = compiled.entries.filter(
      (e) => e.path.startsWith(`${SITE}/`) && e.path.endsWith('.py'),
    );
    assert.ok(modules.length > 300, `${modules.length} modules`);
    const missing = modules
      .map((m) => m.path.replace(/([^/]+)\.py$/, '__pycache__/$1.cpython-311.pyc'))
      .filter((p) => !byPath.has(p));
    assert.deepEqual(missing, []);
    const pyc = byPath.get(`${SITE}/fastapi/__pycache__/__init__.cpython-311.pyc`);
    // Magic, then flags 0b01: hash-based and not checked against the source.
    assert.equal(pyc.data.subarray(0, 8).toString('hex'), 'a70d0d0a01000000');
    assert.equal(pyc.mode & 0o777, 0o644);
  });

  test("the image's interpreter loads them", () => {
    const r = runInImage(
      compiled.out,
      'latest',
      ['/app/.venv/bin/python', '-v', '-c', 'import fastapi'],
      { replace: true },
    );
    assert.equal(r.code, 0, describeRun(r));
    const log = `${r.stdout}${r.stderr}`;
    assert.match(
      log,
      new RegExp(`code object from '/${SITE}/fastapi/__pycache__/__init__\\.cpython-311\\.pyc'`),
    );
    assert.doesNotMatch(log, /could not create .*\.pyc/, 'nothing is left to compile at start-up');
  });

  test('the same wheels give the same layer from another cache, and --no-compile another', () => {
    requireRoot();
    const again = buildInto('again');
    assert.equal(again.deps.digest, compiled.deps.digest);
    const plain = buildInto('plain', ['--no-compile']);
    assert.notEqual(plain.deps.digest, compiled.deps.digest);
    assert.match(plain.result.plan.dependencies.bytecode, /^off/);
    assert.equal(
      plain.entries.some((e) => e.path.endsWith('.pyc')),
      false,
    );
  });
});
