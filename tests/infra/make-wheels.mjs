// Crafted wheels for the installer's safety tests (issue 5): each is a
// valid wheel (dist-info with METADATA, WHEEL and RECORD) except for the one
// flaw it is made to carry. Written by hand so the flaw is exactly the one
// we want; no Python packaging tool would produce it.
//
//   node tests/infra/make-wheels.mjs [OUTDIR]   (default tests/fixtures/wheels)
//
// writes the CRAFTED set below and prints one path per line. The bytes are
// deterministic (fixed times, fixed order), so rerunning changes nothing.
//
//   import { makeWheel } from '../infra/make-wheels.mjs';
//   makeWheel(dir, 'evil', '1.0', [{ path: '../x', data: 'x' }]) -> path of the .whl
//
// A member is { path, data, mode?, recordHash?, inRecord? }:
//   data        string (UTF-8) or Buffer; a symlink's target when mode is one
//   mode        Unix mode with type bits (default 0o100644); 0o120777 makes a
//               symlink, stored uncompressed as zip tools do
//   recordHash  what RECORD claims instead of the real `sha256=...`
//   inRecord    false leaves the member out of RECORD
// Options: { tag = 'py3-none-any', requires = [] }, `requires` being the
// METADATA's Requires-Dist lines (`'b>=1'`), for resolver tests.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

// 1980-01-01 00:00, the earliest DOS time: keeps the bytes reproducible.
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
// Bit 11: names are UTF-8.
const FLAGS = 0x0800;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** `sha256=<urlsafe base64 without padding>`, as RECORD writes hashes (PEP 376/427). */
export function recordHash(bytes) {
  return `sha256=${crypto.createHash('sha256').update(bytes).digest('base64url')}`;
}

/** The name as it appears in wheel file and dist-info names (PEP 427 escaping). */
function escapeName(name) {
  return name.replace(/[^\w\d.]+/g, '_');
}

/** A zip archive of `entries` ({ name, data: Buffer, mode }) in the given order. */
function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data, mode } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const isLink = (mode & S_IFMT) === S_IFLNK;
    const method = isLink ? 0 : 8;
    const body = isLink ? data : zlib.deflateRawSync(data, { level: 9 });
    const crc = zlib.crc32(data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(FLAGS, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    // Made by Unix (3), so readers take the mode from the external attributes.
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(FLAGS, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);

    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * Writes `<name>-<version>-<tag>.whl` into `dir` holding `members` plus a
 * generated dist-info (METADATA, WHEEL, RECORD, in that order, last) and
 * returns its path. With `metadataFile`, the METADATA is also written beside
 * it as `<wheel>.metadata`, as an index serves it under PEP 658.
 */
export function makeWheel(
  dir,
  name,
  version,
  members,
  { tag = 'py3-none-any', requires = [], metadataFile = false } = {},
) {
  const distInfo = `${escapeName(name)}-${version}.dist-info`;
  const files = members.map((m) => ({
    name: m.path,
    data: Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data, 'utf8'),
    mode: m.mode ?? 0o100644,
    recordHash: m.recordHash,
    inRecord: m.inRecord ?? true,
  }));
  files.push(
    {
      name: `${distInfo}/METADATA`,
      data: Buffer.from(
        `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n${requires.map((r) => `Requires-Dist: ${r}\n`).join('')}`,
      ),
      mode: 0o100644,
    },
    {
      name: `${distInfo}/WHEEL`,
      data: Buffer.from(
        `Wheel-Version: 1.0\nGenerator: pycontainer-tests\nRoot-Is-Purelib: true\nTag: ${tag}\n`,
      ),
      mode: 0o100644,
    },
  );
  const record = files
    .filter((f) => f.inRecord !== false)
    .map((f) => `${f.name},${f.recordHash ?? recordHash(f.data)},${f.data.length}\n`)
    .join('');
  files.push({
    name: `${distInfo}/RECORD`,
    data: Buffer.from(`${record}${distInfo}/RECORD,,\n`),
    mode: 0o100644,
  });

  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${escapeName(name)}-${version}-${tag}.whl`);
  fs.writeFileSync(file, zip(files));
  if (metadataFile) fs.writeFileSync(`${file}.metadata`, files.at(-3).data);
  return file;
}

const INIT = '"""A crafted wheel for the installer\'s safety tests."""\n';

/** The wheels the installer must refuse, by what is wrong with them. */
export const CRAFTED = {
  /** A member two levels above site-packages. */
  dotdot: [
    'evil_dotdot',
    '1.0',
    [
      { path: 'evil_dotdot/__init__.py', data: INIT },
      { path: '../../evil.txt', data: 'escaped via ..\n' },
    ],
  ],
  /** A member with an absolute path. */
  abs: [
    'evil_abs',
    '1.0',
    [
      { path: 'evil_abs/__init__.py', data: INIT },
      { path: '/tmp/evil.txt', data: 'escaped via an absolute path\n' },
    ],
  ],
  /** A symlink inside the package pointing out of the tree. */
  symlink: [
    'evil_symlink',
    '1.0',
    [
      { path: 'evil_symlink/__init__.py', data: INIT },
      { path: 'evil_symlink/passwd', data: '../../../../../../etc/passwd', mode: 0o120777 },
    ],
  ],
  /** Valid paths, but RECORD's hash for one member is that of other bytes. */
  badhash: [
    'badhash',
    '1.0',
    [
      { path: 'badhash/__init__.py', data: INIT },
      {
        path: 'badhash/data.txt',
        data: 'the real bytes\n',
        recordHash: recordHash(Buffer.from('other bytes\n')),
      },
    ],
  ],
};

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const out = path.resolve(process.argv[2] ?? path.join(root, 'tests', 'fixtures', 'wheels'));
  for (const [name, version, members] of Object.values(CRAFTED)) {
    console.log(makeWheel(out, name, version, members));
  }
}
