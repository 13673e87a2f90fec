#!/usr/bin/env node
// The core's layer deflate alone, on one thread: the wasm export
// `deflateChunk` of one or more builds of the package, over the tar of a
// tree cut into the core's 1 MiB chunks, timed side by side.
//
//   node bench/deflate.mjs [--tree DIR] [--runs 5] [NPM_DIR ...]
//
// NPM_DIR defaults to this repo's npm/ (after scripts/build-wasm.sh); pass
// copies of older npm/ directories to compare the steps of a change. The
// tree defaults to bench/layer.sh's generated one (2,000 files, 50 MB); the
// tar is made as layer.sh makes it. Each build deflates the whole tar once
// untimed first, so that V8 has tiered its wasm up, as it has in the middle
// of a real build. Runs alternate the order of the builds; the table shows
// each one's median time, MB/s of tar and compressed size. Numbers belong
// in docs/benchmarks.md, not in tests.

import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTree, log, median } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const CHUNK = 1 << 20;

const args = process.argv.slice(2);
let tree = null;
let runs = 5;
const dirs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--tree') tree = path.resolve(args[++i]);
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else dirs.push(path.resolve(args[i]));
}
if (dirs.length === 0) dirs.push(path.join(repo, 'npm'));
tree ??= await ensureTree(2000, 50);

const tar = execFileSync(
  'tar',
  ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', tree, '-c', '.'],
  { maxBuffer: 2 ** 31 },
);

/** Deflates the whole tar chunk by chunk; the compressed size. */
function pass(core) {
  let size = 0;
  for (let at = 0; at < tar.length; at += CHUNK) {
    size += core.deflateChunk(tar.subarray(at, at + CHUNK)).length;
  }
  return size;
}

const builds = dirs.map((dir) => {
  const core = require(path.join(dir, 'wasm', 'pycontainer.js'));
  return { dir, core, size: pass(core), times: [] };
});
for (let run = 1; run <= runs; run++) {
  const order = run % 2 ? builds : [...builds].reverse();
  for (const b of order) {
    const t0 = process.hrtime.bigint();
    pass(b.core);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    b.times.push(s);
    log(`${b.dir} run ${run}: ${s.toFixed(3)} s`);
  }
}

const mb = tar.length / 1e6;
console.log(`\nTar of ${tree}: ${mb.toFixed(1)} MB; ${runs} runs each, median; one thread\n`);
console.log('| build | median s | MB/s | output MB |');
console.log('|---|---:|---:|---:|');
for (const b of builds) {
  const s = median(b.times);
  console.log(
    `| ${b.dir} | ${s.toFixed(3)} | ${(mb / s).toFixed(1)} | ${(b.size / 1e6).toFixed(2)} |`,
  );
}
