// A minimal, deterministic tar writer for the OCI archive download
// (`oci-archive:` in skopeo, `podman load`): POSIX ustar headers, every
// entry padded to 512 bytes, two zero blocks at the end. Same input, same
// bytes: owner 0:0, mtime 0, modes 0644/0755, entries in the order given.
// The core writes no archives itself (it writes layouts), so the page does.

const BLOCK = 512;
const NAME_MAX = 100;

/** `value` as `width - 1` octal digits and a NUL, as ustar numeric fields are. */
function octal(value, width) {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name, size, isDir) {
  const bytes = new TextEncoder().encode(name);
  // Layout paths (blobs/sha256/<64 hex>) are 77 bytes: the prefix field is never needed.
  if (bytes.byteLength > NAME_MAX)
    throw new Error(`tar: name longer than ${NAME_MAX} bytes: ${name}`);
  const h = new Uint8Array(BLOCK);
  const put = (offset, text) => h.set(new TextEncoder().encode(text), offset);
  h.set(bytes, 0);
  put(100, octal(isDir ? 0o755 : 0o644, 8));
  put(108, octal(0, 8)); // uid
  put(116, octal(0, 8)); // gid
  put(124, octal(size, 12));
  put(136, octal(0, 12)); // mtime
  put(148, '        '); // the checksum counts its own field as spaces
  put(156, isDir ? '5' : '0');
  put(257, 'ustar\0');
  put(263, '00');
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

const padded = (size) => Math.ceil(size / BLOCK) * BLOCK;

/**
 * A tar of `entries`, each `{name, bytes}` for a file or `{name}` (ending in
 * `/`) for a directory, as one Uint8Array.
 */
export function tar(entries) {
  let total = 2 * BLOCK;
  for (const e of entries) total += BLOCK + (e.bytes ? padded(e.bytes.byteLength) : 0);
  const out = new Uint8Array(total); // zero-filled: padding and end blocks come free
  let at = 0;
  for (const e of entries) {
    const size = e.bytes?.byteLength ?? 0;
    out.set(header(e.name, size, !e.bytes), at);
    at += BLOCK;
    if (e.bytes) {
      out.set(e.bytes, at);
      at += padded(size);
    }
  }
  return out;
}
