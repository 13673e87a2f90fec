#!/usr/bin/env node
// Index pages at once (issue 16): the 20 project pages a resolution of
// tests/fixtures/deps/fastapi-app reads, asked for all at once through the
// Node host's HTTP client (npm/lib/http), as a warm re-resolution asks for
// them. HTTP/2 carries them on one connection; HTTP/1.1 opens up to 16.
//
//   node bench/pages.mjs [--runs 15]
//
// Each run is a fresh client in a fresh process (a build starts with no
// connection). BENCH_BASELINE_HTTP=PATH/npm/lib/http/index.js times another
// checkout's client in the same run, alternating which goes first; the
// commit before HTTP/2 gives the HTTP/1.1 row. Reported: the median, the
// slowest run, and how many runs took over a second (a connection the
// network held back: on this machine's link one in a few HTTP/1.1 runs
// waited 5 s for its sixteenth connection).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, median, run, tail } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HTTP = path.join(repo, 'npm/lib/http/index.js');
const BASELINE = process.env.BENCH_BASELINE_HTTP && path.resolve(process.env.BENCH_BASELINE_HTTP);
const INDEX = process.env.BENCH_INDEX || 'https://pypi.org/simple';
// The 20 projects of tests/fixtures/deps/fastapi-app/pylock.toml.
const PROJECTS = [
  'fastapi',
  'starlette',
  'pydantic',
  'pydantic-core',
  'typing-extensions',
  'annotated-types',
  'typing-inspection',
  'anyio',
  'idna',
  'opentelemetry-api',
  'uvicorn',
  'click',
  'h11',
  'httptools',
  'python-dotenv',
  'pyyaml',
  'uvloop',
  'watchfiles',
  'websockets',
  'annotated-doc',
];

// The child: one client, every page at once, each body read to its end as the core does.
const CHILD = `
const { createHttp } = require(process.argv[1]);
const [index, ...projects] = process.argv.slice(2);
(async () => {
  const client = createHttp();
  const started = performance.now();
  let bytes = 0;
  await Promise.all(projects.map(async (name) => {
    const res = await client.fetch({ method: 'GET', url: index + '/' + name + '/',
      headers: [['Accept', 'application/vnd.pypi.simple.v1+json']] });
    if (res.status !== 200) throw new Error(name + ': HTTP ' + res.status);
    for (let piece; (piece = await client.readBody(res.body, 1 << 20)) !== null; ) bytes += piece.byteLength;
  }));
  process.stdout.write(JSON.stringify({ ms: performance.now() - started, bytes }));
})().catch((err) => { process.stderr.write(String(err.message) + '\\n'); process.exit(1); });
`;

async function once(http) {
  const r = await run(process.execPath, ['-e', CHILD, http, INDEX, ...PROJECTS]);
  if (r.code !== 0) throw new Error(`the page fetch through ${http} failed:\n${tail(r.stderr)}`);
  return JSON.parse(r.stdout);
}

async function main() {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 15;
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write('usage: node bench/pages.mjs [--runs 15]\n');
    process.exit(2);
  }
  const rows = [{ label: 'this checkout', http: HTTP, ms: [], bytes: 0 }];
  if (BASELINE) rows.push({ label: `baseline (${BASELINE})`, http: BASELINE, ms: [], bytes: 0 });
  await once(HTTP); // warm-up: DNS, the proxy, the disk cache of Node itself
  for (let r = 0; r < runs; r++) {
    const order = r % 2 === 0 ? rows : [...rows].reverse();
    for (const row of order) {
      const { ms, bytes } = await once(row.http);
      row.ms.push(ms / 1000);
      row.bytes = bytes;
      log(`run ${r + 1}/${runs}: ${row.label}: ${(ms / 1000).toFixed(3)} s`);
    }
  }
  process.stdout.write(
    `\n${PROJECTS.length} pages from ${INDEX} at once, ${runs} runs, node ${process.version}\n\n`,
  );
  process.stdout.write(
    '| client | median s | slowest s | runs over 1 s | MB |\n|---|---:|---:|---:|---:|\n',
  );
  for (const row of rows) {
    const slow = row.ms.filter((s) => s > 1).length;
    process.stdout.write(
      `| ${row.label} | ${median(row.ms).toFixed(3)} | ${Math.max(...row.ms).toFixed(3)} | ${slow} | ${(row.bytes / 1e6).toFixed(1)} |\n`,
    );
  }
}

main().catch((err) => {
  process.stderr.write(`pages.mjs: ${err.message}\n`);
  process.exit(1);
});
