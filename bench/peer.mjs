#!/usr/bin/env node
// Full-build benchmark against pycontainer-build (spboyer/pycontainer-build,
// the Python peer): both build bench/gen-tree.mjs's tree as an app project
// on the same Debian python base, pulled from the same TLS docker-registry
// on 127.0.0.1, each into an output of its own.
//
//   node bench/peer.mjs --peer-src DIR [--runs 5] [--files 2000] [--mb 50]
//
// DIR is a checkout of github.com/spboyer/pycontainer-build (it is not on
// PyPI). It is pip-installed once into a venv under the test cache, keyed by
// a hash of its files, with the machine's python3 (it needs 3.11+).
//
// The base is tests/infra/base-image.sh's layout (the tests' base), copied
// with skopeo into a fresh TLS registry (tests/infra/registry.mjs); both
// tools trust its certificate through their usual variables
// (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE). The tree already has a minimal
// pyproject.toml (gen-tree.mjs writes one).
//
// Rows, each a whole process timed from spawn to exit:
//   peer      - `pycontainer build --context TREE --base-image REF --tag T`
//               in a fresh working directory (it always writes
//               ./dist/image, and it has no base cache: every build pulls
//               the base). Its layers are uncompressed tars, written
//               without fsync.
//   ours cold - `pycontainer build --context TREE --base-image REF
//               --output NEW --cache-dir NEW`: an empty cache, so the base
//               is pulled too; the app layer is gzipped, the output fsynced.
//   ours warm - the same with the cache an untimed build filled (the base
//               and its probe cached, as on a developer's second build),
//               into a fresh output.
//   ours app  - `--base-image scratch`, empty cache: the app layer alone,
//               to tell its cost (tar, gzip, hashes) from the base's.
// Rows run in this order on odd runs and reversed on even ones, after one
// untimed round; `sync` runs (untimed) before each build so no build pays
// for the previous one's writeback. Every output is checked: its first
// layers must be the base's, and its other layers' blobs must match their
// digests and sizes. The table shows the median (and range) of the runs,
// the per-run ratio ours ÷ peer, peak RSS from `/usr/bin/time -f %M`, and
// what each tool wrote. MB = 10^6 bytes.
//
// BENCH_CLI=PATH times another pycontainer.js (a patched copy of npm/, say).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_TAG, baseLayout } from '../tests/e2e/helpers.mjs';
import { startRegistry } from '../tests/infra/registry.mjs';
import { seedBase } from '../tests/infra/seed.mjs';
import { cacheDir, ensureTree, log, median, need, run, tail, timed } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.resolve(process.env.BENCH_CLI || path.join(repo, 'npm/bin/pycontainer.js'));
const BASE_REPO = 'library/python';
const TAG = 'bench:1';

function usage(msg) {
  if (msg) process.stderr.write(`peer.mjs: ${msg}\n`);
  process.stderr.write(
    'usage: node bench/peer.mjs --peer-src DIR [--runs 5] [--files 2000] [--mb 50]\n',
  );
  process.exit(msg ? 2 : 0);
}

function parseArgs(argv) {
  const opts = {
    runs: Number(process.env.BENCH_RUNS || 5),
    files: 2000,
    mb: 50,
    peerSrc: process.env.PEER_SRC,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(runs|files|mb|peer-src)(?:=(.*))?$/.exec(a);
    if (m) {
      const v = m[2] !== undefined ? m[2] : argv[++i];
      if (v === undefined) usage(`--${m[1]} needs a value`);
      if (m[1] === 'peer-src') {
        opts.peerSrc = v;
        continue;
      }
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) usage(`bad value for --${m[1]}: ${v}`);
      opts[m[1]] = n;
    } else if (a === '-h' || a === '--help') {
      usage();
    } else {
      usage(`unknown argument ${a}`);
    }
  }
  if (!opts.peerSrc) usage('--peer-src DIR (a checkout of spboyer/pycontainer-build) is required');
  if (!fs.existsSync(path.join(opts.peerSrc, 'pyproject.toml')))
    usage(`${opts.peerSrc} has no pyproject.toml: not a pycontainer-build checkout`);
  if (!Number.isInteger(opts.runs) || opts.runs < 1) usage(`bad BENCH_RUNS: ${opts.runs}`);
  return opts;
}

// ---- the peer's venv ---------------------------------------------------------

/** sha256 over the checkout's paths and contents (.git and build output left out). */
function hashTree(dir) {
  const h = crypto.createHash('sha256');
  const walk = (rel) => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (['.git', 'build', 'dist'].includes(e.name) || e.name.endsWith('.egg-info')) continue;
      const p = path.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(`${p}\0`).update(fs.readFileSync(path.join(dir, p)));
    }
  };
  walk('.');
  return h.digest('hex').slice(0, 12);
}

/**
 * The venv holding the peer, made once per checkout content. It is made
 * where it lives (a venv's scripts carry its absolute path) and marked
 * complete last, so a half-made one is made again.
 */
async function peerVenv(src) {
  const venv = path.join(cacheDir(), `bench-peer-venv-${hashTree(src)}`);
  const exe = path.join(venv, 'bin/pycontainer');
  if (fs.existsSync(path.join(venv, '.complete'))) return exe;
  log(`installing pycontainer-build from ${src} into ${venv}`);
  fs.rmSync(venv, { recursive: true, force: true });
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', venv]],
    [
      path.join(venv, 'bin/python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', path.resolve(src)],
    ],
  ]) {
    const r = await run(cmd, args);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${tail(r.stderr)}`);
  }
  fs.writeFileSync(path.join(venv, '.complete'), '');
  return exe;
}

// ---- outputs -----------------------------------------------------------------

const blobFile = (layout, digest) => path.join(layout, 'blobs', ...digest.split(':'));
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

function sha256File(file) {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('error', reject)
      .on('data', (b) => h.update(b))
      .on('end', () => resolve(`sha256:${h.digest('hex')}`));
  });
}

/** The layout's one image's layers, first following an index if the manifest is one. */
function imageLayers(layout) {
  let desc = readJson(path.join(layout, 'index.json')).manifests[0];
  let doc = readJson(blobFile(layout, desc.digest));
  while (doc.manifests) {
    desc = doc.manifests[0];
    doc = readJson(blobFile(layout, desc.digest));
  }
  return doc.layers;
}

/**
 * Checks an output against the base's layers and returns what it wrote
 * on top of them: {count, bytes, mediaTypes}.
 */
async function checkOutput(layout, baseLayers) {
  const layers = imageLayers(layout);
  baseLayers.forEach((b, i) => {
    if (layers[i]?.digest !== b.digest)
      throw new Error(`${layout}: layer ${i} is ${layers[i]?.digest}, not the base's ${b.digest}`);
  });
  const own = layers.slice(baseLayers.length);
  if (own.length === 0) throw new Error(`${layout}: no layer beyond the base's`);
  for (const l of [...baseLayers, ...own]) {
    const file = blobFile(layout, l.digest);
    if (fs.statSync(file).size !== l.size) throw new Error(`${file}: not ${l.size} bytes`);
  }
  for (const l of own) {
    const got = await sha256File(blobFile(layout, l.digest));
    if (got !== l.digest) throw new Error(`${layout}: blob ${l.digest} hashes to ${got}`);
  }
  return {
    count: own.length,
    bytes: own.reduce((s, l) => s + l.size, 0),
    mediaTypes: [...new Set(own.map((l) => l.mediaType))],
  };
}

// ---- rows --------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  need(['python3', 'skopeo', 'docker-registry', 'openssl', '/usr/bin/time', 'sync']);
  const peerExe = await peerVenv(opts.peerSrc);
  const tree = await ensureTree(opts.files, opts.mb);
  const baseManifest = readJson(path.join(baseLayout(), 'index.json')).manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === BASE_TAG,
  );
  const baseLayers = readJson(blobFile(baseLayout(), baseManifest.digest)).layers;

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyc-bench-peer.'));
  const reg = await startRegistry({ mode: 'tls' });
  try {
    await seedBase(reg, { repo: BASE_REPO, tag: BASE_TAG });
    const baseRef = `${reg.host}/${BASE_REPO}:${BASE_TAG}`;
    log(`base ${baseRef} (${baseLayers.length} layer(s)) on a TLS registry`);
    // Both see the test CA next to the system's (the outbound proxy's CA is there).
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: reg.caBundle, SSL_CERT_FILE: reg.caBundle };
    const warmCache = path.join(work, 'cache-warm');
    let n = 0;
    const fresh = (name) => path.join(work, `${name}-${++n}`);

    const rows = [
      {
        key: 'peer',
        label: 'pycontainer-build (peer): uncompressed layers, no base cache',
        async build() {
          const cwd = fresh('peer');
          fs.mkdirSync(cwd);
          const args = ['build', '--context', tree, '--base-image', baseRef, '--tag', TAG];
          const t = await timed('peer build', peerExe, args, { cwd, env });
          return { ...t, layout: path.join(cwd, 'dist/image'), clean: cwd };
        },
      },
      ...[
        ['cold', 'pycontainer build, empty cache (base pulled)', () => fresh('cache'), baseRef],
        ['warm', 'pycontainer build, base cached', () => warmCache, baseRef],
        [
          'app',
          'pycontainer build on scratch (the app layer alone)',
          () => fresh('cache'),
          'scratch',
        ],
      ].map(([key, label, cache, base]) => ({
        key,
        label,
        base: base === 'scratch' ? [] : baseLayers,
        async build() {
          const layout = fresh(`ours-${key}`);
          const cacheDir = cache();
          const args = [CLI, 'build', '--context', tree, '--base-image', base];
          args.push('--output', layout, '--cache-dir', cacheDir, '-t', TAG, '--quiet');
          const t = await timed(`pycontainer build (${key})`, process.execPath, args, { env });
          const clean = [layout, ...(cacheDir === warmCache ? [] : [cacheDir])];
          return { ...t, layout, clean };
        },
      })),
    ];
    const results = new Map(rows.map((r) => [r.key, { seconds: [], rssKb: [] }]));
    const wrote = new Map();
    const once = async (row) => {
      await run('sync', []);
      const r = await row.build();
      wrote.set(row.key, await checkOutput(r.layout, row.base ?? baseLayers));
      for (const p of [r.clean].flat()) fs.rmSync(p, { recursive: true, force: true });
      return r;
    };

    // The untimed round also fills the warm row's cache.
    for (const row of rows) await once(row);
    for (let i = 1; i <= opts.runs; i++) {
      const order = i % 2 ? rows : [...rows].reverse();
      for (const row of order) {
        const r = await once(row);
        results.get(row.key).seconds.push(r.seconds);
        results.get(row.key).rssKb.push(r.rssKb);
      }
      const s = (k) => results.get(k).seconds.at(-1).toFixed(2);
      log(
        `run ${i}: peer ${s('peer')} s, ours cold ${s('cold')} s, warm ${s('warm')} s, app ${s('app')} s`,
      );
    }

    // ---- report ----
    const fmt = (x, d = 2) => x.toFixed(d);
    const peer = results.get('peer').seconds;
    const range = (xs) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
    const baseBytes = baseLayers.reduce((s, l) => s + l.size, 0);
    const load = os
      .loadavg()
      .map((x) => fmt(x))
      .join(' ');
    const pyVersion = (await run('python3', ['--version'])).stdout.trim();
    console.log();
    console.log(
      `Tree: bench/gen-tree.mjs --files ${opts.files} --mb ${opts.mb}; base: ${baseLayers.length} ` +
        `layer(s), ${fmt(baseBytes / 1e6)} MB gzipped, on a TLS docker-registry; ${opts.runs} runs each, ` +
        `median; ${os.cpus().length} cores, load average at the end ${load}; ` +
        `Node ${process.version}; ${pyVersion}`,
    );
    console.log();
    console.log(
      '| tool | s, median (min–max) | ÷ peer, per run: median (min–max) | peak RSS MiB, max | layers written on the base | MB |',
    );
    console.log('|---|---:|---:|---:|---|---:|');
    for (const row of rows) {
      const acc = results.get(row.key);
      const ratios = acc.seconds.map((t, i) => t / peer[i]);
      const w = wrote.get(row.key);
      console.log(
        `| ${row.label} | ${range(acc.seconds)} | ${range(ratios)} | ${fmt(Math.max(...acc.rssKb) / 1024, 0)} | ` +
          `${w.count} × ${w.mediaTypes.join(', ')} | ${fmt(w.bytes / 1e6)} |`,
      );
    }
  } finally {
    await reg.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  log(`error: ${err.stack || err.message}`);
  process.exitCode = 1;
});
