// Bytes and edges (issue 12, point 8): names that are not UTF-8, bases
// without history or with bad layers, --env-file before Node sees it,
// pyproject.toml of the wrong shape, unknown extras, size mismatches and
// PYCONTAINER_* variables named as themselves. Every refusal exits with
// pycontainer's status, names the file, key, flag, variable or blob at
// fault, and leaves --output unwritten.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import { startRegistry } from '../infra/registry.mjs';
import {
  build,
  CLI,
  copyExample,
  describeRun,
  ensureWasm,
  makeTempDir,
  readBlob,
  readImage,
  readIndex,
  removeDir,
  requireTools,
  runCli,
  runTool,
  sha256Hex,
  startSixIndex,
} from './helpers.mjs';

let tmp;
/** A one-layer layout built from the example on scratch, tag "1". */
let smallBase;
let caseNo = 0;

before(() => {
  tmp = makeTempDir('pycontainer-e2e-edges-');
  smallBase = path.join(tmp, 'small-base');
  const src = copyExample(path.join(tmp, 'small-base-src'));
  build(['--context', src, '--base-image', 'scratch', '--output', smallBase, '--tag', 'b:1']);
});

after(() => removeDir(tmp));

function caseDir() {
  caseNo += 1;
  const dir = path.join(tmp, `case-${caseNo}`);
  fs.mkdirSync(dir);
  return dir;
}

/** Status 1, one `pycontainer: error:` line matching every pattern, no stack, no output dir. */
function assertRefused(r, out, patterns) {
  assert.equal(r.code, 1, describeRun(r));
  assert.match(r.stderr, /^pycontainer: error: /, describeRun(r));
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+|panicked|RuntimeError/, describeRun(r));
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(r.stderr.includes(p), `${p}\n${describeRun(r)}`);
    else assert.match(r.stderr, p, describeRun(r));
  }
  assert.equal(fs.existsSync(out), false, `${out} was written`);
}

/** A build of the example (or `ctx`) on `base` into a fresh --output; returns {r, out}. */
function buildInto(dir, args, { env } = {}) {
  const out = path.join(dir, 'out');
  const r = runCli(['build', ...args, '--output', out], { env });
  return { r, out };
}

// ---------------------------------------------------------------------------
// A layout rewritten as a test wants it: a copy of smallBase whose config,
// manifest and layer blob come from `change`.

function writeBlob(layout, bytes) {
  const hex = sha256Hex(bytes);
  fs.writeFileSync(path.join(layout, 'blobs', 'sha256', hex), bytes);
  return `sha256:${hex}`;
}

/**
 * Copies smallBase to DIR/base and lets `change({manifest, config, layer})`
 * edit the documents (layer: the blob's bytes, replaced when it returns
 * {layer}); the layer descriptor keeps its size unless `change` sets it.
 */
function rewrittenBase(dir, change) {
  const layout = path.join(dir, 'base');
  fs.cpSync(smallBase, layout, { recursive: true });
  const { descriptor, manifest, config } = readImage(layout, '1');
  const layerDesc = manifest.layers[0];
  const result = change({ manifest, config, layer: readBlob(layout, layerDesc.digest) }) ?? {};
  if (result.layer) {
    layerDesc.digest = writeBlob(layout, result.layer);
    layerDesc.size = result.layer.length;
  }
  if (result.size !== undefined) layerDesc.size = result.size;
  const configBytes = Buffer.from(JSON.stringify(config));
  manifest.config.digest = writeBlob(layout, configBytes);
  manifest.config.size = configBytes.length;
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const index = readIndex(layout);
  index.manifests = [
    { ...descriptor, digest: writeBlob(layout, manifestBytes), size: manifestBytes.length },
  ];
  fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify(index));
  return { layout, ref: `oci:${layout}:1`, layer: layerDesc };
}

// ---------------------------------------------------------------------------

describe('--env-file reaches pycontainer, not Node', () => {
  // Node 20+ scans its whole command line for --env-file and exits 9 with
  // "node: F: not found"; the bin's sh prologue puts `--` before the script.
  for (const form of [['--env-file', 'MISSING.env'], ['--env-file=MISSING.env']]) {
    test(`${form.join(' ')} run as the package's bin`, () => {
      ensureWasm();
      const dir = caseDir();
      const ctx = copyExample(dir);
      const out = path.join(dir, 'out');
      const args = ['build', '--context', ctx, '--base-image', 'scratch', ...form, '--output', out];
      const r = spawnSync(CLI, args, {
        cwd: dir,
        encoding: 'utf8',
      });
      const run = { code: r.status, stdout: r.stdout, stderr: r.stderr };
      assert.doesNotMatch(r.stderr, /^node:/m, describeRun(run));
      assertRefused(run, out, ['--env-file', 'MISSING.env']);
    });
  }

  test('a present env file is read by pycontainer alone, not loaded into its environment', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    // Were Node to load it, PYCONTAINER_TAGS would become a setting.
    fs.writeFileSync(path.join(dir, 'vars.env'), 'GREETING=hi\nPYCONTAINER_TAGS=Bad:1\n');
    const r = spawnSync(
      CLI,
      [
        'build',
        '--context',
        ctx,
        '--base-image',
        'scratch',
        '--env-file',
        'vars.env',
        '--dry-run',
        '--json',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /GREETING/);
  });
});

describe('file names that are not UTF-8', () => {
  test('are refused by name, escaped, unless left out', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    const pkg = path.join(ctx, 'src', 'hello');
    const bad = Buffer.concat([Buffer.from(`${pkg}/caf`), Buffer.from([0xe9]), Buffer.from('.py')]);
    fs.writeFileSync(bad, 'print(1)\n');
    const { r, out } = buildInto(dir, ['--context', ctx, '--base-image', 'scratch']);
    assertRefused(r, out, [`${pkg}/caf\\xe9.py`, /not UTF-8/, /\.dockerignore or --exclude/]);
    const left = buildInto(caseDir(), [
      '--context',
      ctx,
      '--base-image',
      'scratch',
      '--exclude',
      'src/hello/caf*',
    ]);
    assert.equal(left.r.code, 0, describeRun(left.r));
  });
});

describe('bases', () => {
  test('a base without history builds, and the image validates here, in umoci and in skopeo', () => {
    requireTools('umoci', 'skopeo');
    const dir = caseDir();
    const base = rewrittenBase(dir, ({ config }) => {
      delete config.history;
    });
    const out = path.join(dir, 'out');
    build(['--context', copyExample(dir), '--base-image', base.ref, '--output', out, '-t', 'a:1']);
    const { config, manifest } = readImage(out, '1');
    assert.equal(manifest.layers.length, 2);
    assert.equal(config.history, undefined, 'no history for one layer of two');
    const v = runCli(['validate', `${out}:1`]);
    assert.equal(v.code, 0, describeRun(v));
    const stat = runTool('umoci', ['stat', '--image', `${out}:1`]);
    assert.equal(stat.code, 0, stat.stderr);
    const copy = runTool('skopeo', ['copy', `oci:${out}:1`, `oci:${path.join(dir, 'copy')}:1`]);
    assert.equal(copy.code, 0, copy.stderr);
  });

  test('a base layer of the wrong size is refused as a size mismatch, naming the blob', () => {
    const dir = caseDir();
    const base = rewrittenBase(dir, ({ layer }) => ({ size: layer.length + 1 }));
    const { r, out } = buildInto(dir, ['--context', copyExample(dir), '--base-image', base.ref]);
    assertRefused(r, out, [base.layer.digest, /size mismatch/]);
    assert.doesNotMatch(r.stderr, /corrupt|hashes to/);
    const v = runCli(['validate', `${base.layout}:1`, '--json']);
    assert.notEqual(v.code, 0);
    assert.match(v.stdout, /size mismatch: the blob is \d+ bytes, its descriptor says \d+/);
  });

  test('a registry layer of another size than its manifest says is a size mismatch', async () => {
    requireTools('skopeo', 'docker-registry');
    const reg = await startRegistry({ mode: 'plain' });
    try {
      const dir = caseDir();
      const repo = `${reg.host}/edges/base`;
      const copy = runTool('skopeo', [
        'copy',
        '--dest-tls-verify=false',
        `oci:${smallBase}:1`,
        `docker://${repo}:1`,
      ]);
      assert.equal(copy.code, 0, copy.stderr);
      const type = 'application/vnd.oci.image.manifest.v1+json';
      const url = `${reg.url}/v2/edges/base/manifests`;
      const manifest = await (await fetch(`${url}/1`, { headers: { accept: type } })).json();
      const layer = manifest.layers[0];
      layer.size += 1;
      const put = await fetch(`${url}/wrongsize`, {
        method: 'PUT',
        headers: { 'content-type': type },
        body: JSON.stringify(manifest),
      });
      assert.equal(put.status, 201, await put.text());
      const cache = path.join(dir, 'cache');
      const { r, out } = buildInto(dir, [
        '--context',
        copyExample(dir),
        '--base-image',
        `${repo}:wrongsize`,
        '--cache-dir',
        cache,
      ]);
      assertRefused(r, out, [
        `layer ${layer.digest} from ${reg.host}: size mismatch: ${layer.size - 1} bytes arrived, the manifest says ${layer.size} bytes`,
      ]);
      const cached = path.join(cache, 'oci', 'blobs', 'sha256', layer.digest.slice(7));
      assert.equal(fs.existsSync(cached), false, 'nothing cached');
    } finally {
      await reg.stop();
    }
  });

  // The probe reads the base's layers when there are dependencies: a
  // project needing six, from a local index, on a base that is broken.
  const brokenLayers = [
    {
      name: 'not gzip',
      change: ({ layer }) => ({ layer: zlib.gunzipSync(layer) }),
      patterns: [/not a gzip stream/],
      validate: /not a gzip stream/,
    },
    {
      name: 'an impossible tar header',
      change: ({ layer, config }) => {
        const tar = zlib.gunzipSync(layer);
        tar[0] ^= 0x01; // the first name changes, its checksum does not
        config.rootfs.diff_ids[0] = `sha256:${sha256Hex(tar)}`;
        return { layer: zlib.gzipSync(tar) };
      },
      patterns: [/invalid tar stream: a header's checksum is \d+, but its bytes sum to \d+/],
      validate: /checksum/,
    },
    {
      name: 'a diff_id that does not match',
      change: ({ config }) => {
        config.rootfs.diff_ids[0] = `sha256:${'0'.repeat(64)}`;
      },
      patterns: [/rootfs\.diff_ids says sha256:0{64}/],
      validate: /diff_id is sha256:0{64}/,
    },
  ];
  for (const broken of brokenLayers) {
    test(`a base layer with ${broken.name} is refused when the build reads it, naming the blob`, async () => {
      const dir = caseDir();
      const base = rewrittenBase(dir, broken.change);
      const ctx = copyExample(dir);
      const pyproject = path.join(ctx, 'pyproject.toml');
      fs.writeFileSync(
        pyproject,
        fs
          .readFileSync(pyproject, 'utf8')
          .replace('[project.scripts]', 'dependencies = ["six"]\n\n[project.scripts]'),
      );
      const index = await startSixIndex();
      try {
        const { r, out } = buildInto(dir, [
          '--context',
          ctx,
          '--base-image',
          base.ref,
          '--index-url',
          index.url,
          '--cache-dir',
          path.join(dir, 'cache'),
        ]);
        assertRefused(r, out, [`base layer ${base.layer.digest}`, ...broken.patterns]);
      } finally {
        index.close();
      }
      const v = runCli(['validate', `${base.layout}:1`, '--json']);
      assert.notEqual(v.code, 0, describeRun(v));
      assert.match(v.stdout, broken.validate);
      assert.ok(v.stdout.includes(base.layer.digest), v.stdout);
    });
  }
});

describe('pyproject.toml of the wrong shape', () => {
  const shapes = [
    ['a directory', (p) => fs.mkdirSync(p), [/pyproject\.toml is a directory/]],
    [
      'a dangling symlink',
      (p) => fs.symlinkSync('nowhere.toml', p),
      [/pyproject\.toml is a symlink to "nowhere\.toml", which does not exist/],
    ],
    [
      'project = 1',
      (p) => fs.writeFileSync(p, 'project = 1\n'),
      ['`project` must be a table, found integer'],
    ],
    ...[
      ['readme = 1', '`project.readme` must be a string or a table'],
      ['authors = "me"', '`project.authors` must be an array of {name = …, email = …} tables'],
      ['keywords = "a"', '`project.keywords` must be an array of strings'],
      ['classifiers = [1]', '`project.classifiers` must be an array of strings'],
      ['entry-points = 1', '`project.entry-points` must be a table'],
      ['dynamic = "version"', '`project.dynamic` must be an array of strings'],
      ['scripts = 1', '`project.scripts` must be a table'],
      ['dependencies = "six"', '`project.dependencies` must be an array of strings'],
      ['optional-dependencies = 1', '`project.optional-dependencies` must be a table'],
      ['requires-python = 3', '`project.requires-python` must be a string'],
      ['version = 1', '`project.version` must be a string'],
      ['name = 1', '`project.name` must be a string'],
    ].map(([line, message]) => [
      line,
      (p) => fs.writeFileSync(p, `[project]\n${line}\n`),
      [message],
    ]),
  ];
  for (const [name, make, patterns] of shapes) {
    test(name, () => {
      const dir = caseDir();
      const ctx = copyExample(dir);
      const file = path.join(ctx, 'pyproject.toml');
      fs.rmSync(file);
      make(file);
      const { r, out } = buildInto(dir, ['--context', ctx, '--base-image', 'scratch']);
      assertRefused(r, out, [file, ...patterns]);
    });
  }
});

describe('settings named as given', () => {
  test('an extra or group the project does not define', () => {
    for (const [args, env, name] of [
      [['--extra', 'nope'], {}, 'there is no extra "nope"'],
      [['--group', 'nope'], {}, 'there is no group "nope"'],
      [[], { PYCONTAINER_EXTRAS: 'nope' }, 'there is no extra "nope"'],
    ]) {
      const dir = caseDir();
      const ctx = copyExample(dir);
      const { r, out } = buildInto(dir, ['--context', ctx, '--base-image', 'scratch', ...args], {
        env,
      });
      assertRefused(r, out, [`${ctx}/pyproject.toml: ${name} (asked for with --`, 'it has: none']);
    }
  });

  test('a bad PYCONTAINER_* value names its variable', () => {
    for (const [env, patterns] of [
      [{ PYCONTAINER_TAGS: 'UP:1' }, ['PYCONTAINER_TAGS "UP:1"', /lowercase/]],
      [{ PYCONTAINER_TAGS: 'a:1,b:c:d' }, ['PYCONTAINER_TAGS "b:c:d"']],
      [{ PYCONTAINER_PORTS: 'eighty' }, ['PYCONTAINER_PORTS "eighty"']],
      [{ PYCONTAINER_COMPILE: 'maybe' }, ['PYCONTAINER_COMPILE "maybe": must be true or false']],
      [{ PYCONTAINER_WORKDIR: 'rel' }, ['PYCONTAINER_WORKDIR']],
    ]) {
      const dir = caseDir();
      const { r, out } = buildInto(
        dir,
        ['--context', copyExample(dir), '--base-image', 'scratch'],
        {
          env,
        },
      );
      assertRefused(r, out, patterns);
      assert.doesNotMatch(r.stderr, /environment \(PYCONTAINER_\*\)|PYCONTAINER_TAG\b/);
    }
  });
});
