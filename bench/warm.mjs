#!/usr/bin/env node
// Warm-build benchmark: `pycontainer build` of examples/hello-cli on the
// tests' Debian base (46 MB gzip layer) with every cache warm.
//
//   node bench/warm.mjs [--runs 7]
//   BENCH_BASELINE=/path/to/other/npm/bin/pycontainer.js node bench/warm.mjs
//
// Rows, for this checkout's CLI (and, side by side, BENCH_BASELINE's, e.g.
// the commit before a change, built into a copy of the repository):
//   layout base, fresh output   - --base-image oci:BASE:3.11-slim into a new
//                                 directory: the base layer is copied in;
//   registry base, fresh output - the base from a local TLS docker-registry,
//                                 its blobs already in the CLI's cache;
//   registry base, same output  - one source file changed, built again into
//                                 the output of the last run: nothing of the
//                                 base is copied.
// and a floor, `skopeo copy oci:BASE:3.11-slim oci:NEW:x`: copying the base
// image into a fresh layout and nothing else.
//
// Each CLI has its own cache, warmed (and its same-output layout made) by one
// untimed round. The rows run in the order above on odd runs and in reverse
// on even ones. Wall time is process.hrtime around the whole process (Node
// start and the wasm load included); CPU time (user + system) and peak RSS
// come from `/usr/bin/time`. The table gives each row's wall median and
// range over the runs (--runs, or BENCH_RUNS; default 7), the CPU median,
// the largest peak RSS, and for BENCH_BASELINE the ratios ours ÷ baseline
// of the wall and CPU medians. Every fresh-output build of a base
// must give the same manifest digest (both CLIs, every run), else exit 1.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../tests/infra/registry.mjs';
import { seedBase } from '../tests/infra/seed.mjs';
import { log, median, need, run, tail } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OURS = path.join(repo, 'npm/bin/pycontainer.js');
const BASE_TAG = '3.11-slim';

function parseArgs(argv) {
  let runs = Number(process.env.BENCH_RUNS || 7);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--runs(?:=(.*))?$/.exec(argv[i]);
    if (!m) {
      process.stderr.write('usage: node bench/warm.mjs [--runs 7]\n');
      process.exit(2);
    }
    runs = Number(m[1] ?? argv[++i]);
  }
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`warm.mjs: bad --runs ${runs}\n`);
    process.exit(2);
  }
  return { runs };
}

/**
 * Like lib.mjs's timed(), with the CPU time too (user + system, `/usr/bin/time
 * -f '%U %S %M'`): on a loaded machine the wall time is mostly waiting for a
 * core, while the CPU time still says how much work a build did.
 */
async function timed(label, cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = await run('/usr/bin/time', ['-f', '%U %S %M', cmd, ...args]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const lines = r.stderr.trimEnd().split('\n');
  const [user, sys, rssKb] = lines.pop().split(' ').map(Number);
  if (r.code !== 0 || !(rssKb > 0)) {
    throw new Error(
      `${label} failed (exit ${r.code}): ${cmd} ${args.join(' ')}\n${tail(lines.join('\n'))}`,
    );
  }
  return { seconds, cpu: user + sys, rssKb, stdout: r.stdout };
}

async function baseLayout() {
  const r = await run('bash', [path.join(repo, 'tests/infra/base-image.sh')]);
  if (r.code !== 0) throw new Error(`base-image.sh failed:\n${tail(r.stderr)}`);
  return r.stdout.trim().split('\n').pop();
}

/** The rows of one CLI: each a function of the run number giving {cmd, args}. */
function cliRows(name, cli, { work, project, layoutBase, registryBase }) {
  const cache = path.join(work, `cache-${name}`);
  const same = path.join(work, `same-${name}`);
  // The same-output row changes a file of a copy of its own, so the
  // fresh-output rows build one image every run.
  const changing = path.join(work, `project-${name}`);
  fs.cpSync(project, changing, { recursive: true });
  const build = (base, out, context = project) => [
    cli,
    'build',
    '--context',
    context,
    '--base-image',
    base,
    '--cache-dir',
    cache,
    '--output',
    out,
    '--tag',
    'bench:1',
    '--quiet',
  ];
  // Removed before each run (untimed: args are made before the clock starts).
  const fresh = (label) => {
    const out = path.join(work, `out-${name}-${label}`);
    fs.rmSync(out, { recursive: true, force: true });
    return out;
  };
  return [
    { label: `${name}: layout base, fresh output`, args: () => build(layoutBase, fresh('l')) },
    { label: `${name}: registry base, fresh output`, args: () => build(registryBase, fresh('r')) },
    {
      label: `${name}: registry base, same output`,
      args: (n) => {
        // One source file changed: only the app layer is new.
        fs.writeFileSync(path.join(changing, 'src/hello/__init__.py'), `# run ${n}\n`);
        return build(registryBase, same, changing);
      },
      app: true,
    },
  ];
}

async function main() {
  const { runs } = parseArgs(process.argv.slice(2));
  need(['docker-registry', 'skopeo', 'openssl', '/usr/bin/time']);
  const baseline = process.env.BENCH_BASELINE && path.resolve(process.env.BENCH_BASELINE);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-bench-warm-'));
  let reg;
  try {
    const base = await baseLayout();
    reg = await startRegistry({ mode: 'tls' });
    process.env.NODE_EXTRA_CA_CERTS = reg.caBundle;
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    await seedBase(reg);
    const project = path.join(work, 'hello-cli');
    fs.cpSync(path.join(repo, 'examples/hello-cli'), project, { recursive: true });
    const where = {
      work,
      project,
      layoutBase: `oci:${base}:${BASE_TAG}`,
      registryBase: `${reg.host}/library/python:${BASE_TAG}`,
    };
    const rows = [
      ...cliRows('ours', OURS, where),
      ...(baseline ? cliRows('baseline', baseline, where) : []),
    ];
    rows.push({
      label: 'skopeo copy of the base into a fresh layout',
      cmd: 'skopeo',
      args: () => {
        const out = path.join(work, 'out-skopeo');
        fs.rmSync(out, { recursive: true, force: true });
        return ['copy', '--quiet', `oci:${base}:${BASE_TAG}`, `oci:${out}:x`];
      },
    });
    log('warming each cache (one untimed round)');
    for (const row of rows) await timed(row.label, row.cmd ?? process.execPath, row.args(0));
    const digests = new Map();
    const times = new Map(rows.map((r) => [r.label, []]));
    const cpus = new Map(rows.map((r) => [r.label, []]));
    const rss = new Map(rows.map((r) => [r.label, 0]));
    for (let n = 1; n <= runs; n++) {
      const order = n % 2 ? rows : [...rows].reverse();
      for (const row of order) {
        const t = await timed(row.label, row.cmd ?? process.execPath, row.args(n));
        times.get(row.label).push(t.seconds);
        cpus.get(row.label).push(t.cpu);
        rss.set(row.label, Math.max(rss.get(row.label), t.rssKb));
        // Both CLIs, every run: one image per base (the app changes only in `same output`).
        if (!row.cmd && !row.app) {
          const key = row.label.replace(/^\w+: /, '');
          const digest = t.stdout.trim();
          const first = digests.get(key) ?? digest;
          if (digest !== first) throw new Error(`${row.label} built ${digest}, not ${first}`);
          digests.set(key, first);
        }
      }
      log(`run ${n}/${runs} done`);
    }
    const fmt = (s) => s.toFixed(3);
    const lines = [
      `warm builds of hello-cli, ${runs} runs, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}`,
      '',
      '| row | wall median s | wall range s | CPU median s | peak RSS MB | ours ÷ baseline, wall / CPU |',
      '|---|---|---|---|---|---|',
    ];
    for (const row of rows) {
      const ts = times.get(row.label);
      const [m, cpu] = [median(ts), median(cpus.get(row.label))];
      const twin = row.label.replace(/^ours:/, 'baseline:');
      const ratio =
        baseline && row.label.startsWith('ours:')
          ? `${fmt(m / median(times.get(twin)))} / ${fmt(cpu / median(cpus.get(twin)))}`
          : '';
      lines.push(
        `| ${row.label} | ${fmt(m)} | ${fmt(Math.min(...ts))}–${fmt(Math.max(...ts))} | ${fmt(cpu)} | ${Math.round(rss.get(row.label) / 1024)} | ${ratio} |`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await reg?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  log(`error: ${err.message}`);
  process.exit(1);
});
