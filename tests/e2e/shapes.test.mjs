// Projects of the shapes real ones have, built with no flags and run as the
// image's default non-root user (umoci unpack + runc): what a careful
// Dockerfile would give, pycontainer must give too.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  baseRef,
  build,
  describeRun,
  makeTempDir,
  portInUse,
  ROOT,
  removeDir,
  requireRoot,
  requireTools,
  runCli,
  runInImage,
  startInImage,
  stopInImage,
  waitForHttp,
  waitPortFree,
} from './helpers.mjs';

const NONROOT = 65532;

let tmp;

before(() => {
  requireTools('umoci', 'runc');
  requireRoot();
  tmp = makeTempDir('pycontainer-e2e-shapes-');
});

after(() => removeDir(tmp));

/** `build --dry-run` of CTX on scratch, with ARGS. */
function dryRun(ctx, ...args) {
  return runCli(['build', '--context', ctx, '--base-image', 'scratch', '--dry-run', ...args]);
}

/**
 * Writes `files` ({relative path: text}) under a new directory in tmp,
 * after the files of `example` named in `from` (its locked dependencies).
 */
function project(name, files, { example, from = [] } = {}) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of from) fs.copyFileSync(path.join(ROOT, 'examples', example, f), path.join(dir, f));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('build outputs are left out only at the top of the context', () => {
  test('a nested build/ directory ships and is read at run time', () => {
    const ctx = project('mailer', {
      'pyproject.toml': [
        '[project]',
        'name = "mailer"',
        'version = "1.0"',
        'requires-python = ">=3.11"',
        '[project.scripts]',
        'mailer = "mailer.cli:main"',
        '',
      ].join('\n'),
      'mailer/__init__.py': '',
      'mailer/cli.py': [
        'from pathlib import Path',
        '',
        'def main():',
        '    page = Path(__file__).parent / "email-templates" / "build" / "welcome.html"',
        '    print(page.read_text().strip())',
        '',
      ].join('\n'),
      'mailer/email-templates/src/welcome.mjml': '<mjml>welcome</mjml>\n',
      'mailer/email-templates/build/welcome.html': '<p>Welcome aboard</p>\n',
      'dist/mailer-1.0.tar.gz': 'not shipped\n',
    });
    const out = path.join(tmp, 'mailer-out');
    const result = build(['--context', ctx, '--base-image', baseRef(), '--output', out]);
    assert.deepEqual(
      result.plan.excluded.map((e) => [e.path, e.reason]),
      [['dist', 'build output']],
    );
    const r = runInImage(out, 'latest');
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout.trim(), '<p>Welcome aboard</p>');
  });

  test('a top-level build/ the code names is listed in --dry-run, and warned about', () => {
    const ctx = project('spa', {
      'main.py': [
        'from pathlib import Path',
        'ROOT = Path(__file__).parent / "build"',
        'print((ROOT / "index.html").read_text())',
        '',
      ].join('\n'),
      'build/index.html': '<html></html>\n',
      '__pycache__/main.cpython-311.pyc': '',
    });
    const r = dryRun(ctx);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /^\s+- __pycache__ {2}\(bytecode cache\)$/m, r.stdout);
    assert.match(r.stdout, /^\s+- build {2}\(build output, named in main\.py\)$/m, r.stdout);
    assert.doesNotMatch(r.stdout, /--verbose lists them/);
    assert.match(
      r.stderr,
      /build\/ is left out \(build output\), but main\.py names it; --include build ships it/,
    );
    const json = dryRun(ctx, '--json');
    assert.equal(json.code, 0, describeRun(json));
    assert.deepEqual(
      json.json.plan.warnings.map((w) => w.code),
      ['excluded-referenced'],
    );
    const shipped = dryRun(ctx, '--json', '--include', 'build');
    assert.deepEqual(shipped.json.plan.warnings, []);
  });
});

/**
 * Serves LAYOUT:latest on PORT as the image's user, GETs / twice and
 * returns the second answer, parsed; the container is always stopped.
 */
async function serveTwice(layout, port) {
  assert.equal(await portInUse(port), false, `something already listens on ${port}`);
  const container = startInImage(layout, 'latest');
  try {
    await waitForHttp(port, { container, timeoutMs: 60_000 });
    const res = await waitForHttp(port, { container, timeoutMs: 10_000 });
    assert.equal(res.status, 200, `status ${res.status}: ${res.body}\n${container.log()}`);
    return JSON.parse(res.body);
  } finally {
    stopInImage(container);
    await waitPortFree(port);
  }
}

// Probes the code directory from inside the app: it must stay read-only.
const CODE_READ_ONLY = [
  'def code_read_only(path):',
  '    try:',
  '        open(path, "a").close()',
  '    except PermissionError:',
  '        return True',
  '    return False',
  '',
].join('\n');

describe('apps that write next to their code run as the non-root user', { concurrency: 1 }, () => {
  test("Flask's instance folder, created at start-up", async () => {
    const port = 18461;
    const ctx = project(
      'flask-instance',
      {
        'notes/__init__.py': [
          'import os',
          'from flask import Flask',
          '',
          CODE_READ_ONLY,
          'def create_app():',
          '    app = Flask(__name__, instance_relative_config=True)',
          '    os.makedirs(app.instance_path, exist_ok=True)',
          '',
          '    @app.get("/")',
          '    def index():',
          '        log = os.path.join(app.instance_path, "visits.log")',
          '        with open(log, "a") as f:',
          '            f.write("visit\\n")',
          '        with open(log) as f:',
          '            visits = len(f.readlines())',
          '        return {"visits": visits, "uid": os.getuid(), "instance": app.instance_path,',
          '                "codeReadOnly": code_read_only(__file__)}',
          '',
          '    return app',
          '',
        ].join('\n'),
      },
      { example: 'flask-app', from: ['pyproject.toml', 'pylock.toml'] },
    );
    const out = path.join(tmp, 'flask-instance-out');
    const result = build([
      '--context',
      ctx,
      '--base-image',
      baseRef(),
      '--output',
      out,
      '--port',
      String(port),
    ]);
    assert.deepEqual(result.plan.writable, [
      {
        path: '/app/instance',
        rule: "Flask's instance folder, used in notes/__init__.py",
        scope: 'tree',
      },
    ]);
    assert.deepEqual(result.plan.warnings, []);
    const answer = await serveTwice(out, port);
    assert.deepEqual(answer, {
      visits: 2,
      uid: NONROOT,
      instance: '/app/instance',
      codeReadOnly: true,
    });
  });

  test('a Django project: SQLite beside manage.py, collectstatic into STATIC_ROOT, uploads into MEDIA_ROOT', async () => {
    const port = 18462;
    const ctx = project(
      'django-sqlite',
      {
        'mysite/__init__.py': '',
        'mysite/settings.py': [
          'from pathlib import Path',
          '',
          'BASE_DIR = Path(__file__).resolve().parent.parent',
          'SECRET_KEY = "tests-only-not-secret"',
          'DEBUG = False',
          'ALLOWED_HOSTS = ["*"]',
          'INSTALLED_APPS = [',
          '    "django.contrib.contenttypes",',
          '    "django.contrib.auth",',
          '    "django.contrib.staticfiles",',
          '    "hello",',
          ']',
          'MIDDLEWARE = []',
          'ROOT_URLCONF = "mysite.urls"',
          'DATABASES = {',
          '    "default": {',
          '        "ENGINE": "django.db.backends.sqlite3",',
          '        "NAME": BASE_DIR / "db.sqlite3",',
          '    }',
          '}',
          'STATIC_URL = "static/"',
          'STATIC_ROOT = BASE_DIR / "staticfiles"',
          'MEDIA_ROOT = BASE_DIR / "media"',
          'USE_TZ = True',
          '',
        ].join('\n'),
        'mysite/urls.py':
          'from django.urls import path\n\nfrom hello.views import index\n\nurlpatterns = [path("", index)]\n',
        'mysite/wsgi.py': [
          'import os',
          '',
          'from django.core.wsgi import get_wsgi_application',
          '',
          'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")',
          'application = get_wsgi_application()',
          '',
          '# What a deployment runs at start-up.',
          'from django.core.management import call_command  # noqa: E402',
          '',
          'call_command("migrate", interactive=False, verbosity=0)',
          'call_command("collectstatic", interactive=False, verbosity=0)',
          '',
        ].join('\n'),
        'hello/__init__.py': '',
        'hello/static/hello/site.css': 'body { margin: 0 }\n',
        'hello/views.py': [
          'import os',
          '',
          'from django.conf import settings',
          'from django.contrib.auth.models import User',
          'from django.http import JsonResponse',
          '',
          CODE_READ_ONLY,
          'def index(request):',
          '    User.objects.create(username=f"visitor{User.objects.count()}")',
          '    upload = settings.MEDIA_ROOT / "upload.txt"',
          '    upload.write_text("uploaded")',
          '    return JsonResponse({',
          '        "users": User.objects.count(),',
          '        "static": (settings.STATIC_ROOT / "hello" / "site.css").read_text().strip(),',
          '        "media": upload.read_text(),',
          '        "uid": os.getuid(),',
          '        "codeReadOnly": code_read_only(__file__),',
          '    })',
          '',
        ].join('\n'),
      },
      { example: 'django-app', from: ['pyproject.toml', 'pylock.toml', 'manage.py'] },
    );
    const out = path.join(tmp, 'django-sqlite-out');
    const result = build([
      '--context',
      ctx,
      '--base-image',
      baseRef(),
      '--output',
      out,
      '--port',
      String(port),
    ]);
    assert.deepEqual(
      result.plan.writable.map((d) => [d.path, d.scope]),
      [
        ['/app/staticfiles', 'tree'],
        ['/app/media', 'tree'],
        ['/app', 'directory'],
        ['/app/db.sqlite3', 'file'],
      ],
    );
    const answer = await serveTwice(out, port);
    assert.deepEqual(answer, {
      users: 2,
      static: 'body { margin: 0 }',
      media: 'uploaded',
      uid: NONROOT,
      codeReadOnly: true,
    });
  });

  test('--user root needs nothing handed over; a named user is warned about', () => {
    const ctx = project('writes-owner', {
      'main.py': 'print("hi")\n',
    });
    const root = dryRun(ctx, '--json', '--writable', 'data', '--user', 'root');
    assert.equal(root.code, 0, describeRun(root));
    assert.deepEqual(root.json.plan.warnings, []);
    const named = dryRun(ctx, '--writable', 'data', '--user', 'app');
    assert.equal(named.code, 0, describeRun(named));
    assert.match(named.stderr, /the user "app" is a name, not a uid/);
    assert.match(named.stdout, /writable: +\/app\/data {2}\(set explicitly \(--writable\)\)/);
    const bad = dryRun(ctx, '--writable', '/usr/lib');
    assert.equal(bad.code, 2, describeRun(bad)); // a flag value refused: a usage error
    assert.match(bad.stderr, /--writable.*"\/usr\/lib" is a system directory/);
  });
});

describe('smaller things seen on real projects', () => {
  test('an unknown registry host is reported as a DNS failure, with no TLS hint', () => {
    const ctx = project('dns', { 'main.py': 'print("hi")\n' });
    const r = runCli([
      'build',
      '--context',
      ctx,
      '--base-image',
      'registry.invalid/python:3.11',
      '--output',
      path.join(tmp, 'dns-out'),
    ]);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, /registry\.invalid.*does not resolve \(DNS\)/);
    assert.doesNotMatch(r.stderr, /insecure-registry/);
  });

  test('an empty description gives no label', () => {
    const ctx = project('no-description', {
      'pyproject.toml': '[project]\nname = "quiet"\nversion = "1"\ndescription = ""\n',
      'main.py': 'print("hi")\n',
    });
    const r = dryRun(ctx, '--json');
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.json.plan.labels['org.opencontainers.image.title'], 'quiet');
    assert.equal('org.opencontainers.image.description' in r.json.plan.labels, false);
  });

  test("Flask without a production server is warned about: it would run on Flask's development server", () => {
    const ctx = project('flask-dev', {
      'pyproject.toml': '[project]\nname = "tiny"\nversion = "1"\ndependencies = ["flask"]\n',
      'app.py': 'from flask import Flask\n\napp = Flask(__name__)\n',
    });
    const r = dryRun(ctx, '--no-deps', '--json');
    assert.equal(r.code, 0, describeRun(r));
    assert.deepEqual(
      r.json.plan.warnings.map((w) => w.code),
      ['dev-server'],
    );
    assert.match(
      r.stderr,
      /Flask app app\.py will run on Flask's development server \(flask --app app:app run/,
    );
    assert.match(r.stderr, /add gunicorn/);
  });

  test('the printed podman run publishes the server port', () => {
    const ctx = project('svc-ports', {
      'main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n',
    });
    const out = path.join(tmp, 'svc-ports-out');
    const r = runCli([
      'build',
      '--context',
      ctx,
      '--base-image',
      'scratch',
      '--output',
      out,
      '--no-deps',
      '-p',
      '8000',
      '-p',
      '53/udp',
    ]);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /podman run --rm -p 8000:8000 -p 53:53\/udp oci:/);
  });
});
