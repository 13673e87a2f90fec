'use strict';

// `pycontainer run`: build the image as `build` does, get it into a local
// engine (podman or docker) and run it, attached or --detach. The build
// goes to a docker-archive in a temp dir, loaded (unless the engine already
// has that image ID) and removed. Inside a container it runs nothing: see
// ../in-container.js.

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { displayPath } = require('../format.js');
const { detectContainer } = require('../in-container.js');
const { runAttached, runDetached } = require('../engine/container.js');
const { detectEngine, ENGINES, engineFromEnv } = require('../engine/detect.js');
const { ensureImage } = require('../engine/image.js');
const {
  addPassword,
  BUILD_FLAGS,
  checkConflicts,
  checkFlagValues,
  optionsFrom,
  parse,
  UsageError,
} = require('./flags.js');
const { calling } = require('./commands.js');
const { HELP_RUN } = require('./help.js');
const { reporterFor } = require('./progress.js');
const { interruptedStatus, stopOnSignals } = require('./signals.js');

// Build's flags, less those about where the image goes (it goes into the
// engine) and with -e/--env-file for the container rather than the image,
// as in `docker run`: a secret given at run time is not baked into a layer.
// Build's -p/--port (EXPOSE) keeps its long name; -p is --publish here.
const NOT_FOR_RUN = [
  'port',
  'output',
  'format',
  'dry-run',
  'digest-file',
  'sbom',
  'json',
  'env',
  'env-file',
];

const RUN_FLAGS = {
  ...Object.fromEntries(
    Object.entries(BUILD_FLAGS).filter(([name]) => !NOT_FOR_RUN.includes(name)),
  ),
  port: { type: 'string', multiple: true, option: 'ports' },
  publish: { type: 'string', short: 'p', multiple: true },
  env: { type: 'string', short: 'e', multiple: true },
  'env-file': { type: 'string', multiple: true },
  engine: { type: 'string' },
  name: { type: 'string' },
  detach: { type: 'boolean', short: 'd' },
  rm: { type: 'boolean' },
};

// [IP:]HOST:CONTAINER[/PROTO], IP an IPv4 address or a bracketed IPv6 one.
const PUBLISH =
  /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):)?(\d+):(\d+)(?:\/(?:tcp|udp))?$/;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Variables the engine's own CLI reads: the container's values reach the
// engine through its environment, where these would change the engine.
const ENGINE_ENV = /^(?:DOCKER_\w*|CONTAINERS_\w*|PODMAN_\w*|XDG_\w*|PATH|HOME|TMPDIR)$/;

function checkPublish(list) {
  for (const value of list) {
    const m = PUBLISH.exec(value);
    const ok = m !== null && [m[1], m[2]].every((p) => Number(p) >= 1 && Number(p) <= 65535);
    if (!ok) {
      throw new UsageError(
        `option '--publish' takes [IP:]HOST:CONTAINER[/tcp|/udp] with ports 1-65535, not "${value}"`,
        'run',
      );
    }
  }
}

/**
 * The container's -e list as {names, env}: every NAME=VALUE goes into the
 * engine's environment and only NAME on its command line; a bare NAME
 * passes our own variable on, as `docker run -e NAME` does.
 */
function containerEnv(list) {
  const env = { ...process.env };
  const names = [];
  for (const item of list) {
    const eq = item.indexOf('=');
    const name = eq === -1 ? item : item.slice(0, eq);
    if (!ENV_NAME.test(name)) {
      // The name only: what follows '=' may be a secret.
      throw new UsageError(
        `option '--env' takes NAME=VALUE or NAME; "${name}" is not a variable name`,
        'run',
      );
    }
    if (ENGINE_ENV.test(name)) {
      throw new UsageError(
        `option '--env' cannot set ${name} here: the engine's own CLI reads it; put it in an --env-file`,
        'run',
      );
    }
    if (eq !== -1) env[name] = item.slice(eq + 1);
    names.push(name);
  }
  return { names, env };
}

/** The engine named by --engine or PYCONTAINER_ENGINE, or null to detect one. */
function engineChoice(values) {
  const flag = values.engine;
  if (flag === undefined) return engineFromEnv();
  if (!ENGINES.includes(flag)) {
    throw new UsageError(`option '--engine' takes ${ENGINES.join(' or ')}, not "${flag}"`, 'run');
  }
  return flag;
}

/** A container name from the image's: its last path part, and something random. */
function containerName(imageName) {
  const repo = imageName
    .replace(/[:@].*$/, '')
    .split('/')
    .at(-1);
  return `${repo}-${crypto.randomBytes(3).toString('hex')}`;
}

/** A signal came after the build and before the container started: nothing runs. */
function interrupted(log) {
  log('interrupted before the container started; nothing runs');
  return interruptedStatus();
}

async function runRun(argv) {
  // Everything after `--` is the container's; parseArgs would take it as positionals.
  const split = argv.indexOf('--');
  const args = split === -1 ? argv : argv.slice(0, split);
  const containerArgs = split === -1 ? [] : argv.slice(split + 1);
  const { values } = parse(args, RUN_FLAGS, 'run', false);
  if (values.help) {
    process.stdout.write(HELP_RUN);
    return 0;
  }
  checkFlagValues(values, RUN_FLAGS, 'run');
  checkConflicts(values, 'run');
  const publish = values.publish ?? [];
  checkPublish(publish);
  const containerVars = containerEnv(values.env ?? []);
  const choice = engineChoice(values);
  const options = optionsFrom(values, RUN_FLAGS);
  await addPassword(values, options, 'run');
  const log = (line) => {
    if (!values.quiet) process.stderr.write(`pycontainer: ${line}\n`);
  };

  const where = detectContainer();
  if (where.inside) {
    log(
      `inside a container (${where.reason}): not starting another one from here; ` +
        'set PYCONTAINER_IN_CONTAINER=0 to run anyway',
    );
    return 0;
  }
  const engine = await detectEngine(choice);

  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-run-'));
  let result;
  try {
    const reporter = reporterFor(values);
    options.onProgress = reporter.onProgress;
    options.format = 'docker-archive';
    options.output = path.join(temp, 'image.tar');
    options.signal = stopOnSignals();
    log(`building ${displayPath(path.resolve(options.context ?? '.'))}`);
    const api = require('../../index.js');
    result = await calling(api.build(options), 'run');
    if (interruptedStatus() !== null) return interrupted(log);
    const names = result.plan.tags;
    const state = await ensureImage(engine, {
      id: result.configDigest,
      archive: result.output,
      names,
    });
    log(`${state === 'loaded' ? 'loaded into' : 'already in'} ${engine}: ${names.join(', ')}`);
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  if (interruptedStatus() !== null) return interrupted(log);

  const image = result.plan.tags[0];
  const spec = {
    // By ID: a tag may have moved to another image since the load.
    image: result.configDigest,
    name: values.name ?? containerName(image),
    publish,
    envNames: containerVars.names,
    envFiles: (values['env-file'] ?? []).map((f) => path.resolve(f)),
    args: containerArgs,
    remove: values.rm === true,
  };
  const exposed = result.plan.ports;
  if (publish.length === 0 && exposed.length > 0) {
    const hint = exposed.map((p) => `-p ${p.replace(/\/tcp$/, '').replace(/^(\d+)/, '$1:$1')}`);
    log(`the image listens on ${exposed.join(', ')}; publish with ${hint.join(' ')}`);
  }
  if (values.detach) {
    const id = await runDetached(engine, spec, containerVars.env);
    process.stdout.write(`${id}\n`);
    return 0;
  }
  log(`running ${image} as container ${spec.name} on ${engine}; Ctrl+C stops and removes it`);
  const { status } = await runAttached(engine, spec, containerVars.env, log);
  return status;
}

module.exports = { runRun };
