// The configuration surface through the real CLI and the real wasm core:
// --dry-run plans of the framework examples, the four settings sources and
// their precedence, bad input (exit status, message, nothing written),
// .dockerignore with --include on a real build, and colour-free output.
//
// Almost everything is a dry run (~0.1 s) or a scratch build, so the file is fast.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  describeRun,
  listTree,
  makeTempDir,
  ROOT,
  readImage,
  readLayerTar,
  removeDir,
  requireTools,
  runCli,
  runTool,
  snapshotTree,
} from './helpers.mjs';

/**
 * The newest maintained CPython minor (src/python/interpreters.rs). A project
 * asking for ">=3.9" or ">=3.10" gets it. The `>=4` case below checks that the
 * core's own message ends its range with this version, so a new CPython
 * release fails here with a message saying what to update.
 */
const NEWEST = '3.14';

/** Every PYCONTAINER_<KEY> the core reads: cleared so the caller's shell cannot leak in. */
const CONFIG_VARS = [
  'BASE_IMAGE',
  'PYTHON',
  'PLATFORM',
  'WORKDIR',
  'OUTPUT',
  'TAGS',
  'ENV_FILE',
  'PORTS',
  'USER',
  'ENTRYPOINT',
  'CMD',
  'SCRIPT',
  'INCLUDE',
  'EXCLUDE',
].map((k) => `PYCONTAINER_${k}`);

const ESC = '\u001b';

let tmp;
let dirNo = 0;

before(() => {
  tmp = makeTempDir('pycontainer-e2e-config-');
});

after(() => {
  removeDir(tmp);
});

/** A fresh empty directory under tmp. */
function freshDir(label = 'dir') {
  dirNo += 1;
  const dir = path.join(tmp, `${dirNo}-${label}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The CLI with no PYCONTAINER_* or colour settings from the caller, plus `env`. */
function cli(args, { cwd, env = {} } = {}) {
  const clean = { NO_COLOR: undefined, FORCE_COLOR: undefined };
  for (const v of CONFIG_VARS) clean[v] = undefined;
  return runCli(args, { cwd, env: { ...clean, ...env } });
}

/** Writes `files` ({relative path: text}) under `dir` and returns dir. */
function writeFiles(dir, files) {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  return dir;
}

/** A small project: pyproject.toml (with `extra` appended) and main.py. */
function project(label, { requires = '>=3.9', extra = '', files = {} } = {}) {
  const dir = freshDir(label);
  return writeFiles(dir, {
    'pyproject.toml': `[project]\nname = "${label}"\nversion = "1.0"\nrequires-python = "${requires}"\n${extra}`,
    'main.py': 'print("hi")\n',
    ...files,
  });
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const EXAMPLES = [
  {
    example: 'fastapi-app',
    framework: 'fastapi',
    requires: '>=3.10',
    command: ['uvicorn', 'svc.main:app', '--host', '0.0.0.0', '--port', '8000'],
    shown: 'uvicorn svc.main:app --host 0.0.0.0 --port 8000',
    detail: /FastAPI app svc\.main:app .*uvicorn/,
    port: 8000,
  },
  {
    example: 'flask-app',
    framework: 'flask',
    requires: '>=3.9',
    command: ['gunicorn', '--bind', '0.0.0.0:5000', 'shop:create_app()'],
    shown: "gunicorn --bind 0.0.0.0:5000 'shop:create_app()'",
    detail: /Flask app shop:create_app .*gunicorn/,
    port: 5000,
  },
  {
    example: 'django-app',
    framework: 'django',
    requires: '>=3.9',
    command: ['gunicorn', '--bind', '0.0.0.0:8000', 'mysite.wsgi:application'],
    shown: 'gunicorn --bind 0.0.0.0:8000 mysite.wsgi:application',
    detail: /Django app mysite\.wsgi:application .*gunicorn/,
    port: 8000,
  },
];

describe('--dry-run on the framework examples', () => {
  for (const ex of EXAMPLES) {
    describe(ex.example, () => {
      const ctx = path.join(ROOT, 'examples', ex.example);

      test('prints the plan with the rules and writes nothing', () => {
        const cwd = freshDir(`dry-${ex.example}`);
        const out = path.join(cwd, 'out');
        const before = snapshotTree(ctx);
        const r = cli(['build', '--context', ctx, '--output', out, '--dry-run'], { cwd });
        assert.equal(r.code, 0, describeRun(r));
        const text = r.stdout;
        assert.match(text, /^dry run: nothing written$/m);
        assert.match(text, new RegExp(`^\\s+base:\\s+python:${escapeRe(NEWEST)}-slim$`, 'm'));
        assert.match(
          text,
          new RegExp(
            `^\\s+rule: python:X\\.Y-slim for requires-python "${escapeRe(ex.requires)}" \\(pyproject\\.toml\\) → Python ${escapeRe(NEWEST)}$`,
            'm',
          ),
          text,
        );
        assert.match(text, new RegExp(`^\\s+entry point:\\s+${escapeRe(ex.shown)}$`, 'm'), text);
        assert.match(text, /^\s+rule: framework \(.+\)$/m, text);
        assert.match(text, ex.detail, text);
        assert.match(text, new RegExp(`^\\s+ports:\\s+${ex.port}/tcp$`, 'm'), text);
        assert.match(text, /^\s+user:\s+65532:65532$/m, text);
        assert.match(text, /HOME=\/home\/nonroot/, text);
        assert.match(text, new RegExp(`io\\.pycontainer\\.framework=${ex.framework}`), text);
        assert.equal(fs.existsSync(out), false, 'the output dir was not created');
        assert.deepEqual(listTree(cwd), [], 'nothing written in the current directory');
        assert.deepEqual(snapshotTree(ctx), before, 'the example is untouched');
      });

      test('--dry-run --json has the plan, and the text shows its rules', () => {
        const cwd = freshDir(`json-${ex.example}`);
        const out = path.join(cwd, 'out');
        const r = cli(['build', '--context', ctx, '--output', out, '--dry-run', '--json'], {
          cwd,
        });
        assert.equal(r.code, 0, describeRun(r));
        assert.ok(r.json, `stdout is JSON: ${r.stdout}`);
        const { plan } = r.json;
        assert.equal(r.json.dryRun, true);
        assert.deepEqual(r.json.layers, [], 'no layer was written');
        assert.deepEqual(plan.entrypoint.command, ex.command);
        assert.equal(plan.entrypoint.rule, 'framework');
        assert.match(plan.entrypoint.detail, ex.detail);
        assert.deepEqual(plan.ports, [`${ex.port}/tcp`]);
        assert.equal(plan.user, '65532:65532');
        assert.equal(plan.env.HOME, '/home/nonroot');
        assert.equal(plan.labels['io.pycontainer.framework'], ex.framework);
        // Base inferred from requires-python: the newest maintained minor.
        assert.equal(plan.base.image, `python:${NEWEST}-slim`);
        assert.equal(plan.base.resolved, false, 'a dry run pulls nothing');
        assert.equal(`${plan.python.major}.${plan.python.minor}`, NEWEST);
        assert.equal(plan.python.baseImage, plan.base.image);
        assert.match(plan.base.rule, new RegExp(`requires-python "${escapeRe(ex.requires)}"`));
        assert.match(plan.base.rule, new RegExp(`→ Python ${escapeRe(NEWEST)}$`));
        assert.equal(fs.existsSync(out), false);
        assert.deepEqual(listTree(cwd), []);

        // The text plan shows exactly these rules.
        const t = cli(['build', '--context', ctx, '--output', out, '--dry-run'], { cwd });
        assert.equal(t.code, 0, describeRun(t));
        assert.ok(t.stdout.includes(`rule: ${plan.base.rule}\n`), t.stdout);
        assert.ok(
          t.stdout.includes(`rule: ${plan.entrypoint.rule} (${plan.entrypoint.detail})\n`),
          t.stdout,
        );
      });

      test('a real build pulls the inferred base; unreachable, it fails clearly and writes nothing', () => {
        const cwd = freshDir(`pull-${ex.example}`);
        const out = path.join(cwd, 'out');
        // Docker Hub through a mirror on a refused port: the same answer on
        // every machine, with or without internet.
        const r = cli(['build', '--context', ctx, '--output', out], {
          cwd,
          env: { PYCONTAINER_REGISTRY_MIRRORS: 'docker.io=127.0.0.1:1' },
        });
        assert.equal(r.code, 1, describeRun(r));
        assert.match(r.stderr, /^pycontainer: error: /);
        assert.ok(r.stderr.includes(`python:${NEWEST}-slim`), r.stderr);
        assert.match(r.stderr, /cannot reach 127\.0\.0\.1:1/, r.stderr);
        assert.equal(r.stdout, '');
        assert.equal(fs.existsSync(out), false);
        assert.deepEqual(listTree(cwd), []);
      });
    });
  }
});

test('--dry-run into an existing layout leaves it byte-identical', () => {
  const ctx = project('dry-existing');
  const out = path.join(freshDir('dry-existing-out'), 'layout');
  const first = cli(['build', '--context', ctx, '--base-image', 'scratch', '--output', out, '-q']);
  assert.equal(first.code, 0, describeRun(first));
  const before = snapshotTree(out);
  fs.writeFileSync(path.join(ctx, 'main.py'), 'print("changed")\n');
  const r = cli([
    'build',
    '--context',
    ctx,
    '--base-image',
    'scratch',
    '--output',
    out,
    '--tag',
    'dry:2',
    '--dry-run',
  ]);
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stdout, /^dry run: nothing written$/m);
  assert.deepEqual(snapshotTree(out), before);
});

describe('Python choice', () => {
  const planOf = (ctx, extra = []) => {
    const r = cli(['build', '--context', ctx, '--dry-run', '--json', ...extra], { cwd: ctx });
    assert.equal(r.code, 0, describeRun(r));
    return r.json.plan;
  };

  test('the newest maintained minor within an upper bound', () => {
    const plan = planOf(project('bounded', { requires: '>=3.10,<3.13' }));
    assert.equal(plan.base.image, 'python:3.12-slim');
    assert.match(
      plan.base.rule,
      /requires-python ">=3\.10,<3\.13" \(pyproject\.toml\) → Python 3\.12$/,
    );
  });

  test('--python wins over requires-python and says so', () => {
    const plan = planOf(project('pinned', { requires: '>=3.10' }), ['--python', '3.11']);
    assert.equal(plan.base.image, 'python:3.11-slim');
    assert.match(plan.base.rule, /--python/);
    assert.equal(plan.python.minor, 11);
  });
});

describe('precedence: flag > PYCONTAINER_* > pycontainer.toml > [tool.pycontainer] > inferred', () => {
  /** A project with workdir set in [tool.pycontainer] and/or pycontainer.toml. */
  function layered(label, { tool = true, file = true } = {}) {
    return project(label, {
      extra: tool ? '\n[tool.pycontainer]\nworkdir = "/tool"\n' : '',
      files: file ? { 'pycontainer.toml': '[build]\nworkdir = "/file"\n' } : {},
    });
  }

  /** plan.workdir and the source kinds of a dry run in `ctx`. */
  function workdir(ctx, { env = {}, flags = [] } = {}) {
    const r = cli(['build', '--context', ctx, '--dry-run', '--json', ...flags], { cwd: ctx, env });
    assert.equal(r.code, 0, describeRun(r));
    const { plan } = r.json;
    // PYTHONPATH follows the workdir (flat layout).
    assert.equal(plan.env.PYTHONPATH, plan.workdir);
    return { workdir: plan.workdir, sources: plan.sources.map((s) => s.kind) };
  }

  test('a flag beats everything', () => {
    const ctx = layered('flag');
    assert.deepEqual(
      workdir(ctx, { env: { PYCONTAINER_WORKDIR: '/env' }, flags: ['--workdir', '/flag'] }),
      { workdir: '/flag', sources: ['flag', 'env', 'pycontainer.toml', 'pyproject'] },
    );
  });

  test('PYCONTAINER_WORKDIR beats the files', () => {
    const ctx = layered('env');
    assert.deepEqual(workdir(ctx, { env: { PYCONTAINER_WORKDIR: '/env' } }), {
      workdir: '/env',
      sources: ['env', 'pycontainer.toml', 'pyproject'],
    });
  });

  test('pycontainer.toml beats [tool.pycontainer]', () => {
    const ctx = layered('file');
    assert.deepEqual(workdir(ctx), {
      workdir: '/file',
      sources: ['pycontainer.toml', 'pyproject'],
    });
  });

  test('[tool.pycontainer] beats the inferred default', () => {
    const ctx = layered('tool', { file: false });
    assert.deepEqual(workdir(ctx), { workdir: '/tool', sources: ['pyproject'] });
  });

  test('with nothing set, the inferred /app', () => {
    const ctx = layered('none', { tool: false, file: false });
    assert.deepEqual(workdir(ctx), { workdir: '/app', sources: [] });
  });

  test('--config FILE replaces the context pycontainer.toml (which is then not read)', () => {
    const ctx = layered('config', { file: false });
    // Broken on purpose: reading it would fail the run.
    writeFiles(ctx, { 'pycontainer.toml': '[build]\nworkdri = "/broken"\n' });
    const cfgDir = freshDir('config-elsewhere');
    const cfg = writeFiles(cfgDir, { 'other.toml': '[build]\nworkdir = "/other"\n' });
    assert.deepEqual(workdir(ctx, { flags: ['--config', path.join(cfg, 'other.toml')] }), {
      workdir: '/other',
      sources: ['pycontainer.toml', 'pyproject'],
    });
  });

  test('maps merge key by key across the layers', () => {
    const ctx = project('maps', {
      extra: '\n[tool.pycontainer]\nenv = { A = "tool", B = "tool", C = "tool" }\n',
      files: { 'pycontainer.toml': '[build]\nenv = { B = "file", C = "file" }\n' },
    });
    const r = cli(['build', '--context', ctx, '--dry-run', '--json', '--env', 'C=flag'], {
      cwd: ctx,
    });
    assert.equal(r.code, 0, describeRun(r));
    const { env } = r.json.plan;
    assert.deepEqual({ A: env.A, B: env.B, C: env.C }, { A: 'tool', B: 'file', C: 'flag' });
  });

  test('relative paths: from the file for file settings, from the cwd for env', () => {
    const ctx = project('relpaths');
    const cfgDir = freshDir('relpaths-config');
    writeFiles(cfgDir, { 'pc.toml': '[build]\noutput = "file-out"\n' });
    const cwd = freshDir('relpaths-cwd');
    const args = ['build', '--context', ctx, '--config', path.join(cfgDir, 'pc.toml')];
    const fromFile = cli([...args, '--dry-run', '--json'], { cwd });
    assert.equal(fromFile.code, 0, describeRun(fromFile));
    assert.equal(fromFile.json.output, path.join(cfgDir, 'file-out'));
    const fromEnv = cli([...args, '--dry-run', '--json'], {
      cwd,
      env: { PYCONTAINER_OUTPUT: 'env-out' },
    });
    assert.equal(fromEnv.code, 0, describeRun(fromEnv));
    assert.equal(fromEnv.json.output, path.join(cwd, 'env-out'));
    assert.deepEqual(listTree(cwd), []);
    assert.deepEqual(listTree(cfgDir), ['pc.toml']);
  });
});

/**
 * Runs a real build (scratch base, so only the bad input can stop it) of
 * `ctx` into a fresh output dir, from a fresh cwd, and checks the refusal:
 * the exit status, every pattern in stderr and no `forbidden` one, no stack
 * trace, nothing on stdout, and nothing written anywhere.
 */
function assertRefused(
  ctx,
  extraArgs,
  { code = 1, patterns, forbidden = [], env = {}, base = ['--base-image', 'scratch'] },
) {
  const cwd = freshDir('refused-cwd');
  const out = path.join(cwd, 'out');
  const before = snapshotTree(ctx);
  const r = cli(['build', '--context', ctx, ...base, '--output', out, ...extraArgs], {
    cwd,
    env,
  });
  assert.equal(r.code, code, describeRun(r));
  assert.match(r.stderr, /^pycontainer: error: /, describeRun(r));
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  assert.doesNotMatch(r.stderr, /panicked|RuntimeError|unreachable|looks like a bug/i);
  for (const p of patterns) {
    const re = typeof p === 'string' ? new RegExp(escapeRe(p)) : p;
    assert.match(r.stderr, re, describeRun(r));
  }
  for (const p of forbidden) {
    const re = typeof p === 'string' ? new RegExp(escapeRe(p)) : p;
    assert.doesNotMatch(r.stderr, re, describeRun(r));
  }
  if (code === 2) assert.match(r.stderr, /see 'pycontainer build --help'/);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.equal(fs.existsSync(out), false, 'no output dir');
  assert.deepEqual(listTree(cwd), [], 'nothing in the cwd');
  assert.deepEqual(snapshotTree(ctx), before, 'the context is untouched');
  return r;
}

describe('bad input: exit status, a message naming the culprit, nothing written', () => {
  test('unknown key in pycontainer.toml: file, key and the closest valid key', () => {
    const ctx = project('unknown-key', {
      files: { 'pycontainer.toml': '[build]\nworkdir = "/srv"\nbase_image = "scratch"\n' },
    });
    assertRefused(ctx, [], {
      patterns: [
        `${path.join(ctx, 'pycontainer.toml')} [build]`,
        'unknown key `base_image`',
        'did you mean `base-image`?',
      ],
    });
  });

  test('unknown top-level table in pycontainer.toml', () => {
    const ctx = project('unknown-table', {
      files: { 'pycontainer.toml': '[bulid]\nworkdir = "/srv"\n' },
    });
    assertRefused(ctx, [], {
      patterns: [path.join(ctx, 'pycontainer.toml'), '`bulid`', 'did you mean `build`?'],
    });
  });

  test('unknown key in [tool.pycontainer]', () => {
    const ctx = project('tool-unknown', { extra: '\n[tool.pycontainer]\nwork-dir = "/srv"\n' });
    assertRefused(ctx, [], {
      patterns: ['pyproject.toml [tool.pycontainer]', '`work-dir`', 'did you mean `workdir`?'],
    });
  });

  test('wrong type in [tool.pycontainer]', () => {
    const ctx = project('tool-type', { extra: '\n[tool.pycontainer]\nworkdir = 5\n' });
    assertRefused(ctx, [], {
      patterns: ['pyproject.toml [tool.pycontainer]', '`workdir` must be a string, found integer'],
    });
  });

  test('bad value in a PYCONTAINER_* variable names the variable', () => {
    const ctx = project('env-value');
    assertRefused(ctx, [], {
      env: { PYCONTAINER_PORTS: '8000,eighty' },
      patterns: ['PYCONTAINER_PORTS "eighty": '],
    });
  });

  test('two frameworks and nothing to choose between them', () => {
    const ctx = freshDir('two-frameworks');
    writeFiles(ctx, {
      'pyproject.toml':
        '[project]\nname = "two"\nversion = "1"\ndependencies = ["flask", "fastapi", "uvicorn", "gunicorn"]\n',
      'pkg/__init__.py': '',
      'pkg/api.py': 'from fastapi import FastAPI\n\napi = FastAPI()\n',
      'pkg/web.py': 'from flask import Flask\n\napp = Flask(__name__)\n',
    });
    assertRefused(ctx, [], {
      patterns: ['--entrypoint', /FastAPI/, /Flask/, 'pkg/api.py', 'pkg/web.py'],
    });
    // --entrypoint settles it.
    const r = cli(
      ['build', '--context', ctx, '--dry-run', '--json', '--entrypoint', 'uvicorn pkg.api:api'],
      { cwd: ctx },
    );
    assert.equal(r.code, 0, describeRun(r));
    assert.deepEqual(r.json.plan.entrypoint.command, ['uvicorn', 'pkg.api:api']);
  });

  test('--script names no console script', () => {
    const ctx = project('script', { extra: '\n[project.scripts]\nhello = "main:run"\n' });
    assertRefused(ctx, ['--script', 'nope'], {
      patterns: ['--script', '"nope"', /no such console script/, /hello/],
    });
  });

  // A malformed flag value is judged by the core, once for the CLI and the
  // API, which names the flag: the CLI makes that a usage error (exit 2).
  for (const [args, patterns] of [
    [
      ['--env', 'FOO'],
      ['--env "FOO"', 'KEY=VALUE'],
    ],
    [
      ['-e', 'A=1', '-e', '=1'],
      ['--env "=1"', 'non-empty KEY'],
    ],
    [
      ['--label', '=x'],
      ['--label "=x"', 'non-empty KEY'],
    ],
    [
      ['--annotation', 'note'],
      ['--annotation "note"', 'KEY=VALUE'],
    ],
    [
      ['--port', '70000'],
      ['--port "70000"', '65535'],
    ],
    [
      ['--port', 'abc'],
      ['--port "abc"', 'not a port number'],
    ],
    [
      ['-p', '0'],
      ['--port "0"', 'out of range'],
    ],
    [
      ['-p', '80/sctp'],
      ['--port "80/sctp"', 'tcp or udp'],
    ],
    [
      ['-p', '8080:80'],
      ['--port "8080:80"', 'not a port number'],
    ],
    [['--index-url', 'pypi.org/simple'], ['--index-url: needs an http:// or https:// URL']],
    [
      ['--extra-index-url', 'file:///srv/wheels'],
      ['--extra-index-url: needs an http:// or https:// URL'],
    ],
    [
      ['--registry-mirror', 'docker.io'],
      ['--registry-mirror "docker.io"', 'REGISTRY=MIRROR'],
    ],
    [
      ['--parallel', 'many'],
      ['--parallel "many"', 'whole number from 1 to 64'],
    ],
    [
      ['--chunk-size', '8X'],
      ['--chunk-size "8X"', 'a size such as 8M'],
    ],
    [
      ['--user', 'app:staff:x'],
      ['--user "app:staff:x"', 'NAME, UID, UID:GID or NAME:GROUP'],
    ],
  ]) {
    test(`${args.join(' ')} is a usage error (exit 2)`, () => {
      assertRefused(project('flag-value'), args, { code: 2, patterns });
    });
  }

  test('an index URL with a token is refused without showing it', () => {
    assertRefused(project('url-token'), ['--index-url', 'ci:s3cret@pkgs.example.com/simple'], {
      code: 2,
      patterns: ['--index-url: needs an http'],
      forbidden: ['s3cret'],
    });
  });

  test('the same mistake in a file is not a usage error (exit 1)', () => {
    const ctx = project('port-file', {
      files: { 'pycontainer.toml': '[build]\nports = ["70000"]\n' },
    });
    assertRefused(ctx, [], { patterns: ['pycontainer.toml', '`ports`', '65535'] });
  });

  test('--include of a path outside the context', () => {
    assertRefused(project('include-outside'), ['--include', '../outside'], {
      code: 2,
      patterns: ['--include', '"../outside"', /outside the build context/],
    });
  });

  test('a malformed .dockerignore pattern names .dockerignore:LINE', () => {
    const ctx = project('dockerignore-bad', {
      files: { '.dockerignore': '# comment\n*.log\na[\n' },
    });
    assertRefused(ctx, [], {
      patterns: [`${path.join(ctx, '.dockerignore')}:3`, '`a[`'],
    });
  });

  test('requires-python that no maintained CPython satisfies', () => {
    // No --base-image: an explicit base brings its own Python, and the
    // choice fails before any base is pulled.
    const r = assertRefused(project('py4', { requires: '>=4' }), [], {
      base: [],
      patterns: ['requires-python', '">=4"', 'pyproject.toml', /no maintained CPython/],
    });
    const range = /\(3\.\d+ … (3\.\d+)\)/.exec(r.stderr);
    assert.ok(range, `the message shows the maintained range: ${r.stderr}`);
    assert.equal(
      range[1],
      NEWEST,
      'the newest maintained CPython changed: update NEWEST in this file',
    );
  });
});

// Regression (fixed): a bad value is blamed on its flag whatever source it came from. A
// `workdir = "srv"` in pycontainer.toml, in [tool.pycontainer] or in
// PYCONTAINER_WORKDIR fails with `--workdir: "srv" must be an absolute path`,
// naming a flag that was never given and not the file or variable to fix. The
// same goes for python, platform, tags, include and exclude (the core checks
// the merged settings and labels every value with the flag's name), while
// unknown keys and wrong types do name the file.
describe('a bad value names the source it came from, not a flag never given', () => {
  const FILE_CASES = [
    { key: 'workdir', value: '"srv"', flag: '--workdir', pattern: /absolute/ },
    { key: 'python', value: '"2.7"', flag: '--python', pattern: /no maintained CPython/ },
    { key: 'platform', value: '"linux/a/b/c"', flag: '--platform', pattern: /OS\/ARCH/ },
    { key: 'tags', value: '["Bad:Tag:x"]', flag: '--tag', pattern: /Bad:Tag:x/ },
    {
      key: 'include',
      value: '["../out"]',
      flag: '--include',
      pattern: /outside the build context/,
    },
    { key: 'exclude', value: '["a["]', flag: '--exclude', pattern: /never closed/ },
  ];

  for (const c of FILE_CASES) {
    test(`pycontainer.toml ${c.key} = ${c.value}`, () => {
      const ctx = project(`src-file-${c.key}`, {
        files: { 'pycontainer.toml': `[build]\n${c.key} = ${c.value}\n` },
      });
      assertRefused(ctx, [], {
        patterns: [path.join(ctx, 'pycontainer.toml'), c.key, c.pattern],
        forbidden: [c.flag],
      });
    });
  }

  test('[tool.pycontainer] workdir = "srv"', () => {
    const ctx = project('src-tool-workdir', { extra: '\n[tool.pycontainer]\nworkdir = "srv"\n' });
    assertRefused(ctx, [], {
      patterns: ['pyproject.toml', '[tool.pycontainer]', 'workdir', /absolute/],
      forbidden: ['--workdir'],
    });
  });

  test('PYCONTAINER_WORKDIR=srv', () => {
    assertRefused(project('src-env-workdir'), [], {
      env: { PYCONTAINER_WORKDIR: 'srv' },
      patterns: ['PYCONTAINER_', /absolute/],
      forbidden: ['--workdir'],
    });
  });

  // Regression (fixed): the same mislabelling in the --dry-run plan: a Python version from
  // pycontainer.toml or PYCONTAINER_PYTHON is explained as "(--python)"
  // (base and entry point rules do name the file or variable).
  test('the Python rule names pycontainer.toml or PYCONTAINER_PYTHON, not --python', () => {
    const ctx = project('src-python-rule', {
      files: { 'pycontainer.toml': '[build]\npython = "3.11"\n' },
    });
    const fromFile = cli(['build', '--context', ctx, '--dry-run', '--json'], { cwd: ctx });
    assert.equal(fromFile.code, 0, describeRun(fromFile));
    assert.equal(fromFile.json.plan.base.image, 'python:3.11-slim');
    assert.match(fromFile.json.plan.python.rule, /pycontainer\.toml/);
    assert.doesNotMatch(fromFile.json.plan.python.rule, /--python/);

    const other = project('src-python-env');
    const fromEnv = cli(['build', '--context', other, '--dry-run', '--json'], {
      cwd: other,
      env: { PYCONTAINER_PYTHON: '3.12' },
    });
    assert.equal(fromEnv.code, 0, describeRun(fromEnv));
    assert.equal(fromEnv.json.plan.base.image, 'python:3.12-slim');
    assert.match(fromEnv.json.plan.python.rule, /PYCONTAINER_PYTHON/);
    assert.doesNotMatch(fromEnv.json.plan.python.rule, /--python/);
  });
});

describe('entrypoint and cmd mean the same from every source', () => {
  // Regression (fixed): --entrypoint and --cmd take a shell-style string or a JSON array,
  // but PYCONTAINER_ENTRYPOINT / PYCONTAINER_CMD always shell-split, so the
  // JSON form `["python3","-m","x"]` becomes the single word `[python3,-m,x]`
  // and the image gets a command that cannot run. No error is reported.
  for (const [name, flag, envVar, field] of [
    ['entrypoint', '--entrypoint', 'PYCONTAINER_ENTRYPOINT', 'entrypoint'],
    ['cmd', '--cmd', 'PYCONTAINER_CMD', 'cmd'],
  ]) {
    test(`${envVar} takes a JSON array as ${flag} does`, () => {
      const ctx = project(`json-${name}`);
      const value = '["python3", "-m", "a b"]';
      const plan = (r) => {
        assert.equal(r.code, 0, describeRun(r));
        const v = r.json.plan[field];
        return Array.isArray(v) ? v : v.command;
      };
      const viaFlag = plan(
        cli(['build', '--context', ctx, '--dry-run', '--json', flag, value], { cwd: ctx }),
      );
      assert.deepEqual(viaFlag, ['python3', '-m', 'a b']);
      const viaEnv = plan(
        cli(['build', '--context', ctx, '--dry-run', '--json'], {
          cwd: ctx,
          env: { [envVar]: value },
        }),
      );
      assert.deepEqual(viaEnv, viaFlag);
    });
  }

  // Regression (fixed): an empty entrypoint is refused from the flag (`--entrypoint '[]'`)
  // and as a string in a file (`entrypoint = ""`), but `entrypoint = []` in
  // pycontainer.toml is accepted: the build writes an image with neither
  // Entrypoint nor Cmd (pycontainer clears the base's Cmd), which cannot run.
  test('entrypoint = [] in pycontainer.toml is refused like --entrypoint "[]"', () => {
    const flagCtx = project('empty-entrypoint-flag');
    // On the command line it is a usage error (exit 2); in a file, exit 1.
    assertRefused(flagCtx, ['--entrypoint', '[]'], {
      code: 2,
      patterns: ['--entrypoint', /entrypoint is empty/],
    });
    const ctx = project('empty-entrypoint-file', {
      files: { 'pycontainer.toml': '[build]\nentrypoint = []\n' },
    });
    assertRefused(ctx, [], {
      patterns: [path.join(ctx, 'pycontainer.toml'), 'entrypoint', /empty/],
    });
  });
});

describe('.dockerignore with ! and **, --include dist and --exclude, on a real build', () => {
  let ctx;
  let result;
  let paths;

  before(() => {
    ctx = project('ignore', {
      files: {
        '.dockerignore': [
          '# logs everywhere, but one',
          '**/*.log',
          '!logs/*.log',
          'logs/debug.log',
          'docs/**/secret.md',
          'secret',
          '!secret/public.txt',
          '*.tmp',
          '',
        ].join('\n'),
        'top.log': 'x\n',
        'logs/app.log': 'x\n',
        'logs/debug.log': 'x\n',
        'src/deep/er/x.log': 'x\n',
        'src/deep/er/x.py': 'x = 1\n',
        'docs/readme.md': 'x\n',
        'docs/secret.md': 'x\n',
        'docs/a/b/secret.md': 'x\n',
        'docs/a/notes.md': 'x\n',
        'secret/private.txt': 'x\n',
        'secret/public.txt': 'x\n',
        'notes.tmp': 'x\n',
        'sub/notes.tmp': 'x\n',
        'dist/pkg-1.0-py3-none-any.whl': 'wheel\n',
        'build/lib/x.py': 'x\n',
        'drafts/draft.md': 'x\n',
      },
    });
    const out = path.join(freshDir('ignore-out'), 'out');
    const r = cli(
      [
        'build',
        '--context',
        ctx,
        '--base-image',
        'scratch',
        '--output',
        out,
        '--include',
        'dist',
        '--exclude',
        'drafts',
        '--json',
      ],
      { cwd: ctx },
    );
    assert.equal(r.code, 0, describeRun(r));
    result = r.json;
    assert.equal(result.layers.length, 1);
    const { manifest } = readImage(out, 'latest');
    assert.equal(manifest.layers[0].digest, result.layers[0].digest);
    paths = readLayerTar(out, result.layers[0].digest).entries.map((e) => e.path);
  });

  test('what goes in', () => {
    for (const p of [
      'app/main.py',
      'app/pyproject.toml',
      'app/.dockerignore',
      'app/logs/app.log', // !logs/*.log after **/*.log
      'app/src/deep/er/x.py',
      'app/docs/readme.md',
      'app/docs/a/notes.md',
      'app/secret/public.txt', // ! re-includes inside an excluded directory
      'app/sub/notes.tmp', // *.tmp is anchored at the root, as in Docker
      'app/dist/pkg-1.0-py3-none-any.whl', // --include lifts the default exclude
    ]) {
      assert.ok(paths.includes(p), `${p} is in the layer; layer: ${paths.join(' ')}`);
    }
  });

  test('what stays out', () => {
    const out = [
      'app/top.log', // ** matches zero directories
      'app/logs/debug.log', // a later rule beats the earlier !
      'app/src/deep/er/x.log',
      'app/docs/secret.md', // docs/**/secret.md with ** as zero directories
      'app/docs/a/b/secret.md',
      'app/secret/private.txt',
      'app/notes.tmp',
      'app/build/lib/x.py', // default exclude, not lifted
      'app/drafts/draft.md', // --exclude
      'app/drafts/',
    ];
    for (const p of out) assert.ok(!paths.includes(p), `${p} must not be in the layer`);
    assert.ok(!paths.some((p) => p.startsWith('app/build')), 'build/ stays out');
  });

  test('the excluded list gives the rule and its .dockerignore line', () => {
    const why = Object.fromEntries(result.plan.excluded.map((e) => [e.path, e.reason]));
    const ignoreFile = path.join(ctx, '.dockerignore');
    assert.equal(why['top.log'], `**/*.log (${ignoreFile}:2)`);
    assert.equal(why['logs/debug.log'], `logs/debug.log (${ignoreFile}:4)`);
    assert.equal(why['docs/a/b/secret.md'], `docs/**/secret.md (${ignoreFile}:5)`);
    assert.equal(why['secret/private.txt'], `secret (${ignoreFile}:6)`);
    assert.equal(why['notes.tmp'], `*.tmp (${ignoreFile}:8)`);
    // A directory is listed as itself, or as the files in it when the walk
    // looked inside for paths a `!` rule might bring back.
    const under = (dir) =>
      result.plan.excluded.filter((e) => e.path === dir || e.path.startsWith(`${dir}/`));
    for (const [dir, reason] of [
      ['drafts', 'drafts (--exclude)'],
      ['build', 'build output'],
    ]) {
      const entries = under(dir);
      assert.ok(entries.length > 0, `${dir} is listed: ${JSON.stringify(result.plan.excluded)}`);
      for (const e of entries) assert.equal(e.reason, reason, e.path);
    }
    assert.deepEqual(under('dist'), [], 'dist is not listed as excluded');
  });
});

describe('no escape codes unless a terminal asks for colour', () => {
  /** A small scratch build's args, into a fresh output dir. */
  function buildArgs(label) {
    const ctx = project(label);
    return ['build', '--context', ctx, '--base-image', 'scratch', '--output', path.join(ctx, 'o')];
  }

  test('non-TTY output (pipes) has none: build summary, dry run, error', () => {
    const runs = [
      cli(buildArgs('pipe-build')),
      cli([...buildArgs('pipe-dry'), '--dry-run', '--verbose']),
      cli([...buildArgs('pipe-error'), '--script', 'nope']),
      cli([...buildArgs('pipe-usage'), '--port', '0']),
    ];
    assert.deepEqual(
      runs.map((r) => r.code),
      [0, 0, 1, 2],
      runs.map(describeRun).join('\n'),
    );
    for (const r of runs) {
      assert.ok(!r.stdout.includes(ESC), `no ESC on stdout: ${JSON.stringify(r.stdout)}`);
      assert.ok(!r.stderr.includes(ESC), `no ESC on stderr: ${JSON.stringify(r.stderr)}`);
    }
    assert.match(runs[0].stdout, /^built sha256:[0-9a-f]{64}$/m);
    assert.match(runs[2].stderr, /^pycontainer: error: /);
  });

  describe('on a terminal (script(1) gives the CLI a pty)', () => {
    /** Runs the CLI on a pty; stdout and stderr both come back in `output`. */
    function onTty(args, env = {}) {
      requireTools('script');
      const fullEnv = { ...process.env, TERM: 'xterm', ...env };
      delete fullEnv.SOURCE_DATE_EPOCH;
      for (const v of [...CONFIG_VARS, 'NO_COLOR', 'FORCE_COLOR', 'PYCONTAINER_DEBUG']) {
        if (!(v in env)) delete fullEnv[v];
      }
      // The command line goes through the environment, so nothing needs quoting.
      const argv = [process.execPath, path.join(ROOT, 'npm', 'bin', 'pycontainer.js'), ...args];
      argv.forEach((a, i) => {
        fullEnv[`PYC_ARG_${i}`] = a;
      });
      const command = `exec ${argv.map((_, i) => `"$PYC_ARG_${i}"`).join(' ')}`;
      const r = runTool('script', ['-qec', command, '/dev/null'], {
        env: { ...fullEnv, SHELL: '/bin/sh' },
      });
      return { code: r.code, output: r.stdout + r.stderr };
    }

    test('colour by default (the check can see escape codes)', () => {
      const build = onTty(buildArgs('tty-colour'));
      assert.equal(build.code, 0, build.output);
      assert.ok(build.output.includes(`${ESC}[32mbuilt${ESC}[39m`), JSON.stringify(build.output));
      const error = onTty([...buildArgs('tty-colour-error'), '--port', '0']);
      assert.equal(error.code, 2, error.output);
      assert.ok(error.output.includes(`${ESC}[31mpycontainer: error:`), error.output);
    });

    test('NO_COLOR=1 turns it off', () => {
      for (const args of [
        buildArgs('tty-nocolor'),
        [...buildArgs('tty-nocolor-dry'), '--dry-run'],
        [...buildArgs('tty-nocolor-error'), '--script', 'nope'],
        [...buildArgs('tty-nocolor-usage'), '--port', '0'],
      ]) {
        const r = onTty(args, { NO_COLOR: '1' });
        assert.ok([0, 1, 2].includes(r.code), r.output);
        assert.ok(r.output.length > 0, 'the pty carried the output');
        assert.ok(!r.output.includes(ESC), `no ESC: ${JSON.stringify(r.output)}`);
      }
    });

    test('--no-color turns it off', () => {
      for (const args of [
        [...buildArgs('tty-flag'), '--no-color'],
        [...buildArgs('tty-flag-usage'), '--no-color', '--port', '0'],
      ]) {
        const r = onTty(args);
        assert.ok(!r.output.includes(ESC), `no ESC: ${JSON.stringify(r.output)}`);
      }
    });
  });
});
