'use strict';

// Stopping a build or push part-way through, on an AbortSignal. The core
// runs only between host calls, so the host is where it is stopped: once
// the signal fires, every call that would carry the work on throws with an
// `interrupted` error, and the waits in flight (a request, a retry's pause)
// reject at once, while the calls that take back what was written (remove,
// removeDir, close, discardBody) still work. The core then fails the way it
// fails on any error, and its error path removes the temp files, the new
// blobs, the lock and a new --output.
//
// A call that has done its work (a file created, renamed) is never turned
// into a failure afterwards: the core would not know to take it back.
//
// The web demo's worker uses this file too (scripts/build-wasm.sh copies it
// into web-demo/pkg/), so it is neither CommonJS nor an ES module: it fills
// `module.exports` under require, and `globalThis.pycontainerInterrupt`
// when a browser imports it as a module, where `module` is not defined.

const api = (() => {
  /** Calls that undo, only inform or give memory back: they still work after an interrupt. */
  const ALLOWED = new Set([
    'deflateRelease',
    'remove',
    'removeDir',
    'close',
    'discardBody',
    'env',
    'progress',
    'pid',
    'alive',
    'sha256',
    'bytecodeMagic',
    'prepareBytecode',
  ]);

  /** Calls that wait on something outside and change nothing here the core would take back. */
  const WAITS = new Set([
    'fetch',
    'readBody',
    'sleep',
    'deflateChunk',
    'compileBytecode',
    'credentials',
  ]);

  /**
   * The Node host answers at once, so a core that only reads and writes
   * local files runs from one microtask to the next and a signal handler
   * would wait for the whole build. A call answered later than this after
   * the last turn of the event loop is answered on the next turn instead.
   */
  const TURN_MS = 50;

  /** The next turn of the event loop: Node's setImmediate, a zero timeout in a browser. */
  const nextTurn = globalThis.setImmediate ?? ((fn) => setTimeout(fn, 0));

  /** The typed error an interrupted build or push rejects with. */
  function interruptedError(signal, what = 'the build') {
    const reason = typeof signal?.reason === 'string' ? ` by ${signal.reason}` : '';
    const err = new Error(`${what} was interrupted${reason}`);
    // The name fetch and timers give an aborted operation.
    err.name = 'AbortError';
    err.code = 'interrupted';
    return err;
  }

  /** Refuses anything but an AbortSignal (or nothing) as the `signal` option. */
  function checkSignal(signal) {
    if (signal === undefined || signal instanceof AbortSignal) return;
    const err = new TypeError('signal must be an AbortSignal');
    err.code = 'invalid-option';
    throw err;
  }

  /**
   * The host with every call that carries the work on stopped by `signal`;
   * the host itself when there is no signal.
   */
  function interruptible(host, signal) {
    if (!signal) return host;
    const stopped = new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(interruptedError(signal)), { once: true });
    });
    // Nobody may be waiting when it fires.
    stopped.catch(() => {});
    let lastTurn = Date.now();
    const out = {};
    for (const [name, method] of Object.entries(host)) {
      if (typeof method !== 'function' || ALLOWED.has(name)) {
        out[name] = method;
        continue;
      }
      out[name] = (...args) => {
        if (signal.aborted) throw interruptedError(signal);
        const value = method.apply(host, args);
        if (typeof value?.then === 'function') {
          return WAITS.has(name) ? Promise.race([value, stopped]) : value;
        }
        if (Date.now() - lastTurn < TURN_MS) return value;
        // A read's buffer is reused by the next read: this answer is kept.
        const kept = value instanceof Uint8Array ? value.slice() : value;
        return new Promise((resolve) => {
          nextTurn(() => {
            lastTurn = Date.now();
            resolve(kept);
          });
        });
      };
    }
    return out;
  }

  return { checkSignal, interruptedError, interruptible };
})();

if (typeof module === 'object') module.exports = api;
else globalThis.pycontainerInterrupt = api;
