// A host object for the wasm core in a browser (see docs/host-interface.md):
// an in-memory file system, and the network over the page's own fetch.
//
// The project to build goes in as `files` (absolute path → contents); the
// core's cache (cacheDir, e.g. `/cache`) and any layout it writes live in the
// same in-memory tree, so a page can read them back with `readFile`.
//
// Registries must be reachable from the page: same-origin (a reverse proxy,
// as the browser test does), or a registry that sends CORS headers, including
// `Access-Control-Expose-Headers: Docker-Content-Digest, Location,
// WWW-Authenticate, Range` (without them the core cannot see the digests and
// upload URLs it needs).

import './pkg/response-bodies.js';

const { createBodies, sleep } = globalThis.pycontainerResponseBodies;

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

/** An Error with a Node-style `code`, which the core shows to the user. */
function fsError(code, op, path) {
  const err = new Error(`${code}: ${op} '${path}'`);
  err.code = code;
  return err;
}

/** `/a//b/` → `/a/b`; paths must be absolute. */
function normalize(path) {
  const p = String(path);
  if (!p.startsWith('/')) throw fsError('EINVAL', 'not an absolute path', p);
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  return `/${parts.join('/')}`;
}

function parentOf(path) {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function nameOf(path) {
  return path.slice(path.lastIndexOf('/') + 1);
}

function toBytes(content) {
  if (typeof content === 'string') return new TextEncoder().encode(content);
  if (content instanceof Uint8Array) return content.slice();
  if (content instanceof ArrayBuffer) return new Uint8Array(content.slice(0));
  throw new TypeError('file contents must be a string, a Uint8Array or an ArrayBuffer');
}

/** A URL fit for a message: no user:password@ and no query (signed URLs carry tokens there). */
function displayUrl(url) {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * A network failure as the core expects it: an Error with a `code`. The
 * browser says only "Failed to fetch", whatever the cause (refused, reset,
 * TLS, CORS), so a failure is `ENETWORK`, which the core retries.
 */
function networkError(what, err) {
  const e = new Error(`${what} failed: ${err?.message || String(err)} (ENETWORK)`);
  e.code = 'ENETWORK';
  return e;
}

/**
 * Why a fetch of `url` failed, as far as a page can tell: a `no-cors` HEAD
 * is answered (opaquely) by any server that is up, so when it succeeds the
 * server did answer and the browser kept the answer from the page: no CORS
 * headers for this origin, or a refused preflight. That is `ECORS`, which
 * no retry mends; anything else stays `ENETWORK`. (A connection that drops
 * once and then answers the probe reads as CORS too; it is rare, and the
 * message says what to check.)
 */
async function fetchFailure(what, url, err) {
  try {
    await globalThis.fetch(url, {
      method: 'HEAD',
      mode: 'no-cors',
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    return networkError(what, err);
  }
  const origin = globalThis.location?.origin ?? 'this page';
  const e = new Error(
    `${what}: the server answered, but the browser kept the answer from this page: it sends no CORS headers for ${origin}, or refused the preflight (docs/cors.md lists the headers it needs) (ECORS)`,
  );
  e.code = 'ECORS';
  return e;
}

/**
 * The in-memory file system: `files` maps a path to its bytes, `dirs` maps a
 * directory to the names in it.
 */
function createMemoryFs(initial) {
  const files = new Map();
  const dirs = new Map([['/', new Set()]]);

  function mkdirp(path) {
    if (dirs.has(path)) return;
    if (files.has(path)) throw fsError('ENOTDIR', 'mkdir', path);
    const parent = parentOf(path);
    mkdirp(parent);
    dirs.get(parent).add(nameOf(path));
    dirs.set(path, new Set());
  }

  function setFile(path, bytes) {
    if (dirs.has(path)) throw fsError('EISDIR', 'open', path);
    mkdirp(parentOf(path));
    dirs.get(parentOf(path)).add(nameOf(path));
    files.set(path, bytes);
  }

  function unlink(path) {
    files.delete(path);
    dirs.get(parentOf(path))?.delete(nameOf(path));
  }

  function info(path) {
    const bytes = files.get(path);
    if (bytes) return { kind: 'file', size: bytes.byteLength, mode: FILE_MODE };
    if (dirs.has(path)) return { kind: 'dir', size: 0, mode: DIR_MODE };
    return null;
  }

  /** Moves a directory and everything under it (the target must be absent or an empty dir). */
  function renameDir(from, to) {
    const target = dirs.get(to);
    if (files.has(to)) throw fsError('ENOTDIR', 'rename', to);
    if (target && target.size > 0) throw fsError('ENOTEMPTY', 'rename', to);
    if (to.startsWith(`${from}/`)) throw fsError('EINVAL', 'rename', to);
    if (!dirs.has(parentOf(to))) throw fsError('ENOENT', 'rename', to);
    const move = (p) => to + p.slice(from.length);
    for (const [p, names] of [...dirs]) {
      if (p === from || p.startsWith(`${from}/`)) {
        dirs.delete(p);
        dirs.set(move(p), names);
      }
    }
    for (const [p, bytes] of [...files]) {
      if (p.startsWith(`${from}/`)) {
        files.delete(p);
        files.set(move(p), bytes);
      }
    }
    dirs.get(parentOf(from)).delete(nameOf(from));
    dirs.get(parentOf(to)).add(nameOf(to));
  }

  for (const [path, content] of Object.entries(initial ?? {})) {
    setFile(normalize(path), toBytes(content));
  }

  return { files, dirs, mkdirp, setFile, unlink, info, renameDir };
}

/** `fetch` and its body methods; `readRange` gives the bytes of a `bodyFile`. */
function createNetwork(readRange) {
  const bodies = createBodies(networkError);

  async function fetchRequest(req) {
    const method = String(req.method || 'GET').toUpperCase();
    const what = `${method} ${displayUrl(req.url)}`;
    const headers = new Headers();
    for (const [name, value] of req.headers ?? []) {
      try {
        headers.append(name, value);
      } catch {
        // Never echo the value: it may be a token.
        throw Object.assign(new Error(`${what}: invalid header ${JSON.stringify(name)}`), {
          code: 'EINVAL',
        });
      }
    }
    // `tlsVerify: false` (an --insecure-registry over https) cannot be honoured
    // by a page: the browser alone decides which certificates it trusts.
    let res;
    try {
      res = await globalThis.fetch(req.url, {
        method,
        headers,
        // A page cannot stream from the in-memory tree any cheaper than
        // handing fetch the bytes: a view, which fetch copies.
        body: req.bodyFile
          ? readRange(req.bodyFile.path, req.bodyFile.offset, req.bodyFile.length)
          : (req.body ?? undefined),
        redirect: 'follow', // drops Authorization on a cross-origin redirect
        cache: 'no-store', // registry answers change (a blob appears, a tag moves)
        credentials: 'omit', // the core sends its own Authorization; no cookies
      });
    } catch (err) {
      throw await fetchFailure(what, req.url, err);
    }
    const handle = bodies.open(res, what);
    return {
      status: res.status,
      url: res.url || req.url,
      headers: [...res.headers], // lower-case names
      body: handle,
    };
  }

  return {
    fetch: fetchRequest,
    readBody: bodies.readBody,
    discardBody: bodies.discardBody,
    sleep,
  };
}

/**
 * Creates a browser host.
 * @param {object} [options]
 * @param {Record<string, string | Uint8Array>} [options.files] absolute path → contents
 * @param {(event: {type: string}) => void} [options.onProgress] progress events
 * @param {Record<string, {username: string, password: string} | {identityToken: string}>} [options.credentials]
 *   per registry (`host[:port]`, `docker.io`); anonymous when absent
 * @param {Record<string, string>} [options.env] variables the core may read (`SOURCE_DATE_EPOCH`)
 */
export function createBrowserHost({ files, onProgress, credentials = {}, env = {} } = {}) {
  const mem = createMemoryFs(files);
  const open = new Map();
  let nextHandle = 1;

  function needDir(path, op) {
    const names = mem.dirs.get(path);
    if (names) return names;
    throw fsError(mem.files.has(path) ? 'ENOTDIR' : 'ENOENT', op, path);
  }

  // A view, not a copy: the core copies it before its next call.
  function readRange(path, offset, length) {
    const p = normalize(path);
    const bytes = mem.files.get(p);
    if (!bytes) throw fsError(mem.dirs.has(p) ? 'EISDIR' : 'ENOENT', 'open', p);
    const start = Math.min(Number(offset), bytes.byteLength);
    return bytes.subarray(start, start + Number(length));
  }

  return {
    ...createNetwork(readRange),

    stat(path) {
      return mem.info(normalize(path));
    },

    listDir(path) {
      const dir = normalize(path);
      const prefix = dir === '/' ? '/' : `${dir}/`;
      return [...needDir(dir, 'scandir')].map((name) => ({ name, ...mem.info(prefix + name) }));
    },

    read: readRange,

    create(path) {
      const p = normalize(path);
      mem.setFile(p, new Uint8Array(0));
      const handle = nextHandle++;
      open.set(handle, { path: p, buf: new Uint8Array(64 * 1024), len: 0 });
      return handle;
    },

    // `data` is a view into wasm memory, valid only during this call: copy it.
    write(handle, data) {
      const f = open.get(handle);
      if (!f) throw fsError('EBADF', 'write', String(handle));
      if (f.len + data.byteLength > f.buf.byteLength) {
        const grown = new Uint8Array(Math.max(f.buf.byteLength * 2, f.len + data.byteLength));
        grown.set(f.buf.subarray(0, f.len));
        f.buf = grown;
      }
      f.buf.set(data, f.len);
      f.len += data.byteLength;
      if (mem.files.has(f.path)) mem.files.set(f.path, f.buf.subarray(0, f.len));
    },

    close(handle) {
      const f = open.get(handle);
      if (!f) throw fsError('EBADF', 'close', String(handle));
      open.delete(handle);
      // Trimmed to size; a file removed while open stays removed.
      if (mem.files.has(f.path)) mem.files.set(f.path, f.buf.slice(0, f.len));
    },

    rename(from, to) {
      const src = normalize(from);
      const dst = normalize(to);
      if (src === dst) return;
      if (mem.dirs.has(src)) return mem.renameDir(src, dst);
      const bytes = mem.files.get(src);
      if (!bytes) throw fsError('ENOENT', 'rename', src);
      if (mem.dirs.has(dst)) throw fsError('EISDIR', 'rename', dst);
      if (!mem.dirs.has(parentOf(dst))) throw fsError('ENOENT', 'rename', dst);
      mem.unlink(src);
      mem.setFile(dst, bytes);
      for (const f of open.values()) if (f.path === src) f.path = dst;
    },

    // A copy of its own, not the same array: the copy is a separate file.
    copyFile(from, to) {
      const src = normalize(from);
      const bytes = mem.files.get(src);
      if (!bytes) throw fsError(mem.dirs.has(src) ? 'EISDIR' : 'ENOENT', 'copyfile', src);
      mem.setFile(normalize(to), bytes.slice());
    },

    remove(path) {
      const p = normalize(path);
      if (mem.dirs.has(p)) throw fsError('EISDIR', 'unlink', p);
      mem.unlink(p);
    },

    removeDir(path) {
      const p = normalize(path);
      if (p === '/') throw fsError('EBUSY', 'rmdir', p);
      const names = mem.dirs.get(p);
      if (!names) {
        if (mem.files.has(p)) throw fsError('ENOTDIR', 'rmdir', p);
        return;
      }
      if (names.size > 0) throw fsError('ENOTEMPTY', 'rmdir', p);
      mem.dirs.delete(p);
      mem.dirs.get(parentOf(p)).delete(nameOf(p));
    },

    env(name) {
      return Object.hasOwn(env, name) ? String(env[name]) : undefined;
    },

    progress(event) {
      onProgress?.(event);
    },

    credentials(registry) {
      return credentials[registry] ?? null;
    },

    /** The bytes of a file the core wrote (e.g. a layout's index.json), or undefined. */
    readFile(path) {
      return mem.files.get(normalize(path));
    },

    /** Every file path, sorted (for a page to show what was written). */
    paths() {
      return [...mem.files.keys()].sort();
    },
  };
}
