// A project's config cannot reach outside its context (issue 12): every
// path-valued key of pycontainer.toml and [tool.pycontainer] that is
// absolute, leaves by '..' or through a symlink is refused, naming the file,
// the key and the path, with nothing written; a requirements file that
// config names cannot include one outside. The same paths given by a flag
// or a PYCONTAINER_* variable (the person running the build) work.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BASE_TAG, baseLayout, describeRun, makeTempDir, removeDir, runCli } from './helpers.mjs';

let tmp;
let outside;

before(() => {
  tmp = makeTempDir('pycontainer-e2e-confine-');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.env'), 'SECRET=hunter2\n');
  fs.writeFileSync(path.join(outside, 'requirements.txt'), '# nothing to install\n');
  fs.symlinkSync(baseLayout(), path.join(outside, 'base'));
});

after(() => removeDir(tmp));

/** A fresh project with `files` and a link `out` to the outside directory (excluded). */
function project(name, files) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'pyproject.toml'),
    '[project]\nname = "app"\nversion = "0.1.0"\n',
  );
  fs.writeFileSync(path.join(dir, 'main.py'), 'print("hi")\n');
  // Left out of the image: the walk would refuse a link out that ships.
  fs.symlinkSync(outside, path.join(dir, 'out'));
  fs.writeFileSync(path.join(dir, '.dockerignore'), 'out\n');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.appendFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Each path-valued key, with the file outside it names (relative to `outside`). */
const KEYS = [
  { key: 'env-file', file: 'secret.env' },
  { key: 'output', file: 'new-out' },
  { key: 'requirements', file: 'requirements.txt' },
  { key: 'base-image', file: 'base', value: (p) => `oci:${p}:${BASE_TAG}` },
];

/** The three ways out: '..', an absolute path, a symlink. */
const WAYS = [
  { way: 'dotdot', path: (f) => `../outside/${f}`, why: "through '..'" },
  { way: 'absolute', path: (f) => path.join(outside, f), why: 'is absolute' },
  { way: 'symlink', path: (f) => `out/${f}`, why: 'through the symlink' },
];

function dryRun(dir, args = [], env = {}) {
  return runCli(['build', '--context', dir, '--dry-run', '--json', ...args], { cwd: dir, env });
}

describe('project config is confined to the context', () => {
  for (const { key, file, value = (p) => p } of KEYS) {
    for (const { way, path: pathOf, why } of WAYS) {
      test(`${key} ${way}: refused from pycontainer.toml and [tool.pycontainer]`, () => {
        const p = pathOf(file);
        const line = `${key} = ${JSON.stringify(value(p))}\n`;
        for (const [where, files, named] of [
          ['toml', { 'pycontainer.toml': `[build]\n${line}` }, 'pycontainer.toml [build]'],
          ['tool', { 'pyproject.toml': `\n[tool.pycontainer]\n${line}` }, '[tool.pycontainer]'],
        ]) {
          const dir = project(`${key}-${way}-${where}`, files);
          const r = dryRun(dir, ['--base-image', 'scratch', '--output', `${dir}-o`]);
          assert.equal(r.code, 1, describeRun(r));
          assert.ok(r.stderr.includes(`${named}: \`${key}\``), r.stderr);
          assert.ok(r.stderr.includes(JSON.stringify(p)), r.stderr);
          assert.ok(r.stderr.includes(why), r.stderr);
          assert.equal(r.stdout.includes('hunter2') || r.stderr.includes('hunter2'), false);
          assert.equal(fs.existsSync(`${dir}-o`), false, 'nothing written');
        }
      });
    }

    test(`${key}: the same outside path works from a flag and from PYCONTAINER_*`, () => {
      const abs = value(path.join(outside, file));
      const dir = project(`${key}-runner`, {});
      const base = key === 'base-image' ? [] : ['--base-image', `oci:${baseLayout()}:${BASE_TAG}`];
      const flag = dryRun(dir, [...base, `--${key}`, abs]);
      assert.equal(flag.code, 0, describeRun(flag));
      const variable = `PYCONTAINER_${key.toUpperCase().replace('-', '_')}`;
      const viaEnv = dryRun(dir, base, { [variable]: abs });
      assert.equal(viaEnv.code, 0, describeRun(viaEnv));
      if (key === 'env-file') assert.equal(flag.json.plan.env.SECRET, 'hunter2');
      if (key === 'output') assert.equal(viaEnv.json.output, abs);
    });
  }

  test('a requirements file config names cannot include one outside', () => {
    for (const include of ['-r ../../outside/requirements.txt', '-c ../out/requirements.txt']) {
      const dir = project(`include-${include.slice(1, 2)}`, {
        'pycontainer.toml': '[build]\nrequirements = "reqs/main.txt"\n',
        'reqs/main.txt': `${include}\n`,
      });
      const r = dryRun(dir, ['--base-image', `oci:${baseLayout()}:${BASE_TAG}`]);
      assert.equal(r.code, 1, describeRun(r));
      assert.match(r.stderr, /requirements\.txt, included from reqs\/main\.txt/, r.stderr);
      // Named by a flag, the same file may include it.
      const flag = dryRun(dir, [
        '--base-image',
        `oci:${baseLayout()}:${BASE_TAG}`,
        '--requirements',
        path.join(dir, 'reqs', 'main.txt'),
      ]);
      assert.equal(flag.code, 0, describeRun(flag));
    }
  });
});
