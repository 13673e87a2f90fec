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

module.exports = { keyValueProblem, portProblem };
