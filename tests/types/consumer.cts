// Type-checks the package as a CommonJS consumer would use it.
import pycontainer = require('pycontainer');

export async function run(): Promise<boolean> {
  const result = await pycontainer.build({ context: '.', baseImage: 'scratch', dryRun: true });
  return result.dryRun && result.plan.files.count >= 0;
}
