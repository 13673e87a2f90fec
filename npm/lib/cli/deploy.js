'use strict';

// `pycontainer deploy`: a build pushed to its registry (deploy implies
// --push: a cluster pulls from a registry), then the Kubernetes manifests
// that run the image by the digest the registry confirmed, on stdout, or
// with --apply through `kubectl apply -f -`. The manifests are the core's.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { displayPath } = require('../format.js');
const { calling } = require('./commands.js');
const {
  addPassword,
  BUILD_FLAGS,
  checkConflicts,
  checkFlagValues,
  optionsFrom,
  parse,
  UsageError,
} = require('./flags.js');
const { HELP_DEPLOY } = require('./help.js');
const { reporterFor } = require('./progress.js');
const { stopOnSignals } = require('./signals.js');
const { toJson } = require('./summary.js');

// The build's flags, less those a deploy decides itself: it always pushes,
// and a dry run has no digest for the manifests to name.
const NOT_FOR_DEPLOY = new Set(['dry-run', 'push', 'digest-file']);

// The runtime flags, each setting a `runtime` option of the API; the core
// judges their values and merges them over pycontainer.toml's [runtime].
const RUNTIME_FLAGS = {
  replicas: { type: 'string', runtime: 'replicas' },
  public: { type: 'boolean', runtime: 'public' },
  shards: { type: 'string', runtime: 'shards' },
  'job-iterations': { type: 'string', runtime: 'jobIterations' },
  'job-parallelism': { type: 'string', runtime: 'jobParallelism' },
  cpu: { type: 'string', runtime: 'cpu' },
  memory: { type: 'string', runtime: 'memory' },
};

const DEPLOY_FLAGS = {
  ...Object.fromEntries(Object.entries(BUILD_FLAGS).filter(([name]) => !NOT_FOR_DEPLOY.has(name))),
  ...RUNTIME_FLAGS,
  apply: { type: 'boolean' },
};

/** The `runtime` API options for the runtime flags given, and only those. */
function runtimeFrom(values) {
  const runtime = {};
  for (const [name, spec] of Object.entries(RUNTIME_FLAGS)) {
    if (values[name] !== undefined) runtime[spec.runtime] = values[name];
  }
  return runtime;
}

/**
 * kubectl on PATH, looked for before the build so that --apply without it
 * costs no build and no push.
 */
function findKubectl() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, 'kubectl');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // Not here: the next directory.
    }
  }
  const err = new Error(
    '--apply runs `kubectl apply -f -`, and there is no kubectl on PATH: install kubectl, or leave out --apply to get the YAML on stdout',
  );
  err.code = 'kubectl-not-found';
  throw err;
}

/** `kubectl apply -f -` with the manifests on its stdin; its output is ours, its status too. */
function apply(kubectl, yaml) {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, ['apply', '-f', '-'], { stdio: ['pipe', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
    // kubectl may exit before reading all of it (no cluster): its status says why.
    child.stdin.on('error', () => {});
    child.stdin.end(yaml);
  });
}

async function runDeploy(args) {
  const { values } = parse(args, DEPLOY_FLAGS, 'deploy', false);
  if (values.help) {
    process.stdout.write(HELP_DEPLOY);
    return 0;
  }
  checkFlagValues(values, DEPLOY_FLAGS, 'deploy');
  checkConflicts(values, 'deploy');
  if (values.apply && values.json) {
    throw new UsageError("options '--apply' and '--json' cannot be used together", 'deploy');
  }
  const kubectl = values.apply ? findKubectl() : undefined;
  const options = optionsFrom(values, DEPLOY_FLAGS);
  options.runtime = runtimeFrom(values);
  await addPassword(values, options, 'deploy');
  const reporter = reporterFor(values);
  options.onProgress = reporter.onProgress;
  reporter.info(`pycontainer: deploying ${displayPath(path.resolve(options.context ?? '.'))}`);

  const api = require('../../index.js');
  options.signal = stopOnSignals();
  const result = await calling(api.deploy(options), 'deploy');
  const objects = result.manifests.map((m) => `${m.kind}/${m.name}`).join(', ');
  if (!values.quiet) process.stderr.write(`pycontainer: ${result.image}: ${objects}\n`);
  if (kubectl !== undefined) return apply(kubectl, result.yaml);
  process.stdout.write(values.json ? `${toJson(result)}\n` : result.yaml);
  return 0;
}

module.exports = { runDeploy };
