// Tests the VS Code FileSystem adapter (npm/lib/vscode-host.js) against an
// in-memory implementation of VS Code's `workspace.fs` (tests/js/support): a
// real example project goes in, a real build comes out, and the layout it
// writes must be the one the CLI writes from the same project on disk.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../infra/registry.mjs';

const require = createRequire(import.meta.url);
const api = require('../../npm/index.js');
const { createVscodeHost } = require('../../npm/lib/vscode-host.js');
const { createVscode, createMemoryFileSystem } = require('./support/vscode-stand-in.cjs');

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const example = path.join(repo, 'examples/hello-cli');
// The same moment for both builds, so their timestamps (and digests) agree.
const EPOCH = '1700000000';

/** Copies a directory on disk into the in-memory file system under `to`. */
async function copyIn(memfs, vscode, from, to) {
  await memfs.createDirectory(vscode.Uri.file(to));
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    if (entry.isDirectory()) await copyIn(memfs, vscode, src, `${to}/${entry.name}`);
    else await memfs.writeFile(vscode.Uri.file(`${to}/${entry.name}`), fs.readFileSync(src));
  }
}

/** The layout's files as path → bytes, relative to its root. */
function layoutOf(files, root) {
  const out = new Map();
  for (const [p, bytes] of files)
    if (p.startsWith(`${root}/`)) out.set(p.slice(root.length + 1), bytes);
  return out;
}

function readDisk(dir, prefix = '') {
  const out = new Map();
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const [k, v] of readDisk(dir, rel)) out.set(k, v);
    else out.set(rel, new Uint8Array(fs.readFileSync(path.join(dir, rel))));
  }
  return out;
}

function hasDockerRegistry() {
  try {
    execFileSync('sh', ['-c', 'command -v docker-registry'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const sha256 = (bytes) => `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
const json = (bytes) => JSON.parse(Buffer.from(bytes).toString('utf8'));

describe('VS Code FileSystem host', () => {
  let vscode;
  let memfs;
  let host;
  let result;
  let tmp;

  before(async () => {
    memfs = createMemoryFileSystem();
    vscode = createVscode({ fs: memfs });
    await copyIn(memfs, vscode, example, '/proj');
    const env = { SOURCE_DATE_EPOCH: EPOCH };
    host = createVscodeHost({ vscode, env: (name) => env[name], fetch: null });
    result = await api.build({ context: '/proj', output: '/out', baseImage: 'scratch', host });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-vscode-host-'));
  });

  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('stat and listDir follow the host interface', async () => {
    assert.deepEqual(await host.stat('/proj/pyproject.toml'), {
      kind: 'file',
      size: fs.statSync(path.join(example, 'pyproject.toml')).size,
      mode: 0o644,
    });
    assert.equal((await host.stat('/proj/src')).kind, 'dir');
    assert.equal(await host.stat('/proj/missing'), null);
    assert.equal(await host.stat('/proj/pyproject.toml/child'), null);
    const names = (await host.listDir('/proj')).map((e) => e.name).sort();
    assert.deepEqual(names, fs.readdirSync(example).sort());
  });

  test('read gives ranges, shorter only at the end of the file', async () => {
    const whole = fs.readFileSync(path.join(example, 'pyproject.toml'));
    assert.deepEqual(
      Buffer.from(await host.read('/proj/pyproject.toml', 2, 5)),
      whole.subarray(2, 7),
    );
    const tail = await host.read('/proj/pyproject.toml', whole.length - 3, 100);
    assert.deepEqual(Buffer.from(tail), whole.subarray(whole.length - 3));
  });

  test('writes land on close; rename replaces; remove and removeDir ignore missing paths', async () => {
    const h = await host.create('/scratch/deep/a.tmp');
    assert.deepEqual(await host.stat('/scratch/deep/a.tmp'), {
      kind: 'file',
      size: 0,
      mode: 0o644,
    });
    await host.write(h, new Uint8Array([1, 2]));
    // A read before close sees the empty file, and must not hide what close writes.
    assert.equal((await host.read('/scratch/deep/a.tmp', 0, 10)).byteLength, 0);
    await host.write(h, new Uint8Array([3]));
    await host.close(h);
    assert.deepEqual([...(await host.read('/scratch/deep/a.tmp', 0, 10))], [1, 2, 3]);
    await host.rename('/scratch/deep/a.tmp', '/scratch/deep/a');
    assert.deepEqual([...(await host.read('/scratch/deep/a', 0, 10))], [1, 2, 3]);
    await host.remove('/scratch/deep/a');
    await host.remove('/scratch/deep/a');
    await host.removeDir('/scratch/deep');
    await host.removeDir('/scratch/deep');
    assert.equal(await host.stat('/scratch/deep'), null);
  });

  test('a non-empty directory is not removed', async () => {
    await assert.rejects(host.removeDir('/proj/src'));
    assert.equal((await host.stat('/proj/src')).kind, 'dir');
  });

  test('the build writes a valid OCI layout into the in-memory file system', async () => {
    const layout = layoutOf(memfs.files, '/out');
    assert.deepEqual(json(layout.get('oci-layout')), { imageLayoutVersion: '1.0.0' });
    const index = json(layout.get('index.json'));
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0].digest, result.manifestDigest);
    // Every blob is named by its digest, and everything the manifest names is there.
    for (const [rel, bytes] of layout) {
      if (rel.startsWith('blobs/sha256/')) assert.equal(sha256(bytes), `sha256:${rel.slice(13)}`);
    }
    const blob = (d) => layout.get(`blobs/sha256/${d.slice('sha256:'.length)}`);
    const manifest = json(blob(result.manifestDigest));
    for (const d of [manifest.config, ...manifest.layers]) {
      assert.equal(blob(d.digest)?.byteLength, d.size, d.digest);
    }
    const report = await api.validate({ layout: '/out', host });
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
  });

  test('the layout is byte for byte the one the CLI writes from the project on disk', () => {
    execFileSync(
      process.execPath,
      [
        path.join(repo, 'npm/bin/pycontainer.js'),
        'build',
        '--context',
        example,
        '--base-image',
        'scratch',
      ],
      { env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH }, cwd: tmp, stdio: 'pipe' },
    );
    const disk = readDisk(path.join(tmp, 'pycontainer-out'));
    const memory = layoutOf(memfs.files, '/out');
    assert.deepEqual([...memory.keys()].sort(), [...disk.keys()].sort());
    for (const [rel, bytes] of disk) assert.deepEqual(memory.get(rel), bytes, rel);
  });

  test('push sends the in-memory layout over fetch', { skip: !hasDockerRegistry() }, async () => {
    const registry = await startRegistry({ mode: 'plain' });
    try {
      const net = createVscodeHost({ vscode, fetch: globalThis.fetch });
      const ref = `${registry.host}/hello:1`;
      const pushed = await api.push({ layout: '/out', references: ref, host: net });
      assert.deepEqual(pushed.pushed, [
        { reference: `${ref}@${result.manifestDigest}`, digest: result.manifestDigest },
      ]);
      // Read back through the adapter's fetch and readBody: the registry has the manifest's bytes.
      const res = await net.fetch({
        method: 'GET',
        url: `${registry.url}/v2/hello/manifests/1`,
        headers: [['accept', 'application/vnd.oci.image.manifest.v1+json']],
        body: null,
        bodyFile: null,
        tlsVerify: true,
        progress: null,
      });
      assert.equal(res.status, 200);
      const pieces = [];
      for (
        let piece = await net.readBody(res.body, 7);
        piece;
        piece = await net.readBody(res.body, 7)
      ) {
        assert.ok(piece.byteLength <= 7);
        pieces.push(Buffer.from(piece));
      }
      assert.equal(sha256(Buffer.concat(pieces)), result.manifestDigest);
    } finally {
      await registry.stop();
    }
  });
});
