// A fresh, migrated and seeded database per test file: a temporary SQLite file, or a new database
// on the PostgreSQL server (GXGC_TEST_PG_URL, default postgres@127.0.0.1:5432) dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseTarget, type Db, type OpenOptions, type Provider } from '../../bot/db/client.ts';
import { migrate } from '../../bot/db/migrate.ts';
import { seedDatabase } from '../../prisma/seed/index.ts';

export const TEST_PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

export const PG_ADMIN_URL = process.env.GXGC_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  db: Db;
  target: DatabaseTarget;
  database: Database;
  /** open another client on the same database (a second instance, a restart) */
  reopen(): Database;
  drop(): Promise<void>;
}

export async function createEmptyDatabase(provider: Provider): Promise<{ target: DatabaseTarget; destroy(): Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gxgc-test-'));
    return { target: { provider, location: join(dir, 'test.db') }, destroy: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `gxgc_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    target: { provider, location: url.toString() },
    destroy: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The functions a test database is made with: the sources', or the build's (test/bench/production.ts). */
export interface DatabaseModules {
  migrate: typeof migrate;
  openDatabase: typeof openDatabase;
  seedDatabase: typeof seedDatabase;
}

export async function createTestDatabase(
  provider: Provider,
  options: { seed?: boolean } & OpenOptions = {},
  modules: DatabaseModules = { migrate, openDatabase, seedDatabase },
): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(provider);
  await modules.migrate(empty.target);
  const database = modules.openDatabase(empty.target, options);
  if (options.seed !== false) await modules.seedDatabase(database.db);
  const opened: Database[] = [database];
  return {
    db: database.db,
    target: empty.target,
    database,
    reopen() {
      const another = modules.openDatabase(empty.target);
      opened.push(another);
      return another;
    },
    async drop() {
      for (const d of opened) await d.close().catch(() => undefined);
      await empty.destroy();
    },
  };
}
