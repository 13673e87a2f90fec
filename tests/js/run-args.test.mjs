// `pycontainer run`'s command line (npm/lib/cli/run.js) up to the point
// where it would look for an engine: its help, and the usage errors that
// stop it before anything is built or run. The engine side is in
// tests/e2e/run.test.mjs.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'npm', 'bin', 'pycontainer.js');

function run(args, env = {}) {
  const r = spawnSync(process.execPath, ['--', bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('run --help', () => {
  test('lists every run option and says what differs from build', () => {
    const r = run(['run', '--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const flag of [
      '-p, --publish [IP:]HOST:CONTAINER[/tcp|/udp]',
      '-e, --env NAME=VALUE',
      '--env-file FILE',
      '--engine podman|docker',
      '--name NAME',
      '-d, --detach',
      '--rm',
      '-- ARGS...',
      '-h, --help',
    ]) {
      assert.ok(r.stdout.includes(`  ${flag}`), `run --help mentions ${flag}`);
    }
    assert.match(r.stdout, /Build's -p is --port here/);
    assert.match(r.stdout, /PYCONTAINER_IN_CONTAINER=0 to run anyway/);
    assert.match(r.stdout, /PYCONTAINER_ENGINE/);
    assert.equal(run(['help', 'run']).stdout, r.stdout);
    assert.equal(run(['run', '-h']).stdout, r.stdout);
  });

  test('the main help lists run', () => {
    assert.match(run(['--help']).stdout, /pycontainer run \[options\] \[-- ARGS\.\.\.\]/);
  });
});

describe('usage errors stop run before any engine or build', () => {
  const cases = [
    [['-p', '8000'], /'--publish' takes \[IP:\]HOST:CONTAINER\[\/tcp\|\/udp\].*not "8000"/],
    [['-p', '0:8000'], /not "0:8000"/],
    [['-p', '8080:8000/sctp'], /not "8080:8000\/sctp"/],
    [['-p', 'localhost:8080:8000'], /not "localhost:8080:8000"/],
    [['--engine', 'rkt'], /'--engine' takes podman or docker, not "rkt"/],
    [['-e', 'PATH=/x'], /cannot set PATH here: the engine's own CLI reads it/],
    [['-e', 'CONTAINERS_CONF=/x'], /cannot set CONTAINERS_CONF/],
    [['-e', 'A-B=1'], /"A-B" is not a variable name/],
    [['--port'], /--port/],
    [['--output', 'x'], /Unknown option '--output'/],
    [['--sbom', 'spdx'], /Unknown option '--sbom'/],
    [['positional'], /Unexpected argument 'positional'/],
    [['-q', '-v'], /'--quiet' and '--verbose' cannot be used together/],
  ];
  for (const [args, message] of cases) {
    test(args.join(' '), () => {
      // Were the line accepted, this run would go on and say it is inside a container.
      const r = run(['run', ...args], { PYCONTAINER_IN_CONTAINER: '1' });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /see 'pycontainer run --help'/);
      assert.equal(r.stdout, '');
    });
  }

  test('the accepted shapes of --publish and --env get as far as the container check', () => {
    const r = run(
      [
        'run',
        '-p',
        '8080:8000',
        '-p',
        '127.0.0.1:5353:53/udp',
        '--publish',
        '[::1]:8443:443/tcp',
        '-e',
        'A=1',
        '-e',
        '_B',
        '--',
        '--not-ours',
      ],
      { PYCONTAINER_IN_CONTAINER: '1' },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /inside a container \(PYCONTAINER_IN_CONTAINER=1\)/);
  });
});
