'use strict';

// The machine's cores for the layer compressor. The core sends each 1 MiB
// chunk here (a few at a time) and reads, tars and hashes the next ones
// meanwhile; one worker per core deflates them. Each worker runs the same
// wasm function (`deflateChunk`), so a chunk comes out as the same bytes
// whichever thread compressed it, and the layer digest never depends on
// the machine's core count.
//
// Buffers travel back and forth instead of being allocated per chunk: a
// fresh megabyte per chunk in each isolate is garbage that V8 collects late,
// and peak memory would grow with the layer.

const { parentPort, Worker } = require('node:worker_threads');
const os = require('node:os');
const { coreFileAvailable, loadWasm } = require('./wasm.js');

/** Room for a chunk, the little that deflate can add to incompressible data, and its checksum. */
const BUFFER = (1 << 20) + (64 << 10);
const TOO_SMALL = 0xffffffff;
/** The core keeps four chunks out at once (AHEAD in src/layer/write.rs): more workers would idle. */
const MAX_WORKERS = 4;

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
 * the deflated bytes, a view of a pooled buffer that `release(view)` hands
 * back once the caller has copied it out. Workers start on first use, one
 * per core (at most `MAX_WORKERS`), and hold the process open only while
 * they have work. Returns null on a single-core machine, where workers
 * would only add overhead, and in a bundle, where this file is not there
 * for a worker to run and the core deflates in one thread.
 */
function createDeflater() {
  const cores = os.availableParallelism();
  if (cores < 2 || !coreFileAvailable()) return null;
  const workers = [];
  let nextId = 0;
  const pool = [];
  const start = () => {
    const worker = new Worker(__filename);
    const entry = { worker, pending: new Map() };
    const failAll = (err) => {
      for (const { reject } of entry.pending.values()) reject(err);
      entry.pending.clear();
      workers.splice(workers.indexOf(entry), 1);
    };
    worker.on('message', ({ id, buf, length, out, error }) => {
      const job = entry.pending.get(id);
      if (!job) return;
      entry.pending.delete(id);
      if (entry.pending.size === 0) worker.unref();
      if (error) {
        job.reject(new Error(`deflate worker: ${error}`));
      } else if (buf) {
        job.resolve(buf.subarray(0, length));
      } else {
        job.resolve(out);
      }
    });
    worker.on('error', failAll);
    worker.unref();
    worker.on('exit', (code) => {
      if (entry.pending.size > 0) failAll(new Error(`deflate worker exited with code ${code}`));
    });
    workers.push(entry);
    return entry;
  };
  // The least busy worker, or a new one while there are idle cores.
  const pick = () => {
    const idle = workers.find((w) => w.pending.size === 0);
    if (idle) return idle;
    if (workers.length < Math.min(cores, MAX_WORKERS)) return start();
    return workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  };
  const deflate = (view) => {
    const { worker, pending } = pick();
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
  const release = (view) => {
    if (view.buffer.byteLength === BUFFER) pool.push(new Uint8Array(view.buffer));
  };
  return { deflate, release };
}

module.exports = { createDeflater };
