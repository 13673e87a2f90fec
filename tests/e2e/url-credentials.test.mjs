// Credentials in requirement URLs never leave memory (issue 12): a wheel
// behind Basic auth on a real local HTTP server, named in requirements.txt
// with a literal `user:TOKEN@` and through `${VAR}`s from the environment.
// The build works, and the token is in none of: the pylock.toml written,
// stdout and stderr (also with --verbose and --dry-run --json), and every
// file of the output layout (layers read uncompressed). A failing download
// names its URL without the secret. The lock written passes its own reader:
// the unhashed direct URL gets its sha256, and a --locked rebuild with an
// empty cache passes.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import { makeWheel } from '../infra/make-wheels.mjs';
import { listen } from '../infra/net.mjs';
import {
  baseRef,
  describeRun,
  listTree,
  makeTempDir,
  parseTar,
  removeDir,
  runCliAsync,
  sha256Hex,
} from './helpers.mjs';

const TOKEN = `tok-${crypto.randomBytes(12).toString('hex')}`;
const USER = 'builder';
const WHEEL = 'privpkg-1.0-py3-none-any.whl';

let tmp;
let server;
let port;
let wheelBytes;
/** Every request the server saw: {path, authorized}. */
const requests = [];

before(async () => {
  tmp = makeTempDir('pycontainer-e2e-urlcreds-');
  const wheelPath = makeWheel(path.join(tmp, 'wheels'), 'privpkg', '1.0', [
    { path: 'privpkg/__init__.py', data: 'NAME = "privpkg"\n' },
  ]);
  wheelBytes = fs.readFileSync(wheelPath);
  const expected = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`;
  server = http.createServer((req, res) => {
    const authorized = req.headers.authorization === expected;
    requests.push({ path: req.url, authorized });
    if (!authorized) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' });
      res.end('unauthorized');
    } else if (req.url === `/files/${WHEEL}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(wheelBytes);
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  port = await listen(server);
});

after(async () => {
  await new Promise((resolve) => server?.close(resolve));
  removeDir(tmp);
});

/** A project whose requirements.txt holds `line`. */
function project(name, line) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'pyproject.toml'),
    '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n',
  );
  fs.writeFileSync(path.join(dir, 'main.py'), 'import privpkg\nprint(privpkg.NAME)\n');
  fs.writeFileSync(path.join(dir, 'requirements.txt'), `${line}\n`);
  return dir;
}

/** Runs `pycontainer build` on `dir` with a fresh cache (so the download really happens). */
function buildIt(dir, args = [], env = {}) {
  const cache = fs.mkdtempSync(path.join(tmp, 'cache-'));
  return runCliAsync(
    [
      'build',
      '--context',
      dir,
      '--base-image',
      baseRef(),
      '--output',
      `${dir}-out`,
      '--tag',
      'app:1',
      '--cache-dir',
      cache,
      ...args,
    ],
    { env },
  );
}

/**
 * Every file under `dir` searched for the token, layers entry by entry.
 * `own` names image paths that may hold it: the project's own file that
 * the user wrote it into, which the image ships as written.
 */
function assertNoTokenIn(dir, own = []) {
  for (const rel of listTree(dir)) {
    const p = path.join(dir, rel);
    if (!fs.statSync(p).isFile()) continue;
    const bytes = fs.readFileSync(p);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      for (const e of parseTar(zlib.gunzipSync(bytes)).entries) {
        if (own.includes(e.path)) continue;
        const where = `${p} (${e.path})`;
        assert.equal(e.data?.includes(TOKEN) ?? false, false, `the token is in ${where}`);
        assert.equal(e.path.includes(TOKEN), false, `the token names ${where}`);
      }
    } else {
      assert.equal(bytes.includes(TOKEN), false, `the token is in ${p}`);
    }
  }
}

function assertNoToken(r, what) {
  assert.equal(r.stdout.includes(TOKEN), false, `${what}: token on stdout\n${describeRun(r)}`);
  assert.equal(r.stderr.includes(TOKEN), false, `${what}: token on stderr\n${describeRun(r)}`);
}

/** The one [[packages]] wheel entry of the lock pycontainer wrote. */
function lockedWheel(dir) {
  const lock = fs.readFileSync(path.join(dir, 'pylock.toml'), 'utf8');
  assert.equal(lock.includes(TOKEN), false, `the token is in pylock.toml:\n${lock}`);
  const line = lock.split('\n').find((l) => l.includes(WHEEL));
  assert.ok(line, `pylock.toml names the wheel:\n${lock}`);
  return line;
}

/** A variable as requirements files write it: `$` `{NAME}`. */
const variable = (name) => `\${${name}}`;
const VARS = `${variable('PRIV_USER')}:${variable('PRIV_TOKEN')}@`;

const url = (userinfo, file = WHEEL) => `http://${userinfo}127.0.0.1:${port}/files/${file}`;

describe('a wheel behind Basic auth', () => {
  test('literal user:TOKEN@: builds, sends the token, records the URL without it', async () => {
    const dir = project('literal', `privpkg @ ${url(`${USER}:${TOKEN}@`)}`);
    const before = requests.length;
    const r = await buildIt(dir, ['-v']);
    assert.equal(r.code, 0, describeRun(r));
    assertNoToken(r, 'build -v');
    assert.ok(
      requests.slice(before).some((q) => q.path === `/files/${WHEEL}` && q.authorized),
      'the wheel was fetched with the credentials',
    );
    const entry = lockedWheel(dir);
    assert.ok(entry.includes(`url = "${url('')}"`), entry);
    // Point 8: the unhashed direct URL gets the sha256 of what was downloaded.
    assert.ok(entry.includes(`sha256 = "${sha256Hex(wheelBytes)}"`), entry);
    // The project's requirements.txt holds the token as the user wrote it,
    // so it ships that way, and the build says so.
    assertNoTokenIn(`${dir}-out`, ['app/requirements.txt']);
    assert.match(
      r.stderr,
      /requirements\.txt goes into the image with a password or token written in a URL/,
    );
    // The lock passes its own reader: a --locked rebuild, with an empty cache,
    // takes the credentials from the requirement again.
    const locked = await buildIt(dir, ['--locked', '--dry-run', '--json']);
    assert.equal(locked.code, 0, describeRun(locked));
    assertNoToken(locked, '--locked --dry-run --json');
    assert.deepEqual(
      locked.json.plan.dependencies.packages.map((p) => p.wheel),
      [WHEEL],
    );
  });

  test('variables: the lock keeps them as written, and a --locked rebuild expands them', async () => {
    const line = `privpkg @ ${url(VARS)}`;
    const dir = project('variables', line);
    const env = { PRIV_USER: USER, PRIV_TOKEN: TOKEN };
    const dry = await buildIt(dir, ['--dry-run', '--json', '-v'], env);
    assert.equal(dry.code, 0, describeRun(dry));
    assertNoToken(dry, '--dry-run --json -v');
    // A ${VAR} holds no secret: nothing to warn about.
    assert.deepEqual(
      dry.json.plan.warnings.filter((w) => w.code === 'credentials-included'),
      [],
    );
    const r = await buildIt(dir, [], env);
    assert.equal(r.code, 0, describeRun(r));
    assertNoToken(r, 'build');
    const entry = lockedWheel(dir);
    assert.ok(entry.includes(`url = "${url(VARS)}"`), entry);
    assertNoTokenIn(`${dir}-out`);
    const locked = await buildIt(dir, ['--locked'], env);
    assert.equal(locked.code, 0, describeRun(locked));
    assertNoToken(locked, '--locked');
  });

  test('a refused download (401, 404) names the URL without the secret', async () => {
    for (const [name, line, status] of [
      ['wrong', `privpkg @ ${url(`${USER}:${TOKEN}x@`)}`, /HTTP 401/],
      ['missing', `privpkg @ ${url(`${USER}:${TOKEN}@`, 'privpkg-2.0-py3-none-any.whl')}`, /404/],
    ]) {
      const dir = project(name, line);
      const r = await buildIt(dir);
      assert.equal(r.code, 1, describeRun(r));
      assertNoToken(r, name);
      assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}/files/privpkg`), r.stderr);
      assert.match(r.stderr, status, r.stderr);
      assert.equal(fs.existsSync(`${dir}-out`), false, 'nothing written');
    }
  });

  test('a line refused after its variables expand is shown as written', async () => {
    const userinfo = `u:${variable('PRIV_TOKEN')}@`;
    const dir = project('expanded', `privpkg @ ${url(userinfo, 'privpkg-1.0.tar.gz')}`);
    const r = await buildIt(dir, [], { PRIV_TOKEN: TOKEN });
    assert.equal(r.code, 1, describeRun(r));
    assertNoToken(r, 'expanded');
    assert.match(r.stderr, /requirements\.txt line 1/, r.stderr);
  });

  test('an --index-url with userinfo is never shown', async () => {
    const dir = project('index', `privpkg @ ${url(`${USER}:${TOKEN}@`)}`);
    const index = `http://${USER}:${TOKEN}@127.0.0.1:${port}/simple`;
    const r = await buildIt(dir, ['--index-url', index, '--dry-run', '--json', '-v']);
    assert.equal(r.code, 0, describeRun(r));
    assertNoToken(r, '--index-url');
    const bad = await buildIt(dir, ['--index-url', `${index} x`, '--dry-run']);
    assert.notEqual(bad.code, 0, describeRun(bad));
    assertNoToken(bad, 'a bad --index-url');
  });
});

test('the server is the test: without credentials the wheel is refused', async () => {
  const res = await fetch(url(''));
  assert.equal(res.status, 401);
});
