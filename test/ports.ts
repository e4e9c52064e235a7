// A free loopback port for tests and benchmarks: asked of the OS (listen on port 0), then released for the caller.
// Another process may take it before the caller binds it (mail-servers.ts retries Dovecot when that happens).
import { createServer, type AddressInfo } from 'node:net';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, resolve);
  });
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
