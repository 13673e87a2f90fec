// Which Python the image runs (issue 11): a lock's requires-python and
// wheels narrow the choice, .python-version and runtime.txt pin it, and an
// explicit base brings its own, checked against requires-python. The plan
// (text and --json) always shows it with its rule, and the lock pycontainer
// writes records the Python the image has.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { makeWheel } from '../infra/make-wheels.mjs';
import {
  BASE_TAG,
  baseRef,
  build,
  describeRun,
  makeTempDir,
  removeDir,
  runCli,
  runCliAsync,
  sha256Hex,
  startSixIndex,
} from './helpers.mjs';

let tmp;
let cache;

before(() => {
  tmp = makeTempDir('pycontainer-e2e-python-');
  cache = path.join(tmp, 'cache');
});

after(() => removeDir(tmp));

/** Writes `files` (relative path → text) under a new directory `name`. */
function project(name, files) {
  const dir = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function pyproject(requires, deps = []) {
  const list = deps.map((d) => `"${d}"`).join(', ');
  return `[project]\nname = "svc"\nversion = "1.0"\nrequires-python = "${requires}"\ndependencies = [${list}]\n`;
}

/** The `python:` row of a text plan and the rule line under it. */
function pythonRows(text) {
  const m = text.match(/^ {2}python:\s+(\S.*)\n\s+rule: (.*)$/m);
  assert.ok(m, `no python row in:\n${text}`);
  return { shown: m[1], rule: m[2] };
}

function dryRun(context, args = []) {
  const text = runCli(['build', '--context', context, '--dry-run', ...args]);
  assert.equal(text.code, 0, describeRun(text));
  const json = runCli(['build', '--context', context, '--dry-run', '--json', ...args]);
  assert.equal(json.code, 0, describeRun(json));
  return { text: text.stdout, plan: json.json.plan };
}

describe('a uv.lock made for CPython 3.10 to 3.12', () => {
  let dir;

  before(() => {
    // A native package with wheels for cp310, cp311 and cp312 only, as a
    // lock made for ">=3.10, <3.13" has them.
    const wheels = path.join(tmp, 'wheels');
    const entry = (file) =>
      `{ url = "${pathToFileURL(file).href}", hash = "sha256:${sha256Hex(fs.readFileSync(file))}" }`;
    const core = ['cp310', 'cp311', 'cp312'].map((py) =>
      makeWheel(wheels, 'core', '2.0', [{ path: 'core/__init__.py', data: `ABI = "${py}"\n` }], {
        tag: `${py}-${py}-manylinux_2_17_x86_64`,
      }),
    );
    dir = project('uv-310-312', {
      'pyproject.toml': pyproject('>=3.10', ['core']),
      'main.py': 'import core\nprint(core.ABI)\n',
      'uv.lock': `version = 1
requires-python = ">=3.10, <3.13"

[[package]]
name = "svc"
version = "1.0"
source = { virtual = "." }
dependencies = [{ name = "core" }]

[[package]]
name = "core"
version = "2.0"
source = { registry = "https://pypi.org/simple" }
wheels = [${core.map(entry).join(', ')}]
`,
    });
  });

  test('plans CPython 3.12 on python:3.12-slim, not the newest, and says why', () => {
    const { text, plan } = dryRun(dir);
    assert.equal(plan.base.image, 'python:3.12-slim');
    assert.equal(`${plan.python.major}.${plan.python.minor}`, '3.12');
    assert.equal(
      plan.python.rule,
      'requires-python ">=3.10" (pyproject.toml) and requires-python ">=3.10,<3.13" (uv.lock), with a wheel in uv.lock for every package → Python 3.12',
    );
    assert.deepEqual(pythonRows(text), { shown: '3.12', rule: plan.python.rule });
  });

  test('on the 3.11 base, installs the cp311 wheel', () => {
    const out = path.join(tmp, 'uv-out');
    const result = build([
      '--context',
      dir,
      '--base-image',
      baseRef(),
      '--output',
      out,
      '--tag',
      'py:1',
      '--cache-dir',
      cache,
    ]);
    assert.equal(result.plan.python.version, '3.11.2');
    assert.deepEqual(
      result.plan.dependencies.packages.map((p) => p.wheel),
      ['core-2.0-cp311-cp311-manylinux_2_17_x86_64.whl'],
    );
  });
});

describe('.python-version and runtime.txt', () => {
  test('.python-version pins the minor, and the plan says so', () => {
    const dir = project('pv', {
      'pyproject.toml': pyproject('>=3.9'),
      '.python-version': '3.11.4\n',
      'main.py': '',
    });
    const { text, plan } = dryRun(dir);
    assert.equal(plan.base.image, 'python:3.11-slim');
    assert.deepEqual(pythonRows(text), {
      shown: '3.11',
      rule: 'Python 3.11 (.python-version) → Python 3.11',
    });
  });

  test('runtime.txt pins the minor, and the plan says so', () => {
    const dir = project('rt', { 'runtime.txt': 'python-3.10.2\n', 'main.py': '' });
    const { text, plan } = dryRun(dir);
    assert.equal(plan.base.image, 'python:3.10-slim');
    assert.deepEqual(pythonRows(text), {
      shown: '3.10',
      rule: 'Python 3.10 (runtime.txt) → Python 3.10',
    });
  });
});

describe('an explicit base brings its Python', () => {
  test('the plan shows the 3.11 of the base, in text and --json', () => {
    const dir = project('on-base', { 'pyproject.toml': pyproject('>=3.10'), 'main.py': '' });
    const args = ['--base-image', baseRef(), '--cache-dir', cache];
    const { text, plan } = dryRun(dir, args);
    assert.equal(plan.python.version, '3.11.2');
    assert.equal(`${plan.python.major}.${plan.python.minor}`, '3.11');
    assert.equal(plan.python.baseImage, undefined);
    assert.match(
      plan.python.rule,
      /^the base image's interpreter \(\/usr\/\S*python3\S*, 3\.11\.2\)$/,
    );
    assert.deepEqual(pythonRows(text), { shown: '3.11.2', rule: plan.python.rule });
  });

  test('requires-python >=3.12 on it fails naming both, unless ignored', () => {
    const dir = project('too-old', { 'pyproject.toml': pyproject('>=3.12'), 'main.py': '' });
    const out = path.join(tmp, 'too-old-out');
    const args = ['build', '--context', dir, '--base-image', baseRef()];
    const more = ['--output', out, '--tag', 'old:1', '--cache-dir', cache];
    const r = runCli([...args, ...more]);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(
      r.stderr,
      new RegExp(
        `the base image oci:.*:${BASE_TAG}'s Python 3\\.11\\.2 \\(/usr/\\S*python3\\S*\\) is not allowed by requires-python ">=3\\.12" \\(pyproject\\.toml\\)`,
      ),
    );
    assert.match(r.stderr, /--ignore-requires-python/);
    assert.equal(fs.existsSync(out), false, 'nothing written');

    const ok = build([...args.slice(1), ...more, '--ignore-requires-python']);
    assert.equal(ok.plan.python.version, '3.11.2');
    assert.match(ok.plan.python.rule, /does not allow it, ignored \(--ignore-requires-python\)$/);
  });

  test("the lock pycontainer writes records the base's Python", async () => {
    // A Simple API page for six, so the project's list is resolved and locked.
    const server = await startSixIndex();
    try {
      const index = server.url;
      const dir = project('locks', {
        'pyproject.toml': pyproject('>=3.10', ['six']),
        'main.py': '',
      });
      const out = path.join(tmp, 'locks-out');
      const r = await runCliAsync([
        'build',
        '--context',
        dir,
        '--base-image',
        baseRef(),
        '--index-url',
        index,
        '--output',
        out,
        '--tag',
        'locks:1',
        '--cache-dir',
        cache,
        '--json',
      ]);
      assert.equal(r.code, 0, describeRun(r));
      const plan = JSON.parse(r.stdout).plan;
      const lock = fs.readFileSync(path.join(dir, 'pylock.toml'), 'utf8');
      assert.match(lock, /^requires-python = "==3\.11\.2"$/m);
      assert.equal(plan.python.version, '3.11.2');
    } finally {
      server.close();
    }
  });
});
