// Bad input: every case must fail with exit status 1 (2 for usage errors), a
// clear `pycontainer: error:` line naming the thing at fault, and write
// nothing: a new --output dir must not appear, and an existing layout in
// --output must stay byte-identical.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  BASE_TAG,
  baseLayout,
  baseRef,
  build,
  copyExample,
  describeRun,
  makeTempDir,
  readImage,
  readLayerTar,
  removeDir,
  runCli,
  snapshotTree,
} from './helpers.mjs';

let tmp;
/** A valid layout (scratch build of the example), copied into place per case. */
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

/**
 * Each case: `setup(dir)` prepares files under a fresh dir and returns
 * {args, patterns, code?}; args come without --output (the harness adds it).
 */
const cases = [
  {
    name: 'the context does not exist',
    setup(dir) {
      const ctx = path.join(dir, 'nope');
      return {
        args: ['--context', ctx, '--base-image', 'scratch'],
        patterns: [ctx, /does not exist/],
      };
    },
  },
  {
    name: 'the context is a file',
    setup(dir) {
      const ctx = path.join(dir, 'pyproject.toml');
      fs.writeFileSync(ctx, '[project]\nname = "x"\n');
      return {
        args: ['--context', ctx, '--base-image', 'scratch'],
        patterns: [ctx, /not a directory/],
      };
    },
  },
  {
    name: 'the context has no pyproject.toml and no .py file',
    setup(dir) {
      const ctx = path.join(dir, 'docs');
      fs.mkdirSync(path.join(ctx, 'sub'), { recursive: true });
      fs.writeFileSync(path.join(ctx, 'README.md'), '# not python\n');
      fs.writeFileSync(path.join(ctx, 'sub', 'notes.txt'), 'nothing\n');
      return {
        args: ['--context', ctx, '--base-image', 'scratch'],
        patterns: [ctx, /pyproject\.toml/, /\.py\b/],
      };
    },
  },
  {
    name: 'pyproject.toml does not parse (unterminated string on line 5)',
    setup(dir) {
      const ctx = copyExample(dir);
      fs.writeFileSync(
        path.join(ctx, 'pyproject.toml'),
        '[project]\nname = "broken"\nversion = "0.1.0"\n# a comment\ndescription = "no end\n\n[project.scripts]\nhello = "hello.cli:main"\n',
      );
      return {
        args: ['--context', ctx, '--base-image', 'scratch'],
        patterns: [`${path.join(ctx, 'pyproject.toml')}:5:`, /pyproject\.toml:5:\d+/],
      };
    },
  },
  {
    name: 'pyproject.toml has a duplicate key (line 3)',
    setup(dir) {
      const ctx = copyExample(dir);
      fs.writeFileSync(
        path.join(ctx, 'pyproject.toml'),
        '[project]\nname = "a"\nname = "b"\nversion = "1"\n',
      );
      return {
        args: ['--context', ctx, '--base-image', 'scratch'],
        patterns: [/pyproject\.toml:3:\d+/, /duplicate/i],
      };
    },
  },
  {
    name: 'tag with too many colons (Foo:bar:baz)',
    setup(dir) {
      const ctx = copyExample(dir);
      return {
        args: ['--context', ctx, '--base-image', 'scratch', '--tag', 'Foo:bar:baz'],
        patterns: ['--tag', '"Foo:bar:baz"', /too many ':'/],
      };
    },
  },
  {
    name: 'tag with an upper-case repository (Upper/case:1)',
    setup(dir) {
      const ctx = copyExample(dir);
      return {
        args: ['--context', ctx, '--base-image', 'scratch', '--tag', 'Upper/case:1'],
        patterns: ['"Upper/case:1"', /lowercase/],
      };
    },
  },
  {
    name: 'tag with an empty tag part (app:)',
    setup(dir) {
      const ctx = copyExample(dir);
      return {
        args: ['--context', ctx, '--base-image', 'scratch', '--tag', 'app:'],
        patterns: ['"app:"', /tag must match \[A-Za-z0-9_\]\[A-Za-z0-9_.-\]\{0,127\}/],
      };
    },
  },
  {
    name: 'a valid tag next to an invalid one',
    setup(dir) {
      const ctx = copyExample(dir);
      return {
        args: ['--context', ctx, '--base-image', 'scratch', '--tag', 'ok:1', '--tag', 'Bad:1'],
        patterns: ['"Bad:1"', /lowercase/],
      };
    },
  },
  {
    name: 'the base layout does not exist',
    setup(dir) {
      const ctx = copyExample(dir);
      const base = path.join(dir, 'no-such-layout');
      return {
        args: ['--context', ctx, '--base-image', `oci:${base}:1`],
        patterns: [base, /not an OCI image layout|does not exist/],
      };
    },
  },
  {
    name: 'the base tag is not in the layout',
    setup(dir) {
      const ctx = copyExample(dir);
      return {
        args: ['--context', ctx, '--base-image', `oci:${baseLayout()}:nosuch`],
        patterns: [/"nosuch"/, baseLayout(), new RegExp(`tags present: .*${escapeRe(BASE_TAG)}`)],
      };
    },
  },
  {
    name: 'the base is for another platform',
    setup(dir) {
      const ctx = copyExample(dir);
      return {
        args: ['--context', ctx, '--base-image', baseRef(), '--platform', 'linux/arm64'],
        patterns: [/linux\/arm64/, /linux\/amd64/],
      };
    },
  },
  {
    name: 'a base layer blob is missing',
    setup(dir) {
      const ctx = copyExample(dir);
      const base = path.join(dir, 'base');
      fs.cpSync(smallBase, base, { recursive: true });
      const layer = readImage(base, '1').manifest.layers[0].digest;
      fs.rmSync(path.join(base, 'blobs', 'sha256', layer.split(':')[1]));
      return {
        args: ['--context', ctx, '--base-image', `oci:${base}:1`],
        patterns: [layer, /missing/],
      };
    },
  },
  {
    // The corruption is only seen while the blob is copied, i.e. after the
    // output has been prepared.
    name: 'a base layer blob is corrupt (same size, other bytes)',
    setup(dir) {
      const ctx = copyExample(dir);
      const base = path.join(dir, 'base');
      fs.cpSync(smallBase, base, { recursive: true });
      const layer = readImage(base, '1').manifest.layers[0].digest;
      const file = path.join(base, 'blobs', 'sha256', layer.split(':')[1]);
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 1] ^= 0xff;
      fs.writeFileSync(file, bytes);
      return {
        args: ['--context', ctx, '--base-image', `oci:${base}:1`],
        patterns: [layer, /corrupt/],
      };
    },
  },
  {
    name: 'a registry base image that cannot be reached',
    setup(dir) {
      const ctx = copyExample(dir);
      // Port 1 on loopback: refused at once, on any machine.
      return {
        args: ['--context', ctx, '--base-image', '127.0.0.1:1/library/python:3.11-slim'],
        patterns: ['127.0.0.1:1/library/python:3.11-slim', /cannot reach 127\.0\.0\.1:1/],
      };
    },
  },
  {
    name: 'a relative --workdir',
    setup(dir) {
      const ctx = copyExample(dir);
      return {
        args: ['--context', ctx, '--base-image', 'scratch', '--workdir', 'app'],
        patterns: ['--workdir', /absolute/],
      };
    },
  },
  {
    name: 'a symlink to an absolute path outside the context',
    setup(dir) {
      const ctx = copyExample(dir);
      const link = path.join(ctx, 'src', 'hello', 'passwd');
      fs.symlinkSync('/etc/passwd', link);
      return {
        args: ['--context', ctx, '--base-image', 'scratch'],
        patterns: [link, '"/etc/passwd"', /outside the build context/],
      };
    },
  },
  {
    name: 'a symlink climbing out of the context (../../outside)',
    setup(dir) {
      const ctx = copyExample(dir);
      fs.writeFileSync(path.join(dir, 'outside'), 'secret\n');
      const link = path.join(ctx, 'src', 'outside-link');
      fs.symlinkSync('../../outside', link);
      return {
        args: ['--context', ctx, '--base-image', 'scratch'],
        patterns: [link, '"../../outside"', /outside the build context/],
      };
    },
  },
  {
    name: 'a symlink at the context root pointing to a sibling (../x)',
    setup(dir) {
      const ctx = copyExample(dir);
      const link = path.join(ctx, 'sibling');
      fs.symlinkSync('../x', link);
      return {
        args: ['--context', ctx, '--base-image', 'scratch'],
        patterns: [link, /outside the build context/],
      };
    },
  },
  {
    name: 'an unknown option (usage error)',
    setup(dir) {
      const ctx = copyExample(dir);
      return {
        code: 2,
        args: ['--context', ctx, '--base-image', 'scratch', '--bogus'],
        patterns: ['--bogus'],
      };
    },
  },
];

describe('bad input, fresh --output: refused and nothing written', () => {
  for (const c of cases) {
    test(c.name, () => {
      const dir = caseDir();
      const { args, patterns, code } = c.setup(dir);
      const before = snapshotTree(dir);
      const out = path.join(dir, 'out');
      const r = runCli(['build', ...args, '--output', out]);
      assertRefused(r, { code, patterns });
      assert.equal(fs.existsSync(out), false, `${out} must not exist after a failed build`);
      assert.deepEqual(snapshotTree(dir), before, 'nothing else changed either');
    });
  }
});

describe('bad input, existing layout in --output: left byte-identical', () => {
  for (const c of cases) {
    test(c.name, () => {
      const dir = caseDir();
      const { args, patterns, code } = c.setup(dir);
      const out = path.join(dir, 'existing');
      fs.cpSync(template, out, { recursive: true });
      const index = fs.readFileSync(path.join(out, 'index.json'));
      const before = snapshotTree(out);
      const r = runCli(['build', ...args, '--output', out]);
      assertRefused(r, { code, patterns });
      assert.deepEqual(fs.readFileSync(path.join(out, 'index.json')), index, 'index.json');
      assert.deepEqual(snapshotTree(out), before, 'every file of the layout');
    });
  }
});

describe('bad --output', () => {
  test('an existing non-empty dir that is not a layout is refused and untouched', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    const out = path.join(dir, 'my-stuff');
    fs.mkdirSync(path.join(out, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(out, 'keep.txt'), 'precious\n');
    fs.writeFileSync(path.join(out, 'sub', 'more.txt'), 'also precious\n');
    const before = snapshotTree(out);
    const r = runCli(['build', '--context', ctx, '--base-image', 'scratch', '--output', out]);
    assertRefused(r, { patterns: [out, /not an OCI image layout/] });
    assert.deepEqual(snapshotTree(out), before);
  });

  test('a dir holding only unrelated blobs/ is refused and untouched', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    const out = path.join(dir, 'looks-like');
    fs.mkdirSync(path.join(out, 'blobs', 'sha256'), { recursive: true });
    fs.writeFileSync(path.join(out, 'blobs', 'sha256', 'junk'), 'junk\n');
    const before = snapshotTree(out);
    const r = runCli(['build', '--context', ctx, '--base-image', 'scratch', '--output', out]);
    assertRefused(r, { patterns: [out] });
    assert.deepEqual(snapshotTree(out), before);
  });

  test('a regular file is refused and untouched', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    const out = path.join(dir, 'a-file');
    fs.writeFileSync(out, 'not a dir\n');
    const r = runCli(['build', '--context', ctx, '--base-image', 'scratch', '--output', out]);
    assertRefused(r, { patterns: [out] });
    assert.equal(fs.readFileSync(out, 'utf8'), 'not a dir\n');
  });

  test('a layout whose index.json is not JSON is refused and untouched', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    const out = path.join(dir, 'broken-layout');
    fs.cpSync(template, out, { recursive: true });
    fs.writeFileSync(path.join(out, 'index.json'), '{not json');
    const before = snapshotTree(out);
    const r = runCli(['build', '--context', ctx, '--base-image', 'scratch', '--output', out]);
    assertRefused(r, { patterns: [path.join(out, 'index.json')] });
    assert.deepEqual(snapshotTree(out), before);
  });

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
