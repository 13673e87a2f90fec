#!/usr/bin/env node
// The web demo against the Node CLI on the same tree: the app layer of
// bench/gen-tree.mjs's 50 MB / 2,000-file project (cached like bench/layer.sh),
// built on `scratch` into a fresh layout.
//
//   node bench/browser.mjs [--runs 3] [--files 2000] [--mb 50]
//
// Browser row: headless Debian chromium loads web-demo/ (served as
// scripts/serve-demo.mjs serves it), fetches the tree into memory (not timed),
// then times `window.pycontainerBuild(files, options)`, which runs the core in
// the page's Web Worker on the in-memory host. Peak memory is sampled from
// /proc every 20 ms: the largest resident set of one chromium process (the
// renderer holding the page and its worker) and of all of them together,
// each as the growth over the idle page loaded with the tree.
// Node row: `pycontainer build --context TREE --base-image scratch` under
// `/usr/bin/time -f %M`, spawn to exit.
// Also reported: the wasm module's size (raw and gzip -9) and the page's time
// to interactive (navigation start to the core ready, i.e. the build button
// enabled), the median of --runs fresh page loads.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { DEMO_DIR, staticHandler } from '../scripts/serve-demo.mjs';
import { ensureTree, log, median, need, timed } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repo, 'npm/bin/pycontainer.js');
const CHROMIUM = '/usr/bin/chromium';
const WASM = path.join(DEMO_DIR, 'pkg', 'pycontainer_bg.wasm');

function usage(msg) {
  if (msg) process.stderr.write(`browser.mjs: ${msg}\n`);
  process.stderr.write('usage: node bench/browser.mjs [--runs 3] [--files 2000] [--mb 50]\n');
  process.exit(msg ? 2 : 0);
}

function parseArgs(argv) {
  const opts = { runs: 3, files: 2000, mb: 50 };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(runs|files|mb)(?:=(.*))?$/.exec(argv[i]);
    if (argv[i] === '-h' || argv[i] === '--help') usage();
    if (!m) usage(`unknown argument ${argv[i]}`);
    const v = m[2] !== undefined ? m[2] : argv[++i];
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 1) usage(`bad value for --${m[1]}: ${v}`);
    opts[m[1]] = n;
  }
  return opts;
}

/** Every file under `root` as a path relative to it, sorted. */
function listTree(root) {
  const out = [];
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** The demo, plus the tree: `/tree.json` lists it, `/tree/<path>` serves each file. */
async function startServer(tree, list) {
  const serveDemo = staticHandler();
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://bench.invalid');
    if (pathname === '/tree.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(list));
    } else if (pathname.startsWith('/tree/')) {
      const rel = decodeURIComponent(pathname.slice('/tree/'.length));
      if (!list.includes(rel)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      fs.createReadStream(path.join(tree, rel)).pipe(res);
    } else {
      serveDemo(req, res);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

/** Resident set sizes (KiB) of `root` and all its descendants, by pid. */
function treeRss(root) {
  const parent = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may hold spaces.
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid) => {
    for (let p = pid; p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  const rss = new Map();
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (m) rss.set(pid, Number(m[1]));
    } catch {
      // Gone.
    }
  }
  return rss;
}

/**
 * The browser's processes: this process's descendants (Playwright starts
 * chromium as its child; nothing else runs beside it here).
 */
function chromiumRss() {
  const rss = treeRss(process.pid);
  rss.delete(process.pid);
  return rss;
}

/** Samples chromium's processes until stopped; returns the peaks {oneKb, allKb}. */
function sampleRss() {
  let oneKb = 0;
  let allKb = 0;
  const tick = () => {
    const values = [...chromiumRss().values()];
    oneKb = Math.max(oneKb, ...values);
    allKb = Math.max(
      allKb,
      values.reduce((a, b) => a + b, 0),
    );
  };
  tick();
  const timer = setInterval(tick, 20);
  return () => {
    clearInterval(timer);
    tick();
    return { oneKb, allKb };
  };
}

/** Loads the page; resolves the milliseconds from navigation start to the build button enabled. */
async function loadPage(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(`${url}/index.html`);
  const tti = await page.evaluate(async () => {
    const ready = () => typeof window.pycontainerBuild === 'function';
    while (!ready()) await new Promise((r) => setTimeout(r, 5));
    await window.pycontainerVersion();
    return performance.now();
  });
  return { page, tti, errors };
}

async function browserRow(browser, url, opts) {
  const ttis = [];
  for (let i = 0; i < opts.runs; i++) {
    const { page, tti } = await loadPage(browser, url);
    ttis.push(tti);
    await page.close();
  }
  const { page, errors } = await loadPage(browser, url);
  await page.evaluate(async () => {
    const list = await (await fetch('/tree.json')).json();
    const files = {};
    // A few at a time: thousands of fetches at once make Chromium fail some.
    let next = 0;
    const fetchSome = async () => {
      while (next < list.length) {
        const rel = list[next++];
        const body = await (await fetch(`/tree/${encodeURI(rel)}`)).arrayBuffer();
        files[`/project/${rel}`] = new Uint8Array(body);
      }
    };
    await Promise.all(Array.from({ length: 8 }, fetchSome));
    window.benchFiles = files;
  });
  const idle = [...chromiumRss().values()];
  const idleOne = Math.max(...idle);
  const idleAll = idle.reduce((a, b) => a + b, 0);
  const times = [];
  let peak = { oneKb: 0, allKb: 0 };
  let layer;
  for (let i = 0; i < opts.runs; i++) {
    const stop = sampleRss();
    const out = await page.evaluate(async (i) => {
      const t0 = performance.now();
      const result = await window.pycontainerBuild(window.benchFiles, {
        context: '/project',
        cwd: '/',
        output: `/out-${i}`,
        baseImage: 'scratch',
        tags: ['bench:1'],
      });
      return { ms: performance.now() - t0, layers: result.layers };
    }, i);
    const p = stop();
    peak = { oneKb: Math.max(peak.oneKb, p.oneKb), allKb: Math.max(peak.allKb, p.allKb) };
    times.push(out.ms / 1000);
    layer = out.layers.at(-1);
    log(`browser run ${i + 1}: ${(out.ms / 1000).toFixed(3)} s`);
  }
  await page.close();
  if (errors.length > 0) throw new Error(`the page logged errors:\n${errors.join('\n')}`);
  return {
    seconds: median(times),
    layer,
    tti: median(ttis),
    oneKb: peak.oneKb,
    allKb: peak.allKb,
    growOneKb: peak.oneKb - idleOne,
    growAllKb: peak.allKb - idleAll,
  };
}

async function nodeRow(tree, opts) {
  const times = [];
  let rssKb = 0;
  let layer;
  for (let i = 0; i < opts.runs; i++) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pyc-bench-browser.'));
    try {
      const r = await timed('pycontainer build', process.execPath, [
        CLI,
        'build',
        '--context',
        tree,
        '--base-image',
        'scratch',
        '--output',
        out,
        '--tag',
        'bench:1',
        '--json',
      ]);
      times.push(r.seconds);
      rssKb = Math.max(rssKb, r.rssKb);
      layer = JSON.parse(r.stdout).layers.at(-1);
      log(`node run ${i + 1}: ${r.seconds.toFixed(3)} s`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  return { seconds: median(times), rssKb, layer };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  need([CHROMIUM, '/usr/bin/time']);
  if (!fs.existsSync(WASM)) {
    log('error: web-demo/pkg is missing; run bash scripts/build-wasm.sh');
    process.exit(1);
  }
  const tree = await ensureTree(opts.files, opts.mb);
  const list = listTree(tree);
  const bytes = list.reduce((n, rel) => n + fs.statSync(path.join(tree, rel)).size, 0);
  const { server, url } = await startServer(tree, list);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  let web;
  let cli;
  try {
    web = await browserRow(browser, url, opts);
    cli = await nodeRow(tree, opts);
  } finally {
    await browser.close();
    server.close();
  }
  if (web.layer.digest !== cli.layer.digest) {
    throw new Error(`the layers differ: browser ${web.layer.digest}, node ${cli.layer.digest}`);
  }
  const wasm = fs.readFileSync(WASM);
  const gz = zlib.gzipSync(wasm, { level: 9 }).length;
  const mib = (kb) => (kb / 1024).toFixed(0);
  const chromiumVersion = browser.version();
  console.log(
    `\nTree: ${list.length} files, ${(bytes / 1e6).toFixed(1)} MB (bench/gen-tree.mjs --files ${opts.files} --mb ${opts.mb}); ` +
      `app layer on scratch into a fresh layout; ${opts.runs} runs each, median; ${os.cpus().length} cores; ` +
      `Node ${process.version}; Chromium ${chromiumVersion}. The same layer digest from both.\n`,
  );
  console.log('| row | median s | peak RSS MiB | layer MB |');
  console.log('|---|---:|---:|---:|');
  console.log(
    `| web demo (worker, in-memory files) | ${web.seconds.toFixed(3)} | renderer ${mib(web.oneKb)} (+${mib(web.growOneKb)} over the idle page with the tree loaded); all chromium ${mib(web.allKb)} (+${mib(web.growAllKb)}) | ${(web.layer.size / 1e6).toFixed(2)} |`,
  );
  console.log(
    `| Node CLI | ${cli.seconds.toFixed(3)} | ${mib(cli.rssKb)} | ${(cli.layer.size / 1e6).toFixed(2)} |`,
  );
  console.log(`\nbrowser time ÷ Node time: ${(web.seconds / cli.seconds).toFixed(2)}`);
  console.log(
    `wasm: ${wasm.length} bytes raw, ${gz} gzip -9 (${(gz / 1024).toFixed(0)} KiB; goal ≤ 1 MiB)`,
  );
  console.log(`page time to interactive (core ready): ${web.tti.toFixed(0)} ms (median)`);
}

main().catch((err) => {
  log(`error: ${err.message}`);
  process.exit(1);
});
