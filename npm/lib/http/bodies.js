'use strict';

// The response bodies the core holds handles to. A body is read only when
// readBody asks, and at most HIGH_WATER bytes of it wait here, so a
// multi-gigabyte layer never sits in memory. A body nobody reads to its end is drained when small, so
// that its socket goes back to the pool, and its connection closed when not.

const { httpError, networkError, toCount } = require('./redact.js');

/** An unwanted body up to this size is read to its end, so that its socket is reused. */
const DRAIN_MAX = 64 * 1024;
/**
 * Bytes of a body held here before its stream is paused. Network chunks
 * are small (16 KiB HTTP/2 frames, 64 KiB socket reads) and each readBody
 * is a call out of the core and back, so a read takes all that has come,
 * up to its `max`: a 7 MB index page is some 30 calls instead of 450.
 */
const HIGH_WATER = 256 * 1024;

/** Response headers from the raw list: lowercased names, repeats joined (set-cookie kept apart), sorted. */
function responseHeaders(raw) {
  const joined = new Map();
  const cookies = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    if (name === 'set-cookie') cookies.push(value);
    else joined.set(name, joined.has(name) ? `${joined.get(name)}, ${value}` : value);
  }
  const out = [...joined];
  for (const value of cookies) out.push(['set-cookie', value]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * The body table of one createHttp: `register` gives a response its handle,
 * `readBody` and `discardBody` are the host's methods, `drop` lets go of a
 * body that gets no handle (a redirect's). `timeoutMs` is the longest stall
 * allowed between chunks. Each `ex` is index.js's record of the exchange:
 * its request, and whether the request body was cut short (`stopped`).
 */
function createBodies(timeoutMs) {
  const bodies = new Map();
  let nextHandle = 1;

  /** Stops a response: its socket is closed, not reused. */
  function destroy(res, ex) {
    res.destroy();
    ex.req.destroy();
  }

  /**
   * Lets go of a response body nobody will read: a small or already
   * received rest is read to its end, so that the socket goes back to the
   * pool; a large one closes the connection. Resolves once a body that had
   * fully arrived is drained (its socket is free for the next request).
   */
  function drop(res, ex) {
    res.on('error', () => {});
    if (res.readableEnded || res.destroyed) {
      if (ex.stopped) ex.req.destroy();
      return Promise.resolve();
    }
    const length = Number(res.headers['content-length']);
    const small = res.complete || (Number.isSafeInteger(length) && length <= DRAIN_MAX);
    if (ex.stopped || !small) {
      destroy(res, ex);
      return Promise.resolve();
    }
    const timer = setTimeout(() => destroy(res, ex), timeoutMs);
    // Only awaited when the whole body is here; else it must not hold the process.
    if (!res.complete) timer.unref();
    const drained = new Promise((resolve) => {
      res.once('end', resolve);
      res.once('close', resolve);
    }).finally(() => clearTimeout(timer));
    res.removeAllListeners('data');
    res.resume();
    return res.complete ? drained : Promise.resolve();
  }

  /** Gives a response body its handle; from here on it is read only when readBody asks. */
  function register(res, ex, url, what, context) {
    const handle = nextHandle++;
    const entry = {
      res,
      ex,
      // Unread pieces, and their bytes.
      queue: [],
      queued: 0,
      ended: false,
      error: null,
      wake: null,
      timer: null,
      what,
      context,
    };
    const wake = () => {
      if (!entry.wake) return;
      clearTimeout(entry.timer);
      const resolve = entry.wake;
      entry.wake = null;
      resolve();
    };
    // Flowing from the start (the body comes while the core does other
    // work), paused once HIGH_WATER bytes wait, resumed by readBody.
    res.on('data', (chunk) => {
      entry.queue.push(chunk);
      entry.queued += chunk.byteLength;
      if (entry.queued >= HIGH_WATER) res.pause();
      wake();
    });
    res.on('end', () => {
      entry.ended = true;
      wake();
    });
    res.on('error', (err) => {
      entry.error ??= err;
      wake();
    });
    res.on('close', () => {
      if (!entry.ended && !res.complete) {
        entry.error ??= Object.assign(new Error('the connection closed before the body ended'), {
          code: 'ECONNRESET',
        });
      }
      wake();
    });
    bodies.set(handle, entry);
    return {
      status: res.statusCode,
      url: url.href,
      headers: responseHeaders(res.rawHeaders),
      body: handle,
    };
  }

  /** Forgets a handle; a request whose body was cut short gives up its socket. */
  function release(handle) {
    const entry = bodies.get(handle);
    bodies.delete(handle);
    if (entry) {
      clearTimeout(entry.timer);
      if (entry.ex.stopped) entry.ex.req.destroy();
    }
    return entry;
  }

  /** Waits for the next chunk, the end or an error; rejects once the body stalls for timeoutMs. */
  function waitForData(entry) {
    return new Promise((resolve, reject) => {
      entry.wake = resolve;
      entry.timer = setTimeout(() => {
        entry.wake = null;
        reject(httpError('ETIMEDOUT', `${entry.what}: body stalled for more than ${timeoutMs} ms`));
        destroy(entry.res, entry.ex);
      }, timeoutMs);
      entry.res.resume();
    });
  }

  async function readBody(handle, maxArg) {
    const entry = bodies.get(handle);
    if (!entry) throw new Error(`readBody: unknown or finished response body handle ${handle}`);
    const max = toCount(maxArg, 'max');
    if (max === 0) throw new RangeError('readBody: max must be at least 1');
    while (entry.queued === 0) {
      if (entry.error) {
        release(handle);
        destroy(entry.res, entry.ex);
        throw networkError(entry.error, `${entry.what} (reading the body)`, entry.context);
      }
      if (entry.ended) {
        release(handle);
        return null;
      }
      try {
        await waitForData(entry);
      } catch (err) {
        release(handle);
        throw networkError(err, `${entry.what} (reading the body)`, entry.context);
      }
    }
    const piece = take(entry, max);
    if (entry.queued < HIGH_WATER && !entry.ended) entry.res.resume();
    return piece;
  }

  /** Up to `max` of the bytes waiting, in one piece: the first chunk alone when it fills it. */
  function take(entry, max) {
    const { queue } = entry;
    const first = queue[0];
    if (first.byteLength >= max) {
      if (first.byteLength > max) queue[0] = first.subarray(max);
      else queue.shift();
      entry.queued -= max;
      return first.subarray(0, max);
    }
    let size = 0;
    let count = 0;
    while (count < queue.length && size + queue[count].byteLength <= max) {
      size += queue[count++].byteLength;
    }
    const pieces = queue.splice(0, count);
    entry.queued -= size;
    return count === 1 ? first : Buffer.concat(pieces, size);
  }

  async function discardBody(handle) {
    const entry = release(handle);
    if (!entry) return;
    if (entry.ended || entry.error) {
      if (entry.error) destroy(entry.res, entry.ex);
      return;
    }
    await drop(entry.res, entry.ex);
  }

  return { register, readBody, discardBody, drop };
}

module.exports = { createBodies };
