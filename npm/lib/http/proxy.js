'use strict';

// Proxies come from the environment, read once per createHttp, as curl and
// Go tools do: HTTPS_PROXY for https URLs, HTTP_PROXY for http URLs (the
// lower-case name wins when both are set), NO_PROXY for exceptions; loopback
// is never proxied. An https target is tunnelled with CONNECT by an agent of
// its own, so its sockets are pooled as usual; an http target is sent to the
// proxy with the absolute URL as the path. Only http:// proxy URLs.

const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const { causeMessage, displayUrl } = require('./redact.js');

/** An environment variable, the lower-case name first (as curl reads http_proxy); empty is unset. */
function envValue(env, name) {
  const value = env[name.toLowerCase()] || env[name.toUpperCase()] || '';
  return String(value).trim();
}

/**
 * A proxy URL from the environment: `{url, display, auth}` (`auth`: a
 * Proxy-Authorization value, or null), `{error}` for one that cannot be
 * used, or null when unset. `host:port` alone means http://host:port.
 */
function parseProxy(text, variable) {
  if (!text) return null;
  let url;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    return { error: `${variable} is not a valid URL` };
  }
  const display = displayUrl(url.href);
  if (url.protocol !== 'http:') {
    return { error: `${variable}: only http:// proxies are supported, not ${url.protocol}//` };
  }
  let auth = null;
  const secrets = [];
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    auth = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    secrets.push(auth.slice(6), url.password, pass);
  }
  return {
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 80),
    display,
    auth,
    secrets: secrets.filter((x) => x.length >= 3),
  };
}

/** NO_PROXY entries: `*`, or `{host, port}` with a leading dot dropped (it matches subdomains anyway). */
function parseNoProxy(text) {
  const entries = [];
  for (const raw of text.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return '*';
    let port = null;
    const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1];
      port = bracketed[2] ?? null;
    } else if (net.isIP(entry) !== 6) {
      const m = /^(.*):(\d+)$/.exec(entry);
      if (m) {
        entry = m[1];
        port = m[2];
      }
    }
    entries.push({ host: entry.replace(/^\*?\./, ''), port });
  }
  return entries;
}

function isLoopback(host) {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || /^::ffff:127\./.test(host);
}

/**
 * The proxy settings of an environment: `proxyFor(url)` gives the proxy for
 * a URL, or null; `secrets`, the proxy credentials, kept out of messages.
 */
function proxySettings(env) {
  const proxies = {
    'http:': parseProxy(envValue(env, 'http_proxy'), 'HTTP_PROXY'),
    'https:': parseProxy(envValue(env, 'https_proxy'), 'HTTPS_PROXY'),
  };
  const noProxy = parseNoProxy(envValue(env, 'no_proxy'));
  const secrets = Object.values(proxies).flatMap((proxy) => proxy?.secrets ?? []);
  function proxyFor(url) {
    const proxy = proxies[url.protocol];
    if (!proxy || noProxy === '*') return null;
    const host = url.hostname
      .replace(/^\[(.*)\]$/, '$1')
      .toLowerCase()
      .replace(/\.$/, '');
    if (isLoopback(host)) return null;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    for (const entry of noProxy) {
      if (entry.port && entry.port !== port) continue;
      if (host === entry.host || host.endsWith(`.${entry.host}`)) return null;
    }
    return proxy;
  }
  return { proxyFor, secrets };
}

/** A proxy error with a `code`, its message naming the proxy without credentials. */
function proxyError(message) {
  return Object.assign(new Error(message), { code: 'EPROXY' });
}

/**
 * An https agent whose connections are tunnels through an http proxy:
 * `CONNECT host:port`, then TLS over the tunnel. Pooling and TLS options
 * are the https.Agent's own.
 */
class TunnelAgent extends https.Agent {
  constructor(options, proxy, timeoutMs) {
    super(options);
    this.proxy = proxy;
    this.connectTimeoutMs = timeoutMs;
  }

  createConnection(options, callback) {
    const { proxy } = this;
    const host = options.host ?? options.hostname;
    const target = `${net.isIP(host) === 6 ? `[${host}]` : host}:${options.port || 443}`;
    const headers = { Host: target };
    if (proxy.auth) headers['Proxy-Authorization'] = proxy.auth;
    const connect = http.request({
      host: proxy.hostname,
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
    });
    let done = false;
    const finish = (err, socket) => {
      if (done) return;
      done = true;
      callback(err, socket);
    };
    // The tunnel's socket never holds the process (see "Liveness" in index.js).
    connect.on('socket', (socket) => socket.unref());
    connect.setTimeout(this.connectTimeoutMs, () => {
      connect.destroy(proxyError(`proxy ${proxy.display} did not answer CONNECT ${target}`));
    });
    connect.on('error', (err) => {
      if (err.code === 'EPROXY') return finish(err);
      const code = typeof err.code === 'string' ? err.code : 'ENETWORK';
      finish(Object.assign(new Error(`proxy ${proxy.display}: ${causeMessage(err)}`), { code }));
    });
    connect.on('connect', (res, socket, head) => {
      connect.setTimeout(0);
      if (res.statusCode !== 200) {
        socket.destroy();
        const why = res.statusCode === 407 ? ' (proxy authentication required)' : '';
        return finish(
          proxyError(
            `proxy ${proxy.display} answered ${res.statusCode} to CONNECT ${target}${why}`,
          ),
        );
      }
      if (head.length > 0) socket.unshift(head);
      let tlsSocket;
      try {
        tlsSocket = super.createConnection({ ...options, socket });
      } catch (err) {
        socket.destroy();
        return finish(err);
      }
      finish(null, tlsSocket);
    });
    connect.end();
  }
}

module.exports = { proxySettings, TunnelAgent };
