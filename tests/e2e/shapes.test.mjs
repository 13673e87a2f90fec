// Projects of the shapes real ones have, built with no flags and run as the
// image's default non-root user (umoci unpack + runc): what a careful
// Dockerfile would give, pycontainer must give too.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  baseRef,
  build,
  describeRun,
  makeTempDir,
  removeDir,
  requireRoot,
  requireTools,
  runCli,
  runInImage,
} from './helpers.mjs';

let tmp;

before(() => {
  requireTools('umoci', 'runc');
  requireRoot();
  tmp = makeTempDir('pycontainer-e2e-shapes-');
});

after(() => removeDir(tmp));

/** Writes `files` ({relative path: text}) under a new directory in tmp. */
function project(name, files) {
  const dir = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('build outputs are left out only at the top of the context', () => {
  test('a nested build/ directory ships and is read at run time', () => {
    const ctx = project('mailer', {
      'pyproject.toml': [
        '[project]',
        'name = "mailer"',
        'version = "1.0"',
        'requires-python = ">=3.11"',
        '[project.scripts]',
        'mailer = "mailer.cli:main"',
        '',
      ].join('\n'),
      'mailer/__init__.py': '',
      'mailer/cli.py': [
        'from pathlib import Path',
        '',
        'def main():',
        '    page = Path(__file__).parent / "email-templates" / "build" / "welcome.html"',
        '    print(page.read_text().strip())',
        '',
      ].join('\n'),
      'mailer/email-templates/src/welcome.mjml': '<mjml>welcome</mjml>\n',
      'mailer/email-templates/build/welcome.html': '<p>Welcome aboard</p>\n',
      'dist/mailer-1.0.tar.gz': 'not shipped\n',
    });
    const out = path.join(tmp, 'mailer-out');
    const result = build(['--context', ctx, '--base-image', baseRef(), '--output', out]);
    assert.deepEqual(
      result.plan.excluded.map((e) => [e.path, e.reason]),
      [['dist', 'build output']],
    );
    const r = runInImage(out, 'latest');
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout.trim(), '<p>Welcome aboard</p>');
  });

  test('a top-level build/ the code names is listed in --dry-run, and warned about', () => {
    const ctx = project('spa', {
      'main.py': [
        'from pathlib import Path',
        'ROOT = Path(__file__).parent / "build"',
        'print((ROOT / "index.html").read_text())',
        '',
      ].join('\n'),
      'build/index.html': '<html></html>\n',
      '__pycache__/main.cpython-311.pyc': '',
    });
    const r = runCli(['build', '--context', ctx, '--base-image', 'scratch', '--dry-run']);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /^\s+- __pycache__ {2}\(bytecode cache\)$/m, r.stdout);
    assert.match(r.stdout, /^\s+- build {2}\(build output, named in main\.py\)$/m, r.stdout);
    assert.doesNotMatch(r.stdout, /--verbose lists them/);
    assert.match(
      r.stderr,
      /build\/ is left out \(build output\), but main\.py names it; --include build ships it/,
    );
    const json = runCli([
      'build',
      '--context',
      ctx,
      '--base-image',
      'scratch',
      '--dry-run',
      '--json',
    ]);
    assert.equal(json.code, 0, describeRun(json));
    assert.deepEqual(
      json.json.plan.warnings.map((w) => w.code),
      ['excluded-referenced'],
    );
    const shipped = runCli([
      'build',
      '--context',
      ctx,
      '--base-image',
      'scratch',
      '--dry-run',
      '--json',
      '--include',
      'build',
    ]);
    assert.deepEqual(shipped.json.plan.warnings, []);
  });
});
