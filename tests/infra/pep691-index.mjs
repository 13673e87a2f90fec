// A local package index for tests: PEP 691 JSON project pages under
// /simple/<name>/ and the wheels they list under /files/, on 127.0.0.1.
// With `cors`, every answer carries the CORS header a web page on that
// origin needs to read it (docs/cors.md); without, a page's fetch of it is
// blocked by the browser, as pypi.org's would be if it sent none.
// Project pages carry an ETag (answered 304 to a matching If-None-Match)
// and, with `cacheControl`, that Cache-Control, as pypi.org's do; `delayMs`
// holds answers back, so that tests can choose the order they arrive in.
// A wheel with a `<wheel>.metadata` file beside it is listed with its
// `core-metadata` hash and that file served (PEP 658).

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { listen } from './net.mjs';

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';

/** PEP 503's normalised project name: `Typing_Extensions` → `typing-extensions`. */
export const normalizeName = (name) => name.toLowerCase().replace(/[-_.]+/g, '-');

/**
 * A project page from `wheels` (normalised name → files), or 404. Without
 * JSON in Accept the answer is 406, so a client that stopped asking for
 * JSON fails here rather than falling back unseen.
 */
function serveProjectPage(req, res, pathname, wheels, headers, cacheControl) {
  const name = normalizeName(
    decodeURIComponent(pathname.slice('/simple/'.length)).replace(/\/$/, ''),
  );
  const files = wheels.get(name);
  if (!files) {
    res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
    res.end('no such project\n');
    return;
  }
  if (!(req.headers.accept ?? '').includes(SIMPLE_JSON)) {
    res.writeHead(406, { ...headers, 'content-type': 'text/plain' });
    res.end(`only ${SIMPLE_JSON}\n`);
    return;
  }
  const page = {
    meta: { 'api-version': '1.1' },
    name,
    files: files.map((f) => ({
      filename: f.filename,
      url: `http://${req.headers.host}/files/${encodeURIComponent(f.filename)}`,
      hashes: { sha256: f.sha256 },
      size: f.size,
      ...(f.metadata ? { 'core-metadata': { sha256: f.metadata.sha256 } } : {}),
    })),
  };
  const body = JSON.stringify(page);
  const etag = `"${crypto.createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
  const caching = { etag, ...(cacheControl ? { 'cache-control': cacheControl } : {}) };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ...headers, ...caching });
    res.end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    ...caching,
    'content-type': SIMPLE_JSON,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function serveWheel(res, pathname, wheels, headers) {
  const filename = decodeURIComponent(pathname.slice('/files/'.length));
  const files = [...wheels.values()].flat();
  const metadata = files.find((f) => f.metadata && `${f.filename}.metadata` === filename)?.metadata;
  const file = metadata ?? files.find((f) => f.filename === filename);
  if (!file) {
    res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
    res.end('no such file\n');
    return;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/octet-stream',
    'content-length': file.size,
  });
  fs.createReadStream(file.path).pipe(res);
}

/** A file's path, size and sha256. */
function fileEntry(file) {
  const bytes = fs.readFileSync(file);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  return { path: file, size: bytes.length, sha256 };
}

/** Adds the wheels in `dir` to an index (normalised name → files). */
function addWheels(dir, wheels) {
  for (const filename of fs.readdirSync(dir).filter((f) => f.endsWith('.whl'))) {
    const file = path.join(dir, filename);
    const name = normalizeName(filename.split('-')[0]);
    const entry = {
      filename,
      ...fileEntry(file),
      metadata: fs.existsSync(`${file}.metadata`) ? fileEntry(`${file}.metadata`) : undefined,
    };
    wheels.set(name, [...(wheels.get(name) ?? []), entry]);
  }
}

/**
 * Starts an empty index on a free loopback port. cors: the page origin
 * ('http://127.0.0.1:8080', or '*') to allow, or none. cacheControl: the
 * Cache-Control of project pages ('max-age=600, public' is pypi.org's), or
 * none. delayMs(pathname): how long to hold an answer back, or 0.
 *
 * Returns {url (the index URL, …/simple), origin, wheels, addWheels(dir),
 * requests, maxInFlight, close()}. `wheels` maps a normalised name to its
 * files; `requests` holds one {method, url, origin, userAgent, ifNoneMatch,
 * status, startedMs, endedMs} per request, `origin` being the request's
 * Origin header (a page's fetch sends it cross-origin), `status` and
 * `endedMs` (performance.now()) set once the answer is sent.
 * `maxInFlight()` is the most requests ever open at once.
 */
export async function startPep691Index({ cors, cacheControl, delayMs } = {}) {
  // A GET with only a safelisted Accept needs no preflight, so the one
  // header a browser checks is Allow-Origin, on every answer (a 404 the
  // page cannot read would show as a network error, not a missing project).
  const headers = cors ? { 'access-control-allow-origin': cors } : {};
  const wheels = new Map();
  const requests = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const answer = (req, res, pathname) => {
    if (pathname.startsWith('/simple/') && req.method === 'GET') {
      serveProjectPage(req, res, pathname, wheels, headers, cacheControl);
    } else if (pathname.startsWith('/files/') && req.method === 'GET') {
      serveWheel(res, pathname, wheels, headers);
    } else {
      res.writeHead(405, { ...headers, allow: 'GET' }).end();
    }
  };
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://index.invalid');
    const record = {
      method: req.method,
      url: req.url,
      origin: req.headers.origin ?? null,
      userAgent: req.headers['user-agent'] ?? '',
      ifNoneMatch: req.headers['if-none-match'] ?? null,
      status: null,
      startedMs: performance.now(),
      endedMs: null,
    };
    requests.push(record);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => {
      inFlight -= 1;
      record.status = res.statusCode;
      record.endedMs = performance.now();
    });
    const delay = delayMs?.(pathname) ?? 0;
    if (delay > 0) setTimeout(() => answer(req, res, pathname), delay);
    else answer(req, res, pathname);
  });
  const port = await listen(server);
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/simple`,
    origin,
    wheels,
    addWheels: (dir) => addWheels(dir, wheels),
    requests,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
