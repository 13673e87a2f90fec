'use strict';

// Running the image as a container. In the foreground the engine's `run`
// stays attached, so the container's stdout and stderr stream to ours as
// they come, and its exit status is the container's. The engine CLI runs in
// a process group of its own: a terminal's Ctrl+C reaches only pycontainer,
// which then stops the container (`stop -t`, the engine's SIGTERM, then
// SIGKILL), waits for it and removes it, so nothing is left behind however
// the app treats signals (an app as PID 1 with no handler ignores them).

const { spawn } = require('node:child_process');
const os = require('node:os');
const { setTimeout: sleep } = require('node:timers/promises');
const { EngineError, engineChecked, engineCommand, engineSaid } = require('./command.js');

/** Seconds `stop` gives the app to exit before the engine kills it. */
const STOP_SECONDS = 10;

const SIGNALS = ['SIGINT', 'SIGTERM'];

/**
 * The `run` arguments for `spec`: {image, name, publish, envNames,
 * envFiles, args, remove}. Each variable goes by name only (`-e NAME`):
 * the engine takes its value from its own environment.
 */
function runArgs(spec) {
  return [
    'run',
    '--name',
    spec.name,
    ...(spec.remove ? ['--rm'] : []),
    ...spec.publish.flatMap((p) => ['--publish', p]),
    ...spec.envNames.flatMap((n) => ['--env', n]),
    ...spec.envFiles.flatMap((f) => ['--env-file', f]),
    spec.image,
    ...spec.args,
  ];
}

/** Starts the container in the background; resolves its ID. */
async function runDetached(engine, spec, env) {
  const [run, ...rest] = runArgs(spec);
  const stdout = await engineChecked(engine, 'run', [run, '--detach', ...rest], { env });
  return stdout.trim();
}

const gone = (result) => /no such container/i.test(result.stderr);

/**
 * Stops container `name` until the attached `run` has exited: a signal
 * may come before the engine has created the container, which then
 * does not exist yet. A failure other than that is reported once.
 */
async function stopUntilExited(engine, name, env, exited, log) {
  while (!exited()) {
    const result = await engineCommand(engine, ['stop', '-t', String(STOP_SECONDS), name], { env });
    if (result.code === 0 || exited()) return;
    if (!gone(result)) {
      log(`${engine} stop ${name} failed: ${engineSaid(result)}`);
      return;
    }
    await sleep(200);
  }
}

/**
 * Runs the container attached to our stdout and stderr; resolves
 * {status, signal}: the container's exit status (128 + N when the engine
 * CLI itself died of signal N), and the signal (SIGINT, SIGTERM) that
 * made us stop and remove it, or null. `log` prints a line for people.
 */
function runAttached(engine, spec, env, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(engine, runArgs(spec), {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    let signal = null;
    let exit = null;
    let stopping = Promise.resolve();
    const onSignal = (name) => {
      if (signal !== null) return;
      signal = name;
      log(`${name}: stopping container ${spec.name} (up to ${STOP_SECONDS} s)`);
      stopping = stopUntilExited(engine, spec.name, env, () => exit !== null, log);
    };
    for (const name of SIGNALS) process.on(name, onSignal);
    const done = () => {
      for (const name of SIGNALS) process.off(name, onSignal);
    };
    child.once('error', (err) => {
      done();
      reject(new EngineError('engine-failed', `${engine} run could not start: ${err.message}`));
    });
    child.once('exit', (code, killedBy) => {
      exit = code ?? 128 + os.constants.signals[killedBy];
      done();
      const finish = async () => {
        await stopping;
        if (signal !== null) {
          const result = await engineCommand(engine, ['rm', '--force', spec.name], { env });
          if (result.code === 0 || gone(result)) log(`container ${spec.name} stopped and removed`);
          else log(`${engine} rm ${spec.name} failed: ${engineSaid(result)}`);
        }
        return { status: exit, signal };
      };
      finish().then(resolve, reject);
    });
  });
}

module.exports = { runAttached, runDetached, STOP_SECONDS };
