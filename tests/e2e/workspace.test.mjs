// A context in a subdirectory whose lock is its parent's (issue 11, point
// 6): a uv workspace member built from the workspace's uv.lock with only its
// own dependencies, and a Poetry path dependency built from the Poetry
// project's poetry.lock. The plan names the lock, the image runs and imports
// the dependency, nothing is written into the context, and the wrong shapes
// are refused with their file named.
//
// Offline: the one dependency is the fixture six wheel, by file:// URL in
// uv.lock and from a Simple API page this process serves for poetry.lock.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { makeWheel } from '../infra/make-wheels.mjs';
import {
  baseRef,
  build,
  describeRun,
  makeTempDir,
  readImage,
  readLayerTar,
  removeDir,
  requireTools,
  runCli,
  runCliAsync,
  runInImage,
  SIX_WHEEL,
  sha256Hex,
  startSixIndex,
} from './helpers.mjs';

const SIX = SIX_WHEEL;
const SIX_SHA = sha256Hex(fs.readFileSync(SIX));
const MAIN = 'import six\n\nprint(f"{__name__} on six {six.__version__}")\n';

const api = createRequire(import.meta.url)('../../npm/index.js');

let tmp;
let cache;

before(() => {
  requireTools('umoci', 'runc');
  tmp = makeTempDir('pycontainer-e2e-ws-');
  cache = path.join(tmp, 'cache');
});

after(() => removeDir(tmp));

/** Writes `files` ({relative path: text}) under `root`, with a `.git` that ends the walk. */
function tree(root, files) {
  fs.mkdirSync(path.join(root, '.git'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

/** The files of the image's top (app) layer. */
function appFiles(out) {
  const { manifest } = readImage(out, '1');
  return readLayerTar(out, manifest.layers.at(-1).digest)
    .entries.filter((e) => e.type === 'file')
    .map((e) => e.path)
    .sort();
}

function buildArgs(context, out, extra = []) {
  return [
    '--context',
    context,
    '--base-image',
    baseRef(),
    '--output',
    out,
    '--tag',
    'ws:1',
    '--cache-dir',
    cache,
    ...extra,
  ];
}

/** Fails a build through the JS API; returns the error, whose `code` the CLI does not print. */
async function refused(context) {
  const output = `${context}-out`;
  try {
    await api.build({ context, baseImage: baseRef(), output, cacheDir: cache, dryRun: true });
  } catch (err) {
    assert.equal(fs.existsSync(output), false);
    return err;
  }
  assert.fail(`${context} built`);
}

describe('a uv workspace member', { concurrency: 1 }, () => {
  let ws;
  let built;

  before(() => {
    ws = path.join(tmp, 'uv');
    // A package only the other member needs: present, so only the walk keeps it out.
    const workerdep = makeWheel(path.join(tmp, 'wheels'), 'workerdep', '1.0', [
      { path: 'workerdep/__init__.py', data: '' },
    ]);
    const wheel = (file) =>
      `{ url = "${pathToFileURL(file).href}", hash = "sha256:${sha256Hex(fs.readFileSync(file))}", size = ${fs.statSync(file).size} }`;
    const member = (name, dep) =>
      `[project]\nname = "${name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = ["${dep}"]\n`;
    tree(ws, {
      'pyproject.toml':
        '[project]\nname = "monorepo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n\n[tool.uv.workspace]\nmembers = ["backend", "worker", "svc-*"]\n',
      'uv.lock': `version = 1
revision = 2
requires-python = ">=3.11"

[manifest]
members = ["backend", "monorepo", "worker"]

[[package]]
name = "backend"
version = "0.1.0"
source = { editable = "backend" }
dependencies = [{ name = "six" }]

[package.metadata]
requires-dist = [{ name = "six", specifier = ">=1.16" }]

[[package]]
name = "monorepo"
version = "0.1.0"
source = { virtual = "." }

[[package]]
name = "six"
version = "1.17.0"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheel(SIX)}]

[[package]]
name = "worker"
version = "0.1.0"
source = { editable = "worker" }
dependencies = [{ name = "workerdep" }]

[[package]]
name = "workerdep"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheel(workerdep)}]
`,
      'backend/pyproject.toml': member('backend', 'six>=1.16'),
      'backend/main.py': MAIN,
      'worker/pyproject.toml': member('worker', 'workerdep'),
      'worker/main.py': 'import workerdep\n',
      'svc-new/pyproject.toml': member('svc-new', 'six'),
      'svc-new/main.py': MAIN,
      'tools/pyproject.toml': member('tools', 'six'),
      'tools/main.py': MAIN,
    });
    built = build(buildArgs(path.join(ws, 'backend'), path.join(tmp, 'uv-out')));
  });

  test("installs the member's dependencies from the workspace's uv.lock, and says so", () => {
    const { packages, ...input } = built.plan.dependencies;
    assert.deepEqual(input, {
      format: 'uv-lock',
      path: path.join(ws, 'uv.lock'),
      rule: 'uv.lock of the uv workspace at .. (this directory is its member backend)',
      workspace: { root: '..', member: 'backend' },
      target: 'CPython 3.11 on linux x86_64 (glibc 2.36)',
      venv: '/app/.venv',
      bytecode:
        "compiled for CPython 3.11 (magic a70d0d0a, the magic number the base's own bytecode has), unchecked-hash .pyc files",
    });
    // Not workerdep, which only the other member needs.
    assert.deepEqual(packages, [
      { name: 'six', version: '1.17.0', wheel: 'six-1.17.0-py2.py3-none-any.whl', sdist: null },
    ]);
  });

  test('the image runs the member and imports six', () => {
    const r = runInImage(path.join(tmp, 'uv-out'), '1');
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /__main__ on six 1\.17\.0/);
  });

  test('the app layer is the context alone, and no lock is written anywhere', () => {
    // Besides the member's own dist-info, which says the project is installed.
    const files = appFiles(path.join(tmp, 'uv-out'));
    assert.deepEqual(
      files.filter(
        (f) => !f.startsWith('app/.venv/lib/python3.11/site-packages/backend-0.1.0.dist-info/'),
      ),
      ['app/main.py', 'app/pyproject.toml'],
    );
    assert.equal(fs.existsSync(path.join(ws, 'backend', 'pylock.toml')), false);
    assert.equal(fs.existsSync(path.join(ws, 'pylock.toml')), false);
  });

  test('--dry-run prints the rule', () => {
    const r = runCli([
      'build',
      ...buildArgs(path.join(ws, 'backend'), path.join(tmp, 'dry-out'), ['--dry-run']),
    ]);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(
      r.stdout,
      /uv\.lock of the uv workspace at \.\. \(this directory is its member backend\) \(uv-lock\)/,
    );
  });

  test('a member the lock lacks is refused, naming the lock', async () => {
    const err = await refused(path.join(ws, 'svc-new'));
    assert.equal(err.code, 'lock');
    assert.match(err.message, /\.\.\/uv\.lock has no package for the workspace member svc-new/);
  });

  test('a project in the workspace that no member glob matches is refused, naming the root', async () => {
    const err = await refused(path.join(ws, 'tools'));
    assert.equal(err.code, 'dependencies');
    assert.ok(
      err.message.startsWith(
        `tools is inside the uv workspace of ${path.join(ws, 'pyproject.toml')}, but none of its members (backend, worker, svc-*) match it`,
      ),
      err.message,
    );
  });
});

describe('a Poetry path dependency', { concurrency: 1 }, () => {
  let mono;
  let server;
  let index;

  before(async () => {
    // A Simple API page for six, and the wheel: poetry.lock names files, not URLs.
    server = await startSixIndex();
    index = server.url;
    mono = path.join(tmp, 'poetry');
    tree(mono, {
      'pyproject.toml': `[tool.poetry]
name = "mono"
version = "0.1.0"
description = ""
authors = []
package-mode = false

[tool.poetry.dependencies]
python = "^3.11"
app = { path = "app", develop = true }
`,
      'poetry.lock': `# This file is automatically @generated by Poetry 2.1.3 and should not be changed by hand.

[[package]]
name = "app"
version = "0.1.0"
description = ""
optional = false
python-versions = "^3.11"
groups = ["main"]
files = []
develop = true

[package.dependencies]
six = "^1.16"

[package.source]
type = "directory"
url = "app"

[[package]]
name = "six"
version = "1.17.0"
description = "Python 2 and 3 compatibility utilities"
optional = false
python-versions = "!=3.0.*,!=3.1.*,!=3.2.*,>=2.7"
groups = ["main"]
files = [
    {file = "six-1.17.0-py2.py3-none-any.whl", hash = "sha256:${SIX_SHA}"},
]

[package.source]
type = "legacy"
url = "${index}"
reference = "local"

[metadata]
lock-version = "2.1"
python-versions = "^3.11"
content-hash = "00"
`,
      'app/pyproject.toml': `[tool.poetry]
name = "app"
version = "0.1.0"
description = ""
authors = []

[tool.poetry.dependencies]
python = "^3.11"
six = "^1.16"
`,
      'app/main.py': MAIN,
      'scripts/main.py': MAIN,
    });
  });

  after(() => server?.close());

  test("builds from the Poetry project's poetry.lock and runs", async () => {
    const out = path.join(tmp, 'poetry-out');
    const r = await runCliAsync(['build', ...buildArgs(path.join(mono, 'app'), out), '--json']);
    assert.equal(r.code, 0, describeRun(r));
    const deps = r.json.plan.dependencies;
    assert.equal(deps.format, 'poetry-lock');
    assert.equal(deps.path, path.join(mono, 'poetry.lock'));
    assert.equal(
      deps.rule,
      'poetry.lock of the Poetry project at .. (this directory is its path dependency app)',
    );
    assert.deepEqual(
      deps.packages.map((p) => `${p.name}==${p.version}`),
      ['six==1.17.0'],
    );
    assert.equal(fs.existsSync(path.join(mono, 'app', 'pylock.toml')), false);
    const run = runInImage(out, '1');
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /__main__ on six 1\.17\.0/);
  });

  test('a directory of the project with no pyproject.toml is refused, naming the project', async () => {
    const err = await refused(path.join(mono, 'scripts'));
    assert.equal(err.code, 'dependencies');
    assert.match(
      err.message,
      /inside the project of .*poetry\/pyproject\.toml, whose poetry\.lock holds that project's dependencies; build with that directory as the context/,
    );
  });
});
