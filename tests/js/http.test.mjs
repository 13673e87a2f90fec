// Tests the host's HTTP methods (npm/lib/http.js) against local servers: the
// core reads registry responses through them, so status, headers, redirects,
// body pieces, timeouts, TLS and error codes are each checked on a real socket.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

const require = createRequire(import.meta.url);
const { createHttp } = require('../../npm/lib/http.js');

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
    server.closeAllConnections();
    server.close();
  }
});

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
    const key = path.join(dir, 'k');
    const cert = path.join(dir, 'c');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
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

describe('sleep', () => {
  test('resolves after the delay', async () => {
    const client = createHttp();
    const started = Date.now();
    await client.sleep(50);
    assert.ok(Date.now() - started >= 45);
  });
});
