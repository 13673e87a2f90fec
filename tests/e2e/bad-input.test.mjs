// Bad input that does not fit the one-line table of the catalog
// (catalog.test.mjs and catalog/cases.mjs hold the plain cases): an empty
// --output left empty, a base blob found corrupt late, the valid symlink
// cases next to the refused ones, and the JS API judged by the same core.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  build,
  copyExample,
  describeRun,
  makeTempDir,
  readImage,
  readLayerTar,
  removeDir,
  runCli,
} from './helpers.mjs';

let tmp;
/** A valid layout (scratch build of the example). */
let template;
/** A small valid layout used as a base image (one layer, tag "1"). */
let smallBase;
let caseNo = 0;

before(() => {
  tmp = makeTempDir('pycontainer-e2e-bad-');
  const ex = copyExample(path.join(tmp, 'template-src'));
  template = path.join(tmp, 'template-layout');
  build(['--context', ex, '--base-image', 'scratch', '--output', template, '--tag', 'keep:1']);
  // Its own content, so that no blob of it is already in `template` (a build
  // rightly skips copying a base blob the output already holds).
  const baseSrc = copyExample(path.join(tmp, 'small-base-src'));
  fs.writeFileSync(path.join(baseSrc, 'base-marker.txt'), 'only in the small base\n');
  smallBase = path.join(tmp, 'small-base');
  build([
    '--context',
    baseSrc,
    '--base-image',
    'scratch',
    '--output',
    smallBase,
    '--tag',
    'base:1',
  ]);
});

after(() => {
  removeDir(tmp);
});

function caseDir() {
  caseNo += 1;
  const dir = path.join(tmp, `case-${caseNo}`);
  fs.mkdirSync(dir);
  return dir;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Asserts a clean failure: status, one error line that matches every pattern, no stack. */
function assertRefused(r, { code = 1, patterns }) {
  assert.equal(r.code, code, describeRun(r));
  assert.match(r.stderr, /^pycontainer: error: /, describeRun(r));
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  assert.doesNotMatch(r.stderr, /panicked|RuntimeError|unreachable/i, 'no wasm panic');
  for (const p of patterns) {
    const re = typeof p === 'string' ? new RegExp(escapeRe(p)) : p;
    assert.match(r.stderr, re, describeRun(r));
  }
  assert.equal(r.stdout, '', 'nothing on stdout');
}

describe('an empty --output', () => {
  test('an empty existing dir stays empty when the build fails', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    fs.symlinkSync('/etc/passwd', path.join(ctx, 'pw'));
    const out = path.join(dir, 'empty');
    fs.mkdirSync(out);
    const r = runCli(['build', '--context', ctx, '--base-image', 'scratch', '--output', out]);
    assertRefused(r, { patterns: [path.join(ctx, 'pw')] });
    assert.deepEqual(fs.readdirSync(out), []);
  });
});

describe('late failures', () => {
  // Regression (fixed): a corrupt base blob is only noticed while it is copied, and the
  // failed build leaves the blobs/sha256/ directories it created behind.
  test('an empty existing --output stays empty when a base blob turns out corrupt', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    const base = path.join(dir, 'base');
    fs.cpSync(smallBase, base, { recursive: true });
    const layer = readImage(base, '1').manifest.layers[0].digest;
    const file = path.join(base, 'blobs', 'sha256', layer.split(':')[1]);
    fs.truncateSync(file, 100);
    const out = path.join(dir, 'empty');
    fs.mkdirSync(out);
    const r = runCli(['build', '--context', ctx, '--base-image', `oci:${base}:1`, '--output', out]);
    // Cut short, it is said to be the wrong size, not to hash wrong.
    assertRefused(r, {
      patterns: [layer, /is 100 bytes, but its descriptor says \d+ \(size mismatch\)/],
    });
    assert.deepEqual(fs.readdirSync(out), []);
  });
});

describe('symlinks that stay inside the context', () => {
  test('are kept as symlinks in the layer, never followed', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    fs.symlinkSync('hello/cli.py', path.join(ctx, 'src', 'cli-link.py'));
    fs.symlinkSync('../README.md', path.join(ctx, 'src', 'readme-up'));
    fs.symlinkSync('hello', path.join(ctx, 'src', 'pkg-alias'));
    fs.symlinkSync('./src/hello/../hello/__init__.py', path.join(ctx, 'init-link'));
    fs.symlinkSync('does-not-exist-yet', path.join(ctx, 'dangling-inside'));
    const out = path.join(dir, 'out');
    const r = build(['--context', ctx, '--base-image', 'scratch', '--output', out]);
    const tar = readLayerTar(out, r.layers.at(-1).digest);
    const byPath = new Map(tar.entries.map((e) => [e.path, e]));
    const expect = {
      'app/src/cli-link.py': 'hello/cli.py',
      'app/src/readme-up': '../README.md',
      'app/src/pkg-alias': 'hello',
      'app/init-link': './src/hello/../hello/__init__.py',
      'app/dangling-inside': 'does-not-exist-yet',
    };
    for (const [p, target] of Object.entries(expect)) {
      const e = byPath.get(p);
      assert.ok(e, `${p} is in the layer`);
      assert.equal(e.type, 'symlink', p);
      assert.equal(e.linkname, target, p);
      assert.equal(e.size, 0, p);
    }
    assert.ok(
      ![...byPath.keys()].some((p) => p.startsWith('app/src/pkg-alias/')),
      'a link to a directory is not followed',
    );
    const v = runCli(['validate', `${out}:latest`, '--json']);
    assert.equal(v.code, 0, describeRun(v));
  });
});

describe('paths reached through symlinks (valid input)', () => {
  // Regression (fixed): the context root is lstat'ed, so a symlink to a project directory is
  // reported as "is not a directory".
  test('a --context that is a symlink to a project directory builds', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    const link = path.join(dir, 'current');
    fs.symlinkSync(ctx, link);
    const direct = build([
      '--context',
      ctx,
      '--base-image',
      'scratch',
      '--output',
      path.join(dir, 'a'),
    ]);
    const r = runCli([
      'build',
      '--context',
      link,
      '--base-image',
      'scratch',
      '--output',
      path.join(dir, 'b'),
      '--json',
    ]);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.json.manifestDigest, direct.manifestDigest);
  });

  test('an oci: base reached through a symlink works', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    const link = path.join(dir, 'base-link');
    fs.symlinkSync(smallBase, link);
    const r = build([
      '--context',
      ctx,
      '--base-image',
      `oci:${link}:1`,
      '--output',
      path.join(dir, 'out'),
    ]);
    assert.equal(r.layers.length, 2);
  });

  // Regression (fixed): an --output that is a symlink to an existing layout is refused with
  // "exists and is not an OCI image layout", although it is one (and an
  // oci: base given the same way is read fine).
  test('an --output that is a symlink to an existing layout adds the tag there', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    const real = path.join(dir, 'real-layout');
    fs.cpSync(template, real, { recursive: true });
    const link = path.join(dir, 'layout-link');
    fs.symlinkSync(real, link);
    const r = runCli([
      'build',
      '--context',
      ctx,
      '--base-image',
      'scratch',
      '--output',
      link,
      '--tag',
      'keep:2',
      '--json',
    ]);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(fs.lstatSync(link).isSymbolicLink(), true, 'the link itself is kept');
    assert.equal(readImage(real, '2').descriptor.digest, r.json.manifestDigest);
    assert.ok(readImage(real, '1'), 'the existing tag survives');
  });
});

describe('the JS API is judged by the same core', () => {
  const api = createRequire(import.meta.url)('../../npm/index.js');

  for (const [options, option, message] of [
    [{ env: ['FOO'] }, '--env', /^--env "FOO": needs KEY=VALUE/],
    [{ ports: [70000] }, '--port', /^--port "70000": .*65535/],
    [{ parallel: 0 }, '--parallel', /^--parallel "0": needs a whole number from 1 to 64$/],
    [{ chunkSize: '8X' }, '--chunk-size', /^--chunk-size "8X": needs a size/],
    [{ indexUrl: 'https://' }, '--index-url', /^--index-url: needs an http/],
  ]) {
    test(`${JSON.stringify(options)}: invalid-option, naming ${option}; nothing written`, async () => {
      caseNo += 1;
      const ctx = copyExample(path.join(tmp, `api-${caseNo}`));
      const output = path.join(tmp, `api-${caseNo}-out`);
      await assert.rejects(
        api.build({ context: ctx, baseImage: 'scratch', output, ...options }),
        (err) => {
          assert.equal(err.code, 'invalid-option');
          assert.equal(err.option, option);
          assert.match(err.message, message);
          return true;
        },
      );
      assert.equal(fs.existsSync(output), false);
    });
  }
});
