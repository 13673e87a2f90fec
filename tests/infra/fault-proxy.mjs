// A reverse proxy in front of a plain-http test registry that counts
// distribution-API requests by kind and injects faults: error statuses,
// connections dropped mid-request or mid-response, corrupted blob bodies.
//
// Bodies are streamed both ways (a base layer is ~45 MB), and the client's
// Host header is forwarded unchanged: docker-registry builds its absolute
// `Location` headers from it, so upload URLs keep pointing at the proxy.

import http from 'node:http';
import { listen } from './net.mjs';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];

const NAME = '[^?]+?';
const MANIFEST_RE = new RegExp(`^/v2/${NAME}/manifests/[^/]+$`);
const UPLOADS_RE = new RegExp(`^/v2/${NAME}/blobs/uploads/?$`);
const UPLOAD_RE = new RegExp(`^/v2/${NAME}/blobs/uploads/[^/]+$`);
const BLOB_RE = new RegExp(`^/v2/${NAME}/blobs/[^/]+:[^/]+$`);

/**
 * The distribution-spec endpoint a request hits: 'ping', 'manifest-get',
 * 'manifest-head', 'manifest-put', 'blob-get', 'blob-head', 'upload-start',
 * 'mount', 'upload-patch', 'upload-put', 'token' or 'other'.
 */
export function classify(method, pathAndQuery) {
  const url = new URL(pathAndQuery, 'http://proxy.invalid');
  const p = url.pathname;
  if (p === '/v2/' || p === '/v2') return 'ping';
  // A token realm can sit behind the proxy too (anywhere outside /v2/).
  if (!p.startsWith('/v2/') && p.endsWith('/token')) return 'token';
  if (UPLOADS_RE.test(p) && method === 'POST') {
    return url.searchParams.has('mount') ? 'mount' : 'upload-start';
  }
  if (UPLOAD_RE.test(p)) {
    if (method === 'PATCH') return 'upload-patch';
    if (method === 'PUT') return 'upload-put';
    return 'other';
  }
  const verbs = { GET: 'get', HEAD: 'head', PUT: 'put' };
  if (MANIFEST_RE.test(p) && verbs[method]) return `manifest-${verbs[method]}`;
  if (BLOB_RE.test(p) && (method === 'GET' || method === 'HEAD')) return `blob-${verbs[method]}`;
  return 'other';
}

function forwardHeaders(headers) {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

/** Answers with an error status without contacting the registry. */
function answerStatus(req, res, fault, record) {
  const codes = { 401: 'UNAUTHORIZED', 404: 'NOT_FOUND', 429: 'TOOMANYREQUESTS' };
  const code = codes[fault.status] ?? 'UNKNOWN';
  const body = JSON.stringify({
    errors: [{ code, message: `fault-proxy: injected ${fault.status}` }],
  });
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  // Read the request body first, as a real server would, so an uploading
  // client sees the status instead of a reset connection.
  req.resume();
  req.once('end', () => {
    record.status = fault.status;
    res.writeHead(fault.status, headers);
    res.end(body);
  });
}

/**
 * Reads about half of the request body, then destroys the client socket:
 * a connection dropped mid-upload. Nothing reaches the registry.
 */
function dropRequest(req, record) {
  record.status = 'dropped';
  record.received = 0;
  const length = Number(req.headers['content-length'] ?? 0);
  const chunked = /chunked/i.test(req.headers['transfer-encoding'] ?? '');
  if (!chunked && length === 0) {
    req.socket.destroy();
    return;
  }
  req.on('data', (chunk) => {
    record.received += chunk.length;
    // Without a length (chunked), the first chunk is "half".
    if (chunked || record.received >= length / 2) req.socket.destroy();
  });
}

/**
 * Passes the response body on, changed by `fault`: with drop 'response' it
 * stops about halfway and destroys the socket (at once when there is no
 * body: the registry did the work, the client never hears back), and
 * `record.relayed` counts the body bytes the client was sent; with corrupt
 * it flips one byte in the middle, keeping the length; with stall it stops
 * about halfway and keeps the connection open, silent, until the client
 * goes away (`record.status` is then 'stalled').
 */
function relayBody(upRes, res, fault, record) {
  const length = Number(upRes.headers['content-length'] ?? Number.NaN);
  // Without a length (chunked), "the middle" is the middle of the first chunk.
  let target = Number.isFinite(length) ? Math.floor(length / 2) : undefined;
  let offset = 0;
  let done = false;
  upRes.on('data', (chunk) => {
    if (done) return;
    target ??= Math.floor(chunk.length / 2);
    let out = chunk;
    if (fault?.corrupt && target >= offset && target < offset + chunk.length) {
      out = Buffer.from(chunk);
      out[target - offset] ^= 0xff;
    }
    if (fault?.drop === 'response' && offset + chunk.length > target) {
      const part = out.subarray(0, Math.max(0, target - offset));
      record.relayed = offset + part.length;
      done = true;
      upRes.resume();
      // Only once the part is on its way: a destroy discards unsent writes,
      // and the client would see no response at all instead of half a body.
      res.write(part, () => res.socket?.destroy());
      return;
    }
    if (fault?.stall && offset + chunk.length > target) {
      res.write(out.subarray(0, Math.max(0, target - offset)));
      record.status = 'stalled';
      done = true;
      upRes.resume();
      return;
    }
    offset += chunk.length;
    // Backpressure: hold the registry back while the client is slower, so a
    // 45 MB blob never piles up in memory.
    if (!res.write(out)) {
      upRes.pause();
      res.once('drain', () => upRes.resume());
    }
  });
  // The registry going away mid-body: the client must see a broken response too.
  upRes.on('error', () => res.socket?.destroy());
  upRes.on('end', () => {
    if (done) return;
    if (fault?.drop === 'response') res.socket?.destroy();
    else res.end();
  });
}

/**
 * Whether a response has no body: then dropping "mid-body" means sending
 * nothing at all, not even the status line.
 */
function bodyless(req, upRes) {
  if (req.method === 'HEAD' || upRes.statusCode === 204 || upRes.statusCode === 304) return true;
  return Number(upRes.headers['content-length']) === 0;
}

function forward(req, res, upstream, agent, fault, record) {
  let clientGone = false;
  const upReq = http.request({
    host: upstream.hostname,
    port: upstream.port,
    method: req.method,
    path: req.url,
    headers: forwardHeaders(req.headers),
    agent,
  });
  upReq.on('response', (upRes) => {
    record.status = upRes.statusCode;
    const headers = forwardHeaders(upRes.headers);
    if (!(fault?.drop === 'response' && bodyless(req, upRes))) {
      res.writeHead(upRes.statusCode, headers);
    }
    relayBody(upRes, res, fault, record);
  });
  upReq.on('error', (err) => {
    record.error = err.message;
    // We aborted it ourselves because the client went away: no answer needed.
    if (clientGone) {
      record.status ??= 'client-aborted';
      return;
    }
    record.status = 502;
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault-proxy: upstream error: ${err.message}\n`);
    } else res.socket?.destroy();
  });
  // A client that goes away mid-upload aborts the upstream request too.
  req.on('close', () => {
    if (req.complete) return;
    clientGone = true;
    upReq.destroy();
  });
  req.pipe(upReq);
}

/**
 * The pending-fault bookkeeping: rules consumed in order, per kind; a rule
 * with a `path` only takes requests whose path contains it.
 */
function makeFaults() {
  const rules = [];
  return {
    add(rule) {
      rules.push(rule);
    },
    take(kind, reqPath) {
      const rule = rules.find(
        (r) =>
          r.kind === kind && r.remaining > 0 && (r.path === undefined || reqPath.includes(r.path)),
      );
      if (!rule) return undefined;
      rule.remaining -= 1;
      return rule.fault;
    },
    clear() {
      rules.length = 0;
    },
  };
}

function validateInject({ kind, status, drop }) {
  if (!kind) throw new Error('inject needs a kind');
  if ((status === undefined) === (drop === undefined)) {
    throw new Error('inject needs exactly one of status or drop');
  }
  if (drop !== undefined && drop !== 'request' && drop !== 'response') {
    throw new Error(`inject drop must be 'request' or 'response', not ${drop}`);
  }
}

/**
 * Starts the proxy on 127.0.0.1 (a free port) in front of `upstreamUrl`
 * (plain http). Returns {url, host, port, requests, count(kind), reset(),
 * inject({kind, times, status, retryAfter, drop, path}), corrupt({kind, times, path}),
 * stall({kind, times, path}), close()}. `path` limits a fault to requests whose path contains it (a
 * blob digest, say). requests: {method, path, kind, status, fault?} in arrival order;
 * status is 'dropped' for a dropped request, whose `received` counts the
 * body bytes read before the drop; a response cut mid-body has `relayed`,
 * the body bytes sent before the cut. reset() empties `requests` (in
 * place) and forgets pending faults.
 */
export async function startFaultProxy(upstreamUrl) {
  const upstream = new URL(upstreamUrl);
  if (upstream.protocol !== 'http:') {
    throw new Error(`fault proxy needs an http upstream, not ${upstreamUrl}`);
  }
  const agent = new http.Agent({ keepAlive: true });
  const requests = [];
  const faults = makeFaults();
  const server = http.createServer((req, res) => {
    const kind = classify(req.method, req.url);
    const record = { method: req.method, path: req.url, kind, status: null };
    const fault = faults.take(kind, req.url);
    if (fault) record.fault = fault;
    requests.push(record);
    if (fault?.status !== undefined) answerStatus(req, res, fault, record);
    else if (fault?.drop === 'request') dropRequest(req, record);
    else forward(req, res, upstream, agent, fault, record);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    requests,
    count: (kind) => requests.filter((r) => r.kind === kind).length,
    reset() {
      requests.length = 0;
      faults.clear();
    },
    inject({ kind, times = 1, status, retryAfter, drop, path }) {
      validateInject({ kind, status, drop });
      const fault = drop ? { drop } : { status };
      if (retryAfter !== undefined) fault.retryAfter = retryAfter;
      faults.add({ kind, remaining: times, fault, path });
    },
    corrupt({ kind = 'blob-get', times = 1, path } = {}) {
      faults.add({ kind, remaining: times, fault: { corrupt: true }, path });
    },
    stall({ kind = 'blob-get', times = 1, path } = {}) {
      faults.add({ kind, remaining: times, fault: { stall: true }, path });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
    },
  };
}
