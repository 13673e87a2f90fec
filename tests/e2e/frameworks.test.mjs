// The web-framework examples (FastAPI, Flask, Django) built with no
// configuration on the slim Debian base: pycontainer installs each one's
// dependencies (FastAPI, Flask, Django, uvicorn, gunicorn) from the package
// index into the image's venv. Checked with skopeo, then served for real:
// runc in the background with host networking, GET / on 127.0.0.1.
//
// The apps' ports are fixed (8000 for FastAPI and Django, 5000 for Flask), so
// everything here runs one test at a time and each server is stopped, and its
// port free again, before the next one starts.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  BASE_TAG,
  baseLayout,
  baseRef,
  build,
  copyExample,
  makeTempDir,
  portInUse,
  REF_NAME,
  ROOT,
  readImage,
  readIndex,
  removeDir,
  requireRoot,
  requireTools,
  runTool,
  startInImage,
  stopInImage,
  waitForHttp,
  waitPortFree,
} from './helpers.mjs';

const APPS = [
  {
    example: 'fastapi-app',
    framework: 'fastapi',
    port: 8000,
    entrypoint: ['uvicorn', 'svc.main:app', '--host', '0.0.0.0', '--port', '8000'],
    pythonPath: '/app/src',
  },
  {
    example: 'flask-app',
    framework: 'flask',
    port: 5000,
    entrypoint: ['gunicorn', '--bind', '0.0.0.0:5000', 'shop:create_app()'],
    pythonPath: '/app',
  },
  {
    example: 'django-app',
    framework: 'django',
    port: 8000,
    entrypoint: ['gunicorn', '--bind', '0.0.0.0:8000', 'mysite.wsgi:application'],
    pythonPath: '/app',
  },
];

const TAG = '1';
const NONROOT = 65532;

let tmp;

before(() => {
  requireTools('skopeo', 'umoci', 'runc');
  tmp = makeTempDir('pycontainer-e2e-frameworks-');
});

after(() => {
  removeDir(tmp);
});

/** `skopeo inspect --config` of LAYOUT:TAG, parsed. */
function inspectConfig(layout, tag) {
  const r = runTool('skopeo', ['inspect', '--config', `oci:${layout}:${tag}`]);
  assert.equal(r.code, 0, `skopeo inspect --config oci:${layout}:${tag}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Serves LAYOUT:TAG on PORT, waits (≤ 30 s) for GET /, and returns
 * {status, headers, body, json, log, homeStat} (homeStat: /home/nonroot in the
 * unpacked rootfs, or undefined). The container is always stopped and
 * the port free again when this returns or throws.
 */
async function serveOnce(layout, tag, port) {
  requireRoot();
  assert.equal(
    await portInUse(port),
    false,
    `something already listens on 127.0.0.1:${port}; the test would talk to it instead`,
  );
  const container = startInImage(layout, tag);
  try {
    const homeStat = fs.statSync(path.join(container.rootfs, 'home', 'nonroot'), {
      throwIfNoEntry: false,
    });
    const res = await waitForHttp(port, { container, timeoutMs: 30_000 });
    let json;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = undefined;
    }
    return { ...res, json, homeStat, log: container.log() };
  } finally {
    stopInImage(container);
    await waitPortFree(port);
  }
}

describe('web framework examples on the slim Debian base', { concurrency: 1 }, () => {
  for (const app of APPS) {
    describe(app.example, { concurrency: 1 }, () => {
      let out;
      let result;

      before(() => {
        const ctx = copyExample(
          path.join(tmp, app.example),
          app.example,
          path.join(ROOT, 'examples', app.example),
        );
        out = path.join(tmp, `${app.example}-out`);
        result = build([
          '--context',
          ctx,
          '--base-image',
          baseRef(),
          '--output',
          out,
          '--tag',
          `${app.example}:${TAG}`,
        ]);
      });

      test('the build reports the detected framework entry point', () => {
        assert.deepEqual(result.plan.entrypoint.command, app.entrypoint);
        assert.equal(result.plan.entrypoint.rule, 'framework');
        assert.equal(result.plan.entrypoint.rule, 'framework');
        assert.deepEqual(result.plan.ports, [`${app.port}/tcp`]);
        assert.equal(result.plan.user, `${NONROOT}:${NONROOT}`);
        assert.equal(result.plan.labels['io.pycontainer.framework'], app.framework);
        const { descriptor } = readImage(out, TAG);
        assert.equal(result.manifestDigest, descriptor.digest);
      });

      test('skopeo inspect --config: entry point, port, user, HOME, label', () => {
        const { config } = inspectConfig(out, TAG);
        assert.deepEqual(config.Entrypoint, app.entrypoint);
        assert.equal(config.Cmd, undefined, "the base's Cmd (python3) is cleared");
        assert.deepEqual(config.ExposedPorts, { [`${app.port}/tcp`]: {} });
        assert.equal(config.User, `${NONROOT}:${NONROOT}`);
        assert.equal(config.WorkingDir, '/app');
        assert.ok(config.Env.includes('HOME=/home/nonroot'), `Env: ${config.Env}`);
        assert.ok(config.Env.includes(`PYTHONPATH=${app.pythonPath}`), `Env: ${config.Env}`);
        const home = config.Env.filter((e) => e.startsWith('HOME='));
        assert.equal(home.length, 1, `one HOME in Env: ${config.Env}`);
        assert.equal(config.Labels['io.pycontainer.framework'], app.framework);
        // A local base names no image; its digest is recorded.
        const baseEntry = readIndex(baseLayout()).manifests.find(
          (m) => m.annotations?.[REF_NAME] === BASE_TAG,
        );
        assert.equal(config.Labels['org.opencontainers.image.base.digest'], baseEntry.digest);
        assert.equal(config.Labels['org.opencontainers.image.base.name'], undefined);
      });

      test(`serves GET / on 127.0.0.1:${app.port} as the non-root user`, async () => {
        const res = await serveOnce(out, TAG, app.port);
        assert.equal(res.status, 200, `status ${res.status}, body ${res.body}\n${res.log}`);
        assert.match(res.headers['content-type'] ?? '', /application\/json/);
        assert.ok(res.json, `the body is JSON: ${res.body}`);
        assert.equal(res.json.framework, app.framework, res.body);
        if (app.framework === 'fastapi') {
          assert.equal(res.json.user, NONROOT, `the app runs as uid ${NONROOT}: ${res.body}`);
        }
        // HOME is the non-root user's own directory (from the app layer).
        assert.ok(res.homeStat?.isDirectory(), '/home/nonroot is a directory');
        assert.equal(res.homeStat.uid, NONROOT, 'HOME is owned by the user');
        assert.equal(res.homeStat.gid, NONROOT);
      });
    });
  }

  describe('fastapi-app with --user root', () => {
    test('runs as uid 0 and the config says 0:0', async () => {
      const ctx = copyExample(
        path.join(tmp, 'fastapi-root'),
        'fastapi-app',
        path.join(ROOT, 'examples', 'fastapi-app'),
      );
      const out = path.join(tmp, 'fastapi-root-out');
      const result = build([
        '--context',
        ctx,
        '--base-image',
        baseRef(),
        '--output',
        out,
        '--tag',
        'svc:root',
        '--user',
        'root',
      ]);
      assert.equal(result.plan.user, '0:0');
      const { config } = inspectConfig(out, 'root');
      assert.equal(config.User, '0:0');
      assert.equal(
        config.Env.some((e) => e === 'HOME=/home/nonroot'),
        false,
        `no non-root HOME for root: ${config.Env}`,
      );
      const res = await serveOnce(out, 'root', 8000);
      assert.equal(res.status, 200, `status ${res.status}, body ${res.body}\n${res.log}`);
      assert.equal(res.json?.framework, 'fastapi', res.body);
      assert.equal(res.json.user, 0, res.body);
    });
  });
});
