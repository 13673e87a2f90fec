// Runs a GitHub composite action's steps here as a runner would, for
// tests: inputs with their defaults, `${{ … }}` in `env:` and `run:`
// substituted, each `run:` step in `bash --noprofile --norc -eo pipefail`
// (the runner's `shell: bash`) with its own GITHUB_OUTPUT file, and the
// action's outputs from the steps' outputs.
//
// Only the expressions the action uses are understood (contexts inputs,
// steps, github.action_path, runner.temp; `A == 'b'` in `if:`); anything
// else throws, so the action cannot quietly depend on what this does not
// run. A `uses:` step cannot run here: it must be one whose `if:` is false.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;

/** The value of one context reference (`inputs.tags`, `steps.build.outputs.digest`). */
function lookup(ref, ctx) {
  const parts = ref.split('.');
  if (parts[0] === 'inputs' && parts.length === 2) return ctx.inputs[parts[1]] ?? '';
  if (parts[0] === 'steps' && parts.length === 4 && parts[2] === 'outputs') {
    return ctx.steps[parts[1]]?.outputs[parts[3]] ?? '';
  }
  if (ref === 'github.action_path') return ctx.actionPath;
  if (ref === 'runner.temp') return ctx.runnerTemp;
  throw new Error(`composite-action: unsupported expression \${{ ${ref} }}`);
}

/** An `if:` condition: `REF == 'literal'`, or a bare REF (true when non-empty). */
function condition(text, ctx) {
  const expr = text.replace(/^\$\{\{\s*|\s*\}\}$/g, '');
  const m = /^([\w.-]+)\s*==\s*'([^']*)'$/.exec(expr);
  if (m) return lookup(m[1], ctx) === m[2];
  if (/^[\w.-]+$/.test(expr)) return lookup(expr, ctx) !== '';
  throw new Error(`composite-action: unsupported condition ${text}`);
}

const substitute = (text, ctx) => String(text).replace(EXPRESSION, (_, ref) => lookup(ref, ctx));

/** `name=value` lines and `name<<DELIM … DELIM` blocks, as GITHUB_OUTPUT holds them. */
export function parseOutputFile(text) {
  const outputs = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      if (end === -1) throw new Error(`GITHUB_OUTPUT: ${heredoc[1]} has no closing ${heredoc[2]}`);
      outputs[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=');
      outputs[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
    }
  }
  return outputs;
}

function runBash(script, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
  });
}

/** The parsed action.yml of the action in `actionPath`. */
export function readAction(actionPath) {
  return parse(fs.readFileSync(path.join(actionPath, 'action.yml'), 'utf8'));
}

/**
 * Runs the composite action in `actionPath` with `inputs` (strings), in
 * `cwd` (the workspace), with `env` added to this process's (a job's env).
 * Stops at the first failing step, as a runner does.
 * Resolves {ok, outputs, steps: [{id, skipped, code, stdout, stderr}]}.
 */
export async function runCompositeAction(actionPath, { inputs = {}, env = {}, cwd } = {}) {
  const action = readAction(actionPath);
  if (action.runs?.using !== 'composite') throw new Error(`${actionPath}: not a composite action`);
  for (const name of Object.keys(inputs)) {
    if (!(name in (action.inputs ?? {}))) throw new Error(`${actionPath}: no input ${name}`);
  }
  const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-action-runner-'));
  const ctx = { inputs: {}, steps: {}, actionPath, runnerTemp };
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    if (spec.required && inputs[name] === undefined) throw new Error(`input ${name} is required`);
    ctx.inputs[name] = inputs[name] ?? String(spec.default ?? '');
  }
  const report = [];
  try {
    for (const [i, step] of action.runs.steps.entries()) {
      const id = step.id ?? `__step${i}`;
      if (step.if !== undefined && !condition(step.if, ctx)) {
        report.push({ id, skipped: true });
        continue;
      }
      if (step.uses) throw new Error(`step ${id} uses ${step.uses}, which cannot run here`);
      if (step.shell !== 'bash') throw new Error(`step ${id}: shell ${step.shell}, expected bash`);
      const outputFile = path.join(runnerTemp, `output-${i}`);
      fs.writeFileSync(outputFile, '');
      const stepEnv = {
        ...process.env,
        ...env,
        GITHUB_OUTPUT: outputFile,
        GITHUB_ACTION_PATH: actionPath,
        RUNNER_TEMP: runnerTemp,
      };
      for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = substitute(v, ctx);
      const r = await runBash(substitute(step.run, ctx), stepEnv, cwd);
      ctx.steps[id] = { outputs: parseOutputFile(fs.readFileSync(outputFile, 'utf8')) };
      report.push({ id, skipped: false, ...r });
      if (r.code !== 0) return { ok: false, outputs: {}, steps: report };
    }
    const outputs = {};
    for (const [name, spec] of Object.entries(action.outputs ?? {})) {
      outputs[name] = substitute(spec.value, ctx);
    }
    return { ok: true, outputs, steps: report };
  } finally {
    fs.rmSync(runnerTemp, { recursive: true, force: true });
  }
}
