// Small declarative damage to an OCI layout, for the bad-input catalog:
// each function returns a mutation `(layoutDir) => void` that the runner
// applies to the case's own copy of a fixture layout. `kind` is 'manifest',
// 'config' or 'layer' (the first image of index.json, its config, its
// first layer).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { tar } from '../helpers.mjs';

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const blobFile = (layout, digest) => path.join(layout, 'blobs', ...digest.split(':'));
const sha256 = (bytes) => `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;

/** The digests of the layout's first image: {manifest, config, layer}. */
export function digests(layout) {
  const manifest = readJson(path.join(layout, 'index.json')).manifests[0].digest;
  const m = readJson(blobFile(layout, manifest));
  return { manifest, config: m.config.digest, layer: m.layers[0].digest };
}

const fileOf = (layout, kind) => blobFile(layout, digests(layout)[kind]);

/** Deletes the blob (or index.json / oci-layout for those kinds). */
export const remove = (kind) => (layout) => {
  const file = ['index.json', 'oci-layout'].includes(kind)
    ? path.join(layout, kind)
    : fileOf(layout, kind);
  fs.rmSync(file);
};

/** Flips the last byte: same size, other content. */
export const flip = (kind) => (layout) => {
  const file = fileOf(layout, kind);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 1] ^= 0xff;
  fs.writeFileSync(file, bytes);
};

/** Cuts the blob to `size` bytes. */
export const truncate =
  (kind, size = 10) =>
  (layout) =>
    fs.truncateSync(fileOf(layout, kind), size);

/** Overwrites a file of the layout (relative path, e.g. 'index.json') with `content`. */
export const write = (rel, content) => (layout) => {
  fs.rmSync(path.join(layout, rel), { recursive: true, force: true });
  if (content === null) fs.mkdirSync(path.join(layout, rel));
  else fs.writeFileSync(path.join(layout, rel), content);
};

/**
 * Replaces a blob with `bytes` under its true digest and updates every
 * descriptor above it (manifest, index.json), so the layout is consistent
 * and only the content is wrong. `change` maps the old JSON (or, for a
 * layer, the old bytes) to the new content (an object is JSON-encoded).
 */
export const rewrite = (kind, change) => (layout) => {
  const old = digests(layout);
  const oldBytes = fs.readFileSync(blobFile(layout, old[kind]));
  const next = change(kind === 'layer' ? oldBytes : JSON.parse(oldBytes.toString('utf8')));
  const bytes = Buffer.isBuffer(next)
    ? next
    : Buffer.from(typeof next === 'string' ? next : JSON.stringify(next));
  const digest = sha256(bytes);
  fs.writeFileSync(blobFile(layout, digest), bytes);
  const point = (desc) => Object.assign(desc, { digest, size: bytes.length });
  if (kind !== 'manifest') {
    const manifest = readJson(blobFile(layout, old.manifest));
    point(kind === 'config' ? manifest.config : manifest.layers[0]);
    rewrite('manifest', () => manifest)(layout);
    return;
  }
  const indexFile = path.join(layout, 'index.json');
  const index = readJson(indexFile);
  point(index.manifests[0]);
  fs.writeFileSync(indexFile, JSON.stringify(index));
};

/** Edits index.json's JSON in place. */
export const editIndex = (change) => (layout) => {
  const file = path.join(layout, 'index.json');
  fs.writeFileSync(file, JSON.stringify(change(readJson(file))));
};

/**
 * Replaces the first layer with a gzipped tar of `files` ({path: text}),
 * the config's diff_id with it: a consistent layout whose content is wrong.
 */
export const layerOf = (files) => (layout) => {
  const bytes = tar(Object.entries(files).map(([name, text]) => [name, { file: text }]));
  rewrite('config', (c) => ({
    ...c,
    rootfs: { ...c.rootfs, diff_ids: [sha256(bytes), ...c.rootfs.diff_ids.slice(1)] },
  }))(layout);
  rewrite('layer', () => zlib.gzipSync(bytes))(layout);
};
