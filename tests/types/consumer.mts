// Type-checks the package as an ESM consumer (a VS Code extension) would use it.
import {
  type BuildOptions,
  type BuildPlan,
  type BuildResult,
  build,
  createNodeHost,
  type DeployResult,
  type DockerfileResult,
  deploy,
  dockerfile,
  type ProgressEvent,
  type PushResult,
  type PycontainerError,
  plan,
  push,
  type TransferEvent,
  validate,
  version,
  type WarningEvent,
} from 'pycontainer';

const options: BuildOptions = {
  context: 'examples/fastapi-app',
  baseImage: 'scratch',
  tags: ['svc:1'],
  env: ['A=1'],
  ports: [8000, '53/udp'],
  dryRun: true,
  signal: AbortSignal.timeout(60_000),
  host: createNodeHost({ threads: false, onProgress: (e) => console.log(e.type) }),
};

export async function run(): Promise<string> {
  const result: BuildResult = await build(options);
  const report = await validate({ layout: result.output ?? 'pycontainer-out' });
  const pushed: PushResult = await push({
    layout: 'pycontainer-out',
    tag: 'latest',
    references: ['127.0.0.1:5000/svc:1'],
    username: 'ci',
    password: 'secret',
    chunkSize: 8 << 20,
    signal: new AbortController().signal,
    onProgress: (e) => {
      if (e.type === 'transfer') console.log(e.digest, e.bytes, e.total);
    },
  });
  return `${version()} ${result.plan.entrypoint.rule} ${report.ok} ${pushed.pushStats.uploaded}`;
}

// plan() returns the plan the build follows, typed from the core's PlanView.
export async function showPlan(): Promise<string> {
  const p: BuildPlan = await plan({ context: '.', baseImage: 'scratch', env: ['A=1'] });
  // @ts-expect-error: a plan is always a dry run; dryRun is not an option of plan()
  await plan({ dryRun: false });
  return `${p.python.rule} ${p.entrypoint.command.join(' ')} ${p.files.count}`;
}

// deploy() always pushes: `push` and `dryRun` are not its options.
export async function ship(): Promise<string> {
  const d: DeployResult = await deploy({
    context: '.',
    tags: ['127.0.0.1:5000/svc:1'],
    runtime: { replicas: 2, public: true, memory: '512Mi' },
  });
  // @ts-expect-error: a deploy cannot be a dry run
  await deploy({ dryRun: true });
  return `${d.image} ${d.manifests.map((m) => m.kind).join(',')} ${d.build.manifestDigest}`;
}

// Progress events are a union on `type`: each narrows to its own fields.
export function describe(e: ProgressEvent): string {
  switch (e.type) {
    case 'phase':
      return e.name;
    case 'blob':
      return `${e.label} ${e.bytes} ${e.digest ?? 'pending'}`;
    case 'transfer': {
      const t: TransferEvent = e;
      return `${t.action} ${t.digest} ${t.bytes}/${t.total}`;
    }
    case 'warning': {
      const w: WarningEvent = e;
      // @ts-expect-error: a warning has no byte count
      w.bytes;
      return `${w.code}: ${w.message}`;
    }
    default: {
      // Every kind is handled above: a new one fails here until it is.
      const never: never = e;
      return never;
    }
  }
}

export const onlyKnownActions = (e: TransferEvent): boolean =>
  // @ts-expect-error: 'upload' is not an action; 'push' is
  e.action === 'upload';

// Errors carry the code, and where known the flag, file and key at fault.
export function pointAt(err: PycontainerError): string {
  const where: string | undefined = err.file ?? err.option ?? err.key;
  return `${err.code} ${err.message} ${where ?? ''}`;
}

// dockerfile() takes a build's options that decide the image, and `file`;
// it resolves to the texts, typed from the core's DockerfileResult.
export async function eject(): Promise<string> {
  const written: DockerfileResult = await dockerfile({
    context: '.',
    baseImage: 'python:3.12-slim',
    file: 'docker/app.Dockerfile',
    indexUrl: 'https://pypi.org/simple',
  });
  // @ts-expect-error: a Dockerfile goes nowhere but its file; there is no output
  await dockerfile({ output: 'out' });
  return `${written.dockerfile.path} ${written.ignoreFile.text} ${written.commands.join('; ')} ${written.plan.entrypoint.rule}`;
}
