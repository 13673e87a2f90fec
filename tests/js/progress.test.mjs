// The CLI's progress on a terminal (npm/lib/cli/progress.js): with colour it
// redraws lines and bars in place with escape codes; without (NO_COLOR,
// --no-color) it writes none, so a terminal that would print them as text
// gets plain lines.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
const { progressLine } = require('../../npm/lib/cli/progress.js');

const ESC = '\x1b';
const EVENTS = [
  { type: 'phase', name: 'layer' },
  { type: 'blob', label: 'app layer', bytes: 1_500_000 },
  { type: 'blob', label: 'app layer', bytes: 900 },
  {
    type: 'transfer',
    digest: 'fastapi-0.115.0-py3-none-any.whl',
    action: 'download',
    bytes: 10,
    total: 100,
  },
  {
    type: 'transfer',
    digest: 'fastapi-0.115.0-py3-none-any.whl',
    action: 'download',
    bytes: 100,
    total: 100,
  },
  { type: 'phase', name: 'write' },
];

/** What the renderer writes to stderr for EVENTS. */
function render(color) {
  const written = [];
  const write = process.stderr.write;
  process.stderr.write = (chunk) => {
    written.push(String(chunk));
    return true;
  };
  try {
    const onProgress = progressLine(() => {}, color);
    for (const event of EVENTS) onProgress(event);
  } finally {
    process.stderr.write = write;
  }
  return written.join('');
}

test('without colour: no escape code; a shorter blob line covers the longer one; a transfer once, when done', () => {
  const out = render(false);
  assert.ok(!out.includes(ESC), JSON.stringify(out));
  const blob = out.split('\r').at(-1).split('\n')[0];
  const longer = out.split('\r').at(-2);
  assert.ok(blob.startsWith('  app layer: 900 B'), JSON.stringify(out));
  assert.equal(blob.length, longer.length, 'the shorter line is padded over the longer one');
  const transfers = out.split('\n').filter((l) => l.includes('fastapi-0.115.0'));
  assert.equal(transfers.length, 1, JSON.stringify(out));
  assert.match(transfers[0], /\[#+\]/);
  assert.match(out, /\n {2}write…\n$/);
});

test('with colour: lines are cleared and bars redrawn in place', () => {
  const out = render(true);
  assert.ok(out.includes(`\r${ESC}[2K  app layer: 900 B`), JSON.stringify(out));
  assert.ok(out.includes(`${ESC}[1F`), JSON.stringify(out));
});
