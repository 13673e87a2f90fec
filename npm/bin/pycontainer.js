#!/usr/bin/env node
'use strict';

// The pycontainer command line. Argument parsing and help need nothing but
// this file and package.json; the wasm core is loaded only when a command
// actually runs, so --help and --version work before scripts/build-wasm.sh.

const path = require('node:path');
const { parseArgs } = require('node:util');
const pkg = require('../package.json');

// Defaults the core applies when a flag is left out, shown in --help.
// Keep these in step with the Rust core (src/plan.rs).
const CORE_DEFAULTS = {
  workdir: '/app',
};

const DEFAULT_OUTPUT = 'pycontainer-out';

const HELP_MAIN = `pycontainer ${pkg.version} - build OCI container images from Python projects

Usage:
  pycontainer build [options]             build an image into an OCI layout directory
  pycontainer validate LAYOUT[:TAG] [options]
                                          check an OCI layout for problems
  pycontainer --help                      show this help
  pycontainer --version                   show the version

Run 'pycontainer <command> --help' for the options of a command.
Set PYCONTAINER_DEBUG=1 to see stack traces of unexpected errors.
`;

const HELP_BUILD = `Usage: pycontainer build [options]

Build a container image from a Python project and write it as an OCI image
layout (a directory) that podman, skopeo, buildah or crane can use directly.
No Docker daemon and no Python are needed.

Options:
  --context DIR         the Python project directory (with pyproject.toml)
                        [default: . (the current directory)]
  -t, --tag NAME:TAG    a reference to record in the layout; repeat the flag
                        for several [default: derived from the project]
  -o, --output DIR      the OCI layout directory to write; relative paths are
                        taken from the current directory [default: ${DEFAULT_OUTPUT}]
  --base-image REF      the image to build on: oci:PATH[:TAG] for a local OCI
                        layout, or 'scratch' for none (required; registry
                        references are not supported yet)
  --platform OS/ARCH[/VARIANT]
                        the target platform, e.g. linux/arm64/v8; picks the
                        matching image from a multi-platform base
                        [default: the base's platform; linux/amd64 for scratch]
  --workdir PATH        the working directory inside the image
                        [default: ${CORE_DEFAULTS.workdir}]
  --json                print the build result as JSON on stdout (and nothing
                        else there)
  -q, --quiet           no progress on stderr; print only the manifest digest
                        (progress is also off when stderr is not a terminal)
  -h, --help            show this help

Example:
  pycontainer build --context ./myapp --base-image oci:./base:3.11-slim --tag myapp:1.0
  podman run --rm oci:${DEFAULT_OUTPUT}:1.0

In the layout the image is tagged by its TAG alone (the OCI ref.name); the
full name goes into the io.containerd.image.name annotation.
`;

const HELP_VALIDATE = `Usage: pycontainer validate LAYOUT[:TAG] [options]

Check an OCI image layout: the index, the manifest, the config and every blob's
digest and size. Exits with status 1 when a problem is found.

LAYOUT is the layout directory. ':TAG' picks one reference in it; it is split
off at the last ':' when what follows has no '/'.

Options:
  --json                print the report as JSON on stdout
  -h, --help            show this help
`;

const BUILD_OPTIONS = {
  context: { type: 'string' },
  tag: { type: 'string', short: 't', multiple: true },
  output: { type: 'string', short: 'o' },
  'base-image': { type: 'string' },
  platform: { type: 'string' },
  workdir: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

const VALIDATE_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** Bad command-line usage: reported with a pointer to the relevant help, exit 2. */
class UsageError extends Error {
  constructor(message, helpCommand) {
    super(message);
    this.helpCommand = helpCommand;
  }
}

function parse(args, options, helpCommand, allowPositionals) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (err) {
    if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError(err.message, helpCommand);
    }
    throw err;
  }
}

function requireNonEmpty(values, names, helpCommand) {
  for (const name of names) {
    const value = values[name];
    const list = Array.isArray(value) ? value : [value];
    if (list.some((v) => v === '')) {
      throw new UsageError(`option '--${name}' needs a non-empty value`, helpCommand);
    }
  }
}

/** Quotes a word for a POSIX shell when it needs it, so printed commands can be pasted. */
function shellWord(word) {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A path as the user would type it: relative when under the cwd, else absolute. */
function displayPath(p) {
  const rel = path.relative(process.cwd(), p);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return p;
  return rel;
}

function formatBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** One line for a progress event; the core's events only promise a `type`. */
function describeEvent(event) {
  if (event instanceof Map) return describeEvent(Object.fromEntries(event));
  if (event === null || typeof event !== 'object') return String(event);
  if (typeof event.message === 'string') return event.message;
  const parts = [String(event.type ?? 'progress')];
  for (const [key, value] of Object.entries(event)) {
    if (key === 'type') continue;
    if (['string', 'number', 'boolean', 'bigint'].includes(typeof value)) {
      parts.push(`${key}=${value}`);
    }
  }
  return parts.join(' ');
}

/** Progress and info for humans: stderr only, and only when it is a terminal. */
function makeReporter(enabled) {
  return {
    enabled,
    info(line) {
      if (enabled) process.stderr.write(`${line}\n`);
    },
    onProgress: enabled
      ? (event) => process.stderr.write(`  ${describeEvent(event)}\n`)
      : undefined,
  };
}

/** The JSON that --json prints; BigInts (u64 from the core) become numbers. */
function toJson(value) {
  return JSON.stringify(
    value,
    (_key, v) => {
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
      if (v instanceof Map) return Object.fromEntries(v);
      return v;
    },
    2,
  );
}

function printBuildSummary(result) {
  const out = displayPath(result.output);
  const tags = Array.isArray(result.tags) ? result.tags : [];
  const layers = Array.isArray(result.layers) ? result.layers : [];
  const lines = [
    `built ${result.manifestDigest}`,
    `  layout:   ${out}`,
    `  tags:     ${tags.length > 0 ? tags.join(', ') : '(none)'}`,
    `  platform: ${result.platform}`,
    `  layers:   ${layers.length} (${formatBytes(result.size)})`,
    '',
  ];
  const tag = tags[0];
  const ociRef = tag ? `oci:${out}:${tag}` : `oci:${out}`;
  // The familiar form of the full name, as `docker images` shows it.
  const fullName = Array.isArray(result.names) ? result.names[0] : undefined;
  const daemonName = (fullName ?? `${path.basename(result.output)}:latest`).replace(
    /^docker\.io\/(library\/)?/,
    '',
  );
  lines.push(
    'run it:',
    `  podman run --rm ${shellWord(ociRef)}`,
    'or copy it into Docker:',
    `  skopeo copy ${shellWord(ociRef)} ${shellWord(`docker-daemon:${daemonName}`)}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runBuild(args) {
  const { values } = parse(args, BUILD_OPTIONS, 'build', false);
  if (values.help) {
    process.stdout.write(HELP_BUILD);
    return 0;
  }
  requireNonEmpty(
    values,
    ['context', 'tag', 'output', 'base-image', 'platform', 'workdir'],
    'build',
  );
  const reporter = makeReporter(!values.quiet && process.stderr.isTTY === true);
  const api = require('../index.js');
  const options = {
    context: values.context ?? '.',
    output: values.output ?? DEFAULT_OUTPUT,
    tags: values.tag ?? [],
    baseImage: values['base-image'],
    platform: values.platform,
    workdir: values.workdir,
    onProgress: reporter.onProgress,
  };
  reporter.info(
    `pycontainer: building ${displayPath(path.resolve(options.context))} -> ${displayPath(path.resolve(options.output))}`,
  );
  const result = await api.build(options);
  if (values.json) {
    process.stdout.write(`${toJson(result)}\n`);
  } else if (values.quiet) {
    process.stdout.write(`${result.manifestDigest}\n`);
  } else {
    printBuildSummary(result);
  }
  return 0;
}

async function runValidate(args) {
  const { values, positionals } = parse(args, VALIDATE_OPTIONS, 'validate', true);
  if (values.help) {
    process.stdout.write(HELP_VALIDATE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] === '') {
    throw new UsageError(
      positionals.length === 0
        ? 'missing the LAYOUT[:TAG] argument'
        : `expected one LAYOUT[:TAG] argument, got ${positionals.length}`,
      'validate',
    );
  }
  const api = require('../index.js');
  const { path: layout, tag } = api.splitLayoutRef(positionals[0]);
  const report = await api.validate({ layout, tag });
  if (values.json) {
    process.stdout.write(`${toJson(report)}\n`);
  } else {
    const problems = Array.isArray(report.problems) ? report.problems : [];
    const name = report.tag ? `${layout}:${report.tag}` : layout;
    const lines = [
      `${report.ok ? 'valid' : 'INVALID'}: ${name}`,
      `  manifest: ${report.manifestDigest}`,
      `  layers:   ${report.layers}`,
    ];
    if (problems.length > 0) {
      lines.push(`  problems (${problems.length}):`, ...problems.map((p) => `    - ${p}`));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.ok ? 0 : 1;
}

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
      if (rest[0] === 'validate') return runValidate(['--help']);
      process.stdout.write(HELP_MAIN);
      return 0;
    case '--version':
    case '-V':
    case 'version':
      process.stdout.write(`pycontainer ${pkg.version}\n`);
      return 0;
    case 'build':
      return runBuild(rest);
    case 'validate':
      return runValidate(rest);
    default:
      throw new UsageError(
        command.startsWith('-') ? `unknown option '${command}'` : `unknown command '${command}'`,
        null,
      );
  }
}

/** Prints an error the way users should see it and returns the exit status. */
function reportError(err) {
  const debug = process.env.PYCONTAINER_DEBUG === '1';
  if (err instanceof UsageError) {
    const help = err.helpCommand ? `pycontainer ${err.helpCommand} --help` : 'pycontainer --help';
    process.stderr.write(`pycontainer: error: ${err.message}\nsee '${help}'\n`);
    return 2;
  }
  const isObject = err !== null && typeof err === 'object';
  const message = isObject && err.message !== undefined ? String(err.message) : String(err);
  const expected = isObject && typeof err.code === 'string' && err.code !== '';
  let text = `pycontainer: error: ${message}\n`;
  if (isObject && typeof err.hint === 'string' && err.hint !== '') text += `hint: ${err.hint}\n`;
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
  },
);
