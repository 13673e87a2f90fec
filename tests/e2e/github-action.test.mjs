// integrations/github-action: the composite action's steps run here as a
// runner runs them (tests/infra/composite-action.mjs), with this
// checkout's CLI as the job's PYCONTAINER_COMMAND, against a real
// docker-registry with Basic auth whose credentials come only from the
// action's username/password inputs.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readAction, runCompositeAction } from '../infra/composite-action.mjs';
import { startRegistry } from '../infra/registry.mjs';
import { manifestDigest, seedBase, skopeoOk } from '../infra/seed.mjs';
import { CLI, copyExample, ensureWasm, makeTempDir, ROOT, removeDir } from './helpers.mjs';

const ACTION = path.join(ROOT, 'integrations', 'github-action');

let reg;
let work;
let context;

before(async () => {
  ensureWasm();
  reg = await startRegistry({ mode: 'basic', users: { ci: 's3cret pass' } });
  await seedBase(reg);
  work = makeTempDir('pycontainer-github-action-');
  context = copyExample(work);
});

after(async () => {
  await reg?.stop();
  removeDir(work);
});

const shellWord = (s) => `'${s.replaceAll("'", `'\\''`)}'`;
// The job's env: this checkout's CLI instead of npx fetching a release.
const JOB_ENV = {
  PYCONTAINER_COMMAND: `${shellWord(process.execPath)} ${shellWord(CLI)}`,
  // Nothing of this process's own registry credentials may help.
  PYCONTAINER_REGISTRY_USERNAME: undefined,
  PYCONTAINER_REGISTRY_PASSWORD: undefined,
  DOCKER_CONFIG: '/nonexistent',
};

function jobEnv() {
  const env = {};
  for (const [k, v] of Object.entries(JOB_ENV)) if (v !== undefined) env[k] = v;
  return env;
}

function inputs(overrides = {}) {
  return {
    context,
    registry: reg.host,
    tags: 'hello-cli:1.0\nhello-cli:latest',
    username: 'ci',
    password: 's3cret pass',
    // Quotes keep "two words" one argument.
    args: `--base-image ${reg.host}/library/python:3.11-slim --label "org.example.note=two words" -q`,
    ...overrides,
  };
}

/** process.env without the registry credentials a developer may have set. */
function withoutCredentials() {
  const saved = {};
  for (const k of ['PYCONTAINER_REGISTRY_USERNAME', 'PYCONTAINER_REGISTRY_PASSWORD']) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  };
}

const describe = (r) =>
  r.steps
    .map((s) => `${s.id}: ${s.skipped ? 'skipped' : `exit ${s.code}\n${s.stdout}${s.stderr}`}`)
    .join('\n');

test('the action builds and pushes with the input credentials; its digest output is the registry manifest digest', async () => {
  const restore = withoutCredentials();
  let r;
  try {
    r = await runCompositeAction(ACTION, { inputs: inputs(), env: jobEnv(), cwd: work });
  } finally {
    restore();
  }
  assert.ok(r.ok, describe(r));
  // Node is here, so setup-node is skipped as the runner would skip it.
  assert.deepEqual(
    r.steps.map((s) => s.skipped),
    [false, true, false],
  );
  assert.match(r.outputs.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await manifestDigest(reg, 'hello-cli:1.0'), r.outputs.digest);
  assert.equal(await manifestDigest(reg, 'hello-cli:latest'), r.outputs.digest);
  const { stdout } = await skopeoOk([
    'inspect',
    '--config',
    '--tls-verify=false',
    '--creds',
    'ci:s3cret pass',
    `docker://${reg.host}/hello-cli:1.0`,
  ]);
  assert.equal(JSON.parse(stdout).config.Labels['org.example.note'], 'two words');
});

test('a wrong password fails the build step and gives no digest', async () => {
  const restore = withoutCredentials();
  let r;
  try {
    r = await runCompositeAction(ACTION, {
      inputs: inputs({ password: 'wr0ng-Pa55', tags: 'hello-cli:refused' }),
      env: jobEnv(),
      cwd: work,
    });
  } finally {
    restore();
  }
  assert.equal(r.ok, false);
  const build = r.steps.at(-1);
  assert.equal(build.id, 'build');
  assert.notEqual(build.code, 0);
  assert.match(build.stderr, /authentication failed for .*refused the credentials/, describe(r));
  assert.doesNotMatch(build.stdout + build.stderr, /wr0ng-Pa55/);
  assert.equal(r.outputs.digest, undefined);
});

test('args with an unmatched quote stop the step before anything is built', async () => {
  const r = await runCompositeAction(ACTION, {
    inputs: inputs({ args: '--label "org.example.note=unfinished', tags: 'hello-cli:unsplit' }),
    env: jobEnv(),
    cwd: work,
  });
  assert.equal(r.ok, false);
  const build = r.steps.at(-1);
  assert.match(build.stdout, /::error::cannot split the args input into words/, describe(r));
  assert.doesNotMatch(build.stdout + build.stderr, /pycontainer: /);
});

test('no input is spliced into a run: script: they reach the scripts, the password too, through env', () => {
  const action = readAction(ACTION);
  for (const step of action.runs.steps) {
    if (step.run)
      assert.doesNotMatch(
        step.run,
        /\$\{\{/,
        `step ${step.id} splices an expression into its script`,
      );
  }
  const build = action.runs.steps.find((s) => s.id === 'build');
  // A GitHub expression, not a JS template.
  assert.equal(build.env.PYCONTAINER_REGISTRY_PASSWORD, ['${{', 'inputs.password', '}}'].join(' '));
  assert.doesNotMatch(build.run, /password/i);
});

test("the action's default pycontainer version is the npm package's", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'npm', 'package.json'), 'utf8'));
  assert.equal(String(readAction(ACTION).inputs.version.default), pkg.version);
});
