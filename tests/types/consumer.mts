// Type-checks the package as an ESM consumer (a VS Code extension) would use it.
import {
  type BuildOptions,
  type BuildResult,
  build,
  createNodeHost,
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
  host: createNodeHost({ threads: false, onProgress: (e) => console.log(e.type) }),
};

export async function run(): Promise<string> {
  const result: BuildResult = await build(options);
  const report = await validate({ layout: result.output });
  return `${version()} ${result.plan.entrypoint.rule} ${report.ok}`;
}
