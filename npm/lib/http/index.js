'use strict';

// The host's HTTP methods (registries, the package index) over node:http and
// node:https.
//
// The core sends a request and gets back the status, the final URL and the
// headers at once, plus a numeric handle for the body, which it reads piece
// by piece with readBody (bodies.js).
// A request body is either bytes, written as they are, or a slice of a file
// (`bodyFile`), streamed from disk; both go out with a Content-Length, never
// chunked.
//
// Not global fetch: undici costs 0.15-0.2 s at startup and copies every
// request body, which made a 100 MB push markedly slower (docs/benchmarks.md).
//
// Redirects are followed here, as fetch does it: Authorization (and Cookie)
// are dropped on a cross-origin redirect, and registries rely on that: a blob
// GET is redirected to S3 or a CDN with a signed URL, which must not see the
// registry's token.
//
// Connections are kept alive, one pool per createHttp. GETs and HEADs over
// TLS without a proxy use HTTP/2 where the server offers it, many requests
// on one connection (h2.js).
//
// Liveness: the CLI ends when the event loop is empty, without closing
// anything, and the core may give up on a response without reading or
// discarding its body (a parallel upload fails). So sockets never hold the
// process: Node's agent unrefs them while idle in the pool, and they are
// unreffed while in use too. What keeps the process alive is a timer that
// runs exactly while the core waits here: the response-headers timeout
// during fetch, the stall timeout during readBody, the drain of a
// discarded body.
//
// Proxies come from the environment, read once per createHttp (proxy.js).
//
// Header values never appear in errors: they carry tokens (redact.js).

const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const { createBodies } = require('./bodies.js');
const h2 = require('./h2.js');
const { interruptedError } = require('../interrupt.js');
const { proxySettings, TunnelAgent } = require('./proxy.js');
const {
  codeOf,
  displayUrl,
  httpError,
  isOwnError,
  networkError,
  secretsOf,
  toCount,
} = require('./redact.js');

/** @typedef {[string, string]} HeaderPair */

/**
 * @typedef {object} BodyFile a slice of a file, streamed as the request body
 * @property {string} path
 * @property {number} offset first byte
 * @property {number} length bytes to send
 */

/**
 * @typedef {object} HttpRequest
 * @property {string} method
 * @property {string} url
 * @property {HeaderPair[]} [headers]
 * @property {Uint8Array | null} [body] sent whole, as is
 * @property {BodyFile | null} [bodyFile] streamed from the file instead of `body`
 * @property {boolean} [tlsVerify] false skips TLS certificate checks (an --insecure-registry); default true
 * @property {{digest: string, offset: number, total: number} | null} [progress] for a bodyFile
 *   upload: the blob it carries, reported through `onUploadProgress` as it streams
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

const USER_AGENT = `pycontainer/${require('../../package.json').version}`;
const DEFAULT_TIMEOUT_MS = 60_000;
/** Bytes per second an upload is assumed to manage at least (see doFetch). */
const UPLOAD_MIN_RATE = 16 * 1024;
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Sockets per origin (the core pushes a few blobs at once). */
const MAX_SOCKETS = 16;
/** How long an idle pooled socket is kept (a server's Keep-Alive hint may shorten it). */
const IDLE_SOCKET_MS = 15_000;
/** Upload progress is reported at most this often (and at the end). */
const PROGRESS_MS = 100;
/** Read size for a bodyFile: large reads, few syscalls. */
const FILE_CHUNK = 1 << 20;
/** Set here, whatever the caller says: they follow from the URL and the body. */
const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);
/** Headers that describe a request body; dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = new Set([
  'content-type',
  'content-encoding',
  'content-language',
  'content-location',
]);
/** Credentials, dropped on a redirect to another origin. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
/** Errors of a pooled socket the server closed just as it was reused: worth one fresh try. */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/**
 * Methods that fresh try may repeat. The same errors also mean "the server
 * got the request and the answer was lost", and a second blob PUT into an
 * upload session the first one closed would fail: the core, which knows
 * what a request does, decides about those.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The request headers by lowercased name, each `[name as given, value]`;
 * repeated names are joined with ', ' as fetch does. A value is never echoed.
 * @returns {Map<string, [string, string]>}
 */
function buildHeaders(pairs, what) {
  const headers = new Map();
  for (const pair of pairs) {
    const name = String(pair[0]);
    // Leading and trailing HTTP whitespace is dropped, as fetch does.
    const value = String(pair[1]).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
    } catch {
      throw httpError('EINVAL', `${what}: invalid header ${JSON.stringify(name)}`);
    }
    const key = name.toLowerCase();
    if (DROPPED_HEADERS.has(key)) continue;
    const prev = headers.get(key);
    headers.set(key, prev ? [prev[0], `${prev[1]}, ${value}`] : [name, value]);
  }
  return headers;
}

/** Parses an http(s) URL; a user:password part is dropped, never sent. */
function parseUrl(text, what, code) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw httpError(code, `${what} failed: invalid URL (${code})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const why = code === 'EREDIRECT' ? 'a redirect to' : 'unsupported protocol';
    throw httpError(code, `${what} failed: ${why} ${url.protocol} (${code})`);
  }
  url.username = '';
  url.password = '';
  url.hash = '';
  return url;
}

function openFile(path) {
  return new Promise((resolve, reject) => {
    fs.open(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd)));
  });
}

function fileSize(fd) {
  return new Promise((resolve, reject) => {
    fs.fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size)));
  });
}

/**
 * Creates the HTTP half of the Node host.
 * @param {{timeoutMs?: number, env?: Record<string, string | undefined>,
 *   onUploadProgress?: (p: {digest: string, bytes: number, total: number}) => void,
 *   signal?: AbortSignal}} [options]
 *   `timeoutMs`: how long to wait for response headers, and the longest
 *   stall allowed between body chunks; `env`: where the proxy variables
 *   are read (default process.env); `onUploadProgress({digest, bytes, total})`:
 *   called while a bodyFile with `progress` streams (every 100 ms, and at its end);
 *   `signal`: when it fires, requests in flight are destroyed and waits end
 * @returns {Http}
 */
function createHttp(options = {}) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { onUploadProgress, signal } = options;
  // Requests in flight or whose bodies are held, and the retry waits: an
  // interrupt (`signal`) ends them all, so that nothing holds the process.
  const live = new Set();
  signal?.addEventListener(
    'abort',
    () => {
      for (const end of live) end();
    },
    { once: true },
  );
  const { proxyFor, secrets: proxySecrets } = proxySettings(options.env ?? process.env);
  const pool = { keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_SOCKET_MS };
  const httpAgent = new http.Agent(pool);
  const httpsAgent = new https.Agent(pool);
  // Made on first use, and kept apart so that no verified request ever shares its sockets.
  let insecureAgent = null;
  // Tunnelling agents for the https proxy, verifying and not, made on first use.
  const tunnelAgents = new Map();
  const { register, readBody, discardBody, drop } = createBodies(timeoutMs);
  const sessions = h2.createSessions();

  function agentFor(url, tlsVerify, proxy) {
    if (url.protocol === 'http:') return httpAgent;
    if (proxy) {
      const key = tlsVerify ? 'verify' : 'insecure';
      if (!tunnelAgents.has(key)) {
        const opts = tlsVerify ? pool : { ...pool, rejectUnauthorized: false };
        tunnelAgents.set(key, new TunnelAgent(opts, proxy, timeoutMs));
      }
      return tunnelAgents.get(key);
    }
    if (tlsVerify) return httpsAgent;
    insecureAgent ??= new https.Agent({ ...pool, rejectUnauthorized: false });
    return insecureAgent;
  }

  /** Opens a bodyFile slice, checking that the file holds all of it. */
  async function openSlice(file, what) {
    let fd;
    try {
      fd = await openFile(file.path);
      const size = await fileSize(fd);
      if (size < file.offset + file.length) {
        throw httpError(
          'EINVAL',
          `${what} failed: ${file.path} has ${size} bytes, fewer than the ${file.length} from offset ${file.offset} to send (EINVAL)`,
        );
      }
      return fd;
    } catch (err) {
      if (fd !== undefined) fs.close(fd, () => {});
      if (isOwnError(err)) throw err;
      const code = codeOf(err);
      throw httpError(code, `${what} failed: cannot read ${file.path} (${code})`);
    }
  }

  /**
   * One request and its response headers (no redirects). Resolves to
   * `{res, ex}`; `ex.stopped` says the request body was cut short because
   * the server answered first, so the socket cannot be reused.
   */
  async function exchange(spec, state) {
    const { method, url, headers, body, bodyFile, tlsVerify, what } = spec;
    state.reused = null;
    state.abort = null;
    const proxy = proxyFor(url);
    if (proxy?.error) throw httpError('EPROXY', `${what} failed: ${proxy.error} (EPROXY)`);
    if (url.protocol === 'https:' && !proxy && SAFE_METHODS.has(method) && !body && !bodyFile) {
      const session = await waitFor(sessions.session(url, tlsVerify), state);
      if (session) return exchangeH2(session, spec, state);
    }
    // An http URL through a proxy: the request goes to the proxy, naming the whole URL.
    const forward = proxy !== null && url.protocol === 'http:';
    const fd = bodyFile && bodyFile.length > 0 ? await openSlice(bodyFile, what) : null;
    if (state.timedOut) {
      if (fd !== null) fs.close(fd, () => {});
      throw httpError('ETIMEDOUT', 'timed out');
    }
    const out = {};
    for (const [name, value] of headers.values()) out[name] = value;
    const length = body ? body.byteLength : bodyFile ? bodyFile.length : 0;
    if (body || bodyFile || method === 'POST' || method === 'PUT' || method === 'PATCH') {
      out['Content-Length'] = String(length);
    }
    if (forward) {
      out.Host = url.host;
      if (proxy.auth) out['Proxy-Authorization'] = proxy.auth;
    }
    const isHttps = url.protocol === 'https:';
    const ex = { req: null, source: null, stopped: false };
    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request({
        protocol: url.protocol,
        // [::1] → ::1
        hostname: forward ? proxy.hostname : url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: forward ? proxy.port : url.port || undefined,
        path: forward ? url.href : `${url.pathname}${url.search}`,
        method,
        headers: out,
        agent: agentFor(url, tlsVerify, proxy),
      });
      ex.req = req;
      const settle = watch(req, state, reject, () => req.reusedSocket);
      // Sockets never hold the process by themselves (see "Liveness" above).
      req.on('socket', (socket) => socket.unref());
      req.on('response', (res) => {
        settle();
        // The server has answered before the whole body went out: for
        // anything but a success, sending the rest is wasted.
        if (ex.source && !req.writableEnded && res.statusCode >= 300) {
          ex.stopped = true;
          ex.source.unpipe(req);
          ex.source.destroy();
        }
        resolve({ res, ex });
      });
      if (fd !== null) {
        const source = fs.createReadStream(bodyFile.path, {
          fd,
          start: bodyFile.offset,
          end: bodyFile.offset + bodyFile.length - 1,
          highWaterMark: FILE_CHUNK,
        });
        ex.source = source;
        let sent = 0;
        let reported = 0;
        source.on('data', (chunk) => {
          sent += chunk.length;
          // What the core cannot see inside one request: how far the upload is.
          const now = Date.now();
          if (spec.progress && (now - reported >= PROGRESS_MS || sent === bodyFile.length)) {
            reported = now;
            onUploadProgress?.({
              digest: spec.progress.digest,
              bytes: spec.progress.offset + sent,
              total: spec.progress.total,
            });
          }
        });
        source.on('end', () => {
          if (sent !== bodyFile.length) {
            req.destroy(
              httpError(
                'EINVAL',
                `${what} failed: ${bodyFile.path} ended after ${sent} of ${bodyFile.length} bytes (EINVAL)`,
              ),
            );
          }
        });
        source.on('error', (err) => {
          const code = codeOf(err);
          req.destroy(httpError(code, `${what} failed: cannot read ${bodyFile.path} (${code})`));
        });
        req.on('close', () => source.destroy());
        source.pipe(req);
      } else if (body && body.byteLength > 0) {
        req.end(body);
      } else {
        req.end();
      }
    });
  }

  /**
   * Waits for `promise` (a connection being set up) as exchange waits for
   * response headers: the headers timeout and an interrupt end the wait.
   */
  function waitFor(promise, state) {
    return new Promise((resolve, reject) => {
      const end = () => reject(interruptedError(signal));
      live.add(end);
      state.abort = reject;
      promise.then(resolve, reject).finally(() => {
        live.delete(end);
        // Unless the request that followed has set its own already.
        if (state.abort === reject) state.abort = null;
      });
    });
  }

  /**
   * What both protocols' exchanges share: `req` (a request, or an HTTP/2
   * stream) ends on an interrupt and on the headers timeout, which settles
   * at once, even for a request still queued for a socket; an error before
   * the response rejects (after it, errors reach the body through
   * readBody, or change nothing). `reused()` says whether the connection
   * had carried a request before (a failure may be one the server just
   * closed). Returns `settle()`, true only for the first caller: what
   * settles the exchange.
   */
  function watch(req, state, reject, reused) {
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      return true;
    };
    state.reused = reused;
    if (signal) {
      const end = () => req.destroy();
      live.add(end);
      req.once('close', () => live.delete(end));
    }
    state.abort = (err) => {
      if (settle()) reject(err);
      req.destroy();
    };
    req.on('error', (err) => {
      if (settle()) reject(err);
    });
    return settle;
  }

  /** exchange over an HTTP/2 session: the same `{res, ex}`, the stream in the request's place. */
  function exchangeH2(session, spec, state) {
    if (state.timedOut) throw httpError('ETIMEDOUT', 'timed out');
    const ex = { req: null, source: null, stopped: false };
    return new Promise((resolve, reject) => {
      let stream;
      let reused;
      try {
        ({ stream, reused } = h2.request(session, spec.method, spec.url, spec.headers));
      } catch (err) {
        reject(h2.asConnectionError(err));
        return;
      }
      ex.req = stream;
      const settle = watch(
        stream,
        state,
        (err) => reject(h2.asConnectionError(err)),
        () => reused,
      );
      // Cancelled (an interrupt, or the core letting go) before any answer.
      stream.on('close', () => {
        if (settle()) {
          reject(
            Object.assign(new Error('the stream closed before its response'), {
              code: 'ECONNRESET',
            }),
          );
        }
      });
      stream.on('response', (headers) => {
        settle();
        resolve({ res: new h2.Http2Response(stream, headers), ex });
      });
    });
  }

  async function doFetch(req) {
    const method = String(req.method || 'GET').toUpperCase();
    const pairs = req.headers ?? [];
    const context = {
      url: String(req.url),
      secrets: [...secretsOf(pairs), ...proxySecrets].sort((a, b) => b.length - a.length),
    };
    const what = `${method} ${displayUrl(req.url)}`;
    const headers = buildHeaders(pairs, what);
    // What fetch sent by default, but naming this tool.
    if (!headers.has('accept')) headers.set('accept', ['Accept', '*/*']);
    if (!headers.has('user-agent')) headers.set('user-agent', ['User-Agent', USER_AGENT]);
    const body = req.body ?? null;
    let bodyFile = null;
    if (req.bodyFile) {
      if (body) throw httpError('EINVAL', `${what}: both body and bodyFile given`);
      bodyFile = {
        path: String(req.bodyFile.path),
        offset: toCount(req.bodyFile.offset ?? 0, 'bodyFile offset'),
        length: toCount(req.bodyFile.length, 'bodyFile length'),
      };
    }
    let url = parseUrl(String(req.url), what, 'ERR_INVALID_URL');
    // The response headers come only once the request body is sent, so an
    // upload gets extra time at a modest minimum rate: a 5 MiB chunk over a
    // slow uplink must not be taken for a dead server.
    const bodyLength = body ? body.byteLength : bodyFile ? bodyFile.length : 0;
    const limitMs = timeoutMs + Math.ceil((bodyLength / UPLOAD_MIN_RATE) * 1000);
    const state = { timedOut: false, reused: null, abort: null };
    const timer = setTimeout(() => {
      state.timedOut = true;
      state.abort?.(httpError('ETIMEDOUT', 'timed out'));
    }, limitMs);
    const progress = req.progress ? { ...req.progress } : null;
    const spec = {
      method,
      url,
      headers,
      body,
      bodyFile,
      tlsVerify: req.tlsVerify !== false,
      what,
      progress,
    };
    try {
      let retried = false;
      for (let hops = 0; ; ) {
        let res;
        let ex;
        try {
          ({ res, ex } = await exchange(spec, state));
        } catch (err) {
          // A pooled socket the server had just closed: once more on a new one.
          if (
            !retried &&
            !state.timedOut &&
            !signal?.aborted &&
            SAFE_METHODS.has(spec.method) &&
            state.reused?.() &&
            STALE_SOCKET.has(codeOf(err))
          ) {
            retried = true;
            continue;
          }
          throw err;
        }
        const location = res.headers.location;
        if (!REDIRECTS.has(res.statusCode) || location === undefined) {
          return register(res, ex, spec.url, what, context);
        }
        await drop(res, ex);
        if (++hops > MAX_REDIRECTS) {
          throw httpError(
            'EREDIRECT',
            `${what} failed: more than ${MAX_REDIRECTS} redirects (EREDIRECT)`,
          );
        }
        let next;
        try {
          next = new URL(location, spec.url);
        } catch {
          throw httpError('EREDIRECT', `${what} failed: invalid redirect location (EREDIRECT)`);
        }
        next = parseUrl(next.href, what, 'EREDIRECT');
        const status = res.statusCode;
        const toGet =
          (status === 303 && spec.method !== 'GET' && spec.method !== 'HEAD') ||
          ((status === 301 || status === 302) && spec.method === 'POST');
        const headersNext = new Map(spec.headers);
        if (toGet) for (const name of BODY_HEADERS) headersNext.delete(name);
        if (next.origin !== spec.url.origin) {
          for (const name of CREDENTIAL_HEADERS) headersNext.delete(name);
        }
        url = next;
        Object.assign(spec, {
          url,
          headers: headersNext,
          ...(toGet ? { method: 'GET', body: null, bodyFile: null } : {}),
        });
        retried = false;
      }
    } catch (err) {
      if (state.timedOut) {
        throw httpError('ETIMEDOUT', `${what}: no response within ${limitMs} ms`);
      }
      throw networkError(err, what, context);
    } finally {
      clearTimeout(timer);
    }
  }

  function sleep(ms) {
    const delay = toCount(ms, 'sleep duration');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        live.delete(end);
        resolve();
      }, delay);
      const end = () => {
        clearTimeout(timer);
        reject(interruptedError(signal));
      };
      live.add(end);
    });
  }

  return { fetch: doFetch, readBody, discardBody, sleep };
}

module.exports = { createHttp };
