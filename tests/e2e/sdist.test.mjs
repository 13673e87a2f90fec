// Packages with no wheel for the image: pycontainer builds the wheel from
// the sdist without running Python, where nothing would need to run.
//
// Real sdists from PyPI, one per build backend, are served by a local index
// that lists only their sdists (every other project passes through to
// PyPI), so the build must take the sdist path. What lands in the venv is
// compared with what `pip install --no-binary :all:` installs from the same
// sdists, by path and sha256. An sdist whose setup.py has logic, made here,
// is refused by name.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import {
  baseRef,
  describeRun,
  makeTempDir,
  readImage,
  readLayerTar,
  removeDir,
  requireTools,
  runCliAsync,
  sha256Hex,
} from './helpers.mjs';

const TEST_CACHE =
  process.env.PYCONTAINER_TEST_CACHE ??
  path.join(process.env.HOME ?? '/tmp', '.cache', 'pycontainer-test');
const CACHE = path.join(TEST_CACHE, 'deps-cache');
const PIP_VERSION = '26.3';

/** One small pure-Python sdist per backend, pinned with its PyPI sha256. */
const SDISTS = [
  {
    name: 'tomli-w',
    version: '1.2.0',
    backend: 'flit_core',
    file: 'tomli_w-1.2.0.tar.gz',
    sha256: '2dd14fac5a47c27be9cd4c976af5a12d87fb1f0b4512f81d69cce3b35ae25021',
  },
  {
    name: 'annotated-types',
    version: '0.7.0',
    backend: 'hatchling',
    file: 'annotated_types-0.7.0.tar.gz',
    sha256: 'aff07c09a53a08bc8cfccb9c85b05f1aa9a2a6f23728d790723543408344ce89',
  },
  {
    name: 'tomlkit',
    version: '0.13.3',
    backend: 'poetry-core',
    file: 'tomlkit-0.13.3.tar.gz',
    sha256: '430cf247ee57df2b94ee3fbe588e71d362a941ebb545dec29b53961d61add2a1',
  },
  {
    name: 'dep-logic',
    version: '0.7.2',
    backend: 'pdm-backend',
    file: 'dep_logic-0.7.2.tar.gz',
    sha256: '2a3c49526075b0bc6825f0ea8c2d9f464de48b7b85f3f3d2900b4e5950fefedf',
  },
  {
    name: 'pyasn1',
    version: '0.6.5',
    backend: 'setuptools',
    file: 'pyasn1-0.6.5.tar.gz',
    sha256: '6b11616a6bcf3a40e635f082bb232fa57b5e0dd7f517bd7ddd69ec3794508a47',
  },
];

/** A `.tar.gz` of `files` below `top/`, as sdists are laid out. */
function tarGz(top, files) {
  const blocks = [];
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const h = Buffer.alloc(512);
    h.write(`${top}/${name}`, 0);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\x0000', 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}

const LOGIC = tarGz('demo_logic-1.0', {
  'PKG-INFO': 'Metadata-Version: 2.2\nName: demo-logic\nVersion: 1.0\n',
  'setup.py':
    'import os\nfrom setuptools import setup\n\nsetup(name="demo-logic", version=os.environ.get("V", "1.0"))\n',
  'demo_logic/__init__.py': '',
});

let tmp;
let server;
let index;

before(async () => {
  requireTools('skopeo', 'umoci');
  tmp = makeTempDir('pycontainer-e2e-sdist-');
  server = http.createServer(async (req, res) => {
    const page = req.url.match(/^\/simple\/([^/]+)\/$/);
    const name = page?.[1];
    const sdist = SDISTS.find((s) => s.name === name);
    const json = (files) => {
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
      res.end(JSON.stringify({ meta: { 'api-version': '1.1' }, name, files }));
    };
    if (sdist) {
      // The real file on PyPI's file host, with its real hash.
      const url = await pypiUrl(sdist);
      json([{ filename: sdist.file, url, hashes: { sha256: sdist.sha256 } }]);
    } else if (name === 'demo-logic') {
      const url = `http://${req.headers.host}/files/demo_logic-1.0.tar.gz`;
      json([{ filename: 'demo_logic-1.0.tar.gz', url, hashes: { sha256: sha256Hex(LOGIC) } }]);
    } else if (req.url === '/files/demo_logic-1.0.tar.gz') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(LOGIC);
    } else if (name) {
      const r = await fetch(`https://pypi.org/simple/${name}/`, {
        headers: { accept: 'application/vnd.pypi.simple.v1+json' },
      });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
      res.end(Buffer.from(await r.arrayBuffer()));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  index = `http://127.0.0.1:${server.address().port}/simple`;
});

after(() => {
  server?.close();
  removeDir(tmp);
});

const urls = new Map();

/** The sdist's URL on PyPI, from its Simple API page. */
async function pypiUrl(sdist) {
  if (!urls.has(sdist.file)) {
    const r = await fetch(`https://pypi.org/simple/${sdist.name}/`, {
      headers: { accept: 'application/vnd.pypi.simple.v1+json' },
    });
    const file = (await r.json()).files.find((f) => f.filename === sdist.file);
    assert.equal(file?.hashes.sha256, sdist.sha256, `${sdist.file} on PyPI`);
    urls.set(sdist.file, file.url);
  }
  return urls.get(sdist.file);
}

function project(name, dependencies) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const deps = dependencies.map((d) => `"${d}"`).join(', ');
  fs.writeFileSync(
    path.join(dir, 'pyproject.toml'),
    `[project]\nname = "${name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = [${deps}]\n`,
  );
  fs.writeFileSync(path.join(dir, 'main.py'), 'print("hi")\n');
  return dir;
}

function buildArgs(dir, out, extra = []) {
  return [
    'build',
    '--context',
    dir,
    '--base-image',
    baseRef(),
    '--output',
    out,
    '--tag',
    'sdist:1',
    '--cache-dir',
    CACHE,
    '--index-url',
    index,
    '--json',
    ...extra,
  ];
}

/**
 * What pip installs from the same sdists, built by their real backends:
 * `pip install --no-binary :all: --no-deps --target` in a cached venv with a
 * pinned pip. Kept in the test cache, as building them takes minutes.
 */
function pipReference() {
  const specs = SDISTS.map((s) => `${s.name}==${s.version}`);
  const key = crypto
    .createHash('sha256')
    .update(`${PIP_VERSION} ${specs.join(' ')}`)
    .digest('hex');
  const target = path.join(TEST_CACHE, 'sdist-pip', key.slice(0, 16));
  if (fs.existsSync(path.join(target, '.done'))) return target;
  const venv = path.join(TEST_CACHE, 'sdist-pip', 'venv');
  const pip = path.join(venv, 'bin', 'pip');
  if (!fs.existsSync(pip)) {
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(pip, ['install', '-q', `pip==${PIP_VERSION}`], { stdio: 'inherit' });
  }
  fs.rmSync(target, { recursive: true, force: true });
  const args = ['install', '-q', '--no-binary', ':all:', '--no-deps', '--no-compile'];
  execFileSync(pip, [...args, '--target', target, ...specs], { stdio: 'inherit' });
  fs.writeFileSync(path.join(target, '.done'), '');
  return target;
}

/** Files that differ between installers by nature, not by what was built. */
function compared(rel) {
  const base = rel.split('/').at(-1);
  if (rel.endsWith('.pyc') || rel.includes('__pycache__/')) return false;
  const installer = ['RECORD', 'INSTALLER', 'REQUESTED', 'direct_url.json'];
  // WHEEL names its generator (pycontainer, or the backend's version).
  return !(rel.includes('.dist-info/') && [...installer, 'WHEEL'].includes(base));
}

/**
 * METADATA's fields that installing and resolving read. The rest is not
 * compared byte for byte: pip builds with the newest backend the sdist
 * allows, which may write a newer Metadata-Version or more classifiers than
 * the backend that made the sdist's PKG-INFO, which pycontainer installs.
 */
function coreFields(text) {
  const head = text.split(/\r?\n\r?\n/)[0];
  const keep = ['Name', 'Version', 'Requires-Dist', 'Requires-Python', 'Provides-Extra'];
  return head
    .split(/\r?\n/)
    .filter((l) => keep.includes(l.split(':')[0]))
    .sort();
}

function pipFiles(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  out.delete('.done');
  return out;
}

describe('sdists without a wheel', { concurrency: 1 }, () => {
  let out;
  let built;

  test('are built in the core, one per backend, and the plan says so', async () => {
    const dir = project(
      'uses-sdists',
      SDISTS.map((s) => `${s.name}==${s.version}`),
    );
    out = path.join(tmp, 'out');
    built = await runCliAsync(buildArgs(dir, out), { timeoutMs: 600_000 });
    assert.equal(built.code, 0, describeRun(built));
    const packages = built.json.plan.dependencies.packages;
    for (const s of SDISTS) {
      const p = packages.find((x) => x.name === s.name);
      assert.equal(p?.sdist, s.file, `${s.name} is built from its sdist`);
      assert.match(p.wheel, /-py3-none-any\.whl$/);
    }
    // Wheels still win: packaging (dep-logic's dependency) has one.
    assert.equal(packages.find((x) => x.name === 'packaging')?.sdist, null);
    const lock = fs.readFileSync(path.join(dir, 'pylock.toml'), 'utf8');
    for (const s of SDISTS) assert.ok(lock.includes(`sdist = { name = "${s.file}"`), lock);
  });

  test('install what pip installs from the same sdists', () => {
    const reference = pipFiles(pipReference());
    const { manifest } = readImage(out, '1');
    const tar = readLayerTar(out, manifest.layers.at(-2).digest);
    const site = /^app\/\.venv\/lib\/python3\.\d+\/site-packages\//;
    const ours = new Map();
    for (const e of tar.entries) {
      if (e.type !== 'file' || !site.test(e.path)) continue;
      const rel = e.path.replace(site, '');
      const top = rel.split('/')[0].toLowerCase().replace(/-/g, '_');
      if (SDISTS.some((s) => top.startsWith(s.name.replace(/-/g, '_')))) ours.set(rel, e.data);
    }
    const listed = (files) => [...files.keys()].filter(compared).sort();
    assert.ok(listed(reference).length > 80, 'every package of the five installed');
    assert.deepEqual(listed(ours), listed(reference));
    for (const rel of listed(reference)) {
      const [a, b] = [ours.get(rel), reference.get(rel)];
      if (rel.endsWith('.dist-info/METADATA')) {
        assert.deepEqual(coreFields(a.toString()), coreFields(b.toString()), rel);
      } else {
        assert.equal(sha256Hex(a), sha256Hex(b), rel);
      }
    }
  });

  test('the lock it wrote builds again, locked, from the same sdists', async () => {
    const dir = path.join(tmp, 'uses-sdists');
    const again = await runCliAsync(
      buildArgs(dir, path.join(tmp, 'out2'), ['--locked', '--dry-run']),
    );
    assert.equal(again.code, 0, describeRun(again));
    const packages = again.json.plan.dependencies.packages;
    assert.deepEqual(
      packages
        .filter((p) => p.sdist)
        .map((p) => p.sdist)
        .sort(),
      SDISTS.map((s) => s.file).sort(),
    );
  });

  test('an sdist whose setup.py has logic is refused by name', async () => {
    const dir = project('uses-logic', ['demo-logic']);
    const r = await runCliAsync(buildArgs(dir, path.join(tmp, 'out3'), ['--dry-run']));
    assert.equal(r.code, 1, describeRun(r));
    assert.match(
      r.stderr,
      /pycontainer: error: demo-logic 1\.0 \(demo_logic-1\.0\.tar\.gz\): setup\.py runs code \(it is not the plain setup\(\) call\); pycontainer builds a wheel from an sdist only when no code would run/,
    );
  });
});
