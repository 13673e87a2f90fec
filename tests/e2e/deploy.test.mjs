// `pycontainer deploy` against a real registry (Debian's docker-registry):
// examples/fastapi-app built, pushed, and its Kubernetes manifests printed.
// The YAML is parsed with the `yaml` package, each object validated against
// the Kubernetes 1.32 JSON schemas (tests/e2e/data, strict: an unknown field
// fails, as kubectl's server-side validation would) and read by kubectl's
// own kustomize. `kubectl apply --dry-run=client` needs an API server, and
// there is none here; --apply is run against an unreachable one, to see
// that kubectl gets the manifests on its stdin and its failure is ours.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';
import { startRegistry } from '../infra/registry.mjs';
import { manifestDigest } from '../infra/seed.mjs';
import {
  baseRef,
  copyExample,
  describeRun,
  ensureWasm,
  makeTempDir,
  ROOT,
  removeDir,
  requireTools,
  runCliAsync,
  runTool,
} from './helpers.mjs';

const SCHEMAS = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'tests', 'e2e', 'data', 'kubernetes-1.32.json'), 'utf8'),
);

let tmp;
let reg;
let fastapi;
let hello;
let env;

before(async () => {
  requireTools('docker-registry', 'skopeo', 'kubectl');
  ensureWasm();
  tmp = makeTempDir('pycontainer-e2e-deploy-');
  fastapi = copyExample(tmp, 'fastapi-app', path.join(ROOT, 'examples', 'fastapi-app'));
  hello = copyExample(tmp);
  // An empty DOCKER_CONFIG: the user's docker logins must not leak in.
  const dockerConfig = path.join(tmp, 'docker-config');
  fs.mkdirSync(dockerConfig);
  env = { DOCKER_CONFIG: dockerConfig };
  reg = await startRegistry();
});

after(async () => {
  await reg?.stop();
  removeDir(tmp);
});

/** `pycontainer deploy` of `ctx` on the Debian base, with one cache for every run. */
function deploy(ctx, args, opts = {}) {
  return runCliAsync(
    [
      'deploy',
      '--context',
      ctx,
      '--base-image',
      baseRef(),
      '--cache-dir',
      path.join(tmp, 'cache'),
      ...args,
    ],
    { env: { ...env, ...opts.env }, timeoutMs: 300_000 },
  );
}

/** A deploy that must succeed; its objects, parsed from stdout. */
async function deployed(ctx, args) {
  const r = await deploy(ctx, args);
  assert.equal(r.code, 0, describeRun(r));
  const docs = YAML.parseAllDocuments(r.stdout);
  for (const doc of docs) assert.deepEqual(doc.errors, [], r.stdout);
  return { run: r, objects: docs.map((d) => d.toJSON()) };
}

/**
 * The schemas made strict, as `kubectl apply` is on the server since 1.27:
 * an object with known properties takes no others.
 */
function strict(node) {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strict(v)]));
  if (out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

// x-kubernetes-* keywords and the int32/int64 formats are annotations to
// these schemas: not checked (strict: false, validateFormats: false).
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: 'k8s', $defs: strict(SCHEMAS.$defs) });
const validators = Object.fromEntries(
  Object.entries(SCHEMAS.kinds).map(([kind, def]) => [
    kind,
    ajv.compile({ $ref: `k8s#/$defs/${def}` }),
  ]),
);

/** The schema's complaints about one object, as text; '' when it is valid. */
function schemaErrors(object) {
  const validate = validators[object.kind];
  assert.ok(validate, `no schema for kind ${object.kind}`);
  return validate(object) ? '' : ajv.errorsText(validate.errors, { separator: '\n' });
}

/** `kubectl kustomize` over the YAML: kubectl's own reader, offline; the objects it read. */
function kustomize(yaml, name) {
  const dir = path.join(tmp, `kustomize-${name}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'app.yaml'), yaml);
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n- app.yaml\n');
  const r = runTool('kubectl', ['kustomize', dir]);
  assert.equal(r.code, 0, `kubectl kustomize: ${r.stderr}`);
  return YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON());
}

function container(object) {
  return object.spec.template.spec.containers[0];
}

describe('deploy of examples/fastapi-app', { concurrency: 1 }, () => {
  let objects;
  let run;
  const ref = () => `${reg.host}/fastapi-app:1`;

  before(async () => {
    ({ objects, run } = await deployed(fastapi, ['-t', ref(), '--replicas', '3', '--public']));
  });

  test('names the image by the digest the registry holds', async () => {
    const digest = await manifestDigest(reg, 'fastapi-app:1');
    const image = `${reg.host}/fastapi-app@${digest}`;
    assert.equal(container(objects[0]).image, image);
    assert.match(run.stderr, new RegExp(`${image}: Deployment/fastapi-app, Service/fastapi-app`));
  });

  test('a Deployment of 3 replicas and a LoadBalancer Service on the detected port', () => {
    assert.deepEqual(
      objects.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`),
      ['apps/v1 Deployment/fastapi-app', 'v1 Service/fastapi-app'],
    );
    const [deployment, service] = objects;
    assert.equal(deployment.spec.replicas, 3);
    assert.equal(service.spec.type, 'LoadBalancer');
    assert.deepEqual(service.spec.ports, [
      { name: 'tcp-8000', port: 8000, targetPort: 'tcp-8000', protocol: 'TCP' },
    ]);
    assert.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
    assert.deepEqual(deployment.spec.template.metadata.labels, deployment.metadata.labels);
    assert.equal(deployment.metadata.labels['app.kubernetes.io/version'], '0.1.0');
  });

  test('probes on the server port, requests, and the non-root user the image has', () => {
    const c = container(objects[0]);
    assert.deepEqual(c.readinessProbe.tcpSocket, { port: 8000 });
    assert.deepEqual(c.livenessProbe.tcpSocket, { port: 8000 });
    assert.deepEqual(c.resources, {
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { memory: '256Mi' },
    });
    const pod = objects[0].spec.template.spec;
    assert.deepEqual(pod.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // The app writes nothing of its image: its root is read-only, /tmp is scratch.
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(c.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
    assert.deepEqual(c.env, [{ name: 'PYCONTAINER_IN_CONTAINER', value: '1' }]);
  });

  test('every object is valid against the Kubernetes 1.32 schemas, and kubectl reads them', () => {
    for (const o of objects) assert.equal(schemaErrors(o), '', `${o.kind}/${o.metadata.name}`);
    const read = kustomize(run.stdout, 'fastapi');
    assert.deepEqual(read.map((o) => o.kind).sort(), ['Deployment', 'Service']);
  });

  test('the schema check fails on a misspelt field and a wrong type', () => {
    const misspelt = structuredClone(objects[0]);
    container(misspelt).readinesProbe = container(misspelt).readinessProbe;
    assert.match(schemaErrors(misspelt), /must NOT have additional properties/);
    const wrong = structuredClone(objects[0]);
    wrong.spec.replicas = '3';
    assert.match(schemaErrors(wrong), /replicas must be integer/);
  });
});

describe('[runtime] in pycontainer.toml and the flags over it', { concurrency: 1 }, () => {
  const ref = () => `${reg.host}/hello:1`;

  before(() => {
    fs.writeFileSync(
      path.join(hello, 'pycontainer.toml'),
      '[runtime]\nshard-spec = { shards = 3, url-shard-pattern = "^/users/([^/]+)" }\nmemory = "64Mi"\n',
    );
  });

  test('shard-spec: a StatefulSet told its shard, and a headless Service', async () => {
    const { objects, run } = await deployed(hello, ['-t', ref(), '--port', '8080']);
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ['StatefulSet/hello-cli', 'Service/hello-cli'],
    );
    const [set, service] = objects;
    assert.equal(set.spec.replicas, 3);
    assert.equal(set.spec.serviceName, service.metadata.name);
    assert.equal(service.spec.clusterIP, 'None');
    const env = Object.fromEntries(container(set).env.map((e) => [e.name, e]));
    assert.equal(
      env.SHARD_INDEX.valueFrom.fieldRef.fieldPath,
      "metadata.labels['apps.kubernetes.io/pod-index']",
    );
    assert.equal(env.SHARD_COUNT.value, '3');
    assert.equal(env.SHARD_URL_PATTERN.value, '^/users/([^/]+)');
    assert.equal(container(set).resources.requests.memory, '64Mi');
    // A command-line program: a port, but no server to probe.
    assert.equal(container(set).readinessProbe, undefined);
    for (const o of objects) assert.equal(schemaErrors(o), '', `${o.kind}/${o.metadata.name}`);
    kustomize(run.stdout, 'shards');
  });

  test('a job flag replaces the file shape whole; --json gives the result', async () => {
    const r = await deploy(hello, [
      '-t',
      ref(),
      '--job-iterations',
      '5',
      '--job-parallelism',
      '2',
      '--json',
    ]);
    assert.equal(r.code, 0, describeRun(r));
    const result = r.json;
    assert.deepEqual(result.manifests, [{ kind: 'Job', name: 'hello-cli' }]);
    assert.equal(result.image, `${reg.host}/hello@${result.build.manifestDigest}`);
    const [job] = YAML.parseAllDocuments(result.yaml).map((d) => d.toJSON());
    assert.equal(job.spec.completions, 5);
    assert.equal(job.spec.parallelism, 2);
    assert.equal(job.spec.template.spec.restartPolicy, 'OnFailure');
    assert.equal(
      container(job).resources.requests.memory,
      '64Mi',
      'the file still speaks for memory',
    );
    assert.equal(schemaErrors(job), '');
  });

  test('--public on a job, or on an image with no port, is refused before any push', async () => {
    const before = reg.accessLog().length;
    const job = await deploy(hello, ['-t', ref(), '--job-iterations', '2', '--public']);
    assert.equal(job.code, 1, describeRun(job));
    assert.match(job.stderr, /`public` does not apply to a job/);
    fs.writeFileSync(path.join(hello, 'pycontainer.toml'), '[runtime]\npublic = true\n');
    const cli = await deploy(hello, ['-t', ref()]);
    assert.equal(cli.code, 1, describeRun(cli));
    assert.match(cli.stderr, /the image serves no port/);
    assert.equal(reg.accessLog().length, before, 'nothing reached the registry');
  });

  test('executor = "docker" in [runtime] points at `pycontainer run`', async () => {
    fs.writeFileSync(path.join(hello, 'pycontainer.toml'), '[runtime]\nexecutor = "docker"\n');
    const r = await deploy(hello, ['-t', ref()]);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(
      r.stderr,
      /pycontainer\.toml \[runtime\]: `executor`: is "docker".*pycontainer run/,
    );
  });
});

describe('--apply', { concurrency: 1 }, () => {
  test('without kubectl on PATH: a clear error, before any build', async () => {
    const empty = path.join(tmp, 'empty-path');
    fs.mkdirSync(empty, { recursive: true });
    const before = reg.accessLog().length;
    const r = await deploy(hello, ['-t', `${reg.host}/hello:2`, '--apply'], {
      env: { PATH: empty },
    });
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, /--apply runs `kubectl apply -f -`, and there is no kubectl on PATH/);
    assert.equal(reg.accessLog().length, before, 'nothing was pushed');
  });

  test('kubectl gets the manifests on stdin, and its failure is the exit status', async () => {
    fs.writeFileSync(path.join(hello, 'pycontainer.toml'), '');
    // A cluster that is not there: port 1 of this machine refuses at once.
    const kubeconfig = path.join(tmp, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: none\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: none\n  context: {cluster: none, user: none}\nusers:\n- name: none\n  user: {token: none}\ncurrent-context: none\n',
    );
    const r = await deploy(hello, ['-t', `${reg.host}/hello:3`, '--apply'], {
      env: { KUBECONFIG: kubeconfig },
    });
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(r.stdout, '', 'the YAML went to kubectl, not to stdout');
    assert.match(r.stderr, /"STDIN".*127\.0\.0\.1:1/s);
  });
});
