'use strict';

// Which container engine `pycontainer run` uses: --engine, else
// PYCONTAINER_ENGINE, else podman when it is usable, else docker when it is.
// Usable means its CLI is on PATH and `info` answers: an installed docker
// whose daemon is not running is not usable, and the error says so.

const { EngineError, engineCommand, engineSaid } = require('./command.js');

const ENGINES = ['podman', 'docker'];

/** How long `info` may take: podman's first call sets up its storage. */
const INFO_TIMEOUT_MS = 15_000;

/** What to do about each engine when it is not usable. */
const HINTS = {
  podman: 'install podman (Debian: apt install podman)',
  docker:
    'install Docker (Debian: apt install docker.io) and start its daemon (systemctl start docker, or dockerd)',
};

/**
 * The engine PYCONTAINER_ENGINE names, or null when it is not set; an
 * unknown name is an error (code `invalid-engine`) naming the variable.
 */
function engineFromEnv(env = process.env) {
  const value = env.PYCONTAINER_ENGINE;
  if (value === undefined || value === '') return null;
  if (ENGINES.includes(value)) return value;
  throw new EngineError(
    'invalid-engine',
    `PYCONTAINER_ENGINE="${value}" is not an engine pycontainer runs: use ${ENGINES.join(' or ')}`,
  );
}

/** null when `engine` is usable, else why not, in a few words or its own. */
async function unusable(engine, env) {
  const result = await engineCommand(engine, ['info'], { env, timeoutMs: INFO_TIMEOUT_MS });
  if (result.code === 0) return null;
  if (result.code === 'ENOENT') return 'not installed (not found on PATH)';
  if (result.code === 'ETIMEDOUT') {
    return `\`${engine} info\` did not answer within ${INFO_TIMEOUT_MS / 1000} s`;
  }
  return engineSaid(result);
}

/**
 * The engine to use: `choice` (from --engine or PYCONTAINER_ENGINE) when
 * usable, else the first usable of podman and docker. An unusable choice is
 * an `engine-unusable` error, no usable engine a `no-engine` error; both
 * say why each engine is not usable and what to install or start.
 */
async function detectEngine(choice, env = process.env) {
  if (choice !== null) {
    const why = await unusable(choice, env);
    if (why === null) return choice;
    throw new EngineError('engine-unusable', `${choice} is not usable: ${why}\n${HINTS[choice]}`);
  }
  const reasons = [];
  for (const engine of ENGINES) {
    const why = await unusable(engine, env);
    if (why === null) return engine;
    reasons.push(`  ${engine}: ${why}`);
  }
  throw new EngineError(
    'no-engine',
    `no container engine is usable to run the image:\n${reasons.join('\n')}\n` +
      `${HINTS.podman}, or ${HINTS.docker}; or run the image elsewhere from \`pycontainer build\`'s output`,
  );
}

module.exports = { detectEngine, ENGINES, engineFromEnv };
