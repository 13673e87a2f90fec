// Same input, same image: digests depend on the project's content only, not
// on when or where it was built, nor on file timestamps.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  baseRef,
  build,
  copyExample,
  listTree,
  makeTempDir,
  readIndex,
  readLayerTar,
  removeDir,
} from './helpers.mjs';

let tmp;
let count = 0;

before(() => {
  tmp = makeTempDir('pycontainer-e2e-repro-');
});

after(() => {
  removeDir(tmp);
});

/** Builds `ctx` on the Debian base into a fresh output dir. */
function buildFresh(ctx, extraArgs = [], opts = {}) {
  count += 1;
  const out = path.join(tmp, `out-${count}`);
  const result = build(
    [
      '--context',
      ctx,
      '--base-image',
      baseRef(),
      '--output',
      out,
      '--tag',
      'hello:1',
      ...extraArgs,
    ],
    opts,
  );
  return { out, result };
}

/** Blob file names of a layout, sorted. */
function blobs(out) {
  return fs.readdirSync(path.join(out, 'blobs', 'sha256')).sort();
}

/** Sets atime and mtime of every path under `dir` (and `dir` itself). */
function touchAll(dir, when) {
  for (const rel of listTree(dir)) {
    const p = path.join(dir, rel);
    if (!fs.lstatSync(p).isSymbolicLink()) fs.utimesSync(p, when, when);
  }
  fs.utimesSync(dir, when, when);
}

describe('reproducible builds', () => {
  let ctx;
  let first;

  before(() => {
    ctx = copyExample(path.join(tmp, 'a'));
    first = buildFresh(ctx);
  });

  test('two builds of the same tree give the same manifest digest', () => {
    const second = buildFresh(ctx);
    assert.equal(second.result.manifestDigest, first.result.manifestDigest);
    assert.equal(second.result.configDigest, first.result.configDigest);
    assert.deepEqual(blobs(second.out), blobs(first.out));
    assert.deepEqual(
      fs.readFileSync(path.join(second.out, 'index.json')),
      fs.readFileSync(path.join(first.out, 'index.json')),
    );
  });

  test('file mtimes do not matter', () => {
    const copy = copyExample(path.join(tmp, 'mtimes'));
    touchAll(copy, new Date('2001-09-09T01:46:40Z'));
    const a = buildFresh(copy);
    touchAll(copy, new Date('2031-01-02T03:04:05Z'));
    const b = buildFresh(copy);
    assert.equal(a.result.manifestDigest, first.result.manifestDigest);
    assert.equal(b.result.manifestDigest, first.result.manifestDigest);
  });

  test('SOURCE_DATE_EPOCH defaults to 0 and changes only dates', () => {
    const zero = buildFresh(ctx, [], { env: { SOURCE_DATE_EPOCH: '0' } });
    assert.equal(zero.result.manifestDigest, first.result.manifestDigest);
    const dated = buildFresh(ctx, [], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
    assert.notEqual(dated.result.manifestDigest, first.result.manifestDigest);
    assert.deepEqual(
      dated.result.layers.slice(0, -1).map((l) => l.digest),
      first.result.layers.slice(0, -1).map((l) => l.digest),
      'base layers are copied, not re-dated',
    );
    const tar = readLayerTar(dated.out, dated.result.layers.at(-1).digest);
    assert.ok(tar.entries.every((e) => e.mtime === 1700000000));
  });

  test('one changed byte changes the app layer, the config and the manifest only', () => {
    const copy = copyExample(path.join(tmp, 'changed'));
    const file = path.join(copy, 'src', 'hello', 'cli.py');
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.includes('"world"'));
    fs.writeFileSync(file, text.replace('"world"', '"World"'));
    assert.equal(fs.statSync(file).size, Buffer.byteLength(text));
    const changed = buildFresh(copy);

    const before = first.result.layers;
    const after = changed.result.layers;
    assert.equal(after.length, before.length);
    assert.deepEqual(
      after.slice(0, -1).map((l) => [l.digest, l.diffId, l.size]),
      before.slice(0, -1).map((l) => [l.digest, l.diffId, l.size]),
      'base layers unchanged',
    );
    assert.notEqual(after.at(-1).digest, before.at(-1).digest, 'app layer digest');
    assert.notEqual(after.at(-1).diffId, before.at(-1).diffId, 'app layer diff_id');
    assert.notEqual(changed.result.configDigest, first.result.configDigest);
    assert.notEqual(changed.result.manifestDigest, first.result.manifestDigest);
  });

  test('the build directory path does not leak into the image', () => {
    const x = copyExample(path.join(tmp, 'x'));
    const y = copyExample(path.join(tmp, 'some', 'much', 'deeper', 'place'));
    const rx = buildFresh(x);
    const ry = buildFresh(y);
    assert.equal(rx.result.manifestDigest, ry.result.manifestDigest);
    assert.equal(rx.result.manifestDigest, first.result.manifestDigest);
  });

  test('relative paths from another working directory give the same image', () => {
    count += 1;
    const out = `rel-out-${count}`;
    const r = build(
      ['--context', 'a/hello-cli', '--base-image', baseRef(), '--output', out, '--tag', 'hello:1'],
      { cwd: tmp },
    );
    assert.equal(r.manifestDigest, first.result.manifestDigest);
    assert.equal(r.output, path.join(tmp, out));
    assert.equal(readIndex(path.join(tmp, out)).manifests.length, 1);
  });

  test('the tag does not change the image', () => {
    const other = buildFresh(ctx, ['--tag', 'other:2']);
    assert.equal(other.result.manifestDigest, first.result.manifestDigest);
  });
});
