// One transient fault never fails a push or a pull (issue 12, point 5).
// Through the fault proxy in front of a real docker-registry: a /v2/ ping
// that answers 503 or 429 or drops its connection, a blob PUT whose answer
// is lost after the registry stored the blob, manifest and blob bodies cut
// off mid-read; then 20 pushes with random transient faults (a seeded
// PRNG: PYCONTAINER_FAULT_SEED replays a run). What was pushed is read back
// whole by skopeo, which fetches every blob and checks its digest.
//
// The images are app-only, on scratch, so every push is small and quick.
// The proxy runs in this process, so the CLI and skopeo run asynchronously.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startFaultProxy } from '../infra/fault-proxy.mjs';
import { startRegistry } from '../infra/registry.mjs';
import { manifestDigest, skopeoOk } from '../infra/seed.mjs';
import {
  copyExample,
  describeRun,
  ensureWasm,
  makeTempDir,
  removeDir,
  requireTools,
  runCliAsync,
} from './helpers.mjs';

const RANDOM_PUSHES = 20;

let tmp;
let project;
let reg;
let proxy;
let dirCount = 0;

before(async () => {
  requireTools('docker-registry', 'skopeo');
  ensureWasm();
  tmp = makeTempDir('pycontainer-e2e-faults-');
  project = copyExample(tmp);
  reg = await startRegistry();
  proxy = await startFaultProxy(reg.url);
});

after(async () => {
  await proxy?.close();
  await reg?.stop();
  removeDir(tmp);
});

beforeEach(() => proxy.reset());

function freshDir(name) {
  dirCount += 1;
  const dir = path.join(tmp, `${name}-${dirCount}`);
  fs.mkdirSync(dir);
  return dir;
}

/** The CLI's environment: no PYCONTAINER_* settings or docker logins from the caller's shell. */
function cliEnv() {
  const env = { DOCKER_CONFIG: freshDir('no-docker-config') };
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('PYCONTAINER_')) env[key] = undefined;
  }
  return env;
}

/** `pycontainer build --json` of `context` (default hello-cli) with a cache of its own. */
function pycBuild(args, { context = project } = {}) {
  return runCliAsync(
    ['build', '--context', context, '--cache-dir', freshDir('cache'), '--json', ...args],
    { env: cliEnv(), timeoutMs: 60_000 },
  );
}

/** Pushes an app-only image on scratch to `ref` through the proxy. */
function pushScratch(ref, opts) {
  return pycBuild(['--base-image', 'scratch', '--push', '-t', `${proxy.host}/${ref}`], opts);
}

function ok(r) {
  assert.equal(r.code, 0, describeRun(r));
  assert.ok(r.json, `no JSON on stdout: ${describeRun(r)}`);
  return r.json;
}

/** Requests by kind and status, for assertion messages. */
function summary() {
  const counts = {};
  for (const q of proxy.requests) {
    const key = `${q.kind} ${q.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

/**
 * Asserts that `ref` in the registry (not through the proxy) is the image
 * with manifest `digest`, whole: skopeo copies it, fetching every blob and
 * checking each one's digest and size.
 */
async function assertComplete(ref, digest) {
  assert.equal(await manifestDigest(reg, ref), digest, `${ref} points elsewhere`);
  const out = path.join(freshDir('pulled'), 'layout');
  await skopeoOk([
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    `docker://${reg.host}/${ref}`,
    `oci:${out}:1`,
  ]);
}

/** The upload session a blob PUT went to (its path without the query). */
const session = (q) => q.path.split('?')[0];
/** The blob a PUT closes its session with (its `digest` parameter). */
const putDigest = (q) => new URL(q.path, 'http://proxy.invalid').searchParams.get('digest');

describe('the /v2/ ping', () => {
  for (const [name, fault, times] of [
    ['503 three times', { status: 503 }, 3],
    ['429 once', { status: 429 }, 1],
    ['a dropped connection twice', { drop: 'request' }, 2],
  ]) {
    test(`${name}: the push succeeds over plain http`, async () => {
      proxy.inject({ kind: 'ping', times, ...fault });
      const json = ok(await pushScratch(`ping/${times}-${fault.status ?? 'drop'}:1`));
      const pings = proxy.requests.filter((q) => q.kind === 'ping');
      assert.equal(pings.length, times + 1, summary());
      assert.equal(pings.at(-1).status, 200, summary());
      assert.equal(proxy.requests.filter((q) => q.fault).length, times, summary());
      await assertComplete(`ping/${times}-${fault.status ?? 'drop'}:1`, json.manifestDigest);
    });
  }

  // Plain http answered, just not with good news: the message says so,
  // and never blames TLS (the https attempt after it is not the story).
  for (const [name, fault, says] of [
    ['503 every time', { status: 503 }, /\b503\b/],
    ['a dropped connection every time', { drop: 'request' }, /ECONNRESET|socket hang up|closed/i],
  ]) {
    test(`${name}: exit 1 naming the registry and what happened, not TLS`, async () => {
      proxy.inject({ kind: 'ping', times: 50, ...fault });
      const r = await pushScratch('ping/never:1');
      assert.equal(r.code, 1, describeRun(r));
      assert.ok(r.stderr.includes(proxy.host), describeRun(r));
      assert.match(r.stderr, says, describeRun(r));
      assert.doesNotMatch(r.stderr, /TLS|SSL|EPROTO|certificate|insecure/i, describeRun(r));
      const pings = proxy.requests.filter((q) => q.kind === 'ping').length;
      assert.ok(pings >= 3, `retried with backoff: ${summary()}`);
      assert.equal(proxy.count('upload-start'), 0, summary());
    });
  }
});

describe('a blob PUT whose answer is lost after the registry stored the blob', () => {
  test('HEADs the blob and finishes: no second PUT into the closed session', async () => {
    proxy.inject({ kind: 'upload-put', drop: 'response' });
    const json = ok(await pushScratch('lost/put:1'));
    const lost = proxy.requests.findIndex((q) => q.fault?.drop === 'response');
    assert.ok(lost >= 0, `no PUT answer was dropped: ${summary()}`);
    const put = proxy.requests[lost];
    assert.equal(put.kind, 'upload-put');
    assert.equal(put.status, 201, 'the registry stored the blob before the answer was lost');
    const digest = putDigest(put);
    const later = proxy.requests.slice(lost + 1);
    const head = later.find((q) => q.kind === 'blob-head' && q.path.endsWith(digest));
    assert.ok(head, `no HEAD of ${digest} after the lost PUT: ${summary()}`);
    assert.equal(head.status, 200);
    assert.deepEqual(
      later.filter((q) => q.kind === 'upload-put' && session(q) === session(put)),
      [],
      'a PUT was sent again into the session the first one closed',
    );
    assert.deepEqual(
      later.filter((q) => q.kind === 'upload-put' && putDigest(q) === digest),
      [],
      'the blob the registry had was uploaded again',
    );
    assert.equal(json.pushStats.uploaded, 2, JSON.stringify(json.pushStats));
    await assertComplete('lost/put:1', json.manifestDigest);
  });

  test('a PUT dropped before the registry had it: a new session, not the old one', async () => {
    proxy.inject({ kind: 'upload-put', drop: 'request' });
    const json = ok(await pushScratch('lost/request:1'));
    const dropped = proxy.requests.find((q) => q.status === 'dropped');
    assert.ok(dropped, summary());
    assert.equal(dropped.kind, 'upload-put');
    const again = proxy.requests.filter(
      (q) => q.kind === 'upload-put' && putDigest(q) === putDigest(dropped),
    );
    assert.equal(again.length, 2, `one retry of that blob: ${summary()}`);
    assert.notEqual(session(again[1]), session(dropped), 'the retry reused the broken session');
    assert.equal(again[1].status, 201);
    await assertComplete('lost/request:1', json.manifestDigest);
  });
});

describe('a body cut off mid-read while pulling a base', () => {
  /** The base, pushed once: {ref, manifest}. */
  let base;

  before(async () => {
    const json = ok(await pushScratch('pull/base:1'));
    const raw = await skopeoOk([
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${reg.host}/pull/base:1`,
    ]);
    base = { ref: 'pull/base:1', digest: json.manifestDigest, manifest: JSON.parse(raw.stdout) };
  });

  for (const which of ['manifest', 'config', 'layer']) {
    test(`the ${which}: fetched again, verified, and the build succeeds`, async () => {
      assert.ok(base, 'the base push failed');
      const digest =
        which === 'config' ? base.manifest.config.digest : base.manifest.layers[0].digest;
      if (which === 'manifest') proxy.inject({ kind: 'manifest-get', drop: 'response' });
      else proxy.inject({ kind: 'blob-get', drop: 'response', path: digest });
      const out = path.join(freshDir('out'), 'layout');
      const json = ok(
        await pycBuild([
          '--base-image',
          `${proxy.host}/${base.ref}`,
          '--python',
          '3.11',
          '--output',
          out,
          '--tag',
          'pulled:1',
        ]),
      );
      const kind = which === 'manifest' ? 'manifest-get' : 'blob-get';
      const tries = proxy.requests.filter(
        (q) => q.kind === kind && (which === 'manifest' || q.path.endsWith(digest)),
      );
      assert.equal(tries.length, 2, `one cut-off read, one whole: ${summary()}`);
      assert.deepEqual(tries[0].fault, { drop: 'response' });
      assert.ok(tries[0].relayed > 0, `cut mid-body, not before it: ${JSON.stringify(tries[0])}`);
      assert.equal(tries[1].fault, undefined);
      const v = await runCliAsync(['validate', `${out}:1`], {
        env: cliEnv(),
      });
      assert.equal(v.code, 0, describeRun(v));
      assert.ok(json.manifestDigest);
      const blob = path.join(out, 'blobs', ...base.manifest.layers[0].digest.split(':'));
      assert.ok(fs.existsSync(blob), 'the base layer is in the layout');
    });
  }
});

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Transient faults a push meets, each by the name the figures count it under. */
const TRANSIENT = [
  ['ping 503', { kind: 'ping', status: 503 }],
  ['ping 429', { kind: 'ping', status: 429 }],
  ['ping dropped', { kind: 'ping', drop: 'request' }],
  ['blob HEAD 503', { kind: 'blob-head', status: 503 }],
  ['blob HEAD answer lost', { kind: 'blob-head', drop: 'response' }],
  ['upload start 500', { kind: 'upload-start', status: 500 }],
  ['upload start dropped', { kind: 'upload-start', drop: 'request' }],
  ['upload PUT 500', { kind: 'upload-put', status: 500 }],
  ['upload PUT dropped mid-body', { kind: 'upload-put', drop: 'request' }],
  ['upload PUT answer lost', { kind: 'upload-put', drop: 'response' }],
  ['manifest PUT 503', { kind: 'manifest-put', status: 503 }],
  ['manifest PUT dropped', { kind: 'manifest-put', drop: 'request' }],
  ['manifest PUT answer lost', { kind: 'manifest-put', drop: 'response' }],
];

describe('random transient faults', () => {
  test(`${RANDOM_PUSHES} pushes, 1-3 faults each: every push succeeds, every tag is whole`, async (t) => {
    const seed = Number(process.env.PYCONTAINER_FAULT_SEED ?? Date.now() % 2 ** 31);
    t.diagnostic(`seed ${seed} (replay with PYCONTAINER_FAULT_SEED=${seed})`);
    const random = prng(seed);
    const figures = { tried: 0, completed: 0, injected: 0, byKind: {}, checked: 0 };
    const pushed = [];
    for (let i = 1; i <= RANDOM_PUSHES; i++) {
      // A context of its own, so that every push has new blobs to upload.
      const context = path.join(freshDir('random'), 'hello-cli');
      fs.cpSync(project, context, { recursive: true });
      fs.writeFileSync(path.join(context, 'src', `push_${i}.py`), `PUSH = ${i}\n`);
      proxy.reset();
      const chosen = [];
      const count = 1 + Math.floor(random() * 3);
      for (let f = 0; f < count; f++) {
        const [name, rule] = TRANSIENT[Math.floor(random() * TRANSIENT.length)];
        proxy.inject(rule);
        chosen.push(name);
      }
      figures.tried += 1;
      const ref = `random/app:${i}`;
      const r = await pushScratch(ref, { context });
      assert.equal(r.code, 0, `push ${i} (seed ${seed}, faults ${chosen}): ${describeRun(r)}`);
      figures.completed += 1;
      const hit = proxy.requests.filter((q) => q.fault).length;
      assert.equal(hit, count, `push ${i}: every fault was met (${chosen}): ${summary()}`);
      figures.injected += count;
      for (const name of chosen) figures.byKind[name] = (figures.byKind[name] ?? 0) + 1;
      pushed.push({ ref, digest: r.json.manifestDigest });
    }
    for (const { ref, digest } of pushed) {
      await assertComplete(ref, digest);
      figures.checked += 1;
    }
    const line = `fault figures (seed ${seed}): pushes tried ${figures.tried}, faults injected ${figures.injected} ${JSON.stringify(figures.byKind)}, pushes completed ${figures.completed}, tags checked complete ${figures.checked}`;
    t.diagnostic(line);
    console.log(line);
    assert.equal(figures.checked, RANDOM_PUSHES);
  });
});
