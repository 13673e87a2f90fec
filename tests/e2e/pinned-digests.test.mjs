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
    manifest: 'sha256:7b2db05d8db5e794f983d5176db342099131bba9ad3873cb1e42dd9df30f9d61',
    layers: [
      'sha256:21441809f0cf2fde3e21df16fa46c321fc3078ebd0e920e8ccd18a0c2db83a8e',
      'sha256:7cb200df9bcb1f40c1a7a0788d67106daf55edb431bc85d38114dd666ea4240a',
    ],
  },
  'hello-cli on scratch': {
    manifest: 'sha256:6dd40a8377e1fe5f31a7eca2ecbfff9f1767827ec80ca31b673d00c64ac1fe29',
    layers: ['sha256:7cb200df9bcb1f40c1a7a0788d67106daf55edb431bc85d38114dd666ea4240a'],
  },
  'hello-cli on a Docker-typed base': {
    manifest: 'sha256:9693a86f5c7c8eb6ef38860e738eb59928660bcc5bffbf8967aa1f50bb4dfd1a',
    layers: [
      'sha256:21441809f0cf2fde3e21df16fa46c321fc3078ebd0e920e8ccd18a0c2db83a8e',
      'sha256:7cb200df9bcb1f40c1a7a0788d67106daf55edb431bc85d38114dd666ea4240a',
    ],
  },
  'fastapi-app': {
    manifest: 'sha256:7f6ea0abf492713757923bf418878e22f3fb3c6f49e4bcf3324a2c840055320a',
    layers: [
      'sha256:21441809f0cf2fde3e21df16fa46c321fc3078ebd0e920e8ccd18a0c2db83a8e',
      'sha256:0ea3542a5b8d06b776638f83da8e5332df5a045e518515dc735b7d9f0c0c791f',
      'sha256:31ca18fd06c0aa498c6313c5a08ba54bf08fd90567ef54ce153e8ae2c5810711',
    ],
  },
  'flask-app': {
    manifest: 'sha256:231cb7e42246df1083ad0b8cedac02bbff640bbce788519a4e497b65071211c2',
    layers: [
      'sha256:21441809f0cf2fde3e21df16fa46c321fc3078ebd0e920e8ccd18a0c2db83a8e',
      'sha256:a2cab4a78864e082517fdf597df7b77802546f028f62922a17bf09bd2fe8b98f',
      'sha256:ac53caea394305f222d05d8e4a98ce5709c19a952db5286c60956ec497bc4891',
    ],
  },
  'django-app': {
    manifest: 'sha256:d82c22e75584d0a8409704bde93d4797d4f9694076c4279d00cd5bd267e88f56',
    layers: [
      'sha256:21441809f0cf2fde3e21df16fa46c321fc3078ebd0e920e8ccd18a0c2db83a8e',
      'sha256:51b5e32ded4365b2a18c7304e566c975686d9540fb267551cfad2b41194bb2b9',
      'sha256:f9fe6d4b12953c2ed35b8ec03b6ca16a39a7abc1ea6cf7ba3ef8b6b5171036bc',
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
