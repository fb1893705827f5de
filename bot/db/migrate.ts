// Applies prisma/migrations/<provider>/*/migration.sql in order, without Prisma's schema engine
// (it is a downloaded binary, unavailable offline). Bookkeeping uses Prisma's own _prisma_migrations
// table and checksums, so a machine that has the engine can take over with `prisma migrate deploy`.
// Several instances may start at once: PostgreSQL serialises them with an advisory lock, SQLite with
// an immediate transaction.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { DatabaseTarget, Provider } from './client.ts';
import { projectPath } from '../project-root.ts';
import { pgDriver } from './direct-sql.ts';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

const MIGRATIONS_ROOT = projectPath('prisma', 'migrations');
// any constant works; it only has to be the same for every instance of this application
const ADVISORY_LOCK_KEY = 7_202_611;

export function listMigrations(provider: Provider, root = MIGRATIONS_ROOT): Migration[] {
  const dir = join(root, provider);
  if (!existsSync(dir)) throw new Error(`no migrations folder for ${provider}: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
}

/** Stops start-up when history and files disagree: an edited migration would leave databases different. */
function checkHistory(migrations: Migration[], applied: AppliedRow[]): Migration[] {
  const byName = new Map(migrations.map((m) => [m.name, m]));
  for (const row of applied) {
    const file = byName.get(row.migration_name);
    if (!file) throw new Error(`database has migration ${row.migration_name}, which is not in prisma/migrations: is this an older checkout of gxgc-bot?`);
    if (!row.finished_at) throw new Error(`migration ${row.migration_name} started but did not finish; restore the database from a backup or fix it by hand, then delete its row in _prisma_migrations`);
    if (file.checksum !== row.checksum) throw new Error(`migration ${row.migration_name} was changed after it was applied; add a new migration instead of editing an applied one`);
  }
  const done = new Set(applied.map((r) => r.migration_name));
  return migrations.filter((m) => !done.has(m.name));
}

export async function migrate(target: DatabaseTarget, migrations = listMigrations(target.provider)): Promise<MigrationResult> {
  return target.provider === 'sqlite' ? migrateSqlite(target.location, migrations) : migratePostgres(target.location, migrations);
}

function migrateSqlite(file: string, migrations: Migration[]): MigrationResult {
  mkdirSync(dirname(file), { recursive: true });
  const conn = new BetterSqlite3(file, { timeout: 30_000 });
  try {
    conn.pragma('journal_mode = WAL');
    conn.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`);
    // A table rebuild (SQLite's way to change a column) drops the old table: with foreign keys on, the
    // drop would cascade into the rows that refer to it. Prisma's migrations assume them off; they are
    // checked before the commit instead.
    conn.pragma('foreign_keys = OFF');
    const run = conn.transaction(() => {
      const applied = conn.prepare('SELECT migration_name, checksum, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL').all() as AppliedRow[];
      const pending = checkHistory(migrations, applied);
      for (const m of pending) {
        conn.exec(m.sql);
        conn
          .prepare('INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES (?, ?, ?, ?, 1)')
          .run(randomUUID(), m.checksum, Date.now(), m.name);
      }
      const broken = conn.pragma('foreign_key_check') as unknown[];
      if (broken.length) throw new Error(`migration left ${broken.length} rows whose foreign key points nowhere: ${JSON.stringify(broken.slice(0, 5))}`);
      return { applied: pending.map((m) => m.name), alreadyApplied: applied.length };
    });
    try {
      return run.immediate();
    } finally {
      conn.pragma('foreign_keys = ON');
    }
  } finally {
    conn.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<MigrationResult> {
  const client = new (pgDriver().Client)({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS _prisma_migrations (
      id VARCHAR(36) PRIMARY KEY NOT NULL,
      checksum VARCHAR(64) NOT NULL,
      finished_at TIMESTAMPTZ,
      migration_name VARCHAR(255) NOT NULL,
      logs TEXT,
      rolled_back_at TIMESTAMPTZ,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      applied_steps_count INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query<AppliedRow>('SELECT migration_name, checksum, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL');
    const pending = checkHistory(migrations, rows);
    for (const m of pending) {
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(
          'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)',
          [randomUUID(), m.checksum, m.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.name} failed: ${(error as Error).message}`);
      }
    }
    return { applied: pending.map((m) => m.name), alreadyApplied: rows.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
