#!/usr/bin/env node
// Multi-platform benchmark: one `pycontainer build --platform
// linux/amd64,linux/arm64` against two single-platform builds (amd64, then
// arm64) of the same project on the same two-platform base.
//
//   node bench/multiplatform.mjs [--runs 3]
//
// The project is tests/fixtures/deps/fastapi-app with its uv.lock (20
// distributions, native wheels for both architectures, real wheels from the
// package index); the base is the Debian python base of tests/infra/
// base-image.sh for amd64 and arm64, composed into one index as the
// multi-platform tests do (the arm64 one is the probe image where aarch64
// code cannot run here). Each run times two rows, in alternating order:
//   cold - an empty cache and a fresh output: wheels downloaded (network
//          included), bases copied and probed;
//   warm - the same again with the cache the cold builds filled, into a
//          fresh output.
// The two single builds of a row each get their own empty cache when cold,
// as two separate builds would. Wall time from process.hrtime around each
// process, peak RSS from `/usr/bin/time -f %M`. The table shows medians and
// the ratio two-platform ÷ (amd64 + arm64), per run and its median.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_TAG, twoPlatformBase } from '../tests/e2e/helpers.mjs';
import { log, median, need, timed } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repo, 'npm/bin/pycontainer.js');
const APP = path.join(repo, 'tests/fixtures/deps/fastapi-app');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('--runs', process.env.BENCH_RUNS ?? 3));

need(['/usr/bin/time', 'node']);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-bench-multi-'));
try {
  const base = twoPlatformBase(path.join(tmp, 'base'));
  const project = path.join(tmp, 'app');
  for (const f of ['pyproject.toml', 'deps_demo', 'uv.lock']) {
    fs.cpSync(path.join(APP, f), path.join(project, f), { recursive: true });
  }
  let n = 0;
  const build = (platform, cache) => {
    n += 1;
    return timed(`build ${platform}`, CLI, [
      'build',
      '--context',
      project,
      '--base-image',
      `oci:${base}:${BASE_TAG}`,
      '--output',
      path.join(tmp, `out-${n}`),
      '--cache-dir',
      cache,
      '--platform',
      platform,
      '--quiet',
    ]);
  };
  const rows = { cold: [], warm: [] };
  for (let run = 0; run < RUNS; run += 1) {
    const caches = ['both', 'amd64', 'arm64'].map((c) => path.join(tmp, `cache-${run}-${c}`));
    const both = () => build('linux/amd64,linux/arm64', caches[0]);
    const singles = async () => {
      const amd = await build('linux/amd64', caches[1]);
      const arm = await build('linux/arm64', caches[2]);
      return { seconds: amd.seconds + arm.seconds, rssKb: Math.max(amd.rssKb, arm.rssKb) };
    };
    for (const row of ['cold', 'warm']) {
      // Alternate which goes first, so that neither always meets a warmer disk.
      const order = run % 2 === 0 ? [both, singles] : [singles, both];
      const [a, b] = [await order[0](), await order[1]()];
      const [two, one] = run % 2 === 0 ? [a, b] : [b, a];
      rows[row].push({ two, one });
      log(
        `run ${run + 1} ${row}: two-platform ${two.seconds.toFixed(2)} s, singles ${one.seconds.toFixed(2)} s`,
      );
    }
    for (let i = 1; i <= n; i += 1)
      fs.rmSync(path.join(tmp, `out-${i}`), { recursive: true, force: true });
    for (const c of caches) fs.rmSync(c, { recursive: true, force: true });
  }
  const fmt = (x) => x.toFixed(2);
  console.log(
    '| row | two-platform build | amd64 + arm64 builds | ratio (per run, median) | peak RSS two / single |',
  );
  console.log('|---|---|---|---|---|');
  for (const [row, results] of Object.entries(rows)) {
    const two = results.map((r) => r.two.seconds);
    const one = results.map((r) => r.one.seconds);
    const ratio = results.map((r) => r.two.seconds / r.one.seconds);
    const rss = (key) => Math.max(...results.map((r) => r[key].rssKb)) / 1024;
    console.log(
      `| ${row} | ${fmt(median(two))} s | ${fmt(median(one))} s | ${fmt(median(ratio))} | ${rss('two').toFixed(0)} / ${rss('one').toFixed(0)} MiB |`,
    );
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
