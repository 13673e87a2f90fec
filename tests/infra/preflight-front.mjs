// Debian's nginx in front of a docker-registry that has auth, answering the
// CORS preflights the registry cannot: distribution checks credentials
// before it looks at the method, so an OPTIONS preflight (which never
// carries any) gets a 401, and a 401 fails the preflight
// (distribution/distribution#4458). Everything else is passed through, and
// the registry's own `http.headers` give those answers their CORS headers;
// nginx adds none there, as a second Allow-Origin would fail the check.
//
// `preflightLocation` is the block docs/cors.md gives users: what the test
// proves is what they copy.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './net.mjs';
import { killAndWait, supervise, waitReady } from './registry.mjs';

const NGINX = '/usr/sbin/nginx';

/** nginx's `location /v2/` block: preflights answered here, the rest sent to `upstream`. */
export function preflightLocation(origin, upstream) {
  return `location /v2/ {
    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "${origin}";
        add_header Access-Control-Allow-Methods "HEAD, GET, POST, PUT, PATCH";
        add_header Access-Control-Allow-Headers "Authorization, Content-Type, Content-Range, Accept";
        add_header Access-Control-Max-Age 600;
        return 204;
    }
    proxy_pass ${upstream};
    proxy_set_header Host $http_host;
    proxy_http_version 1.1;
    proxy_request_buffering off;
    proxy_buffering off;
    client_max_body_size 0;
}`;
}

/**
 * The whole nginx.conf: one process in the foreground (so that killing it
 * stops it all), every path it writes inside `dir`.
 */
function nginxConf(dir, port, location) {
  const at = (name) => path.join(dir, name);
  return `daemon off;
master_process off;
pid ${at('nginx.pid')};
error_log ${at('error.log')} warn;
events { worker_connections 64; }
http {
  access_log ${at('access.log')};
  client_body_temp_path ${at('body')};
  proxy_temp_path ${at('proxy')};
  fastcgi_temp_path ${at('fastcgi')};
  uwsgi_temp_path ${at('uwsgi')};
  scgi_temp_path ${at('scgi')};
  server {
    listen 127.0.0.1:${port};
    ${location.replaceAll('\n', '\n    ')}
  }
}
`;
}

/**
 * Starts nginx on a free loopback port in front of the registry at
 * `upstreamUrl` (plain http), answering preflights for `origin`.
 * The registry builds its upload `Location`s from the Host header, which
 * is passed on, so they point back at nginx.
 *
 * Returns {url, host, port, errorLog, stop()}; always call stop().
 */
export async function startPreflightFront(upstreamUrl, origin) {
  if (!fs.existsSync(NGINX)) throw new Error(`${NGINX} is missing: run 'bash scripts/setup.sh'`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pycontainer-nginx-'));
  const errorLog = path.join(dir, 'error.log');
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, nginxConf(dir, port, preflightLocation(origin, upstreamUrl)));
  // -e: the error log before the config is read (the default is under /var/log).
  const child = supervise(
    spawn(NGINX, ['-e', errorLog, '-p', dir, '-c', conf], { stdio: 'ignore' }),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await killAndWait(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(child, url, undefined, errorLog, 'nginx');
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, host: `127.0.0.1:${port}`, port, errorLog, stop };
}
