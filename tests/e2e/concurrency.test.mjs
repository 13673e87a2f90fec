// Builds that run at once into one layout: each takes the layout's lock
// around its read-modify-write of index.json, so no tag is ever lost.
// Four builds in parallel with different tags, twenty rounds.

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

let tmp;
before(() => {
  tmp = makeTempDir('pycontainer-e2e-concurrency-');
});
after(() => removeDir(tmp));

test(`${BUILDS} builds at once into one layout keep every tag, ${ROUNDS} rounds`, async () => {
  // One context per build, so that the images differ too.
  const contexts = Array.from({ length: BUILDS }, (_, i) => {
    const ctx = copyExample(tmp, `app${i}`);
    fs.writeFileSync(path.join(ctx, 'build_id.txt'), `${i}\n`);
    return ctx;
  });
  const out = path.join(tmp, 'shared-out');
  // The layout exists before the rounds: builds that start at once into a
  // directory that does not exist yet can still refuse each other (issue 12).
  const first = await runCliAsync([
    'build',
    '--context',
    contexts[0],
    '--base-image',
    'scratch',
    '--output',
    out,
    '--tag',
    'app:seed',
  ]);
  assert.equal(first.code, 0, describeRun(first));
  for (let round = 0; round < ROUNDS; round++) {
    const runs = await Promise.all(
      contexts.map((ctx, i) =>
        runCliAsync([
          'build',
          '--context',
          ctx,
          '--base-image',
          'scratch',
          '--output',
          out,
          '--tag',
          `app:r${round}-b${i}`,
          '--json',
        ]),
      ),
    );
    for (const r of runs) assert.equal(r.code, 0, describeRun(r));
    const tags = new Set(readIndex(out).manifests.map((m) => m.annotations?.[REF_NAME]));
    for (const [i, r] of runs.entries()) {
      const tag = `r${round}-b${i}`;
      assert.ok(
        tags.has(tag),
        `round ${round}: tag ${tag} was lost; the layout has ${[...tags].join(', ')}`,
      );
      const entry = readIndex(out).manifests.find((m) => m.annotations?.[REF_NAME] === tag);
      assert.equal(entry.digest, r.json.manifestDigest);
    }
    assert.equal(fs.existsSync(path.join(out, 'index.json.lock')), false, 'the lock is released');
  }
  assert.equal(readIndex(out).manifests.length, BUILDS * ROUNDS + 1);
});
