// Tests registry credential lookup (npm/lib/credentials.js) the way a user's
// machine has it: real config.json files in temp DOCKER_CONFIG dirs and real
// executable docker-credential-* scripts found on the PATH passed in `env`.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

const require = createRequire(import.meta.url);
const { createCredentials } = require('../../npm/lib/credentials.js');

let root;
let bin;
let helperLog;
let count = 0;

const b64 = (text) => Buffer.from(text).toString('base64');

/** A DOCKER_CONFIG dir holding `config` (an object, or raw text), with the fake helpers on PATH. */
function dockerEnv(config, extra = {}) {
  const dir = path.join(root, `config-${++count}`);
  fs.mkdirSync(dir);
  if (config !== undefined) {
    const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
    fs.writeFileSync(path.join(dir, 'config.json'), text);
  }
  return {
    dir,
    file: path.join(dir, 'config.json'),
    env: { PATH: `${bin}${path.delimiter}${process.env.PATH}`, DOCKER_CONFIG: dir, ...extra },
  };
}

function lookup(config, registry, extra = {}, options = {}) {
  const { env } = dockerEnv(config, extra);
  return createCredentials({ env, homedir: path.join(root, 'no-home'), ...options })(registry);
}

function writeHelper(name, script) {
  const file = path.join(bin, `docker-credential-${name}`);
  fs.writeFileSync(file, `#!/bin/sh\n${script}`);
  fs.chmodSync(file, 0o755);
}

const helperCalls = () =>
  fs.existsSync(helperLog) ? fs.readFileSync(helperLog, 'utf8').trim().split('\n') : [];

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-creds-'));
  bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  helperLog = path.join(root, 'helper.log');
  // Knows ghcr.io (user + password) and Docker Hub (an identity token); else "not found",
  // on stdout and with exit status 1, as docker-credential-helpers report it.
  writeHelper(
    'fake',
    `read server
echo "fake $1 $server" >> '${helperLog}'
case "$server" in
  ghcr.io) echo '{"ServerURL":"ghcr.io","Username":"helper-user","Secret":"helper-pass"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"https://index.docker.io/v1/","Username":"<token>","Secret":"hub-refresh-token"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
  );
  writeHelper(
    'broken',
    `echo '{"Username":"leaked-user","Secret":"LEAKED-SECRET"}'
echo "  keychain is locked  " >&2
exit 3
`,
  );
});

after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('Docker config: auths', () => {
  test('base64 auth, split on the first colon', async () => {
    const config = { auths: { '127.0.0.1:5000': { auth: b64('alice:pa:ss:word') } } };
    assert.deepEqual(await lookup(config, '127.0.0.1:5000'), {
      username: 'alice',
      password: 'pa:ss:word',
    });
  });

  test('username and password fields', async () => {
    const config = { auths: { 'registry.example.com': { username: 'bob', password: 'pw' } } };
    assert.deepEqual(await lookup(config, 'registry.example.com'), {
      username: 'bob',
      password: 'pw',
    });
  });

  test('identitytoken wins over a placeholder auth', async () => {
    const config = {
      auths: {
        'myreg.azurecr.io': {
          auth: b64('00000000-0000-0000-0000-000000000000:'),
          identitytoken: 'refresh-token',
        },
      },
    };
    assert.deepEqual(await lookup(config, 'myreg.azurecr.io'), { identityToken: 'refresh-token' });
  });

  test('Docker Hub: docker.io finds the https://index.docker.io/v1/ key', async () => {
    const config = {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') },
        'ghcr.io': { auth: b64('other:other') },
      },
    };
    assert.deepEqual(await lookup(config, 'docker.io'), {
      username: 'hubuser',
      password: 'hubpass',
    });
  });

  test('Docker Hub: index.docker.io and docker.io keys are accepted too', async () => {
    const keys = ['index.docker.io', 'docker.io', 'https://index.docker.io/v2/'];
    for (const [i, key] of keys.entries()) {
      const config = { auths: { [key]: { auth: b64(`user${i}:p`) } } };
      assert.deepEqual(await lookup(config, 'docker.io'), { username: `user${i}`, password: 'p' });
    }
  });

  test('a key with a scheme and a path matches the host', async () => {
    const config = { auths: { 'https://ghcr.io/v1/': { auth: b64('gh:token') } } };
    assert.deepEqual(await lookup(config, 'ghcr.io'), { username: 'gh', password: 'token' });
    const withPort = { auths: { 'http://localhost:5000/v2/': { auth: b64('l:p') } } };
    assert.deepEqual(await lookup(withPort, 'localhost:5000'), { username: 'l', password: 'p' });
  });

  test('the port is part of the name; Docker Hub keys do not match other registries', async () => {
    const config = {
      auths: {
        'localhost:5000': { auth: b64('l:p') },
        'https://index.docker.io/v1/': { auth: b64('hub:p') },
      },
    };
    assert.equal(await lookup(config, 'localhost:5001'), null);
    assert.equal(await lookup(config, 'localhost'), null);
    assert.equal(await lookup(config, 'ghcr.io'), null);
  });

  test('an empty entry or an unknown registry: null', async () => {
    assert.equal(await lookup({ auths: { 'ghcr.io': {} } }, 'ghcr.io'), null);
    assert.equal(await lookup({}, 'ghcr.io'), null);
  });

  test('a missing config.json: null', async () => {
    assert.equal(await lookup(undefined, 'ghcr.io'), null);
  });

  test('without DOCKER_CONFIG: ~/.docker/config.json', async () => {
    const home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.docker'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'ghcr.io': { auth: b64('homeuser:homepass') } } }),
    );
    const creds = createCredentials({ env: { PATH: process.env.PATH }, homedir: home });
    assert.deepEqual(await creds('ghcr.io'), { username: 'homeuser', password: 'homepass' });
  });

  test('invalid JSON: an error naming the file', async () => {
    const { env, file } = dockerEnv('{"auths": {');
    const creds = createCredentials({ env });
    await assert.rejects(creds('ghcr.io'), (err) => {
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /invalid JSON/);
      return true;
    });
  });

  test('an auth that is not user:password: an error without the value', async () => {
    const { env, file } = dockerEnv({ auths: { 'ghcr.io': { auth: b64('no-colon-secret') } } });
    await assert.rejects(createCredentials({ env })('ghcr.io'), (err) => {
      assert.ok(err.message.includes(file));
      assert.ok(!err.message.includes('no-colon-secret'));
      return true;
    });
  });
});

describe('Docker config: credential helpers', () => {
  test('credHelpers runs docker-credential-<name> get with the server on stdin', async () => {
    fs.rmSync(helperLog, { force: true });
    const config = {
      credHelpers: { 'ghcr.io': 'fake' },
      auths: { 'ghcr.io': { auth: b64('file:file') } },
    };
    assert.deepEqual(await lookup(config, 'ghcr.io'), {
      username: 'helper-user',
      password: 'helper-pass',
    });
    assert.deepEqual(helperCalls(), ['fake get ghcr.io']);
  });

  test('credHelpers for Docker Hub: <token> means an identity token', async () => {
    fs.rmSync(helperLog, { force: true });
    const config = { credHelpers: { 'https://index.docker.io/v1/': 'fake' } };
    assert.deepEqual(await lookup(config, 'docker.io'), { identityToken: 'hub-refresh-token' });
    assert.deepEqual(helperCalls(), ['fake get https://index.docker.io/v1/']);
  });

  test('credsStore is used for every registry without a credHelpers entry', async () => {
    const config = { credsStore: 'fake', credHelpers: { 'other.io': 'broken' } };
    assert.deepEqual(await lookup(config, 'ghcr.io'), {
      username: 'helper-user',
      password: 'helper-pass',
    });
    assert.deepEqual(await lookup(config, 'index.docker.io'), {
      identityToken: 'hub-refresh-token',
    });
  });

  test('credsStore says "credentials not found": auths is next', async () => {
    const config = {
      credsStore: 'fake',
      auths: { 'quay.io': { auth: b64('quayuser:quaypass') } },
    };
    assert.deepEqual(await lookup(config, 'quay.io'), {
      username: 'quayuser',
      password: 'quaypass',
    });
    assert.equal(await lookup(config, 'nothing.example'), null);
  });

  test('credHelpers says "credentials not found": auths is next too', async () => {
    const config = {
      credHelpers: { 'quay.io': 'fake' },
      auths: { 'quay.io': { auth: b64('quayuser:quaypass') } },
    };
    assert.deepEqual(await lookup(config, 'quay.io'), {
      username: 'quayuser',
      password: 'quaypass',
    });
  });

  test('a missing helper: an error naming it and the config file', async () => {
    for (const [config, source] of [
      [{ credHelpers: { 'ghcr.io': 'nosuch' } }, 'credHelpers'],
      [{ credsStore: 'nosuch' }, 'credsStore'],
    ]) {
      const { env, file } = dockerEnv(config);
      await assert.rejects(createCredentials({ env })('ghcr.io'), (err) => {
        assert.equal(
          err.message,
          `docker-credential-nosuch not found on PATH (named by ${source} in ${file})`,
        );
        return true;
      });
    }
  });

  test('a failing helper: its stderr, trimmed, never its stdout', async () => {
    const { env, file } = dockerEnv({ credHelpers: { 'ghcr.io': 'broken' } });
    await assert.rejects(createCredentials({ env })('ghcr.io'), (err) => {
      assert.match(err.message, /docker-credential-broken get failed for ghcr\.io/);
      assert.ok(err.message.includes(file));
      assert.ok(err.message.endsWith(': keychain is locked'), err.message);
      assert.ok(!err.message.includes('LEAKED'));
      assert.ok(!err.message.includes('leaked-user'));
      return true;
    });
  });

  test('an injected run() is used instead of exec', async () => {
    const calls = [];
    const { env } = dockerEnv({ credsStore: 'desktop' });
    const run = (cmd, args, input) => {
      calls.push([cmd, args, input]);
      return JSON.stringify({ ServerURL: input, Username: 'u', Secret: 's' });
    };
    const creds = createCredentials({ env, run });
    assert.deepEqual(await creds('127.0.0.1:5000'), { username: 'u', password: 's' });
    assert.deepEqual(calls, [['docker-credential-desktop', ['get'], '127.0.0.1:5000']]);
  });

  test('results are cached per registry', async () => {
    const calls = [];
    const { env } = dockerEnv({ credsStore: 'desktop' });
    const run = (_cmd, _args, input) => {
      calls.push(input);
      return JSON.stringify({ Username: 'u', Secret: 's' });
    };
    const creds = createCredentials({ env, run });
    await creds('ghcr.io');
    await creds('ghcr.io');
    await Promise.all([creds('docker.io'), creds('docker.io'), creds('index.docker.io')]);
    assert.deepEqual(calls, ['ghcr.io', 'https://index.docker.io/v1/']);
  });
});

describe('explicit credentials (--username, --password-stdin)', () => {
  const config = { auths: { 'ghcr.io': { auth: b64('file:file') } } };

  test('apply where the core says they do, before anything else', async () => {
    const explicit = { username: 'cli', password: 'clipw' };
    const { env } = dockerEnv(config, {
      PYCONTAINER_REGISTRY_USERNAME: 'envuser',
      PYCONTAINER_REGISTRY_PASSWORD: 'envpw',
    });
    const creds = createCredentials({ explicit, env });
    assert.deepEqual(await creds('ghcr.io', true), { username: 'cli', password: 'clipw' });
    assert.deepEqual(await creds('docker.io', true), { username: 'cli', password: 'clipw' });
    assert.deepEqual(await creds('docker.io'), { username: 'cli', password: 'clipw' }, 'default');
  });

  test('where the core says they do not, the lookup falls through', async () => {
    const explicit = { username: 'cli', password: 'clipw' };
    const { env } = dockerEnv(config);
    const creds = createCredentials({ explicit, env });
    assert.deepEqual(await creds('127.0.0.1:5000', true), { username: 'cli', password: 'clipw' });
    assert.deepEqual(await creds('ghcr.io', false), { username: 'file', password: 'file' });
    assert.equal(await creds('quay.io', false), null);
    // The same registry asked both ways gets both answers: they are cached apart.
    assert.deepEqual(await creds('ghcr.io', true), { username: 'cli', password: 'clipw' });
  });
});

describe('environment variables', () => {
  const config = { auths: { 'ghcr.io': { auth: b64('file:file') } } };
  const vars = { PYCONTAINER_REGISTRY_USERNAME: 'ci', PYCONTAINER_REGISTRY_PASSWORD: 'cipw' };

  test('apply to every registry, before Docker config', async () => {
    assert.deepEqual(await lookup(config, 'ghcr.io', vars), { username: 'ci', password: 'cipw' });
  });

  test('PYCONTAINER_REGISTRY scopes them to one registry', async () => {
    const { env } = dockerEnv(config, { ...vars, PYCONTAINER_REGISTRY: '127.0.0.1:5000' });
    const creds = createCredentials({ env });
    assert.deepEqual(await creds('127.0.0.1:5000'), { username: 'ci', password: 'cipw' });
    assert.deepEqual(await creds('ghcr.io'), { username: 'file', password: 'file' });
  });

  test('PYCONTAINER_REGISTRY may name Docker Hub by any alias or URL', async () => {
    const scoped = { ...vars, PYCONTAINER_REGISTRY: 'https://index.docker.io/v1/' };
    assert.deepEqual(await lookup({}, 'docker.io', scoped), { username: 'ci', password: 'cipw' });
  });

  test('only the username: an error naming the missing variable', async () => {
    const { env } = dockerEnv(config, { PYCONTAINER_REGISTRY_USERNAME: 'ci' });
    await assert.rejects(createCredentials({ env })('ghcr.io'), /PYCONTAINER_REGISTRY_PASSWORD/);
  });

  test('only the password: an error naming the missing variable, not the value', async () => {
    const { env } = dockerEnv(config, { PYCONTAINER_REGISTRY_PASSWORD: 'cipw-secret' });
    await assert.rejects(createCredentials({ env })('ghcr.io'), (err) => {
      assert.match(err.message, /PYCONTAINER_REGISTRY_USERNAME is not/);
      assert.ok(!err.message.includes('cipw-secret'));
      return true;
    });
  });
});
