// Checks the registry test infrastructure itself (tests/infra/*.mjs) with an
// independent client, skopeo, so the registry-client tests can trust it:
// each registry mode accepts and serves the seeded base, auth really is
// enforced, the token server issues tokens docker-registry accepts, and the
// fault proxy counts and breaks requests as it claims.
//
// Everything that talks to a registry runs asynchronously: the token server
// and the fault proxy live in this process and must keep answering.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startFaultProxy } from '../infra/fault-proxy.mjs';
import { skopeoCredsArgs, skopeoTlsArgs, startRegistry } from '../infra/registry.mjs';
import { multiPlatformLayout, seedBase, skopeo, skopeoOk } from '../infra/seed.mjs';
import {
  BASE_TAG,
  baseLayout,
  indexEntries,
  makeTempDir,
  readIndex,
  removeDir,
  requireTools,
} from './helpers.mjs';

const execFileAsync = promisify(execFile);

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const DOCKER_V2S2 = 'application/vnd.docker.distribution.manifest.v2+json';

const sha256 = (text) => `sha256:${crypto.createHash('sha256').update(text).digest('hex')}`;

/** `skopeo inspect [--raw]` of REPO:TAG on `reg`, with its TLS and credential flags. */
function inspect(reg, ref, { raw = false, creds, global = [], extra = [] } = {}) {
  return skopeo([
    ...global,
    'inspect',
    ...(raw ? ['--raw'] : []),
    ...extra,
    ...skopeoTlsArgs(reg),
    ...skopeoCredsArgs(reg, undefined, creds),
    `docker://${reg.host}/${ref}`,
  ]);
}

async function inspectOk(reg, ref, opts) {
  const r = await inspect(reg, ref, opts);
  assert.equal(r.code, 0, `skopeo inspect ${ref} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Seeds the single-arch base and checks skopeo reads back the same manifest. */
async function seedAndInspect(reg, repo = 'library/python') {
  const digest = await seedBase(reg, { repo });
  const info = await inspectOk(reg, `${repo}:3.11-slim`);
  assert.equal(info.Digest, digest);
  assert.equal(info.Architecture, 'amd64');
  return digest;
}

before(() => {
  requireTools('docker-registry', 'skopeo', 'htpasswd', 'openssl', 'umoci');
  baseLayout();
});

describe('plain registry', () => {
  let reg;
  before(async () => {
    reg = await startRegistry();
  });
  after(() => reg?.stop());

  test('serves the seeded base over http', async () => {
    assert.match(reg.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const digest = await seedAndInspect(reg);
    const raw = await inspect(reg, 'library/python:3.11-slim', { raw: true });
    assert.equal(sha256(raw.stdout), digest, 'seedBase returns the manifest digest');
    assert.equal(digest, indexEntries(baseLayout(), BASE_TAG)[0].digest, 'pushed unchanged');
    // umoci omits the optional manifest mediaType; the config type says OCI.
    assert.equal(JSON.parse(raw.stdout).config.mediaType, OCI_CONFIG);
  });

  test('multiPlatform pushes an amd64 + arm64/v8 index', async () => {
    const digest = await seedBase(reg, { repo: 'multi/python', multiPlatform: true });
    const raw = await inspect(reg, 'multi/python:3.11-slim', { raw: true });
    assert.equal(raw.code, 0, raw.stderr);
    assert.equal(sha256(raw.stdout), digest, 'seedBase returns the index digest');
    const layoutIndex = readIndex(multiPlatformLayout()).manifests[0];
    assert.equal(digest, layoutIndex.digest, 'the index is pushed unchanged');
    const index = JSON.parse(raw.stdout);
    assert.equal(index.mediaType, OCI_INDEX);
    assert.deepEqual(
      index.manifests.map((m) => m.platform),
      [
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux', variant: 'v8' },
      ],
    );
    const arm = await inspectOk(reg, 'multi/python:3.11-slim', {
      global: ['--override-arch', 'arm64'],
    });
    assert.equal(arm.Architecture, 'arm64');
    // skopeo's Digest is the index's; the config shows which manifest it chose.
    const armConfig = await inspectOk(reg, 'multi/python:3.11-slim', {
      global: ['--override-arch', 'arm64'],
      extra: ['--config'],
    });
    assert.equal(armConfig.variant, 'v8');
    const amd = await inspectOk(reg, 'multi/python:3.11-slim');
    assert.deepEqual(arm.Layers, amd.Layers, 'both platforms share the layers');
  });

  test("format 'v2s2' stores Docker media types", async () => {
    const digest = await seedBase(reg, { repo: 'docker/python', format: 'v2s2' });
    const raw = await inspect(reg, 'docker/python:3.11-slim', { raw: true });
    assert.equal(raw.code, 0, raw.stderr);
    assert.equal(sha256(raw.stdout), digest);
    assert.equal(JSON.parse(raw.stdout).mediaType, DOCKER_V2S2);
  });
});

describe('basic-auth registry', () => {
  let reg;
  before(async () => {
    reg = await startRegistry({ mode: 'basic' });
  });
  after(() => reg?.stop());

  test('accepts the right credentials', async () => {
    await seedAndInspect(reg);
  });

  test('rejects a wrong password and anonymous access', async () => {
    const wrong = await inspect(reg, 'library/python:3.11-slim', { creds: 'user:wrong' });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /unauthorized|authentication required/i);
    const anonymous = await skopeo([
      'inspect',
      '--tls-verify=false',
      '--no-creds',
      `docker://${reg.host}/library/python:3.11-slim`,
    ]);
    assert.notEqual(anonymous.code, 0);
  });
});

describe('TLS registry', () => {
  let reg;
  before(async () => {
    reg = await startRegistry({ mode: 'tls' });
  });
  after(() => reg?.stop());

  test('serves the base over https with the test CA', async () => {
    assert.match(reg.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(fs.existsSync(path.join(reg.certDir, 'ca.crt')));
    await seedAndInspect(reg);
  });

  test('is not trusted without the test CA', async () => {
    const r = await skopeo(['inspect', `docker://${reg.host}/library/python:3.11-slim`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /certificate|x509/i);
  });

  test('caBundle makes a Node child process trust it', async () => {
    const script = `const r = await fetch(${JSON.stringify(`${reg.url}/v2/`)}); console.log(r.status);`;
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--input-type=module', '-e', script],
      {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: reg.caBundle },
      },
    );
    assert.equal(stdout.trim(), '200');
    // The bundle keeps the system roots (the outbound proxy's CA lives there).
    const bundle = fs.readFileSync(reg.caBundle, 'utf8');
    assert.ok(bundle.split('BEGIN CERTIFICATE').length > 2);
  });
});

describe('token-auth registry', () => {
  let reg;
  before(async () => {
    reg = await startRegistry({ mode: 'token' });
  });
  after(() => reg?.stop());

  test('a push sends credentials and asks for a push scope', async () => {
    await seedAndInspect(reg);
    const { requests } = reg.tokenServer;
    assert.ok(requests.length > 0, 'the token server was asked');
    assert.ok(requests.every((r) => r.status === 200 && r.authorized && r.user === 'user'));
    const push = requests.find((r) =>
      r.scopes.some((s) => s.name === 'library/python' && s.actions.includes('push')),
    );
    assert.ok(push, `no push scope requested: ${JSON.stringify(requests)}`);
    assert.deepEqual(push.scopes[0], {
      type: 'repository',
      name: 'library/python',
      actions: ['pull', 'push'],
    });
  });

  test('a wrong password is refused by the token server', async () => {
    const before = reg.tokenServer.requests.length;
    const r = await inspect(reg, 'library/python:3.11-slim', { creds: 'user:wrong' });
    assert.notEqual(r.code, 0);
    const seen = reg.tokenServer.requests.slice(before);
    assert.ok(seen.some((q) => q.user === 'user' && !q.authorized && q.status === 401));
  });

  test('anonymous clients may pull but not push', async () => {
    const pull = await skopeo([
      'inspect',
      '--tls-verify=false',
      '--no-creds',
      `docker://${reg.host}/library/python:3.11-slim`,
    ]);
    assert.equal(pull.code, 0, pull.stderr);
    const push = await skopeo([
      'copy',
      '--dest-tls-verify=false',
      '--dest-no-creds',
      `oci:${baseLayout()}:3.11-slim`,
      `docker://${reg.host}/anon/python:3.11-slim`,
    ]);
    assert.notEqual(push.code, 0, 'the registry must refuse a token without push');
    assert.match(push.stderr, /denied|unauthorized|authentication required/i);
  });
});

/** A plain registry with a fault proxy in front; `via` is the proxy as a registry. */
async function startProxied() {
  const reg = await startRegistry();
  try {
    const proxy = await startFaultProxy(reg.url);
    return { reg, proxy, via: { ...reg, host: proxy.host, url: proxy.url } };
  } catch (err) {
    await reg.stop();
    throw err;
  }
}

async function stopProxied(setup) {
  await setup?.proxy.close();
  await setup?.reg.stop();
}

/** `skopeo copy` of the base to REPO:TAG through the proxy. */
function copyVia(via, repo, extra = []) {
  return skopeo([
    'copy',
    ...extra,
    ...skopeoTlsArgs(via, 'dest'),
    `oci:${baseLayout()}:3.11-slim`,
    `docker://${via.host}/${repo}:3.11-slim`,
  ]);
}

/** `skopeo copy` of REPO:3.11-slim from the proxy into a throwaway OCI layout. */
async function pullVia(via, repo) {
  const out = makeTempDir('pycontainer-infra-pull-');
  try {
    return await skopeo([
      'copy',
      ...skopeoTlsArgs(via, 'src'),
      `docker://${via.host}/${repo}:3.11-slim`,
      `oci:${out}:pulled`,
    ]);
  } finally {
    removeDir(out);
  }
}

describe('fault proxy', () => {
  let setup;
  before(async () => {
    setup = await startProxied();
  });
  after(() => stopProxied(setup));

  test('counts uploads; a second identical copy uploads nothing', async () => {
    const { proxy, via } = setup;
    await seedBase(via, { repo: 'proxied/python' });
    assert.ok(proxy.count('ping') >= 1);
    assert.ok(proxy.count('upload-start') > 0);
    assert.ok(proxy.count('upload-patch') + proxy.count('upload-put') > 0);
    assert.equal(proxy.count('manifest-put'), 1);
    assert.ok(proxy.requests.every((r) => (r.status >= 200 && r.status < 300) || r.status === 404));
    proxy.reset();
    await seedBase(via, { repo: 'proxied/python' });
    assert.equal(proxy.count('upload-start'), 0);
    assert.equal(proxy.count('upload-patch'), 0);
    assert.equal(proxy.count('mount'), 0);
    assert.ok(proxy.count('blob-head') > 0, 'skopeo checks the blobs exist');
    assert.equal(proxy.count('manifest-put'), 1);
  });

  test('an injected 500 on the manifest PUT fails the copy; skopeo does not retry it', async () => {
    const { proxy, reg, via } = setup;
    proxy.reset();
    proxy.inject({ kind: 'manifest-put', status: 500 });
    // Observed with skopeo 1.9.3: even with --retry-times, a 500 is not retried.
    const r = await copyVia(via, 'fault/five-hundred', ['--retry-times', '2']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /500 Internal Server Error/);
    assert.equal(proxy.count('manifest-put'), 1);
    assert.deepEqual(proxy.requests.find((q) => q.kind === 'manifest-put').fault, { status: 500 });
    const direct = await inspect(reg, 'fault/five-hundred:3.11-slim');
    assert.notEqual(direct.code, 0, 'the faulted manifest never reached the registry');
  });

  // skopeo waits its own 1 s backoff; it ignores Retry-After (4 s took 1 s too).
  test('a 429 with Retry-After is retried by skopeo --retry-times', async () => {
    const { proxy, reg, via } = setup;
    proxy.reset();
    proxy.inject({ kind: 'manifest-put', status: 429, retryAfter: 1 });
    const failed = await copyVia(via, 'fault/too-many');
    assert.notEqual(failed.code, 0, 'without --retry-times skopeo gives up');
    assert.match(failed.stderr, /toomanyrequests/);
    proxy.inject({ kind: 'manifest-put', status: 429, retryAfter: 1 });
    const retried = await copyVia(via, 'fault/too-many', ['--retry-times', '1']);
    assert.equal(retried.code, 0, retried.stderr);
    assert.deepEqual(
      proxy.requests.filter((q) => q.kind === 'manifest-put').map((q) => q.status),
      [429, 429, 201],
    );
    await inspectOk(reg, 'fault/too-many:3.11-slim');
  });

  test('a dropped manifest response: the registry has the tag, skopeo sees EOF', async () => {
    const { proxy, reg, via } = setup;
    proxy.reset();
    proxy.inject({ kind: 'manifest-put', drop: 'response' });
    const r = await copyVia(via, 'fault/lost-answer');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /EOF|connection reset/);
    assert.equal(proxy.requests.find((q) => q.kind === 'manifest-put').status, 201);
    await inspectOk(reg, 'fault/lost-answer:3.11-slim');
  });

  test('a corrupted blob download fails skopeo digest verification', async () => {
    const { proxy, via } = setup;
    proxy.reset();
    proxy.corrupt({ kind: 'blob-get' });
    const r = await pullVia(via, 'proxied/python');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Digest did not match/);
    assert.equal(proxy.requests.filter((q) => q.fault?.corrupt).length, 1);
  });

  test('a download cut halfway fails the pull', async () => {
    const { proxy, via } = setup;
    proxy.reset();
    proxy.inject({ kind: 'blob-get', drop: 'response' });
    const r = await pullVia(via, 'proxied/python');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /EOF|connection reset/);
    assert.deepEqual(proxy.requests.find((q) => q.fault).fault, { drop: 'response' });
  });
});

describe('fault proxy on a fresh registry', () => {
  let setup;
  before(async () => {
    setup = await startProxied();
  });
  after(() => stopProxied(setup));

  // A fresh registry, so the 45 MB base layer is uploaded, not mounted.
  // Whether skopeo --retry-times retries this depends on how Go reports the
  // broken connection (EPIPE/ECONNRESET: retried; "use of closed network
  // connection": not), which is a race, so only the failure is asserted.
  test('a connection dropped mid-upload fails the copy; the next copy works', async () => {
    const { proxy, reg, via } = setup;
    proxy.inject({ kind: 'upload-patch', drop: 'request' });
    const failed = await copyVia(via, 'fault/dropped');
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /writing blob/);
    assert.match(failed.stderr, /EOF|connection reset|broken pipe|closed network connection/);
    const dropped = proxy.requests.find((q) => q.status === 'dropped');
    assert.equal(dropped.kind, 'upload-patch');
    assert.ok(dropped.received > 1_000_000, `dropped after ${dropped.received} bytes`);
    const direct = await inspect(reg, 'fault/dropped:3.11-slim');
    assert.notEqual(direct.code, 0, 'no tag after a failed push');
    const again = await copyVia(via, 'fault/dropped');
    assert.equal(again.code, 0, again.stderr);
    await inspectOk(reg, 'fault/dropped:3.11-slim');
  });
});

test('the proxy answers injected statuses itself and validates faults', async () => {
  const setup = await startProxied();
  try {
    setup.proxy.inject({ kind: 'ping', status: 429, retryAfter: 7 });
    const limited = await fetch(`${setup.proxy.url}/v2/`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal((await limited.json()).errors[0].code, 'TOOMANYREQUESTS');
    assert.equal((await fetch(`${setup.proxy.url}/v2/`)).status, 200, 'only once');
    assert.deepEqual(
      setup.proxy.requests.map((q) => [q.kind, q.status]),
      [
        ['ping', 429],
        ['ping', 200],
      ],
    );
    assert.throws(() => setup.proxy.inject({ kind: 'manifest-put' }), /exactly one of/);
    assert.throws(() => setup.proxy.inject({ kind: 'manifest-put', drop: 'half' }), /drop must/);
  } finally {
    await stopProxied(setup);
  }
});

test('startRegistry rejects an unknown mode', async () => {
  await assert.rejects(startRegistry({ mode: 'nope' }), /unknown registry mode nope/);
});

test('skopeoOk throws with skopeo stderr', async () => {
  await assert.rejects(
    skopeoOk(['inspect', 'docker://127.0.0.1:1/x:y']),
    /skopeo inspect .* failed/,
  );
});

test('a registry that cannot start fails with its log tail', async () => {
  // A fake docker-registry first on PATH: it complains and exits.
  const bin = makeTempDir('pycontainer-infra-fakebin-');
  const savedPath = process.env.PATH;
  try {
    const fake = path.join(bin, 'docker-registry');
    fs.writeFileSync(fake, '#!/bin/sh\necho "configuration error: fake failure" >&2\nexit 1\n', {
      mode: 0o755,
    });
    process.env.PATH = `${bin}:${savedPath}`;
    await assert.rejects(
      startRegistry(),
      /exited at start[\s\S]*configuration error: fake failure/,
    );
  } finally {
    process.env.PATH = savedPath;
    removeDir(bin);
  }
});
