// Tests the host's HTTP methods (npm/lib/http/) against local servers: the
// core reads registry responses through them, so status, headers, redirects,
// body pieces, timeouts, TLS and error codes are each checked on a real socket.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { selfSigned } from '../infra/net.mjs';

const require = createRequire(import.meta.url);
const { createHttp } = require('../../npm/lib/http/index.js');

const SECRET = 'Bearer s3cr3t-t0ken-never-shown';
const BIG = crypto.randomBytes(3 * 1000 * 1000);

let main;
let other;
let base;
let otherBase;
const servers = [];

/** Starts a server on 127.0.0.1 and an ephemeral port; closed after the tests. */
async function listen(server) {
  servers.push(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

function echoAuth(req, res) {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ authorization: req.headers.authorization ?? null, url: req.url }));
}

/** Reads a request body and answers with what arrived: method, headers, length and sha256. */
function receive(req, res) {
  const hash = crypto.createHash('sha256');
  let length = 0;
  req.on('data', (chunk) => {
    hash.update(chunk);
    length += chunk.length;
  });
  req.on('end', () => {
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        method: req.method,
        url: req.url,
        contentLength: req.headers['content-length'] ?? null,
        contentType: req.headers['content-type'] ?? null,
        transferEncoding: req.headers['transfer-encoding'] ?? null,
        length,
        sha256: hash.digest('hex'),
      }),
    );
  });
}

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

function mainHandler(req, res) {
  const url = new URL(req.url, base);
  switch (url.pathname) {
    case '/hello':
      res.writeHead(201, { 'X-Custom-Header': 'Some Value', 'Docker-Content-Digest': 'sha256:ab' });
      res.end('hello');
      return;
    case '/big': {
      res.writeHead(200, { 'Content-Length': BIG.length });
      // Large writes, so network chunks are often bigger than `max`.
      let offset = 0;
      const step = 1 << 20;
      const more = () => {
        while (offset < BIG.length) {
          const end = Math.min(offset + step, BIG.length);
          const ok = res.write(BIG.subarray(offset, end));
          offset = end;
          if (!ok) return res.once('drain', more);
        }
        res.end();
      };
      more();
      return;
    }
    case '/empty':
      res.writeHead(204);
      res.end();
      return;
    case '/echo-auth':
      echoAuth(req, res);
      return;
    case '/redirect-same':
      res.writeHead(302, { Location: '/echo-auth' });
      res.end();
      return;
    case '/redirect-cross':
      res.writeHead(302, { Location: `${otherBase}/echo-auth?X-Signature=abc` });
      res.end();
      return;
    case '/upload': {
      const hash = crypto.createHash('sha256');
      let length = 0;
      req.on('data', (chunk) => {
        hash.update(chunk);
        length += chunk.length;
      });
      req.on('end', () => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ method: req.method, length, sha256: hash.digest('hex') }));
      });
      return;
    }
    case '/put':
      receive(req, res);
      return;
    case '/redirect-307':
      // Answers before reading the body, as a registry front end may.
      res.writeHead(307, { Location: '/put' });
      res.end();
      return;
    case '/redirect-308':
      res.writeHead(308, { Location: `${base}/put` });
      res.end();
      return;
    case '/redirect-303':
      res.writeHead(303, { Location: '/put?from=303' });
      res.end('see other');
      return;
    case '/redirect-loop':
      res.writeHead(302, { Location: '/redirect-loop' });
      res.end();
      return;
    case '/refuse-upload':
      res.writeHead(401, { 'Content-Type': 'text/plain' });
      res.end('no');
      return;
    case '/slow':
      setTimeout(() => {
        res.writeHead(200);
        res.write('slow ');
        setTimeout(() => res.end('body'), 300);
      }, 300);
      return;
    case '/hang':
      return; // never answers
    case '/stall':
      res.writeHead(200, { 'Content-Length': 1000 });
      res.write('x'.repeat(100));
      return; // never finishes
    case '/reset':
      res.writeHead(200, { 'Content-Length': 100000 });
      res.write('x'.repeat(1000), () => setTimeout(() => req.socket.destroy(), 50));
      return;
    default:
      res.writeHead(404);
      res.end('not found');
  }
}

before(async () => {
  main = http.createServer(mainHandler);
  base = `http://127.0.0.1:${await listen(main)}`;
  other = http.createServer(echoAuth);
  otherBase = `http://127.0.0.1:${await listen(other)}`;
});

after(() => {
  for (const server of servers) {
    // An HTTP/2 server has no closeAllConnections: its sockets are ended by its describe.
    server.closeAllConnections?.();
    server.close();
  }
});

/**
 * A body left unread for a while: the network chunks that came (64 KiB
 * socket reads, 16 KiB HTTP/2 frames) are held up to 256 KiB and then the
 * stream is paused, so one read of up to 1 MiB gets all of them joined and
 * no more than 256 KiB and a chunk were held. The rest reads intact.
 */
async function joinedAndBounded(client, url, extra = {}) {
  const res = await client.fetch({ method: 'GET', url, headers: [], ...extra });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const first = await client.readBody(res.body, 1 << 20);
  assert.ok(
    first.byteLength >= 256 * 1024 && first.byteLength <= (256 + 64) * 1024,
    `first piece of ${first.byteLength} bytes`,
  );
  const rest = await readAll(client, res.body, 1 << 20);
  assert.ok(Buffer.concat([first, rest]).equals(BIG));
}

/** Runs `script` in a child Node: its exit code, its stdout, and how long it took to exit. */
async function runChild(script) {
  const started = Date.now();
  const { code, stdout } = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    // A regression must fail the test, not hang it.
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(killer);
      resolve({ code: exitCode, stdout: out });
    });
  });
  return { code, stdout, elapsed: Date.now() - started };
}

/** Reads a whole body through readBody, checking every piece against `max`. */
async function readAll(client, handle, max = 65536) {
  const pieces = [];
  for (;;) {
    const piece = await client.readBody(handle, max);
    if (piece === null) break;
    assert.ok(piece instanceof Uint8Array);
    assert.ok(piece.byteLength > 0 && piece.byteLength <= max, `piece of ${piece.byteLength}`);
    pieces.push(Buffer.from(piece));
  }
  return Buffer.concat(pieces);
}

const text = async (client, res) => (await readAll(client, res.body)).toString('utf8');

describe('fetch', () => {
  const client = createHttp();

  test('status, final url and lowercased headers', async () => {
    const res = await client.fetch({ method: 'GET', url: `${base}/hello`, headers: [] });
    assert.equal(res.status, 201);
    assert.equal(res.url, `${base}/hello`);
    assert.ok(Number.isInteger(res.body));
    const headers = new Map(res.headers);
    assert.equal(headers.get('x-custom-header'), 'Some Value');
    assert.equal(headers.get('docker-content-digest'), 'sha256:ab');
    for (const [name] of res.headers) assert.equal(name, name.toLowerCase());
    assert.equal(await text(client, res), 'hello');
  });

  test('request headers are sent', async () => {
    const res = await client.fetch({
      method: 'GET',
      url: `${base}/echo-auth`,
      headers: [['Authorization', SECRET]],
    });
    assert.equal(JSON.parse(await text(client, res)).authorization, SECRET);
  });

  test('a 404 is a response, not an error', async () => {
    const res = await client.fetch({ method: 'GET', url: `${base}/nope`, headers: [] });
    assert.equal(res.status, 404);
    assert.equal(await text(client, res), 'not found');
  });

  test('HEAD and empty bodies still give a handle; readBody is null at once', async () => {
    for (const [method, route] of [
      ['HEAD', '/hello'],
      ['GET', '/empty'],
    ]) {
      const res = await client.fetch({ method, url: `${base}${route}`, headers: [] });
      assert.ok(Number.isInteger(res.body));
      assert.equal(await client.readBody(res.body, 65536), null);
      await assert.rejects(client.readBody(res.body, 65536), /unknown/);
    }
  });

  test('a PUT body of 5 MB arrives intact', async () => {
    const body = new Uint8Array(crypto.randomBytes(5 * 1000 * 1000));
    const res = await client.fetch({
      method: 'PUT',
      url: `${base}/upload`,
      headers: [['Content-Type', 'application/octet-stream']],
      body,
    });
    const got = JSON.parse(await text(client, res));
    assert.deepEqual(got, {
      method: 'PUT',
      length: body.length,
      sha256: crypto.createHash('sha256').update(body).digest('hex'),
    });
  });
});

describe('bodyFile', () => {
  const client = createHttp();
  let dir;
  let file;
  let data;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-body-'));
    file = path.join(dir, 'blob');
    data = crypto.randomBytes(5 * 1000 * 1000 + 4321);
    fs.writeFileSync(file, data);
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function put(route, bodyFile, extra = {}) {
    const res = await client.fetch({
      method: 'PUT',
      url: `${base}${route}`,
      headers: [['Content-Type', 'application/octet-stream']],
      body: null,
      bodyFile,
      ...extra,
    });
    return { res, got: JSON.parse(await text(client, res)) };
  }

  test('a 5 MB slice arrives intact, with Content-Length and not chunked', async () => {
    const length = 5 * 1000 * 1000;
    const { res, got } = await put('/put', { path: file, offset: 0, length });
    assert.equal(res.status, 200);
    assert.equal(got.method, 'PUT');
    assert.equal(got.contentLength, String(length));
    assert.equal(got.transferEncoding, null);
    assert.equal(got.length, length);
    assert.equal(got.sha256, sha256(data.subarray(0, length)));
  });

  test('a bodyFile with progress reports how far the upload is, ending at its last byte', async () => {
    const events = [];
    const reporting = createHttp({ onUploadProgress: (p) => events.push(p) });
    const offset = 1000;
    const length = 4 * 1000 * 1000;
    const res = await reporting.fetch({
      method: 'PUT',
      url: `${base}/put`,
      headers: [],
      bodyFile: { path: file, offset, length },
      progress: { digest: 'sha256:abc', offset, total: data.length },
    });
    assert.equal(JSON.parse(await text(reporting, res)).length, length);
    assert.ok(events.length >= 1);
    assert.deepEqual(events.at(-1), {
      digest: 'sha256:abc',
      bytes: offset + length,
      total: data.length,
    });
    for (let i = 1; i < events.length; i++) assert.ok(events[i].bytes > events[i - 1].bytes);
    // Without `progress` in the request, nothing is reported.
    const quiet = [];
    const silent = createHttp({ onUploadProgress: (p) => quiet.push(p) });
    await text(
      silent,
      await silent.fetch({
        method: 'PUT',
        url: `${base}/put`,
        headers: [],
        bodyFile: { path: file, offset: 0, length: 10 },
      }),
    );
    assert.deepEqual(quiet, []);
  });

  test('an offset in the middle of the file sends just that slice', async () => {
    const offset = 1234567;
    const length = 2 * 1000 * 1000 + 1;
    const { got } = await put('/put', { path: file, offset, length });
    assert.equal(got.contentLength, String(length));
    assert.equal(got.transferEncoding, null);
    assert.equal(got.length, length);
    assert.equal(got.sha256, sha256(data.subarray(offset, offset + length)));
  });

  test('the end of the file, and an empty slice', async () => {
    const { got: tail } = await put('/put', { path: file, offset: data.length - 10, length: 10 });
    assert.equal(tail.sha256, sha256(data.subarray(data.length - 10)));
    const { got: empty } = await put('/put', { path: file, offset: 100, length: 0 });
    assert.equal(empty.contentLength, '0');
    assert.equal(empty.transferEncoding, null);
    assert.equal(empty.length, 0);
  });

  test('a byte body is sent with Content-Length, not chunked', async () => {
    const body = new Uint8Array(data.subarray(0, 70000));
    const res = await client.fetch({ method: 'PATCH', url: `${base}/put`, headers: [], body });
    const got = JSON.parse(await text(client, res));
    assert.equal(got.contentLength, '70000');
    assert.equal(got.transferEncoding, null);
    assert.equal(got.sha256, sha256(body));
  });

  test('a 307 redirect re-sends the file slice to the new location', async () => {
    const offset = 777;
    const length = 3 * 1000 * 1000;
    const { res, got } = await put('/redirect-307', { path: file, offset, length });
    assert.equal(res.status, 200);
    assert.equal(res.url, `${base}/put`);
    assert.equal(got.method, 'PUT');
    assert.equal(got.contentLength, String(length));
    assert.equal(got.length, length);
    assert.equal(got.sha256, sha256(data.subarray(offset, offset + length)));
  });

  test('a 308 redirect re-sends a byte body', async () => {
    const body = new Uint8Array(data.subarray(10, 300010));
    const res = await client.fetch({
      method: 'PUT',
      url: `${base}/redirect-308`,
      headers: [],
      body,
    });
    assert.equal(res.url, `${base}/put`);
    const got = JSON.parse(await text(client, res));
    assert.equal(got.length, body.length);
    assert.equal(got.sha256, sha256(body));
  });

  test('a 303 turns a POST into a GET without a body or its headers', async () => {
    const { res, got } = await (async () => {
      const r = await client.fetch({
        method: 'POST',
        url: `${base}/redirect-303`,
        headers: [
          ['Content-Type', 'application/octet-stream'],
          ['Authorization', SECRET],
        ],
        bodyFile: { path: file, offset: 0, length: 1000 },
      });
      return { res: r, got: JSON.parse(await text(client, r)) };
    })();
    assert.equal(res.status, 200);
    assert.equal(res.url, `${base}/put?from=303`);
    assert.equal(got.method, 'GET');
    assert.equal(got.url, '/put?from=303');
    assert.equal(got.length, 0);
    assert.equal(got.contentLength, null);
    assert.equal(got.contentType, null);
  });

  test('an answer before the upload is read ends the upload; the client goes on', async () => {
    const res = await client.fetch({
      method: 'PUT',
      url: `${base}/refuse-upload`,
      headers: [],
      bodyFile: { path: file, offset: 0, length: data.length },
    });
    assert.equal(res.status, 401);
    assert.equal(await text(client, res), 'no');
    const again = await put('/put', { path: file, offset: 5, length: 5 });
    assert.equal(again.got.sha256, sha256(data.subarray(5, 10)));
  });

  test('a missing file rejects with ENOENT, naming the file', async () => {
    const missing = path.join(dir, 'missing');
    const err = await client
      .fetch({
        method: 'PUT',
        url: `${base}/put`,
        headers: [['Authorization', SECRET]],
        bodyFile: { path: missing, offset: 0, length: 10 },
      })
      .then(
        () => assert.fail('expected a rejection'),
        (e) => e,
      );
    assert.equal(err.code, 'ENOENT');
    assert.ok(err.message.includes(missing), err.message);
    assert.ok(err.message.includes(`PUT ${base}/put`), err.message);
    assert.ok(!err.message.includes('s3cr3t'), err.message);
  });

  test('a slice past the end of the file is refused before sending', async () => {
    await assert.rejects(
      client.fetch({
        method: 'PUT',
        url: `${base}/put`,
        headers: [],
        bodyFile: { path: file, offset: data.length - 5, length: 10 },
      }),
      (err) => err.code === 'EINVAL' && err.message.includes(file),
    );
  });
});

describe('readBody', () => {
  const client = createHttp();

  test('a 3 MB body in pieces of at most 65536 bytes', async () => {
    const res = await client.fetch({ method: 'GET', url: `${base}/big`, headers: [] });
    const got = await readAll(client, res.body, 65536);
    assert.equal(got.length, BIG.length);
    assert.ok(got.equals(BIG));
  });

  test('small pieces keep the rest of a network chunk for the next call', async () => {
    const res = await client.fetch({ method: 'GET', url: `${base}/big`, headers: [] });
    const got = await readAll(client, res.body, 1000);
    assert.ok(got.equals(BIG));
  });

  test('what arrived in many network chunks comes back in one piece, and no more than 256 KiB waits unread', async () => {
    await joinedAndBounded(client, `${base}/big`);
  });

  test('null at the end, then the handle is released', async () => {
    const res = await client.fetch({ method: 'GET', url: `${base}/hello`, headers: [] });
    assert.equal(Buffer.from(await client.readBody(res.body, 3)).toString(), 'hel');
    assert.equal(Buffer.from(await client.readBody(res.body, 100)).toString(), 'lo');
    assert.equal(await client.readBody(res.body, 100), null);
    await assert.rejects(client.readBody(res.body, 100), /unknown or finished.*handle/);
  });

  test('an unknown handle rejects clearly', async () => {
    await assert.rejects(client.readBody(987654, 10), /unknown or finished response body handle/);
  });

  test('discardBody releases the handle; an unknown handle is a no-op', async () => {
    const res = await client.fetch({ method: 'GET', url: `${base}/big`, headers: [] });
    assert.ok(await client.readBody(res.body, 10));
    await client.discardBody(res.body);
    await assert.rejects(client.readBody(res.body, 10), /unknown/);
    await client.discardBody(res.body);
    await client.discardBody(424242);
  });

  test('a connection reset mid-body rejects with a code', async () => {
    const res = await client.fetch({ method: 'GET', url: `${base}/reset`, headers: [] });
    const err = await readAll(client, res.body).then(
      () => assert.fail('expected a rejection'),
      (e) => e,
    );
    assert.ok(err instanceof Error);
    assert.match(err.code, /^(UND_ERR_SOCKET|ECONNRESET|ENETWORK)$/);
    assert.match(err.message, /GET http:\/\/127\.0\.0\.1:\d+\/reset/);
  });
});

describe('redirects', () => {
  const client = createHttp();

  test('a same-origin redirect keeps Authorization', async () => {
    const res = await client.fetch({
      method: 'GET',
      url: `${base}/redirect-same`,
      headers: [['Authorization', SECRET]],
    });
    assert.equal(res.status, 200);
    assert.equal(res.url, `${base}/echo-auth`);
    assert.equal(JSON.parse(await text(client, res)).authorization, SECRET);
  });

  test('a redirect to another port (another origin) drops Authorization', async () => {
    const res = await client.fetch({
      method: 'GET',
      url: `${base}/redirect-cross`,
      headers: [['Authorization', SECRET]],
    });
    assert.equal(res.status, 200);
    assert.equal(res.url, `${otherBase}/echo-auth?X-Signature=abc`);
    const got = JSON.parse(await text(client, res));
    assert.equal(got.authorization, null);
    assert.equal(got.url, '/echo-auth?X-Signature=abc');
  });

  test('303 after a PUT, and a redirect loop stops after 10 hops', async () => {
    const res = await client.fetch({
      method: 'PUT',
      url: `${base}/redirect-303`,
      headers: [],
      body: new Uint8Array([1, 2, 3]),
    });
    assert.equal(JSON.parse(await text(client, res)).method, 'GET');
    await assert.rejects(
      client.fetch({ method: 'GET', url: `${base}/redirect-loop`, headers: [] }),
      (err) => err.code === 'EREDIRECT' && /more than 10 redirects/.test(err.message),
    );
  });
});

describe('connections', () => {
  let countedBase;
  let connections = 0;

  before(async () => {
    const counted = http.createServer((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'Content-Length': BIG.length });
        res.end(BIG);
        return;
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(req.method === 'PATCH' ? 202 : 200, { 'Content-Type': 'text/plain' });
        res.end(req.method === 'PATCH' ? '' : `port ${req.socket.remotePort}`);
      });
    });
    counted.on('connection', () => {
      connections++;
    });
    countedBase = `http://127.0.0.1:${await listen(counted)}`;
  });

  test('sequential requests reuse one keep-alive socket', async () => {
    const client = createHttp();
    const first = await client.fetch({ method: 'GET', url: `${countedBase}/a`, headers: [] });
    const a = await text(client, first);
    const second = await client.fetch({ method: 'GET', url: `${countedBase}/b`, headers: [] });
    assert.equal(await text(client, second), a);
    // Bodies the core does not read (HEAD, a 202 to a PATCH) are discarded, and the socket stays.
    const head = await client.fetch({ method: 'HEAD', url: `${countedBase}/big`, headers: [] });
    assert.equal(new Map(head.headers).get('content-length'), String(BIG.length));
    await client.discardBody(head.body);
    const patch = await client.fetch({
      method: 'PATCH',
      url: `${countedBase}/c`,
      headers: [],
      body: new Uint8Array(1000),
    });
    assert.equal(patch.status, 202);
    await client.discardBody(patch.body);
    const big = await client.fetch({ method: 'GET', url: `${countedBase}/big`, headers: [] });
    assert.ok((await readAll(client, big.body)).equals(BIG));
    assert.equal(connections, 1);
  });

  // The same failure also means "the server got it and the answer was
  // lost": a blob PUT re-sent into the upload session it closed would
  // fail, so only GET and HEAD are repeated here; the core decides the rest.
  test('a pooled socket the server has closed: a GET is retried once on a new one, a PUT is not', async () => {
    let opened = 0;
    const served = new WeakMap();
    // Drops every connection at its second request, as a server does whose idle timeout ran out.
    const closing = http.createServer((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n > 1) {
        req.socket.destroy();
        return;
      }
      receive(req, res);
    });
    closing.on('connection', () => {
      opened++;
    });
    const closingBase = `http://127.0.0.1:${await listen(closing)}`;
    const client = createHttp();
    const first = await client.fetch({ method: 'GET', url: `${closingBase}/a`, headers: [] });
    assert.equal(JSON.parse(await text(client, first)).method, 'GET');
    const second = await client.fetch({ method: 'GET', url: `${closingBase}/b`, headers: [] });
    assert.equal(JSON.parse(await text(client, second)).method, 'GET');
    assert.equal(opened, 2, 'the GET went again on a new connection');
    const body = new Uint8Array(crypto.randomBytes(100000));
    await assert.rejects(
      client.fetch({ method: 'PUT', url: `${closingBase}/c`, headers: [], body }),
      (err) => /ECONNRESET|EPIPE/.test(err.code ?? ''),
    );
    assert.equal(opened, 2, 'the PUT was not sent again');
  });

  test('HEAD: headers of the GET, no body', async () => {
    const client = createHttp();
    const res = await client.fetch({ method: 'HEAD', url: `${base}/big`, headers: [] });
    assert.equal(res.status, 200);
    assert.equal(new Map(res.headers).get('content-length'), String(BIG.length));
    assert.equal(await client.readBody(res.body, 65536), null);
    const after = await client.fetch({ method: 'GET', url: `${base}/hello`, headers: [] });
    assert.equal(await text(client, after), 'hello');
  });

  test('the process waits for responses, and exits once done without closing anything', async () => {
    // The child reads two bodies (one slow to come), then abandons a third that never ends,
    // as the core does when a parallel upload fails.
    const script = `
      const { createHttp } = require(${JSON.stringify(require.resolve('../../npm/lib/http/index.js'))});
      const base = ${JSON.stringify(base)};
      (async () => {
        const client = createHttp();
        let out = '';
        for (const route of ['/hello', '/slow']) {
          const res = await client.fetch({ method: 'GET', url: base + route, headers: [] });
          for (let piece; (piece = await client.readBody(res.body, 65536)) !== null; ) {
            out += Buffer.from(piece);
          }
        }
        await client.fetch({ method: 'GET', url: base + '/stall', headers: [] });
        process.stdout.write(out);
      })();
    `;
    const { code, stdout, elapsed } = await runChild(script);
    assert.equal(code, 0);
    assert.equal(stdout, 'helloslow body');
    // The server keeps idle connections for 5 s, and /stall's forever: a referenced socket
    // would hold the child.
    assert.ok(elapsed < 2000, `the child took ${elapsed} ms to exit`);
  });
});

describe('errors', () => {
  test('a closed port: ECONNREFUSED, naming method and URL, never a header value', async () => {
    const closed = http.createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const client = createHttp();
    const url = `http://127.0.0.1:${port}/v2/library/python/blobs/sha256:00`;
    const err = await client
      .fetch({ method: 'GET', url, headers: [['Authorization', SECRET]] })
      .then(
        () => assert.fail('expected a rejection'),
        (e) => e,
      );
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'ECONNREFUSED');
    assert.ok(err.message.includes(`GET ${url}`), err.message);
    assert.match(err.message, /ECONNREFUSED/);
    assert.ok(!err.message.includes('s3cr3t'), err.message);
  });

  test('an invalid header value is rejected without echoing it', async () => {
    const client = createHttp();
    const err = await client
      .fetch({
        method: 'GET',
        url: `${base}/hello`,
        headers: [['Authorization', 'Bearer s3cr3t\nInjected: yes']],
      })
      .then(
        () => assert.fail('expected a rejection'),
        (e) => e,
      );
    assert.match(err.message, /invalid header "Authorization"/);
    assert.ok(!err.message.includes('s3cr3t'), err.message);
    assert.ok(!String(err.stack).includes('s3cr3t'));
  });

  test('user:password in a URL and its query are not shown', async () => {
    const closed = http.createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const client = createHttp();
    const err = await client
      .fetch({ method: 'GET', url: `http://u:pw-s3cr3t@127.0.0.1:${port}/x?sig=s3cr3t` })
      .then(
        () => assert.fail('expected a rejection'),
        (e) => e,
      );
    assert.ok(err.message.includes(`GET http://127.0.0.1:${port}/x?…`), err.message);
    assert.ok(!err.message.includes('s3cr3t'), err.message);
  });

  test('no response headers within timeoutMs: ETIMEDOUT', async () => {
    const client = createHttp({ timeoutMs: 200 });
    const started = Date.now();
    const err = await client
      .fetch({ method: 'GET', url: `${base}/hang`, headers: [['Authorization', SECRET]] })
      .then(
        () => assert.fail('expected a rejection'),
        (e) => e,
      );
    assert.equal(err.code, 'ETIMEDOUT');
    assert.match(err.message, /GET http:\/\/127\.0\.0\.1:\d+\/hang: no response within 200 ms/);
    assert.ok(!err.message.includes('s3cr3t'));
    assert.ok(Date.now() - started < 5000);
  });

  test('a request queued behind a full pool (16 sockets) times out too', async () => {
    const client = createHttp({ timeoutMs: 200 });
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 18 }, () =>
        client.fetch({ method: 'GET', url: `${base}/hang`, headers: [] }),
      ),
    );
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.equal(r.reason.code, 'ETIMEDOUT');
    }
    assert.ok(Date.now() - started < 2000);
  });

  test('a body that stalls longer than timeoutMs: readBody rejects with ETIMEDOUT', async () => {
    const client = createHttp({ timeoutMs: 300 });
    const res = await client.fetch({ method: 'GET', url: `${base}/stall`, headers: [] });
    assert.equal(res.status, 200);
    assert.equal((await client.readBody(res.body, 65536)).byteLength, 100);
    const err = await client.readBody(res.body, 65536).then(
      () => assert.fail('expected a rejection'),
      (e) => e,
    );
    assert.equal(err.code, 'ETIMEDOUT');
    assert.match(err.message, /stalled/);
    await assert.rejects(client.readBody(res.body, 10), /unknown/);
  });

  test('a slow but steady body is not cut off by the headers timeout', async () => {
    const slow = http.createServer((_req, res) => {
      res.writeHead(200);
      let n = 0;
      const tick = setInterval(() => {
        res.write('y'.repeat(10));
        if (++n === 6) {
          clearInterval(tick);
          res.end();
        }
      }, 100);
    });
    const port = await listen(slow);
    const client = createHttp({ timeoutMs: 300 });
    const res = await client.fetch({
      method: 'GET',
      url: `http://127.0.0.1:${port}/`,
      headers: [],
    });
    assert.equal((await readAll(client, res.body)).length, 60);
  });
});

describe('TLS', () => {
  let dir;
  let httpsBase;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-http-'));
    const { key, cert } = await selfSigned(dir, 'test', '/CN=localhost');
    const server = https.createServer(
      { key: fs.readFileSync(key), cert: fs.readFileSync(cert) },
      mainHandler,
    );
    httpsBase = `https://127.0.0.1:${await listen(server)}`;
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('tlsVerify: true rejects a self-signed certificate', async () => {
    const client = createHttp();
    const err = await client
      .fetch({
        method: 'GET',
        url: `${httpsBase}/hello`,
        headers: [['Authorization', SECRET]],
        tlsVerify: true,
      })
      .then(
        () => assert.fail('expected a rejection'),
        (e) => e,
      );
    assert.match(err.code, /CERT|SELF_SIGNED/);
    assert.ok(err.message.includes(`GET ${httpsBase}/hello`), err.message);
    assert.ok(!err.message.includes('s3cr3t'));
  });

  test('tlsVerify: false accepts it, body and redirects included', async () => {
    const client = createHttp();
    const res = await client.fetch({
      method: 'GET',
      url: `${httpsBase}/hello`,
      headers: [],
      tlsVerify: false,
    });
    assert.equal(res.status, 201);
    assert.equal(new Map(res.headers).get('x-custom-header'), 'Some Value');
    assert.equal(await text(client, res), 'hello');

    const big = await client.fetch({
      method: 'GET',
      url: `${httpsBase}/big`,
      headers: [],
      tlsVerify: false,
    });
    assert.ok((await readAll(client, big.body)).equals(BIG));

    const redirected = await client.fetch({
      method: 'GET',
      url: `${httpsBase}/redirect-same`,
      headers: [['Authorization', SECRET]],
      tlsVerify: false,
    });
    assert.equal(redirected.url, `${httpsBase}/echo-auth`);
    assert.equal(JSON.parse(await text(client, redirected)).authorization, SECRET);
  });

  test('tlsVerify: false does not weaken other requests', async () => {
    const client = createHttp();
    const ok = await client.fetch({ method: 'GET', url: `${httpsBase}/empty`, tlsVerify: false });
    await client.discardBody(ok.body);
    await assert.rejects(client.fetch({ method: 'GET', url: `${httpsBase}/empty` }), (err) =>
      /CERT|SELF_SIGNED/.test(err.code),
    );
  });
});

describe('HTTP/2', () => {
  let dir;
  let h2Base;
  let h1Base;
  /** TCP connections each server accepted, and the HTTP version of each request it got. */
  const seen = { h2: 0, h1: 0, versions: [] };
  const sockets = new Set();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-h2-'));
    const { key, cert } = await selfSigned(dir, 'test', '/CN=localhost');
    const tlsOptions = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
    // Offers h2 and http/1.1, as package indexes, CDNs and registries do.
    const both = http2.createSecureServer({ ...tlsOptions, allowHTTP1: true }, (req, res) => {
      seen.versions.push(`${req.method} ${req.url} ${req.httpVersion}`);
      if (req.url === '/end-session') {
        res.end('last');
        res.stream.session.close();
        return;
      }
      if (req.url === '/stream-reset') {
        res.writeHead(200, { 'Content-Length': 100000 });
        res.write('x'.repeat(1000), () =>
          setTimeout(() => res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR), 50),
        );
        return;
      }
      if (req.url === '/cookies') {
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.end('ok');
        return;
      }
      mainHandler(req, res);
    });
    both.on('connection', (socket) => {
      seen.h2++;
      sockets.add(socket);
    });
    h2Base = `https://127.0.0.1:${await listen(both)}`;
    const only1 = https.createServer(tlsOptions, mainHandler);
    only1.on('connection', () => {
      seen.h1++;
    });
    h1Base = `https://127.0.0.1:${await listen(only1)}`;
  });

  after(() => {
    for (const socket of sockets) socket.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (client, url, headers = []) =>
    client.fetch({ method: 'GET', url, headers, tlsVerify: false });

  test('GETs and HEADs share one HTTP/2 connection: bodies, headers and redirects as over HTTP/1.1', async () => {
    seen.h2 = 0;
    seen.versions = [];
    const client = createHttp();
    const hellos = await Promise.all(
      Array.from({ length: 20 }, () => get(client, `${h2Base}/hello`)),
    );
    for (const res of hellos) {
      assert.equal(res.status, 201);
      assert.equal(new Map(res.headers).get('x-custom-header'), 'Some Value');
      assert.equal(new Map(res.headers).get('docker-content-digest'), 'sha256:ab');
      assert.ok(!res.headers.some(([name]) => name.startsWith(':')), 'no pseudo-headers');
    }
    assert.deepEqual(await Promise.all(hellos.map((res) => text(client, res))), [
      ...Array(20).fill('hello'),
    ]);
    const [big1, big2] = await Promise.all([
      get(client, `${h2Base}/big`),
      get(client, `${h2Base}/big`),
    ]);
    assert.ok((await readAll(client, big1.body)).equals(BIG));
    assert.ok((await readAll(client, big2.body, 1 << 20)).equals(BIG));
    const head = await client.fetch({ method: 'HEAD', url: `${h2Base}/big`, tlsVerify: false });
    assert.equal(new Map(head.headers).get('content-length'), String(BIG.length));
    assert.equal(await client.readBody(head.body, 65536), null);
    const redirected = await get(client, `${h2Base}/redirect-same`, [['Authorization', SECRET]]);
    assert.equal(redirected.url, `${h2Base}/echo-auth`);
    assert.equal(JSON.parse(await text(client, redirected)).authorization, SECRET);
    const cookies = await get(client, `${h2Base}/cookies`);
    assert.deepEqual(
      cookies.headers.filter(([name]) => name === 'set-cookie'),
      [
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ],
    );
    await client.discardBody(cookies.body);
    assert.equal(seen.h2, 1, 'one TLS connection');
    assert.ok(
      seen.versions.length === 26 && seen.versions.every((v) => v.endsWith(' 2.0')),
      seen.versions.join('\n'),
    );
  });

  test('uploads go over HTTP/1.1 beside the HTTP/2 session: a file slice streams with a Content-Length', async () => {
    seen.h2 = 0;
    seen.versions = [];
    const client = createHttp();
    await text(client, await get(client, `${h2Base}/hello`));
    const body = new Uint8Array(crypto.randomBytes(200000));
    const put = await client.fetch({ method: 'PUT', url: `${h2Base}/put`, body, tlsVerify: false });
    const got = JSON.parse(await text(client, put));
    assert.equal(got.contentLength, '200000');
    assert.equal(got.sha256, sha256(body));
    assert.deepEqual(seen.versions, ['GET /hello 2.0', 'PUT /put 1.1']);
    assert.equal(seen.h2, 2);
  });

  test('a server without HTTP/2: the first handshake settles it, then the HTTP/1.1 pool as before', async () => {
    seen.h1 = 0;
    const client = createHttp();
    const first = await Promise.all([
      get(client, `${h1Base}/hello`),
      get(client, `${h1Base}/hello`),
    ]);
    for (const res of first) assert.equal(await text(client, res), 'hello');
    for (let i = 0; i < 3; i++)
      assert.equal(await text(client, await get(client, `${h1Base}/hello`)), 'hello');
    // The handshake that found out, and the pool's two sockets; none after.
    assert.equal(seen.h1, 3);
  });

  test('16 KiB frames come back joined, up to 256 KiB held', async () => {
    await joinedAndBounded(createHttp(), `${h2Base}/big`, { tlsVerify: false });
  });

  test('a session the server ends: the next request opens another', async () => {
    seen.h2 = 0;
    const client = createHttp();
    assert.equal(await text(client, await get(client, `${h2Base}/end-session`)), 'last');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await text(client, await get(client, `${h2Base}/hello`)), 'hello');
    assert.equal(seen.h2, 2);
  });

  test('a stream reset mid-body: readBody rejects with ECONNRESET (the core retries it), and the connection serves on', async () => {
    seen.h2 = 0;
    const client = createHttp();
    const res = await get(client, `${h2Base}/stream-reset`, [['Authorization', SECRET]]);
    const err = await readAll(client, res.body).then(
      () => assert.fail('expected a rejection'),
      (e) => e,
    );
    assert.equal(err.code, 'ECONNRESET');
    assert.ok(err.message.includes(`GET ${h2Base}/stream-reset (reading the body)`), err.message);
    assert.ok(!err.message.includes('s3cr3t'));
    assert.equal(await text(client, await get(client, `${h2Base}/hello`)), 'hello');
    assert.equal(seen.h2, 1);
  });

  test('no response within timeoutMs, a stalled body, and an interrupt: each ends its stream alone', async () => {
    const controller = new AbortController();
    const client = createHttp({ timeoutMs: 300, signal: controller.signal });
    const err = await get(client, `${h2Base}/hang`).then(
      () => assert.fail('expected a rejection'),
      (e) => e,
    );
    assert.equal(err.code, 'ETIMEDOUT');
    assert.match(err.message, /no response within 300 ms/);
    const stalled = await get(client, `${h2Base}/stall`);
    assert.equal((await client.readBody(stalled.body, 65536)).byteLength, 100);
    await assert.rejects(client.readBody(stalled.body, 65536), (e) => e.code === 'ETIMEDOUT');
    const pending = get(client, `${h2Base}/hang`);
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await assert.rejects(pending);
    assert.ok(Date.now() - started < 250, 'the interrupt ended the wait');
  });

  test('the process exits once done, with the session open and a body abandoned', async () => {
    const script = `
      const { createHttp } = require(${JSON.stringify(require.resolve('../../npm/lib/http/index.js'))});
      (async () => {
        const client = createHttp();
        const res = await client.fetch({ method: 'GET', url: ${JSON.stringify(`${h2Base}/hello`)}, tlsVerify: false });
        let out = '';
        for (let piece; (piece = await client.readBody(res.body, 65536)) !== null; ) out += Buffer.from(piece);
        await client.fetch({ method: 'GET', url: ${JSON.stringify(`${h2Base}/stall`)}, tlsVerify: false });
        process.stdout.write(out);
      })();
    `;
    const { code, stdout, elapsed } = await runChild(script);
    assert.equal(code, 0);
    assert.equal(stdout, 'hello');
    assert.ok(elapsed < 2000, `the child took ${elapsed} ms to exit`);
  });
});

describe('proxy from the environment', () => {
  let dir;
  let httpsPort;
  let httpPort;
  let proxyUrl;
  /** What the proxy saw: `{method, url, host, auth}` per CONNECT or forwarded request. */
  let seen = [];
  /** When set, the proxy answers every request and CONNECT with this status. */
  let refuse = null;
  const tunnels = new Set();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-proxy-'));
    const { key, cert } = await selfSigned(dir, 'test', '/CN=registry.example');
    const tlsServer = https.createServer(
      { key: fs.readFileSync(key), cert: fs.readFileSync(cert) },
      mainHandler,
    );
    httpsPort = await listen(tlsServer);
    httpPort = Number(new URL(base).port);
    // A forward proxy that sends every host name to 127.0.0.1: the client
    // never resolves a target itself when it goes through the proxy.
    const proxy = http.createServer((req, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        host: req.headers.host,
        auth: req.headers['proxy-authorization'] ?? null,
      });
      if (refuse) {
        res.writeHead(refuse);
        res.end();
        return;
      }
      const target = new URL(req.url);
      const headers = { ...req.headers };
      delete headers['proxy-authorization'];
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: req.method,
          headers,
        },
        (up) => {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    proxy.on('connect', (req, socket, head) => {
      seen.push({
        method: 'CONNECT',
        url: req.url,
        host: req.headers.host,
        auth: req.headers['proxy-authorization'] ?? null,
      });
      tunnels.add(socket);
      socket.on('error', () => {});
      if (refuse) {
        socket.end(`HTTP/1.1 ${refuse} Nope\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      const port = Number(req.url.split(':').pop());
      const upstream = net.connect(port, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      tunnels.add(upstream);
      upstream.on('error', () => socket.destroy());
    });
    proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
  });

  after(() => {
    for (const socket of tunnels) socket.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const reset = () => {
    seen = [];
    refuse = null;
  };

  test('an https request is tunnelled with CONNECT, and its connection reused', async () => {
    reset();
    const client = createHttp({ env: { HTTPS_PROXY: proxyUrl } });
    for (let i = 0; i < 2; i++) {
      const res = await client.fetch({
        method: 'GET',
        url: `https://registry.example:${httpsPort}/hello`,
        headers: [],
        tlsVerify: false,
      });
      assert.equal(res.status, 201);
      assert.equal(await text(client, res), 'hello');
    }
    assert.deepEqual(seen, [
      {
        method: 'CONNECT',
        url: `registry.example:${httpsPort}`,
        host: `registry.example:${httpsPort}`,
        auth: null,
      },
    ]);
  });

  test('tlsVerify: true still checks the certificate through the tunnel', async () => {
    reset();
    const client = createHttp({ env: { https_proxy: proxyUrl } });
    await assert.rejects(
      client.fetch({ method: 'GET', url: `https://registry.example:${httpsPort}/hello` }),
      (err) => /CERT|SELF_SIGNED/.test(err.code),
    );
    assert.equal(seen.length, 1);
  });

  test('an http request goes to the proxy with the absolute URL and Proxy-Authorization', async () => {
    reset();
    const client = createHttp({
      env: {
        HTTP_PROXY: 'http://bad:bad@127.0.0.1:9',
        http_proxy: `http://us%40er:p4ss-w0rd@${proxyUrl.slice(7)}`,
      },
    });
    const res = await client.fetch({
      method: 'GET',
      url: `http://registry.example:${httpPort}/echo-auth?x=1`,
      headers: [['Authorization', SECRET]],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(await text(client, res)), {
      authorization: SECRET,
      url: '/echo-auth?x=1',
    });
    assert.deepEqual(seen, [
      {
        method: 'GET',
        url: `http://registry.example:${httpPort}/echo-auth?x=1`,
        host: `registry.example:${httpPort}`,
        auth: `Basic ${Buffer.from('us@er:p4ss-w0rd').toString('base64')}`,
      },
    ]);
  });

  test('HTTP_PROXY is not used for https URLs', async () => {
    reset();
    const client = createHttp({ env: { HTTP_PROXY: proxyUrl } });
    await assert.rejects(
      client.fetch({ method: 'GET', url: 'https://registry.invalid/v2/' }),
      (err) => err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN',
    );
    assert.deepEqual(seen, []);
  });

  test('NO_PROXY names, suffixes, ports and * bypass the proxy', async () => {
    for (const noProxy of [
      'other.test, registry.invalid',
      '.invalid',
      'invalid',
      `registry.invalid:443`,
      '*',
    ]) {
      reset();
      const client = createHttp({ env: { HTTPS_PROXY: proxyUrl, NO_PROXY: noProxy } });
      // Not resolvable: it fails only because it was not sent to the proxy.
      await assert.rejects(
        client.fetch({ method: 'GET', url: 'https://registry.invalid/v2/' }),
        (err) => err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN',
        noProxy,
      );
      assert.deepEqual(seen, [], noProxy);
    }
    // Another port, or a name that only ends like the entry: proxied.
    for (const noProxy of ['registry.invalid:8443', 'stry.invalid']) {
      reset();
      const client = createHttp({ env: { HTTPS_PROXY: proxyUrl, no_proxy: noProxy } });
      const res = await client.fetch({
        method: 'GET',
        url: `https://registry.invalid:${httpsPort}/hello`,
        tlsVerify: false,
      });
      assert.equal(await text(client, res), 'hello');
      assert.equal(seen.length, 1, noProxy);
    }
  });

  test('loopback is never proxied', async () => {
    reset();
    const env = { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl };
    const client = createHttp({ env });
    for (const url of [
      `${base}/hello`,
      `http://localhost:${httpPort}/hello`,
      `https://127.0.0.1:${httpsPort}/hello`,
    ]) {
      const res = await client.fetch({ method: 'GET', url, tlsVerify: false });
      assert.equal(await text(client, res), 'hello', url);
    }
    assert.deepEqual(seen, []);
  });

  test('a 407 to CONNECT rejects with EPROXY, naming the proxy but not the password', async () => {
    reset();
    refuse = 407;
    const port = proxyUrl.split(':').pop();
    const client = createHttp({ env: { HTTPS_PROXY: `http://me:hunter2-pw@127.0.0.1:${port}` } });
    const err = await client
      .fetch({
        method: 'GET',
        url: `https://registry.example:${httpsPort}/hello`,
        headers: [['Authorization', SECRET]],
        tlsVerify: false,
      })
      .then(
        () => assert.fail('expected a rejection'),
        (e) => e,
      );
    assert.equal(err.code, 'EPROXY');
    assert.match(err.message, /proxy authentication/);
    assert.ok(err.message.includes(`http://127.0.0.1:${port}/`), err.message);
    assert.ok(err.message.includes('407'), err.message);
    assert.ok(!err.message.includes('hunter2'), err.message);
    assert.ok(!err.message.includes('s3cr3t'), err.message);
    assert.ok(seen[0].auth.startsWith('Basic '));
  });

  test('an unreachable proxy names the proxy; an https:// proxy URL is refused', async () => {
    reset();
    const client = createHttp({ env: { HTTPS_PROXY: 'http://user:pw-secret@127.0.0.1:9' } });
    const err = await client.fetch({ method: 'GET', url: 'https://registry.example/v2/' }).then(
      () => assert.fail('expected a rejection'),
      (e) => e,
    );
    assert.equal(err.code, 'ECONNREFUSED');
    assert.match(err.message, /proxy http:\/\/127\.0\.0\.1:9\//);
    assert.ok(!err.message.includes('pw-secret'), err.message);

    const tls = createHttp({ env: { HTTPS_PROXY: 'https://proxy.example:3128' } });
    await assert.rejects(
      tls.fetch({ method: 'GET', url: 'https://registry.example/v2/' }),
      (e) => e.code === 'EPROXY' && /only http:\/\/ proxies/.test(e.message),
    );
  });
});

describe('sleep', () => {
  test('resolves after the delay', async () => {
    const client = createHttp();
    const started = Date.now();
    await client.sleep(50);
    assert.ok(Date.now() - started >= 45);
  });
});
