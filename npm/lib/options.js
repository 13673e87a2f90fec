'use strict';

// Light checks of build options shared by the CLI and the JS API. They catch
// only what is plainly malformed before the core is even loaded, so a typo
// gets a usage error naming the flag. Everything else (tags, platforms,
// Python versions, user names, commands) is the core's to judge.

/**
 * What is wrong with a `KEY=VALUE` setting (env, label, annotation), or null.
 * The value may be empty (`FOO=` sets FOO to ""); the key may not.
 */
function keyValueProblem(value) {
  if (typeof value !== 'string') return `needs KEY=VALUE, got ${typeof value}`;
  const eq = value.indexOf('=');
  if (eq < 0) return `needs KEY=VALUE, got '${value}'`;
  if (eq === 0) return `needs KEY=VALUE with a non-empty KEY, got '${value}'`;
  return null;
}

const PORT = /^([0-9]{1,5})(?:\/(tcp|udp))?$/;

/** What is wrong with a `N[/tcp|/udp]` port, or null. Numbers are accepted too. */
function portProblem(value) {
  const text = typeof value === 'number' ? String(value) : value;
  const problem = `needs a port number from 1 to 65535, optionally followed by /tcp or /udp, got '${String(value)}'`;
  if (typeof text !== 'string') return problem;
  const m = PORT.exec(text);
  if (!m) return problem;
  const n = Number(m[1]);
  return n >= 1 && n <= 65535 ? null : problem;
}

const SIZE = /^([0-9]+)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)$/i;
const UNITS = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `8M`, `512KiB`, `1048576`: a byte count (binary units), or NaN. */
function parseSize(value) {
  const m = SIZE.exec(String(value).trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * UNITS[m[2].charAt(0).toLowerCase()];
}

/** What is wrong with a `--chunk-size` value, or null. */
function sizeProblem(value) {
  const n = parseSize(value);
  if (Number.isSafeInteger(n) && n >= 1) return null;
  return `needs a size such as 8M, 512K or 1048576, got '${value}'`;
}

function countFlag(value) {
  return Number(value);
}

/** What is wrong with a `--parallel` value, or null. */
function countProblem(value) {
  const n = Number(value);
  if (/^[0-9]+$/.test(value) && n >= 1 && n <= 64) return null;
  return `needs a whole number from 1 to 64, got '${value}'`;
}

/** What is wrong with a `REGISTRY=HOST[:PORT]` mirror, or null. */
function mirrorProblem(value) {
  const eq = value.indexOf('=');
  if (eq > 0 && eq < value.length - 1) return null;
  return `needs REGISTRY=HOST[:PORT], e.g. docker.io=mirror.example.com:5000, got '${value}'`;
}

/**
 * What is wrong with a package index URL, or null. The value is not echoed:
 * an index URL may carry a token in its userinfo.
 */
function urlProblem(value) {
  const problem = 'needs an http:// or https:// URL such as https://pypi.org/simple';
  if (typeof value !== 'string' || !URL.canParse(value)) return problem;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:' ? null : problem;
}

module.exports = {
  countFlag,
  countProblem,
  keyValueProblem,
  mirrorProblem,
  parseSize,
  portProblem,
  sizeProblem,
  urlProblem,
};
