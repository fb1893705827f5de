// Opens the database named by DATABASE_URL: SQLite (embedded, the default) through the
// better-sqlite3 driver adapter, or PostgreSQL through the pg adapter. Both clients are generated
// from the one model in prisma/schema.prisma, so they share one type, Db. Beside the client, each
// database has a DirectSql (direct-sql.ts) for the statements every message runs.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient as SqliteClient } from '../../generated/sqlite/client.ts';
import { PrismaClient as PostgresClient } from '../../generated/postgresql/client.ts';
import { postgresDirectSql, sqliteDirectSql, type DirectSql, type Row, type SqlValue, type BatchStep } from './direct-sql.ts';
import type { DatabaseTarget } from './target.ts';

export type Db = SqliteClient;
export { parseDatabaseUrl, type DatabaseTarget, type Provider } from './target.ts';

/**
 * The SQLite adapter factory, with two additions per connection. In WAL mode (set by the
 * migrations runner) synchronous=NORMAL cannot corrupt the database and loses nothing when the
 * process crashes, only the last commits on a power cut; it saves an fsync per write, which is most
 * of a write's cost. And the connection is handed to `onConnection`, so DirectSql shares it.
 */
function sqliteAdapterFactory(
  factory: PrismaBetterSqlite3,
  onConnection: (connection: BetterSqlite3.Database | null) => void,
): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter: SqlDriverAdapter = await factory.connect();
      await adapter.executeRaw({ sql: 'PRAGMA synchronous = NORMAL', args: [], argTypes: [] });
      // not part of the adapter's typed interface, but its constructor argument; checked here
      const connection = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
      if (!connection || typeof connection.prepare !== 'function') throw new Error('the better-sqlite3 adapter no longer exposes its connection; DirectSql needs it');
      onConnection(connection);
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        onConnection(null);
        return dispose();
      };
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

/** DirectSql on Prisma's SQLite connection, connecting the client first when it has not yet. */
function sharedSqliteDirectSql(db: Db, current: () => DirectSql | null): DirectSql {
  const ready = async (): Promise<DirectSql> => {
    let sql = current();
    if (!sql) {
      await db.$connect();
      sql = current();
      if (!sql) throw new Error('SQLite connection is not open');
    }
    return sql;
  };
  return {
    provider: 'sqlite',
    query: async <T extends Row>(text: string, params?: readonly SqlValue[]) => (current() ?? (await ready())).query<T>(text, params),
    execute: async (text: string, params?: readonly SqlValue[]) => (current() ?? (await ready())).execute(text, params),
    batch: async (steps: readonly BatchStep[]) => (current() ?? (await ready())).batch(steps),
    close: async () => undefined,
  };
}

export interface Database {
  db: Db;
  sql: DirectSql;
  target: DatabaseTarget;
  close(): Promise<void>;
}

const directSqlOfClient = new WeakMap<object, DirectSql>();

/** The DirectSql of a client opened by openDatabase. */
export function sqlOf(db: Db): DirectSql {
  const sql = directSqlOfClient.get(db);
  if (!sql) throw new Error('this database client was not opened by openDatabase, so it has no DirectSql');
  return sql;
}

const targetOfClient = new WeakMap<object, DatabaseTarget>();

/** The database a client opened by openDatabase is connected to, for a driver connection of its own (openDirectSql). */
export function targetOf(db: Db): DatabaseTarget {
  const target = targetOfClient.get(db);
  if (!target) throw new Error('this database client was not opened by openDatabase, so its target is unknown');
  return target;
}

export function openDatabase(target: DatabaseTarget): Database {
  if (target.provider === 'sqlite') {
    mkdirSync(dirname(target.location), { recursive: true });
    let shared: DirectSql | null = null;
    // busy timeout: several processes (bot, gxgc command line) may share the file
    const adapter = sqliteAdapterFactory(new PrismaBetterSqlite3({ url: `file:${target.location}`, timeout: 10_000 }), (connection) => {
      shared = connection ? sqliteDirectSql(connection) : null;
    });
    const db = new SqliteClient({ adapter });
    const sql = sharedSqliteDirectSql(db, () => shared);
    directSqlOfClient.set(db, sql);
    targetOfClient.set(db, target);
    return { db, sql, target, close: () => db.$disconnect() };
  }
  const adapter = new PrismaPg({ connectionString: target.location });
  const db = new PostgresClient({ adapter }) as unknown as Db;
  const sql = postgresDirectSql(target.location);
  directSqlOfClient.set(db, sql);
  targetOfClient.set(db, target);
  return {
    db,
    sql,
    target,
    async close() {
      await Promise.all([db.$disconnect(), sql.close()]);
    },
  };
}
