// examples/hello-cli built on the Debian python base and on scratch, checked
// with skopeo, umoci and runc, and independently with node:crypto/node:zlib.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  BASE_TAG,
  baseLayout,
  baseRef,
  build,
  copyExample,
  describeRun,
  fileDigest,
  gunzippedDigest,
  HELLO_ALICE,
  indexEntries,
  listTree,
  makeTempDir,
  REF_NAME,
  readBlob,
  readImage,
  readIndex,
  readLayerTar,
  removeDir,
  requireRoot,
  requireTools,
  runCli,
  runInImage,
  runTool,
} from './helpers.mjs';

let tmp;

before(() => {
  tmp = makeTempDir('pycontainer-e2e-image-');
});

after(() => {
  removeDir(tmp);
});

describe('hello-cli on the Debian python base', () => {
  let ctx;
  let out;
  let result;

  before(() => {
    requireTools('skopeo', 'umoci', 'runc');
    ctx = copyExample(path.join(tmp, 'debian'));
    out = path.join(tmp, 'debian-out');
    result = build([
      '--context',
      ctx,
      '--base-image',
      baseRef(),
      '--output',
      out,
      '--tag',
      'hello:1',
    ]);
  });

  test('the --json result describes the image', () => {
    assert.deepEqual(result.tags, ['1']);
    assert.deepEqual(result.plan.tags, ['docker.io/library/hello:1']);
    assert.equal(result.output, out);
    assert.equal(result.plan.platform, 'linux/amd64');
    assert.deepEqual(result.plan.entrypoint.command, ['python3', '/usr/local/bin/hello']);
    assert.equal(result.plan.entrypoint.rule, 'projectScript');
    assert.equal(result.plan.entrypoint.rule, 'projectScript');
    assert.equal(result.layers.length, 2);
    const { descriptor, manifest } = readImage(out, '1');
    assert.equal(result.manifestDigest, descriptor.digest);
    assert.equal(result.configDigest, manifest.config.digest);
    assert.deepEqual(
      result.layers.map((l) => l.digest),
      manifest.layers.map((l) => l.digest),
    );
  });

  test('skopeo inspect reads the manifest and the config', () => {
    const inspect = runTool('skopeo', ['inspect', `oci:${out}:1`]);
    assert.equal(inspect.code, 0, inspect.stderr);
    const info = JSON.parse(inspect.stdout);
    assert.equal(info.Digest, result.manifestDigest);
    assert.equal(info.Os, 'linux');
    assert.equal(info.Architecture, 'amd64');
    assert.deepEqual(
      info.Layers,
      result.layers.map((l) => l.digest),
    );

    const raw = runTool('skopeo', ['inspect', '--config', `oci:${out}:1`]);
    assert.equal(raw.code, 0, raw.stderr);
    const config = JSON.parse(raw.stdout).config;
    assert.deepEqual(config.Entrypoint, ['python3', '/usr/local/bin/hello']);
    assert.equal(config.WorkingDir, '/app');
    const { config: baseConfig } = readImage(baseLayout(), BASE_TAG);
    const basePath = baseConfig.config.Env.find((e) => e.startsWith('PATH='));
    assert.ok(basePath, 'the base image sets PATH');
    assert.ok(config.Env.includes(basePath), `PATH from the base is kept: ${config.Env}`);
    assert.ok(config.Env.includes('PYTHONUNBUFFERED=1'), `${config.Env}`);
    assert.ok(config.Env.includes('PYTHONPATH=/app/src'), `${config.Env}`);
    for (const kv of baseConfig.config.Env) {
      const key = kv.split('=')[0];
      assert.equal(
        config.Env.filter((e) => e.split('=')[0] === key).length,
        1,
        `${key} appears once in Env`,
      );
    }
  });

  test('umoci unpacks it into a bundle with the app and the launcher', () => {
    requireRoot();
    const bundle = path.join(tmp, 'bundle');
    const r = runTool('umoci', ['unpack', '--image', `${out}:1`, bundle]);
    assert.equal(r.code, 0, r.stderr);
    try {
      const rootfs = path.join(bundle, 'rootfs');
      assert.equal(
        fs.readFileSync(path.join(rootfs, 'app/src/hello/cli.py'), 'utf8'),
        fs.readFileSync(path.join(ctx, 'src/hello/cli.py'), 'utf8'),
      );
      const launcher = fs.statSync(path.join(rootfs, 'usr/local/bin/hello'));
      assert.equal(launcher.mode & 0o777, 0o755);
      assert.ok(fs.existsSync(path.join(rootfs, 'usr/bin/python3')), 'base rootfs is there');
      const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
      assert.deepEqual(spec.process.args, ['python3', '/usr/local/bin/hello']);
      assert.equal(spec.process.cwd, '/app');
    } finally {
      removeDir(bundle);
    }
  });

  test('runs with runc and greets Alice', () => {
    requireRoot();
    const r = runInImage(out, '1', ['Alice']);
    assert.equal(r.code, 0, `run_in_image failed: ${r.stderr}`);
    assert.equal(r.stdout.trim(), HELLO_ALICE);
  });

  test('our validator says ok', () => {
    const r = runCli(['validate', `${out}:1`, '--json']);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.json.ok, true);
    assert.deepEqual(r.json.problems, []);
    assert.equal(r.json.manifestDigest, result.manifestDigest);
    assert.equal(r.json.layers, 2);
  });

  describe('checked independently of our validator', () => {
    test('every blob hashes to its digest and has its size', async () => {
      const { descriptor, manifest } = readImage(out, '1');
      const descriptors = [descriptor, manifest.config, ...manifest.layers];
      for (const d of descriptors) {
        const actual = await fileDigest(path.join(out, 'blobs', ...d.digest.split(':')));
        assert.deepEqual(actual, { digest: d.digest, size: d.size }, `blob ${d.digest}`);
      }
    });

    test("each layer's diff_id is the sha256 of the gunzipped layer", async () => {
      const { manifest, config } = readImage(out, '1');
      assert.equal(config.rootfs.type, 'layers');
      assert.equal(config.rootfs.diff_ids.length, manifest.layers.length);
      for (const [i, layer] of manifest.layers.entries()) {
        assert.equal(layer.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
        const diffId = await gunzippedDigest(path.join(out, 'blobs', ...layer.digest.split(':')));
        assert.equal(config.rootfs.diff_ids[i], diffId, `diff_id of layer ${i}`);
        assert.equal(result.layers[i].diffId, diffId);
      }
    });

    test('history has one non-empty entry per layer', () => {
      const { manifest, config } = readImage(out, '1');
      assert.ok(Array.isArray(config.history) && config.history.length > 0);
      const nonEmpty = config.history.filter((h) => !h.empty_layer);
      assert.equal(nonEmpty.length, manifest.layers.length);
    });

    test('base layers keep their descriptors, diff_ids and history', () => {
      const base = readImage(baseLayout(), BASE_TAG);
      const ours = readImage(out, '1');
      assert.ok(ours.manifest.layers.length > base.manifest.layers.length);
      for (const [i, b] of base.manifest.layers.entries()) {
        const o = ours.manifest.layers[i];
        assert.deepEqual(
          { digest: o.digest, size: o.size, mediaType: o.mediaType },
          { digest: b.digest, size: b.size, mediaType: b.mediaType },
          `base layer ${i}`,
        );
      }
      assert.deepEqual(
        ours.config.rootfs.diff_ids.slice(0, base.config.rootfs.diff_ids.length),
        base.config.rootfs.diff_ids,
      );
      assert.deepEqual(
        ours.config.history.slice(0, base.config.history.length),
        base.config.history,
      );
      assert.equal(ours.config.os, base.config.os);
      assert.equal(ours.config.architecture, base.config.architecture);
    });

    test('the manifest and the index entry are well-formed', () => {
      const { descriptor, manifest } = readImage(out, '1');
      assert.equal(descriptor.mediaType, 'application/vnd.oci.image.manifest.v1+json');
      assert.equal(manifest.schemaVersion, 2);
      assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
      assert.equal(manifest.config.mediaType, 'application/vnd.oci.image.config.v1+json');
      assert.deepEqual(descriptor.platform, { os: 'linux', architecture: 'amd64' });
      assert.equal(descriptor.annotations['io.containerd.image.name'], 'docker.io/library/hello:1');
      const index = readIndex(out);
      assert.equal(index.schemaVersion, 2);
      assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    });
  });
});

describe('layout semantics', () => {
  let ctx;
  let out;
  let first;

  before(() => {
    ctx = copyExample(path.join(tmp, 'layout'));
    out = path.join(tmp, 'layout-out');
    first = build([
      '--context',
      ctx,
      '--base-image',
      baseRef(),
      '--output',
      out,
      '--tag',
      'hello:1',
    ]);
  });

  test('oci-layout holds the layout version', () => {
    const text = fs.readFileSync(path.join(out, 'oci-layout'), 'utf8');
    assert.deepEqual(JSON.parse(text), { imageLayoutVersion: '1.0.0' });
  });

  test('a second tag into the same output keeps the first', () => {
    // A different image under the second tag, so the two entries differ.
    fs.appendFileSync(path.join(ctx, 'README.md'), '\nsecond build\n');
    const second = build([
      '--context',
      ctx,
      '--base-image',
      baseRef(),
      '--output',
      out,
      '--tag',
      'hello:2',
    ]);
    assert.notEqual(second.manifestDigest, first.manifestDigest);
    assert.equal(indexEntries(out, '1').length, 1);
    assert.equal(indexEntries(out, '1')[0].digest, first.manifestDigest);
    assert.equal(indexEntries(out, '2').length, 1);
    assert.equal(indexEntries(out, '2')[0].digest, second.manifestDigest);
    for (const tag of ['1', '2']) {
      const r = runTool('skopeo', ['inspect', `oci:${out}:${tag}`]);
      assert.equal(r.code, 0, `skopeo inspect oci:OUT:${tag}: ${r.stderr}`);
    }
  });

  test('reusing a tag replaces its entry (one entry per ref.name)', () => {
    fs.appendFileSync(path.join(ctx, 'README.md'), '\nthird build\n');
    const third = build([
      '--context',
      ctx,
      '--base-image',
      baseRef(),
      '--output',
      out,
      '--tag',
      'hello:1',
    ]);
    assert.notEqual(third.manifestDigest, first.manifestDigest);
    const entries = indexEntries(out, '1');
    assert.equal(entries.length, 1);
    assert.equal(entries[0].digest, third.manifestDigest);
    const names = readIndex(out).manifests.map((m) => m.annotations?.[REF_NAME]);
    assert.deepEqual([...names].sort(), [...new Set(names)].sort(), `ref names: ${names}`);
    assert.ok(names.includes('2'), 'the other tag survives');
    const r = runCli(['validate', `${out}:1`, '--json']);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.json.manifestDigest, third.manifestDigest);
  });

  test('several --tag flags in one build record each tag', () => {
    const multi = path.join(tmp, 'multi-out');
    const r = build([
      '--context',
      ctx,
      '--base-image',
      'scratch',
      '--output',
      multi,
      '--tag',
      'hello:1.0',
      '--tag',
      'hello:latest',
    ]);
    assert.deepEqual([...r.tags].sort(), ['1.0', 'latest']);
    for (const tag of ['1.0', 'latest']) {
      const entries = indexEntries(multi, tag);
      assert.equal(entries.length, 1, tag);
      assert.equal(entries[0].digest, r.manifestDigest);
    }
  });

  test('no temporary files are left anywhere in the layout', () => {
    const leftovers = listTree(out).filter((p) => /(^|\/)\.|\.tmp|tmp-/.test(p));
    assert.deepEqual(leftovers, []);
    // Only the layout's own files.
    const top = fs.readdirSync(out).sort();
    assert.deepEqual(top, ['blobs', 'index.json', 'oci-layout']);
    for (const f of fs.readdirSync(path.join(out, 'blobs', 'sha256'))) {
      assert.match(f, /^[0-9a-f]{64}$/);
    }
  });
});

describe('scratch base', () => {
  const EPOCH = 1700000000;
  let ctx;
  let out;
  let result;
  let layer;

  /** A copy of the example with files that must stay out and odd permissions. */
  function decoratedExample(parent) {
    const dir = copyExample(parent);
    const write = (rel, content = 'x\n', mode = 0o644) => {
      const p = path.join(dir, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content);
      fs.chmodSync(p, mode);
    };
    // default-excluded
    write('.git/HEAD', 'ref: refs/heads/main\n');
    write('.git/objects/ab/cdef', 'blob');
    write('.venv/pyvenv.cfg', 'home = /usr/bin\n');
    write('.venv/lib/python3.11/site-packages/evil.py');
    write('src/hello/__pycache__/cli.cpython-311.pyc', 'bytecode');
    write('src/hello/stray.pyc', 'bytecode');
    write('src/hello/stray.pyo', 'bytecode');
    write('.env', 'SECRET=1\n');
    write('.env.local', 'SECRET=2\n');
    write('src/hello/.env.production', 'SECRET=3\n');
    write('dist/hello_cli-0.1.0-py3-none-any.whl', 'wheel');
    write('build/lib/hello/cli.py', 'old');
    write('src/hello_cli.egg-info/PKG-INFO', 'Name: hello-cli\n');
    write('node_modules/left-pad/index.js', 'module.exports = 1;\n');
    write('.pytest_cache/v/cache/lastfailed', '{}');
    write('.mypy_cache/3.11/x.json', '{}');
    write('.ruff_cache/x', 'x');
    write('.tox/py311/x', 'x');
    // a virtualenv under any name is recognised by its pyvenv.cfg; its
    // interpreter link points outside the context and must not matter
    write('myenv/pyvenv.cfg', 'home = /usr/bin\n');
    write('myenv/lib/python3.11/site-packages/evil.py');
    fs.mkdirSync(path.join(dir, 'myenv/bin'), { recursive: true });
    fs.symlinkSync('/usr/bin/python3', path.join(dir, 'myenv/bin/python'));
    // kept: modes normalised, but private files stay private
    write('data/notes.txt', 'notes\n', 0o600);
    write('data/shared.txt', 'shared\n', 0o666);
    write('scripts/run.sh', '#!/bin/sh\necho hi\n', 0o755);
    write('scripts/owner-only.sh', '#!/bin/sh\necho hi\n', 0o700);
    write('private/secret-ish.txt', 'ok\n', 0o644);
    fs.chmodSync(path.join(dir, 'private'), 0o700);
    write('src/hello/.hidden-config', 'kept\n');
    return dir;
  }

  before(() => {
    ctx = decoratedExample(path.join(tmp, 'scratch'));
    out = path.join(tmp, 'scratch-out');
    result = build(
      ['--context', ctx, '--base-image', 'scratch', '--output', out, '--tag', 'hello:1'],
      { env: { SOURCE_DATE_EPOCH: EPOCH } },
    );
    assert.equal(result.layers.length, 1);
    layer = readLayerTar(out, result.layers[0].digest);
  });

  const paths = () => layer.entries.map((e) => e.path);
  const entry = (p) => layer.entries.find((e) => e.path === p);

  test('skopeo inspect works on a scratch image', () => {
    requireTools('skopeo');
    const r = runTool('skopeo', ['inspect', `oci:${out}:1`]);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(info.Digest, result.manifestDigest);
    assert.equal(info.Layers.length, 1);
    const v = runCli(['validate', `${out}:1`, '--json']);
    assert.equal(v.code, 0, describeRun(v));
  });

  test('config: created is SOURCE_DATE_EPOCH, one layer, one history entry', () => {
    const { config, manifest } = readImage(out, '1');
    assert.equal(config.created, '2023-11-14T22:13:20Z');
    assert.equal(manifest.layers.length, 1);
    assert.equal(config.rootfs.diff_ids.length, 1);
    assert.equal(config.history.filter((h) => !h.empty_layer).length, 1);
    assert.equal(config.os, 'linux');
    assert.equal(config.architecture, 'amd64');
  });

  test('the layer is a well-formed tar that ends properly', () => {
    assert.ok(layer.sawEnd, 'two zero blocks end the archive');
    for (const e of layer.entries) {
      assert.ok(e.checksumOk, `header checksum of ${e.path}`);
      assert.ok(e.ustar, `${e.path} has a ustar header`);
    }
  });

  test('entries are sorted, parents first, no duplicates', () => {
    const names = paths().map((p) => p.replace(/\/$/, ''));
    const sorted = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(names, sorted);
    assert.equal(new Set(names).size, names.length);
    for (const [i, name] of names.entries()) {
      const parts = name.split('/');
      for (let k = 1; k < parts.length; k++) {
        const parent = parts.slice(0, k).join('/');
        const at = names.indexOf(parent);
        assert.ok(at !== -1 && at < i, `parent ${parent}/ of ${name} comes before it`);
        assert.equal(entry(`${parent}/`)?.type, 'dir');
      }
    }
    for (const dir of [
      'app/',
      'app/src/',
      'app/src/hello/',
      'usr/',
      'usr/local/',
      'usr/local/bin/',
    ]) {
      assert.equal(entry(dir)?.type, 'dir', `${dir} is present`);
    }
  });

  test('owner root with empty names, mtime SOURCE_DATE_EPOCH', () => {
    for (const e of layer.entries) {
      // The default non-root user's home is the one entry that user owns.
      const owner = e.path === 'home/nonroot/' ? 65532 : 0;
      assert.deepEqual(
        { uid: e.uid, gid: e.gid, uname: e.uname, gname: e.gname, mtime: e.mtime },
        { uid: owner, gid: owner, uname: '', gname: '', mtime: EPOCH },
        e.path,
      );
    }
  });

  test('modes: files 0644, dirs 0755, executables 0755; private files stay private', () => {
    for (const e of layer.entries) {
      if (e.type === 'dir') assert.equal(e.mode, 0o755, e.path);
    }
    const expect = {
      'app/README.md': 0o644,
      'app/src/hello/cli.py': 0o644,
      'app/data/notes.txt': 0o600,
      'app/data/shared.txt': 0o644,
      'app/private/secret-ish.txt': 0o644,
      'app/private/': 0o755,
      'app/scripts/run.sh': 0o755,
      'app/scripts/owner-only.sh': 0o700,
      'usr/local/bin/hello': 0o755,
    };
    for (const [p, mode] of Object.entries(expect)) {
      assert.equal(entry(p)?.mode?.toString(8), mode.toString(8), p);
    }
    assert.equal(entry('app/scripts/run.sh').type, 'file');
  });

  test('file contents are the context files', () => {
    for (const rel of ['README.md', 'pyproject.toml', 'src/hello/cli.py', 'data/notes.txt']) {
      const e = entry(`app/${rel}`);
      assert.ok(e, `app/${rel} is in the layer`);
      assert.ok(e.data.equals(fs.readFileSync(path.join(ctx, rel))), rel);
      assert.equal(e.size, e.data.length);
    }
  });

  test('default-excluded paths are absent, normal files present', () => {
    const all = paths();
    const banned = [
      /^app\/\.git(\/|$)/,
      /^app\/\.venv(\/|$)/,
      /^app\/myenv(\/|$)/,
      /__pycache__/,
      /\.py[co]$/,
      /(^|\/)\.env$/,
      /(^|\/)\.env\./,
      /^app\/dist(\/|$)/,
      /^app\/build(\/|$)/,
      /\.egg-info(\/|$)/,
      /node_modules/,
      /\.pytest_cache|\.mypy_cache|\.ruff_cache|\.tox/,
    ];
    for (const p of all) {
      for (const re of banned) assert.doesNotMatch(p, re, `${p} should be excluded`);
    }
    for (const p of [
      'app/pyproject.toml',
      'app/src/hello/__init__.py',
      'app/src/hello/cli.py',
      'app/src/hello/.hidden-config',
      'app/data/notes.txt',
      'app/scripts/run.sh',
    ]) {
      assert.ok(all.includes(p), `${p} is in the layer`);
    }
    assert.ok(
      result.plan.excluded.length >= 15,
      `excluded: ${JSON.stringify(result.plan.excluded)}`,
    );
  });

  test('an output dir inside the context is left out of the next build', () => {
    const inner = copyExample(path.join(tmp, 'inner'));
    const innerOut = path.join(inner, 'out');
    const a = build(['--context', inner, '--base-image', 'scratch', '--output', innerOut]);
    const b = build(['--context', inner, '--base-image', 'scratch', '--output', innerOut]);
    assert.equal(b.manifestDigest, a.manifestDigest);
    const tar = readLayerTar(innerOut, b.layers[0].digest);
    assert.ok(
      !tar.entries.some((e) => e.path.startsWith('app/out')),
      'app/out is not in the layer',
    );
  });

  // Regression (fixed): the output dir is matched by its spelled path only. When the context
  // and --output name the same place through different paths (here a symlink
  // to the context's parent), the previous layout goes into the image.
  test('an output dir inside the context is left out even when reached through a symlink', () => {
    const real = path.join(tmp, 'alias-real');
    const inner = copyExample(real);
    const alias = path.join(tmp, 'alias-link');
    fs.symlinkSync(real, alias);
    const innerOut = path.join(alias, 'hello-cli', 'out');
    const a = build(['--context', inner, '--base-image', 'scratch', '--output', innerOut]);
    const b = build(['--context', inner, '--base-image', 'scratch', '--output', innerOut]);
    const tar = readLayerTar(innerOut, b.layers[0].digest);
    const leaked = tar.entries.map((e) => e.path).filter((p) => p.startsWith('app/out'));
    assert.deepEqual(leaked, [], 'the previous layout must not be packed into the image');
    assert.equal(b.manifestDigest, a.manifestDigest);
  });

  test('long paths are stored in full (PAX) and read back', () => {
    const long = copyExample(path.join(tmp, 'long'));
    const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(60)}`;
    const name = `${'n'.repeat(150)}.txt`;
    fs.mkdirSync(path.join(long, deep), { recursive: true });
    fs.writeFileSync(path.join(long, deep, name), 'deep\n');
    const longOut = path.join(tmp, 'long-out');
    const r = build(['--context', long, '--base-image', 'scratch', '--output', longOut]);
    const tar = readLayerTar(longOut, r.layers[0].digest);
    const e = tar.entries.find((x) => x.path === `app/${deep}/${name}`);
    assert.ok(e, 'the long path is in the layer');
    assert.equal(e.data.toString(), 'deep\n');
    const tv = runTool('tar', [
      '-tzf',
      path.join(longOut, 'blobs', ...r.layers[0].digest.split(':')),
    ]);
    assert.equal(tv.code, 0, tv.stderr);
    assert.ok(tv.stdout.split('\n').includes(`app/${deep}/${name}`), 'GNU tar reads the long path');
  });

  // Regression (fixed): a non-ASCII file name whose path does not fit ustar fails the build
  // with "path too long for a tar entry" although PAX holds it (the ustar
  // stand-in name is cut to 90 characters, which is up to 360 bytes).
  test('a long non-ASCII file name builds (PAX path)', () => {
    const dir = copyExample(path.join(tmp, 'unicode'));
    const name = `${'文'.repeat(60)}.txt`; // 184 bytes in UTF-8, well under NAME_MAX (255)
    fs.writeFileSync(path.join(dir, name), 'unicode\n');
    const uOut = path.join(tmp, 'unicode-out');
    const r = runCli([
      'build',
      '--context',
      dir,
      '--base-image',
      'scratch',
      '--output',
      uOut,
      '--json',
    ]);
    assert.equal(r.code, 0, describeRun(r));
    const tar = readLayerTar(uOut, r.json.layers[0].digest);
    const e = tar.entries.find((x) => x.path === `app/${name}`);
    assert.ok(e, 'the file is in the layer under its full name');
    assert.equal(e.data.toString(), 'unicode\n');
  });

  test('tar -tvzf agrees on owners, modes and dates', () => {
    requireTools('tar');
    const blob = readBlob(out, result.layers[0].digest);
    assert.ok(blob.length > 0);
    const r = runTool(
      'tar',
      ['-tvzf', path.join(out, 'blobs', ...result.layers[0].digest.split(':')), '--numeric-owner'],
      { env: { ...process.env, TZ: 'UTC' } },
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, layer.entries.length);
    for (const line of lines) {
      const owner = line.endsWith(' home/nonroot/') ? '65532/65532' : '0/0';
      assert.match(
        line,
        new RegExp(
          `^(?:[-d]r[-w][-x](?:r-[-x]r-[-x]|------)|lrwxrwxrwx) ${owner} +\\d+ 2023-11-14 22:13 `,
        ),
        line,
      );
    }
  });
});
