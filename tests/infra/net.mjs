// Small network helpers shared by the test servers: listening on a free
// loopback port, and self-signed certificates.

import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Listens on a free loopback port; resolves to the port. */
export function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export async function freePort() {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A self-signed certificate and key in DIR (`openssl req -x509`). */
export async function selfSigned(dir, name, subject, extraArgs = []) {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert];
  try {
    await execFileAsync('openssl', [...args, '-days', '30', '-subj', subject, ...extraArgs]);
  } catch (err) {
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.trim() || err.message}`);
  }
  return { key, cert };
}
