'use strict';

// A second core for the layer compressor. The main thread's core sends a
// 1 MiB chunk here while it deflates the next one itself. This worker runs
// the same wasm function (`deflateChunk`), so a chunk comes out as the same
// bytes whichever thread compressed it, and the layer digest never depends
// on the machine's core count.
//
// Buffers travel back and forth instead of being allocated per chunk: a
// fresh megabyte per chunk in each isolate is garbage that V8 collects late,
// and peak memory would grow with the layer.

const { parentPort, Worker } = require('node:worker_threads');
const os = require('node:os');
const { coreFileAvailable, loadWasm } = require('./wasm.js');

/** Room for a chunk and for the little that deflate can add to incompressible data. */
const BUFFER = (1 << 20) + (64 << 10);
const TOO_SMALL = 0xffffffff;

if (parentPort) {
  const core = loadWasm();
  const scratch = new Uint8Array(BUFFER);
  parentPort.on('message', ({ id, buf, length }) => {
    try {
      const input = buf.subarray(0, length);
      const n = core.deflateChunkInto(input, scratch);
      if (n === TOO_SMALL) {
        const out = core.deflateChunk(input);
        parentPort.postMessage({ id, out }, [out.buffer]);
      } else {
        buf.set(scratch.subarray(0, n));
        parentPort.postMessage({ id, buf, length: n }, [buf.buffer]);
      }
    } catch (err) {
      parentPort.postMessage({ id, error: String(err?.message ?? err) });
    }
  });
}

/**
 * The main thread's side: `deflate(view)` copies the chunk and resolves to
 * the deflated bytes. A result is valid until the next call, which takes its
 * buffer back; the core reads each result before it sends the next chunk.
 * The worker starts on first use and holds the process open only while it
 * has work. Returns null on a single-core machine, where a worker would only
 * add overhead, and in a bundle, where this file is not there for a worker
 * to run and the core deflates in one thread.
 */
function createDeflater() {
  if (os.availableParallelism() < 2 || !coreFileAvailable()) return null;
  let worker = null;
  let nextId = 0;
  const pending = new Map();
  const pool = [];
  let lent = [];
  const failAll = (err) => {
    for (const { reject } of pending.values()) reject(err);
    pending.clear();
    worker = null;
  };
  const start = () => {
    worker = new Worker(__filename);
    worker.on('message', ({ id, buf, length, out, error }) => {
      const job = pending.get(id);
      if (!job) return;
      pending.delete(id);
      if (pending.size === 0) worker.unref();
      if (error) {
        job.reject(new Error(`deflate worker: ${error}`));
      } else if (buf) {
        lent.push(buf);
        job.resolve(buf.subarray(0, length));
      } else {
        job.resolve(out);
      }
    });
    worker.on('error', failAll);
    worker.unref();
    worker.on('exit', (code) => {
      if (pending.size > 0) failAll(new Error(`deflate worker exited with code ${code}`));
    });
  };
  return (view) => {
    if (!worker) start();
    pool.push(...lent);
    lent = [];
    const buf =
      view.length <= BUFFER ? (pool.pop() ?? new Uint8Array(BUFFER)) : new Uint8Array(view.length);
    buf.set(view);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, buf, length: view.length }, [buf.buffer]);
    });
  };
}

module.exports = { createDeflater };
