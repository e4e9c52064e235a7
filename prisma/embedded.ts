// Embedded PostgreSQL for the zero-config `npm start`: PGlite (PostgreSQL compiled to WebAssembly, data in a local
// folder) served on a loopback port by pglite-socket, so the rest of Confluo uses the very same `pg` + Prisma code
// path as with a real server. PGlite runs one connection's work at a time: callers use a pool of size 1.
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, port = 0): Promise<EmbeddedPostgres> {
  mkdirSync(dataDir, { recursive: true });
  // pg_trgm: the contacts search's trigram indexes (migration 20261204131500_contact_search_trigrams).
  const db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  // Port 0 is not supported by every pglite-socket release: pick a free one ourselves when asked for "any".
  const listenPort = port || (await freePort());
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: listenPort, maxConnections: 8 });
  await server.start();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${listenPort}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
