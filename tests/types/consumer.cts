// Type-checks the package as a CommonJS consumer would use it.
import pycontainer = require('pycontainer');

export async function run(): Promise<boolean> {
  const result = await pycontainer.build({ context: '.', baseImage: 'scratch', dryRun: true });
  const pushed = await pycontainer.push({ layout: 'out', references: 'ghcr.io/org/app:1' });
  return result.dryRun && result.plan.files.count >= 0 && pushed.pushed.length > 0;
}

export async function planned(): Promise<string> {
  const p = await pycontainer.plan({ context: '.', baseImage: 'scratch' });
  return p.entrypoint.rule;
}
