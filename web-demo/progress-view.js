// A build's progress events (ProgressEvent in npm/core.d.ts) as the page
// shows them: the phase, and a row for each blob: a bar for one moving to
// or from a registry or index (its total is known), a byte count for one
// being read or written.

import { h, shortDigest, size } from './dom.js';

const ACTIONS = {
  pull: 'Pulling',
  push: 'Pushing',
  mount: 'Mounted',
  exists: 'Already there',
  download: 'Downloading',
};

/** A progress display in `root`; `update(event)` for each event, `reset()` between builds. */
export function createProgressView(root) {
  const phase = h('p', { class: 'phase' });
  const list = h('ul', { class: 'transfers' });
  const rows = new Map();
  root.replaceChildren(phase, list);

  /** The row for `key`, made on first use; its bar starts indeterminate (no value). */
  function rowFor(key) {
    let row = rows.get(key);
    if (!row) {
      const label = h('span', { class: 'transfer-label' });
      const bar = h('progress', {});
      const amount = h('span', { class: 'transfer-amount' });
      row = { label, bar, amount };
      rows.set(key, row);
      list.append(h('li', {}, label, bar, amount));
    }
    return row;
  }

  const nameOf = (digest) => (digest.startsWith('sha256:') ? shortDigest(digest) : digest);

  function transfer({ digest, action, bytes, total }) {
    const row = rowFor(`transfer ${digest}`);
    row.label.textContent = `${ACTIONS[action] ?? action} ${nameOf(digest)}`;
    row.bar.max = total || 1;
    row.bar.value = total ? bytes : 1;
    row.bar.setAttribute('aria-label', row.label.textContent);
    row.amount.textContent = `${size(bytes)} / ${size(total)}`;
  }

  function blob({ digest, label, bytes }) {
    const row = rowFor(`blob ${digest ?? label}`);
    row.label.textContent = digest ? `${label} ${nameOf(digest)}` : label;
    row.bar.setAttribute('aria-label', row.label.textContent);
    row.amount.textContent = size(bytes);
  }

  return {
    update(event) {
      if (event.type === 'phase') phase.textContent = `Phase: ${event.name}`;
      else if (event.type === 'blob') blob(event);
      else if (event.type === 'transfer') transfer(event);
    },
    /** The build is over: bars still counting without a total are full. */
    finish() {
      for (const row of rows.values()) if (!row.bar.hasAttribute('value')) row.bar.value = 1;
    },
    reset() {
      phase.textContent = '';
      rows.clear();
      list.replaceChildren();
    },
  };
}
