// Resolving against a package index (issue 16): index pages are kept in the
// cache with their validators, so resolving again sends conditional requests
// (answered 304) or, within the page's max-age, none; fetches overlap, the
// next page asked for while others are still on their way; and the lock is
// the same whatever order the index's answers arrive in. With a warm cache,
// each wheel's metadata comes from the cache (kept by the wheel's hash) and the pages the
// project's last resolution needed are all asked for at once; and the chosen
// wheels are downloaded while the resolver is still at work.
//
// A local PEP 691 index serves crafted wheels whose dependencies make the
// resolver choose and backtrack: the project wants `app` and `web[fast]`;
// app 2.0 needs core>=2 and util>=2, web needs core<3, core 3.0 (the newest)
// needs util<2, so core 3.0 is tried and dropped; util 2.0 needs tiny, and
// web's extra `fast` brings speed, which needs tiny<2.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { makeWheel } from '../infra/make-wheels.mjs';
import { startPep691Index } from '../infra/pep691-index.mjs';
import {
  baseRef,
  describeRun,
  makeTempDir,
  removeDir,
  requireTools,
  runCliAsync,
} from './helpers.mjs';

const WHEELS = [
  ['app', '1.0', ['core>=1', 'util']],
  ['app', '2.0', ['core>=2', 'util>=2']],
  ['web', '1.0', ['core<3', 'speed; extra == "fast"']],
  ['core', '1.0', []],
  ['core', '2.0', []],
  ['core', '3.0', ['util<2']],
  ['util', '1.0', []],
  ['util', '2.0', ['tiny']],
  ['speed', '1.0', ['tiny<2']],
  ['tiny', '1.0', []],
  ['tiny', '2.0', []],
];
const PROJECTS = [...new Set(WHEELS.map(([name]) => name))];
// What the resolution must come to, whatever the order.
const EXPECTED = ['app 2.0', 'core 2.0', 'speed 1.0', 'tiny 1.0', 'util 2.0', 'web 1.0'];

let tmp;
let wheels;
// The same wheels, each with its PEP 658 `.metadata` file beside it.
let wheels658;
// The base's Python, probed once and copied into each fresh cache.
let targets;

before(async () => {
  requireTools('skopeo', 'umoci');
  tmp = makeTempDir('pycontainer-e2e-resolve-');
  wheels = path.join(tmp, 'wheels');
  wheels658 = path.join(tmp, 'wheels-658');
  for (const [name, version, requires] of WHEELS) {
    const members = [{ path: `${name}/__init__.py`, data: `V = "${version}"\n` }];
    makeWheel(wheels, name, version, members, { requires });
    makeWheel(wheels658, name, version, members, { requires, metadataFile: true });
  }
});

after(() => removeDir(tmp));

/** A project wanting app and web[fast], in a fresh directory. */
function project(name) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'pyproject.toml'),
    '[project]\nname = "resolve-demo"\nversion = "0.1.0"\ndependencies = ["app", "web[fast]"]\n',
  );
  fs.writeFileSync(path.join(dir, 'main.py'), 'import app, web\nprint(app.V, web.V)\n');
  return dir;
}

/** A cache directory that knows the base's Python already, when it has been probed. */
function freshCache(name) {
  const dir = path.join(tmp, name);
  if (targets)
    fs.cpSync(targets, path.join(dir, 'oci', 'pycontainer', 'targets'), { recursive: true });
  return dir;
}

/** Builds `dir` against `index` with `cache`; returns the lock it wrote, then removes it. */
async function resolve(dir, index, cache) {
  const r = await runCliAsync([
    'build',
    '--context',
    dir,
    '--base-image',
    baseRef(),
    '--output',
    path.join(dir, 'out'),
    '--tag',
    'resolve:1',
    '--cache-dir',
    cache,
    '--index-url',
    index.url,
    '--no-compile',
    '--json',
  ]);
  assert.equal(r.code, 0, describeRun(r));
  const installed = r.json.plan.dependencies.packages.map((p) => `${p.name} ${p.version}`).sort();
  assert.deepEqual(installed, EXPECTED);
  targets ??= path.join(cache, 'oci', 'pycontainer', 'targets');
  const lock = path.join(dir, 'pylock.toml');
  const text = fs.readFileSync(lock, 'utf8');
  fs.rmSync(lock);
  fs.rmSync(path.join(dir, 'out'), { recursive: true, force: true });
  return text;
}

const pageRequests = (index) => index.requests.filter((r) => r.url.startsWith('/simple/'));

describe('index pages cached with their validators', () => {
  test('resolving again revalidates each page with its ETag and gets 304s, and locks the same', async () => {
    const index = await startPep691Index();
    try {
      index.addWheels(wheels);
      const dir = project('etag');
      const cache = freshCache('etag-cache');
      const first = await resolve(dir, index, cache);
      assert.deepEqual(
        pageRequests(index)
          .map((r) => [r.url, r.ifNoneMatch, r.status])
          .sort(),
        PROJECTS.map((name) => [`/simple/${name}/`, null, 200]).sort(),
        'the first resolution asks for every page once, unconditionally',
      );
      // The index lists no PEP 658 metadata and the wheels are small: each
      // is downloaded for its METADATA, with no .metadata asked for first.
      const probes = index.requests.filter((r) => r.url.endsWith('.metadata'));
      assert.deepEqual(probes, [], JSON.stringify(probes));
      index.requests.length = 0;
      const second = await resolve(dir, index, cache);
      const again = pageRequests(index);
      assert.equal(again.length, PROJECTS.length, JSON.stringify(again));
      for (const r of again) {
        assert.match(r.ifNoneMatch ?? '', /^"[0-9a-f]{16}"$/, r.url);
        assert.equal(r.status, 304, r.url);
      }
      // Each wheel's metadata is kept by the wheel's hash: this index serves
      // no PEP 658 files, yet neither a .metadata probe nor a wheel is asked for.
      const files = index.requests.filter((r) => r.url.startsWith('/files/'));
      assert.deepEqual(files, [], JSON.stringify(files));
      assert.equal(second, first);
    } finally {
      await index.close();
    }
  });

  test('within the max-age a page was given, resolving again asks the index for no page', async () => {
    const index = await startPep691Index({ cacheControl: 'max-age=600, public' });
    try {
      index.addWheels(wheels);
      const dir = project('max-age');
      const cache = freshCache('max-age-cache');
      const first = await resolve(dir, index, cache);
      assert.equal(pageRequests(index).length, PROJECTS.length);
      index.requests.length = 0;
      const second = await resolve(dir, index, cache);
      assert.deepEqual(pageRequests(index), []);
      assert.equal(second, first);
    } finally {
      await index.close();
    }
  });

  test('a page sent with no-store is asked for again, unconditionally', async () => {
    const index = await startPep691Index({ cacheControl: 'no-store' });
    try {
      index.addWheels(wheels);
      const dir = project('no-store');
      const cache = freshCache('no-store-cache');
      const first = await resolve(dir, index, cache);
      index.requests.length = 0;
      assert.equal(await resolve(dir, index, cache), first);
      const again = pageRequests(index);
      assert.equal(again.length, PROJECTS.length);
      assert.ok(
        again.every((r) => r.ifNoneMatch === null && r.status === 200),
        JSON.stringify(again),
      );
    } finally {
      await index.close();
    }
  });
});

describe('fetches while resolving', () => {
  let schedule = () => 0;
  let index;
  before(async () => {
    index = await startPep691Index({ delayMs: (pathname) => schedule(pathname) });
    index.addWheels(wheels);
  });
  after(() => index?.close());

  /** Resolves with answers held back by `delays` (pathname → ms), in a fresh cache. */
  async function resolveWith(name, delays) {
    schedule = delays;
    index.requests.length = 0;
    return resolve(project(name), index, freshCache(`${name}-cache`));
  }

  test("a package one answer names is asked for before a slow sibling's answer is back", async () => {
    // web's page takes 1.5 s; app's answers come at once and name core and util.
    await resolveWith('overlap', (p) => (p === '/simple/web/' ? 1500 : 0));
    const web = index.requests.find((r) => r.url === '/simple/web/');
    const core = index.requests.find((r) => r.url === '/simple/core/');
    assert.ok(web && core, JSON.stringify(index.requests));
    assert.ok(
      core.startedMs < web.endedMs,
      `core's page was asked for ${core.startedMs - web.endedMs} ms after web's answer came back`,
    );
    assert.ok(index.maxInFlight() > 1);
  });

  test('the lock is the same whatever order the answers arrive in', async () => {
    const rank = (p) => PROJECTS.findIndex((name) => p.includes(`/${name}`));
    const orders = {
      // Everything at once.
      prompt: () => 0,
      // Pages in one order, then in the reverse one.
      forward: (p) => (p.startsWith('/simple/') ? 40 * rank(p) : 0),
      backward: (p) => (p.startsWith('/simple/') ? 40 * (PROJECTS.length - rank(p)) : 0),
      // Pages at once, metadata (the wheels, this index has no PEP 658 files) late,
      // the oldest versions' last.
      wheelsLate: (p) =>
        p.startsWith('/files/') ? 300 - 100 * Number(/-(\d)\.0-/.exec(p)?.[1] ?? 0) : 0,
    };
    const locks = {};
    for (const [name, delays] of Object.entries(orders)) {
      locks[name] = await resolveWith(`order-${name}`, delays);
    }
    for (const [name, lock] of Object.entries(locks)) {
      assert.equal(lock, locks.prompt, `the lock resolved with the ${name} order differs`);
    }
  });
});

describe('a warm cache, and downloads while resolving (PEP 658 metadata)', () => {
  let schedule = () => 0;
  let index;
  before(async () => {
    index = await startPep691Index({ delayMs: (pathname) => schedule(pathname) });
    index.addWheels(wheels658);
  });
  after(() => index?.close());

  const pages = () => index.requests.filter((r) => r.url.startsWith('/simple/'));
  const metadataFiles = () => index.requests.filter((r) => r.url.endsWith('.metadata'));
  const wheelFiles = () => index.requests.filter((r) => r.url.endsWith('.whl'));

  test("resolving again reads no metadata file and asks for the last resolution's pages at once", async () => {
    // Every page takes 150 ms, so that one asked for only after another's
    // answer starts visibly later.
    schedule = (p) => (p.startsWith('/simple/') ? 150 : 0);
    const dir = project('warm-658');
    const cache = freshCache('warm-658-cache');
    index.requests.length = 0;
    const first = await resolve(dir, index, cache);
    assert.ok(metadataFiles().length >= EXPECTED.length, JSON.stringify(index.requests));
    const firstAnswer = (rs) => Math.min(...rs.map((r) => r.endedMs));
    assert.ok(
      pages().some((r) => r.startedMs > firstAnswer(pages())),
      'a cold resolution finds its packages one level at a time',
    );

    index.requests.length = 0;
    const second = await resolve(dir, index, cache);
    assert.equal(second, first);
    assert.deepEqual(metadataFiles(), [], 'metadata files come from the cache');
    assert.deepEqual(wheelFiles(), [], 'the wheels are in the cache');
    // All six packages' pages leave before any page's answer is back (core
    // 3.0 is tried and dropped, so no page beyond those six is needed).
    const again = pages();
    assert.deepEqual(again.map((r) => r.url).sort(), PROJECTS.map((n) => `/simple/${n}/`).sort());
    const answered = firstAnswer(again);
    for (const r of again) assert.ok(r.startedMs < answered, `${r.url} was asked for late`);
  });

  test('the chosen wheels are downloaded while other pages are still on their way', async () => {
    // web's page takes 1.5 s; app's, core's and util's answers come at once.
    schedule = (p) => (p === '/simple/web/' ? 1500 : 0);
    index.requests.length = 0;
    const lock = await resolve(project('prefetch-658'), index, freshCache('prefetch-658-cache'));
    const web = pages().find((r) => r.url === '/simple/web/');
    const app = wheelFiles().find((r) => r.url.includes('app-2.0-'));
    assert.ok(web && app, JSON.stringify(index.requests));
    assert.ok(
      app.endedMs < web.endedMs,
      `app 2.0's wheel was downloaded ${app.startedMs - web.endedMs} ms after web's page came back`,
    );
    // Each wheel is downloaded once, whether during the resolution or after it.
    const urls = wheelFiles().map((r) => r.url);
    assert.deepEqual(urls, [...new Set(urls)]);
    assert.match(lock, /name = "app"\nversion = "2.0"/);
  });
});

describe('large pages kept parsed', () => {
  test("a page's bytes seen before are read back from the cache, not parsed again", async () => {
    const index = await startPep691Index();
    try {
      index.addWheels(wheels);
      // core's page grows past the size pages are kept parsed at (256 KiB)
      // with wheels for another platform, which nothing downloads.
      const filler = Array.from({ length: 2000 }, (_, i) => ({
        filename: `core-0.${i}-cp39-cp39-win_amd64.whl`,
        path: '/nonexistent',
        size: 1,
        sha256: '0'.repeat(64),
      }));
      index.wheels.set('core', [...index.wheels.get('core'), ...filler]);
      const dir = project('parsed');
      const cache = freshCache('parsed-cache');
      const first = await resolve(dir, index, cache);
      const kept = path.join(cache, 'oci', 'pycontainer', 'index-parsed');
      const records = fs.readdirSync(kept);
      assert.equal(records.length, 1, 'only core page is large');
      const record = path.join(kept, records[0]);
      // The record's links rewritten, lengths kept: a lock that names them
      // was made from the record. (The wheels and their metadata are in the
      // cache by hash, so nothing is fetched from those links.)
      const bytes = fs.readFileSync(record);
      fs.writeFileSync(
        record,
        Buffer.from(bytes.toString('latin1').replaceAll('/files/', '/filez/'), 'latin1'),
      );
      const second = await resolve(dir, index, cache);
      assert.match(second, /\/filez\/core-2\.0-/);
      assert.equal(second.replaceAll('/filez/', '/files/'), first);
      // A record that does not read back is parsed again, and replaced.
      fs.writeFileSync(record, bytes.subarray(0, bytes.length - 3));
      assert.equal(await resolve(dir, index, cache), first);
      assert.ok(fs.readFileSync(record).equals(bytes));
    } finally {
      await index.close();
    }
  });
});
