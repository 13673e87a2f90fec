'use strict';

// The flags of each command, and turning the ones given into API options.
// Nothing here loads the core, and nothing here judges a value: the core
// does, once for every caller, and names the flag at fault (commands.js
// reports that as a usage error).

const { parseArgs } = require('node:util');

// Every build flag: its parseArgs spec and the API option it sets (none for
// the flags that only shape this command's output). A flag the user leaves
// out sets nothing, so it cannot override PYCONTAINER_* or a config file.
const BUILD_FLAGS = {
  context: { type: 'string', option: 'context' },
  config: { type: 'string', option: 'config' },
  script: { type: 'string', option: 'script' },
  include: { type: 'string', multiple: true, option: 'include' },
  exclude: { type: 'string', multiple: true, option: 'exclude' },
  writable: { type: 'string', multiple: true, option: 'writable' },
  'base-image': { type: 'string', option: 'baseImage' },
  python: { type: 'string', option: 'python' },
  'ignore-requires-python': { type: 'boolean', option: 'ignoreRequiresPython' },
  platform: { type: 'string', option: 'platform' },
  workdir: { type: 'string', option: 'workdir' },
  env: { type: 'string', short: 'e', multiple: true, option: 'env' },
  // Node 20 also reads `--env-file FILE` anywhere in argv (nodejs/node#54232)
  // and stops with "node: FILE: not found" before this file runs when FILE is
  // missing; an existing FILE is left to the core.
  'env-file': { type: 'string', option: 'envFile' },
  label: { type: 'string', multiple: true, option: 'labels' },
  annotation: { type: 'string', multiple: true, option: 'annotations' },
  port: { type: 'string', short: 'p', multiple: true, option: 'ports' },
  user: { type: 'string', short: 'u', option: 'user' },
  entrypoint: { type: 'string', option: 'entrypoint' },
  cmd: { type: 'string', option: 'cmd' },
  'include-deps': { type: 'boolean', option: 'includeDeps' },
  'no-deps': { type: 'boolean', option: 'includeDeps', convert: () => false },
  requirements: { type: 'string', option: 'requirements' },
  extra: { type: 'string', multiple: true, option: 'extras' },
  group: { type: 'string', multiple: true, option: 'groups' },
  'index-url': { type: 'string', option: 'indexUrl' },
  'extra-index-url': { type: 'string', multiple: true, option: 'extraIndexUrls' },
  pre: { type: 'boolean', option: 'pre' },
  locked: { type: 'boolean', option: 'locked' },
  compile: { type: 'boolean', option: 'compile' },
  'no-compile': { type: 'boolean', option: 'compile', convert: () => false },
  tag: { type: 'string', short: 't', multiple: true, option: 'tags' },
  output: { type: 'string', short: 'o', option: 'output' },
  format: { type: 'string', option: 'format' },
  'dry-run': { type: 'boolean', option: 'dryRun' },
  push: { type: 'boolean', option: 'push' },
  sbom: { type: 'string', multiple: true, option: 'sbom' },
  ...registryFlags(),
  'digest-file': { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  quiet: { type: 'boolean', short: 'q' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

// `dockerfile`: the build's flags that decide the image, and where the file
// goes. Those about where an image goes (an output, a push, SBOMs beside
// it) have no meaning for a Dockerfile, and are unknown options here.
const DOCKERFILE_FLAGS = {
  ...Object.fromEntries(
    Object.entries(BUILD_FLAGS).filter(
      ([name]) =>
        !['output', 'format', 'dry-run', 'push', 'sbom', 'digest-file', 'quiet'].includes(name),
    ),
  ),
  file: { type: 'string', short: 'f', option: 'file' },
};

/** The registry flags of `build` and `push`; the same table for both. */
function registryFlags() {
  return {
    username: { type: 'string', option: 'username' },
    'password-stdin': { type: 'boolean' },
    'insecure-registry': { type: 'string', multiple: true, option: 'insecureRegistries' },
    'cache-dir': { type: 'string', option: 'cacheDir' },
    'registry-mirror': { type: 'string', multiple: true, option: 'registryMirrors' },
    parallel: { type: 'string', option: 'parallel' },
    'chunk-size': { type: 'string', option: 'chunkSize' },
  };
}

const PUSH_FLAGS = {
  ...registryFlags(),
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const VALIDATE_FLAGS = {
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** The part of a flag table that parseArgs understands. */
function parseSpec(flags) {
  const spec = {};
  for (const [name, { type, short, multiple }] of Object.entries(flags)) {
    spec[name] = { type };
    if (short !== undefined) spec[name].short = short;
    if (multiple !== undefined) spec[name].multiple = multiple;
  }
  return spec;
}

/** Bad command-line usage: reported with a pointer to the relevant help, exit 2. */
class UsageError extends Error {
  constructor(message, helpCommand) {
    super(message);
    this.helpCommand = helpCommand;
  }
}

function parse(args, flags, helpCommand, allowPositionals) {
  try {
    return parseArgs({ args, options: parseSpec(flags), strict: true, allowPositionals });
  } catch (err) {
    if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError(err.message, helpCommand);
    }
    throw err;
  }
}

/**
 * Rejects a flag given an empty value (`--tag ''`): the API takes an empty
 * string for a mistake in the caller's code, the CLI for one on the line.
 */
function checkFlagValues(values, flags, helpCommand) {
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.type !== 'string' || values[name] === undefined) continue;
    const list = Array.isArray(values[name]) ? values[name] : [values[name]];
    if (list.includes('')) {
      throw new UsageError(`option '--${name}' needs a non-empty value`, helpCommand);
    }
  }
}

/** Refuses the flag pairs that contradict each other, for `build` and the commands that build. */
function checkConflicts(values, helpCommand) {
  for (const [a, b] of [
    ['quiet', 'verbose'],
    ['include-deps', 'no-deps'],
  ]) {
    if (values[a] && values[b]) {
      throw new UsageError(`options '--${a}' and '--${b}' cannot be used together`, helpCommand);
    }
  }
}

/** The API options for the flags given, and only those. */
function optionsFrom(values, flags) {
  const options = {};
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.option !== undefined && values[name] !== undefined) {
      options[spec.option] = spec.convert ? spec.convert(values[name]) : values[name];
    }
  }
  return options;
}

/**
 * The whole of stdin, for --password-stdin; one trailing newline dropped.
 * Read as a stream, not with readFileSync(0): once anything has touched
 * `process.stdin`, a pipe's descriptor is non-blocking and a synchronous read
 * fails with EAGAIN whenever the writer (`vault read … |`) has not written yet.
 */
async function readPasswordStdin(helpCommand) {
  if (process.stdin.isTTY) {
    throw new UsageError(
      '--password-stdin reads the password from a pipe, not a terminal',
      helpCommand,
    );
  }
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new UsageError('--password-stdin: standard input was empty', helpCommand);
  return text;
}

/** --username and --password-stdin come together or not at all. */
async function addPassword(values, options, helpCommand) {
  if (values['password-stdin'] && values.username === undefined) {
    throw new UsageError("option '--password-stdin' needs '--username'", helpCommand);
  }
  if (values.username !== undefined && !values['password-stdin']) {
    throw new UsageError(
      "option '--username' needs '--password-stdin' (a password on the command line would show in ps and shell history)",
      helpCommand,
    );
  }
  if (values['password-stdin']) options.password = await readPasswordStdin(helpCommand);
}

module.exports = {
  addPassword,
  BUILD_FLAGS,
  checkConflicts,
  checkFlagValues,
  DOCKERFILE_FLAGS,
  optionsFrom,
  PUSH_FLAGS,
  parse,
  UsageError,
  VALIDATE_FLAGS,
};
