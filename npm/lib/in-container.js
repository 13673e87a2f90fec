'use strict';

// Whether this process runs inside a container, so that `pycontainer run`
// does not start a container from inside one (the seed's decorator ran the
// function in place there; the CLI says so and runs nothing).
//
// The seed looked only for `docker` or `kubepods` in /proc/1/cgroup. On
// cgroup v2 with a private cgroup namespace (the default of Docker 20.10+
// and podman there) that file is the single line `0::/`, the same as a
// host's view of its own root cgroup, so it says nothing: the other signs
// below decide instead. Every file is read under `root` (tests give a
// directory of fixture files); one that is missing or unreadable (as
// /proc/1/environ is to a non-root user) is no sign either way.

const fs = require('node:fs');
const path = require('node:path');

/** Path parts of a cgroup that a container engine or orchestrator made. */
const CGROUP_MARKERS = ['docker', 'kubepods', 'containerd', 'libpod', 'lxc', 'crio'];

/** A file's text, or null when it is missing or unreadable. */
function readText(root, file) {
  try {
    return fs.readFileSync(path.join(root, file), 'utf8');
  } catch {
    return null;
  }
}

/** The cgroup-path sign: a v1 or v2 line whose path names a container engine. */
function cgroupSign(text) {
  for (const line of text.split('\n')) {
    // hierarchy-ID:controllers:path; the path may itself hold ':'.
    const parts = line.split(':');
    if (parts.length < 3) continue;
    const cgroup = parts.slice(2).join(':');
    const marker = CGROUP_MARKERS.find((m) => cgroup.includes(m));
    if (marker !== undefined) return `${cgroup} in /proc/1/cgroup names ${marker}`;
  }
  return null;
}

/**
 * The root filesystem's type from mountinfo: overlay is how engines mount
 * an image. Of several mounts on `/`, the last one listed is the one seen.
 */
function rootFsSign(text) {
  let fstype = null;
  for (const line of text.split('\n')) {
    // ID parent major:minor root mount-point options [optional...] - fstype source super
    const [before, after] = line.split(' - ');
    if (after !== undefined && before.split(' ')[4] === '/') fstype = after.split(' ')[0];
  }
  return fstype === 'overlay' ? 'the root filesystem is an overlay mount' : null;
}

/** `container=` in PID 1's environment: podman, systemd-nspawn and LXC set it. */
function environSign(text) {
  const entry = text.split('\0').find((e) => e.startsWith('container='));
  return entry === undefined ? null : `${entry} in /proc/1/environ`;
}

/**
 * {inside, reason}: inside is true or false and reason the sign that
 * decided it, or inside false and reason null when nothing said so.
 * PYCONTAINER_IN_CONTAINER decides alone when set: `1`/`true` inside,
 * `0`/`false` outside (a dev container that is allowed to run containers).
 */
function detectContainer({ env = process.env, root = '/' } = {}) {
  const own = env.PYCONTAINER_IN_CONTAINER?.toLowerCase();
  if (own === '1' || own === 'true') {
    return { inside: true, reason: `PYCONTAINER_IN_CONTAINER=${env.PYCONTAINER_IN_CONTAINER}` };
  }
  if (own === '0' || own === 'false') {
    return { inside: false, reason: `PYCONTAINER_IN_CONTAINER=${env.PYCONTAINER_IN_CONTAINER}` };
  }
  // The seed's own variable, with the values the seed takes.
  const seed = env.METAPARTICLE_IN_CONTAINER;
  if (seed === 'true' || seed === '1') {
    return { inside: true, reason: `METAPARTICLE_IN_CONTAINER=${seed}` };
  }
  if (env.KUBERNETES_SERVICE_HOST) {
    return { inside: true, reason: 'KUBERNETES_SERVICE_HOST is set (a Kubernetes pod)' };
  }
  for (const [file, engine] of [
    ['.dockerenv', 'Docker'],
    ['run/.containerenv', 'podman'],
  ]) {
    if (readText(root, file) !== null) {
      return { inside: true, reason: `/${file} exists (${engine})` };
    }
  }
  const signs = [
    ['proc/1/cgroup', cgroupSign],
    ['proc/1/environ', environSign],
    ['proc/self/mountinfo', rootFsSign],
  ];
  for (const [file, sign] of signs) {
    const text = readText(root, file);
    const reason = text === null ? null : sign(text);
    if (reason !== null) return { inside: true, reason };
  }
  return { inside: false, reason: null };
}

module.exports = { detectContainer };
