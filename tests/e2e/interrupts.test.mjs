// Interrupted and failed builds leave nothing behind (issue 12, points 6
// and 7): SIGINT and SIGTERM stop a build part-way, its temp files, new
// blobs, lock and new --output are taken back, it says so in one line and
// exits 130 or 143; an AbortSignal does the same through the JS API; what a
// SIGKILL leaves is removed by the next build and reported by `validate`;
// a failed build's new --output is removed whole, so its retry succeeds.
//
// The timing is made certain, not guessed: a pull is held half-way by the
// fault proxy, and a layer being written from a 256 MiB sparse file is caught
// by its temp file, with the process stopped (SIGSTOP) while it is checked.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultProxy } from '../infra/fault-proxy.mjs';
import { startRegistry } from '../infra/registry.mjs';
import { seedBase } from '../infra/seed.mjs';
import {
  BASE_TAG,
  baseLayout,
  blobPath,
  build,
  copyExample,
  describeRun,
  ensureWasm,
  listTree,
  makeTempDir,
  ROOT,
  readImage,
  removeDir,
  runCli,
  runCliAsync,
  snapshotTree,
} from './helpers.mjs';

const api = createRequire(import.meta.url)(path.join(ROOT, 'npm', 'index.js'));

/** Big enough that writing its layer takes seconds; sparse, so it costs no disk. */
const BIG = 256 << 20;

let tmp;
before(() => {
  ensureWasm();
  tmp = makeTempDir('pycontainer-e2e-interrupts-');
});
after(() => removeDir(tmp));

let cases = 0;
function caseDir() {
  const dir = path.join(tmp, `case${++cases}`);
  fs.mkdirSync(dir);
  return dir;
}

/** hello-cli with a 256 MiB file of zeros (sparse) in it. */
function bigContext(dir) {
  const ctx = copyExample(dir);
  fs.writeFileSync(path.join(ctx, 'big.bin'), '');
  fs.truncateSync(path.join(ctx, 'big.bin'), BIG);
  return ctx;
}

/** Every temp file (`.tmp-` in its name) under `dir`, relative; none when it does not exist. */
function tempFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return listTree(dir).filter((p) => path.basename(p).includes('.tmp-'));
}

/** Polls `check` every 10 ms until it returns something truthy (at most `ms`). */
async function waitFor(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = check();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(10);
  }
}

/** A pid that no process has: one that has just exited. */
function deadPid() {
  return spawnSync('true').pid;
}

/**
 * Starts the CLI with `args`, waits for `ready()` to say the build is where
 * it should be, then stops the process (SIGSTOP), runs `atPause()` and sends
 * `signal` before letting it go on. Resolves the CLI's result, with `tookMs`
 * from the signal to the exit.
 */
async function interruptCli(args, { ready, atPause = () => {}, signal, env = {} }) {
  let child;
  const run = runCliAsync(args, {
    env,
    onStart: (c) => {
      child = c;
    },
  });
  let exited = false;
  run.then(() => {
    exited = true;
  });
  await waitFor('the build to reach the point of interruption', () => exited || ready());
  assert.equal(exited, false, 'the build ran to its end before it could be interrupted');
  child.kill('SIGSTOP');
  let sentAt;
  try {
    atPause();
  } finally {
    child.kill(signal);
    sentAt = Date.now();
    child.kill('SIGCONT');
  }
  const r = await run;
  return { ...r, tookMs: Date.now() - sentAt };
}

/** The CLI said it was interrupted in one line, and nothing else. */
function assertOneLine(r, signal, status) {
  assert.equal(r.code, status, describeRun(r));
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
  assert.match(lines[0], new RegExp(`^pycontainer: the build was interrupted by ${signal}$`));
  assert.ok(r.tookMs < 10_000, `it stopped ${r.tookMs} ms after ${signal}`);
}

describe('a signal while a base layer is pulled', () => {
  let reg;
  let proxy;
  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
    await seedBase(reg);
    proxy = await startFaultProxy(reg.url);
  });
  after(async () => {
    await proxy?.close();
    await reg?.stop();
  });

  test('SIGINT: exit 130, one line, the temp blob is gone, no --output is left', async () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    const out = path.join(dir, 'out');
    const cache = path.join(dir, 'cache');
    const layer = readImage(baseLayout(), BASE_TAG).manifest.layers[0].digest;
    proxy.reset();
    // Half the layer arrives, then nothing: the pull is in flight.
    proxy.stall({ path: layer });
    const r = await interruptCli(
      [
        'build',
        '--context',
        ctx,
        '--base-image',
        `${proxy.host}/library/python:${BASE_TAG}`,
        '--output',
        out,
        '--cache-dir',
        cache,
      ],
      {
        signal: 'SIGINT',
        ready: () => proxy.requests.some((q) => q.status === 'stalled'),
        // The plan pulls it, to read the base's Python, before the output is made.
        atPause: () => {
          assert.equal(tempFiles(cache).length, 1, 'the layer is being written into the cache');
        },
      },
    );
    assertOneLine(r, 'SIGINT', 130);
    assert.equal(fs.existsSync(out), false, 'the --output this build created is gone');
    assert.deepEqual(tempFiles(cache), []);
    assert.equal(fs.existsSync(blobPath(path.join(cache, 'oci'), layer)), false);
  });

  test('a push whose signal has fired sends nothing', async () => {
    const dir = caseDir();
    const out = path.join(dir, 'out');
    build(['--context', copyExample(dir), '--base-image', 'scratch', '--output', out]);
    proxy.reset();
    await assert.rejects(
      api.push({
        layout: out,
        references: [`${proxy.host}/app:1`],
        signal: AbortSignal.abort(),
      }),
      { code: 'interrupted', name: 'AbortError', message: 'the push was interrupted' },
    );
    assert.deepEqual(proxy.requests, []);
  });
});

describe('a signal while the app layer is written', () => {
  test('SIGTERM into an existing layout: exit 143, the layout as it was', async () => {
    const dir = caseDir();
    const out = path.join(dir, 'out');
    build(['--context', copyExample(dir, 'small'), '--base-image', 'scratch', '--output', out]);
    const before = snapshotTree(out);
    const index = fs.readFileSync(path.join(out, 'index.json'));
    const r = await interruptCli(
      [
        'build',
        '--context',
        bigContext(dir),
        '--base-image',
        'scratch',
        '--output',
        out,
        '-t',
        'big:1',
      ],
      {
        signal: 'SIGTERM',
        ready: () => tempFiles(out).length > 0,
      },
    );
    assertOneLine(r, 'SIGTERM', 143);
    assert.deepEqual(fs.readFileSync(path.join(out, 'index.json')), index);
    assert.deepEqual(snapshotTree(out), before, 'nothing added, nothing left');
  });

  test('SIGINT into a new --output: exit 130, the directory is gone', async () => {
    const dir = caseDir();
    const out = path.join(dir, 'fresh', 'out');
    const r = await interruptCli(
      ['build', '--context', bigContext(dir), '--base-image', 'scratch', '--output', out],
      { signal: 'SIGINT', ready: () => tempFiles(out).length > 0 },
    );
    assertOneLine(r, 'SIGINT', 130);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['hello-cli'], 'fresh/ and out/ are gone');
  });
});

describe('after a SIGKILL', () => {
  test('the next build removes what no live process owns, and succeeds', async () => {
    const dir = caseDir();
    const ctx = bigContext(dir);
    const out = path.join(dir, 'out');
    const cache = path.join(dir, 'cache');
    let killed;
    const r = await interruptCli(
      ['build', '--context', ctx, '--base-image', 'scratch', '--output', out, '--cache-dir', cache],
      {
        signal: 'SIGKILL',
        ready: () => tempFiles(out).length > 0,
        atPause: () => {
          killed = tempFiles(out);
        },
      },
    );
    assert.equal(r.signal, 'SIGKILL', describeRun(r));
    assert.deepEqual(tempFiles(out), killed, 'a killed build cleans nothing up');
    // What a build killed while downloading or recording leaves in the
    // cache, and a temp file of a process that still runs (this one).
    const oci = path.join(cache, 'oci');
    const pid = deadPid();
    const stale = [`blobs/sha256/.tmp-${pid}-ab-1`, `pycontainer/deps/k.json.tmp-${pid}-cd`];
    const live = `blobs/sha256/.tmp-${process.pid}-ef-1`;
    for (const p of [...stale, live]) {
      fs.mkdirSync(path.dirname(path.join(oci, p)), { recursive: true });
      fs.writeFileSync(path.join(oci, p), 'partial');
    }
    fs.rmSync(path.join(ctx, 'big.bin'));
    const second = build([
      '--context',
      ctx,
      '--base-image',
      'scratch',
      '--output',
      out,
      '--cache-dir',
      cache,
    ]);
    assert.ok(second.manifestDigest);
    assert.deepEqual(tempFiles(out), []);
    assert.deepEqual(tempFiles(oci), [live], 'only the live process keeps its temp file');
    const v = runCli(['validate', out, '--json']);
    assert.equal(v.code, 0, describeRun(v));
  });

  test('validate names the temp files a killed build left', () => {
    const dir = caseDir();
    const out = path.join(dir, 'out');
    build(['--context', copyExample(dir), '--base-image', 'scratch', '--output', out]);
    const pid = deadPid();
    const planted = [`blobs/sha256/.tmp-${pid}-ab-1`, `index.json.tmp-${pid}-cd`];
    for (const p of planted) fs.writeFileSync(path.join(out, p), 'partial');
    const r = runCli(['validate', out, '--json']);
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(r.json.ok, false);
    for (const p of planted) {
      assert.ok(
        r.json.problems.some((m) => m.includes(`leftover temp file ${p}`) && m.includes(`${pid}`)),
        `${p} is reported: ${r.json.problems.join('; ')}`,
      );
    }
    assert.equal(r.json.problems.length, planted.length, r.json.problems.join('; '));
  });
});

describe('an AbortSignal through the JS API', () => {
  test('stops a build promptly with the typed error, leaving nothing', async () => {
    const dir = caseDir();
    const ctx = bigContext(dir);
    const out = path.join(dir, 'out');
    const controller = new AbortController();
    const building = api.build({
      context: ctx,
      baseImage: 'scratch',
      output: out,
      signal: controller.signal,
    });
    let settled = false;
    building.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    // The core yields to the event loop as it goes, so this poll runs.
    await waitFor('the app layer temp file', () => settled || tempFiles(out).length > 0);
    assert.equal(settled, false, 'the build ended before it could be stopped');
    const abortedAt = Date.now();
    controller.abort();
    await assert.rejects(building, (err) => {
      assert.equal(err.code, 'interrupted');
      assert.equal(err.name, 'AbortError');
      return true;
    });
    const took = Date.now() - abortedAt;
    assert.ok(took < 5_000, `it stopped ${took} ms after the abort`);
    assert.equal(fs.existsSync(out), false, fs.existsSync(out) ? listTree(out).join(' ') : '');
  });

  test('an aborted signal writes nothing; a signal that is not one is refused', async () => {
    const dir = caseDir();
    const out = path.join(dir, 'out');
    const options = { context: copyExample(dir), baseImage: 'scratch', output: out };
    await assert.rejects(api.build({ ...options, signal: AbortSignal.abort() }), {
      code: 'interrupted',
    });
    await assert.rejects(api.build({ ...options, signal: {} }), { code: 'invalid-option' });
    assert.equal(fs.existsSync(out), false);
  });
});

describe('a failed build never blocks its retry', () => {
  test('a file that changes while it is read: the new --output is removed whole', async () => {
    const dir = caseDir();
    const ctx = bigContext(dir);
    const out = path.join(dir, 'out');
    const r = await interruptCli(
      ['build', '--context', ctx, '--base-image', 'scratch', '--output', out],
      {
        // Not a signal that stops it: the shrunk file does.
        signal: 'SIGCONT',
        ready: () => tempFiles(out).length > 0,
        atPause: () => fs.truncateSync(path.join(ctx, 'big.bin'), 0),
      },
    );
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, /big\.bin changed while it was being read/);
    assert.equal(fs.existsSync(out), false, 'the failed build took its --output back');
    const retry = build(['--context', ctx, '--base-image', 'scratch', '--output', out]);
    assert.ok(retry.manifestDigest);
  });

  test('a base blob found corrupt late: the new --output is removed, the retry succeeds', () => {
    const dir = caseDir();
    const ctx = copyExample(dir);
    // A small base: an image built from scratch, tagged 1.
    const base = path.join(dir, 'base');
    build(['--context', ctx, '--base-image', 'scratch', '--output', base, '-t', 'base:1']);
    const layer = readImage(base, '1').manifest.layers[0].digest;
    const file = blobPath(base, layer);
    const good = fs.readFileSync(file);
    // Only copying the blob shows that it is cut short.
    fs.writeFileSync(file, good.subarray(0, 100));
    const out = path.join(dir, 'out');
    const args = ['--context', ctx, '--base-image', `oci:${base}:1`, '--output', out];
    const r = runCli(['build', ...args]);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, new RegExp(`${layer}.*size mismatch`));
    assert.equal(fs.existsSync(out), false);
    fs.writeFileSync(file, good);
    assert.ok(build(args).manifestDigest);
  });
});
