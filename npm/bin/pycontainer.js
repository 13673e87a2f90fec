#!/usr/bin/env node
'use strict';

// The pycontainer command line. Argument parsing and help need nothing but
// this file, lib/format.js, lib/options.js and package.json; the wasm core is
// loaded only when a command actually runs, so --help and --version work
// before scripts/build-wasm.sh.

const path = require('node:path');
const { parseArgs } = require('node:util');
const pkg = require('../package.json');
const {
  colorEnabled,
  displayPath,
  formatBytes,
  formatPlan,
  paint,
  shellWord,
  transferLine,
  warningLine,
} = require('../lib/format.js');
const {
  countFlag,
  countProblem,
  keyValueProblem,
  mirrorProblem,
  parseSize,
  portProblem,
  sizeProblem,
  urlProblem,
} = require('../lib/options.js');

// Defaults the core applies when a setting is given nowhere, shown in --help.
// Keep these in step with the Rust core (src/plan.rs).
const CORE_DEFAULTS = {
  output: 'pycontainer-out',
  workdir: '/app',
  user: '65532:65532',
  home: '/home/nonroot',
  venv: '/app/.venv',
  indexUrl: 'https://pypi.org/simple',
};

// Registry flags, shared by `build --push` and `push`.
const REGISTRY_HELP = `  --username NAME       the registry user; give the password with
                        --password-stdin [default: docker's config.json
                        (credHelpers, credsStore, auths) or
                        PYCONTAINER_REGISTRY_USERNAME/_PASSWORD]
  --password-stdin      read the password (or token) from standard input
  --insecure-registry HOST[:PORT]
                        allow plain http or an unverified certificate for
                        this registry; repeatable (localhost and 127.0.0.1
                        may always use plain http)
  --registry-mirror REGISTRY=HOST[:PORT]
                        pull base images of REGISTRY (e.g. docker.io) from
                        a mirror; repeatable [default:
                        PYCONTAINER_REGISTRY_MIRRORS, comma-separated]
  --cache-dir DIR       where pulled base layers are kept, by digest
                        [default: PYCONTAINER_CACHE_DIR, else
                        ~/.cache/pycontainer]
  --parallel N          blobs uploaded or downloaded at once [default: 4]
  --chunk-size SIZE     send blobs larger than SIZE (e.g. 8M) as PATCH chunks
                        of that size, for registries that limit request
                        bodies [default: each blob in one streamed request]
`;

const HELP_MAIN = `pycontainer ${pkg.version} - build OCI container images from Python projects

Usage:
  pycontainer build [options]             build an image into an OCI layout directory
                                          or a registry (--push)
  pycontainer push LAYOUT[:TAG] REF... [options]
                                          push an image from an OCI layout to registries
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

Each setting comes from the first of: a flag, a PYCONTAINER_* environment
variable (e.g. PYCONTAINER_BASE_IMAGE), pycontainer.toml, [tool.pycontainer]
in pyproject.toml, or what pycontainer infers from the project. A flag left
out overrides nothing. Relative paths in flags are taken from the current
directory; --include and --exclude patterns from the context.

Project:
  --context DIR         the Python project directory (with pyproject.toml)
                        [default: . (the current directory)]
  --config FILE         the pycontainer.toml to read
                        [default: pycontainer.toml in the context, if there]
  --script NAME         which [project.scripts] entry the image runs, when
                        there are several [default: inferred; see --dry-run]
  --include PATTERN     put back paths that the default excludes or
                        .dockerignore leave out; repeatable [default: none]
  --exclude PATTERN     leave out paths matching PATTERN (.dockerignore
                        syntax); repeatable [default: none beyond
                        .dockerignore and the default excludes]

Image:
  --base-image REF      the image to build on: a registry reference such as
                        python:3.12-slim or ghcr.io/org/base:1, oci:PATH[:TAG]
                        for a local OCI layout, or 'scratch' for none
                        [default: inferred; --dry-run shows the rule]
  --python X.Y          the Python version the image runs
                        [default: inferred; --dry-run shows the rule]
  --platform OS/ARCH[/VARIANT]
                        the target platform, e.g. linux/arm64/v8; picks the
                        matching image from a multi-platform base
                        [default: the base's platform; linux/amd64 for scratch]
  --workdir PATH        the working directory inside the image
                        [default: ${CORE_DEFAULTS.workdir}]
  -e, --env KEY=VALUE   an environment variable of the image; repeatable
                        [default: none beyond the base's]
  --env-file FILE       environment variables from FILE (KEY=VALUE lines)
  --label KEY=VALUE     a label in the image config; repeatable
  --annotation KEY=VALUE
                        an annotation on the image manifest; repeatable
  -p, --port N[/tcp]    a port the application listens on (exposed ports);
                        /udp is allowed too; repeatable [default: none]
  -u, --user USER[:GROUP]
                        the user the application runs as
                        [default: ${CORE_DEFAULTS.user}, a non-root user with
                        HOME=${CORE_DEFAULTS.home}, unless the base image sets a
                        user; --user root runs as root]
  --entrypoint CMD      the command the image runs, as a shell-style string,
                        'python3 -m app', or a JSON array,
                        '["python3", "-m", "app"]'
                        [default: inferred; --dry-run shows the rule]
  --cmd ARGS            default arguments after the entry point, in the same
                        two forms [default: none]

Dependencies:
  Wheels for the target platform, installed into a virtual environment at
  ${CORE_DEFAULTS.venv}, a layer of its own. The config keys include-deps,
  requirements, extras, groups, index-url, extra-index-urls and pre set these
  too, as do PYCONTAINER_INCLUDE_DEPS and the like (lists comma-separated);
  --locked is a flag only.
  --include-deps        install the dependencies; fail if there are none
                        [default: installed when the project declares any:
                        pylock.toml, uv.lock, poetry.lock, requirements.txt,
                        then [project.dependencies], resolved and locked
                        into pylock.toml]
  --no-deps             install no dependencies, only the project's files
  --requirements FILE   the lock or requirements file to install from:
                        pylock.toml, uv.lock, poetry.lock or a requirements
                        .txt [default: the first found in the context]
  --extra NAME          an extra (optional-dependencies) of the project to
                        install; repeatable [default: none]
  --group NAME          a dependency group to install (PEP 735, a Poetry
                        group or a uv dev group); repeatable
                        [default: none; a pylock.toml's default-groups]
  --index-url URL       the package index's simple API; credentials may go
                        in the URL (https://user:token@host/simple)
                        [default: ${CORE_DEFAULTS.indexUrl}]
  --extra-index-url URL
                        another index; repeatable; each project comes from
                        the first index that has it [default: none]
  --pre                 allow pre-releases when resolving [default: only
                        where a requirement names one]
  --locked              fail when pycontainer's pylock.toml is missing or
                        stale instead of resolving again (for CI)
                        [default: use it while current, else resolve again
                        and rewrite it]

Output:
  -t, --tag NAME:TAG    a reference to record in the layout; repeat the flag
                        for several [default: derived from the project]
  -o, --output DIR      the OCI layout directory to write
                        [default: ${CORE_DEFAULTS.output}; none with --push]
  --push                push the image to every --tag, which must then name
                        the registry (e.g. ghcr.io/org/app:1.0); writes no
                        layout unless --output is given too
${REGISTRY_HELP}  --dry-run             work everything out and print the plan (base, entry
                        point and the rules that chose them, files, layers);
                        write nothing
  --json                print the result as JSON on stdout, and nothing else
                        there (with --dry-run too)
  -v, --verbose         also print the plan on stderr before the result; with
                        --dry-run, list every excluded path and why
  -q, --quiet           print only the manifest digest (nothing for --dry-run)
                        and no progress (progress is also off when stderr is
                        not a terminal)
  --no-color            no colour in the output; setting NO_COLOR does the
                        same, and output that is not a terminal has none
  -h, --help            show this help

Examples:
  pycontainer build --context ./myapp --dry-run -v   # what would be built, and why
  pycontainer build --context ./myapp --base-image oci:./base:3.11-slim --tag myapp:1.0
  podman run --rm oci:${CORE_DEFAULTS.output}:1.0

In the layout the image is tagged by its TAG alone (the OCI ref.name); the
full name goes into the io.containerd.image.name annotation.
`;

const HELP_PUSH = `Usage: pycontainer push LAYOUT[:TAG] REF... [options]

Push an image, or an image index, from an OCI layout to one or more registry
references (REGISTRY/REPOSITORY[:TAG]). Blobs the registry already has are
skipped, blobs in another repository of the same registry are mounted, and
the manifest goes last, so a tag never points at missing blobs.

LAYOUT is the layout directory. ':TAG' picks one reference in it; it may be
left out when the layout holds a single image.

Options:
${REGISTRY_HELP}  --json                print the result as JSON on stdout
  -q, --quiet           print only the pushed digest, no progress
  --no-color            no colour in the output (as does setting NO_COLOR)
  -h, --help            show this help

Examples:
  pycontainer push pycontainer-out:1.0 ghcr.io/org/app:1.0 ghcr.io/org/app:latest
  echo "$TOKEN" | pycontainer push ./out registry.example.com/app:1 --username ci --password-stdin
`;

const HELP_VALIDATE = `Usage: pycontainer validate LAYOUT[:TAG] [options]

Check an OCI image layout: the index, the manifest, the config and every blob's
digest and size. Exits with status 1 when a problem is found.

LAYOUT is the layout directory. ':TAG' picks one reference in it; it is split
off at the last ':' when what follows has no '/'.

Options:
  --json                print the report as JSON on stdout
  --no-color            no colour in the output (as does setting NO_COLOR)
  -h, --help            show this help
`;

// Every build flag: its parseArgs spec, the API option it sets (none for the
// flags that only shape this command's output) and, for KEY=VALUE and port
// flags, a light check run before the core is loaded. A flag the user leaves
// out sets nothing, so it cannot override PYCONTAINER_* or a config file.
const BUILD_FLAGS = {
  context: { type: 'string', option: 'context' },
  config: { type: 'string', option: 'config' },
  script: { type: 'string', option: 'script' },
  include: { type: 'string', multiple: true, option: 'include' },
  exclude: { type: 'string', multiple: true, option: 'exclude' },
  'base-image': { type: 'string', option: 'baseImage' },
  python: { type: 'string', option: 'python' },
  platform: { type: 'string', option: 'platform' },
  workdir: { type: 'string', option: 'workdir' },
  env: { type: 'string', short: 'e', multiple: true, option: 'env', check: keyValueProblem },
  // Node 20 also reads `--env-file FILE` anywhere in argv (nodejs/node#54232)
  // and stops with "node: FILE: not found" before this file runs when FILE is
  // missing; an existing FILE is left to the core.
  'env-file': { type: 'string', option: 'envFile' },
  label: { type: 'string', multiple: true, option: 'labels', check: keyValueProblem },
  annotation: { type: 'string', multiple: true, option: 'annotations', check: keyValueProblem },
  port: { type: 'string', short: 'p', multiple: true, option: 'ports', check: portProblem },
  user: { type: 'string', short: 'u', option: 'user' },
  entrypoint: { type: 'string', option: 'entrypoint' },
  cmd: { type: 'string', option: 'cmd' },
  'include-deps': { type: 'boolean', option: 'includeDeps' },
  'no-deps': { type: 'boolean', option: 'includeDeps', convert: () => false },
  requirements: { type: 'string', option: 'requirements' },
  extra: { type: 'string', multiple: true, option: 'extras' },
  group: { type: 'string', multiple: true, option: 'groups' },
  'index-url': { type: 'string', option: 'indexUrl', check: urlProblem },
  'extra-index-url': {
    type: 'string',
    multiple: true,
    option: 'extraIndexUrls',
    check: urlProblem,
  },
  pre: { type: 'boolean', option: 'pre' },
  locked: { type: 'boolean', option: 'locked' },
  tag: { type: 'string', short: 't', multiple: true, option: 'tags' },
  output: { type: 'string', short: 'o', option: 'output' },
  'dry-run': { type: 'boolean', option: 'dryRun' },
  push: { type: 'boolean', option: 'push' },
  ...registryFlags(),
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  quiet: { type: 'boolean', short: 'q' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** The registry flags of `build` and `push`; the same table for both. */
function registryFlags() {
  return {
    username: { type: 'string', option: 'username' },
    'password-stdin': { type: 'boolean' },
    'insecure-registry': { type: 'string', multiple: true, option: 'insecureRegistries' },
    'cache-dir': { type: 'string', option: 'cacheDir' },
    'registry-mirror': {
      type: 'string',
      multiple: true,
      option: 'registryMirrors',
      check: mirrorProblem,
    },
    parallel: { type: 'string', option: 'parallel', convert: countFlag, check: countProblem },
    'chunk-size': { type: 'string', option: 'chunkSize', convert: parseSize, check: sizeProblem },
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

// --no-color is honoured even for errors found while parsing the rest.
const NO_COLOR_FLAG = process.argv.slice(2).includes('--no-color');

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

/** Rejects empty values and malformed KEY=VALUE or port values, naming the flag. */
function checkFlagValues(values, flags, helpCommand) {
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.type !== 'string' || values[name] === undefined) continue;
    const list = Array.isArray(values[name]) ? values[name] : [values[name]];
    for (const value of list) {
      if (value === '') {
        throw new UsageError(`option '--${name}' needs a non-empty value`, helpCommand);
      }
      const problem = spec.check?.(value);
      if (problem) throw new UsageError(`option '--${name}' ${problem}`, helpCommand);
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

/** The whole of stdin, for --password-stdin; one trailing newline dropped. */
function readPasswordStdin(helpCommand) {
  if (process.stdin.isTTY) {
    throw new UsageError(
      '--password-stdin reads the password from a pipe, not a terminal',
      helpCommand,
    );
  }
  const text = require('node:fs')
    .readFileSync(0, 'utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new UsageError('--password-stdin: standard input was empty', helpCommand);
  return text;
}

/** --username and --password-stdin come together or not at all. */
function addPassword(values, options, helpCommand) {
  if (values['password-stdin'] && values.username === undefined) {
    throw new UsageError("option '--password-stdin' needs '--username'", helpCommand);
  }
  if (values.username !== undefined && !values['password-stdin']) {
    throw new UsageError(
      "option '--username' needs '--password-stdin' (a password on the command line would show in ps and shell history)",
      helpCommand,
    );
  }
  if (values['password-stdin']) options.password = readPasswordStdin(helpCommand);
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

/** The core's events arrive as Maps or plain objects depending on the bindings. */
function plainEvent(raw) {
  return raw instanceof Map ? Object.fromEntries(raw) : raw;
}

/**
 * Messages for humans, all on stderr. Progress and info only when it is a
 * terminal, as they are of no use in a log. Warnings whatever stderr is
 * (unless --quiet): they tell about the image or the project, e.g. a lock
 * that could not be written, which a CI log should keep.
 */
function makeReporter({ progress, warnings, color }) {
  const warn = (message) => process.stderr.write(`${warningLine(message, color)}\n`);
  let onProgress;
  if (progress) {
    onProgress = progressLine(warn);
  } else if (warnings) {
    onProgress = (raw) => {
      const event = plainEvent(raw);
      if (event?.type === 'warning') warn(event.message);
    };
  }
  return {
    info(line) {
      if (progress) process.stderr.write(`${line}\n`);
    },
    onProgress,
  };
}

/** The reporter for `build` and `push`, from their flags. */
function reporterFor(values) {
  return makeReporter({
    progress: !values.quiet && !values.json && process.stderr.isTTY === true,
    warnings: !values.quiet,
    color: colorEnabled(process.stderr, { noColor: values['no-color'] }),
  });
}

/**
 * Renders progress on a terminal: a line per phase or warning, one line per
 * local blob that counts up in place, and a block of bars for transfers
 * (registry blobs, wheel downloads), one per blob or file, redrawn in place.
 */
function progressLine(warn) {
  let open = false;
  const bars = new Map();
  let drawn = 0;
  let last = 0;
  const draw = (force) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const up = drawn > 0 ? `\x1b[${drawn}F` : '';
    // Less the indent; a terminal of unknown size (0) is taken as 80 wide.
    const columns = (process.stderr.columns || 80) - 2;
    const lines = [...bars.values()].map((b) => `\x1b[2K  ${transferLine(b, columns)}`);
    process.stderr.write(`${up}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  return (raw) => {
    const event = plainEvent(raw);
    if (event?.type === 'transfer') {
      if (open) process.stderr.write('\n');
      open = false;
      const total = Number(event.total);
      const bytes = Number(event.bytes);
      bars.set(event.digest, { digest: event.digest, action: event.action, bytes, total });
      draw(bytes >= total);
      return;
    }
    if (event?.type === 'blob') {
      process.stderr.write(`\r\x1b[2K  ${event.label}: ${formatBytes(Number(event.bytes))}`);
      open = true;
      return;
    }
    if (open) process.stderr.write('\n');
    if (event?.type === 'warning') {
      warn(event.message);
    } else {
      const text = event?.type === 'phase' ? `${event.name}…` : describeEvent(event);
      process.stderr.write(`  ${text}\n`);
    }
    open = false;
    bars.clear();
    drawn = 0;
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

/** Where a push went, and what it moved. */
function pushLines(result, color) {
  const pushed = Array.isArray(result.pushed) ? result.pushed : [];
  const s = result.pushStats;
  const lines = pushed.map((p) => `${paint('pushed', 'green', color)} ${p.reference}`);
  if (s) {
    lines.push(
      `  blobs:    ${s.uploaded} uploaded (${formatBytes(s.bytesUploaded)}), ${s.mounted} mounted, ${s.existing} already there`,
    );
  }
  return lines;
}

/** What went into the venv layer: a count, and with `verbose` every package. */
function dependencyLines(result, verbose) {
  const deps = result.dependencies;
  if (deps === null || typeof deps !== 'object') return [];
  const packages = Array.isArray(deps.packages) ? deps.packages : [];
  const count = `${packages.length} package${packages.length === 1 ? '' : 's'}`;
  const lines = [`  dependencies: ${count} for ${deps.target} in ${deps.venv}`];
  if (verbose) lines.push(...packages.map((p) => `    ${p.name}==${p.version} (${p.wheel})`));
  return lines;
}

function printBuildSummary(result, { color, verbose }) {
  const tags = Array.isArray(result.tags) ? result.tags : [];
  const layers = Array.isArray(result.layers) ? result.layers : [];
  const lines = [`${paint('built', 'green', color)} ${result.manifestDigest}`];
  if (typeof result.output !== 'string') {
    lines.push(
      `  platform: ${result.platform}`,
      `  layers:   ${layers.length} (${formatBytes(result.size)})`,
      ...dependencyLines(result, verbose),
      ...pushLines(result, color),
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  const out = displayPath(result.output);
  lines.push(
    `  layout:   ${out}`,
    `  tags:     ${tags.length > 0 ? tags.join(', ') : '(none)'}`,
    `  platform: ${result.platform}`,
    `  layers:   ${layers.length} (${formatBytes(result.size)})`,
    ...dependencyLines(result, verbose),
    ...pushLines(result, color),
    '',
  );
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
  const { values } = parse(args, BUILD_FLAGS, 'build', false);
  if (values.help) {
    process.stdout.write(HELP_BUILD);
    return 0;
  }
  checkFlagValues(values, BUILD_FLAGS, 'build');
  for (const [a, b] of [
    ['quiet', 'verbose'],
    ['include-deps', 'no-deps'],
  ]) {
    if (values[a] && values[b]) {
      throw new UsageError(`options '--${a}' and '--${b}' cannot be used together`, 'build');
    }
  }
  const options = optionsFrom(values, BUILD_FLAGS);
  addPassword(values, options, 'build');
  const reporter = reporterFor(values);
  options.onProgress = reporter.onProgress;
  const target = options.output ? ` -> ${displayPath(path.resolve(options.output))}` : '';
  reporter.info(
    `pycontainer: ${options.dryRun ? 'planning' : 'building'} ${displayPath(path.resolve(options.context ?? '.'))}${target}`,
  );

  const api = require('../index.js');
  const result = await api.build(options);
  const dryRun = options.dryRun === true || result?.dryRun === true;
  const plan = () => formatPlan(result, { verbose: values.verbose === true });
  // --verbose puts the plan on stderr unless a dry run already prints it on stdout.
  if (values.verbose && (values.json || !dryRun)) process.stderr.write(`${plan()}\n`);
  if (values.json) {
    process.stdout.write(`${toJson(result)}\n`);
  } else if (values.quiet) {
    if (!dryRun) process.stdout.write(`${result.manifestDigest}\n`);
  } else if (dryRun) {
    process.stdout.write(`${plan()}\ndry run: nothing written\n`);
  } else {
    printBuildSummary(result, {
      color: colorEnabled(process.stdout, { noColor: values['no-color'] }),
      verbose: values.verbose === true,
    });
  }
  return 0;
}

async function runPush(args) {
  const { values, positionals } = parse(args, PUSH_FLAGS, 'push', true);
  if (values.help) {
    process.stdout.write(HELP_PUSH);
    return 0;
  }
  checkFlagValues(values, PUSH_FLAGS, 'push');
  if (positionals.length < 2 || positionals.some((p) => p === '')) {
    throw new UsageError('needs LAYOUT[:TAG] and at least one REF to push to', 'push');
  }
  const options = optionsFrom(values, PUSH_FLAGS);
  addPassword(values, options, 'push');
  const api = require('../index.js');
  const [source, ...references] = positionals;
  const { path: layout, tag } = api.splitLayoutRef(source);
  const reporter = reporterFor(values);
  reporter.info(`pycontainer: pushing ${displayPath(path.resolve(layout))}${tag ? `:${tag}` : ''}`);
  const result = await api.push({
    ...options,
    layout,
    tag,
    references,
    onProgress: reporter.onProgress,
  });
  if (values.json) {
    process.stdout.write(`${toJson(result)}\n`);
  } else if (values.quiet) {
    process.stdout.write(`${result.manifestDigest}\n`);
  } else {
    const color = colorEnabled(process.stdout, { noColor: values['no-color'] });
    process.stdout.write(`${pushLines(result, color).join('\n')}\n`);
  }
  return 0;
}

async function runValidate(args) {
  const { values, positionals } = parse(args, VALIDATE_FLAGS, 'validate', true);
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
      if (rest[0] === 'push') return runPush(['--help']);
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
    case 'push':
      return runPush(rest);
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
  const color = colorEnabled(process.stderr, { noColor: NO_COLOR_FLAG });
  const prefix = paint('pycontainer: error:', 'red', color);
  if (err instanceof UsageError) {
    const help = err.helpCommand ? `pycontainer ${err.helpCommand} --help` : 'pycontainer --help';
    process.stderr.write(`${prefix} ${err.message}\nsee '${help}'\n`);
    return 2;
  }
  const isObject = err !== null && typeof err === 'object';
  const message = isObject && err.message !== undefined ? String(err.message) : String(err);
  const expected = isObject && typeof err.code === 'string' && err.code !== '';
  let text = `${prefix} ${message}\n`;
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
