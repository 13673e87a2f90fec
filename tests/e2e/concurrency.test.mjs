// Builds that run at once into one layout: each takes the layout's lock
// around its read-modify-write of index.json, so no tag is ever lost.
// Four builds in parallel with different tags, twenty rounds; and rounds
// where the --output does not exist when the four start: the first build
// marks it with oci-layout before any blob, so none takes another's
// half-made layout for a foreign directory.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  copyExample,
  describeRun,
  makeTempDir,
  REF_NAME,
  readIndex,
  removeDir,
  runCliAsync,
} from './helpers.mjs';

const BUILDS = 4;
const ROUNDS = 20;
const FRESH_ROUNDS = 5;

let tmp;
before(() => {
  tmp = makeTempDir('pycontainer-e2e-concurrency-');
});
after(() => removeDir(tmp));

/** One context per build, so that the images differ too. */
function contexts() {
  return Array.from({ length: BUILDS }, (_, i) => {
    const ctx = path.join(tmp, `app${i}`);
    if (fs.existsSync(ctx)) return ctx;
    copyExample(tmp, `app${i}`);
    fs.writeFileSync(path.join(ctx, 'build_id.txt'), `${i}\n`);
    return ctx;
  });
}

/** The builds of one round, at once; each must succeed and its tag be there. */
async function round(out, name) {
  const runs = await Promise.all(
    contexts().map((ctx, i) =>
      runCliAsync([
        'build',
        '--context',
        ctx,
        '--base-image',
        'scratch',
        '--output',
        out,
        '--tag',
        `app:${name}-b${i}`,
        '--json',
      ]),
    ),
  );
  for (const r of runs) assert.equal(r.code, 0, describeRun(r));
  const manifests = readIndex(out).manifests;
  const tags = new Set(manifests.map((m) => m.annotations?.[REF_NAME]));
  for (const [i, r] of runs.entries()) {
    const tag = `${name}-b${i}`;
    assert.ok(
      tags.has(tag),
      `${name}: tag ${tag} was lost; the layout has ${[...tags].join(', ')}`,
    );
    const entry = manifests.find((m) => m.annotations?.[REF_NAME] === tag);
    assert.equal(entry.digest, r.json.manifestDigest);
  }
  assert.equal(fs.existsSync(path.join(out, 'index.json.lock')), false, 'the lock is released');
}

test(`${BUILDS} builds at once into one layout keep every tag, ${ROUNDS} rounds`, async () => {
  const out = path.join(tmp, 'shared-out');
  const first = await runCliAsync([
    'build',
    '--context',
    contexts()[0],
    '--base-image',
    'scratch',
    '--output',
    out,
    '--tag',
    'app:seed',
  ]);
  assert.equal(first.code, 0, describeRun(first));
  for (let r = 0; r < ROUNDS; r++) await round(out, `r${r}`);
  assert.equal(readIndex(out).manifests.length, BUILDS * ROUNDS + 1);
});

test(`${BUILDS} builds at once into an --output that does not exist yet, ${FRESH_ROUNDS} rounds`, async () => {
  for (let r = 0; r < FRESH_ROUNDS; r++) {
    const out = path.join(tmp, `fresh-${r}`, 'out');
    await round(out, `fresh${r}`);
    assert.equal(readIndex(out).manifests.length, BUILDS);
  }
});
