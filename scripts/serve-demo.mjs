#!/usr/bin/env node
// Serves web-demo/ as the static files it deploys as:
//   node scripts/serve-demo.mjs [--port N] [--host H]
// (`npm run demo`). The wasm core must be built first (scripts/build-wasm.sh
// puts it in web-demo/pkg/). The tests import `staticHandler` to serve the
// page the same way.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'web-demo');

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8',
};

/** The file `pathname` names under `dir`, or null when it would escape it. */
function fileUnder(dir, pathname) {
  const rel = decodeURIComponent(pathname).replace(/\/$/, '/index.html');
  const file = path.join(dir, rel);
  return file.startsWith(dir + path.sep) ? file : null;
}

/**
 * A request handler serving the files under `dir` (GET and HEAD); anything
 * else, or a file of an unknown type, is a 404. Files are never cached: the
 * page and its wasm change together on every build.
 */
export function staticHandler(dir = DEMO_DIR) {
  const root = path.resolve(dir);
  return (req, res) => {
    const { pathname } = new URL(req.url, 'http://static.invalid');
    let file = null;
    try {
      file = fileUnder(root, pathname);
    } catch {
      // A malformed %-escape names no file.
    }
    const type = file && CONTENT_TYPES[path.extname(file)];
    fs.stat(file ?? '', (err, st) => {
      if (!type || err || !st.isFile() || !['GET', 'HEAD'].includes(req.method)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
        return;
      }
      res.writeHead(200, {
        'content-type': type,
        'content-length': st.size,
        'cache-control': 'no-store',
      });
      if (req.method === 'HEAD') res.end();
      else fs.createReadStream(file).pipe(res);
    });
  };
}

function main(argv) {
  let port = 8080;
  let host = '127.0.0.1';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') port = Number(argv[++i]);
    else if (argv[i] === '--host') host = argv[++i];
    else {
      console.error('usage: node scripts/serve-demo.mjs [--port N] [--host H]');
      process.exit(2);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !host) {
    console.error('serve-demo: --port takes 0-65535 and --host a name or address');
    process.exit(2);
  }
  if (!fs.existsSync(path.join(DEMO_DIR, 'pkg', 'pycontainer_bg.wasm'))) {
    console.error('serve-demo: web-demo/pkg is missing; run bash scripts/build-wasm.sh first');
    process.exit(1);
  }
  const server = http.createServer(staticHandler());
  server.on('error', (err) => {
    console.error(`serve-demo: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    const { port: bound } = server.address();
    console.log(`pycontainer web demo on http://${host}:${bound}/ (Ctrl-C stops it)`);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
