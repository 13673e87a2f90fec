'use strict';

// What a command prints on stdout when it is done: the build summary, where a
// push went, the validate report, and the JSON of --json.

const path = require('node:path');
const { displayPath, formatBytes, paint, shellWord } = require('../format.js');

/** The JSON that --json prints: the core's result is plain JSON already. */
function toJson(value) {
  return JSON.stringify(value, null, 2);
}

/** Where a push went, and what it moved. */
function pushLines(result, color) {
  const pushed = Array.isArray(result.pushed) ? result.pushed : [];
  const s = result.pushStats;
  const lines = pushed.map((p) => `${paint('pushed', 'green', color)} ${p.reference}`);
  if (s) {
    lines.push(
      `  blobs:    ${s.uploaded} uploaded (${formatBytes(s.bytesUploaded)}), ${s.mounted} mounted, ${s.existing} already there`,
    );
  }
  // `push` carries the SBOMs a layout lists for the image (a build's are in its own summary).
  const referrers = Array.isArray(result.referrers) ? result.referrers.length : 0;
  if (referrers > 0) lines.push(`  sboms:    ${referrers} attached as referrers`);
  return lines;
}

/** What went into the venv layer: a count, and with `verbose` every package. */
function dependencyLines(result, verbose) {
  const deps = result.plan?.dependencies;
  if (deps === null || typeof deps !== 'object' || !Array.isArray(deps.packages)) return [];
  const packages = Array.isArray(deps.packages) ? deps.packages : [];
  const count = `${packages.length} package${packages.length === 1 ? '' : 's'}`;
  const lines = [`  dependencies: ${count} for ${deps.target} in ${deps.venv}`];
  // A wheel built from an sdist says so: it was not published by the project.
  const file = (p) => (p.sdist ? `${p.wheel}, built from ${p.sdist}` : p.wheel);
  if (verbose) lines.push(...packages.map((p) => `    ${p.name}==${p.version} (${file(p)})`));
  return lines;
}

/**
 * The image's platform and layers; for an index, each platform's image, its
 * size and its dependencies (which differ by platform).
 */
function imageLines(result, verbose) {
  const platforms = Array.isArray(result.platforms) ? result.platforms : [];
  if (platforms.length === 0) {
    const layers = Array.isArray(result.layers) ? result.layers : [];
    return [
      `  platform: ${result.plan?.platform}`,
      `  layers:   ${layers.length} (${formatBytes(result.size)})`,
      ...dependencyLines(result, verbose),
    ];
  }
  return [
    `  index of ${platforms.length} images (${formatBytes(result.size)}):`,
    ...platforms.flatMap((p) => [
      `  ${p.platform}: ${p.manifestDigest} (${formatBytes(p.size)})`,
      ...dependencyLines({ plan: { dependencies: p.dependencies } }, verbose).map((l) => `  ${l}`),
    ]),
  ];
}

function printBuildSummary(result, { color, verbose }) {
  const tags = Array.isArray(result.tags) ? result.tags : [];
  const lines = [`${paint('built', 'green', color)} ${result.manifestDigest}`];
  if (typeof result.output !== 'string') {
    lines.push(...imageLines(result, verbose), ...pushLines(result, color));
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  const out = displayPath(result.output);
  if (result.format === 'oci-archive' || result.format === 'docker-archive') {
    lines.push(...archiveLines(result, out, tags, layers, verbose, color));
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  lines.push(
    `  layout:   ${out}`,
    `  tags:     ${tags.length > 0 ? tags.join(', ') : '(none)'}`,
    ...imageLines(result, verbose),
    ...pushLines(result, color),
    '',
  );
  const tag = tags[0];
  const ociRef = tag ? `oci:${out}:${tag}` : `oci:${out}`;
  // The familiar form of the full name, as `docker images` shows it.
  const fullName = Array.isArray(result.plan?.tags) ? result.plan.tags[0] : undefined;
  const daemonName = (fullName ?? `${path.basename(result.output)}:latest`).replace(
    /^docker\.io\/(library\/)?/,
    '',
  );
  // A server is reachable only through its published ports.
  const publish = (Array.isArray(result.plan?.ports) ? result.plan.ports : [])
    .map((p) => String(p).match(/^(\d+)\/(tcp|udp)$/))
    .filter(Boolean)
    .map(([, port, proto]) => `-p ${port}:${port}${proto === 'udp' ? '/udp' : ''} `)
    .join('');
  lines.push(
    'run it:',
    `  podman run --rm ${publish}${shellWord(ociRef)}`,
    'or copy it into Docker:',
    `  skopeo copy ${shellWord(ociRef)} ${shellWord(`docker-daemon:${daemonName}`)}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** An archive's summary, and how to load or run it. */
function archiveLines(result, out, tags, layers, verbose, color) {
  const fullName = Array.isArray(result.plan?.tags) ? result.plan.tags[0] : undefined;
  const lines = [
    `  archive:  ${out} (${result.format})`,
    `  tags:     ${tags.length > 0 ? tags.join(', ') : '(none)'}`,
    `  platform: ${result.plan?.platform}`,
    `  layers:   ${layers.length} (${formatBytes(result.size)})`,
    ...dependencyLines(result, verbose),
    ...pushLines(result, color),
    '',
  ];
  if (result.format === 'docker-archive') {
    lines.push(
      'load it:',
      `  docker load -i ${shellWord(out)}`,
      `  podman load -i ${shellWord(out)}`,
    );
    if (fullName) lines.push('then run it:', `  docker run --rm ${shellWord(fullName)}`);
  } else {
    const ref = tags[0] ? `oci-archive:${out}:${tags[0]}` : `oci-archive:${out}`;
    lines.push('run it:', `  podman run --rm ${shellWord(ref)}`);
  }
  return lines;
}

/** The report `validate` prints: the verdict, what was checked, and every problem. */
function validateLines(report, layout) {
  const problems = Array.isArray(report.problems) ? report.problems : [];
  const name = report.tag ? `${layout}:${report.tag}` : layout;
  const lines = [
    `${report.ok ? 'valid' : 'INVALID'}: ${name}`,
    `  manifest: ${report.manifestDigest}`,
    `  layers:   ${report.layers}`,
  ];
  if (problems.length > 0) {
    lines.push(`  problems (${problems.length}):`, ...problems.map((p) => `    - ${p}`));
  }
  return lines;
}

module.exports = { printBuildSummary, pushLines, toJson, validateLines };
