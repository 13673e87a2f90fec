// The examples' images, byte for byte. Each example is built on a synthetic
// base that this file writes from constants (its layer is a plain tar, so no
// compressor's version enters into it), with a fixed SOURCE_DATE_EPOCH, and
// its manifest and layer digests are compared with the ones pinned below.
//
// A digest here changes only when the image pycontainer makes changes: a
// refactor must leave every one of them as it is. When a change to the
// examples or to the image format is meant, build again with
// PYCONTAINER_PIN_PRINT=1 to print the new values, and say why in the commit.
//
// The dependency layers come from the wheels the examples' pylock.toml files
// pin by URL and sha256, so they are the same bytes on every machine.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { build, makeTempDir, ROOT, removeDir, tar } from './helpers.mjs';

const EPOCH = '1700000000';
const CACHE = path.join(
  process.env.PYCONTAINER_TEST_CACHE ??
    path.join(process.env.HOME ?? '/tmp', '.cache', 'pycontainer-test'),
  'deps-cache',
);

// What the probe of a base needs to pick CPython 3.11.2 on glibc 2.36 for
// x86_64: the examples' locks were resolved for exactly that target.
const DPKG_STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u7

Package: libpython3.11-minimal
Status: install ok installed
Architecture: amd64
Version: 3.11.2-6+deb12u6

`;

const sha256 = (bytes) => `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Writes the synthetic base into `dir` (an OCI layout, tag `base`): OCI media
 * types, or with `docker` Docker's, which the image built on it then keeps.
 */
function writeBase(dir, { docker = false } = {}) {
  const media = docker
    ? {
        manifest: 'application/vnd.docker.distribution.manifest.v2+json',
        config: 'application/vnd.docker.container.image.v1+json',
        layer: 'application/vnd.docker.image.rootfs.diff.tar',
      }
    : {
        manifest: 'application/vnd.oci.image.manifest.v1+json',
        config: 'application/vnd.oci.image.config.v1+json',
        layer: 'application/vnd.oci.image.layer.v1.tar',
      };
  const layer = tar([
    ['usr', { dir: true }],
    ['usr/bin', { dir: true }],
    ['usr/bin/python3.11', { file: '' }],
    ['usr/local', { dir: true }],
    ['usr/local/bin', { dir: true }],
    ['usr/local/bin/python3', { link: '/usr/bin/python3.11' }],
    ['usr/local/lib', { dir: true }],
    ['usr/local/lib/python3.11', { dir: true }],
    ['usr/local/lib/python3.11/os.py', { file: '# the stdlib marker\n' }],
    ['var', { dir: true }],
    ['var/lib', { dir: true }],
    ['var/lib/dpkg', { dir: true }],
    ['var/lib/dpkg/status', { file: DPKG_STATUS }],
  ]);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        Env: [
          'PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin',
          'LANG=C.UTF-8',
          'PYTHON_VERSION=3.11.2',
        ],
        Cmd: ['python3'],
      },
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
      history: [{ created_by: 'pycontainer tests: pinned synthetic base' }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: media.manifest,
      config: {
        mediaType: media.config,
        digest: sha256(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: media.layer,
          digest: sha256(layer),
          size: layer.length,
        },
      ],
    }),
  );
  const blobs = path.join(dir, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  for (const blob of [layer, config, manifest]) {
    fs.writeFileSync(path.join(blobs, sha256(blob).slice('sha256:'.length)), blob);
  }
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: media.manifest,
        digest: sha256(manifest),
        size: manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': 'base' },
      },
    ],
  };
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
  return sha256(manifest);
}

// Manifest digest, then each layer's digest from the bottom up.
const PINNED = {
  base: 'sha256:67f7537604f036176690e855168e97a4982bdb381a6dce35c0adb53a42fa2dc8',
  'hello-cli': {
    manifest: 'sha256:e97070a5d91a1c0173c07167f4e2da5246127b92bebc3b39d0f8156ae59ec9b2',
    layers: [
      'sha256:21441809f0cf2fde3e21df16fa46c321fc3078ebd0e920e8ccd18a0c2db83a8e',
      'sha256:396c0a03176110a266fb0a365aa46365ad934aa1f07fa889ddddd1f6b4825b0a',
    ],
  },
  'hello-cli on scratch': {
    manifest: 'sha256:acfcb122e932ce7843f4eb6f34a22bc9bc799ead586cb0a57164360a16f0de51',
    layers: ['sha256:396c0a03176110a266fb0a365aa46365ad934aa1f07fa889ddddd1f6b4825b0a'],
  },
  'hello-cli on a Docker-typed base': {
    manifest: 'sha256:f5421151d6e3e8483ab6619cc528c5e4c5970c8edfd7ea02e02ef530c7bd534c',
    layers: [
      'sha256:21441809f0cf2fde3e21df16fa46c321fc3078ebd0e920e8ccd18a0c2db83a8e',
      'sha256:396c0a03176110a266fb0a365aa46365ad934aa1f07fa889ddddd1f6b4825b0a',
    ],
  },
  'fastapi-app': {
    manifest: 'sha256:08c73e1940c1f8ad60828a959986548576eb453b0a2339f4b8b7511f5c2d9acd',
    layers: [
      'sha256:21441809f0cf2fde3e21df16fa46c321fc3078ebd0e920e8ccd18a0c2db83a8e',
      'sha256:b4d1d0ab538dae6084da68c49dd21faafe088b0135111656b77574a5ba94a2b3',
      'sha256:7f415123cecb506ae6fdfc83a4c07fbc4046d704c5877a089368f04530fd647a',
    ],
  },
  'flask-app': {
    manifest: 'sha256:3dea73390575b84757151964f9f8840cc6fc6a6027ac5cf25d37775490ad0999',
    layers: [
      'sha256:21441809f0cf2fde3e21df16fa46c321fc3078ebd0e920e8ccd18a0c2db83a8e',
      'sha256:2019443682f3d3fadfd7eb07f24c267e6806781f73d8954f86125938609b4e54',
      'sha256:ceebd7db234518d1b4cdd6a46f22ca2a71f3e80c2ac2552833c41ce05860fd5d',
    ],
  },
  'django-app': {
    manifest: 'sha256:7df441330ddf00c0a1d311a9e112c53a56581591c43e2c5a0fa4e0f6006efc88',
    layers: [
      'sha256:21441809f0cf2fde3e21df16fa46c321fc3078ebd0e920e8ccd18a0c2db83a8e',
      'sha256:58751f98d5b575a52434b9ed8d686ddf763f81d66ce7c0be419865f624077a14',
      'sha256:f12971287c51b48f44e2b6c42df95734f18c5eab023622de14b869843960acc6',
    ],
  },
};

let tmp;
let baseDigest;

before(() => {
  tmp = makeTempDir('pycontainer-e2e-pinned-');
  baseDigest = writeBase(path.join(tmp, 'base'));
  writeBase(path.join(tmp, 'docker-base'), { docker: true });
});

after(() => removeDir(tmp));

const print = process.env.PYCONTAINER_PIN_PRINT === '1';

describe('the examples build to the pinned digests', () => {
  test('the synthetic base is the same bytes everywhere', () => {
    if (print) console.log(`base: ${baseDigest}`);
    else assert.equal(baseDigest, PINNED.base);
  });

  const cases = [
    ['hello-cli', 'hello-cli', () => `oci:${path.join(tmp, 'base')}:base`],
    ['hello-cli on scratch', 'hello-cli', () => 'scratch'],
    [
      'hello-cli on a Docker-typed base',
      'hello-cli',
      () => `oci:${path.join(tmp, 'docker-base')}:base`,
    ],
    ['fastapi-app', 'fastapi-app', () => `oci:${path.join(tmp, 'base')}:base`],
    ['flask-app', 'flask-app', () => `oci:${path.join(tmp, 'base')}:base`],
    ['django-app', 'django-app', () => `oci:${path.join(tmp, 'base')}:base`],
  ];
  for (const [name, example, base] of cases) {
    test(name, () => {
      // A copy: a stale lock would be rewritten, and the repo must stay as it is.
      const ctx = path.join(tmp, name.replaceAll(' ', '-'));
      fs.cpSync(path.join(ROOT, 'examples', example), ctx, { recursive: true });
      const result = build(
        [
          '--context',
          ctx,
          '--base-image',
          base(),
          '--output',
          `${ctx}-out`,
          '--tag',
          `${example}:pinned`,
          '--cache-dir',
          CACHE,
          '--locked',
        ],
        { env: { SOURCE_DATE_EPOCH: EPOCH } },
      );
      const got = { manifest: result.manifestDigest, layers: result.layers.map((l) => l.digest) };
      if (print) {
        console.log(`${name}: ${JSON.stringify(got)}`);
        return;
      }
      assert.deepEqual(got, PINNED[name], `${name}: the image changed`);
    });
  }
});
