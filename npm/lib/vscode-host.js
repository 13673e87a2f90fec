'use strict';

// A host (docs/host-interface.md) over VS Code's `workspace.fs` and the
// extension host's fetch, so an extension can build from any workspace VS Code
// can open (local, remote, virtual), not only the local disk.
//
// It takes the `vscode` module as an argument instead of requiring it: this
// package must load outside VS Code, and the extension host gives each
// extension its own `vscode` object.
//
// What VS Code's FileSystem API cannot express, and what follows from it:
// - `stat` follows symlinks (FileType.SymbolicLink is only a flag on the
//   target's type) and never gives a link's target, so a symlink is read as
//   the file or directory it points to.
// - No permission bits: files are 0o644 and directories 0o755, as in the web
//   demo; an executable script in the project loses its x bits in the image.
// - No streaming or exclusive create: a file written is buffered until
//   `close` and then written whole; lock files are checked with `stat`
//   (enough for one extension host, the only writer of its layout).
// - No certificate control over fetch: `tlsVerify: false` is not honoured.

const { createBodies, sleep } = require('./response-bodies.js');

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
// As many files as the core reads at once by default (4 parallel uploads), and some.
const CACHED_FILES = 8;

// vscode.FileType's values (a bit set: SymbolicLink is or-ed with the target's type).
const FILE_TYPE_FILE = 1;
const FILE_TYPE_DIRECTORY = 2;

/** A FileSystemError that means "nothing there" (VS Code sets `code` to the error's name). */
function isMissing(err) {
  return err?.code === 'FileNotFound' || err?.code === 'FileNotADirectory';
}

/** The host's FileInfo for a vscode FileType and size. */
function toInfo(type, size) {
  if (type & FILE_TYPE_FILE) return { kind: 'file', size, mode: FILE_MODE };
  if (type & FILE_TYPE_DIRECTORY) return { kind: 'dir', size: 0, mode: DIR_MODE };
  return { kind: 'other', size: 0, mode: 0 };
}

function parentOf(p) {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function joinPosix(dir, name) {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** A network failure with a `code` the core can retry on: the cause's when fetch gives one. */
function networkError(what, err) {
  const code = err?.cause?.code ?? err?.code ?? 'ENETWORK';
  const e = new Error(`${what} failed: ${err?.cause?.message ?? err?.message ?? String(err)}`);
  e.code = code;
  return e;
}

/** The URL without userinfo or query, which may carry credentials. */
function displayUrl(url) {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** fetch, readBody, discardBody and sleep over a WHATWG fetch; `readRange` gives a `bodyFile`'s bytes. */
function createNetwork(fetchImpl, readRange, signal) {
  const bodies = createBodies(networkError);

  async function fetchRequest(req) {
    const method = String(req.method || 'GET').toUpperCase();
    const what = `${method} ${displayUrl(req.url)}`;
    const headers = new Headers();
    for (const [name, value] of req.headers ?? []) headers.append(name, value);
    const body = req.bodyFile
      ? await readRange(req.bodyFile.path, req.bodyFile.offset, req.bodyFile.length)
      : (req.body ?? undefined);
    let res;
    try {
      // `redirect: 'follow'` drops Authorization on a cross-origin redirect (Fetch standard).
      res = await fetchImpl(req.url, { method, headers, body, redirect: 'follow', signal });
    } catch (err) {
      throw networkError(what, err);
    }
    const handle = bodies.open(res, what);
    return { status: res.status, url: res.url || req.url, headers: [...res.headers], body: handle };
  }

  return {
    fetch: fetchRequest,
    readBody: bodies.readBody,
    discardBody: bodies.discardBody,
    sleep,
  };
}

/**
 * Creates a host over VS Code's FileSystem API.
 * @param {object} options
 * @param {typeof import('vscode')} options.vscode the extension's `vscode` module (for `Uri`
 *   and `workspace.fs`)
 * @param {import('vscode').Uri} [options.root] where host paths live: a path `/a/b` is
 *   `root.with({path: '/a/b'})`, so a remote or virtual workspace keeps its scheme and
 *   authority. Default: `file:` URIs.
 * @param {(name: string) => string | undefined} [options.env] environment variables
 *   (`SOURCE_DATE_EPOCH`, `PYCONTAINER_*`); default none
 * @param {typeof fetch} [options.fetch] the network (default the global fetch); `null` for none
 * @param {(event: {type: string}) => void} [options.onProgress]
 * @param {(registry: string, explicit: boolean) => unknown} [options.credentials]
 * @param {AbortSignal} [options.signal] aborts requests in flight (the API stops the rest)
 */
function createVscodeHost(options) {
  const { vscode, root, onProgress, credentials, signal } = options;
  const fs = vscode.workspace.fs;
  const env = options.env ?? (() => undefined);
  const fetchImpl = options.fetch === undefined ? globalThis.fetch : options.fetch;
  const uri = root ? (p) => root.with({ path: p }) : (p) => vscode.Uri.file(p);

  // Files being written: the FileSystem API writes whole files only.
  const open = new Map();
  let nextHandle = 1;
  // Files read whole, most recent last: the core reads a file in pieces and readFile has no
  // range. Several, because the core reads a few files at once (parallel uploads of blobs).
  const cache = new Map();

  async function readRange(p, offset, length) {
    let bytes = cache.get(p);
    if (bytes) cache.delete(p);
    else bytes = await fs.readFile(uri(p));
    cache.set(p, bytes);
    if (cache.size > CACHED_FILES) cache.delete(cache.keys().next().value);
    return bytes.subarray(offset, offset + length);
  }

  const host = {
    async stat(p) {
      try {
        const st = await fs.stat(uri(p));
        return toInfo(st.type, st.size);
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },

    async listDir(p) {
      const entries = await fs.readDirectory(uri(p));
      // readDirectory gives no sizes, and a symlink's type without its target's: stat each.
      const infos = await Promise.all(entries.map(([name]) => host.stat(joinPosix(p, name))));
      // An entry removed between the listing and its stat is not listed.
      return entries.flatMap(([name], i) => (infos[i] ? [{ name, ...infos[i] }] : []));
    },

    read: readRange,

    async create(p) {
      await fs.createDirectory(uri(parentOf(p)));
      // The file exists from here on, as with open(O_TRUNC), so `stat` sees it.
      await fs.writeFile(uri(p), new Uint8Array(0));
      cache.delete(p);
      const handle = nextHandle++;
      open.set(handle, { path: p, chunks: [] });
      return handle;
    },

    write(handle, data) {
      // `data` is a view into wasm memory valid only during this call.
      open.get(handle).chunks.push(data.slice());
    },

    async close(handle) {
      const { path: p, chunks } = open.get(handle);
      open.delete(handle);
      const size = chunks.reduce((n, c) => n + c.byteLength, 0);
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        bytes.set(c, at);
        at += c.byteLength;
      }
      await fs.writeFile(uri(p), bytes);
      // A read between create and close would have cached the empty file.
      cache.delete(p);
    },

    async rename(from, to) {
      cache.delete(from);
      cache.delete(to);
      await fs.rename(uri(from), uri(to), { overwrite: true });
    },

    async remove(p) {
      cache.delete(p);
      try {
        await fs.delete(uri(p), { recursive: false, useTrash: false });
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    },

    removeDir(p) {
      return host.remove(p);
    },

    env(name) {
      return env(name);
    },

    progress(event) {
      if (onProgress) onProgress(event);
    },

    ...(credentials ? { credentials } : {}),
    ...(fetchImpl ? createNetwork(fetchImpl, readRange, signal) : {}),
  };
  return host;
}

module.exports = { createVscodeHost };
