'use strict';

// The Node implementation of the host object described in docs/host-interface.md.
// Every method is synchronous: the core awaits each call anyway, and an already
// resolved value costs a microtask instead of a libuv thread-pool round-trip.

const crypto = require('node:crypto');
const { createBytecode } = require('./bytecode.js');
const { createCredentials } = require('./credentials.js');
const { createDeflater } = require('./deflate-worker.js');
const { createHttp } = require('./http/index.js');
const { interruptible } = require('./interrupt.js');
const fs = require('node:fs');
const path = require('node:path');

/**
 * Why a hard link may fail where a copy works: another file system, a file
 * system without links (FAT, some network mounts), too many links, or a
 * kernel that refuses links to files the user does not own
 * (fs.protected_hardlinks).
 */
const LINK_REFUSED = new Set(['EXDEV', 'ENOTSUP', 'EOPNOTSUPP', 'EPERM', 'EMLINK', 'EACCES']);

/** Maps an fs.Stats to the host's FileInfo (`target` is added by the caller for symlinks). */
function toInfo(st) {
  let kind = 'other';
  if (st.isFile()) kind = 'file';
  else if (st.isDirectory()) kind = 'dir';
  else if (st.isSymbolicLink()) kind = 'symlink';
  return { kind, size: Number(st.size), mode: st.mode & 0o7777 };
}

/** lstat that reports "nothing there" as null instead of throwing. */
function lstatInfo(p) {
  let st;
  try {
    st = fs.lstatSync(p, { throwIfNoEntry: false });
  } catch (err) {
    // `/some/file/child`: a path through a non-directory does not exist either.
    if (err.code === 'ENOTDIR') return null;
    throw err;
  }
  if (!st) return null;
  const info = toInfo(st);
  if (info.kind === 'symlink') info.target = fs.readlinkSync(p);
  return info;
}

/** Joins with `/` as the contract requires, without doubling a trailing slash. */
function joinPosix(dir, name) {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** The core sends offsets and lengths as numbers; a direct caller may pass BigInt. Anything that is not a safe count is refused. */
function toCount(value, what) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`invalid ${what}: ${String(value)}`);
  }
  return n;
}

function readRange(p, offsetArg, lengthArg, scratch) {
  const offset = toCount(offsetArg, 'offset');
  let length = toCount(lengthArg, 'length');
  const fd = fs.openSync(p, 'r');
  try {
    const st = fs.fstatSync(fd);
    // Never allocate past the end of a regular file: callers may ask for
    // "everything" with a huge length.
    if (st.isFile()) length = Math.min(length, Math.max(0, st.size - offset));
    const buf = scratch.get(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) break; // end of file
      done += n;
    }
    return buf.subarray(0, done);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * One buffer for every read. The core copies each result before it reads
 * again, and a fresh megabyte per read would be garbage that V8 frees late,
 * so peak memory would grow with the size of the tree.
 */
function readScratch() {
  let buf = new Uint8Array(0);
  return {
    get(length) {
      if (buf.length < length) buf = new Uint8Array(Math.max(length, 1 << 20));
      return buf;
    },
  };
}

function writeAll(fd, data) {
  // `data` may be a view into wasm memory; writeSync copies synchronously, so
  // nothing is kept past this call.
  const bytes =
    data instanceof Uint8Array
      ? data
      : new Uint8Array(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength);
  let done = 0;
  while (done < bytes.byteLength) {
    done += fs.writeSync(fd, bytes, done, bytes.byteLength - done);
  }
}

function createSha256() {
  const hash = crypto.createHash('sha256');
  return {
    update(data) {
      hash.update(data);
    },
    digest() {
      const out = hash.digest();
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}

/**
 * Creates the Node host object.
 * @param {{onProgress?: (event: {type: string}) => void, threads?: boolean,
 *   credentials?: {username: string, password: string},
 *   timeoutMs?: number, signal?: AbortSignal}} [options]
 *   `signal`: once it fires, the host stops the work (see interrupt.js)
 *   and aborts the requests in flight
 */
function createNodeHost(options = {}) {
  const { onProgress, threads = true, signal } = options;
  // Workers for the layer compressor; `threads: false` keeps to one core.
  const deflater = threads ? createDeflater() : null;
  const scratch = readScratch();
  const http = createHttp({
    timeoutMs: options.timeoutMs,
    signal,
    // Upload progress inside one request, in the core's own event shape.
    onUploadProgress: onProgress && ((p) => onProgress({ type: 'transfer', action: 'push', ...p })),
  });
  const credentials = createCredentials({ explicit: options.credentials });
  const host = {
    ...(deflater ? { deflateChunk: deflater.deflate, deflateRelease: deflater.release } : {}),
    ...createBytecode(),
    fetch: http.fetch,
    readBody: http.readBody,
    discardBody: http.discardBody,
    sleep: http.sleep,
    credentials,
    // Node's http keeps no HTTP cache: the core keeps index pages itself.
    cachesIndexPages: true,
    stat(p) {
      return lstatInfo(p);
    },

    listDir(p) {
      const entries = [];
      // Raw bytes: a name that is not UTF-8 would come back as a string
      // with U+FFFD in it, naming no file, and be lost.
      for (const raw of fs.readdirSync(p, { encoding: 'buffer' })) {
        const name = raw.toString('utf8');
        const utf8 = Buffer.from(name, 'utf8').equals(raw);
        const child = utf8
          ? joinPosix(p, name)
          : Buffer.concat([Buffer.from(joinPosix(p, '')), raw]);
        const info = lstatInfo(child);
        // An entry removed between readdir and lstat is simply not listed.
        if (info) entries.push(utf8 ? { name, ...info } : { name, nameBytes: [...raw], ...info });
      }
      return entries;
    },

    // The result is valid until the next read (see readScratch).
    read(p, offset, length) {
      return readRange(p, offset, length, scratch);
    },

    create(p) {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      return fs.openSync(p, 'w');
    },

    // Exclusive create, for lock files: null when the file is there.
    createNew(p) {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      try {
        return fs.openSync(p, 'wx');
      } catch (e) {
        if (e.code === 'EEXIST') return null;
        throw e;
      }
    },

    pid() {
      return process.pid;
    },

    // Signal 0 only asks whether the process exists; EPERM says it does (another user's).
    alive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (e) {
        return e.code === 'EPERM';
      }
    },

    write(handle, data) {
      writeAll(handle, data);
    },

    close(handle) {
      try {
        fs.fsyncSync(handle);
      } finally {
        fs.closeSync(handle);
      }
    },

    rename(from, to) {
      fs.renameSync(from, to);
    },

    // A reflink where the file system has them (btrfs, XFS), else a kernel
    // copy (copy_file_range): the bytes never enter the process. Fsynced as
    // `close` does: the layout names the blob in index.json only after.
    copyFile(from, to) {
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE);
      const fd = fs.openSync(to, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    },

    // A hard link to a cache blob: no byte moves, and nothing needs syncing
    // (the blob is on disk already). Nothing of ours writes into a blob once
    // it has its name. It is made read-only first, as containerd keeps its
    // blobs, so that another program writing into the output's name for it
    // fails instead of changing the cache's. Across file systems, or where
    // links are refused, a copy.
    linkFile(from, to) {
      fs.mkdirSync(path.dirname(to), { recursive: true });
      try {
        fs.chmodSync(from, 0o444);
        fs.linkSync(from, to);
      } catch (err) {
        if (!LINK_REFUSED.has(err.code)) throw err;
        host.copyFile(from, to);
      }
    },

    remove(p) {
      try {
        fs.unlinkSync(p);
      } catch (err) {
        if (err.code !== 'ENOENT') throw err;
      }
    },

    removeDir(p) {
      try {
        fs.rmdirSync(p);
      } catch (err) {
        if (err.code !== 'ENOENT') throw err;
      }
    },

    env(name) {
      return process.env[name];
    },

    progress(event) {
      if (onProgress) onProgress(event);
    },

    sha256() {
      return createSha256();
    },
  };
  return interruptible(host, signal);
}

module.exports = { createNodeHost };
