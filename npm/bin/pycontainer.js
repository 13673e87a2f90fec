#!/bin/sh
// 2>/dev/null; exec node -- "$0" "$@"
'use strict';

// This file is a shell script and a Node program at once. Run as a
// program (the package's bin, npx), sh runs line 2: `//` fails quietly (it
// is a directory), then sh starts Node with `--` before this file. Node 20
// and later otherwise scan the whole command line, ours included, for
// `--env-file`: `pycontainer build --env-file MISSING` would end in Node's
// own "node: MISSING: not found" (exit 9) before any of our code ran, and
// `--` stops that scan. To Node, line 2 is a comment. Running this file
// with `node` yourself, Node scans first: write `node -- pycontainer.js`.

// The pycontainer command line: which command runs, and how a failure is
// reported. Argument parsing and help (lib/cli/) need nothing but
// lib/format.js and package.json; the wasm core is loaded
// only when a command actually runs, so --help and --version work before
// scripts/build-wasm.sh.

const pkg = require('../package.json');
const { runBuild, runDockerfile, runPush, runValidate } = require('../lib/cli/commands.js');
const { UsageError } = require('../lib/cli/flags.js');
const { HELP_MAIN } = require('../lib/cli/help.js');
const { interruptedStatus } = require('../lib/cli/signals.js');
const { colorEnabled, paint } = require('../lib/format.js');

// --no-color is honoured even for errors found while parsing the rest.
const NO_COLOR_FLAG = process.argv.slice(2).includes('--no-color');

async function main(argv) {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      process.stderr.write(HELP_MAIN);
      return 2;
    case '--help':
    case '-h':
    case 'help':
      if (rest[0] === 'build') return runBuild(['--help']);
      if (rest[0] === 'dockerfile') return runDockerfile(['--help']);
      if (rest[0] === 'validate') return runValidate(['--help']);
      if (rest[0] === 'push') return runPush(['--help']);
      if (rest[0] === 'deploy') return runDeploy(['--help']);
      if (rest[0] === 'run') return runRun(['--help']);
      process.stdout.write(HELP_MAIN);
      return 0;
    case '--version':
    case '-V':
    case 'version':
      process.stdout.write(`pycontainer ${pkg.version}\n`);
      return 0;
    case 'build':
      return runBuild(rest);
    case 'dockerfile':
      return runDockerfile(rest);
    case 'validate':
      return runValidate(rest);
    case 'push':
      return runPush(rest);
    case 'run':
      return runRun(rest);
    case 'deploy':
      return runDeploy(rest);
    default:
      throw new UsageError(
        command.startsWith('-') ? `unknown option '${command}'` : `unknown command '${command}'`,
        null,
      );
  }
}

// run and deploy (engines, kubectl) are loaded when asked for: a build
// does not pay for their modules at start-up.
const runRun = (args) => require('../lib/cli/run.js').runRun(args);
const runDeploy = (args) => require('../lib/cli/deploy.js').runDeploy(args);

/** Prints an error the way users should see it and returns the exit status. */
function reportError(err) {
  const debug = process.env.PYCONTAINER_DEBUG === '1';
  const color = colorEnabled(process.stderr, { noColor: NO_COLOR_FLAG });
  const prefix = paint('pycontainer: error:', 'red', color);
  if (err instanceof UsageError) {
    const help = err.helpCommand ? `pycontainer ${err.helpCommand} --help` : 'pycontainer --help';
    process.stderr.write(`${prefix} ${err.message}\nsee '${help}'\n`);
    return 2;
  }
  const isObject = err !== null && typeof err === 'object';
  const message = isObject && err.message !== undefined ? String(err.message) : String(err);
  const interrupted = interruptedStatus();
  if (interrupted !== null && err?.code === 'interrupted') {
    // One line, on a line of its own below any progress display.
    const clear = process.stderr.isTTY ? '\r\x1b[2K' : '';
    process.stderr.write(`${clear}pycontainer: ${message}\n`);
    return interrupted;
  }
  const expected = isObject && typeof err.code === 'string' && err.code !== '';
  let text = `${prefix} ${message}\n`;
  if (debug && isObject && typeof err.stack === 'string') {
    text += `${err.stack}\n`;
  } else if (!expected) {
    text += 'this looks like a bug; set PYCONTAINER_DEBUG=1 to see the stack trace\n';
  }
  process.stderr.write(text);
  return 1;
}

process.stdout.on('error', (err) => {
  // `pycontainer ... | head`: the reader went away; nothing left to say.
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = reportError(err);
    // Interrupted: the work is undone; nothing that may still be pending
    // (a worker, a socket's close) should hold the exit back.
    if (interruptedStatus() !== null) process.exit();
  },
);
