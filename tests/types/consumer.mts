// Type-checks the package as an ESM consumer (a VS Code extension) would use it.
import {
  type BuildOptions,
  type BuildResult,
  build,
  createNodeHost,
  type PushResult,
  push,
  validate,
  version,
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
