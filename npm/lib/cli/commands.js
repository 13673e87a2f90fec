'use strict';

// The commands: `build`, `dockerfile`, `push` and `validate`, each from its arguments to
// its exit status. The API (../../index.js), and with it the wasm core, is
// required only once a command has its arguments checked and is about to
// run, so that --help and usage errors never need the core.

const fs = require('node:fs');
const path = require('node:path');
const { colorEnabled, displayPath, formatPlan } = require('../format.js');
const {
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
} = require('./flags.js');
const { HELP_BUILD, HELP_DOCKERFILE, HELP_PUSH, HELP_VALIDATE } = require('./help.js');
const { phaseTimer } = require('./phase-times.js');
const { reporterFor } = require('./progress.js');
const { stopOnSignals } = require('./signals.js');
const { printBuildSummary, pushLines, toJson, validateLines } = require('./summary.js');

/**
 * Runs a core call; when the core names a flag as the fault (`err.option`),
 * the command line is wrong: a usage error, pointing at the command's help.
 */
async function calling(promise, helpCommand) {
  try {
    return await promise;
  } catch (err) {
    if (typeof err?.option === 'string') throw new UsageError(err.message, helpCommand);
    throw err;
  }
}

async function runBuild(args) {
  const { values } = parse(args, BUILD_FLAGS, 'build', false);
  if (values.help) {
    process.stdout.write(HELP_BUILD);
    return 0;
  }
  checkFlagValues(values, BUILD_FLAGS, 'build');
  checkConflicts(values, 'build');
  const digestFile = values['digest-file'] && path.resolve(values['digest-file']);
  if (digestFile) checkDigestFile(digestFile);
  const options = optionsFrom(values, BUILD_FLAGS);
  await addPassword(values, options, 'build');
  const reporter = reporterFor(values);
  const timer = values.verbose ? phaseTimer() : null;
  options.onProgress = timer
    ? (event) => {
        timer.observe(event);
        reporter.onProgress?.(event);
      }
    : reporter.onProgress;
  const target = options.output ? ` -> ${displayPath(path.resolve(options.output))}` : '';
  reporter.info(
    `pycontainer: ${options.dryRun ? 'planning' : 'building'} ${displayPath(path.resolve(options.context ?? '.'))}${target}`,
  );

  const api = require('../../index.js');
  options.signal = stopOnSignals();
  const result = await calling(api.build(options), 'build');
  const dryRun = options.dryRun === true || result?.dryRun === true;
  // The digest alone, with no newline, as `docker build --iidfile` writes an ID.
  if (digestFile && !dryRun) replaceFile(digestFile, result.manifestDigest);
  const plan = () => formatPlan(result, { verbose: values.verbose === true });
  // --verbose puts the plan on stderr unless a dry run already prints it on stdout.
  if (values.verbose && (values.json || !dryRun)) process.stderr.write(`${plan()}\n`);
  if (timer && !dryRun) process.stderr.write(`${timer.lines().join('\n')}\n`);
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

/**
 * --digest-file goes where a directory already is: checked before the build,
 * so that a typo does not cost one, and a build never half-reports.
 */
function checkDigestFile(file) {
  const dir = path.dirname(file);
  const info = fs.statSync(dir, { throwIfNoEntry: false });
  if (!info?.isDirectory()) {
    throw new UsageError(`--digest-file ${file}: ${dir} is not a directory`, 'build');
  }
  if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--digest-file ${file} is a directory; name a file`, 'build');
  }
}

async function runDockerfile(args) {
  const { values } = parse(args, DOCKERFILE_FLAGS, 'dockerfile', false);
  if (values.help) {
    process.stdout.write(HELP_DOCKERFILE);
    return 0;
  }
  checkFlagValues(values, DOCKERFILE_FLAGS, 'dockerfile');
  if (values['include-deps'] && values['no-deps']) {
    throw new UsageError(
      "options '--include-deps' and '--no-deps' cannot be used together",
      'dockerfile',
    );
  }
  const options = optionsFrom(values, DOCKERFILE_FLAGS);
  await addPassword(values, options, 'dockerfile');
  const reporter = reporterFor(values);
  options.onProgress = reporter.onProgress;
  reporter.info(
    `pycontainer: planning ${displayPath(path.resolve(options.context ?? '.'))} for a Dockerfile`,
  );
  const api = require('../../index.js');
  options.signal = stopOnSignals();
  const result = await calling(api.dockerfile(options), 'dockerfile');
  // The ignore file first: a Dockerfile never stands without the list of
  // what it copies.
  for (const file of [result.ignoreFile, result.dockerfile]) replaceFile(file.path, file.text);
  if (values.verbose) {
    process.stderr.write(`${formatPlan(result, { verbose: true })}\n`);
  }
  if (values.json) {
    process.stdout.write(`${toJson(result)}\n`);
    return 0;
  }
  const written = [result.dockerfile.path, result.ignoreFile.path].map((p) => displayPath(p));
  const context = displayPath(path.resolve(options.context ?? '.'));
  process.stdout.write(
    `wrote ${written.join(' and ')}\nbuild it in ${context}:\n${result.commands.map((c) => `  ${c}\n`).join('')}`,
  );
  return 0;
}

/**
 * `text` at `file` under a temp name renamed into place: a script reading
 * it sees this run's text or the last one's, never half of one.
 */
function replaceFile(file, text) {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
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
  await addPassword(values, options, 'push');
  const api = require('../../index.js');
  const [source, ...references] = positionals;
  const { path: layout, tag } = api.splitLayoutRef(source);
  const reporter = reporterFor(values);
  reporter.info(`pycontainer: pushing ${displayPath(path.resolve(layout))}${tag ? `:${tag}` : ''}`);
  const result = await calling(
    api.push({
      ...options,
      layout,
      tag,
      references,
      onProgress: reporter.onProgress,
      signal: stopOnSignals(),
    }),
    'push',
  );
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
  const api = require('../../index.js');
  const { path: layout, tag } = api.splitLayoutRef(positionals[0]);
  const report = await api.validate({ layout, tag });
  if (values.json) {
    process.stdout.write(`${toJson(report)}\n`);
  } else {
    process.stdout.write(`${validateLines(report, layout).join('\n')}\n`);
  }
  return report.ok ? 0 : 1;
}

module.exports = { calling, runBuild, runDockerfile, runPush, runValidate };
