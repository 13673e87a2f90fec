#!/usr/bin/env node
// Deterministic synthetic Python project for the layer benchmark.
//
//   node bench/gen-tree.mjs DIR [--files 2000] [--mb 50] [--seed 1]
//
// Writes pyproject.toml, src/benchtree/{__init__,main}.py and FILES data files
// under src/benchtree/data/... totalling MB megabytes (10^6 bytes) of data:
// half the bytes pseudo-random (incompressible), half Python/English-like text
// (gzip -6 shrinks it about 2.5-3x). Sizes range from a few bytes to 200 KB.
// Everything comes from a seeded PRNG, so the same arguments give a
// byte-identical tree. DIR must not exist or be empty.

import fs from 'node:fs';
import path from 'node:path';

function usage(msg) {
  if (msg) process.stderr.write(`gen-tree: ${msg}\n`);
  process.stderr.write('usage: node bench/gen-tree.mjs DIR [--files 2000] [--mb 50] [--seed 1]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { dir: null, files: 2000, mb: 50, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(files|mb|seed)(?:=(.*))?$/.exec(a);
    if (m) {
      const v = m[2] !== undefined ? m[2] : argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isFinite(n) || n < 0) usage(`bad value for --${m[1]}: ${v}`);
      opts[m[1]] = n;
    } else if (a === '-h' || a === '--help') {
      usage();
    } else if (a.startsWith('-')) {
      usage(`unknown option ${a}`);
    } else if (opts.dir === null) {
      opts.dir = a;
    } else {
      usage(`unexpected argument ${a}`);
    }
  }
  if (opts.dir === null) usage('missing DIR');
  opts.files = Math.floor(opts.files);
  opts.seed = Math.floor(opts.seed) >>> 0;
  if (opts.files < 2) usage('--files must be at least 2');
  return opts;
}

// ---- PRNG: splitmix32 for seeding, xoshiro128** for the stream ----------

function splitmix32(state) {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Rng {
  constructor(...seeds) {
    // Mix all seed words into the state.
    let h = 0x243f6a88;
    for (const s of seeds) h = splitmix32((h ^ (s >>> 0)) >>> 0)();
    const sm = splitmix32(h);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }
  u32() {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }
  float() {
    return this.u32() / 4294967296;
  }
  int(n) {
    return Math.floor(this.float() * n);
  } // [0, n)
  pick(arr) {
    return arr[this.int(arr.length)];
  }
  fill(buf) {
    let i = 0;
    for (; i + 4 <= buf.length; i += 4) {
      const v = this.u32();
      buf[i] = v & 0xff;
      buf[i + 1] = (v >>> 8) & 0xff;
      buf[i + 2] = (v >>> 16) & 0xff;
      buf[i + 3] = v >>> 24;
    }
    if (i < buf.length) {
      let v = this.u32();
      for (; i < buf.length; i++, v >>>= 8) buf[i] = v & 0xff;
    }
    return buf;
  }
}

function rotl(x, k) {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

// ---- vocabulary ------------------------------------------------------------

const ENGLISH = (
  'the of and to in is that for it as with was on be by this are from or have an they which one you ' +
  'were all we when there can been has more if will would about what so out up into than them some ' +
  'these other time could only new may first any after where most over also very made between through ' +
  'value number request response server client buffer stream layer image index manifest config digest ' +
  'package module function method object string list table record field result error warning message ' +
  'user account session token header payload archive entry directory file path name size offset length ' +
  'returns raises optional default should must never always each every before while during without ' +
  'handle process compute validate parse render update create delete fetch store load save cache ' +
  'timeout retry limit count total average maximum minimum window batch queue worker thread lock event'
).split(' ');

const IDENTS = (
  'data item items key value result results node parent child index count total offset size buf ' +
  'payload request response ctx config options settings path name label entry entries record rows ' +
  'cursor session client server handler callback state cache token user group schema model field'
).split(' ');

const KEYWORDS = ['if', 'elif', 'while', 'for', 'return', 'yield', 'assert', 'raise'];
const TYPES = [
  'int',
  'str',
  'bytes',
  'float',
  'bool',
  'list[str]',
  'dict[str, int]',
  'Optional[str]',
  'Any',
];
const OPS = [
  '==',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
  'is',
  'in',
  'not in',
  'and',
  'or',
  '+',
  '-',
  '*',
  '//',
  '%',
];

function ident(rng) {
  const n = 1 + rng.int(3);
  const parts = [];
  for (let i = 0; i < n; i++) parts.push(rng.pick(IDENTS));
  // Numeric suffixes and hex literals keep the text from being too repetitive.
  if (rng.int(3) === 0) parts.push(String(rng.int(1000)));
  return parts.join('_');
}

function className(rng) {
  const n = 1 + rng.int(3);
  let s = '';
  for (let i = 0; i < n; i++) {
    const w = rng.pick(IDENTS);
    s += w[0].toUpperCase() + w.slice(1);
  }
  return s;
}

function literal(rng) {
  switch (rng.int(6)) {
    case 0:
      return String(rng.int(100000));
    case 1:
      return `0x${rng.u32().toString(16).padStart(8, '0')}`;
    case 2:
      return `"${rng.pick(ENGLISH)} ${rng.pick(ENGLISH)} ${rng.u32().toString(36)}"`;
    case 3:
      return (rng.int(1000000) / 1000).toFixed(3);
    case 4:
      return rng.pick(['None', 'True', 'False']);
    default:
      return `'${ident(rng)}'`;
  }
}

function expr(rng) {
  const a = rng.int(2) ? ident(rng) : `${ident(rng)}.${ident(rng)}`;
  switch (rng.int(4)) {
    case 0:
      return `${a} ${rng.pick(OPS)} ${literal(rng)}`;
    case 1:
      return `${ident(rng)}(${a}, ${literal(rng)})`;
    case 2:
      return `${a}[${literal(rng)}]`;
    default:
      return a;
  }
}

function sentence(rng) {
  const n = 5 + rng.int(14);
  const words = [];
  for (let i = 0; i < n; i++) {
    words.push(rng.int(12) === 0 ? rng.u32().toString(36) : rng.pick(ENGLISH));
  }
  const s = words.join(' ');
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

function pythonChunk(rng, out) {
  const fn = ident(rng);
  const nargs = rng.int(4);
  const args = [];
  for (let i = 0; i < nargs; i++) args.push(`${ident(rng)}: ${rng.pick(TYPES)}`);
  if (rng.int(4) === 0) out.push(`class ${className(rng)}:`, `    """${sentence(rng)}"""`, '');
  out.push(`def ${fn}(${args.join(', ')}) -> ${rng.pick(TYPES)}:`);
  out.push(`    """${sentence(rng)}`, '', `    ${sentence(rng)} ${sentence(rng)}`, '    """');
  const body = 2 + rng.int(10);
  for (let i = 0; i < body; i++) {
    const indent = '    '.repeat(1 + rng.int(3));
    switch (rng.int(6)) {
      case 0:
        out.push(`${indent}# ${sentence(rng)}`);
        break;
      case 1:
        out.push(`${indent}${rng.pick(KEYWORDS)} ${expr(rng)}:`);
        break;
      case 2:
        out.push(`${indent}${ident(rng)} = ${expr(rng)}`);
        break;
      case 3:
        out.push(
          `${indent}${ident(rng)}.${ident(rng)}(${literal(rng)}, ${ident(rng)}=${literal(rng)})`,
        );
        break;
      case 4:
        out.push(`${indent}return ${expr(rng)}`);
        break;
      default:
        out.push(`${indent}${ident(rng)} += ${literal(rng)}`);
        break;
    }
  }
  out.push('', '');
}

function proseChunk(rng, out) {
  const n = 2 + rng.int(6);
  const words = [];
  for (let i = 0; i < n; i++) words.push(sentence(rng));
  // Wrap at ~72 columns.
  let line = '';
  for (const w of words.join(' ').split(' ')) {
    if (line.length + w.length + 1 > 72) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  out.push('');
}

function textBytes(rng, size, kind) {
  const parts = [];
  let len = 0;
  while (len < size) {
    const lines = [];
    if (kind === 'py' ? rng.int(5) !== 0 : rng.int(5) === 0) pythonChunk(rng, lines);
    else proseChunk(rng, lines);
    const chunk = `${lines.join('\n')}\n`;
    parts.push(chunk);
    len += chunk.length; // ASCII only
  }
  return Buffer.from(parts.join('').slice(0, size), 'latin1');
}

// ---- tree layout -----------------------------------------------------------

const MAX_FILE = 200_000;

// Sizes: log-uniform between 8 bytes and 160 KB, scaled so they sum exactly to
// `total`, and capped at MAX_FILE.
function sizes(rng, count, total) {
  if (count === 0) return [];
  const lo = Math.log(8),
    hi = Math.log(160_000);
  const raw = [];
  for (let i = 0; i < count; i++) raw.push(Math.exp(lo + (hi - lo) * rng.float()));
  // Scale to `total`, capping at MAX_FILE: capped files are pinned and the
  // others rescaled until nothing new exceeds the cap.
  const cap = Math.max(MAX_FILE, Math.ceil(total / count));
  const pinned = new Array(count).fill(false);
  let scaled = raw;
  for (let round = 0; round < 100; round++) {
    const nPinned = pinned.filter(Boolean).length;
    const freeSum = raw.reduce((a, r, i) => (pinned[i] ? a : a + r), 0);
    const factor = (total - nPinned * cap) / freeSum;
    scaled = raw.map((r, i) => (pinned[i] ? cap : r * factor));
    let changed = false;
    scaled.forEach((v, i) => {
      if (!pinned[i] && v > cap) {
        pinned[i] = true;
        changed = true;
      }
    });
    if (!changed) break;
  }
  const out = scaled.map((v) => Math.min(cap, Math.floor(v)));
  // Rounding remainder: fewer bytes than files, one byte each to uncapped files.
  let rest = total - out.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % count) {
    if (out[i] < cap) {
      out[i] += 1;
      rest -= 1;
    }
  }
  return out;
}

function makeDirs(rng, n) {
  const dirs = new Set();
  const list = [];
  let guard = 0;
  while (list.length < n && guard++ < n * 100) {
    const depth = 1 + rng.int(4);
    const segs = [];
    for (let d = 0; d < depth; d++) segs.push(`${rng.pick(IDENTS)}_${d}${rng.int(6)}`);
    const p = segs.join('/');
    if (!dirs.has(p)) {
      dirs.add(p);
      list.push(p);
    }
  }
  return list;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const root = path.resolve(opts.dir);
  if (fs.existsSync(root) && fs.readdirSync(root).length > 0) {
    process.stderr.write(`gen-tree: ${root} exists and is not empty\n`);
    process.exit(1);
  }

  const totalBytes = Math.round(opts.mb * 1e6);
  const nRandom = Math.floor(opts.files / 2);
  const nText = opts.files - nRandom;
  const randomBytes = Math.floor(totalBytes / 2);
  const textTotal = totalBytes - randomBytes;

  const layoutRng = new Rng(opts.seed, 1);
  const randomSizes = sizes(layoutRng, nRandom, randomBytes);
  const textSizes = sizes(layoutRng, nText, textTotal);
  const dirs = makeDirs(layoutRng, Math.max(1, Math.ceil(opts.files / 25)));

  const write = (rel, data) => {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
  };

  write(
    'pyproject.toml',
    [
      '[build-system]',
      'requires = ["setuptools>=61"]',
      'build-backend = "setuptools.build_meta"',
      '',
      '[project]',
      'name = "benchtree"',
      'version = "0.1.0"',
      'description = "Synthetic project for the pycontainer layer benchmark"',
      'requires-python = ">=3.9"',
      '',
      '[project.scripts]',
      'benchtree = "benchtree.main:main"',
      '',
    ].join('\n'),
  );
  write(
    'src/benchtree/__init__.py',
    '"""Synthetic benchmark package."""\n\n__version__ = "0.1.0"\n',
  );
  write(
    'src/benchtree/main.py',
    [
      'import os',
      '',
      '',
      'def main() -> None:',
      '    data = os.path.join(os.path.dirname(__file__), "data")',
      '    count = total = 0',
      '    for dirpath, _dirs, files in os.walk(data):',
      '        for name in files:',
      '            count += 1',
      '            total += os.path.getsize(os.path.join(dirpath, name))',
      '    print(f"benchtree: {count} files, {total} bytes")',
      '',
      '',
      'if __name__ == "__main__":',
      '    main()',
      '',
    ].join('\n'),
  );

  // Interleave random and text files; each file has its own PRNG stream, so the
  // content of file i does not depend on the generation order.
  let written = 0;
  const jobs = [];
  for (let i = 0; i < Math.max(nRandom, nText); i++) {
    if (i < nText) jobs.push({ kind: 'text', size: textSizes[i], i });
    if (i < nRandom) jobs.push({ kind: 'random', size: randomSizes[i], i });
  }
  const RAND_EXT = ['bin', 'dat', 'pkl', 'npy', 'gz'];
  const TEXT_EXT = ['py', 'py', 'py', 'txt', 'md', 'csv'];
  jobs.forEach((job, n) => {
    const rng = new Rng(opts.seed, job.kind === 'random' ? 2 : 3, job.i);
    const dir = dirs[rng.int(dirs.length)];
    let data, ext;
    if (job.kind === 'random') {
      ext = rng.pick(RAND_EXT);
      data = rng.fill(Buffer.allocUnsafe(job.size));
    } else {
      ext = rng.pick(TEXT_EXT);
      data = textBytes(rng, job.size, ext === 'py' ? 'py' : 'prose');
    }
    const name = `${rng.pick(IDENTS)}_${String(n).padStart(5, '0')}.${ext}`;
    write(`src/benchtree/data/${dir}/${name}`, data);
    written += data.length;
  });

  process.stderr.write(
    `gen-tree: ${root}: ${jobs.length} data files, ${written} bytes (${randomBytes} random, ${textTotal} text)\n`,
  );
}

main();
