// Multi-platform builds (issue 14): `--platform linux/amd64,linux/arm64`
// makes one image per platform, each on the base's image for it with its own
// wheels, the app layer shared, listed in one OCI image index. The index goes
// to the layout and through a real registry, where skopeo picks the arm64
// image; each platform unpacks with umoci, and the arm64 one runs under qemu.
//
// The two-platform base is composed here from the Debian bases
// tests/infra/base-image.sh makes (amd64, and arm64 built under qemu when this
// machine can run arm64 code, else the synthetic arm64 probe image). The
// dependencies are the deps fixture's uv.lock, with real wheels from the
// package index, cached with deps.test.mjs's.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startRegistry } from '../infra/registry.mjs';
import { skopeoOk } from '../infra/seed.mjs';
import {
  BASE_TAG,
  build,
  canRunArm64,
  copyExample,
  describeRun,
  makeTempDir,
  OCI_INDEX,
  REF_NAME,
  ROOT,
  readBlob,
  readBlobJson,
  readIndex,
  readLayerTar,
  removeDir,
  requireRoot,
  requireTools,
  runCli,
  runInImage,
  runTool,
  sha256Hex,
  twoPlatformBase,
} from './helpers.mjs';

const APP = path.join(ROOT, 'tests', 'fixtures', 'deps', 'fastapi-app');
const CACHE = path.join(
  process.env.PYCONTAINER_TEST_CACHE ??
    path.join(process.env.HOME ?? '/tmp', '.cache', 'pycontainer-test'),
  'deps-cache',
);
const BOTH = 'linux/amd64,linux/arm64';
// The real arm64 base needs arm64 code to run here, to build it and to run
// what is built on it; without that, the probe image stands in and nothing runs.
const ARM_RUNS = canRunArm64();

let tmp;
let base;
let project;

/** The layout's entry for `tag` and the index it points at. */
function tagged(layout, tag) {
  const entry = readIndex(layout).manifests.find((m) => m.annotations?.[REF_NAME] === tag);
  assert.ok(entry, `no tag ${tag} in ${layout}`);
  return { entry, index: readBlobJson(layout, entry.digest) };
}

/** The deps fixture with its uv.lock, which pins wheels for every platform. */
function copyProject(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['pyproject.toml', 'deps_demo', 'uv.lock']) {
    fs.cpSync(path.join(APP, f), path.join(dir, f), { recursive: true });
  }
  return dir;
}

/**
 * `build --json` of `context` (the project by default) on the two-platform
 * base; resolves {json, seconds}.
 */
function timedBuild(out, platform, extra = [], context = project) {
  const args = [
    '--context',
    context,
    '--base-image',
    `oci:${base}:${BASE_TAG}`,
    '--output',
    out,
    '--tag',
    'app:1',
    '--cache-dir',
    CACHE,
    '--platform',
    platform,
    ...extra,
  ];
  const start = process.hrtime.bigint();
  const json = build(args);
  return { json, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** The native wheel tags and the ELF machines of the .so files of a deps layer. */
function nativeParts(layout, digest) {
  const tar = readLayerTar(layout, digest);
  const tags = tar.entries
    .filter((e) => e.path.endsWith('.dist-info/WHEEL'))
    .flatMap((e) => [...e.data.toString().matchAll(/^Tag: (.+)$/gm)].map((m) => m[1]))
    .filter((t) => !t.endsWith('-any'));
  const machines = new Set(
    tar.entries.filter((e) => e.path.endsWith('.so')).map((e) => e.data.readUInt16LE(18)),
  );
  return { tags, machines: [...machines] };
}

before(() => {
  requireTools('skopeo', 'umoci');
  tmp = makeTempDir('pycontainer-e2e-multi-');
  base = twoPlatformBase(path.join(tmp, 'base'), ARM_RUNS);
  project = copyProject(path.join(tmp, 'app'));
});

after(() => removeDir(tmp));

describe('--platform linux/amd64,linux/arm64 on a two-platform base', { concurrency: 1 }, () => {
  let out;
  let result;
  let index;

  before(() => {
    out = path.join(tmp, 'out');
    result = timedBuild(out, BOTH).json;
    index = tagged(out, '1').index;
  });

  test('the tag names an index with one manifest per platform, as --json says', () => {
    const { entry } = tagged(out, '1');
    assert.equal(entry.mediaType, OCI_INDEX);
    assert.equal(entry.digest, result.manifestDigest);
    assert.deepEqual(
      index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`),
      ['linux/amd64', 'linux/arm64'],
    );
    assert.deepEqual(
      result.platforms.map((p) => [p.platform, p.manifestDigest]),
      index.manifests.map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]),
    );
    const raw = runTool('skopeo', ['inspect', '--raw', `oci:${out}:1`]);
    assert.equal(raw.code, 0, raw.stderr);
    assert.equal(`sha256:${sha256Hex(Buffer.from(raw.stdout))}`, result.manifestDigest);
    // Each image's config is for its platform, on that platform's base.
    for (const m of index.manifests) {
      const manifest = readBlobJson(out, m.digest);
      const config = readBlobJson(out, manifest.config.digest);
      assert.equal(config.architecture, m.platform.architecture);
      const baseDigest = result.platforms.find(
        (p) => p.platform === `linux/${m.platform.architecture}`,
      ).baseDigest;
      assert.equal(manifest.annotations['org.opencontainers.image.base.digest'], baseDigest);
    }
  });

  test('the index and each manifest carry the org.opencontainers.image annotations', () => {
    assert.equal(index.annotations['org.opencontainers.image.title'], 'deps-demo');
    assert.equal(index.annotations['org.opencontainers.image.version'], '0.1.0');
    assert.equal(index.annotations['org.opencontainers.image.created'], '1970-01-01T00:00:00Z');
    assert.equal(index.annotations['org.opencontainers.image.base.digest'], undefined);
    for (const m of index.manifests) {
      const a = readBlobJson(out, m.digest).annotations;
      assert.equal(a['org.opencontainers.image.title'], 'deps-demo');
      assert.match(a['org.opencontainers.image.base.digest'], /^sha256:/);
    }
  });

  test('the app layer is shared; the base and the venv layer are per platform', () => {
    const [amd, arm] = index.manifests.map((m) => readBlobJson(out, m.digest).layers);
    assert.equal(amd.at(-1).digest, arm.at(-1).digest, 'one app layer');
    assert.notEqual(amd.at(-2).digest, arm.at(-2).digest, 'a venv layer each');
    assert.notEqual(amd[0].digest, arm[0].digest, 'a base each');
  });

  test('each venv holds its platform’s wheels: aarch64 for arm64, x86_64 for amd64', () => {
    const expected = { amd64: ['x86_64', 0x3e], arm64: ['aarch64', 0xb7] };
    for (const m of index.manifests) {
      const [machine, elf] = expected[m.platform.architecture];
      const layers = readBlobJson(out, m.digest).layers;
      const { tags, machines } = nativeParts(out, layers.at(-2).digest);
      assert.ok(tags.length >= 5, tags.join(' '));
      for (const t of tags) assert.ok(t.endsWith(`_${machine}`), `${machine} wheel: ${t}`);
      assert.deepEqual(machines, [elf], `.so files of ${m.platform.architecture}`);
    }
  });

  test('skopeo copy --override-arch picks each platform, which umoci unpacks', () => {
    requireRoot();
    for (const arch of ['amd64', 'arm64']) {
      const single = path.join(tmp, `single-${arch}`);
      const copied = runTool('skopeo', [
        'copy',
        '--override-arch',
        arch,
        `oci:${out}:1`,
        `oci:${single}:${arch}`,
      ]);
      assert.equal(copied.code, 0, copied.stderr);
      const bundle = path.join(tmp, `bundle-${arch}`);
      const r = runTool('umoci', ['unpack', '--image', `${single}:${arch}`, bundle]);
      assert.equal(r.code, 0, r.stderr);
      const venv = path.join(
        bundle,
        'rootfs',
        'app',
        '.venv',
        'lib',
        'python3.11',
        'site-packages',
      );
      assert.ok(fs.existsSync(path.join(venv, 'pydantic_core')), `pydantic_core in ${arch}`);
      assert.ok(fs.existsSync(path.join(bundle, 'rootfs', 'app', 'deps_demo')), `app in ${arch}`);
    }
  });

  test('the arm64 image runs under qemu-user-static with runc', (t) => {
    if (!ARM_RUNS) {
      t.skip('binfmt_misc has no enabled qemu-aarch64 entry here, so aarch64 code cannot run');
      return;
    }
    requireRoot();
    const single = path.join(tmp, 'single-arm64');
    assert.ok(fs.existsSync(single), 'the skopeo copy test made the arm64 layout');
    const r = runInImage(
      single,
      'arm64',
      [
        '/app/.venv/bin/python',
        '-c',
        'import platform, pydantic_core, uvloop; print(platform.machine(), pydantic_core.__version__)',
      ],
      { replace: true },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'aarch64 2.50.4');
  });

  test('each image equals its single-platform build; the times of both ways', (t) => {
    const singles = ['linux/amd64', 'linux/arm64'].map((p) =>
      timedBuild(path.join(tmp, `one-${p.replace('/', '-')}`), p),
    );
    const again = timedBuild(path.join(tmp, 'out-again'), BOTH);
    assert.equal(again.json.manifestDigest, result.manifestDigest, 'reproducible');
    assert.deepEqual(
      singles.map((s) => s.json.manifestDigest),
      result.platforms.map((p) => p.manifestDigest),
    );
    const sum = singles.reduce((s, x) => s + x.seconds, 0);
    const line = `two-platform build ${again.seconds.toFixed(2)} s; single builds ${singles.map((s) => s.seconds.toFixed(2)).join(' s + ')} s = ${sum.toFixed(2)} s (warm cache)`;
    t.diagnostic(line);
    console.log(`multiplatform timing: ${line}`);
  });

  test('--platform all is every platform of the base: the same index', () => {
    const planned = path.join(tmp, 'all-dry');
    const dry = timedBuild(planned, 'all', ['--dry-run']).json;
    assert.equal(dry.dryRun, true);
    assert.deepEqual(
      dry.platforms.map((p) => p.platform),
      ['linux/amd64', 'linux/arm64'],
    );
    assert.ok(!fs.existsSync(planned), 'a dry run writes nothing');
    const all = timedBuild(path.join(tmp, 'all'), 'all').json;
    assert.equal(all.manifestDigest, result.manifestDigest);
  });

  test('a platform the base lacks fails, listing those it offers, with nothing written', () => {
    const failed = path.join(tmp, 'not-offered');
    const r = runCli([
      'build',
      '--context',
      project,
      '--base-image',
      `oci:${base}:${BASE_TAG}`,
      '--output',
      failed,
      '--cache-dir',
      CACHE,
      '--platform',
      'linux/amd64,linux/s390x',
    ]);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, /linux\/s390x/);
    assert.match(r.stderr, /linux\/amd64/);
    assert.match(r.stderr, /linux\/arm64/);
    assert.ok(!fs.existsSync(failed), 'no layout');
  });
});

/**
 * `name==version` of every .dist-info METADATA in the image's layers, as
 * pip would list them in the container (no layer here whites one out).
 */
function distInfosOf(layout, manifestDigest) {
  const found = new Set();
  for (const layer of readBlobJson(layout, manifestDigest).layers) {
    for (const e of readLayerTar(layout, layer.digest).entries) {
      assert.ok(!/\.wh\.[^/]*\.dist-info/.test(e.path), `a whiteout of a dist-info: ${e.path}`);
      if (!e.path.endsWith('.dist-info/METADATA')) continue;
      const text = e.data.toString('utf8');
      const name = text.match(/^Name: (.+)$/m)[1].trim();
      const version = text.match(/^Version: (.+)$/m)[1].trim();
      found.add(`${name.toLowerCase().replace(/[-_.]+/g, '-')}==${version}`);
    }
  }
  return [...found].sort();
}

/** `name==version` of an SPDX document's pypi purls. */
function pypiOf(spdx) {
  return spdx.packages
    .flatMap((p) => (p.externalRefs ?? []).map((r) => r.referenceLocator))
    .flatMap((purl) => {
      const m = purl.match(/^pkg:pypi\/([^@]+)@(.+)$/);
      return m ? [`${decodeURIComponent(m[1])}==${decodeURIComponent(m[2])}`] : [];
    })
    .sort();
}

describe('SBOMs and an oci-archive of a two-platform build', { concurrency: 1 }, () => {
  let out;
  let result;

  before(() => {
    out = path.join(tmp, 'sbom-out');
    result = timedBuild(out, BOTH, ['--sbom', 'spdx,cyclonedx']).json;
  });

  test('one SBOM per platform beside the layout, each listing exactly its image’s distributions', () => {
    const names = ['linux-amd64', 'linux-arm64'].flatMap((p) => [
      `${out}.${p}.spdx.json`,
      `${out}.${p}.cdx.json`,
    ]);
    assert.deepEqual(result.sbom, names);
    for (const [i, p] of result.platforms.entries()) {
      const spdx = JSON.parse(fs.readFileSync(result.sbom[2 * i], 'utf8'));
      const image = spdx.packages.find((x) => x.SPDXID === spdx.documentDescribes[0]);
      assert.equal(`sha256:${image.checksums[0].checksumValue}`, p.manifestDigest, p.platform);
      assert.deepEqual(pypiOf(spdx), distInfosOf(out, p.manifestDigest), p.platform);
      const core = spdx.packages.find((x) => x.name === 'pydantic-core');
      const machine = p.platform === 'linux/arm64' ? 'aarch64' : 'x86_64';
      assert.match(core.downloadLocation, new RegExp(`_${machine}\\.whl$`), p.platform);
      const cdx = JSON.parse(fs.readFileSync(result.sbom[2 * i + 1], 'utf8'));
      assert.deepEqual(
        cdx.components
          .filter((c) => c.purl?.startsWith('pkg:pypi/'))
          .map((c) => c.purl)
          .sort(),
        spdx.packages
          .flatMap((x) => (x.externalRefs ?? []).map((r) => r.referenceLocator))
          .filter((purl) => purl.startsWith('pkg:pypi/'))
          .sort(),
      );
    }
  });

  test('each platform’s SBOMs are referrers of its own manifest in the layout', () => {
    const referrers = readIndex(out).manifests.filter((d) => d.artifactType !== undefined);
    assert.equal(referrers.length, 4);
    const subjects = referrers.map((d) => readBlobJson(out, d.digest).subject.digest);
    assert.deepEqual(
      subjects,
      result.platforms.flatMap((p) => [p.manifestDigest, p.manifestDigest]),
    );
    const validated = runCli(['validate', out]);
    assert.equal(validated.code, 0, describeRun(validated));
  });

  test('--format oci-archive holds the index whole: skopeo reads it and picks arm64', () => {
    const file = path.join(tmp, 'two.tar');
    const json = timedBuild(file, BOTH, ['--format', 'oci-archive', '--sbom', 'spdx']).json;
    assert.equal(json.manifestDigest, result.manifestDigest, 'the same index as the layout');
    assert.deepEqual(json.sbom, [`${file}.linux-amd64.spdx.json`, `${file}.linux-arm64.spdx.json`]);
    const raw = runTool('skopeo', ['inspect', '--raw', `oci-archive:${file}:1`]);
    assert.equal(raw.code, 0, raw.stderr);
    assert.equal(`sha256:${sha256Hex(Buffer.from(raw.stdout))}`, result.manifestDigest);
    const listed = JSON.parse(runTool('tar', ['-xOf', file, 'index.json']).stdout).manifests;
    assert.deepEqual(
      listed.map((d) => d.artifactType ?? d.annotations[REF_NAME]),
      ['1', 'application/spdx+json', 'application/spdx+json'],
    );
    const arm = path.join(tmp, 'from-archive');
    const copied = runTool('skopeo', [
      'copy',
      '--override-arch',
      'arm64',
      `oci-archive:${file}:1`,
      `oci:${arm}:arm64`,
    ]);
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(tagged(arm, 'arm64').entry.digest, result.platforms[1].manifestDigest);
  });
});

describe('resolving [project.dependencies] for two platforms', { concurrency: 1 }, () => {
  let dir;
  let first;

  before(() => {
    dir = path.join(tmp, 'resolve');
    fs.mkdirSync(dir);
    for (const f of ['pyproject.toml', 'deps_demo']) {
      fs.cpSync(path.join(APP, f), path.join(dir, f), { recursive: true });
    }
    first = timedBuild(path.join(tmp, 'resolve-out'), BOTH, [], dir).json;
  });

  test('one pylock.toml lists each platform’s wheels, shipped in the one app layer', () => {
    const lock = fs.readFileSync(path.join(dir, 'pylock.toml'), 'utf8');
    assert.match(lock, /^created-by = "pycontainer"$/m);
    assert.match(lock, /pydantic_core-[^"]*manylinux[^"]*_x86_64\.whl/);
    assert.match(lock, /pydantic_core-[^"]*manylinux[^"]*_aarch64\.whl/);
    assert.equal(first.platforms[0].dependencies.writesLock, path.join(dir, 'pylock.toml'));
    const out = path.join(tmp, 'resolve-out');
    const [amd, arm] = tagged(out, '1').index.manifests.map((m) => readBlobJson(out, m.digest));
    assert.equal(amd.layers.at(-1).digest, arm.layers.at(-1).digest, 'one app layer');
    const shipped = readLayerTar(out, amd.layers.at(-1).digest).entries.find(
      (e) => e.path === 'app/pylock.toml',
    );
    assert.ok(shipped, 'the app layer holds the lock');
    assert.equal(shipped.data.toString('utf8'), lock);
  });

  test('a rebuild for the same platforms with --locked is clean: the same index', () => {
    const before = fs.readFileSync(path.join(dir, 'pylock.toml'), 'utf8');
    const again = timedBuild(path.join(tmp, 'resolve-again'), BOTH, ['--locked'], dir).json;
    assert.equal(again.manifestDigest, first.manifestDigest);
    assert.equal(again.platforms[0].dependencies.writesLock, undefined);
    assert.equal(fs.readFileSync(path.join(dir, 'pylock.toml'), 'utf8'), before);
  });
});

describe('an app-only image on scratch', () => {
  test('one app layer under two platforms’ configs', () => {
    const ctx = copyExample(path.join(tmp, 'scratch'));
    const out = path.join(tmp, 'scratch-out');
    const json = build([
      '--context',
      ctx,
      '--base-image',
      'scratch',
      '--output',
      out,
      '--platform',
      'linux/arm64,linux/amd64',
    ]);
    const { entry, index } = tagged(out, 'latest');
    assert.equal(entry.digest, json.manifestDigest);
    const images = index.manifests.map((m) => readBlobJson(out, m.digest));
    assert.deepEqual(
      images.map((m) => readBlobJson(out, m.config.digest).architecture),
      ['arm64', 'amd64'],
    );
    assert.equal(images[0].layers.length, 1);
    assert.deepEqual(images[0].layers, images[1].layers);
    assert.ok(readBlob(out, images[0].layers[0].digest).length > 0);
  });
});

describe('through a registry', () => {
  let reg;

  before(async () => {
    reg = await startRegistry();
  });

  after(async () => {
    await reg?.stop();
  });

  test('the index is pushed after its manifests; skopeo reads it and picks arm64', async () => {
    const ref = `${reg.host}/multi/app:1`;
    const json = build([
      '--context',
      project,
      '--base-image',
      `oci:${base}:${BASE_TAG}`,
      '--cache-dir',
      CACHE,
      '--platform',
      BOTH,
      '--push',
      '--tag',
      ref,
      '--output',
      path.join(tmp, 'pushed-layout'),
      '--sbom',
      'spdx',
      '--digest-file',
      path.join(tmp, 'pushed.digest'),
    ]);
    assert.equal(fs.readFileSync(path.join(tmp, 'pushed.digest'), 'utf8'), json.manifestDigest);
    // docker-registry 2.8 has no referrers API: each platform's SBOM is
    // listed by the tag fallback for its own manifest.
    for (const p of json.platforms) {
      const fallback = `${reg.host}/multi/app:sha256-${p.manifestDigest.slice(7)}`;
      const listed = runTool('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${fallback}`,
      ]);
      assert.equal(listed.code, 0, listed.stderr);
      const [sbom] = JSON.parse(listed.stdout).manifests;
      assert.equal(sbom.artifactType, 'application/spdx+json', p.platform);
      const artifact = runTool('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${reg.host}/multi/app@${sbom.digest}`,
      ]);
      assert.equal(JSON.parse(artifact.stdout).subject.digest, p.manifestDigest, p.platform);
    }
    assert.deepEqual(
      json.pushed.map((p) => [p.reference, p.digest]),
      [[`${ref}@${json.manifestDigest}`, json.manifestDigest]],
    );
    const raw = runTool('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
    assert.equal(raw.code, 0, raw.stderr);
    const pushed = JSON.parse(raw.stdout);
    assert.equal(pushed.mediaType, OCI_INDEX);
    assert.equal(`sha256:${sha256Hex(Buffer.from(raw.stdout))}`, json.manifestDigest);
    assert.deepEqual(
      pushed.manifests.map((m) => m.digest),
      json.platforms.map((p) => p.manifestDigest),
    );
    const arm = path.join(tmp, 'pulled-arm64');
    await skopeoOk([
      'copy',
      '--src-tls-verify=false',
      '--override-arch',
      'arm64',
      `docker://${ref}`,
      `oci:${arm}:arm64`,
    ]);
    const { entry } = tagged(arm, 'arm64');
    assert.equal(entry.digest, json.platforms[1].manifestDigest);
    const config = readBlobJson(arm, readBlobJson(arm, entry.digest).config.digest);
    assert.equal(config.architecture, 'arm64');
  });
});
