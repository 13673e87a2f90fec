// Container engines for tests, run the way they work on this machine class: podman through a project-local containers.conf
// (runc, cgroupfs, file events; crun fails here), and Debian's dockerd
// started by the test with its own data, exec root and socket.

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Writes a containers.conf for podman to `file` and returns the environment
 * that makes podman read it. `hostNetwork` gives containers the host's
 * network (no -p then); without it podman's CNI bridge publishes ports.
 */
export function podmanEnv(file, { hostNetwork = false } = {}) {
  fs.writeFileSync(
    file,
    [
      '[containers]',
      'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
      ...(hostNetwork ? ['netns = "host"'] : []),
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'runtime = "runc"',
      'events_logger = "file"',
      '',
    ].join('\n'),
  );
  return { ...process.env, CONTAINERS_CONF: file };
}

function ip(args) {
  return spawnSync('ip', args, { encoding: 'utf8' });
}

/**
 * A Linux bridge of our own for dockerd: its default docker0 would clash
 * with another dockerd a parallel test starts. A free 10.231.X.0/24 is
 * taken; returns {name, remove()}.
 */
function makeBridge() {
  const name = `pyc${crypto.randomBytes(4).toString('hex')}`;
  const add = ip(['link', 'add', name, 'type', 'bridge']);
  if (add.status !== 0) throw new Error(`ip link add ${name}: ${add.stderr}`);
  const remove = () => ip(['link', 'del', name]);
  const used = ip(['-o', '-4', 'addr', 'show']).stdout;
  for (let x = crypto.randomInt(256), tries = 0; tries < 256; x = (x + 1) % 256, tries++) {
    if (used.includes(` 10.231.${x}.`)) continue;
    if (ip(['addr', 'add', `10.231.${x}.1/24`, 'dev', name]).status !== 0) continue;
    ip(['link', 'set', name, 'up']);
    return { name, remove };
  }
  remove();
  throw new Error('no free 10.231.X.0/24 for a test bridge');
}

/**
 * Starts Debian's dockerd with everything under `dir`; resolves
 * {env, stop} (env: process.env with DOCKER_HOST at its socket) once its
 * API answers, or {error: the tail of its log} when it does not start.
 * With `bridge`, containers get a bridge of their own and `-p` publishes
 * through docker-proxy (there is no iptables here); without, there is no
 * bridge and only --network host reaches them.
 */
export async function startDockerd(dir, { bridge = false } = {}) {
  const sock = path.join(dir, 'docker.sock');
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'w');
  const net = bridge ? makeBridge() : null;
  const child = spawn(
    'dockerd',
    [
      `--bridge=${net ? net.name : 'none'}`,
      '--iptables=false',
      '--ip6tables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--data-root',
      path.join(dir, 'data'),
      '--exec-root',
      path.join(dir, 'exec'),
      '--pidfile',
      path.join(dir, 'docker.pid'),
      '--host',
      `unix://${sock}`,
      '--default-ulimit',
      'nofile=1024:1024',
      '--default-ulimit',
      'nproc=4096:4096',
    ],
    { stdio: ['ignore', log, log] },
  );
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    spawnSync('umount', [path.join(dir, 'exec', 'netns', 'default')]);
    net?.remove();
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    const version = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { env });
    if (version.status === 0) return { env, stop };
    await sleep(100);
  }
  await stop();
  return { error: fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').slice(-2000) };
}
