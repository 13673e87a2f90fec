// The plan (a dry run's `plan`, PlanView in npm/core.d.ts) for people: each
// decision with the rule behind it, the files left out and why, and where
// the dependencies come from.

import { h, nodes, size } from './dom.js';

/** One decision: what was chosen, and the rule (and detail) that chose it. */
function decision(label, value, rule, detail) {
  return [
    h('dt', {}, label),
    h(
      'dd',
      {},
      h('code', {}, value),
      rule ? h('p', { class: 'rule' }, detail ? `${rule} — ${detail}` : rule) : null,
    ),
  ];
}

function pythonText(python) {
  if (python.version) return python.version;
  if (python.major !== undefined) return `${python.major}.${python.minor}`;
  return 'from the base';
}

function dependencies(deps) {
  if (!deps) return h('p', {}, 'None: the project declares no dependencies.');
  const packages = deps.packages ?? [];
  return [
    h('p', {}, `From ${deps.format}${deps.path ? ` (${deps.path})` : ''}: ${deps.rule}`),
    deps.target ? h('p', { class: 'rule' }, `Wheels for ${deps.target}, into ${deps.venv}`) : null,
    deps.bytecode ? h('p', { class: 'rule' }, `Bytecode: ${deps.bytecode}`) : null,
    packages.length > 0
      ? h(
          'ul',
          { class: 'list' },
          packages.map((p) =>
            h(
              'li',
              {},
              h('code', {}, `${p.name} ${p.version}`),
              ` ${p.sdist ? `built from ${p.sdist}` : p.wheel}`,
            ),
          ),
        )
      : null,
  ];
}

/** How many included files to list: a large project is counted, not listed. */
const LISTED = 300;

/**
 * The project's files the plan keeps: every one but those its `excluded`
 * names, directly or as a directory above them. (The plan counts what it
 * keeps; the names come from the page's own copy of the project.)
 */
function includedFiles(paths, excluded) {
  const out = excluded.map((e) => e.path.replace(/\/+$/, ''));
  return paths.filter((p) => !out.some((x) => p === x || p.startsWith(`${x}/`))).sort();
}

function fileList(paths, excluded) {
  const included = includedFiles(paths, excluded);
  const shown = included.slice(0, LISTED);
  const more = included.length - shown.length;
  return h(
    'details',
    {},
    h('summary', {}, 'Files included'),
    h(
      'ul',
      { class: 'list' },
      shown.map((p) => h('li', {}, h('code', {}, p))),
      more > 0 ? h('li', {}, `and ${more} more`) : null,
    ),
  );
}

/**
 * The plan as a section's content; `paths` are the project's files,
 * relative to it.
 */
export function renderPlan(plan, paths) {
  const excluded = plan.excluded ?? [];
  return nodes(
    h(
      'dl',
      { class: 'decisions' },
      decision('Base image', plan.base.image, plan.base.rule),
      decision('Python', pythonText(plan.python), plan.python.rule),
      decision(
        'Entry point',
        plan.entrypoint.command.join(' ') || '(none)',
        plan.entrypoint.rule,
        plan.entrypoint.detail,
      ),
      decision('Platform', plan.platform),
      decision('Tags', plan.tags.join(', ') || '(none)'),
      decision('Working dir, user', `${plan.workdir}, ${plan.user ?? 'the base’s'}`),
    ),
    (plan.warnings ?? []).map((w) =>
      h('p', { class: 'warning', role: 'note' }, `Warning: ${w.message}`),
    ),
    h('h3', {}, 'Files'),
    h(
      'p',
      {},
      `${plan.files.count} included (${size(plan.files.bytes)}), ${excluded.length} excluded`,
    ),
    excluded.length > 0
      ? h(
          'ul',
          { class: 'list' },
          excluded.map((e) => h('li', {}, h('code', {}, e.path), ` — ${e.reason}`)),
        )
      : null,
    fileList(paths, excluded),
    h('h3', {}, 'Dependencies'),
    dependencies(plan.dependencies),
    h('h3', {}, 'Layers added'),
    h(
      'ul',
      { class: 'list' },
      plan.layers.map((l) =>
        h(
          'li',
          {},
          l.packages !== undefined
            ? `${l.name}: ${l.packages} packages`
            : `${l.name}: ${l.entries} entries, ${size(l.bytes)}`,
        ),
      ),
    ),
  );
}
