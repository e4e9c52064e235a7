// Once per `npm test`: one real Temporal dev server and one fresh PostgreSQL database with the migrations applied.
// Tests reach them through `inject('temporalAddress')` / `inject('databaseUrl')` (see test/env.ts).
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../prisma/migrate.js';
import { startTemporalDevServer, type DevServer } from '../worker/temporal-dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
  }
}

/** The admin connection used to create the per-run database. */
export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  const dbName = `confluo_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const databaseUrl = withDatabase(ADMIN_URL, dbName);
  await applyMigrations(databaseUrl);

  let temporal: DevServer | undefined;
  try {
    temporal = await startTemporalDevServer({ logFile: 'test-results/temporal.log' });
  } catch (err) {
    await dropDatabase(dbName);
    throw err;
  }
  project.provide('temporalAddress', temporal.address);
  project.provide('databaseUrl', databaseUrl);

  return async () => {
    await temporal?.stop();
    if (!process.env.KEEP_TEST_DB) await dropDatabase(dbName);
  };
}

async function dropDatabase(name: string) {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
