'use strict';

// Text for people: the plan that --dry-run and --verbose print, progress and
// warning lines, sizes, paths, shell quoting and colour. Pure functions of
// their arguments (no I/O), so they are tested directly as well as through
// the CLI.

const path = require('node:path');

/** Quotes a word for a POSIX shell when it needs it, so printed commands can be pasted. */
function shellWord(word) {
  const text = String(word);
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A path as the user would type it: relative when under `cwd`, else absolute. */
function displayPath(p, cwd = process.cwd()) {
  const rel = path.relative(cwd, p);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return p;
  return rel;
}

function formatBytes(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  const n = value;
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let scaled = n;
  let unit = 0;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${scaled} B` : `${scaled.toFixed(1)} ${units[unit]}`;
}

const ANSI = { red: 31, green: 32, yellow: 33 };

/**
 * Whether to colour what goes to `stream`: only a terminal, and never when
 * --no-color was given, NO_COLOR is set to anything non-empty (no-color.org)
 * or TERM is `dumb`.
 */
function colorEnabled(stream, { noColor = false, env = process.env } = {}) {
  if (noColor) return false;
  if (typeof env.NO_COLOR === 'string' && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream?.isTTY === true;
}

/** `text` in `color` ('red', 'green' or 'yellow') when `enabled`, else unchanged. */
function paint(text, color, enabled) {
  if (!enabled) return text;
  return `\u001b[${ANSI[color]}m${text}\u001b[39m`;
}

/** `warning: MESSAGE`, the label in yellow when `color`. */
function warningLine(message, color) {
  return `${paint('warning:', 'yellow', color)} ${message}`;
}

const ACTION_WORDS = {
  push: 'pushing',
  pull: 'pulling',
  mount: 'mounted',
  exists: 'exists ',
  download: 'fetching',
};

const BAR_WIDTH = 24;
// Wheel file names run to 70 characters and more. 40 shows the name and
// version of most; a narrow terminal gets fewer, since a line that wraps
// breaks redrawing the block of bars in place.
const FILE_NAME_WIDTH = { max: 40, min: 12 };
// Around the name: the longest action word, the bar with its brackets and
// the widest sizes, `999.9 MB / 999.9 MB`, with a space between each.
const AROUND_NAME = 'fetching'.length + BAR_WIDTH + 2 + '999.9 MB / 999.9 MB'.length + 3;

/**
 * What a transfer moves: 12 hex digits of a registry blob's digest, or a
 * downloaded file's name, padded so that the bars of a block line up.
 */
function transferName(digest, columns) {
  const text = String(digest);
  if (text.startsWith('sha256:')) return text.slice('sha256:'.length, 'sha256:'.length + 12);
  const { max, min } = FILE_NAME_WIDTH;
  const width = Math.max(min, Math.min(max, columns - AROUND_NAME));
  const name = text.length > width ? `${text.slice(0, width - 1)}…` : text;
  return name.padEnd(width);
}

/**
 * One bar of a transfer (`type: 'transfer'` progress event), for a line of
 * `columns` characters:
 * `pushing 0123456789ab [#######-----------------] 12.0 MB / 44.0 MB`.
 */
function transferLine({ digest, action, bytes, total }, columns = 80) {
  const done = total > 0 ? Math.min(1, bytes / total) : 1;
  const filled = Math.round(done * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const word = ACTION_WORDS[action] ?? action;
  const name = transferName(digest, columns);
  return `${word} ${name} ${bar} ${formatBytes(bytes)} / ${formatBytes(total)}`;
}

/** Values are shown raw unless invisible characters would garble the line. */
function showValue(value) {
  const text = String(value);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  return /[\u0000-\u001f\u007f]|^\s|\s$/.test(text) ? JSON.stringify(text) : text;
}

const asObject = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {});
const asArray = (v) => (Array.isArray(v) ? v : []);
const command = (words) => asArray(words).map(shellWord).join(' ');

const SOURCE_NAMES = {
  flag: 'flags',
  env: 'PYCONTAINER_* variables',
  'pycontainer.toml': 'pycontainer.toml',
  pyproject: '[tool.pycontainer] in pyproject.toml',
};

/**
 * The launchers on one line: their names, then the directory they share
 * (the venv's bin/ or /usr/local/bin), which the core puts them all in.
 */
function scriptsLine(scripts) {
  if (scripts.length === 0) return '(none)';
  const launchers = scripts.map(asObject);
  const path = String(launchers[0].path ?? '');
  const dir = path.slice(0, path.lastIndexOf('/'));
  return `${launchers.map((l) => l.name).join(', ')}${dir ? ` (in ${dir})` : ''}`;
}

/**
 * The build plan as aligned lines (no trailing newline): what --dry-run
 * prints on stdout and --verbose on stderr. `result` is the core's result;
 * fields it lacks are skipped rather than guessed. With `verbose` every
 * excluded path is listed with its reason.
 */
function formatPlan(result, { verbose = false, cwd = process.cwd() } = {}) {
  const plan = asObject(result?.plan);
  const width = 16;
  const lines = ['plan:'];
  const row = (label, value) => lines.push(`  ${`${label}:`.padEnd(width)}${value}`);
  const more = (value) => lines.push(`  ${''.padEnd(width)}${value}`);
  const rows = (label, values, empty = '(none)') => {
    if (values.length === 0) return row(label, empty);
    row(label, values[0]);
    for (const v of values.slice(1)) more(v);
  };
  const pairs = (map) => Object.entries(asObject(map)).map(([k, v]) => `${k}=${showValue(v)}`);

  if (typeof result?.output === 'string') row('output', displayPath(result.output, cwd));
  rows('tags', asArray(plan.tags));
  if (plan.platform !== undefined) row('platform', plan.platform);

  const base = asObject(plan.base);
  row('base', base.image ?? '(unknown)');
  if (base.rule) more(`rule: ${base.rule}`);

  // The base's full version when its layers were read, else the minor chosen;
  // an explicit base not yet read shows no version, but still its rule.
  const python = asObject(plan.python);
  const known = python.major === undefined ? '(unknown)' : `${python.major}.${python.minor}`;
  row('python', python.version ?? known);
  if (python.rule) more(`rule: ${python.rule}`);

  const entry = asObject(plan.entrypoint);
  row('entry point', asArray(entry.command).length > 0 ? command(entry.command) : '(none)');
  if (entry.rule) more(`rule: ${entry.rule}${entry.detail ? ` (${entry.detail})` : ''}`);
  if (plan.scripts !== undefined) row('scripts', scriptsLine(asArray(plan.scripts)));

  row('cmd', plan.cmd === null || plan.cmd === undefined ? '(none)' : command(plan.cmd));
  if (plan.workdir !== undefined) row('workdir', plan.workdir);
  if (plan.user !== undefined) {
    row('user', plan.user === '' || plan.user === null ? '(base image default)' : plan.user);
  }
  // Only when there are any: most apps write nowhere.
  const writable = asArray(plan.writable);
  if (writable.length > 0) {
    rows(
      'writable',
      writable.map((w) => {
        const { path, rule, scope } = asObject(w);
        const only = scope === 'tree' ? '' : `, the ${scope} alone`;
        return `${path}  (${rule}${only})`;
      }),
    );
  }
  const ports = asArray(plan.ports).map(String);
  row('ports', ports.length > 0 ? ports.join(', ') : '(none)');
  rows('env', pairs(plan.env));
  rows('labels', pairs(plan.labels));
  rows('annotations', pairs(plan.annotations));

  const files = asObject(plan.files);
  const excluded = asArray(plan.excluded);
  // A default rule that removed something the code names lists them all.
  const listed = verbose || excluded.some((e) => asObject(e).referencedBy !== undefined);
  let filesLine = `${files.count ?? '?'} included (${formatBytes(files.bytes ?? 0)}), ${excluded.length} excluded`;
  if (excluded.length > 0 && !listed) filesLine += ' (--verbose lists them)';
  row('files', filesLine);
  if (listed) {
    for (const e of excluded) {
      const item = asObject(e);
      const named = item.referencedBy ? `, named in ${item.referencedBy}` : '';
      more(`- ${item.path}${item.reason ? `  (${item.reason}${named})` : ''}`);
    }
  }

  // The core leaves `dependencies` out when nothing is installed.
  const deps = asObject(plan.dependencies);
  row('dependencies', deps.rule === undefined ? '(none)' : `${deps.rule} (${deps.format})`);
  if (deps.bytecode !== undefined) row('bytecode', deps.bytecode);

  rows(
    'layers',
    asArray(plan.layers).map((l) => {
      const layer = asObject(l);
      if (layer.packages !== undefined) {
        return `${layer.name}: ${layer.packages} package${layer.packages === 1 ? '' : 's'}`;
      }
      return `${layer.name}: ${layer.entries} entries, ${formatBytes(layer.bytes)}`;
    }),
  );

  const sources = asArray(plan.sources).map((s) => {
    const src = asObject(s);
    const name = SOURCE_NAMES[src.kind] ?? String(src.kind);
    return src.file ? `${name} (${displayPath(src.file, cwd)})` : name;
  });
  if (sources.length > 0) row('settings from', sources.join(', '));
  return lines.join('\n');
}

module.exports = {
  shellWord,
  displayPath,
  formatBytes,
  colorEnabled,
  paint,
  formatPlan,
  transferLine,
  warningLine,
};
