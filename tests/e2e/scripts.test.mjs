// Every console and GUI script a project declares gets a launcher on PATH,
// as `pip install .` gives them (issue 11), not only the one the image runs:
// a pyproject project with three scripts and a setup.cfg project, both
// without dependencies (launchers in /usr/local/bin), and a project with a
// dependency (launchers in the venv's bin/, pip's own, listed in the
// project's RECORD). Each script is run by name with runc, as the image's
// non-root user. The projects are written here; the one dependency is the
// six wheel from tests/fixtures/wheels, so nothing is downloaded.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  baseRef,
  build,
  describeRun,
  makeTempDir,
  ROOT,
  readImage,
  readLayerTar,
  removeDir,
  requireRoot,
  requireTools,
  runInImage,
} from './helpers.mjs';

const SIX = 'six-1.17.0-py2.py3-none-any.whl';
const NONROOT = 65532;

let tmp;

before(() => {
  requireTools('umoci', 'runc');
  requireRoot();
  tmp = makeTempDir('pycontainer-e2e-scripts-');
});

after(() => removeDir(tmp));

/** Writes `files` ({relative path: text}) into tmp/name and returns its path. */
function project(name, files) {
  const dir = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Builds `dir` on the Debian python base into a fresh layout tagged 1. */
function buildImage(dir) {
  const out = `${dir}-out`;
  const result = build([
    '--context',
    dir,
    '--base-image',
    baseRef(),
    '--output',
    out,
    '--tag',
    'scripts:1',
    '--cache-dir',
    path.join(tmp, 'cache'),
  ]);
  return { out, result };
}

/** Runs the command `name` (looked up on the image's PATH) with `args`. */
function runScript(out, name, args = []) {
  return runInImage(out, '1', [name, ...args], { replace: true });
}

// Each function prints its name, the uid it runs as and the launcher's
// argv[0], so a run shows which launcher ran, from where, as whom.
const CLI = `import os
import sys


def report(name):
    print(f"{name} uid={os.getuid()} argv0={sys.argv[0]} args={sys.argv[1:]}")


def one():
    report("one")


def two():
    report("two")
    return 3


class Three:
    @staticmethod
    def run():
        report("three")
`;

describe('a pyproject project with three console scripts and no dependencies', () => {
  let out;
  let result;

  before(() => {
    const dir = project('trio', {
      'pyproject.toml': `[project]
name = "trio"
version = "1.0"

[project.scripts]
trio-one = "trio.cli:one"
trio-two = "trio.cli:two"
trio-three = "trio.cli:Three.run"
`,
      'trio/__init__.py': '',
      'trio/cli.py': CLI,
    });
    ({ out, result } = buildImage(dir));
  });

  test('the plan lists every launcher, in /usr/local/bin, and runs the first', () => {
    assert.deepEqual(result.plan.scripts, [
      { name: 'trio-one', target: 'trio.cli:one', path: '/usr/local/bin/trio-one' },
      { name: 'trio-two', target: 'trio.cli:two', path: '/usr/local/bin/trio-two' },
      { name: 'trio-three', target: 'trio.cli:Three.run', path: '/usr/local/bin/trio-three' },
    ]);
    assert.deepEqual(result.plan.entrypoint.command, ['python3', '/usr/local/bin/trio-one']);
  });

  test('each script runs by name as the non-root user, and its result is the exit status', () => {
    const one = runScript(out, 'trio-one', ['a', 'b']);
    assert.equal(one.code, 0, describeRun(one));
    assert.equal(one.stdout, `one uid=${NONROOT} argv0=trio-one args=['a', 'b']\n`);
    const two = runScript(out, 'trio-two');
    assert.equal(two.code, 3, describeRun(two));
    assert.equal(two.stdout, `two uid=${NONROOT} argv0=trio-two args=[]\n`);
    const three = runScript(out, 'trio-three');
    assert.equal(three.code, 0, describeRun(three));
    assert.equal(three.stdout, `three uid=${NONROOT} argv0=trio-three args=[]\n`);
  });
});

describe('a setup.cfg project with console and GUI scripts', () => {
  let out;
  let result;

  before(() => {
    const dir = project('legacy', {
      'pyproject.toml': `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"
`,
      'setup.cfg': `[metadata]
name = legacy-tools
version = 2.0

[options]
packages = find:

[options.entry_points]
console_scripts =
    legacy-one = legacy.cli:one
    legacy-two = legacy.cli:two
gui_scripts =
    legacy-three = legacy.cli:Three.run
`,
      'legacy/__init__.py': '',
      'legacy/cli.py': CLI,
    });
    ({ out, result } = buildImage(dir));
  });

  test('every script of setup.cfg gets a launcher in /usr/local/bin', () => {
    assert.deepEqual(
      result.plan.scripts.map((s) => s.path),
      ['/usr/local/bin/legacy-one', '/usr/local/bin/legacy-two', '/usr/local/bin/legacy-three'],
    );
    for (const [name, said, code] of [
      ['legacy-one', 'one', 0],
      ['legacy-two', 'two', 3],
      ['legacy-three', 'three', 0],
    ]) {
      const r = runScript(out, name);
      assert.equal(r.code, code, describeRun(r));
      assert.equal(r.stdout, `${said} uid=${NONROOT} argv0=${name} args=[]\n`);
    }
  });
});

describe('a project with a dependency: the scripts are in the venv', () => {
  let out;
  let result;

  before(() => {
    const dir = project('withdep', {
      'pyproject.toml': `[project]
name = "dep-tools"
version = "0.3"

[project.scripts]
dep-one = "deptools.cli:one"
dep-two = "deptools.cli:two"
dep-three = "deptools.cli:three"
`,
      'requirements.txt': `./${SIX}\n`,
      'deptools/__init__.py': '',
      'deptools/cli.py': `import importlib.metadata
import sys

import six


def report(name):
    print(f"{name} six={six.__version__} prefix={sys.prefix} argv0={sys.argv[0]}")


def one():
    report("one")


def two():
    report("two")


def three():
    report("three")
    files = importlib.metadata.files("dep-tools")
    print(sorted(f.name for f in files if "bin" in f.parts))
`,
    });
    fs.copyFileSync(path.join(ROOT, 'tests', 'fixtures', 'wheels', SIX), path.join(dir, SIX));
    ({ out, result } = buildImage(dir));
  });

  test("the launchers are pip's, in /app/.venv/bin, and the entry point names the first", () => {
    assert.deepEqual(
      result.plan.scripts.map((s) => s.path),
      ['/app/.venv/bin/dep-one', '/app/.venv/bin/dep-two', '/app/.venv/bin/dep-three'],
    );
    assert.deepEqual(result.plan.entrypoint.command, ['python3', '/app/.venv/bin/dep-one']);
    const { manifest } = readImage(out, '1');
    const app = readLayerTar(out, manifest.layers.at(-1).digest);
    const launcher = app.entries.find((e) => e.path === 'app/.venv/bin/dep-two');
    assert.ok(launcher, 'the launcher is in the app layer');
    assert.equal(launcher.mode & 0o777, 0o755);
    assert.match(launcher.data.toString('utf8'), /^#!\/app\/\.venv\/bin\/python\n/);
    assert.equal(
      app.entries.some((e) => e.path === 'usr/local/bin/dep-one'),
      false,
      'none in /usr/local/bin',
    );
  });

  test("each script runs by name with the venv's interpreter, which imports the dependency", () => {
    for (const name of ['one', 'two']) {
      const r = runScript(out, `dep-${name}`);
      assert.equal(r.code, 0, describeRun(r));
      assert.equal(
        r.stdout,
        `${name} six=1.17.0 prefix=/app/.venv argv0=/app/.venv/bin/dep-${name}\n`,
      );
    }
    const three = runScript(out, 'dep-three');
    assert.equal(three.code, 0, describeRun(three));
    assert.equal(
      three.stdout,
      "three six=1.17.0 prefix=/app/.venv argv0=/app/.venv/bin/dep-three\n['dep-one', 'dep-three', 'dep-two']\n",
      "the project's RECORD lists its launchers",
    );
  });

  test('the entry point runs the first script from the venv', () => {
    const r = runInImage(out, '1');
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout, 'one six=1.17.0 prefix=/app/.venv argv0=/app/.venv/bin/dep-one\n');
  });
});
