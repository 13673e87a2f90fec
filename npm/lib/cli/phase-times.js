'use strict';

// `--verbose`'s phase times: how long a build spent in each phase the core
// reports (`{type: 'phase'}` events), so a user sees where the time goes.
// A phase lasts until the next one starts, or the build ends; one reached
// twice (a layer per platform) adds up. `startup` is the time before the
// first phase: Node, the CLI and the wasm core loading.

const { performance } = require('node:perf_hooks');

/** Records phase events; `lines()` then says each phase's time, in order. */
function phaseTimer() {
  const totals = new Map();
  let current = 'startup';
  let since = 0;
  const switchTo = (name) => {
    const now = performance.now();
    totals.set(current, (totals.get(current) ?? 0) + (now - since));
    current = name;
    since = now;
  };
  return {
    observe(event) {
      if (event?.type === 'phase') switchTo(String(event.name));
    },
    /** Ends the last phase; one line per phase, then the total, in seconds. */
    lines() {
      switchTo(null);
      const width = Math.max(...[...totals.keys()].map((n) => n.length), 'total'.length);
      const line = (name, ms) => `  ${name.padEnd(width)}  ${(ms / 1000).toFixed(3)} s`;
      const sum = [...totals.values()].reduce((a, b) => a + b, 0);
      return ['phase times:', ...[...totals].map(([n, ms]) => line(n, ms)), line('total', sum)];
    },
  };
}

module.exports = { phaseTimer };
