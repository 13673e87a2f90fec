'use strict';

// What `build` and `push` say on stderr while they run: the core's progress
// events as lines and bars on a terminal, and its warnings wherever stderr
// goes.

const { colorEnabled, formatBytes, transferLine, warningLine } = require('../format.js');

/** One line for a progress event; the core's events only promise a `type`. */
function describeEvent(event) {
  if (event === null || typeof event !== 'object') return String(event);
  if (typeof event.message === 'string') return event.message;
  const parts = [String(event.type ?? 'progress')];
  for (const [key, value] of Object.entries(event)) {
    if (key === 'type') continue;
    if (['string', 'number', 'boolean'].includes(typeof value)) {
      parts.push(`${key}=${value}`);
    }
  }
  return parts.join(' ');
}

/**
 * Messages for humans, all on stderr. Progress and info only when it is a
 * terminal, as they are of no use in a log. Warnings whatever stderr is
 * (unless --quiet): they tell about the image or the project, e.g. a lock
 * that could not be written, which a CI log should keep.
 */
function makeReporter({ progress, warnings, color }) {
  const warn = (message) => process.stderr.write(`${warningLine(message, color)}\n`);
  let onProgress;
  if (progress) {
    onProgress = progressLine(warn, color);
  } else if (warnings) {
    onProgress = (event) => {
      if (event?.type === 'warning') warn(event.message);
    };
  }
  return {
    info(line) {
      if (progress) process.stderr.write(`${line}\n`);
    },
    onProgress,
  };
}

/** The reporter for `build` and `push`, from their flags. */
function reporterFor(values) {
  return makeReporter({
    progress: !values.quiet && !values.json && process.stderr.isTTY === true,
    warnings: !values.quiet,
    color: colorEnabled(process.stderr, { noColor: values['no-color'] }),
  });
}

/**
 * Renders progress on a terminal: a line per phase or warning, one line per
 * local blob that counts up in place, and a block of bars for transfers
 * (registry blobs, wheel downloads), one per blob or file, redrawn in place.
 * Without colour (NO_COLOR, --no-color) it writes no escape code at all, as
 * such a terminal may show them as text: a blob's line is rewritten after a
 * carriage return alone, and a transfer gets one line when it ends.
 */
function progressLine(warn, color) {
  let open = false;
  // The width of the blob line last written, which a shorter one must cover.
  let openWidth = 0;
  const bars = new Map();
  let drawn = 0;
  let last = 0;
  const draw = (force) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const up = drawn > 0 ? `\x1b[${drawn}F` : '';
    // Less the indent; a terminal of unknown size (0) is taken as 80 wide.
    const columns = (process.stderr.columns || 80) - 2;
    const lines = [...bars.values()].map((b) => `\x1b[2K  ${transferLine(b, columns)}`);
    process.stderr.write(`${up}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  return (event) => {
    if (event?.type === 'transfer') {
      if (open) process.stderr.write('\n');
      open = false;
      const total = Number(event.total);
      const bytes = Number(event.bytes);
      const bar = { digest: event.digest, action: event.action, bytes, total };
      if (!color) {
        const columns = (process.stderr.columns || 80) - 2;
        if (bytes >= total) process.stderr.write(`  ${transferLine(bar, columns)}\n`);
        return;
      }
      bars.set(event.digest, bar);
      draw(bytes >= total);
      return;
    }
    if (event?.type === 'blob') {
      const text = `  ${event.label}: ${formatBytes(Number(event.bytes))}`;
      const clear = color ? '\x1b[2K' : '';
      const cover = color || !open ? '' : ' '.repeat(Math.max(0, openWidth - text.length));
      process.stderr.write(`\r${clear}${text}${cover}`);
      open = true;
      openWidth = text.length;
      return;
    }
    if (open) process.stderr.write('\n');
    if (event?.type === 'warning') {
      warn(event.message);
    } else {
      const text = event?.type === 'phase' ? `${event.name}…` : describeEvent(event);
      process.stderr.write(`  ${text}\n`);
    }
    open = false;
    bars.clear();
    drawn = 0;
  };
}

module.exports = { progressLine, reporterFor };
