// Tests the Node host adapter (npm/lib/node-host.js) against a real temp dir:
// the core trusts these semantics (lstat, short reads only at EOF, fsync'd
// writes, atomic rename), so each is checked on the actual file system.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

const require = createRequire(import.meta.url);
const { createNodeHost } = require('../../npm/lib/node-host.js');

let dir;
const host = createNodeHost();
const text = (bytes) => Buffer.from(bytes).toString('utf8');

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-host-'));
  fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello world');
  fs.chmodSync(path.join(dir, 'hello.txt'), 0o640);
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.chmodSync(path.join(dir, 'sub'), 0o750);
  fs.symlinkSync('hello.txt', path.join(dir, 'link'));
  fs.symlinkSync('does/not/exist', path.join(dir, 'dangling'));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('stat', () => {
  test('regular file: kind, size and permission bits', () => {
    assert.deepEqual(host.stat(`${dir}/hello.txt`), { kind: 'file', size: 11, mode: 0o640 });
  });

  test('directory', () => {
    const info = host.stat(`${dir}/sub`);
    assert.equal(info.kind, 'dir');
    assert.equal(info.mode, 0o750);
    assert.equal(info.target, undefined);
  });

  test('symlink is not followed and reports its target', () => {
    const info = host.stat(`${dir}/link`);
    assert.equal(info.kind, 'symlink');
    assert.equal(info.target, 'hello.txt');
    assert.equal(info.size, 'hello.txt'.length);
  });

  test('dangling symlink still has a target', () => {
    assert.deepEqual(
      { kind: host.stat(`${dir}/dangling`).kind, target: host.stat(`${dir}/dangling`).target },
      { kind: 'symlink', target: 'does/not/exist' },
    );
  });

  test('missing path is null', () => {
    assert.equal(host.stat(`${dir}/nope`), null);
    assert.equal(host.stat(`${dir}/nope/deeper`), null);
  });

  test('path through a regular file is null', () => {
    assert.equal(host.stat(`${dir}/hello.txt/child`), null);
  });

  test('device is other', () => {
    assert.equal(host.stat('/dev/null').kind, 'other');
  });
});

describe('listDir', () => {
  test('entries carry names and lstat info', () => {
    const entries = host.listDir(dir).sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(entries, [
      {
        name: 'dangling',
        kind: 'symlink',
        size: 14,
        mode: entries[0].mode,
        target: 'does/not/exist',
      },
      { name: 'hello.txt', kind: 'file', size: 11, mode: 0o640 },
      { name: 'link', kind: 'symlink', size: 9, mode: entries[2].mode, target: 'hello.txt' },
      { name: 'sub', kind: 'dir', size: entries[3].size, mode: 0o750 },
    ]);
  });

  test('a trailing slash does not double up', () => {
    assert.equal(host.listDir(`${dir}/`).length, 4);
  });

  test('missing directory throws ENOENT', () => {
    assert.throws(() => host.listDir(`${dir}/nope`), { code: 'ENOENT' });
  });

  test('a name that is not UTF-8 is listed with its bytes, not lost', () => {
    const odd = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-host-bytes-'));
    try {
      const raw = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x70, 0x79]); // "caf\xe9.py"
      fs.writeFileSync(Buffer.concat([Buffer.from(`${odd}/`), raw]), 'abc');
      fs.writeFileSync(path.join(odd, 'café.py'), 'abcd');
      const entries = host.listDir(odd).sort((a, b) => a.size - b.size);
      assert.equal(entries.length, 2);
      assert.deepEqual(entries[0].nameBytes, [...raw]);
      assert.equal(entries[0].kind, 'file');
      assert.equal(entries[0].size, 3);
      assert.deepEqual(entries[1], {
        name: 'café.py',
        kind: 'file',
        size: 4,
        mode: entries[1].mode,
      });
    } finally {
      fs.rmSync(odd, { recursive: true, force: true });
    }
  });
});

describe('read', () => {
  test('a range from the middle', () => {
    const bytes = host.read(`${dir}/hello.txt`, 2, 3);
    assert.equal(text(bytes), 'llo');
    assert.equal(bytes.byteLength, 3);
  });

  test('returns a plain Uint8Array of exactly the bytes read', () => {
    const bytes = host.read(`${dir}/hello.txt`, 0, 5);
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
    assert.equal(bytes.length, 5);
  });

  test('short read at end of file', () => {
    const bytes = host.read(`${dir}/hello.txt`, 8, 100);
    assert.equal(text(bytes), 'rld');
    assert.equal(bytes.length, 3);
  });

  test('offset at or past the end reads nothing', () => {
    assert.equal(host.read(`${dir}/hello.txt`, 11, 10).length, 0);
    assert.equal(host.read(`${dir}/hello.txt`, 50, 10).length, 0);
  });

  test('huge length does not allocate past the file', () => {
    assert.equal(text(host.read(`${dir}/hello.txt`, 0, Number.MAX_SAFE_INTEGER)), 'hello world');
  });

  test('BigInt offset and length are accepted', () => {
    assert.equal(text(host.read(`${dir}/hello.txt`, 6n, 5n)), 'world');
  });

  test('large file round-trips', () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    fs.writeFileSync(path.join(dir, 'big.bin'), big);
    const bytes = host.read(`${dir}/big.bin`, 1000, big.length);
    assert.equal(bytes.length, big.length - 1000);
    assert.ok(Buffer.from(bytes).equals(big.subarray(1000)));
    fs.unlinkSync(path.join(dir, 'big.bin'));
  });

  test('missing file throws with its code', () => {
    assert.throws(() => host.read(`${dir}/nope`, 0, 1), { code: 'ENOENT' });
  });
});

describe('create / write / close / rename / remove', () => {
  test('create makes parent directories and writes appended chunks', () => {
    const target = `${dir}/out/a/b/blob.tmp`;
    const handle = host.create(target);
    assert.equal(typeof handle, 'number');
    host.write(handle, new TextEncoder().encode('abc'));
    // A view with a non-zero offset, as wasm memory views are: only its bytes count.
    const backing = new TextEncoder().encode('xxDEFxx');
    host.write(handle, backing.subarray(2, 5));
    host.write(handle, new Uint8Array(0));
    host.close(handle);
    assert.equal(fs.readFileSync(target, 'utf8'), 'abcDEF');
  });

  test('create truncates an existing file', () => {
    const target = `${dir}/trunc.txt`;
    fs.writeFileSync(target, 'a much longer previous content');
    const handle = host.create(target);
    host.write(handle, new TextEncoder().encode('new'));
    host.close(handle);
    assert.equal(fs.readFileSync(target, 'utf8'), 'new');
  });

  test('write of a large buffer writes every byte', () => {
    const target = `${dir}/large.bin`;
    const data = new Uint8Array(5 * 1024 * 1024).map((_, i) => i % 251);
    const handle = host.create(target);
    host.write(handle, data);
    host.close(handle);
    assert.ok(fs.readFileSync(target).equals(Buffer.from(data)));
  });

  test('close releases the handle', () => {
    const handle = host.create(`${dir}/closed.txt`);
    host.close(handle);
    assert.throws(() => fs.fstatSync(handle), { code: 'EBADF' });
  });

  test('rename replaces the target', () => {
    fs.writeFileSync(`${dir}/from.txt`, 'new');
    fs.writeFileSync(`${dir}/to.txt`, 'old');
    host.rename(`${dir}/from.txt`, `${dir}/to.txt`);
    assert.equal(fs.readFileSync(`${dir}/to.txt`, 'utf8'), 'new');
    assert.equal(fs.existsSync(`${dir}/from.txt`), false);
  });

  test('remove deletes a file and ignores a missing one', () => {
    fs.writeFileSync(`${dir}/gone.txt`, 'x');
    host.remove(`${dir}/gone.txt`);
    assert.equal(fs.existsSync(`${dir}/gone.txt`), false);
    assert.doesNotThrow(() => host.remove(`${dir}/gone.txt`));
  });

  test('remove of a directory is still an error', () => {
    assert.throws(() => host.remove(`${dir}/sub`));
  });

  test('removeDir deletes an empty directory, ignores a missing one, refuses a full one', () => {
    fs.mkdirSync(`${dir}/empty`);
    host.removeDir(`${dir}/empty`);
    assert.equal(fs.existsSync(`${dir}/empty`), false);
    assert.doesNotThrow(() => host.removeDir(`${dir}/empty`));
    fs.mkdirSync(`${dir}/full`);
    fs.writeFileSync(`${dir}/full/x`, 'x');
    assert.throws(() => host.removeDir(`${dir}/full`), { code: 'ENOTEMPTY' });
  });
});

describe('copyFile and linkFile', () => {
  test('copyFile copies into new parent directories, as a file of its own', () => {
    const bytes = Buffer.alloc(3 << 20, 7);
    fs.writeFileSync(`${dir}/blob`, bytes);
    host.copyFile(`${dir}/blob`, `${dir}/copy/deep/blob`);
    const copy = `${dir}/copy/deep/blob`;
    assert.deepEqual(fs.readFileSync(copy), bytes);
    // Never a hard link: writing into the copy leaves the original alone.
    assert.notEqual(fs.statSync(copy).ino, fs.statSync(`${dir}/blob`).ino);
    assert.equal(fs.statSync(copy).nlink, 1);
    fs.writeFileSync(copy, 'changed');
    assert.deepEqual(fs.readFileSync(`${dir}/blob`), bytes);
  });

  test('linkFile links a blob, made read-only so no other name writes into it', () => {
    fs.writeFileSync(`${dir}/cached`, 'blob bytes');
    host.linkFile(`${dir}/cached`, `${dir}/out/blobs/cached`);
    const [a, b] = [`${dir}/cached`, `${dir}/out/blobs/cached`].map((p) => fs.statSync(p));
    assert.equal(a.ino, b.ino);
    assert.equal(b.mode & 0o777, 0o444);
    assert.equal(fs.readFileSync(`${dir}/out/blobs/cached`, 'utf8'), 'blob bytes');
  });

  test('linkFile copies where no link can be made (another file system)', (t) => {
    const other = fs.statSync('/dev/shm', { throwIfNoEntry: false });
    if (!other || other.dev === fs.statSync(dir).dev) {
      t.skip('no second file system at /dev/shm');
      return;
    }
    const shm = fs.mkdtempSync('/dev/shm/pycontainer-host-');
    try {
      fs.writeFileSync(`${dir}/far`, 'far bytes');
      host.linkFile(`${dir}/far`, `${shm}/far`);
      assert.equal(fs.readFileSync(`${shm}/far`, 'utf8'), 'far bytes');
      assert.equal(fs.statSync(`${shm}/far`).nlink, 1);
    } finally {
      fs.rmSync(shm, { recursive: true, force: true });
    }
  });

  test('copyFile replaces the target; a missing source throws with its code', () => {
    fs.writeFileSync(`${dir}/new.bin`, 'new');
    fs.writeFileSync(`${dir}/old.bin`, 'older bytes');
    host.copyFile(`${dir}/new.bin`, `${dir}/old.bin`);
    assert.equal(fs.readFileSync(`${dir}/old.bin`, 'utf8'), 'new');
    assert.throws(() => host.copyFile(`${dir}/absent`, `${dir}/x`), { code: 'ENOENT' });
    assert.throws(() => host.linkFile(`${dir}/absent`, `${dir}/y`), { code: 'ENOENT' });
  });
});

describe('env, progress, sha256', () => {
  test('env reads process.env', () => {
    process.env.PYCONTAINER_TEST_VAR = '1700000000';
    assert.equal(host.env('PYCONTAINER_TEST_VAR'), '1700000000');
    delete process.env.PYCONTAINER_TEST_VAR;
    assert.equal(host.env('PYCONTAINER_TEST_VAR'), undefined);
  });

  test('progress reaches onProgress, and is harmless without it', () => {
    const events = [];
    const withCallback = createNodeHost({ onProgress: (e) => events.push(e) });
    withCallback.progress({ type: 'layer', digest: 'sha256:00' });
    assert.deepEqual(events, [{ type: 'layer', digest: 'sha256:00' }]);
    assert.doesNotThrow(() => host.progress({ type: 'layer' }));
  });

  test('sha256 of "abc", whole and in chunks', () => {
    const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    const whole = host.sha256();
    whole.update(new TextEncoder().encode('abc'));
    const digest = whole.digest();
    assert.equal(Object.getPrototypeOf(digest), Uint8Array.prototype);
    assert.equal(digest.length, 32);
    assert.equal(Buffer.from(digest).toString('hex'), expected);

    const chunked = host.sha256();
    chunked.update(new TextEncoder().encode('a'));
    chunked.update(new TextEncoder().encode('xbcx').subarray(1, 3));
    assert.equal(Buffer.from(chunked.digest()).toString('hex'), expected);
  });

  test('each sha256() is independent', () => {
    const a = host.sha256();
    const b = host.sha256();
    a.update(new TextEncoder().encode('abc'));
    assert.equal(
      Buffer.from(b.digest()).toString('hex'),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
