// Secrets stay out of the image by default: files whose only purpose is
// credentials are left out and named in the plan, keys are told from
// certificates by their content, an explicit include brings one back with a
// warning, and a file its owner kept private stays private in the image.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  describeRun,
  makeTempDir,
  readImage,
  readLayerTar,
  removeDir,
  runCli,
} from './helpers.mjs';

let tmp;
before(() => {
  tmp = makeTempDir('pycontainer-e2e-secrets-');
});
after(() => removeDir(tmp));

const FILES = {
  'main.py': 'print("hi")\n',
  id_rsa: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
  'deploy/.aws/credentials': '[default]\naws_secret_access_key = AKIAEXAMPLE\n',
  'deploy/.kube/config': 'apiVersion: v1\n',
  'tls/server.pem': '-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n',
  'tls/ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  '.npmrc': '//registry.npmjs.org/:_authToken=npm_TOKEN\n',
  '.netrc': 'machine example.com login me password hunter2\n',
  'infra/terraform.tfstate': '{"resources": []}\n',
  '.python_history': 'import os\n',
  'ci/.docker/config.json': '{"auths": {}}\n',
  'settings/private.toml': 'token = "x"\n',
};

/** The project in a new directory; `settings/private.toml` is 0600. */
function project(name) {
  const dir = path.join(tmp, name);
  for (const [rel, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  fs.chmodSync(path.join(dir, 'settings/private.toml'), 0o600);
  return dir;
}

/** Builds CTX on scratch into OUT; returns {result, entries} of its layer. */
function buildScratch(ctx, out, args = []) {
  const r = runCli([
    'build',
    '--context',
    ctx,
    '--base-image',
    'scratch',
    '--output',
    out,
    '--json',
    ...args,
  ]);
  assert.equal(r.code, 0, describeRun(r));
  const layer = readImage(out, 'latest').manifest.layers.at(-1);
  return { r, result: r.json, entries: readLayerTar(out, layer.digest).entries };
}

describe('credentials stay out of the image by default', () => {
  test('each is left out and named with its reason; certificates and code ship', () => {
    const { result, entries } = buildScratch(project('default'), path.join(tmp, 'default-out'));
    const why = Object.fromEntries(result.plan.excluded.map((e) => [e.path, e.reason]));
    assert.deepEqual(why, {
      '.netrc': 'credentials (registry or login tokens)',
      '.npmrc': 'credentials (registry or login tokens)',
      '.python_history': 'credentials (a shell or REPL history)',
      'ci/.docker/config.json': 'credentials (registry or login tokens)',
      'deploy/.aws': 'credentials (a login directory)',
      'deploy/.kube': 'credentials (a login directory)',
      id_rsa: 'credentials (an SSH key)',
      'infra/terraform.tfstate': 'credentials (Terraform state)',
      'tls/server.pem': 'credentials (a private key)',
    });
    const paths = entries.map((e) => e.path);
    assert.ok(paths.includes('app/tls/ca.pem'), 'a certificate is no secret');
    assert.ok(paths.includes('app/main.py'));
    // settings/private.toml is 0600: it stays so, and the plan says the user cannot read it.
    assert.deepEqual(
      result.plan.warnings.map((w) => w.code),
      ['private-files'],
    );
  });

  test('a file kept 0600 in the context is 0600 in the image', () => {
    const { entries } = buildScratch(project('modes'), path.join(tmp, 'modes-out'));
    const mode = (p) => entries.find((e) => e.path === p).mode & 0o777;
    assert.equal(mode('app/settings/private.toml'), 0o600);
    assert.equal(mode('app/main.py'), 0o644);
    const r = runCli([
      'build',
      '--context',
      path.join(tmp, 'modes'),
      '--base-image',
      'scratch',
      '--dry-run',
    ]);
    assert.match(
      r.stderr,
      /\/app\/settings\/private\.toml is private in the context .* chmod go\+r/,
    );
  });

  test('--include brings one back, with a warning', () => {
    const { r, result, entries } = buildScratch(project('include'), path.join(tmp, 'include-out'), [
      '--include',
      '.npmrc',
    ]);
    assert.ok(entries.some((e) => e.path === 'app/.npmrc'));
    assert.deepEqual(
      result.plan.warnings.map((w) => w.code),
      ['credentials-included', 'private-files'],
    );
    assert.match(r.stderr, /\.npmrc goes into the image although it looks like credentials/);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, /npm_TOKEN|hunter2/);
  });
});
