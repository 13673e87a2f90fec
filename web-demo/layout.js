// Reading back the OCI layout a build wrote into the in-memory tree: its
// index, manifest and config for the page to show, and all of it as a tar
// (an `oci-archive`) to download.

import { tar } from './tar.js';

const json = (bytes) => JSON.parse(new TextDecoder().decode(bytes));

function blob(host, dir, digest) {
  const bytes = host.readFile(`${dir}/blobs/${digest.replace(':', '/')}`);
  if (!bytes) throw new Error(`the layout at ${dir} has no blob ${digest}`);
  return bytes;
}

/** The layout's index.json, its (first) image manifest and that image's config. */
export function readLayout(host, dir) {
  const index = json(host.readFile(`${dir}/index.json`));
  const manifest = json(blob(host, dir, index.manifests[0].digest));
  const config = json(blob(host, dir, manifest.config.digest));
  return { index, manifest, config };
}

/**
 * Every file of the layout under `dir`, with its directories, as a tar whose
 * names are relative to the layout (oci-layout, index.json, blobs/sha256/…).
 * Sorted, so that the same layout always gives the same archive.
 */
export function layoutArchive(host, dir) {
  const prefix = `${dir.replace(/\/$/, '')}/`;
  const names = new Set();
  const files = new Map();
  for (const path of host.paths()) {
    if (!path.startsWith(prefix)) continue;
    const name = path.slice(prefix.length);
    files.set(name, host.readFile(path));
    names.add(name);
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) names.add(`${parts.slice(0, i).join('/')}/`);
  }
  return tar([...names].sort().map((name) => ({ name, bytes: files.get(name) })));
}
