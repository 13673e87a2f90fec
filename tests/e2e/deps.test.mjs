// Dependencies installed for the target (issue 5), with real wheels from the
// package index: the fixture app (FastAPI + uvicorn[standard], pydantic-core
// native) built from each kind of input, compared with what pip itself
// installs for the same pins, served for real with runc, chosen for arm64,
// and every bad input refused with nothing written.
//
// Wheels are cached between runs in the test cache; the first run downloads
// about 5 MB.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { makeWheel } from '../infra/make-wheels.mjs';
import {
  arm64BaseRef,
  arm64ProbeRef,
  baseRef,
  build,
  canRunArm64,
  describeRun,
  makeTempDir,
  officialBaseRef,
  portInUse,
  ROOT,
  readImage,
  readLayerTar,
  removeDir,
  requireRoot,
  requireTools,
  runCli,
  runTool,
  startInImage,
  stopInImage,
  waitForHttp,
  waitPortFree,
} from './helpers.mjs';

const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'deps');
const APP = path.join(FIXTURES, 'fastapi-app');
const POETRY_APP = path.join(FIXTURES, 'poetry-app');
const CACHE = path.join(
  process.env.PYCONTAINER_TEST_CACHE ??
    path.join(process.env.HOME ?? '/tmp', '.cache', 'pycontainer-test'),
  'deps-cache',
);
const PORT = 8000;

let tmp;

before(() => {
  requireTools('skopeo', 'umoci');
  tmp = makeTempDir('pycontainer-e2e-deps-');
});

after(() => removeDir(tmp));

/** A copy of a fixture project holding only `keep` of its lock files. */
function project(name, { from = APP, keep = [] } = {}) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['pyproject.toml', 'deps_demo']) {
    fs.cpSync(path.join(from, f), path.join(dir, f), { recursive: true });
  }
  for (const f of keep) fs.copyFileSync(path.join(from, f), path.join(dir, f));
  return dir;
}

/** Builds `dir` on `base` into a fresh layout; returns {out, result}. */
function buildDeps(dir, { base = baseRef(), args = [], out = `${dir}-out` } = {}) {
  const result = build([
    '--context',
    dir,
    '--base-image',
    base,
    '--output',
    out,
    '--tag',
    'deps:1',
    '--cache-dir',
    CACHE,
    ...args,
  ]);
  return { out, result };
}

/** Runs a build that must fail; returns the CLI result. */
function failing(dir, args = [], base = baseRef()) {
  const out = `${dir}-out`;
  const r = runCli([
    'build',
    '--context',
    dir,
    '--base-image',
    base,
    '--output',
    out,
    '--cache-dir',
    CACHE,
    '--json',
    ...args,
  ]);
  assert.notEqual(r.code, 0, describeRun(r));
  return { ...r, out };
}

/** The deps layer of LAYOUT:deps:1 (the one below the app layer), parsed. */
function depsLayer(out) {
  const { manifest } = readImage(out, '1');
  assert.ok(manifest.layers.length >= 3, 'base, deps and app layers');
  const desc = manifest.layers.at(-2);
  return { desc, tar: readLayerTar(out, desc.digest) };
}

/** `name==version` of every dist-info in a deps layer, as pip-target.sh lists them. */
function installedSet(tar) {
  const found = [];
  for (const e of tar.entries) {
    const m = e.path.match(/site-packages\/([^/]+)-([^/-]+)\.dist-info\/METADATA$/);
    if (!m) continue;
    const text = e.data.toString('utf8');
    const name = text.match(/^Name: (.+)$/m)[1].trim();
    const version = text.match(/^Version: (.+)$/m)[1].trim();
    found.push(`${name.toLowerCase().replace(/[-_.]+/g, '-')}==${version}`);
  }
  return found.sort();
}

let expectedX86;

/** What pip installs for the fixture's pins on linux x86_64, CPython 3.11. */
function expected() {
  expectedX86 ??= pipTarget(path.join(APP, 'requirements.txt'), 'x86_64');
  return expectedX86;
}

function pipTarget(file, arch) {
  const r = runTool('bash', [
    path.join(ROOT, 'tests', 'infra', 'pip-target.sh'),
    '--arch',
    arch,
    file,
  ]);
  assert.equal(r.code, 0, `pip-target.sh ${file}: ${r.stderr}`);
  return r.stdout.trim().split('\n').sort();
}

describe('the fixture app from each input installs what pip installs', { concurrency: 1 }, () => {
  const layers = new Map();
  const inputs = [
    { name: 'uv.lock', keep: ['uv.lock'], rule: 'uv.lock found in the context' },
    { name: 'pylock.toml', keep: ['pylock.toml'], rule: 'pylock.toml found in the context' },
    {
      name: 'requirements.txt',
      keep: ['requirements.txt'],
      rule: 'requirements.txt found in the context',
    },
    { name: 'poetry.lock', keep: ['poetry.lock'], from: POETRY_APP, rule: 'poetry.lock found' },
  ];
  for (const input of inputs) {
    test(`${input.name}: the same 20 distributions as pip install --target`, () => {
      const dir = project(`in-${input.name}`, { from: input.from, keep: input.keep });
      const { out, result } = buildDeps(dir);
      assert.ok(
        result.plan.dependencies.rule.startsWith(input.rule),
        result.plan.dependencies.rule,
      );
      assert.equal(result.plan.dependencies.packages.length, 20);
      assert.equal(result.plan.dependencies.target, 'CPython 3.11 on linux x86_64 (glibc 2.36)');
      const { desc, tar } = depsLayer(out);
      assert.deepEqual(installedSet(tar), expected());
      layers.set(input.name, desc.digest);
      const r = runTool('skopeo', ['inspect', `oci:${out}:1`]);
      assert.equal(r.code, 0, r.stderr);
    });
  }

  test('every input gives the same deps layer, byte for byte', () => {
    assert.equal(new Set(layers.values()).size, 1, JSON.stringify([...layers]));
  });
});

describe('the deps layer', () => {
  let out;
  let tar;
  let config;

  before(() => {
    const dir = project('layer', { keep: ['uv.lock'] });
    ({ out } = buildDeps(dir));
    ({ tar } = depsLayer(out));
    config = readImage(out, '1').config;
  });

  test('is a venv on the base interpreter, found by PATH', () => {
    const cfg = tar.entries.find((e) => e.path === 'app/.venv/pyvenv.cfg');
    assert.match(
      cfg.data.toString(),
      /^home = \/usr\/bin\ninclude-system-site-packages = false\nversion = 3\.11\.2\n/,
    );
    const python = tar.entries.find((e) => e.path === 'app/.venv/bin/python');
    assert.equal(python.type, 'symlink');
    assert.equal(python.linkname, '/usr/bin/python3');
    assert.ok(config.config.Env.includes('VIRTUAL_ENV=/app/.venv'), config.config.Env);
    const pathVar = config.config.Env.find((e) => e.startsWith('PATH='));
    assert.match(pathVar, /^PATH=\/app\/\.venv\/bin:\/usr\/local\/sbin:/);
    assert.match(config.history.at(-2).created_by, /20 packages into \/app\/\.venv/);
  });

  test('holds the native wheels for x86_64, with pip-style launchers and RECORDs', () => {
    const so = tar.entries.find((e) => /pydantic_core\/_pydantic_core\..*\.so$/.test(e.path));
    assert.ok(so, 'the pydantic-core extension module is there');
    assert.equal(so.data.readUInt16LE(18), 0x3e, 'ELF machine x86-64');
    const wheel = tar.entries.find((e) => /pydantic_core-[^/]+\.dist-info\/WHEEL$/.test(e.path));
    assert.match(wheel.data.toString(), /Tag: cp311-cp311-manylinux_2_17_x86_64/);
    const uvicorn = tar.entries.find((e) => e.path === 'app/.venv/bin/uvicorn');
    assert.equal(uvicorn.mode & 0o777, 0o755);
    assert.match(uvicorn.data.toString(), /^#!\/app\/\.venv\/bin\/python\n/);
    assert.match(uvicorn.data.toString(), /from uvicorn\.main import main/);
    const installer = tar.entries.find((e) =>
      /^.*uvicorn-[^/]+\.dist-info\/INSTALLER$/.test(e.path),
    );
    assert.equal(installer.data.toString(), 'pycontainer\n');
    const record = tar.entries.find((e) => /uvicorn-[^/]+\.dist-info\/RECORD$/.test(e.path));
    assert.match(record.data.toString(), /^\.\.\/\.\.\/\.\.\/bin\/uvicorn,sha256=/m);
    for (const e of tar.entries) {
      assert.ok(e.path.startsWith('app/'), `everything is under /app: ${e.path}`);
      assert.equal(e.uid, 0, e.path);
      assert.equal(e.mtime, tar.entries[0].mtime, 'one fixed mtime');
    }
  });

  test('the project itself is installed: importlib.metadata sees it and its entry point', () => {
    requireRoot();
    const bundle = path.join(tmp, 'layer-bundle');
    const r = runTool('umoci', ['unpack', '--image', `${out}:1`, bundle]);
    assert.equal(r.code, 0, r.stderr);
    const code = [
      'import importlib.metadata as m, json, deps_demo.main',
      'd = m.distribution("deps-demo")',
      'eps = [e.value for e in m.entry_points(group="console_scripts") if e.name == "deps-demo"]',
      'print(json.dumps([d.version, eps, sorted(r.split(";")[0] for r in d.requires)]))',
    ].join('\n');
    const run = runTool('chroot', [
      path.join(bundle, 'rootfs'),
      '/usr/bin/env',
      'PYTHONPATH=/app',
      '/app/.venv/bin/python',
      '-c',
      code,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [
      '0.1.0',
      ['deps_demo.main:run'],
      ['fastapi>=0.115,<1', 'uvicorn[standard]>=0.30'],
    ]);
  });

  test('an app-only change keeps the deps layer, and rebuilds are identical', () => {
    const dir = project('layer-edit', { keep: ['uv.lock'] });
    const first = buildDeps(dir);
    fs.appendFileSync(path.join(dir, 'deps_demo', 'main.py'), '\n# an edit\n');
    const second = buildDeps(dir, { out: `${dir}-second` });
    const [a, b] = [first.out, second.out].map((o) => readImage(o, '1').manifest.layers);
    assert.equal(a[1].digest, b[1].digest, 'the deps layer is reused');
    assert.notEqual(a[2].digest, b[2].digest, 'the app layer changed');
    assert.equal(
      a[1].digest,
      depsLayer(out).desc.digest,
      'the same as another project with that lock',
    );
  });
});

describe('served for real', { concurrency: 1 }, () => {
  for (const variant of ['debian', 'official']) {
    test(`${variant} base: uvicorn answers GET / with pydantic-core's version`, async () => {
      requireRoot();
      const dir = project(`serve-${variant}`, { keep: ['uv.lock'] });
      const base = variant === 'debian' ? baseRef() : officialBaseRef();
      const { out } = buildDeps(dir, {
        base,
        args: ['--entrypoint', 'uvicorn deps_demo.main:app --host 127.0.0.1 --port 8000'],
      });
      if (variant === 'official') {
        const cfg = depsLayer(out).tar.entries.find((e) => e.path === 'app/.venv/pyvenv.cfg');
        assert.match(cfg.data.toString(), /^home = \/usr\/local\/bin\n/);
      }
      assert.equal(await portInUse(PORT), false, `something already listens on ${PORT}`);
      const container = startInImage(out, '1');
      try {
        const res = await waitForHttp(PORT, { container, timeoutMs: 30_000 });
        assert.equal(res.status, 200, `${res.body}\n${container.log()}`);
        const body = JSON.parse(res.body);
        assert.deepEqual(body, { ok: true, pydantic_core: '2.50.4', machine: 'x86_64' });
      } finally {
        stopInImage(container);
        await waitPortFree(PORT);
      }
    });
  }
});

describe('linux/arm64', () => {
  test('picks the aarch64 wheels', () => {
    const dir = project('arm64', { keep: ['uv.lock'] });
    const { out, result } = buildDeps(dir, {
      base: arm64ProbeRef(),
      args: ['--platform', 'linux/arm64'],
    });
    assert.equal(result.plan.dependencies.target, 'CPython 3.11 on linux aarch64 (glibc 2.36)');
    const { tar } = depsLayer(out);
    const tags = tar.entries
      .filter((e) => e.path.endsWith('.dist-info/WHEEL'))
      .flatMap((e) => [...e.data.toString().matchAll(/^Tag: (.+)$/gm)].map((m) => m[1]));
    const native = tags.filter((t) => !t.endsWith('-any'));
    assert.ok(native.length >= 5, tags.join(' '));
    for (const t of native) assert.match(t, /_aarch64$/, `native wheel tags are aarch64: ${t}`);
    for (const e of tar.entries.filter((x) => x.path.endsWith('.so'))) {
      assert.equal(e.data.readUInt16LE(18), 0xb7, `ELF machine aarch64: ${e.path}`);
    }
    assert.deepEqual(installedSet(tar), pipTarget(path.join(APP, 'requirements.txt'), 'aarch64'));
  });

  test('runs under qemu on the real arm64 base', {
    skip: !canRunArm64() && 'no aarch64 emulation here',
  }, () => {
    requireRoot();
    const dir = project('arm64-run', { keep: ['uv.lock'] });
    const { out } = buildDeps(dir, { base: arm64BaseRef(), args: ['--platform', 'linux/arm64'] });
    const bundle = path.join(tmp, 'arm64-bundle');
    const r = runTool('umoci', ['unpack', '--image', `${out}:1`, bundle]);
    assert.equal(r.code, 0, r.stderr);
    const run = runTool('chroot', [
      path.join(bundle, 'rootfs'),
      '/app/.venv/bin/python',
      '-c',
      'import platform, pydantic_core, uvloop; print(platform.machine(), pydantic_core.__version__)',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'aarch64 2.50.4');
  });
});

describe('resolving [project.dependencies]', { concurrency: 1 }, () => {
  let dir;
  let first;

  before(() => {
    dir = project('resolve');
    first = buildDeps(dir);
  });

  test('resolves for the target and writes pylock.toml', () => {
    assert.equal(first.result.plan.dependencies.format, 'project');
    assert.equal(first.result.plan.dependencies.packages.length, 20);
    const lock = fs.readFileSync(path.join(dir, 'pylock.toml'), 'utf8');
    assert.match(lock, /^created-by = "pycontainer"$/m);
    assert.match(lock, /^\[tool\.pycontainer\]$/m);
    assert.match(lock, /name = "pydantic-core"/);
  });

  test('the first build equals the second: it ships the lock it writes', () => {
    const lockEntry = (out) =>
      readLayerTar(out, readImage(out, '1').manifest.layers.at(-1).digest).entries.find(
        (e) => e.path === 'app/pylock.toml',
      );
    const written = fs.readFileSync(path.join(dir, 'pylock.toml'));
    assert.deepEqual(
      lockEntry(first.out)?.data,
      written,
      'the app layer holds the lock as written',
    );
    const second = buildDeps(dir, { out: `${dir}-second` });
    assert.equal(second.result.plan.dependencies.writesLock, undefined, 'the lock is read back');
    assert.equal(second.result.manifestDigest, first.result.manifestDigest);
  });

  test('--locked builds from the lock, and fails once the dependencies change', () => {
    const again = buildDeps(dir, { args: ['--locked'] });
    assert.equal(
      readImage(again.out, '1').manifest.layers[1].digest,
      readImage(first.out, '1').manifest.layers[1].digest,
    );
    const toml = path.join(dir, 'pyproject.toml');
    fs.writeFileSync(
      toml,
      fs
        .readFileSync(toml, 'utf8')
        .replace('"uvicorn[standard]>=0.30",', '"uvicorn[standard]>=0.30",\n    "idna",'),
    );
    const r = failing(dir, ['--locked']);
    assert.match(
      r.stderr,
      /--locked: .*pylock\.toml is missing or was not resolved from the current pyproject\.toml/,
    );
  });

  test('a package with only an sdist that would run code is named, with the reason', () => {
    const sdist = project('sdist-only');
    fs.writeFileSync(
      path.join(sdist, 'pyproject.toml'),
      '[project]\nname = "sdist-only"\nversion = "0.1.0"\ndependencies = ["termcolor==1.1.0"]\n',
    );
    const r = failing(sdist);
    // termcolor 1.1.0's setup.py reads its README: code pycontainer does not run.
    assert.match(
      r.stderr,
      /termcolor 1\.1\.0 \(termcolor-1\.1\.0\.tar\.gz\): setup\.py runs code \(it is not the plain setup\(\) call\)/,
    );
    assert.equal(fs.existsSync(r.out), false, 'no layout is written');
  });
});

describe('bad input is refused, with nothing written', () => {
  test('a requirements.txt whose --hash does not match', () => {
    const dir = project('badhash', { keep: ['requirements.txt'] });
    const file = path.join(dir, 'requirements.txt');
    // Every hash listed for idna replaced: none matches any of its files.
    const text = fs
      .readFileSync(file, 'utf8')
      .replace(/(idna==[^\n]*\n(?:\s+--hash=sha256:[0-9a-f]{64}[^\n]*\n)+)/, (block) =>
        block.replace(/[0-9a-f]{64}/g, '0'.repeat(64)),
      );
    fs.writeFileSync(file, text);
    const r = failing(dir);
    assert.match(
      r.stderr,
      /idna 3\.20 \([^)]*requirements\.txt\): its wheel for this image, idna-3\.20-py3-none-any\.whl, has sha256:[0-9a-f]{64}, which is not among the hashes listed/,
    );
    assert.equal(fs.existsSync(r.out), false);
  });

  test('a pylock.toml whose sha256 does not match the download', () => {
    const dir = project('badlock', { keep: ['pylock.toml'] });
    const file = path.join(dir, 'pylock.toml');
    const lock = fs.readFileSync(file, 'utf8');
    const wrong = lock.replace(
      /(idna-3\.20-py3-none-any\.whl"[^\n]*sha256 = ")[0-9a-f]{64}/,
      `$1${'1'.repeat(64)}`,
    );
    assert.notEqual(wrong, lock);
    fs.writeFileSync(file, wrong);
    const r = failing(dir, [], baseRef());
    assert.match(
      r.stderr,
      /idna-3\.20-py3-none-any\.whl from https:\/\/\S+ has sha256 [0-9a-f]{64}, but 1{64} was expected; nothing was installed/,
    );
    assert.equal(fs.existsSync(r.out), false);
  });

  for (const [wheel, entry] of [
    ['evil_dotdot', '../../evil.txt'],
    ['evil_abs', '/tmp/evil.txt'],
    ['evil_symlink', null],
  ]) {
    test(`a crafted wheel (${wheel}) is refused before anything is written`, () => {
      const dir = project(`crafted-${wheel}`);
      const file = `${wheel}-1.0-py3-none-any.whl`;
      fs.copyFileSync(path.join(ROOT, 'tests', 'fixtures', 'wheels', file), path.join(dir, file));
      fs.writeFileSync(path.join(dir, 'requirements.txt'), `./${file}\n`);
      const r = failing(dir);
      assert.match(r.stderr, new RegExp(`${file}: entry`), r.stderr);
      if (entry) assert.ok(r.stderr.includes(JSON.stringify(entry)), r.stderr);
      assert.match(r.stderr, /refusing to install it|symbolic link/);
      assert.equal(fs.existsSync(r.out), false);
      for (const p of [
        path.join(tmp, 'evil.txt'),
        path.join(dir, '..', '..', 'evil.txt'),
        '/tmp/evil.txt',
      ]) {
        assert.equal(fs.existsSync(p), false, `${p} was not written`);
      }
    });
  }

  test('a wheel whose RECORD hash is wrong fails while streaming, and the layer is not kept', () => {
    const dir = project('record');
    const wheel = makeWheel(dir, 'recbad', '1.0', [
      { path: 'recbad/__init__.py', data: 'x = 1\n', recordHash: `sha256=${'A'.repeat(43)}` },
    ]);
    fs.writeFileSync(path.join(dir, 'requirements.txt'), `./${path.basename(wheel)}\n`);
    const r = failing(dir);
    assert.match(r.stderr, /recbad\/__init__\.py/);
    assert.match(r.stderr, /RECORD/);
    assert.equal(fs.existsSync(r.out), false);
  });

  test('--include-deps with nothing to install is an error naming the flag', () => {
    const dir = path.join(tmp, 'nothing');
    fs.cpSync(path.join(ROOT, 'examples', 'hello-cli'), dir, { recursive: true });
    const r = failing(dir, ['--include-deps']);
    assert.match(r.stderr, /--include-deps: the project declares no dependencies/);
    assert.equal(fs.existsSync(r.out), false);
  });

  test('--dry-run says where the dependencies come from and what the build installs, and fetches nothing', () => {
    const dir = project('dry', { keep: ['uv.lock'] });
    // A cache of its own: a download would land in it.
    const cache = path.join(tmp, 'dry-cache');
    const r = runCli([
      'build',
      '--context',
      dir,
      '--base-image',
      baseRef(),
      '--cache-dir',
      cache,
      '--dry-run',
      '--json',
    ]);
    assert.equal(r.code, 0, describeRun(r));
    const { packages, ...rest } = r.json.plan.dependencies;
    assert.deepEqual(rest, {
      format: 'uv-lock',
      path: path.join(dir, 'uv.lock'),
      rule: 'uv.lock found in the context',
      target: 'CPython 3.11 on linux x86_64 (glibc 2.36)',
      venv: '/app/.venv',
      bytecode:
        "compiled for CPython 3.11 (magic a70d0d0a, the magic number the base's own bytecode has), unchecked-hash .pyc files",
    });
    const blobs = path.join(cache, 'oci', 'blobs', 'sha256');
    assert.deepEqual(fs.existsSync(blobs) ? fs.readdirSync(blobs) : [], [], 'nothing was fetched');
    // The build then installs exactly what the dry run listed.
    const built = buildDeps(dir).result;
    assert.deepEqual(packages, built.plan.dependencies.packages);
    assert.equal(packages.length, 20);
  });

  test('--no-deps leaves the dependencies out', () => {
    const dir = project('nodeps', { keep: ['uv.lock'] });
    const { out, result } = buildDeps(dir, { args: ['--no-deps'] });
    assert.equal(result.plan.dependencies, undefined);
    assert.equal(readImage(out, '1').manifest.layers.length, 2);
  });
});
