'use strict';

// Running one engine CLI command (podman or docker) to completion, and the
// typed error for a command that failed. Values the container gets (its
// environment) are never on an engine's command line, so neither a message
// here nor `ps` shows them; a failure is reported with the engine's own
// stderr, which is what says what went wrong.

const { execFile } = require('node:child_process');

/** An engine that failed or cannot be used; `code` is stable, the message for people. */
class EngineError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}

/**
 * Runs `engine args…`; resolves {code, stdout, stderr} whatever the exit
 * status. `code` is 'ENOENT' when the engine is not installed, 'ETIMEDOUT'
 * when it did not answer within `timeoutMs` (it is then killed).
 */
function engineCommand(engine, args, { env = process.env, timeoutMs = 0 } = {}) {
  return new Promise((resolve) => {
    execFile(
      engine,
      args,
      { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        let code = 0;
        if (err?.code === 'ENOENT') code = 'ENOENT';
        else if (err?.killed) code = 'ETIMEDOUT';
        else if (err) code = typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The engine's stderr, trimmed, or a note that it said nothing. */
function engineSaid(result) {
  const text = result.stderr.trim();
  return text === '' ? `(exit status ${result.code}, nothing on stderr)` : text;
}

/**
 * Runs `engine args…` and resolves its stdout; a failure is an
 * EngineError `engine-failed` naming `what` (a short description, never
 * the full command line) and carrying the engine's stderr.
 */
async function engineChecked(engine, what, args, options) {
  const result = await engineCommand(engine, args, options);
  if (result.code === 0) return result.stdout;
  throw new EngineError('engine-failed', `${engine} ${what} failed: ${engineSaid(result)}`);
}

module.exports = { EngineError, engineChecked, engineCommand, engineSaid };
