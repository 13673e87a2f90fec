// Building the page's DOM from data: text only (project files and registry
// answers are never parsed as HTML), and sizes for people.

/** Nodes and strings, from nested arrays of them; null and undefined skipped. */
export const nodes = (...children) =>
  children.flat(Infinity).filter((c) => c !== null && c !== undefined);

/** An element with attributes (`class`, `aria-*`, …) and children, as `nodes` takes them. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) el.setAttribute(name, value);
  }
  el.append(...nodes(children));
  return el;
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** `2117` → `2.1KB`: decimal units, as the CLI shows sizes. */
export const size = (bytes) => `${compact.format(bytes)}B`;

/** `sha256:0123456789ab…` → `0123456789ab`, the short form registries show. */
export const shortDigest = (digest) =>
  String(digest)
    .replace(/^sha256:/, '')
    .slice(0, 12);
