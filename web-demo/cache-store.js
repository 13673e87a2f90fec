// The core's cache (wheels, base-image layers, derived metadata: the files
// under the build's cacheDir in the in-memory tree) kept across visits in
// the browser's Cache Storage, so that a rebuild after a reload downloads
// nothing. Each file is one entry, keyed by its path under a fixed URL
// prefix on this origin (never fetched: Cache Storage keys must be URLs).
//
// Blobs are content-addressed and never change; the few other files (the
// core's small JSON records) are written again when their bytes change.

const STORE = 'pycontainer-cache-v1';
const PREFIX = '/.pycontainer-cache';

const keyOf = (path) => new URL(PREFIX + path, self.location.origin).href;
const pathOf = (key) => new URL(key).pathname.slice(PREFIX.length);
const immutable = (path) => path.includes('/sha256/');

function sameBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Opens the store and reads every file in it. `files` maps path → bytes:
 * put it into each build's tree, then `save` what the build left there.
 * Without Cache Storage (an insecure origin) the cache lasts as long as the
 * worker does.
 */
export async function openCacheStore() {
  const files = new Map();
  const store = self.caches ? await self.caches.open(STORE) : null;
  for (const request of (await store?.keys()) ?? []) {
    const response = await store.match(request);
    if (response) files.set(pathOf(request.url), new Uint8Array(await response.arrayBuffer()));
  }

  /**
   * Brings the store up to date with `host`'s files under `dir`: new and
   * changed files are written, files the core removed are deleted.
   */
  async function save(host, dir) {
    const prefix = `${dir.replace(/\/$/, '')}/`;
    const now = new Set(host.paths().filter((p) => p.startsWith(prefix)));
    for (const path of now) {
      const bytes = host.readFile(path);
      const old = files.get(path);
      if (old && (immutable(path) ? old.byteLength === bytes.byteLength : sameBytes(old, bytes)))
        continue;
      files.set(path, bytes);
      await store?.put(keyOf(path), new Response(bytes));
    }
    for (const path of [...files.keys()]) {
      if (path.startsWith(prefix) && !now.has(path)) {
        files.delete(path);
        await store?.delete(keyOf(path));
      }
    }
  }

  return { files, save };
}
