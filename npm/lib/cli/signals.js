'use strict';

// SIGINT and SIGTERM while `build` or `push` runs: the command is asked to
// stop through its AbortSignal, so that the core takes back what it wrote,
// and the CLI exits with 128 + the signal's number, as a shell reports a
// process the signal killed. A second signal while it cleans up ends the
// process at once.

const os = require('node:os');

const SIGNALS = ['SIGINT', 'SIGTERM'];

let received = null;

/** The exit status for `name`: 130 for SIGINT, 143 for SIGTERM. */
function exitStatus(name) {
  return 128 + os.constants.signals[name];
}

/** Starts listening; returns the AbortSignal a command passes to the API. */
function stopOnSignals() {
  const controller = new AbortController();
  for (const name of SIGNALS) {
    process.on(name, () => {
      if (received !== null) process.exit(exitStatus(received));
      received = name;
      controller.abort(name);
    });
  }
  return controller.signal;
}

/** The exit status for the signal received, or null when none came. */
function interruptedStatus() {
  return received === null ? null : exitStatus(received);
}

module.exports = { interruptedStatus, stopOnSignals };
