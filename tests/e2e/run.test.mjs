// `pycontainer run` on real engines: podman (a project-local
// containers.conf, its CNI bridge publishing ports) and a dockerd this test
// starts with a bridge of its own. examples/fastapi-app answers HTTP on the
// published port while its log streams to ours; SIGINT (or SIGTERM) to the CLI
// stops and removes the container and the CLI exits with the container's
// status; --detach prints the ID and leaves it running; a second run finds
// the image ID in the engine and loads nothing. The container's variables
// reach it and not the image. With no engine on PATH, or a docker whose
// daemon is not there, a clear error; inside a container, nothing runs.
//
// This machine is itself a container (it has /.dockerenv), so every run
// that should start a container says PYCONTAINER_IN_CONTAINER=0.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { podmanEnv, startDockerd } from '../infra/engines.mjs';
import { freePort } from '../infra/net.mjs';
import { startRegistry } from '../infra/registry.mjs';
import {
  baseRef,
  copyExample,
  describeRun,
  HELLO_ALICE,
  makeTempDir,
  ROOT,
  removeDir,
  requireRoot,
  requireTools,
  runCli,
  runCliAsync,
  runTool,
  waitForHttp,
  waitPortFree,
} from './helpers.mjs';

// Names no other test uses, so that removing them touches nothing else;
// one per image, so that none is left untagged behind another.
const API_TAG = 'pycontainer-run-test-api:1';
const HELLO_TAG = 'pycontainer-run-test-hello:1';
const EXIT_TAG = 'pycontainer-run-test-exit:1';
const ENV_TAG = 'pycontainer-run-test-env:1';

let tmp;
let api;
let hello;
let podman;

before(() => {
  requireTools('podman', 'dockerd', 'docker', 'ip');
  requireRoot();
  tmp = makeTempDir('pycontainer-e2e-run-');
  api = copyExample(tmp, 'fastapi-app', path.join(ROOT, 'examples', 'fastapi-app'));
  hello = copyExample(tmp);
  podman = podmanEnv(path.join(tmp, 'containers.conf'));
});

after(() => {
  for (const tag of [API_TAG, HELLO_TAG, EXIT_TAG, ENV_TAG]) {
    runTool('podman', ['rmi', `docker.io/library/${tag}`], { env: podman });
  }
  removeDir(tmp);
});

/** The CLI's environment for an engine: `engineEnv` plus "not in a container". */
const cliEnv = (engineEnv, more = {}) => ({
  CONTAINERS_CONF: engineEnv.CONTAINERS_CONF,
  DOCKER_HOST: engineEnv.DOCKER_HOST,
  PYCONTAINER_IN_CONTAINER: '0',
  ...more,
});

/** `run`'s arguments for the fastapi-app on `engine` as container `name`. */
const apiRun = (engine, name) => [
  '--context',
  api,
  '--base-image',
  baseRef(),
  '--tag',
  API_TAG,
  '--engine',
  engine,
  '--name',
  name,
];

/**
 * Starts `pycontainer run ARGS`; returns {child, stderr(), done}: done
 * resolves the CLI's {code, stdout, stderr}.
 */
function startRun(args, env) {
  let child;
  const err = [];
  const done = runCliAsync(['run', ...args], {
    env,
    timeoutMs: 150_000,
    onStart: (c) => {
      child = c;
      c.stderr.on('data', (chunk) => err.push(chunk));
    },
  });
  return { child, stderr: () => Buffer.concat(err).toString('utf8'), done };
}

/** The CLI as waitForHttp's `container`: running until it exits, its stderr as the log. */
const watching = (run) => ({
  id: `pycontainer run (pid ${run.child.pid})`,
  status: () =>
    run.child.exitCode === null && run.child.signalCode === null ? 'running' : 'exited',
  log: run.stderr,
});

/** Names of the engine's containers (running or not) called exactly `name`. */
function containersNamed(engine, env, name) {
  const r = runTool(engine, ['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Names}}'], {
    env,
  });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((line) => line !== '');
}

/**
 * fastapi-app run attached on `engine`, published on a free port: GET /
 * answers through it, then `signal` to the CLI stops and removes the container.
 */
async function serveThenInterrupt(engine, env, signal) {
  const port = await freePort();
  const name = `pyc-run-test-${engine}-${process.pid}`;
  const run = startRun([...apiRun(engine, name), '-p', `${port}:8000`], cliEnv(env));
  try {
    const res = await waitForHttp(port, { container: watching(run), timeoutMs: 120_000 });
    assert.equal(res.status, 200, res.body);
    assert.equal(JSON.parse(res.body).framework, 'fastapi');
    assert.deepEqual(containersNamed(engine, env, name), [name]);
  } finally {
    run.child.kill(signal);
  }
  const r = await run.done;
  // uvicorn shuts down cleanly on the engine's SIGTERM: the container's status is 0.
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stderr, /Uvicorn running on http:\/\/0\.0\.0\.0:8000/, 'the log streamed');
  // uvicorn's access log goes to its stdout, the rest to its stderr: each to ours.
  assert.match(r.stdout, /"GET \/ HTTP\/1\.1" 200/, 'the access log streamed');
  assert.match(r.stderr, new RegExp(`${signal}: stopping container ${name}`));
  assert.match(r.stderr, new RegExp(`container ${name} stopped and removed`));
  assert.deepEqual(containersNamed(engine, env, name), [], 'the container is gone');
  await waitPortFree(port);
  return r;
}

test('podman: fastapi-app answers on the published port; SIGINT stops and removes it', async () => {
  const r = await serveThenInterrupt('podman', podman, 'SIGINT');
  assert.match(
    r.stderr,
    /(loaded into|already in) podman: docker\.io\/library\/pycontainer-run-test-api:1/,
  );
});

test('podman --detach: prints the ID, the server keeps running; the image ID is found, not loaded again', async (t) => {
  const port = await freePort();
  const name = `pyc-run-test-detach-${process.pid}`;
  t.after(() => runTool('podman', ['rm', '--force', name], { env: podman }));
  const r = await runCliAsync(
    ['run', ...apiRun('podman', name), '--detach', '--publish', `127.0.0.1:${port}:8000`],
    { env: cliEnv(podman) },
  );
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stderr, /already in podman: docker\.io\/library\/pycontainer-run-test-api:1/);
  assert.doesNotMatch(r.stderr, /loaded into/);
  const id = r.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const state = runTool('podman', ['inspect', '--format', '{{.Id}} {{.State.Status}}', name], {
    env: podman,
  });
  assert.equal(state.stdout.trim(), `${id} running`);
  const res = await waitForHttp(port, { timeoutMs: 60_000 });
  assert.equal(res.status, 200, res.body);
});

test("the container's exit status is ours; -- ARGS reach it; --rm removes it", async () => {
  const name = `pyc-run-test-hello-${process.pid}`;
  const common = ['--context', hello, '--base-image', baseRef(), '--engine', 'podman', '--rm'];
  const greet = runCli(['run', ...common, '--tag', HELLO_TAG, '--name', name, '--', 'Alice'], {
    env: cliEnv(podman),
  });
  assert.equal(greet.code, 0, describeRun(greet));
  assert.equal(greet.stdout.trim(), HELLO_ALICE);
  assert.deepEqual(containersNamed('podman', podman, name), []);

  const failing = runCli(
    [
      'run',
      ...common,
      '--tag',
      EXIT_TAG,
      '--entrypoint',
      '["python3", "-c", "import sys; sys.exit(3)"]',
    ],
    { env: cliEnv(podman) },
  );
  assert.equal(failing.code, 3, describeRun(failing));
});

test("--push (the seed's publish) pushes the image it runs to the registry", async (t) => {
  const reg = await startRegistry();
  const ref = `${reg.host}/run-test/hello:1`;
  t.after(async () => {
    runTool('podman', ['rmi', ref], { env: podman });
    await reg.stop();
  });
  const r = runCli(
    [
      'run',
      '--context',
      hello,
      '--base-image',
      baseRef(),
      '--engine',
      'podman',
      '--rm',
      '--tag',
      ref,
      '--push',
      '--insecure-registry',
      reg.host,
      '--',
      'Alice',
    ],
    { env: cliEnv(podman) },
  );
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(r.stdout.trim(), HELLO_ALICE);
  const pushed = await fetch(`http://${reg.host}/v2/run-test/hello/manifests/1`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  assert.equal(pushed.status, 200);
  const config = (await pushed.json()).config.digest;
  const id = runTool('podman', ['image', 'inspect', '--format', '{{.Id}}', ref], { env: podman });
  assert.equal(id.code, 0, id.stderr);
  assert.equal(`sha256:${id.stdout.trim()}`, config, 'the pushed image is the one that ran');
});

test("-e sets the container's variable, not the image's, and never on the engine's command line", async (t) => {
  const secret = 'run-test-S3cr3t-value';
  const name = `pyc-run-test-env-${process.pid}`;
  t.after(() => runTool('podman', ['rm', '--force', name], { env: podman }));
  const r = runCli(
    [
      'run',
      '--context',
      hello,
      '--base-image',
      baseRef(),
      '--tag',
      ENV_TAG,
      '--engine',
      'podman',
      '--name',
      name,
      '-e',
      `RUN_TEST_TOKEN=${secret}`,
      '--entrypoint',
      '["python3", "-c", "import os; print(os.environ[\'RUN_TEST_TOKEN\'])"]',
    ],
    { env: cliEnv(podman) },
  );
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(r.stdout.trim(), secret);
  assert.ok(!r.stderr.includes(secret), r.stderr);
  // The engine recorded the command line it was given: the name only.
  const inspect = runTool(
    'podman',
    ['inspect', '--format', '{{json .Config.CreateCommand}}', name],
    {
      env: podman,
    },
  );
  assert.equal(inspect.code, 0, inspect.stderr);
  const command = JSON.parse(inspect.stdout);
  assert.ok(command.includes('RUN_TEST_TOKEN'), inspect.stdout);
  assert.ok(!inspect.stdout.includes(secret), inspect.stdout);
  const imageEnv = runTool(
    'podman',
    ['image', 'inspect', '--format', '{{json .Config.Env}}', `docker.io/library/${ENV_TAG}`],
    { env: podman },
  );
  assert.ok(!imageEnv.stdout.includes('RUN_TEST_TOKEN'), imageEnv.stdout);
});

test("the engine's refusal is shown in its own words: its status attached, engine-failed detached", () => {
  const missing = path.join(tmp, 'no-such.env');
  const name = `pyc-run-test-refused-${process.pid}`;
  const common = ['run', '--context', hello, '--base-image', baseRef(), '--tag', HELLO_TAG];
  const more = ['--engine', 'podman', '--name', name, '--env-file', missing];
  const attached = runCli([...common, ...more], { env: cliEnv(podman) });
  // 125: podman's and docker's status for a container they could not start.
  assert.equal(attached.code, 125, describeRun(attached));
  assert.match(attached.stderr, new RegExp(`parsing env file "${missing}"`));
  const detached = runCli([...common, ...more, '--detach'], { env: cliEnv(podman) });
  assert.equal(detached.code, 1, describeRun(detached));
  assert.match(detached.stderr, new RegExp(`podman run failed: .*parsing env file "${missing}"`));
  assert.doesNotMatch(detached.stderr, /this looks like a bug/);
  assert.deepEqual(containersNamed('podman', podman, name), []);
});

test('docker: fastapi-app answers on the published port; SIGTERM stops and removes it', async (t) => {
  const dir = path.join(tmp, 'dockerd');
  fs.mkdirSync(dir);
  const docker = await startDockerd(dir, { bridge: true });
  if (docker.error) {
    t.skip(`dockerd does not start on this machine: ${docker.error}`);
    return;
  }
  t.after(docker.stop);
  const r = await serveThenInterrupt('docker', docker.env, 'SIGTERM');
  assert.match(r.stderr, /loaded into docker: docker\.io\/library\/pycontainer-run-test-api:1/);
});

test('no engine on PATH: a clear error saying what to install, before any build', (t) => {
  const bin = path.join(tmp, 'node-only');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  t.after(() => removeDir(bin));
  const r = runCli(['run', '--context', hello, '--base-image', baseRef()], {
    env: cliEnv(podman, { PATH: bin, PYCONTAINER_ENGINE: undefined }),
  });
  assert.equal(r.code, 1, describeRun(r));
  assert.match(r.stderr, /no container engine is usable to run the image/);
  assert.match(r.stderr, /podman: not installed \(not found on PATH\)/);
  assert.match(r.stderr, /docker: not installed \(not found on PATH\)/);
  assert.match(r.stderr, /apt install podman/);
  assert.match(r.stderr, /start its daemon/);
  assert.doesNotMatch(r.stderr, /building/);
  assert.doesNotMatch(r.stderr, /this looks like a bug/);
});

test('--engine docker with no daemon answering: its own words, and how to start it', () => {
  const r = runCli(['run', '--context', hello, '--engine', 'docker'], {
    env: cliEnv(podman, { DOCKER_HOST: `unix://${path.join(tmp, 'no-dockerd.sock')}` }),
  });
  assert.equal(r.code, 1, describeRun(r));
  assert.match(r.stderr, /docker is not usable: .*Cannot connect to the Docker daemon/);
  assert.match(r.stderr, /start its daemon/);
});

test('inside a container nothing runs: the variables, and this machine itself', () => {
  for (const env of [
    { PYCONTAINER_IN_CONTAINER: '1' },
    { PYCONTAINER_IN_CONTAINER: undefined, METAPARTICLE_IN_CONTAINER: 'true' },
    // Left to detection: /.dockerenv is here.
    { PYCONTAINER_IN_CONTAINER: undefined },
  ]) {
    const name = `pyc-run-test-inside-${process.pid}`;
    const r = runCli(['run', '--context', hello, '--engine', 'podman', '--name', name], {
      env: cliEnv(podman, env),
    });
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stderr, /inside a container \(.+\): not starting another one/);
    assert.doesNotMatch(r.stderr, /building/);
    assert.equal(r.stdout, '');
    assert.deepEqual(containersNamed('podman', podman, name), []);
  }
});
