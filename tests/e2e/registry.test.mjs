// The CLI against real registries (Debian's docker-registry, started by
// tests/infra): `build --push` to every auth mode, multi-platform and
// Docker-typed bases, `pycontainer push` of a layout, request counts and
// injected faults through the fault proxy, corrupt downloads and bad
// credentials. What the CLI pushed is read back with an independent client,
// skopeo, and run with umoci + runc.
//
// The token server and the fault proxy run inside this process, so the CLI
// and skopeo always run asynchronously here (runCliAsync, seed.mjs's skopeo):
// a spawnSync would block them and hang.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startFaultProxy } from '../infra/fault-proxy.mjs';
import { skopeoCredsArgs, skopeoTlsArgs, startRegistry } from '../infra/registry.mjs';
import { manifestDigest, seedBase, skopeo, skopeoOk } from '../infra/seed.mjs';
import {
  BASE_TAG,
  baseLayout,
  baseRef,
  copyExample,
  describeRun,
  ensureWasm,
  fileDigest,
  HELLO_ALICE,
  listTree,
  makeTempDir,
  readImage,
  removeDir,
  requireRoot,
  requireTools,
  runCliAsync,
  runInImage,
} from './helpers.mjs';

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const BASE_REPO = 'library/python';
const UPLOAD_KINDS = ['upload-start', 'upload-patch', 'upload-put'];
const WRONG_PASSWORD = 'wr0ng-Pa55word-7f3c';

let tmp;
let project;
let noDockerConfig;
let pathCount = 0;
/** The Debian base as seeded: {descriptor, manifest, config}. */
let base;

before(() => {
  requireTools('docker-registry', 'skopeo', 'htpasswd', 'openssl', 'umoci', 'runc');
  ensureWasm();
  base = readImage(baseLayout(), BASE_TAG);
  tmp = makeTempDir('pycontainer-e2e-registry-');
  project = copyExample(tmp);
  // An empty DOCKER_CONFIG: the user's docker logins must not leak in.
  noDockerConfig = path.join(tmp, 'no-docker-config');
  fs.mkdirSync(noDockerConfig);
});

after(async () => {
  const plain = await plainPromise?.catch(() => undefined);
  await plain?.stop();
  removeDir(tmp);
});

/** A new path under the temp dir that does not exist yet (an output layout). */
function freshPath(name) {
  pathCount += 1;
  return path.join(tmp, `${name}-${pathCount}`);
}

/** A new empty dir under the temp dir (a cache: every run gets its own). */
function freshDir(name) {
  const dir = freshPath(name);
  fs.mkdirSync(dir);
  return dir;
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The CLI's environment: no PYCONTAINER_* settings or docker logins from the
 * caller's shell, the test CA for a TLS registry, then `extra`.
 */
function cliEnv(reg, extra = {}) {
  const env = { DOCKER_CONFIG: noDockerConfig };
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('PYCONTAINER_')) env[key] = undefined;
  }
  if (reg?.caBundle) env.NODE_EXTRA_CA_CERTS = reg.caBundle;
  return { ...env, ...extra };
}

/**
 * `pycontainer build --json` of hello-cli on `baseImage` (default: the
 * seeded base on `reg`), with a cache dir of its own.
 */
function pycBuild(reg, { baseImage, args = [], env, input, cache = freshDir('cache') } = {}) {
  return runCliAsync(
    [
      'build',
      '--context',
      project,
      '--base-image',
      baseImage ?? `${reg.host}/${BASE_REPO}:${BASE_TAG}`,
      '--cache-dir',
      cache,
      '--json',
      ...args,
    ],
    { env: cliEnv(reg, env), input },
  );
}

/** `build --push -t HOST/REF` (push only: no layout). */
function pushBuild(reg, ref, { args = [], ...opts } = {}) {
  return pycBuild(reg, { ...opts, args: ['--push', '-t', `${reg.host}/${ref}`, ...args] });
}

/** `pycontainer push LAYOUT[:TAG] HOST/REF... --json`. */
function pycPush(reg, layoutRef, refs, { args = [], env, input } = {}) {
  return runCliAsync(
    [
      'push',
      layoutRef,
      ...refs.map((ref) => `${reg.host}/${ref}`),
      '--cache-dir',
      freshDir('cache'),
      '--json',
      ...args,
    ],
    { env: cliEnv(reg, env), input },
  );
}

/** Asserts a CLI run succeeded and returns its --json result. */
function ok(r) {
  assert.equal(r.code, 0, describeRun(r));
  assert.ok(r.json, `no JSON on stdout: ${describeRun(r)}`);
  return r.json;
}

/** Asserts a CLI run failed with exit status 1 and a message matching every pattern. */
function fails(r, ...patterns) {
  assert.equal(r.code, 1, describeRun(r));
  for (const p of patterns) assert.match(r.stderr, p, describeRun(r));
}

/** `skopeo inspect [--raw] docker://HOST/REF` with `reg`'s TLS and credential flags. */
function inspect(reg, ref, { raw = false } = {}) {
  return skopeo([
    'inspect',
    ...(raw ? ['--raw'] : []),
    ...skopeoTlsArgs(reg),
    ...skopeoCredsArgs(reg),
    `docker://${reg.host}/${ref}`,
  ]);
}

/** `skopeo inspect` that must succeed; returns its parsed output. */
async function inspectOk(reg, ref) {
  const r = await inspect(reg, ref);
  assert.equal(r.code, 0, `skopeo inspect ${reg.host}/${ref} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Asserts that REF does not exist on `reg` (no manifest was pushed under it). */
async function assertNoTag(reg, ref) {
  const r = await inspect(reg, ref);
  assert.notEqual(r.code, 0, `${reg.host}/${ref} exists, but no manifest should have been pushed`);
  assert.match(r.stderr, /manifest unknown/i);
}

/** `skopeo copy docker://HOST/REF oci:DIR:1` into a new dir; returns DIR. */
async function pullBack(reg, ref) {
  const dir = freshPath('pulled');
  await skopeoOk([
    'copy',
    '--quiet',
    ...skopeoTlsArgs(reg, 'src'),
    ...skopeoCredsArgs(reg, 'src'),
    `docker://${reg.host}/${ref}`,
    `oci:${dir}:1`,
  ]);
  return dir;
}

/** Unpacks LAYOUT:1 and runs `hello Alice` with runc. */
function assertGreetsAlice(layout) {
  requireRoot();
  const r = runInImage(layout, '1', ['Alice']);
  assert.equal(r.code, 0, `run_in_image failed (exit ${r.code}):\n${r.stderr}`);
  assert.equal(r.stdout.trim(), HELLO_ALICE);
}

/** The first user of a registry, as {user, password}. */
function firstUser(reg) {
  const [user, password] = Object.entries(reg.users)[0];
  return { user, password };
}

let plainPromise;

/** One plain registry with the base seeded, shared by several describes. */
function plainRegistry() {
  plainPromise ??= (async () => {
    const reg = await startRegistry();
    try {
      await seedBase(reg);
      return reg;
    } catch (err) {
      await reg.stop();
      throw err;
    }
  })();
  return plainPromise;
}

let localPromise;

/** hello-cli built from the local base layout into a layout (tag 1), once. */
function localLayout() {
  localPromise ??= (async () => {
    const out = freshPath('local-layout');
    const r = await runCliAsync(
      [
        'build',
        '--context',
        project,
        '--base-image',
        baseRef(),
        '--output',
        out,
        '--tag',
        'hello:1',
        '--cache-dir',
        freshDir('cache'),
        '--json',
      ],
      { env: cliEnv() },
    );
    return { out, result: ok(r) };
  })();
  return localPromise;
}

// ---------------------------------------------------------------------------
// 1. build --push to each registry mode, read back with skopeo.

const MODES = [
  { mode: 'plain', run: true },
  { mode: 'basic', credentials: 'stdin' },
  { mode: 'tls' },
  { mode: 'token', credentials: 'env', run: true },
];

/** CLI options that give the credentials of `reg` the way `how` says. */
function credentialOptions(reg, how) {
  const { user, password } = firstUser(reg);
  if (how === 'stdin') {
    return { args: ['--username', user, '--password-stdin'], input: `${password}\n` };
  }
  if (how === 'env') {
    return {
      env: { PYCONTAINER_REGISTRY_USERNAME: user, PYCONTAINER_REGISTRY_PASSWORD: password },
    };
  }
  return {};
}

for (const { mode, credentials, run } of MODES) {
  describe(`build --push to a ${mode} registry`, () => {
    let reg;
    let pushed;
    /** What the token server was asked during the push (token mode). */
    let tokenRequests;

    before(async () => {
      reg = mode === 'plain' ? await plainRegistry() : await startRegistry({ mode });
      if (mode !== 'plain') await seedBase(reg);
    });

    after(async () => {
      if (mode !== 'plain') await reg?.stop();
    });

    test('pushes hello-cli; the registry serves the digest the CLI reports', async () => {
      const start = reg.tokenServer?.requests.length ?? 0;
      const r = await pushBuild(reg, 'hello:1', credentialOptions(reg, credentials));
      tokenRequests = reg.tokenServer?.requests.slice(start);
      const json = ok(r);
      assert.equal(json.output, undefined, 'a push-only build writes no layout');
      assert.equal(json.pushed.length, 1);
      assert.ok(
        json.pushed[0].reference.startsWith(`${reg.host}/hello:1`),
        json.pushed[0].reference,
      );
      assert.equal(json.pushed[0].digest, json.manifestDigest);
      assert.equal(await manifestDigest(reg, 'hello:1'), json.manifestDigest);
      // The base is in this registry: its layers are mounted, not uploaded.
      assert.equal(json.pushStats.mounted, base.manifest.layers.length, 'base layers mounted');
      assert.equal(json.pushStats.uploaded, 2, 'the app layer and the config are uploaded');
      pushed = json;
    });

    test('skopeo inspects and copies it back: the app on the base layers', async () => {
      assert.ok(pushed, 'the push failed');
      const info = await inspectOk(reg, 'hello:1');
      assert.equal(info.Digest, pushed.manifestDigest);
      assert.equal(info.Os, 'linux');
      assert.equal(info.Architecture, 'amd64');
      assert.deepEqual(
        info.Layers,
        pushed.layers.map((l) => l.digest),
      );
      assert.deepEqual(
        info.Layers.slice(0, base.manifest.layers.length),
        base.manifest.layers.map((l) => l.digest),
      );
      const dir = await pullBack(reg, 'hello:1');
      const { descriptor, config } = readImage(dir, '1');
      assert.equal(descriptor.digest, pushed.manifestDigest, 'skopeo copied it unchanged');
      assert.deepEqual(config.config.Entrypoint, ['python3', '/usr/local/bin/hello']);
      if (run) assertGreetsAlice(dir);
    });

    if (mode === 'token') {
      test('the token server got the credentials and push on hello, pull on the base', () => {
        assert.ok(tokenRequests, 'the push did not run');
        assert.ok(tokenRequests.length > 0, 'the CLI never asked the token server for a token');
        for (const q of tokenRequests) {
          assert.deepEqual(
            { user: q.user, authorized: q.authorized, status: q.status },
            { user: 'user', authorized: true, status: 200 },
            `a token request without the right credentials: ${JSON.stringify(q)}`,
          );
        }
        const asked = (name, action) =>
          tokenRequests.some((q) =>
            q.scopes.some(
              (s) => s.type === 'repository' && s.name === name && s.actions.includes(action),
            ),
          );
        const scopes = JSON.stringify(tokenRequests.map((q) => q.scopes));
        assert.ok(asked('hello', 'push'), `no push scope on hello: ${scopes}`);
        assert.ok(asked(BASE_REPO, 'pull'), `no pull scope on ${BASE_REPO}: ${scopes}`);
      });
    }

    if (mode === 'basic' || mode === 'token') {
      test('a wrong password: authentication failed, exit 1, the password never printed', async () => {
        const start = reg.tokenServer?.requests.length ?? 0;
        const r = await pushBuild(reg, 'hello:wrong', {
          args: ['--username', firstUser(reg).user, '--password-stdin'],
          input: `${WRONG_PASSWORD}\n`,
        });
        fails(r, new RegExp(`authentication failed for ${escapeRegExp(reg.host)}`));
        assert.ok(!r.stderr.includes(WRONG_PASSWORD), `password in stderr: ${r.stderr}`);
        assert.ok(!r.stdout.includes(WRONG_PASSWORD), `password on stdout: ${r.stdout}`);
        if (mode === 'token') {
          const refused = reg.tokenServer.requests
            .slice(start)
            .filter((q) => q.user === 'user' && !q.authorized && q.status === 401);
          assert.ok(refused.length > 0, 'the wrong password never reached the token server');
        }
        await assertNoTag(reg, 'hello:wrong');
      });
    }

    if (mode === 'basic') {
      test('no credentials at all: authentication required, exit 1', async () => {
        const r = await pushBuild(reg, 'hello:anonymous');
        fails(r, new RegExp(`authentication required for ${escapeRegExp(reg.host)}`));
        await assertNoTag(reg, 'hello:anonymous');
      });

      test('credentials from PYCONTAINER_REGISTRY_USERNAME and _PASSWORD', async () => {
        const json = ok(await pushBuild(reg, 'hello:env', credentialOptions(reg, 'env')));
        assert.equal(await manifestDigest(reg, 'hello:env'), json.manifestDigest);
      });

      test("credentials from $DOCKER_CONFIG/config.json's auths", async () => {
        const { user, password } = firstUser(reg);
        const dockerConfig = freshDir('docker-config');
        const auth = Buffer.from(`${user}:${password}`).toString('base64');
        fs.writeFileSync(
          path.join(dockerConfig, 'config.json'),
          JSON.stringify({ auths: { [reg.host]: { auth } } }),
        );
        const json = ok(
          await pushBuild(reg, 'hello:docker-config', { env: { DOCKER_CONFIG: dockerConfig } }),
        );
        assert.equal(await manifestDigest(reg, 'hello:docker-config'), json.manifestDigest);
      });
    }
  });
}

// ---------------------------------------------------------------------------
// 2, 3, 8. Platforms, Docker media types and `pycontainer push`, on the shared
// plain registry.

describe('a multi-platform base (amd64 + arm64/v8 index)', () => {
  const MULTI = 'multi/python';
  let reg;
  let armDigest;

  before(async () => {
    reg = await plainRegistry();
    await seedBase(reg, { repo: MULTI, multiPlatform: true });
  });

  /** Builds on the index into a new layout; resolves {r, out}. */
  async function buildFor(platform) {
    const out = freshPath('multi-out');
    const r = await pycBuild(reg, {
      baseImage: `${reg.host}/${MULTI}:${BASE_TAG}`,
      args: ['--output', out, '--tag', 'multi:1', ...(platform ? ['--platform', platform] : [])],
    });
    return { r, out };
  }

  /** The layout holds every blob, each with its digest and size. */
  async function assertComplete(out) {
    const { descriptor, manifest } = readImage(out, '1');
    for (const d of [descriptor, manifest.config, ...manifest.layers]) {
      const actual = await fileDigest(path.join(out, 'blobs', ...d.digest.split(':')));
      assert.deepEqual(actual, { digest: d.digest, size: d.size }, `blob ${d.digest}`);
    }
  }

  function assertBaseLayers(manifest) {
    assert.deepEqual(
      manifest.layers.slice(0, base.manifest.layers.length).map((l) => l.digest),
      base.manifest.layers.map((l) => l.digest),
    );
    assert.equal(manifest.layers.length, base.manifest.layers.length + 1);
  }

  test('--platform linux/arm64/v8 builds on the arm64 image', async () => {
    const { r, out } = await buildFor('linux/arm64/v8');
    const json = ok(r);
    assert.match(json.plan.platform, /^linux\/arm64/);
    const { descriptor, manifest, config } = readImage(out, '1');
    assert.equal(descriptor.digest, json.manifestDigest);
    assert.equal(config.os, 'linux');
    assert.equal(config.architecture, 'arm64');
    assert.equal(config.variant, 'v8');
    assertBaseLayers(manifest);
    // The arm64 image's diff_ids come along too.
    assert.deepEqual(
      config.rootfs.diff_ids.slice(0, base.config.rootfs.diff_ids.length),
      base.config.rootfs.diff_ids,
    );
    await assertComplete(out);
    armDigest = json.manifestDigest;
  });

  test('--platform linux/arm64 picks the same image', async () => {
    const { r, out } = await buildFor('linux/arm64');
    const json = ok(r);
    assert.ok(armDigest, 'the linux/arm64/v8 build failed');
    assert.equal(json.manifestDigest, armDigest);
    assert.equal(readImage(out, '1').config.architecture, 'arm64');
  });

  test('--platform linux/s390x fails, listing the platforms on offer', async () => {
    const { r, out } = await buildFor('linux/s390x');
    fails(r, /linux\/s390x/, /linux\/amd64/, /linux\/arm64/);
    assert.ok(!fs.existsSync(path.join(out, 'index.json')), 'no layout is written');
  });

  test('no --platform picks linux/amd64', async () => {
    const { r, out } = await buildFor(undefined);
    const json = ok(r);
    assert.equal(json.plan.platform, 'linux/amd64');
    const { manifest, config } = readImage(out, '1');
    assert.equal(config.architecture, 'amd64');
    assert.equal(config.variant, undefined);
    assertBaseLayers(manifest);
    assert.notEqual(json.manifestDigest, armDigest);
  });
});

describe('a base with Docker media types (v2s2)', () => {
  test('the pushed manifest keeps Docker media types; skopeo copies it back and it runs', async () => {
    const reg = await plainRegistry();
    await seedBase(reg, { repo: 'docker/python', format: 'v2s2' });
    const json = ok(
      await pushBuild(reg, 'docker-hello:1', {
        baseImage: `${reg.host}/docker/python:${BASE_TAG}`,
      }),
    );
    const raw = await inspect(reg, 'docker-hello:1', { raw: true });
    assert.equal(raw.code, 0, raw.stderr);
    const manifest = JSON.parse(raw.stdout);
    assert.equal(manifest.mediaType, DOCKER_MANIFEST);
    assert.equal(manifest.config.mediaType, DOCKER_CONFIG);
    assert.deepEqual(
      manifest.layers.map((l) => l.mediaType),
      manifest.layers.map(() => DOCKER_LAYER),
    );
    assert.equal(manifest.layers[0].digest, base.manifest.layers[0].digest);
    assert.equal(await manifestDigest(reg, 'docker-hello:1'), json.manifestDigest);
    const dir = await pullBack(reg, 'docker-hello:1');
    assertGreetsAlice(dir);
  });
});

describe('pycontainer push of a layout built locally', () => {
  test('two tags in one command both resolve to the built digest', async () => {
    const reg = await plainRegistry();
    const { out, result } = await localLayout();
    const json = ok(await pycPush(reg, `${out}:1`, ['two/hello:a', 'two/hello:b']));
    assert.equal(json.manifestDigest, result.manifestDigest);
    assert.deepEqual(
      json.pushed.map((p) => p.digest),
      [result.manifestDigest, result.manifestDigest],
    );
    assert.ok(json.pushed[0].reference.startsWith(`${reg.host}/two/hello:a`));
    assert.ok(json.pushed[1].reference.startsWith(`${reg.host}/two/hello:b`));
    // One repository: each blob goes up once, for both tags.
    assert.equal(json.pushStats.uploaded, result.layers.length + 1);
    for (const tag of ['a', 'b']) {
      const info = await inspectOk(reg, `two/hello:${tag}`);
      assert.equal(info.Digest, result.manifestDigest, `two/hello:${tag}`);
    }
    assert.equal(await manifestDigest(reg, 'two/hello:a'), result.manifestDigest);
    assert.equal(await manifestDigest(reg, 'two/hello:b'), result.manifestDigest);
  });
});

// ---------------------------------------------------------------------------
// 4, 5, 6. Through the fault proxy: request counts, retries, failures.

describe('through the fault proxy', () => {
  let reg;
  let proxy;
  /** The proxy as a registry: references name proxy.host. */
  let via;
  /** The first push of app:1 (the --json result). */
  let first;
  /** A layout holding that same image (tag 1). */
  let pushedLayout;

  before(async () => {
    reg = await startRegistry();
    proxy = await startFaultProxy(reg.url);
    via = { ...reg, host: proxy.host, url: proxy.url };
    await seedBase(via);
  });

  after(async () => {
    await proxy?.close();
    await reg?.stop();
  });

  beforeEach(() => proxy.reset());

  /** Requests by kind and status, for assertion messages. */
  function summary() {
    const counts = {};
    for (const q of proxy.requests) {
      const key = `${q.kind} ${q.status}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return JSON.stringify(counts);
  }

  function assertNothingSent() {
    for (const kind of [...UPLOAD_KINDS, 'mount']) {
      assert.equal(proxy.count(kind), 0, `${kind} requests; all: ${summary()}`);
    }
  }

  const faulted = () => proxy.requests.filter((q) => q.fault);

  describe('request counts', () => {
    test("a push to the base's own registry downloads no base layer: it mounts them", async () => {
      const json = ok(await pushBuild(via, 'app:1'));
      const gets = proxy.requests.filter((q) => q.kind === 'blob-get');
      // The only blob read is the base config, which the new config extends.
      assert.deepEqual(
        gets.map((q) => q.path),
        [`/v2/${BASE_REPO}/blobs/${base.manifest.config.digest}`],
        summary(),
      );
      const mounts = proxy.requests.filter((q) => q.kind === 'mount');
      for (const layer of base.manifest.layers) {
        assert.ok(
          mounts.some(
            (q) =>
              q.status === 201 &&
              q.path.includes(encodeURIComponent(layer.digest)) &&
              q.path.includes(`from=${encodeURIComponent(BASE_REPO)}`),
          ),
          `base layer ${layer.digest} not mounted: ${JSON.stringify(mounts)}`,
        );
      }
      assert.equal(json.pushStats.mounted, base.manifest.layers.length);
      assert.ok(json.pushStats.bytesUploaded < 100_000, `${json.pushStats.bytesUploaded} bytes`);
      assert.equal(await manifestDigest(reg, 'app:1'), json.manifestDigest);
      first = json;
    });

    test('re-pushing the unchanged image uploads and mounts nothing: HEADs only', async () => {
      assert.ok(first, 'the first push failed');
      const json = ok(await pushBuild(via, 'app:1'));
      assert.equal(json.manifestDigest, first.manifestDigest);
      assertNothingSent();
      assert.equal(proxy.count('blob-head'), first.layers.length + 1, summary());
      assert.deepEqual(json.pushStats, {
        uploaded: 0,
        mounted: 0,
        existing: first.layers.length + 1,
        bytesUploaded: 0,
      });
    });

    test('pycontainer push of the already-pushed image under another tag uploads nothing', async () => {
      assert.ok(first, 'the first push failed');
      const out = freshPath('proxied-layout');
      const built = ok(
        await pycBuild(via, { args: ['--output', out, '--tag', `${proxy.host}/app:1`] }),
      );
      assert.equal(built.manifestDigest, first.manifestDigest, 'the very image pushed before');
      proxy.reset();
      const json = ok(await pycPush(via, `${out}:1`, ['app:2']));
      assert.equal(json.manifestDigest, first.manifestDigest);
      assertNothingSent();
      assert.equal(proxy.count('blob-get'), 0, summary());
      assert.equal(json.pushStats.existing, first.layers.length + 1);
      assert.equal(json.pushStats.bytesUploaded, 0);
      assert.equal(await manifestDigest(reg, 'app:2'), first.manifestDigest);
      pushedLayout = out;
    });

    // The layout's manifest names its base (org.opencontainers.image.base.name),
    // which lives in this registry: its layers are mounted from there.
    test('pycontainer push to another repository of the same registry mounts the base layers', async () => {
      assert.ok(pushedLayout, 'the layout build failed');
      const json = ok(await pycPush(via, `${pushedLayout}:1`, ['other:1']));
      assert.equal(await manifestDigest(reg, 'other:1'), first.manifestDigest);
      const mounts = proxy.requests.filter((q) => q.kind === 'mount' && q.status === 201);
      for (const layer of base.manifest.layers) {
        assert.ok(
          mounts.some((q) => q.path.includes(encodeURIComponent(layer.digest))),
          `base layer ${layer.digest} not mounted: ${summary()}`,
        );
      }
      assert.equal(json.pushStats.mounted, base.manifest.layers.length);
      assert.ok(json.pushStats.bytesUploaded < 100_000, JSON.stringify(json.pushStats));
      assert.equal(proxy.count('blob-get'), 0, `nothing is downloaded: ${summary()}`);
    });
  });

  describe('faults that retries overcome', () => {
    test('500 twice on the upload PUT', async () => {
      proxy.inject({ kind: 'upload-put', status: 500, times: 2 });
      const json = ok(await pushBuild(via, 'retry/put:1'));
      assert.deepEqual(
        faulted().map((q) => [q.kind, q.status]),
        [
          ['upload-put', 500],
          ['upload-put', 500],
        ],
      );
      assert.equal(json.pushStats.uploaded, 2);
      assert.equal((await inspectOk(reg, 'retry/put:1')).Digest, json.manifestDigest);
    });

    test('429 with Retry-After: 1 on the manifest PUT is waited out', async () => {
      proxy.inject({ kind: 'manifest-put', status: 429, retryAfter: 1 });
      const started = Date.now();
      const json = ok(await pushBuild(via, 'retry/manifest:1'));
      const elapsed = Date.now() - started;
      assert.deepEqual(
        proxy.requests.filter((q) => q.kind === 'manifest-put').map((q) => q.status),
        [429, 201],
      );
      assert.ok(elapsed >= 1000, `the push took ${elapsed} ms: Retry-After not honoured`);
      assert.equal((await inspectOk(reg, 'retry/manifest:1')).Digest, json.manifestDigest);
    });

    test('500 twice on chunk PATCHes (--chunk-size 1M)', async () => {
      const { out, result } = await localLayout();
      proxy.inject({ kind: 'upload-patch', status: 500, times: 2 });
      const json = ok(
        await pycPush(via, `${out}:1`, ['retry/patch:1'], { args: ['--chunk-size', '1M'] }),
      );
      assert.equal(faulted().filter((q) => q.status === 500).length, 2, summary());
      const chunks = Math.ceil(base.manifest.layers[0].size / (1 << 20));
      assert.ok(
        proxy.count('upload-patch') >= chunks,
        `the base layer went up in chunks: ${summary()}`,
      );
      assert.equal(json.pushStats.uploaded, result.layers.length + 1);
      const info = await inspectOk(reg, 'retry/patch:1');
      assert.equal(info.Digest, result.manifestDigest);
    });

    test('a connection dropped mid-PATCH', async () => {
      const { out, result } = await localLayout();
      proxy.inject({ kind: 'upload-patch', drop: 'request' });
      const json = ok(
        await pycPush(via, `${out}:1`, ['retry/drop:1'], { args: ['--chunk-size', '1M'] }),
      );
      const dropped = proxy.requests.filter((q) => q.status === 'dropped');
      assert.equal(dropped.length, 1, summary());
      assert.equal(dropped[0].kind, 'upload-patch');
      assert.ok(dropped[0].received > 0, 'dropped mid-body');
      assert.equal(json.manifestDigest, result.manifestDigest);
      assert.equal((await inspectOk(reg, 'retry/drop:1')).Digest, result.manifestDigest);
    });
  });

  describe('faults that outlast the retries: exit 1, a clear message, no tag', () => {
    const hostAnd500 = () => new RegExp(`${escapeRegExp(proxy.host)}.*\\b500\\b`);

    test('blob HEAD answers 500 every time', async () => {
      proxy.inject({ kind: 'blob-head', status: 500, times: 20 });
      const r = await pushBuild(via, 'fail/head:1');
      fails(r, hostAnd500());
      assert.ok(proxy.count('blob-head') > 1, `retried: ${summary()}`);
      assert.equal(proxy.count('manifest-put'), 0, 'no manifest without its blobs');
      await assertNoTag(reg, 'fail/head:1');
    });

    test('upload POST answers 500 every time', async () => {
      proxy.inject({ kind: 'upload-start', status: 500, times: 20 });
      const r = await pushBuild(via, 'fail/start:1');
      fails(r, hostAnd500());
      assert.ok(proxy.count('upload-start') > 1, `retried: ${summary()}`);
      assert.equal(proxy.count('manifest-put'), 0, 'no manifest without its blobs');
      await assertNoTag(reg, 'fail/start:1');
    });

    test('manifest PUT answers 500 every time', async () => {
      proxy.inject({ kind: 'manifest-put', status: 500, times: 20 });
      const r = await pushBuild(via, 'fail/manifest:1');
      fails(r, hostAnd500(), /manifest/);
      assert.ok(proxy.count('manifest-put') > 1, `retried: ${summary()}`);
      assert.ok(
        proxy.requests.filter((q) => q.kind === 'manifest-put').every((q) => q.status === 500),
        summary(),
      );
      await assertNoTag(reg, 'fail/manifest:1');
    });
  });

  describe('a corrupted download while building from the registry into a layout', () => {
    for (const which of ['config', 'layer']) {
      test(`base ${which}: digest error, no layout, nothing cached`, async () => {
        const digest =
          which === 'config' ? base.manifest.config.digest : base.manifest.layers[0].digest;
        // Every download of that blob, in case a client retried it.
        proxy.corrupt({ kind: 'blob-get', path: digest, times: 20 });
        const out = freshPath('corrupt-out');
        const cache = freshDir('cache');
        const r = await pycBuild(via, { args: ['--output', out, '--tag', 'corrupt:1'], cache });
        fails(r, /is corrupt/, new RegExp(escapeRegExp(digest)));
        assert.ok(
          faulted().some((q) => q.fault.corrupt && q.path.endsWith(digest)),
          `the proxy corrupted nothing: ${summary()}`,
        );
        assert.ok(!fs.existsSync(path.join(out, 'index.json')), 'a layout was written');
        const cached = listTree(cache);
        const hex = digest.split(':')[1];
        assert.deepEqual(
          cached.filter((p) => p.includes(hex)),
          [],
          'the corrupt blob is in the cache',
        );
        assert.deepEqual(
          cached.filter((p) => path.basename(p).includes('.tmp')),
          [],
          'temp files left in the cache',
        );
      });
    }
  });
});
