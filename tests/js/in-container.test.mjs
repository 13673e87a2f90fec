// Telling "inside a container" from "on a host" (npm/lib/in-container.js)
// on fixture trees holding the /proc files and marker files each kind of
// machine has: cgroup v1 and v2 (with a private cgroup namespace, where
// /proc/1/cgroup is `0::/` and says nothing, and without), Docker, podman,
// Kubernetes, LXC, and the variables that decide before any file is read.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { detectContainer } = require('../../npm/lib/in-container.js');

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'in-container',
);

/** detectContainer on fixture tree `shape`, with only `env` in the environment. */
const detect = (shape, env = {}) => detectContainer({ env, root: path.join(FIXTURES, shape) });

const OUTSIDE = { inside: false, reason: null };

test('hosts: cgroup v1 and v2 under systemd, an ext4 root', () => {
  assert.deepEqual(detect('host-cgroup-v1'), OUTSIDE);
  assert.deepEqual(detect('host-cgroup-v2'), OUTSIDE);
});

test('cgroup v1 paths of an engine or orchestrator', () => {
  for (const [shape, marker] of [
    ['docker-cgroup-v1', 'docker'],
    ['kubepods-cgroup-v1', 'kubepods'],
    ['lxc-cgroup-v1', 'lxc'],
  ]) {
    const found = detect(shape);
    assert.equal(found.inside, true, shape);
    assert.match(found.reason, new RegExp(`/proc/1/cgroup names ${marker}$`), shape);
  }
});

test('cgroup v2 in the host cgroup namespace: the scope names the engine', () => {
  assert.deepEqual(detect('docker-cgroup-v2-host-ns'), {
    inside: true,
    reason: '/system.slice/docker-3f4b9c2d8e1a.scope in /proc/1/cgroup names docker',
  });
  assert.match(detect('libpod-cgroup-v2-host-ns').reason, /names libpod$/);
});

test('cgroup v2 with a private namespace: `0::/` says nothing, the overlay root or container= does', () => {
  assert.deepEqual(detect('cgroup-v2-private-overlay'), {
    inside: true,
    reason: 'the root filesystem is an overlay mount',
  });
  assert.deepEqual(detect('cgroup-v2-private-environ'), {
    inside: true,
    reason: 'container=podman in /proc/1/environ',
  });
  // A host's own view of the root cgroup is the same line: no sign alone.
  assert.deepEqual(detect('cgroup-v2-root-only'), OUTSIDE);
  // Mounts stacked on /: the last one is what is seen, here the host's ext4.
  assert.deepEqual(detect('overlay-under-ext4-root'), OUTSIDE);
});

test('a /proc/1/environ that cannot be read is no sign either way', () => {
  assert.deepEqual(detect('cgroup-v2-environ-unreadable'), OUTSIDE);
});

test("the engines' marker files", () => {
  assert.deepEqual(detect('dockerenv'), { inside: true, reason: '/.dockerenv exists (Docker)' });
  assert.deepEqual(detect('containerenv'), {
    inside: true,
    reason: '/run/.containerenv exists (podman)',
  });
});

test('a Kubernetes pod: KUBERNETES_SERVICE_HOST', () => {
  const found = detect('cgroup-v2-root-only', { KUBERNETES_SERVICE_HOST: '10.96.0.1' });
  assert.equal(found.inside, true);
  assert.match(found.reason, /KUBERNETES_SERVICE_HOST/);
});

test("the seed's METAPARTICLE_IN_CONTAINER, with the values the seed takes", () => {
  for (const value of ['true', '1']) {
    assert.deepEqual(detect('host-cgroup-v2', { METAPARTICLE_IN_CONTAINER: value }), {
      inside: true,
      reason: `METAPARTICLE_IN_CONTAINER=${value}`,
    });
  }
  // Any other value leaves it to the files, as in the seed.
  assert.deepEqual(detect('host-cgroup-v2', { METAPARTICLE_IN_CONTAINER: 'false' }), OUTSIDE);
  assert.equal(detect('dockerenv', { METAPARTICLE_IN_CONTAINER: 'false' }).inside, true);
});

test('PYCONTAINER_IN_CONTAINER decides alone, either way', () => {
  for (const value of ['1', 'true', 'TRUE']) {
    assert.deepEqual(detect('host-cgroup-v2', { PYCONTAINER_IN_CONTAINER: value }), {
      inside: true,
      reason: `PYCONTAINER_IN_CONTAINER=${value}`,
    });
  }
  for (const value of ['0', 'false']) {
    assert.deepEqual(
      detect('dockerenv', { PYCONTAINER_IN_CONTAINER: value, KUBERNETES_SERVICE_HOST: 'x' }),
      { inside: false, reason: `PYCONTAINER_IN_CONTAINER=${value}` },
    );
  }
  // Not a value it knows: the other signs decide.
  assert.deepEqual(detect('host-cgroup-v1', { PYCONTAINER_IN_CONTAINER: 'maybe' }), OUTSIDE);
});
