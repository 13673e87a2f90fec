'use strict';

// The host's HTTP methods (registries, the package index) over fetch.
//
// The core sends a request and gets back the status, the final URL and the
// headers at once, plus a numeric handle for the body, which it reads piece
// by piece with readBody (so a multi-gigabyte layer never sits in memory).
//
// Redirects are followed by fetch itself. The fetch spec drops Authorization
// on a cross-origin redirect, and registries rely on that: a blob GET is
// redirected to S3 or a CDN with a signed URL, which must not see the
// registry's token.
//
// Header values never appear in errors: they carry tokens.

/** @typedef {[string, string]} HeaderPair */

/**
 * @typedef {object} HttpRequest
 * @property {string} method
 * @property {string} url
 * @property {HeaderPair[]} [headers]
 * @property {Uint8Array | null} [body] sent whole
 * @property {boolean} [tlsVerify] false skips TLS certificate checks (an --insecure-registry); default true
 */

/**
 * @typedef {object} HttpResponse
 * @property {number} status
 * @property {string} url the final URL, after redirects
 * @property {HeaderPair[]} headers names lowercased
 * @property {number} body a handle for readBody / discardBody
 */

/**
 * @typedef {object} Http
 * @property {(req: HttpRequest) => Promise<HttpResponse>} fetch
 * @property {(handle: number, max: number) => Promise<Uint8Array | null>} readBody
 * @property {(handle: number) => Promise<void>} discardBody
 * @property {(ms: number) => Promise<void>} sleep
 */

const DEFAULT_TIMEOUT_MS = 60_000;
/** Bytes per second an upload is assumed to manage at least (see doFetch). */
const UPLOAD_MIN_RATE = 16 * 1024;

/** A URL fit for a message: no user:password@ and no query (signed URLs carry tokens there). */
function displayUrl(url) {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Header names whose values are credentials: redacted from three characters up. */
const SENSITIVE = /auth|cookie|token|secret|key|session|signature/i;

/**
 * What must never appear in a message: the request's header values and their
 * parts ("Bearer TOKEN" → TOKEN), longest first. Short values of ordinary
 * headers (a Content-Length that happens to be a port number) are left alone.
 */
function secretsOf(headers) {
  const secrets = new Set();
  for (const [name, value] of headers) {
    const min = SENSITIVE.test(String(name)) ? 3 : 8;
    const text = String(value);
    for (const part of [text, ...text.split(/\s+/)]) {
      if (part.length >= min) secrets.add(part);
    }
  }
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** A cause's message with the raw URL shown as displayUrl and every secret replaced. */
function scrub(message, { url, secrets }) {
  let text = String(message);
  if (url) text = text.replaceAll(url, displayUrl(url));
  for (const secret of secrets) text = text.replaceAll(secret, '[redacted]');
  return text;
}

/** The innermost useful cause of a fetch failure (`TypeError: fetch failed` wraps it). */
function rootCause(err) {
  let cause = err;
  for (let i = 0; i < 5 && cause?.cause && !cause.code; i++) cause = cause.cause;
  return cause ?? err;
}

function causeMessage(cause) {
  // `localhost` may try ::1 and 127.0.0.1: an AggregateError with an empty message.
  if (!cause?.message && Array.isArray(cause?.errors) && cause.errors.length > 0) {
    return causeMessage(cause.errors[0]);
  }
  return cause?.message || String(cause);
}

/** Errors made here, already safe to show (the stall timeout passes through readBody). */
const own = new WeakSet();

function httpError(code, message) {
  const err = new Error(message);
  err.code = code;
  own.add(err);
  return err;
}

/** Maps a fetch or body-read failure to an Error with a `code` and without header values. */
function networkError(err, what, context) {
  const cause = rootCause(err);
  const code = typeof cause?.code === 'string' && cause.code ? cause.code : 'ENETWORK';
  return httpError(code, `${what} failed: ${scrub(causeMessage(cause), context)} (${code})`);
}

function toCount(value, what) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid ${what}: ${String(value)}`);
  return n;
}

/** Builds the request headers without ever echoing a value (fetch's own messages would). */
function buildHeaders(pairs, what) {
  const headers = new Headers();
  for (const pair of pairs) {
    const [name, value] = pair;
    try {
      headers.append(String(name), String(value));
    } catch {
      throw httpError('EINVAL', `${what}: invalid header ${JSON.stringify(String(name))}`);
    }
  }
  return headers;
}

/**
 * Creates the HTTP half of the Node host.
 * @param {{timeoutMs?: number}} [options] `timeoutMs`: how long to wait for
 *   response headers, and the longest stall allowed between body chunks
 * @returns {Http}
 */
function createHttp(options = {}) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  /** @type {Map<number, {reader: ReadableStreamDefaultReader<Uint8Array> | null, rest: Uint8Array | null, controller: AbortController, what: string, context: {url: string, secrets: string[]}}>} */
  const bodies = new Map();
  let nextHandle = 1;
  let insecure = null;

  /** undici's own fetch with an agent that skips certificate checks, loaded on first use. */
  function insecureFetch() {
    if (!insecure) {
      const undici = require('undici');
      const dispatcher = new undici.Agent({ connect: { rejectUnauthorized: false } });
      insecure = (url, init) => undici.fetch(url, { ...init, dispatcher });
    }
    return insecure;
  }

  function release(handle) {
    const entry = bodies.get(handle);
    bodies.delete(handle);
    return entry;
  }

  async function doFetch(req) {
    const method = String(req.method || 'GET').toUpperCase();
    const pairs = req.headers ?? [];
    const context = { url: String(req.url), secrets: secretsOf(pairs) };
    const what = `${method} ${displayUrl(req.url)}`;
    const headers = buildHeaders(pairs, what);
    // fetch resolves only once the request body is sent and the headers are
    // back, so an upload gets extra time at a modest minimum rate: a 5 MiB
    // chunk over a slow uplink must not be taken for a dead server.
    const limitMs = timeoutMs + Math.ceil(((req.body?.byteLength ?? 0) / UPLOAD_MIN_RATE) * 1000);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, limitMs);
    const init = {
      method,
      headers,
      body: req.body ?? undefined,
      redirect: 'follow',
      signal: controller.signal,
    };
    const run = req.tlsVerify === false ? insecureFetch() : globalThis.fetch;
    let res;
    try {
      res = await run(req.url, init);
    } catch (err) {
      if (timedOut) {
        throw httpError('ETIMEDOUT', `${what}: no response within ${limitMs} ms`);
      }
      throw networkError(err, what, context);
    } finally {
      clearTimeout(timer);
    }
    const handle = nextHandle++;
    bodies.set(handle, {
      reader: res.body ? res.body.getReader() : null,
      rest: null,
      controller,
      what,
      context,
    });
    return {
      status: res.status,
      url: res.url || req.url,
      headers: [...res.headers],
      body: handle,
    };
  }

  /** The next network chunk, or a rejection once the body stalls for timeoutMs. */
  function readChunk(entry) {
    let timer;
    const stall = new Promise((_, reject) => {
      timer = setTimeout(() => {
        // Settle first: aborting rejects the pending read, which would win the race.
        reject(httpError('ETIMEDOUT', `${entry.what}: body stalled for more than ${timeoutMs} ms`));
        entry.controller.abort();
        entry.reader.cancel().catch(() => {});
      }, timeoutMs);
    });
    return Promise.race([entry.reader.read(), stall]).finally(() => clearTimeout(timer));
  }

  async function readBody(handle, maxArg) {
    const entry = bodies.get(handle);
    if (!entry) throw new Error(`readBody: unknown or finished response body handle ${handle}`);
    const max = toCount(maxArg, 'max');
    if (max === 0) throw new RangeError('readBody: max must be at least 1');
    let chunk = entry.rest;
    entry.rest = null;
    while (!chunk || chunk.byteLength === 0) {
      if (!entry.reader) {
        release(handle);
        return null;
      }
      let step;
      try {
        step = await readChunk(entry);
      } catch (err) {
        release(handle);
        if (own.has(err)) throw err;
        throw networkError(err, `${entry.what} (reading the body)`, entry.context);
      }
      if (step.done) {
        release(handle);
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
    const entry = release(handle);
    if (!entry?.reader) return;
    try {
      await entry.reader.cancel();
    } catch {
      // The body is unwanted; a failure to cancel it changes nothing.
    }
  }

  function sleep(ms) {
    const delay = toCount(ms, 'sleep duration');
    return new Promise((resolve) => setTimeout(resolve, delay));
  }

  return { fetch: doFetch, readBody, discardBody, sleep };
}

module.exports = { createHttp };
