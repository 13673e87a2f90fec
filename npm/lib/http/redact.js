'use strict';

// What the HTTP client's errors say, and what they must not: header values
// (they carry tokens), a URL's user:password@ or its query (signed URLs carry
// tokens there). A network error keeps its cause's `code`, which the core's
// retries go by (src/http/retry.rs). toCount is here because index.js and
// bodies.js both reject a bad count from the core with it.

/** A URL fit for a message: no user:password@ and no query (signed URLs carry tokens there). */
function displayUrl(url) {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Header names whose values are credentials: redacted from three characters up. */
const SENSITIVE = /auth|cookie|token|secret|key|session|signature/i;

/**
 * What must never appear in a message: the request's header values and their
 * parts ("Bearer TOKEN" → TOKEN), longest first. Short values of ordinary
 * headers (a Content-Length that happens to be a port number) are left alone.
 */
function secretsOf(headers) {
  const secrets = new Set();
  for (const [name, value] of headers) {
    const min = SENSITIVE.test(String(name)) ? 3 : 8;
    const text = String(value);
    for (const part of [text, ...text.split(/\s+/)]) {
      if (part.length >= min) secrets.add(part);
    }
  }
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** A cause's message with the raw URL shown as displayUrl and every secret replaced. */
function scrub(message, { url, secrets }) {
  let text = String(message);
  if (url) text = text.replaceAll(url, displayUrl(url));
  for (const secret of secrets) text = text.replaceAll(secret, '[redacted]');
  return text;
}

/** The innermost useful cause of a failure. */
function rootCause(err) {
  let cause = err;
  for (let i = 0; i < 5 && cause?.cause && !cause.code; i++) cause = cause.cause;
  return cause ?? err;
}

function causeMessage(cause) {
  // `localhost` may try ::1 and 127.0.0.1: an AggregateError with an empty message.
  if (!cause?.message && Array.isArray(cause?.errors) && cause.errors.length > 0) {
    return causeMessage(cause.errors[0]);
  }
  return cause?.message || String(cause);
}

/** Errors made here, already safe to show (the stall timeout passes through readBody). */
const own = new WeakSet();

/** Whether `err` came from httpError, and so can be passed on as it is. */
function isOwnError(err) {
  return own.has(err);
}

function httpError(code, message) {
  const err = new Error(message);
  err.code = code;
  own.add(err);
  return err;
}

function codeOf(err) {
  const cause = rootCause(err);
  return typeof cause?.code === 'string' && cause.code ? cause.code : 'ENETWORK';
}

/** Maps a request or body-read failure to an Error with a `code` and without header values. */
function networkError(err, what, context) {
  if (own.has(err)) return err;
  const code = codeOf(err);
  return httpError(
    code,
    `${what} failed: ${scrub(causeMessage(rootCause(err)), context)} (${code})`,
  );
}

function toCount(value, what) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid ${what}: ${String(value)}`);
  return n;
}

module.exports = {
  causeMessage,
  codeOf,
  displayUrl,
  httpError,
  isOwnError,
  networkError,
  secretsOf,
  toCount,
};
