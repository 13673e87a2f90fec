// The --verbose phase times (npm/lib/cli/phase-times.js): each phase lasts
// until the next starts, a phase reached twice adds up, and the total is
// their sum.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
const { phaseTimer } = require('../../npm/lib/cli/phase-times.js');

/** Spins for `ms`: the timer reads the clock, not a callback's schedule. */
function busy(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test('phases in the order first reached, a repeated one summed, then the total', () => {
  const timer = phaseTimer();
  timer.observe({ type: 'phase', name: 'plan' });
  busy(30);
  timer.observe({ type: 'blob', label: 'app layer', bytes: 1 });
  timer.observe({ type: 'phase', name: 'layer' });
  busy(10);
  timer.observe({ type: 'phase', name: 'plan' });
  busy(30);
  const lines = timer.lines();
  assert.equal(lines[0], 'phase times:');
  const rows = lines.slice(1).map((l) => {
    const m = /^ {2}(\S+) +(\d+\.\d{3}) s$/.exec(l);
    assert.ok(m, l);
    return [m[1], Number(m[2])];
  });
  assert.deepEqual(
    rows.map(([name]) => name),
    ['startup', 'plan', 'layer', 'total'],
  );
  const t = Object.fromEntries(rows);
  assert.ok(t.plan >= 0.06, `plan ${t.plan}`);
  assert.ok(t.layer >= 0.01 && t.layer < t.plan, `layer ${t.layer}`);
  const sum = t.startup + t.plan + t.layer;
  assert.ok(Math.abs(t.total - sum) <= 0.002, `${t.total} vs ${sum}`);
});
