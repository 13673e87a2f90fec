// The deflate worker must give exactly the core's bytes, and never hold the process open.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import { describe, test } from 'node:test';

const require = createRequire(import.meta.url);
const { loadWasm } = require('../../npm/lib/wasm.js');
const { createDeflater } = require('../../npm/lib/deflate-worker.js');

const MiB = 1 << 20;

function chunks() {
  const text = Buffer.alloc(MiB, 'def handler(request):\n    return {"ok": True}\n');
  const noise = new Uint8Array(MiB);
  let x = 123456789;
  for (let i = 0; i < noise.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    noise[i] = x & 0xff;
  }
  const mixed = new Uint8Array(MiB);
  mixed.set(text.subarray(0, MiB / 2));
  mixed.set(noise.subarray(0, MiB / 2), MiB / 2);
  return [new Uint8Array(text), noise, mixed];
}

/**
 * Python-like words and a stretch of noise from a 32-bit LCG: the same
 * generator as `pinned_chunk` in crates/archive/src/gzip.rs.
 */
function pinnedChunk() {
  const vocab = [
    'import ',
    'return ',
    'self',
    '.items',
    '(request)',
    ':\n    ',
    'value',
    ' = ',
    'None',
    '[0]',
    'json',
    ' if ',
    'else ',
    'for x in ',
    'data',
    '\n',
  ].map((w) => Buffer.from(w));
  let x = 1;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  const out = Buffer.alloc(MiB);
  let at = 0;
  while (at < MiB - 200_000) at += vocab[(next() >>> 16) % 16].copy(out, at);
  while (at < MiB) out[at++] = next() >>> 24;
  return out;
}

/** CRC-32 (IEEE, as gzip's trailer), bit by bit: slow, and independent of the core's. */
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test('the wasm deflates a chunk to the bytes the native build pins', () => {
  // deflateChunk's result is the deflated chunk, then the chunk's CRC-32.
  const result = loadWasm().deflateChunk(pinnedChunk());
  const deflated = result.subarray(0, result.length - 4);
  assert.equal(
    Buffer.from(result.subarray(-4)).readUInt32LE(0),
    crc32(pinnedChunk()),
    'the checksum after the deflated bytes',
  );
  // The same digest as the Rust test a_chunk_deflates_to_the_pinned_bytes_on_every_host:
  // zlib-rs's SIMD paths (simd128 here, AVX2 or NEON natively) must not change a byte.
  assert.equal(
    crypto.createHash('sha256').update(deflated).digest('hex'),
    '46d6e415a569f7bbbb8857324b3b276e752452401f27cd7c958e56cdd8993057',
  );
});

describe('deflate worker', { skip: os.availableParallelism() < 2 ? 'one core' : false }, () => {
  test('gives the same bytes as the core, chunk after chunk, with pooled buffers', async () => {
    const core = loadWasm();
    const { deflate, release } = createDeflater();
    for (const chunk of [...chunks(), ...chunks()]) {
      const expected = core.deflateChunk(chunk);
      // Pass a view over a larger buffer, as the core does with wasm memory.
      const backing = new Uint8Array(chunk.length + 16);
      backing.set(chunk, 8);
      const got = await deflate(backing.subarray(8, 8 + chunk.length));
      assert.deepEqual(Buffer.from(got), Buffer.from(expected));
      release(got);
    }
  });

  test('several chunks out at once come back intact until released', async () => {
    const core = loadWasm();
    const { deflate, release } = createDeflater();
    const sent = [...chunks(), ...chunks(), ...chunks()];
    // All out before any is read, as the core keeps several out; each result
    // is read only after later chunks went out and earlier results came back.
    const results = sent.map((chunk) => deflate(chunk));
    for (const [i, result] of results.entries()) {
      const got = await result;
      assert.deepEqual(Buffer.from(got), Buffer.from(core.deflateChunk(sent[i])), `chunk ${i}`);
      release(got);
      // A released buffer goes to the next chunk and must not disturb the ones still out.
      const again = await deflate(sent[i]);
      assert.deepEqual(Buffer.from(again), Buffer.from(core.deflateChunk(sent[i])), `again ${i}`);
      release(again);
    }
  });

  test('a build with the worker exits on its own', () => {
    const script = `
      const { createDeflater } = require(${JSON.stringify(require.resolve('../../npm/lib/deflate-worker.js'))});
      const { deflate } = createDeflater();
      deflate(new Uint8Array(1 << 20)).then((out) => console.log(out.length));
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.signal, null, 'the process had to be killed: the worker held it open');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(Number(r.stdout) > 0);
  });
});
