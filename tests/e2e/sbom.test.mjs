// SBOMs of what is really in the image (issue 14): the fastapi fixture built
// on the Debian base with --sbom spdx,cyclonedx. Both documents validate
// against the official JSON schemas; they list exactly the distributions
// whose .dist-info directories the unpacked image holds and exactly the
// packages dpkg-query finds in its rootfs; a second build gives the same
// bytes. The layout lists both as referrers of the image, and a push
// attaches them in the registry (the sha256-<hex> tag fallback).
//
// Schemas: CycloneDX 1.6 from @cyclonedx/cyclonedx-library's res/schema
// (Apache-2.0); SPDX 2.3 committed as tests/fixtures/sbom/spdx-schema-2.3.json
// (see the README beside it for its source and licence).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';

import { startRegistry } from '../infra/registry.mjs';
import {
  BASE_TAG,
  baseLayout,
  baseRef,
  build,
  describeRun,
  makeTempDir,
  ROOT,
  readBlob,
  readBlobJson,
  readImage,
  readIndex,
  removeDir,
  requireRoot,
  requireTools,
  runCli,
  runTool,
  sha256Hex,
} from './helpers.mjs';

const APP = path.join(ROOT, 'tests', 'fixtures', 'deps', 'fastapi-app');
const CACHE = path.join(
  process.env.PYCONTAINER_TEST_CACHE ??
    path.join(process.env.HOME ?? '/tmp', '.cache', 'pycontainer-test'),
  'deps-cache',
);
const EPOCH = 1700000000;
const require = createRequire(import.meta.url);
const CDX_SCHEMAS = path.join(
  path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')),
  'res',
  'schema',
);

let tmp;
let project;

before(() => {
  requireTools('umoci', 'dpkg-query');
  requireRoot();
  tmp = makeTempDir('pycontainer-e2e-sbom-');
  project = path.join(tmp, 'app');
  fs.mkdirSync(project);
  for (const f of ['pyproject.toml', 'deps_demo', 'pylock.toml']) {
    fs.cpSync(path.join(APP, f), path.join(project, f), { recursive: true });
  }
});

after(() => removeDir(tmp));

/** Builds the fixture into `out` with --sbom; returns the --json result. */
function buildWithSbom(out) {
  const args = [
    '--context',
    project,
    '--base-image',
    baseRef(),
    '--output',
    out,
    '--tag',
    'sbom:1',
  ];
  args.push('--cache-dir', CACHE, '--sbom', 'spdx,cyclonedx');
  return build(args, { env: { SOURCE_DATE_EPOCH: String(EPOCH) } });
}

/** Formats ajv-formats leaves out: checked here as RFC 3987 asks, loosely. */
function addIriFormats(ajv) {
  ajv.addFormat('iri-reference', (s) => {
    try {
      new URL(s, 'http://base.invalid/');
      return true;
    } catch {
      return false;
    }
  });
  ajv.addFormat('idn-email', (s) => /^[^@\s]+@[^@\s]+$/.test(s));
}

function cyclonedxValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  addIriFormats(ajv);
  const read = (name) => JSON.parse(fs.readFileSync(path.join(CDX_SCHEMAS, name), 'utf8'));
  // The library renames the files to *.SNAPSHOT.*; the bom schema's relative
  // $refs name them so, while their $id keeps the published name.
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    ajv.addSchema({ ...read(name), $id: `http://cyclonedx.org/schema/${name}` });
  }
  return ajv.compile(read('bom-1.6.SNAPSHOT.schema.json'));
}

function spdxValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  const schema = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', 'sbom', 'spdx-schema-2.3.json'), 'utf8'),
  );
  return ajv.compile(schema);
}

function assertValid(validate, doc, what) {
  const ok = validate(doc);
  assert.ok(ok, `${what} is not valid: ${JSON.stringify(validate.errors?.slice(0, 5), null, 2)}`);
}

/** Every .dist-info under the rootfs: normalised `name==version` from its METADATA. */
function distInfos(rootfs) {
  const found = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (!e.isDirectory() || e.isSymbolicLink()) continue;
      if (e.name.endsWith('.dist-info')) {
        const text = fs.readFileSync(path.join(p, 'METADATA'), 'utf8');
        const name = text.match(/^Name: (.+)$/m)[1].trim();
        const version = text.match(/^Version: (.+)$/m)[1].trim();
        found.push(`${name.toLowerCase().replace(/[-_.]+/g, '-')}==${version}`);
      } else if (!['proc', 'sys', 'dev'].includes(e.name) || dir !== rootfs) {
        walk(p);
      }
    }
  };
  walk(rootfs);
  return found.sort();
}

/** `name==version` of the pypi purls, and `name version` of the deb purls. */
function fromPurls(purls) {
  const decode = (s) => decodeURIComponent(s);
  const python = [];
  const debs = [];
  for (const purl of purls) {
    let m = purl.match(/^pkg:pypi\/([^@]+)@(.+)$/);
    if (m) python.push(`${decode(m[1])}==${decode(m[2])}`);
    m = purl.match(/^pkg:deb\/debian\/([^@]+)@([^?]+)\?arch=[^&]+&distro=debian-12$/);
    if (m) debs.push(`${decode(m[1])} ${decode(m[2])}`);
  }
  return { python: python.sort(), debs: debs.sort() };
}

describe('--sbom spdx,cyclonedx on the Debian base', () => {
  let out;
  let result;
  let rootfs;

  before(() => {
    out = path.join(tmp, 'out');
    result = buildWithSbom(out);
    const bundle = path.join(tmp, 'bundle');
    const r = runTool('umoci', ['unpack', '--image', `${out}:1`, bundle]);
    assert.equal(r.code, 0, r.stderr);
    rootfs = path.join(bundle, 'rootfs');
  });

  test('writes both files beside the layout and names them in the result', () => {
    assert.deepEqual(result.sbom, [`${out}.spdx.json`, `${out}.cdx.json`]);
    for (const f of result.sbom) assert.ok(fs.statSync(f).size > 0, f);
  });

  test('the SPDX document validates against the SPDX 2.3 schema and lists exactly what is inside', () => {
    const doc = JSON.parse(fs.readFileSync(`${out}.spdx.json`, 'utf8'));
    assertValid(spdxValidator(), doc, 'the SPDX document');
    assert.equal(
      doc.creationInfo.created,
      new Date(EPOCH * 1000).toISOString().replace('.000Z', 'Z'),
    );
    const purls = doc.packages.flatMap((p) =>
      (p.externalRefs ?? []).map((r) => r.referenceLocator),
    );
    const { python, debs } = fromPurls(purls);
    assert.deepEqual(python, distInfos(rootfs));
    const dpkg = runTool('dpkg-query', [
      '-W',
      `--admindir=${path.join(rootfs, 'var/lib/dpkg')}`,
      '-f',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax
      '${Package} ${Version}\n',
    ]);
    assert.equal(dpkg.code, 0, dpkg.stderr);
    const expected = dpkg.stdout
      .split('\n')
      .filter((l) => l !== '')
      .sort();
    assert.ok(expected.length > 50, `dpkg-query found ${expected.length} packages`);
    assert.deepEqual(debs, expected);
    const image = doc.packages.find((p) => p.SPDXID === doc.documentDescribes[0]);
    assert.equal(
      `sha256:${image.checksums[0].checksumValue}`,
      readImage(out, '1').descriptor.digest,
    );
    const fastapi = doc.packages.find((p) => p.name === 'fastapi');
    assert.match(fastapi.downloadLocation, /^https:\/\/.+\/fastapi-[^/]+\.whl$/);
    assert.match(fastapi.checksums[0].checksumValue, /^[0-9a-f]{64}$/);
    assert.equal(fastapi.licenseDeclared, 'MIT');
  });

  test('the CycloneDX document validates against the CycloneDX 1.6 schema and lists the same', () => {
    const doc = JSON.parse(fs.readFileSync(`${out}.cdx.json`, 'utf8'));
    assertValid(cyclonedxValidator(), doc, 'the CycloneDX document');
    const { python, debs } = fromPurls(doc.components.map((c) => c.purl));
    assert.deepEqual(python, distInfos(rootfs));
    const spdx = JSON.parse(fs.readFileSync(`${out}.spdx.json`, 'utf8'));
    const fromSpdx = fromPurls(
      spdx.packages.flatMap((p) => (p.externalRefs ?? []).map((r) => r.referenceLocator)),
    );
    assert.deepEqual(debs, fromSpdx.debs);
    assert.equal(doc.metadata.component.type, 'container');
    assert.ok(doc.components.some((c) => c.type === 'application' && c.name === 'deps-demo'));
  });

  test('the layout lists each SBOM as a referrer of the image, and stays usable untagged', () => {
    const image = readImage(out, '1').descriptor;
    const referrers = readIndex(out).manifests.filter((d) => d.artifactType !== undefined);
    assert.deepEqual(
      referrers.map((d) => d.artifactType),
      ['application/spdx+json', 'application/vnd.cyclonedx+json'],
    );
    for (const [d, file] of referrers.map((d, i) => [d, result.sbom[i]])) {
      assert.equal(d.annotations, undefined, 'referrers are untagged');
      const manifest = readBlobJson(out, d.digest);
      assert.equal(manifest.artifactType, d.artifactType);
      assert.deepEqual(manifest.subject, {
        mediaType: image.mediaType,
        digest: image.digest,
        size: image.size,
      });
      assert.equal(manifest.config.mediaType, 'application/vnd.oci.empty.v1+json');
      assert.equal(manifest.layers.length, 1);
      assert.equal(manifest.layers[0].mediaType, d.artifactType);
      assert.ok(readBlob(out, manifest.layers[0].digest).equals(fs.readFileSync(file)), file);
    }
    const validated = runCli(['validate', out]);
    assert.equal(validated.code, 0, describeRun(validated));
  });

  test('a second build of the same tree gives the same bytes', () => {
    const again = path.join(tmp, 'again');
    const second = buildWithSbom(again);
    assert.equal(second.manifestDigest, result.manifestDigest);
    for (const ext of ['spdx.json', 'cdx.json']) {
      assert.ok(fs.readFileSync(`${out}.${ext}`).equals(fs.readFileSync(`${again}.${ext}`)), ext);
    }
  });

  test('what the layers below the app layer hold is read once, then from the cache', () => {
    // Kept under the sha256 of those layers' digests, a line each: here the
    // base's and the dependencies'.
    const layers = readImage(out, '1').manifest.layers;
    const baseLayers = readImage(baseLayout(), BASE_TAG).manifest.layers;
    assert.equal(layers.length, baseLayers.length + 2);
    const below = layers.slice(0, -1).map((l) => `${l.digest}\n`);
    const key = sha256Hex(Buffer.from(below.join('')));
    const record = path.join(CACHE, 'oci', 'pycontainer', 'sbom-layers', `${key}.json`);
    const saved = fs.readFileSync(record);
    const files = JSON.parse(saved);
    assert.ok(
      files['var/lib/dpkg/status'].includes('Package: libc6'),
      Object.keys(files).join(', '),
    );
    // A package only the record holds: a build that lists it read the record,
    // not the base's layers.
    files['var/lib/dpkg/status'] +=
      '\nPackage: only-in-the-record\nStatus: install ok installed\nVersion: 9.9\nArchitecture: all\n';
    fs.writeFileSync(record, JSON.stringify(files));
    try {
      const third = path.join(tmp, 'from-record');
      buildWithSbom(third);
      const { debs } = fromPurls(
        JSON.parse(fs.readFileSync(`${third}.spdx.json`, 'utf8')).packages.flatMap((p) =>
          (p.externalRefs ?? []).map((r) => r.referenceLocator),
        ),
      );
      assert.ok(debs.includes('only-in-the-record 9.9'), debs.join(', '));
    } finally {
      fs.rmSync(record);
    }
    // Without its record the base is read again, and the record written as before.
    buildWithSbom(path.join(tmp, 'record-again'));
    assert.ok(fs.readFileSync(record).equals(saved));
  });
});

describe('--sbom with --push to a registry without the referrers API (docker-registry 2.8)', () => {
  let reg;

  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
  });

  after(async () => {
    await reg?.stop();
  });

  test('the SBOMs are pushed as artifacts and listed by the sha256-<hex> tag fallback', async () => {
    const out = path.join(tmp, 'pushed');
    const tag = `${reg.host}/sbom/app:1`;
    const args = ['--context', project, '--base-image', baseRef(), '--output', out, '--tag', tag];
    args.push(
      '--cache-dir',
      CACHE,
      '--sbom',
      'spdx,cyclonedx',
      '--push',
      '--insecure-registry',
      reg.host,
    );
    const result = build(args, { env: { SOURCE_DATE_EPOCH: String(EPOCH) } });
    const subject = result.manifestDigest;
    const get = (url, accept) =>
      fetch(`http://${reg.host}/v2/sbom/app/${url}`, { headers: { accept } });
    const api = await get(`referrers/${subject}`, 'application/vnd.oci.image.index.v1+json');
    assert.equal(
      api.status,
      404,
      'docker-registry 2.8 has no referrers API: the fallback is what is tested',
    );
    const fallback = await get(
      `manifests/sha256-${subject.slice('sha256:'.length)}`,
      'application/vnd.oci.image.index.v1+json',
    );
    assert.equal(fallback.status, 200);
    const index = await fallback.json();
    assert.deepEqual(
      index.manifests.map((d) => d.artifactType),
      ['application/spdx+json', 'application/vnd.cyclonedx+json'],
    );
    for (const [d, file] of index.manifests.map((d, i) => [d, result.sbom[i]])) {
      const manifest = await (await get(`manifests/${d.digest}`, d.mediaType)).json();
      assert.equal(manifest.subject.digest, subject);
      const blob = await get(`blobs/${manifest.layers[0].digest}`, '*/*');
      assert.ok(Buffer.from(await blob.arrayBuffer()).equals(fs.readFileSync(file)), file);
    }
    // `pycontainer push` of that layout carries the SBOMs it lists, to a
    // repository that never saw them.
    const copy = `${reg.host}/sbom/copy:1`;
    const pushed = runCli(['push', `${out}:1`, copy, '--insecure-registry', reg.host, '--json']);
    assert.equal(pushed.code, 0, describeRun(pushed));
    assert.deepEqual(
      pushed.json.referrers,
      index.manifests.map((d) => d.digest),
    );
    const copied = await fetch(
      `http://${reg.host}/v2/sbom/copy/manifests/sha256-${subject.slice('sha256:'.length)}`,
      { headers: { accept: 'application/vnd.oci.image.index.v1+json' } },
    );
    assert.equal(copied.status, 200);
    assert.deepEqual((await copied.json()).manifests, index.manifests);
  });
});
