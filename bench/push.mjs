#!/usr/bin/env node
// Push benchmark: `pycontainer push` against `skopeo copy` of the same image
// (about 100 MB compressed) into Debian's docker-registry on 127.0.0.1.
//
//   node bench/push.mjs [--runs 5] [--files 5600] [--mb 140] [--no-extra]
//
// The image is built once from a bench/gen-tree.mjs tree (cached like
// bench/layer.sh does it) with `pycontainer build --base-image scratch`.
// Then, per run and per row, a fresh registry is started, so that no cold
// push can skip or mount a blob, and the row's tool pushes into it twice:
//   cold    - the registry is empty;
//   re-push - the same push again to the same reference: every blob exists.
// Rows run in the order below on odd runs and in reverse order on even ones,
// after one untimed warm-up round. Wall time comes from process.hrtime around
// the whole process, peak RSS from `/usr/bin/time -f %M`. The table shows the
// median and range of the runs (--runs, or BENCH_RUNS; default 5) and the
// largest peak RSS; the pycontainer ÷ skopeo ratio is also given per run
// (both pushed within seconds of each other). MB = 10^6 bytes.
//
// Rows: pycontainer with its defaults (--parallel 4, each blob streamed in
// one PUT), skopeo 1.9.x, then, unless --no-extra (or BENCH_EXTRA=0),
// pycontainer with --chunk-size 16M (PATCH chunks) and with --parallel 1,
// and a floor: curl uploading just the layer blob in one monolithic PUT (the
// POST that opens the upload is not timed).
//
// BENCH_CLI=PATH times another pycontainer.js (a patched copy of npm/, say).
//
// Any failed push, or a pushed manifest whose digest is not the layout's,
// exits 1. Every registry started here is stopped (try/finally).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../tests/infra/registry.mjs';
import { ensureTree, log, median, need, run, tail, timed } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// BENCH_CLI: another pycontainer.js to time (e.g. a patched copy of npm/), default this checkout's.
const CLI = path.resolve(process.env.BENCH_CLI || path.join(repo, 'npm/bin/pycontainer.js'));
const TAG = '1';
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

function usage(msg) {
  if (msg) process.stderr.write(`push.mjs: ${msg}\n`);
  process.stderr.write(
    'usage: node bench/push.mjs [--runs 5] [--files 5600] [--mb 140] [--no-extra]\n',
  );
  process.exit(msg ? 2 : 0);
}

function parseArgs(argv) {
  const opts = {
    runs: Number(process.env.BENCH_RUNS || 5),
    files: 5600,
    mb: 140,
    extra: process.env.BENCH_EXTRA !== '0',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(runs|files|mb)(?:=(.*))?$/.exec(a);
    if (m) {
      const v = m[2] !== undefined ? m[2] : argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 1) usage(`bad value for --${m[1]}: ${v}`);
      opts[m[1]] = n;
    } else if (a === '--no-extra') {
      opts.extra = false;
    } else if (a === '-h' || a === '--help') {
      usage();
    } else {
      usage(`unknown argument ${a}`);
    }
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1) usage(`bad BENCH_RUNS: ${opts.runs}`);
  return opts;
}

function sha256File(file) {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('error', reject)
      .on('data', (b) => h.update(b))
      .on('end', () => resolve(h.digest('hex')));
  });
}

function blobPath(layout, digest) {
  const [alg, hex] = digest.split(':');
  return path.join(layout, 'blobs', alg, hex);
}

/** The image in LAYOUT tagged TAG: manifest digest, blobs and sizes. */
function readImage(layout) {
  const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8'));
  const desc = index.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === TAG,
  );
  if (!desc) throw new Error(`no manifest tagged ${TAG} in ${layout}/index.json`);
  const manifest = JSON.parse(fs.readFileSync(blobPath(layout, desc.digest), 'utf8'));
  const blobs = [manifest.config, ...manifest.layers];
  const layer = manifest.layers.reduce((a, b) => (b.size > a.size ? b : a));
  return {
    digest: desc.digest,
    manifestSize: desc.size,
    blobs,
    layer,
    total: desc.size + blobs.reduce((s, b) => s + b.size, 0),
  };
}

async function buildImage(tree, layout) {
  log(`building the image into ${layout}`);
  const r = await run(process.execPath, [
    CLI,
    'build',
    '--context',
    tree,
    '--base-image',
    'scratch',
    '-o',
    layout,
    '-t',
    `bench:${TAG}`,
    '--entrypoint',
    'python3 -m app',
    '--quiet',
  ]);
  if (r.code !== 0) throw new Error(`pycontainer build failed:\n${tail(r.stderr)}`);
  const image = readImage(layout);
  // Check the layer blob against its digest (and pull it into the page cache).
  const got = `sha256:${await sha256File(blobPath(layout, image.layer.digest))}`;
  if (got !== image.layer.digest)
    throw new Error(`layer blob is ${got}, not ${image.layer.digest}`);
  return image;
}

// ---- the registry side -----------------------------------------------------

/** Throws unless REPO:TAG in `reg` resolves to the layout's manifest digest. */
async function checkPushed(reg, name, image) {
  const res = await fetch(`${reg.url}/v2/${name}/manifests/${TAG}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_ACCEPT },
  });
  const digest = res.headers.get('docker-content-digest');
  if (res.status !== 200 || digest !== image.digest) {
    throw new Error(
      `${reg.host}/${name}:${TAG}: HTTP ${res.status}, digest ${digest}, expected ${image.digest}`,
    );
  }
}

/** Opens an upload session (POST) for the curl floor; returns the PUT URL with ?digest=. */
async function openUpload(reg, name, digest) {
  const res = await fetch(`${reg.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  if (res.status !== 202 || !location) {
    throw new Error(`POST ${reg.url}/v2/${name}/blobs/uploads/: HTTP ${res.status}`);
  }
  const url = new URL(location, reg.url);
  url.searchParams.set('digest', digest);
  return url.href;
}

async function checkBlob(reg, name, desc) {
  const res = await fetch(`${reg.url}/v2/${name}/blobs/${desc.digest}`, { method: 'HEAD' });
  const size = Number(res.headers.get('content-length'));
  if (res.status !== 200 || size !== desc.size) {
    throw new Error(`${reg.host}/${name} blob ${desc.digest}: HTTP ${res.status}, size ${size}`);
  }
}

// ---- rows ------------------------------------------------------------------

function pycRow(label, extraArgs) {
  return {
    label,
    repush: true,
    command: (layout, host, name) => [
      process.execPath,
      [CLI, 'push', `${layout}:${TAG}`, `${host}/${name}:${TAG}`, '--quiet', ...extraArgs],
    ],
  };
}

function rows(extra) {
  const list = [
    { key: 'pyc', ...pycRow('pycontainer push (defaults: --parallel 4, one PUT per blob)', []) },
    {
      key: 'skopeo',
      label: 'skopeo copy',
      repush: true,
      command: (layout, host, name) => [
        'skopeo',
        [
          'copy',
          '--dest-tls-verify=false',
          `oci:${layout}:${TAG}`,
          `docker://${host}/${name}:${TAG}`,
        ],
      ],
    },
  ];
  if (!extra) return list;
  list.push(
    { key: 'pyc16', ...pycRow('pycontainer push --chunk-size 16M', ['--chunk-size', '16M']) },
    { key: 'pycp1', ...pycRow('pycontainer push --parallel 1', ['--parallel', '1']) },
    { key: 'curl', label: 'curl -T, layer blob only, one PUT (floor)', repush: false, curl: true },
  );
  return list;
}

/** One row, one run: a fresh registry, a cold push and (if the row has one) a re-push. */
async function runRow(row, run, layout, image) {
  const reg = await startRegistry({ mode: 'plain' });
  try {
    const name = `bench/${row.key}-${run}`;
    if (row.curl) {
      const url = await openUpload(reg, name, image.layer.digest);
      const cold = await timed(row.label, 'curl', [
        '-sS',
        '--fail-with-body',
        '-o',
        '/dev/null',
        '-X',
        'PUT',
        '-H',
        'Content-Type: application/octet-stream',
        '-H',
        'Expect:',
        '-T',
        blobPath(layout, image.layer.digest),
        url,
      ]);
      await checkBlob(reg, name, image.layer);
      return { cold };
    }
    const [cmd, args] = row.command(layout, reg.host, name);
    const cold = await timed(`${row.label} (cold)`, cmd, args);
    await checkPushed(reg, name, image);
    const repush = row.repush ? await timed(`${row.label} (re-push)`, cmd, args) : undefined;
    if (repush) await checkPushed(reg, name, image);
    return { cold, repush };
  } finally {
    await reg.stop();
  }
}

const fmt = (x, d = 3) => x.toFixed(d);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  need(['skopeo', 'docker-registry', '/usr/bin/time', ...(opts.extra ? ['curl'] : [])]);

  const tree = await ensureTree(opts.files, opts.mb);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyc-bench-push.'));
  try {
    const layout = path.join(work, 'layout');
    const image = await buildImage(tree, layout);
    log(
      `image ${image.digest}: ${image.blobs.length} blobs + manifest, ${image.total} bytes ` +
        `(layer ${image.layer.size})`,
    );
    const list = rows(opts.extra);

    // One untimed warm-up push per row: page cache, binaries, Node's caches.
    for (const row of list) await runRow(row, 'warmup', layout, image);

    const results = new Map(
      list.map((r) => [r.key, { cold: [], repush: [], rssCold: [], rssRepush: [] }]),
    );
    for (let i = 1; i <= opts.runs; i++) {
      const order = i % 2 ? list : [...list].reverse();
      for (const row of order) {
        const r = await runRow(row, i, layout, image);
        const acc = results.get(row.key);
        acc.cold.push(r.cold.seconds);
        acc.rssCold.push(r.cold.rssKb);
        if (r.repush) {
          acc.repush.push(r.repush.seconds);
          acc.rssRepush.push(r.repush.rssKb);
        }
        log(
          `run ${i} ${row.label}: cold ${fmt(r.cold.seconds)} s` +
            (r.repush ? `, re-push ${fmt(r.repush.seconds)} s` : '') +
            `, peak RSS ${fmt(r.cold.rssKb / 1024, 1)} MB`,
        );
      }
    }

    // ---- report ----
    const med = (key, what) => median(results.get(key)[what]);
    const skCold = med('skopeo', 'cold');
    const [skopeoVersion, registryVersion] = await Promise.all([
      run('skopeo', ['--version']),
      run('docker-registry', ['--version']),
    ]);
    const ver = (r) => r.stdout.trim().split('\n')[0];
    console.log();
    console.log(
      `Image: ${fmt(image.total / 1e6, 1)} MB pushed (layer ${fmt(image.layer.size / 1e6, 1)} MB, ` +
        `config and manifest), built from bench/gen-tree.mjs --files ${opts.files} --mb ${opts.mb}; ` +
        `${opts.runs} runs each, median; ${os.cpus().length} cores; Node ${process.version}; ` +
        `${ver(skopeoVersion)}; ${ver(registryVersion)}`,
    );
    console.log();
    const range = (xs) =>
      `${fmt(median(xs))} (${fmt(Math.min(...xs), 2)}–${fmt(Math.max(...xs), 2)})`;
    const maxMb = (xs) => (xs.length ? fmt(Math.max(...xs) / 1024, 1) : '–');
    console.log(
      '| tool | cold s, median (min–max) | MB/s | cold ÷ skopeo | re-push s, median (min–max) | peak RSS MB, cold / re-push |',
    );
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of list) {
      const acc = results.get(row.key);
      const cold = median(acc.cold);
      const bytes = row.curl ? image.layer.size : image.total;
      const repush = acc.repush.length ? range(acc.repush) : '–';
      const rss = `${maxMb(acc.rssCold)} / ${maxMb(acc.rssRepush)}`;
      console.log(
        `| ${row.label} | ${range(acc.cold)} | ${fmt(bytes / 1e6 / cold, 1)} | ${fmt(cold / skCold, 2)} | ${repush} | ${rss} |`,
      );
    }
    console.log();
    const pyc = results.get('pyc');
    const sk = results.get('skopeo');
    // Each run pushed with both tools within seconds: the per-run ratio cancels slow phases of the machine.
    const paired = pyc.cold.map((t, i) => t / sk.cold[i]);
    console.log(
      `pycontainer ÷ skopeo, cold push: ${fmt(med('pyc', 'cold') / skCold, 2)} from the medians; ` +
        `per run ${fmt(median(paired), 2)} (${fmt(Math.min(...paired), 2)}–${fmt(Math.max(...paired), 2)}); ` +
        'target ≤ 0.8 (issue 16), below 1.0 means pycontainer is faster',
    );
    console.log(
      `re-push (every blob already there): pycontainer ${fmt(med('pyc', 'repush'))} s, ` +
        `skopeo ${fmt(med('skopeo', 'repush'))} s`,
    );
    console.log(
      `peak RSS: pycontainer ${maxMb(pyc.rssCold)} MB, skopeo ${maxMb(sk.rssCold)} MB (cold push)`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  log(`error: ${err.stack || err.message}`);
  process.exitCode = 1;
});
