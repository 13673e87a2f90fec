#!/usr/bin/env node
// Dependency resolution benchmark (issue 16): pycontainer against uv, side
// by side in one run, on tests/fixtures/deps/fastapi-app's unpinned
// dependencies (fastapi>=0.115,<1 and uvicorn[standard]>=0.30: 20
// distributions), against the real package index, network included.
//
//   node bench/resolve.mjs [--runs 5]
//
// Rows, each round in this order on odd rounds and reversed on even ones,
// after one untimed warm-up round:
//   cold  pycontainer   `pycontainer build --no-compile` of the fixture
//                       without its locks, with a fresh cache that holds
//                       only the record of the base image's Python (the
//                       base is probed once per base, not per project);
//   cold  uv            `uv pip install --target T --python-platform
//                       x86_64-manylinux_2_36 --python-version 3.11` of the
//                       same requirements with an empty uv cache, then
//                       `tar | gzip -1 | sha256sum` of T (uv writes no
//                       layer; --no-compile is the like-for-like pycontainer
//                       row, as uv compiles no bytecode by default);
//   warm  pycontainer   the same build again with the cache the last one
//                       left (wheels, index pages, deps layer) but no lock:
//                       it resolves again;
//   warm  pycontainer, locked   the same with the lock that build wrote: no
//                       resolution. The warm row minus this one, per round,
//                       is what resolving costs;
//   warm  uv            uv's install again, its cache warm, into a fresh T;
//   warm  uv pip compile        uv resolving only, its cache warm.
// Wall time is process.hrtime around each process, peak RSS `/usr/bin/time
// -f %M` (a pipeline's largest process). Ratios are per round (the two rows
// ran seconds apart), their median shown. MB = 10^6 bytes.
//
// BENCH_CLI=PATH times another pycontainer.js; BENCH_UV=PATH another uv
// (default: uv on PATH; `python3 -m venv V && V/bin/pip install uv`).
// BENCH_BASELINE_CLI=PATH adds the cold and warm pycontainer rows for that
// pycontainer.js too (an older checkout's, say), with caches of its own,
// so that a change is measured against what it changed in the same run.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, median, need, run, tail, timed } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.resolve(process.env.BENCH_CLI || path.join(repo, 'npm/bin/pycontainer.js'));
const BASELINE = process.env.BENCH_BASELINE_CLI && path.resolve(process.env.BENCH_BASELINE_CLI);
const UV = process.env.BENCH_UV || 'uv';
const FIXTURE = path.join(repo, 'tests/fixtures/deps/fastapi-app');
const UV_TARGET = ['--python-platform', 'x86_64-manylinux_2_36', '--python-version', '3.11'];
const TAR = '--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner';

function parseArgs(argv) {
  const opts = { runs: Number(process.env.BENCH_RUNS || 5) };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else if (argv[i] === '-h' || argv[i] === '--help') {
      process.stdout.write('usage: node bench/resolve.mjs [--runs 5]\n');
      process.exit(0);
    } else {
      process.stderr.write(`resolve.mjs: unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1) {
    process.stderr.write('resolve.mjs: --runs needs a positive integer\n');
    process.exit(2);
  }
  return opts;
}

const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
const rm = (p) => fs.rmSync(p, { recursive: true, force: true });

async function main() {
  const { runs } = parseArgs(process.argv.slice(2));
  need(['node', 'python3', 'tar', 'gzip', 'sha256sum', '/usr/bin/time', UV]);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyc-bench-resolve-'));
  try {
    await bench(work, runs);
  } finally {
    rm(work);
  }
}

async function bench(work, runs) {
  const baseOut = await run('bash', [path.join(repo, 'tests/infra/base-image.sh')]);
  if (baseOut.code !== 0) throw new Error(`base-image.sh failed:\n${tail(baseOut.stderr)}`);
  const base = `oci:${baseOut.stdout.trim().split('\n').pop()}:3.11-slim`;
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  for (const f of ['pyproject.toml', 'deps_demo']) {
    fs.cpSync(path.join(FIXTURE, f), path.join(app, f), { recursive: true });
  }
  // The project's dependencies, one a line, for uv.
  const requirements = path.join(work, 'requirements.in');
  const listed = await run('python3', [
    '-c',
    'import sys, tomllib; print("\\n".join(tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]))',
    path.join(FIXTURE, 'pyproject.toml'),
  ]);
  if (listed.code !== 0)
    throw new Error(`reading the fixture's dependencies:\n${tail(listed.stderr)}`);
  fs.writeFileSync(requirements, listed.stdout);

  const out = path.join(work, 'out');
  const lock = path.join(app, 'pylock.toml');
  const savedLock = path.join(work, 'pylock.toml');
  const pycArgs = (cache, cli = CLI) => [
    cli,
    'build',
    '--context',
    app,
    '--base-image',
    base,
    '--cache-dir',
    cache,
    '--output',
    out,
    '--tag',
    'bench:1',
    '--no-compile',
    '--json',
  ];
  const coldCache = path.join(work, 'cold-cache');
  const warmCache = path.join(work, 'warm-cache');
  const targets = path.join(work, 'targets');
  const T = path.join(work, 'T');
  const uvCold = path.join(work, 'uv-cold');
  const uvWarm = path.join(work, 'uv-warm');
  const uvInstall = (cache) =>
    `UV_CACHE_DIR=${q(cache)} ${q(UV)} pip install --quiet --target ${q(T)} ${UV_TARGET.join(' ')} -r ${q(requirements)} && tar ${TAR} -C ${q(T)} -cf - . | gzip -1 | sha256sum`;

  // The base's Python, probed once, then copied into every fresh cache.
  log('probing the base once');
  const probe = await timed('probe build', 'node', pycArgs(path.join(work, 'probe-cache')));
  fs.cpSync(path.join(work, 'probe-cache/oci/pycontainer/targets'), targets, { recursive: true });
  const expected = JSON.parse(probe.stdout).plan.dependencies.packages.length;
  rm(lock);

  const rows = {
    pycCold: {
      label: 'cold: pycontainer build --no-compile, fresh cache, no lock',
      prep() {
        rm(coldCache);
        rm(out);
        rm(lock);
        fs.cpSync(targets, path.join(coldCache, 'oci/pycontainer/targets'), { recursive: true });
      },
      cmd: ['node', pycArgs(coldCache)],
    },
    uvCold: {
      label: 'cold: uv pip install --target, empty cache, + tar | gzip -1 | sha256sum',
      prep() {
        rm(uvCold);
        rm(T);
      },
      cmd: ['bash', ['-c', uvInstall(uvCold)]],
    },
    pycWarm: {
      label: 'warm: pycontainer build --no-compile, cache kept, no lock',
      prep() {
        rm(out);
        rm(lock);
      },
      cmd: ['node', pycArgs(warmCache)],
      after() {
        fs.copyFileSync(lock, savedLock);
      },
    },
    pycLocked: {
      label: 'warm: the same with its lock (no resolution)',
      prep() {
        rm(out);
        fs.copyFileSync(savedLock, lock);
      },
      cmd: ['node', pycArgs(warmCache)],
    },
    uvWarm: {
      label: 'warm: uv pip install --target, cache kept, + tar | gzip -1 | sha256sum',
      prep() {
        rm(T);
      },
      cmd: ['bash', ['-c', uvInstall(uvWarm)]],
    },
    uvCompile: {
      label: 'warm: uv pip compile (resolution only), cache kept',
      prep() {},
      cmd: [
        'bash',
        [
          '-c',
          `UV_CACHE_DIR=${q(uvWarm)} ${q(UV)} pip compile --quiet ${UV_TARGET.join(' ')} ${q(requirements)} -o /dev/null`,
        ],
      ],
    },
  };
  if (BASELINE) {
    const baseCold = path.join(work, 'baseline-cold-cache');
    const baseWarm = path.join(work, 'baseline-warm-cache');
    rows.baseCold = {
      label: `${rows.pycCold.label}, baseline CLI`,
      prep() {
        rm(baseCold);
        rm(out);
        rm(lock);
        fs.cpSync(targets, path.join(baseCold, 'oci/pycontainer/targets'), { recursive: true });
      },
      cmd: ['node', pycArgs(baseCold, BASELINE)],
    };
    rows.baseWarm = {
      label: `${rows.pycWarm.label}, baseline CLI`,
      prep: rows.pycWarm.prep,
      cmd: ['node', pycArgs(baseWarm, BASELINE)],
    };
  }
  const keys = Object.keys(rows);
  const times = Object.fromEntries(keys.map((k) => [k, []]));
  const rss = Object.fromEntries(keys.map((k) => [k, []]));
  const packages = {};

  const measure = async (key) => {
    const row = rows[key];
    row.prep();
    const [cmd, args] = row.cmd;
    const r = await timed(row.label, cmd, args);
    row.after?.();
    if (key.startsWith('pyc') || key.startsWith('base')) {
      packages[key] = JSON.parse(r.stdout).plan.dependencies.packages.length;
    }
    return r;
  };
  // The warm rows' caches are filled by the untimed warm-up round.
  log('warm-up round');
  for (const key of keys) await measure(key);
  for (let round = 1; round <= runs; round++) {
    const order = round % 2 ? keys : [...keys].reverse();
    for (const key of order) {
      const r = await measure(key);
      times[key].push(r.seconds);
      rss[key].push(r.rssKb);
      log(`round ${round}/${runs}: ${rows[key].label}: ${r.seconds.toFixed(3)} s`);
    }
  }
  const uvPackages = fs.readdirSync(T).filter((f) => f.endsWith('.dist-info')).length;

  const perRound = (a, b, f) => times[a].map((x, i) => f(x, times[b][i]));
  const fmt = (s) => s.toFixed(3);
  const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
  console.log();
  console.log(
    `Fixture: tests/fixtures/deps/fastapi-app without its locks (${expected} packages; uv installed ${uvPackages}), ` +
      `base ${base}; ${runs} rounds, median; ${os.cpus().length} cores; node ${process.version}; ` +
      `${(await run(UV, ['--version'])).stdout.trim()}`,
  );
  console.log();
  console.log('| row | median s | min–max | peak RSS MB |');
  console.log('|---|---:|---:|---:|');
  for (const key of keys) {
    const label = rows[key].label.replaceAll('|', '\\|');
    const mb = (Math.max(...rss[key]) * 1024) / 1e6;
    console.log(
      `| ${label} | ${fmt(median(times[key]))} | ${range(times[key])} | ${mb.toFixed(0)} |`,
    );
  }
  console.log();
  const cold = perRound('pycCold', 'uvCold', (a, b) => a / b);
  const warm = perRound('pycWarm', 'uvWarm', (a, b) => a / b);
  const resolving = perRound('pycWarm', 'pycLocked', (a, b) => a - b);
  console.log(
    `cold, pycontainer ÷ uv: ${median(cold).toFixed(2)} per round (${range(cold)}) (target ≤ 1.0)`,
  );
  console.log(`warm, pycontainer ÷ uv: ${median(warm).toFixed(2)} per round (${range(warm)})`);
  console.log(
    `warm re-resolve in pycontainer (no lock minus locked, per round): ${fmt(median(resolving))} s (${range(resolving)}) (target ≤ 0.3 s); uv pip compile warm: ${fmt(median(times.uvCompile))} s`,
  );
  if (BASELINE) {
    const c = perRound('pycCold', 'baseCold', (a, b) => a / b);
    const w = perRound('pycWarm', 'baseWarm', (a, b) => a / b);
    console.log(
      `this CLI ÷ the baseline CLI: cold ${median(c).toFixed(2)} (${range(c)}), warm no lock ${median(w).toFixed(2)} (${range(w)})`,
    );
  }
  for (const [key, n] of Object.entries(packages)) {
    if (n !== expected)
      throw new Error(`${rows[key].label} installed ${n} packages, not ${expected}`);
  }
}

main().catch((err) => {
  log(`error: ${err.stack ?? err}`);
  process.exit(1);
});
