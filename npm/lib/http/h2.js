'use strict';

// HTTP/2 for the requests that gain from it: GETs and HEADs over TLS, with
// no proxy in the way. A resolution asks the package index for twenty pages
// at once; over HTTP/1.1 that is up to sixteen TLS handshakes and sixteen
// sockets, over HTTP/2 one connection carries them all (curl here: 20 index
// pages in 0.06-0.16 s over one HTTP/2 connection, 0.44 s over 16 HTTP/1.1
// connections; docs/benchmarks.md). Uploads stay on HTTP/1.1: a blob PUT
// streams a file slice with a Content-Length through the socket pool, and
// gains nothing from sharing a connection.
//
// The protocol is agreed per origin with ALPN on the first connection. A
// server that picks http/1.1 is remembered as such and that connection is
// closed; its requests go through the HTTP/1.1 pool from then on. So an
// HTTP/1.1-only server costs one extra handshake per process, and requests
// that arrive while the first handshake runs wait for it instead of opening
// their own.
//
// A session never holds the process (it is unreffed, as the HTTP/1.1
// sockets are); the timers of index.js do. A session that is closed, sent
// GOAWAY or failed is forgotten, and the next request opens a new one.

const http2 = require('node:http2');
const net = require('node:net');
const tls = require('node:tls');

/**
 * Receive windows: one stream may have 1 MiB in flight, the connection
 * 8 MiB, so a large index page or wheel comes at the link's speed while a
 * body the core reads slowly still holds the sender back (Node stops
 * granting window while a stream is paused).
 */
const STREAM_WINDOW = 1 << 20;
const SESSION_WINDOW = 8 << 20;
/** Headers HTTP/2 forbids: they describe one HTTP/1.1 connection. */
const CONNECTION_HEADERS = new Set(['keep-alive', 'proxy-connection', 'upgrade', 'te']);

/**
 * A response on an HTTP/2 stream, in the shape bodies.js reads from
 * node:http's IncomingMessage: the status, the headers and the raw header
 * list, and the body as the stream's own events.
 */
class Http2Response {
  constructor(stream, headers) {
    this.stream = stream;
    this.statusCode = Number(headers[':status']);
    this.headers = {};
    this.rawHeaders = [];
    for (const [name, value] of Object.entries(headers)) {
      if (name.startsWith(':')) continue;
      for (const one of Array.isArray(value) ? value : [value]) {
        this.rawHeaders.push(name, String(one));
      }
      this.headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
  }

  /** The whole body has arrived (HTTP/2 frames its end, so there is no half-read socket to mind). */
  get complete() {
    return this.stream.readableEnded;
  }

  get readableEnded() {
    return this.stream.readableEnded;
  }

  get destroyed() {
    return this.stream.destroyed;
  }

  on(event, listener) {
    this.stream.on(event, event === 'error' ? (err) => listener(asConnectionError(err)) : listener);
    return this;
  }

  once(event, listener) {
    this.stream.once(event, listener);
    return this;
  }

  removeAllListeners(event) {
    this.stream.removeAllListeners(event);
    return this;
  }

  pause() {
    this.stream.pause();
    return this;
  }

  resume() {
    this.stream.resume();
    return this;
  }

  /** Cancels the stream alone; the connection goes on serving the others. */
  destroy() {
    this.stream.destroy();
    return this;
  }
}

/**
 * An HTTP/2 stream's failure as a connection failure: a reset stream or a
 * session that went away is what ECONNRESET is to HTTP/1.1, and the core
 * retries it the same way (src/http/retry.rs). Errors that carry a socket
 * or TLS code keep it.
 */
function asConnectionError(err) {
  if (typeof err?.code === 'string' && err.code.startsWith('ERR_HTTP2_')) {
    return Object.assign(new Error(err.message), { code: 'ECONNRESET', cause: err });
  }
  return err;
}

/**
 * The HTTP/2 sessions of one createHttp, by origin and certificate check.
 * `session(url, tlsVerify)` resolves to a session, or to null when the
 * server speaks only HTTP/1.1.
 */
function createSessions() {
  /** origin key → Promise<ClientHttp2Session | null> */
  const byOrigin = new Map();

  /** Connects, agrees on the protocol, and calls `gone` once an HTTP/2 session ends. */
  function negotiate(url, tlsVerify, gone) {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host,
        port: Number(url.port) || 443,
        // SNI names hosts, never addresses (Node warns about an address).
        servername: net.isIP(host) ? undefined : host,
        ALPNProtocols: ['h2', 'http/1.1'],
        rejectUnauthorized: tlsVerify,
      });
      socket.unref();
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.removeListener('error', reject);
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          resolve(null);
          return;
        }
        const session = http2.connect(url.origin, {
          createConnection: () => socket,
          settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
        });
        session.unref();
        session.setLocalWindowSize(SESSION_WINDOW);
        session.on('error', gone);
        session.on('goaway', gone);
        session.on('close', gone);
        resolve(session);
      });
    });
  }

  /** The origin's session, or the handshake under way: one per origin however many ask at once. */
  function pending(key, url, tlsVerify) {
    const known = byOrigin.get(key);
    if (known) return known;
    // A session that ended, or a handshake that failed, is not remembered:
    // the next request connects again.
    const forget = () => {
      if (byOrigin.get(key) === mine) byOrigin.delete(key);
    };
    const mine = negotiate(url, tlsVerify, forget);
    byOrigin.set(key, mine);
    mine.catch(forget);
    return mine;
  }

  async function session(url, tlsVerify) {
    const key = `${tlsVerify ? 'verify' : 'insecure'} ${url.origin}`;
    const known = await pending(key, url, tlsVerify);
    if (known === null || (!known.closed && !known.destroyed)) return known;
    // One that has just ended, before its 'close' event: connect again.
    byOrigin.delete(key);
    return pending(key, url, tlsVerify);
  }

  return { session };
}

/** Sessions that have carried a request: a failure on one may be a connection the server just dropped. */
const used = new WeakSet();

/**
 * Starts a request on `session`: `headers` are index.js's map of
 * lowercased name → [name as given, value]. Returns the stream (its
 * 'response' event gives the headers for an Http2Response) and whether
 * the session had carried requests before.
 */
function request(session, method, url, headers) {
  const reused = used.has(session);
  used.add(session);
  const out = {
    ':method': method,
    ':scheme': 'https',
    ':authority': url.host,
    ':path': `${url.pathname}${url.search}`,
  };
  for (const [key, [, value]] of headers) {
    if (!CONNECTION_HEADERS.has(key)) out[key] = value;
  }
  return { stream: session.request(out, { endStream: true }), reused };
}

module.exports = { createSessions, request, Http2Response, asConnectionError };
