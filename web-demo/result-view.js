// What a build made: each layer with its size and digest, then the image's
// config and manifest as the layout holds them.

import { h, nodes, shortDigest, size } from './dom.js';

const pretty = (value) => JSON.stringify(value, null, 2);

/** `result` is the core's BuildResult; `layout` the {manifest, config} read from the layout. */
export function renderResult(result, layout) {
  return nodes(
    h(
      'p',
      {},
      'Image ',
      h('code', { title: result.manifestDigest }, shortDigest(result.manifestDigest)),
      `, ${result.layers.length} layer${result.layers.length === 1 ? '' : 's'}, ${size(result.size)} compressed`,
      result.pushed.length > 0
        ? `; pushed to ${result.pushed.map((p) => p.reference).join(', ')}`
        : '',
    ),
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Layers, base first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, '#'),
          h('th', { scope: 'col' }, 'Size'),
          h('th', { scope: 'col' }, 'Digest'),
        ),
      ),
      h(
        'tbody',
        {},
        result.layers.map((l, i) =>
          h(
            'tr',
            {},
            h('td', {}, String(i + 1)),
            h('td', {}, size(l.size)),
            h('td', {}, h('code', {}, l.digest)),
          ),
        ),
      ),
    ),
    layout
      ? [
          h('details', {}, h('summary', {}, 'Config JSON'), h('pre', {}, pretty(layout.config))),
          h(
            'details',
            {},
            h('summary', {}, 'Manifest JSON'),
            h('pre', {}, pretty(layout.manifest)),
          ),
        ]
      : null,
  );
}
