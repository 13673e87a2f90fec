// The Node host under an AbortSignal (npm/lib/interrupt.js): once it fires,
// the calls that would carry a build on fail with `interrupted`, a wait in
// flight ends at once, and the calls that take back what was written still
// work; a process that exists is told from one that does not. Real files,
// a real sleep, real processes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

const require = createRequire(import.meta.url);
const { createNodeHost } = require('../../npm/lib/node-host.js');

let dir;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-interrupt-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const interrupted = { code: 'interrupted', name: 'AbortError' };

test('after the signal, work stops and taking back still works', async () => {
  const controller = new AbortController();
  const host = createNodeHost({ threads: false, signal: controller.signal });
  const file = path.join(dir, 'made', 'blob.tmp');
  const handle = await host.create(file);
  await host.write(handle, new Uint8Array([1, 2, 3]));
  controller.abort('SIGINT');
  for (const call of [
    () => host.stat(file),
    () => host.read(file, 0, 3),
    () => host.write(handle, new Uint8Array([4])),
    () => host.create(path.join(dir, 'other')),
    () => host.rename(file, path.join(dir, 'renamed')),
    () => host.fetch({ method: 'GET', url: 'http://127.0.0.1:1/' }),
  ]) {
    assert.throws(call, { ...interrupted, message: 'the build was interrupted by SIGINT' });
  }
  await host.close(handle);
  await host.remove(file);
  await host.removeDir(path.dirname(file));
  assert.deepEqual(fs.readdirSync(dir), []);
  assert.equal(host.env('PATH'), process.env.PATH);
});

test('a wait in flight ends when the signal fires', async () => {
  const controller = new AbortController();
  const host = createNodeHost({ threads: false, signal: controller.signal });
  const started = Date.now();
  const waiting = host.sleep(30_000);
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(waiting, interrupted);
  assert.ok(Date.now() - started < 5_000, 'the 30 s wait ended with the signal');
});

test('alive tells a running process from one that has exited', () => {
  const host = createNodeHost({ threads: false });
  assert.equal(host.alive(process.pid), true);
  assert.equal(host.alive(spawnSync('true').pid), false);
});
