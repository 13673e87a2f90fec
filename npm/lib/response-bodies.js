'use strict';

// The body half of a host's network methods over a WHATWG fetch (the
// browser's, the VS Code extension host's): `readBody` hands the core a
// response body in pieces of at most `max` bytes, `discardBody` cancels one,
// `sleep` waits before a retry. vscode-host.js and the web demo's
// browser-host.js share it.
//
// Like interrupt.js it is neither CommonJS nor an ES module, so that both
// can load it (scripts/build-wasm.sh copies it into web-demo/pkg/): it fills
// `module.exports` under require, and `globalThis.pycontainerResponseBodies`
// when a browser imports it as a module.

const api = (() => {
  /**
   * The bodies of the responses a host's fetch got. `open(response, what)`
   * keeps a body and returns its handle for the core; `networkError(what,
   * err)` is the host's own error for a body that breaks while read.
   */
  function createBodies(networkError) {
    const bodies = new Map();
    let nextBody = 1;

    function open(response, what) {
      const handle = nextBody++;
      bodies.set(handle, { reader: response.body?.getReader() ?? null, rest: null, what });
      return handle;
    }

    async function readBody(handle, max) {
      const entry = bodies.get(handle);
      if (!entry) throw new Error(`readBody: unknown or finished response body ${handle}`);
      let chunk = entry.rest;
      entry.rest = null;
      while (!chunk || chunk.byteLength === 0) {
        let step = { done: true };
        try {
          if (entry.reader) step = await entry.reader.read();
        } catch (err) {
          bodies.delete(handle);
          throw networkError(`${entry.what} (reading the body)`, err);
        }
        if (step.done) {
          bodies.delete(handle);
          return null;
        }
        chunk = step.value;
      }
      if (chunk.byteLength > max) {
        entry.rest = chunk.subarray(max);
        return chunk.subarray(0, max);
      }
      return chunk;
    }

    async function discardBody(handle) {
      const entry = bodies.get(handle);
      bodies.delete(handle);
      try {
        await entry?.reader?.cancel();
      } catch {
        // The body is unwanted; failing to cancel it changes nothing.
      }
    }

    return { open, readBody, discardBody };
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, Number(ms)));
  }

  return { createBodies, sleep };
})();

if (typeof module === 'object') module.exports = api;
else globalThis.pycontainerResponseBodies = api;
