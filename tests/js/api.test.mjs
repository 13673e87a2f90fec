// The JS API against the real wasm core and real files: plan() is the plan
// the build then follows and writes nothing; onProgress gets the typed
// events index.d.ts documents; a config file at fault comes back as an error
// naming its code, file and key, and a refused flag value its option.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const api = require('../../npm/index.js');

let dir;
let n = 0;
before(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-api-')));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A fresh copy of examples/hello-cli, and options that build it from scratch into `dir`. */
function project() {
  n += 1;
  const context = path.join(dir, `hello-${n}`);
  fs.cpSync(path.join(ROOT, 'examples', 'hello-cli'), context, { recursive: true });
  const options = {
    context,
    baseImage: 'scratch',
    output: path.join(dir, `out-${n}`),
    cacheDir: path.join(dir, 'cache'),
    tags: ['hello:1'],
  };
  return { context, options };
}

test('plan() is the dry run: the plan the build then follows, nothing written', async () => {
  const { options } = project();
  const plan = await api.plan(options);
  assert.equal(fs.existsSync(options.output), false, 'a plan writes no layout');
  assert.deepEqual(plan.entrypoint.command, ['python3', '/usr/local/bin/hello']);
  assert.deepEqual(plan.tags, ['docker.io/library/hello:1']);
  assert.ok(plan.layers.length > 0, 'the plan names the layers it adds');

  const built = await api.build(options);
  assert.equal(built.dryRun, false);
  assert.deepEqual(built.plan, plan);
});

test('plan() takes the same options as build(): a change shows in the plan', async () => {
  const { options } = project();
  const plan = await api.plan({ ...options, env: ['GREETING=hi'], ports: [8080] });
  assert.equal(plan.env.GREETING, 'hi');
  assert.deepEqual(plan.ports, ['8080/tcp']);
  assert.ok(plan.config.Env.includes('GREETING=hi'), 'the config the build writes has it');
});

test('plan() from ESM is the same function', async () => {
  const esm = await import('../../npm/index.mjs');
  assert.equal(esm.plan, api.plan);
});

test('onProgress gets typed events: phases in order, blob bytes, warnings with a code', async () => {
  const { context, options } = project();
  // Layers report bytes a MiB or more of compressed output at a time:
  // random bytes (which do not compress) make the app layer that large.
  const data = path.join(context, 'src', 'hello', 'data.bin');
  fs.writeFileSync(data, crypto.randomBytes(3 << 20));
  // A file the image's user cannot read: the private-files warning.
  fs.chmodSync(data, 0o600);
  const events = [];
  const result = await api.build({ ...options, onProgress: (e) => events.push(e) });

  const kinds = new Set(['phase', 'blob', 'transfer', 'warning']);
  for (const e of events) assert.ok(kinds.has(e.type), `unknown event ${JSON.stringify(e)}`);

  const phases = events.filter((e) => e.type === 'phase').map((e) => e.name);
  assert.deepEqual(
    phases.filter((p) => ['plan', 'layer', 'write'].includes(p)),
    ['plan', 'layer', 'write'],
  );

  const blobs = events.filter((e) => e.type === 'blob');
  assert.ok(blobs.length >= 1, `layers report bytes as they are written: ${blobs.length}`);
  let last = 0;
  for (const b of blobs) {
    assert.equal(typeof b.label, 'string');
    assert.equal(b.digest, null, 'a layer being written has no digest yet');
    assert.ok(Number.isInteger(b.bytes) && b.bytes > last, 'bytes grow');
    last = b.bytes;
  }
  const largest = Math.max(...result.layers.map((l) => l.size));
  assert.ok(last <= largest, `${last} bytes reported, the largest layer has ${largest}`);

  const warnings = events.filter((e) => e.type === 'warning');
  assert.deepEqual(
    warnings.map((w) => w.code),
    result.plan.warnings.map((w) => w.code),
  );
  const priv = warnings.find((w) => w.code === 'private-files');
  assert.ok(priv, `no private-files warning in ${JSON.stringify(warnings)}`);
  assert.match(priv.message, /data\.bin/);
});

test('a config file at fault: code, file and key, and no option', async () => {
  const { context, options } = project();
  const toml = path.join(context, 'pycontainer.toml');
  fs.writeFileSync(toml, 'workdri = "/srv"\n');
  await assert.rejects(api.plan(options), (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'config');
    assert.equal(err.key, 'workdri');
    assert.equal(path.basename(err.file), 'pycontainer.toml');
    assert.ok(err.message.includes(err.file), 'the message names the same file');
    assert.equal(err.option, undefined);
    return true;
  });
});

// Each file a project build reads can be the one at fault: the error names
// it, with the key and line where the reader knows them, as an editor needs
// to open it at the right place.
const FILES_AT_FAULT = [
  {
    what: 'pyproject.toml that is not TOML',
    file: 'pyproject.toml',
    edit: (ctx) => fs.appendFileSync(path.join(ctx, 'pyproject.toml'), '\n[project\n'),
    code: 'pyproject',
    line: 10,
    column: 9,
  },
  {
    what: 'a pyproject.toml key of the wrong type',
    file: 'pyproject.toml',
    edit: (ctx) =>
      fs.writeFileSync(
        path.join(ctx, 'pyproject.toml'),
        '[project]\nname = "hello-cli"\nversion = "0.1.0"\ndependencies = "flask"\n[project.scripts]\nhello = "hello.cli:main"\n',
      ),
    code: 'pyproject',
    key: 'project.dependencies',
  },
  {
    what: 'a .dockerignore pattern',
    file: '.dockerignore',
    edit: (ctx) => fs.writeFileSync(path.join(ctx, '.dockerignore'), '*.log\n\nsrc/[x\n'),
    code: 'dockerignore',
    line: 3,
  },
  {
    what: 'a uv.lock that is not TOML',
    file: 'uv.lock',
    edit: (ctx) => fs.writeFileSync(path.join(ctx, 'uv.lock'), 'version = 1\n[[package]\n'),
    line: 2,
    column: 11,
  },
];

for (const c of FILES_AT_FAULT) {
  test(`the file at fault: ${c.what}`, async () => {
    const { context, options } = project();
    c.edit(context);
    await assert.rejects(api.plan({ ...options, baseImage: undefined, python: '3.12' }), (err) => {
      if (c.code) assert.equal(err.code, c.code, err.message);
      assert.equal(path.basename(err.file ?? ''), c.file, `file of: ${err.message}`);
      assert.ok(err.message.includes(err.file), 'the message names the same file');
      assert.equal(err.key, c.key, `key of: ${err.message}`);
      assert.equal(err.line, c.line, `line of: ${err.message}`);
      assert.equal(err.column, c.column, `column of: ${err.message}`);
      assert.equal(err.option, undefined);
      return true;
    });
  });
}

test('a PYCONTAINER_* variable at fault: its name is the key, no file', async () => {
  const { options } = project();
  process.env.PYCONTAINER_INCLUDE_DEPS = 'maybe';
  try {
    await assert.rejects(api.plan(options), (err) => {
      assert.equal(err.key, 'PYCONTAINER_INCLUDE_DEPS');
      assert.equal(err.file, undefined);
      assert.equal(err.option, undefined);
      return true;
    });
  } finally {
    delete process.env.PYCONTAINER_INCLUDE_DEPS;
  }
});

test('a refused option: code invalid-option and the flag, no file or key', async () => {
  const { options } = project();
  await assert.rejects(api.plan({ ...options, env: ['NOEQUALS'] }), (err) => {
    assert.equal(err.code, 'invalid-option');
    assert.equal(err.option, '--env');
    assert.equal(err.file, undefined);
    assert.equal(err.key, undefined);
    return true;
  });
});

test('dockerfile() refuses a Dockerfile it did not write: code, file, and nothing written', async () => {
  const { context, options } = project();
  const own = path.join(context, 'Dockerfile');
  fs.writeFileSync(own, 'FROM python:3.12-slim\n');
  const before = fs.readdirSync(context).sort();
  await assert.rejects(api.dockerfile({ context, cacheDir: options.cacheDir }), (err) => {
    assert.equal(err.code, 'dockerfile-exists');
    assert.equal(err.file, own);
    assert.match(err.message, /--file/);
    return true;
  });
  assert.equal(fs.readFileSync(own, 'utf8'), 'FROM python:3.12-slim\n');
  assert.deepEqual(fs.readdirSync(context).sort(), before);
  // `file` is taken from the cwd, like every path option; its ignore file goes beside it.
  const elsewhere = path.join(dir, `elsewhere-${n}.Dockerfile`);
  fs.writeFileSync(`${elsewhere}.dockerignore`, '*.pyc\n');
  const relative = path.relative(process.cwd(), elsewhere);
  await assert.rejects(api.dockerfile({ context, file: relative }), (err) => {
    assert.equal(err.code, 'dockerfile-exists');
    assert.equal(err.file, `${elsewhere}.dockerignore`);
    return true;
  });
  await assert.rejects(api.dockerfile({ context, file: 3 }), { code: 'invalid-option' });
  const esm = await import('../../npm/index.mjs');
  assert.equal(esm.dockerfile, api.dockerfile);
});

test('dockerfile() on scratch: no shell for its RUN lines, said with a code', async () => {
  const { context, options } = project();
  const { baseImage, cacheDir } = options;
  await assert.rejects(api.dockerfile({ context, baseImage, cacheDir }), (err) => {
    assert.equal(err.code, 'dockerfile-unwritable');
    assert.match(err.message, /"scratch".*needs a shell/);
    return true;
  });
  assert.equal(fs.existsSync(path.join(context, 'Dockerfile')), false, 'the API writes nothing');
});

// deploy() refuses what its runtime settings get wrong before it builds:
// errors shaped as build's are, so the same handling serves both.
test('deploy: [runtime] at fault names file and key; a runtime option its flag', async () => {
  const { context, options } = project();
  const deploy = (more) => api.deploy({ ...options, tags: ['127.0.0.1:1/hello:1'], ...more });
  fs.writeFileSync(path.join(context, 'pycontainer.toml'), '[runtime]\nreplicas = 0\n');
  await assert.rejects(deploy({}), (err) => {
    assert.equal(err.code, 'config');
    assert.equal(err.key, 'replicas');
    assert.match(err.file, /pycontainer\.toml \[runtime\]$/);
    return true;
  });
  fs.rmSync(path.join(context, 'pycontainer.toml'));
  await assert.rejects(deploy({ runtime: { shards: 0 } }), (err) => {
    assert.equal(err.code, 'invalid-option');
    assert.equal(err.option, '--shards');
    return true;
  });
  await assert.rejects(deploy({ runtime: { public: true } }), (err) => {
    assert.equal(err.code, 'deploy-no-port');
    return true;
  });
  assert.equal(fs.existsSync(options.output), false, 'nothing was written');
});
