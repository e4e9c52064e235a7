import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '../test/env.js';
import { applyMigrations, listMigrations } from './migrate.js';

describe('applyMigrations', () => {
  const client = new pg.Client({ connectionString: databaseUrl() });
  afterAll(() => client.end());

  it('recorded every migration in _prisma_migrations like prisma migrate deploy, and a second run applies nothing', async () => {
    await client.connect();
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const expected = listMigrations();
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(expected.map((m) => [m.name, m.checksum]));
    expect(rows.every((r) => r.finished_at)).toBe(true);
    const again = await applyMigrations(databaseUrl());
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBe(expected.length);
  });

  it('created the tables of the schema', async () => {
    const { rows } = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'workspaces',
        'api_keys',
        'flows',
        'flow_versions',
        'webhook_tokens',
        'contacts',
        'identities',
        'channel_accounts',
      ]),
    );
  });
});
