// The bad-input catalog: every case in catalog/cases.mjs runs the real CLI
// on a small bad input and must fail cleanly. Per case the runner
//   - builds the case's directory (context, files, base and output layouts),
//   - plants secrets (SECRETS in cases.mjs) in every case: a registry
//     password, an index URL with a token and a variable in the
//     environment, docker credentials in HOME, and a token in the
//     requirement URLs of the cases that write one,
//   - hashes the whole case directory (context, --output, HOME and its
//     cache, bases) before and after the run, and
//   - asserts the exit code, that the message names every fault the case
//     lists, that no secret and no stack trace or panic text is printed,
//     and that nothing under the case directory changed (a --output that
//     did not exist still does not exist).
// Build cases alternate between a fresh and an existing --output and
// between text and --json output, so both sides of each are seen in every
// area. Cases run a few at a time (CONCURRENCY): the CLI spends most of a
// case starting Node and the wasm, which overlaps well even on 2 cores.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRegistry } from '../infra/registry.mjs';
import { AREAS, CASES, SECRETS } from './catalog/cases.mjs';
import {
  arm64ProbeRef,
  build,
  copyExample,
  describeRun,
  ensureWasm,
  makeTempDir,
  removeDir,
  runCli,
  runCliAsync,
  snapshotTree,
} from './helpers.mjs';

const CONCURRENCY = 4;

let tmp;
/** Read-only fixtures every case may copy: a base layout and an output layout. */
const fixtures = {};
let registry;
const started = Date.now();

before(async () => {
  ensureWasm();
  tmp = makeTempDir('pycontainer-e2e-catalog-');
  // A layout to build on: its own marker file, so that none of its blobs is
  // already in `template` (a build skips copying a base blob the output holds).
  const baseSrc = copyExample(path.join(tmp, 'fixture-base-src'));
  fs.writeFileSync(path.join(baseSrc, 'base-marker.txt'), 'only in the small base\n');
  fixtures.base = path.join(tmp, 'fixture-base');
  build(['--context', baseSrc, '--base-image', 'scratch', '--output', fixtures.base, '-t', 'b:1']);
  const src = copyExample(path.join(tmp, 'fixture-layout-src'));
  fixtures.layout = path.join(tmp, 'fixture-layout');
  build(['--context', src, '--base-image', 'scratch', '--output', fixtures.layout, '-t', 'cat:1']);
  // A base with a CPython for the dependency cases: the synthetic arm64
  // probe image. What a build learns from it is cached by its digest; one
  // build fills that record in a HOME every case starts from, so that a
  // case's cache only changes if the case really writes there.
  fixtures.py = arm64ProbeRef();
  fixtures.home = path.join(tmp, 'fixture-home');
  const warm = runCli(
    ['build', '--context', src, '--base-image', fixtures.py, '--dry-run', '--no-deps'],
    { env: { HOME: fixtures.home, XDG_CACHE_HOME: undefined } },
  );
  assert.equal(warm.code, 0, describeRun(warm));
  fixtures.snapshots = {
    base: snapshotTree(fixtures.base),
    layout: snapshotTree(fixtures.layout),
  };
  // One registry with Basic auth for every push case; its storage is
  // hashed around each of them.
  if (CASES.some((c) => c.registry)) {
    registry = await startRegistry({ mode: 'basic', users: { catalog: SECRETS.registryGood } });
  }
});

after(async () => {
  await registry?.stop();
  removeDir(tmp);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const counts = AREAS.map((a) => `${a} ${CASES.filter((c) => c.area === a).length}`);
  const known = CASES.filter((c) => c.known).length;
  process.stderr.write(
    `catalog: ${CASES.length} cases (${counts.join(', ')}; ${known} known) in ${seconds} s\n`,
  );
});

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces {dir}, {ctx}, {out}, {base}, {layout}, {reg}, {py} in a string. */
function fill(text, vars) {
  return text.replace(/\{(dir|ctx|out|base|layout|reg|py)\}/g, (_, k) => {
    if (vars[k] === undefined) throw new Error(`${text}: {${k}} is not set for this case`);
    return vars[k];
  });
}

/** Writes one entry of a case's `files` (see cases.mjs for the forms). */
function writeEntry(file, value) {
  fs.rmSync(file, { recursive: true, force: true });
  if (value === null) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (typeof value === 'string' || Buffer.isBuffer(value)) fs.writeFileSync(file, value);
  else if (value.symlink !== undefined) fs.symlinkSync(value.symlink, file);
  else if (value.dir) fs.mkdirSync(file);
  // The name's characters as single bytes: a name that is not UTF-8.
  else if (value.latin1Name !== undefined)
    fs.writeFileSync(Buffer.from(file, 'latin1'), value.latin1Name);
  else throw new Error(`${file}: unknown file entry ${JSON.stringify(value)}`);
}

/**
 * Whether a case builds into an existing layout: those that name none
 * themselves alternate between a fresh --output and a copy of a valid
 * layout, so that both "nothing created" and "an existing layout left
 * byte-identical" are seen across every area.
 */
function intoExisting(c, caseNo) {
  const ownOutput =
    c.output !== undefined ||
    c.argv !== undefined ||
    c.drop?.includes('--output') ||
    (c.args ?? []).includes('--output') ||
    Object.keys(c.files ?? {}).some((f) => f === '../out' || f.startsWith('../out/'));
  return !ownOutput && caseNo % 2 === 0;
}

/** Makes the case's directory; returns the placeholder values. */
function setUp(c, dir, caseNo) {
  const vars = { dir, ctx: path.join(dir, 'ctx'), out: path.join(dir, 'out'), py: fixtures.py };
  if (c.project === 'empty') fs.mkdirSync(vars.ctx);
  else copyExample(dir, 'ctx');
  if (registry) vars.reg = registry.host;
  // Docker credentials for a registry: a secret that must never be printed.
  const dockerDir = path.join(dir, 'home', '.docker');
  fs.cpSync(fixtures.home, path.join(dir, 'home'), { recursive: true });
  fs.mkdirSync(dockerDir, { recursive: true });
  const auth = Buffer.from(`catalog:${SECRETS.docker}`).toString('base64');
  fs.writeFileSync(
    path.join(dockerDir, 'config.json'),
    JSON.stringify({ auths: { '127.0.0.1:1': { auth }, [vars.reg ?? 'x']: { auth } } }),
  );
  if (c.base !== undefined) {
    vars.base = path.join(dir, 'base');
    fs.cpSync(fixtures.base, vars.base, { recursive: true });
    if (typeof c.base === 'function') c.base(vars.base);
  }
  if (c.layout !== undefined) {
    vars.layout = path.join(dir, 'layout');
    fs.cpSync(fixtures.layout, vars.layout, { recursive: true });
    if (typeof c.layout === 'function') c.layout(vars.layout);
  }
  if (c.output !== undefined || intoExisting(c, caseNo)) {
    fs.cpSync(fixtures.layout, vars.out, { recursive: true });
    if (typeof c.output === 'function') c.output(vars.out);
  }
  for (const [rel, value] of Object.entries(c.files ?? {})) {
    const content = typeof value === 'string' ? fill(value, vars) : value;
    writeEntry(path.join(vars.ctx, rel), content);
  }
  return vars;
}

/**
 * The command line: `build` with the default flags (and --json in every
 * other case) unless the case gives `argv`.
 */
function commandLine(c, vars, caseNo) {
  if (c.argv) return c.argv.map((a) => fill(a, vars));
  const defaults = { '--context': '{ctx}', '--output': '{out}', '--base-image': 'scratch' };
  const argv = ['build'];
  for (const [flag, value] of Object.entries(defaults)) {
    if (!c.drop?.includes(flag)) argv.push(flag, value);
  }
  if (caseNo % 2 === 1) argv.push('--json');
  argv.push(...(c.args ?? []));
  return argv.map((a) => fill(a, vars));
}

function environment(c, vars) {
  const env = {
    HOME: path.join(vars.dir, 'home'),
    DOCKER_CONFIG: path.join(vars.dir, 'home', '.docker'),
    XDG_CACHE_HOME: undefined,
    PYCONTAINER_REGISTRY_USERNAME: 'catalog',
    PYCONTAINER_REGISTRY_PASSWORD: SECRETS.registry,
    // Closed ports: no case can reach an index or Docker Hub, and the
    // index's token must stay hidden.
    PYCONTAINER_INDEX_URL: `https://catalog:${SECRETS.index}@127.0.0.1:1/simple`,
    PYCONTAINER_REGISTRY_MIRRORS: 'docker.io=127.0.0.1:1',
    CATALOG_TOKEN: SECRETS.env,
    NO_COLOR: '1',
  };
  for (const [k, v] of Object.entries(c.env ?? {})) {
    env[k] = v === undefined ? undefined : fill(v, vars);
  }
  return env;
}

/** Every form a planted secret could be printed in. */
function secretForms() {
  const forms = new Set();
  for (const s of Object.values(SECRETS)) {
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(Buffer.from(s).toString('base64'));
  }
  forms.add(Buffer.from(`catalog:${SECRETS.docker}`).toString('base64'));
  return [...forms];
}

const SECRET_FORMS = secretForms();

function assertClean(c, r, vars) {
  const text = `${r.stdout}\n${r.stderr}`;
  const shown = describeRun(r);
  assert.equal(r.signal, null, shown);
  assert.equal(r.code, c.exit ?? 1, shown);
  if (c.argv?.[0] !== 'validate') {
    assert.match(r.stderr, /^pycontainer: error: \S/, shown);
    assert.equal(r.stdout, '', `nothing on stdout\n${shown}`);
  }
  for (const name of c.names) {
    const re = typeof name === 'string' ? new RegExp(escapeRe(fill(name, vars))) : name;
    assert.match(text, re, shown);
  }
  for (const secret of SECRET_FORMS) {
    assert.equal(text.includes(secret), false, `secret ${secret} printed\n${shown}`);
  }
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, `no stack trace\n${shown}`);
  assert.doesNotMatch(
    text,
    /panicked|RuntimeError|unreachable executed|looks like a bug|\[object Object\]|undefined/i,
    `no panic or internal text\n${shown}`,
  );
}

describe('bad-input catalog', { concurrency: CONCURRENCY }, () => {
  let n = 0;
  for (const c of CASES) {
    n += 1;
    const caseNo = n;
    const name = `${c.area}/${c.id}`;
    if (c.known) {
      test(name, { skip: `known: ${c.known}` }, () => {});
      continue;
    }
    test(name, async () => {
      const dir = path.join(tmp, `case-${caseNo}`);
      fs.mkdirSync(dir);
      const vars = setUp(c, dir, caseNo);
      const argv = commandLine(c, vars, caseNo);
      const storage = registry && c.registry ? path.join(registry.dir, 'data') : undefined;
      const storageBefore = storage && fs.existsSync(storage) ? snapshotTree(storage) : {};
      const outExisted = fs.existsSync(vars.out);
      const before = snapshotTree(dir);
      const r = await runCliAsync(argv, {
        cwd: dir,
        env: environment(c, vars),
        input: c.stdin === undefined ? undefined : fill(c.stdin, vars),
        timeoutMs: 60_000,
      });
      assertClean(c, r, vars);
      assert.deepEqual(snapshotTree(dir), before, `nothing under ${dir} changed`);
      if (!outExisted) assert.equal(fs.existsSync(vars.out), false, `${vars.out} not created`);
      if (storage) {
        const after = fs.existsSync(storage) ? snapshotTree(storage) : {};
        assert.deepEqual(after, storageBefore, 'nothing pushed to the registry');
      }
      removeDir(dir);
    });
  }
});

test('no case touched the shared fixtures', () => {
  assert.deepEqual(snapshotTree(fixtures.base), fixtures.snapshots.base);
  assert.deepEqual(snapshotTree(fixtures.layout), fixtures.snapshots.layout);
});
