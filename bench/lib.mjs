// What the Node benchmarks share: running and timing commands, and the
// cached bench/gen-tree.mjs tree (the same key and layout bench/layer.sh uses).

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEN = path.join(repo, 'bench/gen-tree.mjs');

export function log(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}

/** Exits 1 naming every command not found (like lib.sh's `need`). */
export function need(cmds) {
  const dirs = (process.env.PATH || '').split(path.delimiter);
  const isExe = (p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  const missing = cmds.filter((c) =>
    c.startsWith('/') ? !isExe(c) : !dirs.some((d) => isExe(path.join(d, c))),
  );
  if (missing.length > 0) {
    log(`error: required command(s) not found: ${missing.join(' ')}`);
    log("       run 'bash scripts/setup.sh' (installs the test tools) and retry");
    process.exit(1);
  }
}

/** Runs a command; resolves {code, stdout, stderr} (never rejects on exit status). */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({
        code: code ?? 128,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
  });
}

export function tail(text, lines = 20) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Times one command under `/usr/bin/time -f %M`: wall seconds (hrtime,
 * spawn to exit) and peak RSS in KiB (the last line of stderr). Throws with
 * the command's stderr when it fails. opts (cwd, env) go to spawn.
 */
export async function timed(label, cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = await run('/usr/bin/time', ['-f', '%M', cmd, ...args], opts);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // The last line is time's %M; before it, on failure, its "Command exited with ..." line.
  const lines = r.stderr.trimEnd().split('\n');
  const rssKb = Number(lines.pop());
  if (r.code !== 0) {
    const own = lines.filter((l) => !/^Command (exited with|terminated by)/.test(l)).join('\n');
    throw new Error(
      `${label} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}): ${cmd} ${args.join(' ')}\n${tail(own)}`,
    );
  }
  if (!Number.isInteger(rssKb) || rssKb <= 0) {
    throw new Error(`${label}: no peak RSS from /usr/bin/time: ${tail(r.stderr, 3)}`);
  }
  return { seconds, rssKb, stdout: r.stdout };
}

// ---- the tree and the image ------------------------------------------------

export function cacheDir() {
  const dir =
    process.env.PYCONTAINER_TEST_CACHE || path.join(os.homedir(), '.cache/pycontainer-test');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The cached tree: same key and layout as bench/layer.sh, built in a temp dir and renamed in. */
export async function ensureTree(files, mb) {
  const cache = cacheDir();
  const genHash = crypto
    .createHash('sha256')
    .update(fs.readFileSync(GEN))
    .digest('hex')
    .slice(0, 12);
  const prefix = `bench-tree-f${files}-mb${mb}-`;
  const base = path.join(cache, `${prefix}${genHash}`);
  const tree = path.join(base, 'tree');
  if (fs.existsSync(tree)) return tree;
  log(`generating tree (${files} files, ${mb} MB) in ${tree}`);
  // Drop trees made by older versions of the generator.
  for (const name of fs.readdirSync(cache)) {
    if (name.startsWith(prefix))
      fs.rmSync(path.join(cache, name), { recursive: true, force: true });
  }
  const tmp = fs.mkdtempSync(path.join(cache, '.bench-tree.tmp.'));
  try {
    const r = await run(process.execPath, [
      GEN,
      path.join(tmp, 'tree'),
      '--files',
      String(files),
      '--mb',
      String(mb),
    ]);
    if (r.code !== 0) throw new Error(`gen-tree.mjs failed:\n${tail(r.stderr)}`);
    fs.renameSync(tmp, base);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return tree;
}

export function median(xs) {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}
