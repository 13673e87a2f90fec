// The Python integrations (integrations/python: the @containerize
// decorator, the Poetry plugin, the Hatch build hook) under pytest, in the
// cached venv of tests/infra/python-venv.sh (pytest and the real Poetry and
// hatchling, pinned). The package is installed into this run's own temp
// dir, as pip would install it for a user, so that Poetry and hatchling find
// it by its entry points; the venv itself is never changed.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { baseRef, CLI, ensureWasm, makeTempDir, ROOT, removeDir } from './helpers.mjs';

const PACKAGE = path.join(ROOT, 'integrations', 'python');

let work;
let venv;

before(() => {
  ensureWasm();
  work = makeTempDir('pycontainer-integrations-python-');
  const out = execFileSync('bash', [path.join(ROOT, 'tests', 'infra', 'python-venv.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  venv = out.trim().split('\n').at(-1);
});

after(() => removeDir(work));

/** A word for PYCONTAINER_COMMAND, which the package splits like a shell. */
const shellWord = (s) => `'${s.replaceAll("'", `'\\''`)}'`;

test('pytest: the decorator, the Poetry plugin and the Hatch build hook against the real CLI, Poetry and hatchling', (t) => {
  const site = path.join(work, 'site');
  // --no-build-isolation: the venv's hatchling builds it, with no download.
  execFileSync(
    path.join(venv, 'bin', 'python'),
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--no-build-isolation',
      '--target',
      site,
      PACKAGE,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const r = spawnSync(
    path.join(venv, 'bin', 'python'),
    [
      '-m',
      'pytest',
      '-q',
      // Skip reasons in the summary (test_decorator_run.py while there is no `run`).
      '-rs',
      '-p',
      'no:cacheprovider',
      '--basetemp',
      path.join(work, 'pytest'),
      'tests',
    ],
    {
      cwd: PACKAGE,
      encoding: 'utf8',
      env: {
        ...process.env,
        PYTHONPATH: site,
        PYTHONDONTWRITEBYTECODE: '1',
        PYCONTAINER_TEST_COMMAND: `${shellWord(process.execPath)} ${shellWord(CLI)}`,
        PYCONTAINER_TEST_BASE_IMAGE: baseRef(),
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  assert.equal(r.status, 0, `pytest failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, / passed/);
  for (const line of r.stdout.trim().split('\n').slice(-2)) t.diagnostic(line);
});
