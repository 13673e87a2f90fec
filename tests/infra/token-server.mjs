// A minimal Docker token server (the "realm" of registry token auth) for tests.
//
// docker-registry only verifies bearer tokens; something else has to issue
// them. This server does, on 127.0.0.1, for a fixed set of users, and records
// every request so tests can check what a client asked for and whether it
// sent credentials.
//
// Protocol: https://distribution.github.io/distribution/spec/auth/token/

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { listen } from './net.mjs';

const RFC4648_BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
function base32(bytes) {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += RFC4648_BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += RFC4648_BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The libtrust key id docker-registry uses to find the verifying key among
 * the certificates of its `rootcertbundle`: base32 of the first 30 bytes of
 * sha256(SPKI DER), in groups of 4 joined with ':'. A token whose `kid`
 * does not match is rejected, so this must be exact.
 */
export function libtrustKeyId(publicKey) {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const digest = crypto.createHash('sha256').update(der).digest().subarray(0, 30);
  return base32(digest)
    .match(/.{1,4}/g)
    .join(':');
}

function base64url(value) {
  const buf = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  return buf.toString('base64url');
}

/** An RS256 JWT (RSASSA-PKCS1-v1_5 with SHA-256). */
function signJwt(header, claims, privateKey) {
  const input = `${base64url(header)}.${base64url(claims)}`;
  const signature = crypto.sign('sha256', Buffer.from(input), privateKey);
  return `${input}.${base64url(signature)}`;
}

/**
 * Parses `type:name:actions` scopes. Names never contain ':' (repository
 * names are path components), but a type could in theory, so the type ends
 * at the first ':' and the actions start after the last one.
 * A `scope` parameter may also hold several scopes separated by spaces.
 */
export function parseScopes(values) {
  const scopes = [];
  for (const value of values) {
    for (const scope of value.split(' ').filter(Boolean)) {
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      if (first === -1 || last === first) {
        throw new Error(`malformed scope ${JSON.stringify(scope)}`);
      }
      scopes.push({
        type: scope.slice(0, first),
        name: scope.slice(first + 1, last),
        actions: scope
          .slice(last + 1)
          .split(',')
          .filter(Boolean),
      });
    }
  }
  return scopes;
}

/**
 * Reads `Authorization: Basic`. Returns {user: null} without one,
 * {user, valid} otherwise. Other schemes count as anonymous: a client may
 * send a stale bearer token, which grants nothing here.
 */
function checkBasic(header, users) {
  if (!header || !/^basic /i.test(header)) return { user: null, valid: false };
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return { user: decoded, valid: false };
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return { user, valid: Object.hasOwn(users, user) && users[user] === password };
}

/** What a request is granted: everything when authenticated, else pull only (or nothing). */
function grant(scopes, authenticated, anonymousPull) {
  return scopes.map(({ type, name, actions }) => ({
    type,
    name,
    actions: authenticated ? actions : anonymousPull ? actions.filter((a) => a === 'pull') : [],
  }));
}

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function makeToken(opts, user, access) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: opts.issuer,
    sub: user ?? '',
    aud: opts.service,
    exp: now + opts.expiresIn,
    nbf: now,
    iat: now,
    jti: crypto.randomBytes(16).toString('hex'),
    access,
  };
  const header = { typ: 'JWT', alg: 'RS256', kid: opts.kid };
  return { jwt: signJwt(header, claims, opts.privateKey), issuedAt: new Date(now * 1000) };
}

/** Handles one request and returns the record kept in `requests`. */
function handle(req, res, opts) {
  const url = new URL(req.url, 'http://token.invalid');
  const record = { method: req.method, scopes: [], user: null, authorized: false, status: 0 };
  // A page's token request carries Authorization (Basic), so the browser
  // asks first; the answer must be a 2xx naming that header.
  if (opts.cors && req.method === 'OPTIONS') {
    record.status = 204;
    res.writeHead(204, {
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'Authorization',
    });
    res.end();
    return record;
  }
  if (url.pathname !== '/token' || req.method !== 'GET') {
    record.status = 404;
    sendJson(res, 404, {
      errors: [{ code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` }],
    });
    return record;
  }
  record.service = url.searchParams.get('service');
  record.account = url.searchParams.get('account');
  try {
    record.scopes = parseScopes(url.searchParams.getAll('scope'));
  } catch (err) {
    record.status = 400;
    sendJson(res, 400, { errors: [{ code: 'INVALID_REQUEST', message: err.message }] });
    return record;
  }
  const auth = checkBasic(req.headers.authorization, opts.users);
  record.user = auth.user;
  record.authorized = auth.valid;
  if (auth.user !== null && !auth.valid) {
    record.status = 401;
    sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid credentials' }] });
    return record;
  }
  record.granted = grant(record.scopes, auth.valid, opts.anonymousPull);
  const { jwt, issuedAt } = makeToken(opts, auth.user, record.granted);
  record.status = 200;
  sendJson(res, 200, {
    token: jwt,
    access_token: jwt,
    expires_in: opts.expiresIn,
    issued_at: issuedAt.toISOString(),
  });
  return record;
}

/**
 * Starts the token server on 127.0.0.1 (a free port).
 *
 * keyFile: PEM RSA private key whose certificate is the registry's `rootcertbundle`.
 * users: {name: password}. service/issuer: must equal the registry's config.
 * anonymousPull: anonymous requests get `pull` actions (true) or nothing (false).
 * expiresIn: token lifetime in seconds (default 300).
 * cors: a page origin ('*' for any) allowed to ask for tokens from its own
 * fetch: every answer names it, and OPTIONS preflights are answered.
 *
 * Returns {url, realm, port, requests, close()}. `requests` holds one
 * {method, scopes: [{type, name, actions}], user, authorized, status, granted,
 * service, account} per request, in order; `user` is the Basic user name sent
 * (null without credentials) and `authorized` whether its password was right.
 */
export async function startTokenServer({
  keyFile,
  users,
  service,
  issuer,
  anonymousPull = true,
  expiresIn = 300,
  cors,
}) {
  if (!keyFile || !users || !service || !issuer) {
    throw new Error('startTokenServer needs keyFile, users, service and issuer');
  }
  const privateKey = crypto.createPrivateKey(fs.readFileSync(keyFile));
  const kid = libtrustKeyId(crypto.createPublicKey(privateKey));
  const opts = { privateKey, kid, users, service, issuer, anonymousPull, expiresIn, cors };
  const requests = [];
  const server = http.createServer((req, res) => {
    // The body (none is expected) is ignored; resume so the socket can be reused.
    req.resume();
    if (cors) res.setHeader('access-control-allow-origin', cors);
    try {
      requests.push(handle(req, res, opts));
    } catch (err) {
      requests.push({ scopes: [], user: null, authorized: false, status: 500, error: err.message });
      if (!res.headersSent)
        sendJson(res, 500, { errors: [{ code: 'UNKNOWN', message: err.message }] });
    }
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    realm: `${url}/token`,
    port,
    kid,
    requests,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
