// Puts the test Python base image into a test registry with skopeo: as OCI
// or Docker v2s2 manifests, single-arch or as a two-platform index
// (amd64 + a synthetic arm64 that shares the amd64 layers).

import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BASE_TAG, baseLayout } from '../e2e/helpers.mjs';
import { skopeoCredsArgs, skopeoTlsArgs } from './registry.mjs';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * Runs skopeo without blocking the event loop (a token server or fault
 * proxy in this process must keep answering it). Resolves
 * {code, stdout, stderr}; rejects only when skopeo cannot be started.
 */
export function skopeo(args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      'skopeo',
      args,
      { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          if (err.killed) return resolve({ code: null, stdout, stderr: `${stderr}\n(timed out)` });
          return reject(new Error(`cannot run skopeo: ${err.message}`));
        }
        resolve({ code: err ? err.code : 0, stdout, stderr });
      },
    );
  });
}

/** Runs skopeo and throws (with its stderr) unless it exits 0. */
export async function skopeoOk(args, opts) {
  const r = await skopeo(args, opts);
  if (r.code !== 0) {
    throw new Error(`skopeo ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}`);
  }
  return r;
}

const sha256 = (bytes) => `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;

function blobFile(layout, digest) {
  const [algo, hex] = digest.split(':');
  return path.join(layout, 'blobs', algo, hex);
}

/** Writes a blob into a layout and returns its descriptor fields. */
function writeBlob(layout, bytes) {
  const digest = sha256(bytes);
  fs.mkdirSync(path.dirname(blobFile(layout, digest)), { recursive: true });
  fs.writeFileSync(blobFile(layout, digest), bytes);
  return { digest, size: bytes.length };
}

/** Hard-links a blob (blobs are immutable), copying across filesystems. */
function linkBlob(from, to, digest) {
  const dest = blobFile(to, digest);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  try {
    fs.linkSync(blobFile(from, digest), dest);
  } catch (err) {
    if (err.code !== 'EXDEV' && err.code !== 'EPERM') throw err;
    fs.copyFileSync(blobFile(from, digest), dest);
  }
}

/** The base's single manifest (descriptor + parsed manifest + parsed config). */
function readBase(base) {
  const index = JSON.parse(fs.readFileSync(path.join(base, 'index.json'), 'utf8'));
  const desc = index.manifests.find((m) => m.annotations?.[REF_NAME] === BASE_TAG);
  if (!desc) throw new Error(`${base}: no manifest tagged ${BASE_TAG}`);
  const manifest = JSON.parse(fs.readFileSync(blobFile(base, desc.digest)));
  const config = JSON.parse(fs.readFileSync(blobFile(base, manifest.config.digest)));
  return { desc, manifest, config };
}

/**
 * Writes LAYOUT with an index tagged BASE_TAG: the real amd64 image and an
 * arm64/v8 image whose config is the amd64 one relabelled (same layers).
 * Nothing can run the arm64 image, but registries and clients that choose
 * a platform from an index only need the metadata.
 */
function writeMultiPlatform(base, layout) {
  const { desc, manifest, config } = readBase(base);
  fs.writeFileSync(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  for (const d of [desc, manifest.config, ...manifest.layers]) linkBlob(base, layout, d.digest);
  const armConfig = writeBlob(
    layout,
    Buffer.from(JSON.stringify({ ...config, architecture: 'arm64', variant: 'v8' })),
  );
  const armManifest = { ...manifest, config: { ...manifest.config, ...armConfig } };
  const manifestType = desc.mediaType;
  const arm = writeBlob(layout, Buffer.from(JSON.stringify(armManifest)));
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      {
        mediaType: manifestType,
        digest: desc.digest,
        size: desc.size,
        platform: { architecture: 'amd64', os: 'linux' },
      },
      {
        mediaType: manifestType,
        ...arm,
        platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
      },
    ],
  };
  const indexDesc = writeBlob(layout, Buffer.from(JSON.stringify(index)));
  const top = { mediaType: OCI_INDEX, ...indexDesc, annotations: { [REF_NAME]: BASE_TAG } };
  fs.writeFileSync(
    path.join(layout, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [top] }),
  );
}

/**
 * The two-platform layout, built once next to the base layout and keyed by
 * the base's manifest digest (a rebuilt base gets a new one). Built in a temp
 * dir and renamed into place, so parallel test processes never see half of it.
 */
export function multiPlatformLayout() {
  const base = baseLayout();
  const { desc } = readBase(base);
  const target = `${base}-multi-${desc.digest.slice(7, 19)}`;
  if (fs.existsSync(path.join(target, 'index.json'))) return target;
  const tmp = fs.mkdtempSync(`${target}.tmp-`);
  try {
    writeMultiPlatform(base, tmp);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // Another process finished first: its layout is as good as ours.
    if (!fs.existsSync(path.join(target, 'index.json'))) throw err;
  }
  return target;
}

/**
 * The digest of the manifest (or index) REF on `reg` points at: sha256 of
 * `skopeo inspect --raw`. Not `skopeo copy --digestfile`: with `--all`,
 * skopeo 1.9.3 writes the digest of the last per-platform manifest it
 * copied there, not the index's.
 */
export async function manifestDigest(reg, ref) {
  const { stdout } = await skopeoOk([
    'inspect',
    '--raw',
    ...skopeoTlsArgs(reg),
    ...skopeoCredsArgs(reg),
    `docker://${reg.host}/${ref}`,
  ]);
  return sha256(Buffer.from(stdout, 'utf8'));
}

/**
 * Copies the base image to `docker://HOST/REPO:TAG` on `reg` (a registry
 * from startRegistry, or any object with its `host`, `mode`, `users`,
 * `certDir`). format: 'oci' (as stored) or 'v2s2' (Docker media types).
 * multiPlatform: push the amd64 + arm64/v8 index with `--all`.
 * Returns the digest of the pushed manifest (the index when multiPlatform).
 */
export async function seedBase(
  reg,
  { repo = 'library/python', tag = '3.11-slim', format = 'oci', multiPlatform = false } = {},
) {
  if (format !== 'oci' && format !== 'v2s2') {
    throw new Error(`seedBase format must be oci or v2s2, not ${format}`);
  }
  const source = multiPlatform ? multiPlatformLayout() : baseLayout();
  await skopeoOk([
    'copy',
    '--quiet',
    ...(multiPlatform ? ['--all'] : []),
    ...(format === 'v2s2' ? ['--format', 'v2s2'] : []),
    ...skopeoTlsArgs(reg, 'dest'),
    ...skopeoCredsArgs(reg, 'dest'),
    `oci:${source}:${BASE_TAG}`,
    `docker://${reg.host}/${repo}:${tag}`,
  ]);
  return manifestDigest(reg, `${repo}:${tag}`);
}
