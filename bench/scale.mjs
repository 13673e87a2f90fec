#!/usr/bin/env node
// Scale benchmark: the app layer of three bench/gen-tree.mjs trees of
// growing size at the same mix (10 files per MB), to show that build time
// grows linearly with the tree and peak memory does not grow at all.
//
//   node bench/scale.mjs [--runs 3] [--sizes 5000:50,20000:200,50000:500]
//
// Each size is FILES:MB for gen-tree.mjs (cached like bench/layer.sh's
// trees; the 500 MB one takes a few minutes to generate the first time).
// Rows per size, each a whole process timed from spawn to exit:
//   pycontainer - `pycontainer build --context TREE --base-image scratch
//                 --output NEW --cache-dir NEW`: the tar, gzip and both
//                 SHA-256s, the layout written and fsynced;
//   pigz -1     - `tar --sort=name … | pigz -1 | sha256sum`, the native
//                 reference on both cores: what linear looks like on this
//                 disk and page cache.
// Every tree is read once first, so every run reads it from the page cache.
// Per run, the sizes go small to large on odd runs and large to small on
// even ones, and within a size the two rows alternate too. Wall time from
// process.hrtime, peak RSS (the largest process) from `/usr/bin/time -f %M`.
// The table shows medians, seconds per 100 MB (flat means linear) and the
// largest peak RSS. MB = 10^6 bytes.
//
// BENCH_CLI=PATH times another pycontainer.js (a patched copy of npm/, say).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTree, log, median, need, run, tail, timed } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.resolve(process.env.BENCH_CLI || path.join(repo, 'npm/bin/pycontainer.js'));

function usage(msg) {
  if (msg) process.stderr.write(`scale.mjs: ${msg}\n`);
  process.stderr.write(
    'usage: node bench/scale.mjs [--runs 3] [--sizes 5000:50,20000:200,50000:500]\n',
  );
  process.exit(msg ? 2 : 0);
}

function parseArgs(argv) {
  const opts = { runs: Number(process.env.BENCH_RUNS || 3), sizes: '5000:50,20000:200,50000:500' };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(runs|sizes)(?:=(.*))?$/.exec(argv[i]);
    if (m) opts[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
    else if (argv[i] === '-h' || argv[i] === '--help') usage();
    else usage(`unknown argument ${argv[i]}`);
  }
  opts.runs = Number(opts.runs);
  if (!Number.isInteger(opts.runs) || opts.runs < 1) usage(`bad --runs: ${opts.runs}`);
  opts.sizes = String(opts.sizes)
    .split(',')
    .map((s) => {
      const [files, mb] = s.split(':').map(Number);
      if (!Number.isInteger(files) || !Number.isInteger(mb) || files < 1 || mb < 1)
        usage(`bad size ${s} (FILES:MB)`);
      return { files, mb };
    });
  return opts;
}

/** Files and bytes under dir (what the tree really holds, not what was asked). */
function measureTree(dir) {
  let files = 0;
  let bytes = 0;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    files += 1;
    bytes += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size;
  }
  return { files, bytes };
}

const TAR = 'tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$TREE" -c .';

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  need(['tar', 'pigz', 'sha256sum', 'bash', '/usr/bin/time']);
  const trees = [];
  for (const s of opts.sizes) {
    const dir = await ensureTree(s.files, s.mb);
    // Into the page cache, so no run pays for the first read.
    const r = await run('bash', ['-c', `${TAR} > /dev/null`], {
      env: { ...process.env, TREE: dir },
    });
    if (r.code !== 0) throw new Error(`tar of ${dir} failed:\n${tail(r.stderr)}`);
    trees.push({ ...s, dir, ...measureTree(dir), pyc: [], pigz: [], pycRss: [], pigzRss: [] });
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyc-bench-scale.'));
  let n = 0;
  const rows = {
    async pyc(t) {
      const out = path.join(work, `out-${++n}`);
      const cache = path.join(work, `cache-${n}`);
      const args = [CLI, 'build', '--context', t.dir, '--base-image', 'scratch'];
      args.push('--output', out, '--cache-dir', cache, '-t', 'bench:1', '--quiet');
      try {
        return await timed(`pycontainer ${t.mb} MB`, process.execPath, args);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
        fs.rmSync(cache, { recursive: true, force: true });
      }
    },
    pigz: (t) =>
      timed(`pigz ${t.mb} MB`, 'bash', ['-c', `${TAR} | pigz -1 | sha256sum > /dev/null`], {
        env: { ...process.env, TREE: t.dir },
      }),
  };
  try {
    // One untimed round: Node's and the kernel's caches.
    for (const t of trees) for (const key of ['pyc', 'pigz']) await rows[key](t);
    for (let i = 1; i <= opts.runs; i++) {
      const order = i % 2 ? trees : [...trees].reverse();
      for (const t of order) {
        for (const key of i % 2 ? ['pyc', 'pigz'] : ['pigz', 'pyc']) {
          const r = await rows[key](t);
          t[key].push(r.seconds);
          t[`${key}Rss`].push(r.rssKb);
        }
        log(
          `run ${i}, ${t.mb} MB: pycontainer ${t.pyc.at(-1).toFixed(2)} s, pigz ${t.pigz.at(-1).toFixed(2)} s`,
        );
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  const fmt = (x, d = 2) => x.toFixed(d);
  const range = (xs) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
  const load = os
    .loadavg()
    .map((x) => fmt(x))
    .join(' ');
  console.log();
  console.log(
    `${opts.runs} runs each, median; ${os.cpus().length} cores, load average at the end ` +
      `${load}; Node ${process.version}`,
  );
  console.log();
  console.log(
    '| tree | pycontainer s (min–max) | s per 100 MB | peak RSS MiB | pigz -1 s (min–max) | s per 100 MB | peak RSS MiB | pycontainer ÷ pigz, per run |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of trees) {
    const per100 = (xs) => fmt((median(xs) / t.bytes) * 1e8);
    const rss = (xs) => fmt(Math.max(...xs) / 1024, 0);
    const ratios = t.pyc.map((s, i) => s / t.pigz[i]);
    console.log(
      `| ${t.files.toLocaleString('en')} files, ${fmt(t.bytes / 1e6, 1)} MB | ${range(t.pyc)} | ${per100(t.pyc)} | ` +
        `${rss(t.pycRss)} | ${range(t.pigz)} | ${per100(t.pigz)} | ${rss(t.pigzRss)} | ${range(ratios)} |`,
    );
  }
}

main().catch((err) => {
  log(`error: ${err.stack || err.message}`);
  process.exitCode = 1;
});
