// Opens the database named by DATABASE_URL: SQLite (embedded, the default) through the
// better-sqlite3 driver adapter, or PostgreSQL through the pg adapter. Both clients are generated
// from the one model in prisma/schema.prisma, so they share one type, Db. Beside the client, each
// database has a DirectSql (direct-sql.ts) for the statements every message runs.
// The Prisma client (its runtime and query compiler are most of a start's cost) is loaded on the
// first query through it: a start, /help and the per-message statements need only DirectSql.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { PrismaClient as SqliteClient } from '../../generated/sqlite/client.ts';
import { postgresDirectSql, sqliteDirectSql, type BatchOptions, type DirectSql, type Row, type SqlValue, type BatchStep } from './direct-sql.ts';
import type { DatabaseTarget } from './target.ts';
import { startWalCheckpoints, type WalCheckpoints } from './wal-checkpoints.ts';
import type { Logger } from 'pino';
import { directSqlOfClient } from './sql-of.ts';

export type Db = SqliteClient;
export { parseDatabaseUrl, type DatabaseTarget, type Provider } from './target.ts';
export { sqlOf, readSqlOf } from './sql-of.ts';

/**
 * The SQLite adapter factory, with these additions per connection. In WAL mode (set by the
 * migrations runner) synchronous=NORMAL cannot corrupt the database and loses nothing when the
 * process crashes, only the last commits on a power cut; it saves an fsync per write, which is most
 * of a write's cost. And the connection is handed to `onConnection`, so DirectSql shares it. One
 * connection at a time: DirectSql may open it before the Prisma client exists, and the client then
 * gets the same one. Without `automaticCheckpoints` a thread of its own checkpoints the WAL.
 */
function sqliteAdapterFactory(
  factory: PrismaBetterSqlite3,
  onConnection: (connection: BetterSqlite3.Database | null) => void,
  automaticCheckpoints: boolean,
): SqlMigrationAwareDriverAdapterFactory {
  let open: Promise<SqlDriverAdapter> | null = null;
  const connect = async (): Promise<SqlDriverAdapter> => {
    const adapter: SqlDriverAdapter = await factory.connect();
    await adapter.executeRaw({ sql: 'PRAGMA synchronous = NORMAL', args: [], argTypes: [] });
    if (!automaticCheckpoints) await adapter.executeRaw({ sql: 'PRAGMA wal_autocheckpoint = 0', args: [], argTypes: [] });
    // not part of the adapter's typed interface, but its constructor argument; checked here
    const connection = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
    if (!connection || typeof connection.prepare !== 'function') throw new Error('the better-sqlite3 adapter no longer exposes its connection; DirectSql needs it');
    onConnection(connection);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      open = null;
      onConnection(null);
      return dispose();
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => (open ??= connect().catch((error: unknown) => {
      open = null;
      throw error;
    })),
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

/**
 * A Db that loads and constructs the Prisma client on its first use. Every use of a client is a
 * call that returns a promise (db.model.method(...), db.$transaction(fn), db.$queryRaw`...`), so
 * until the client is there each such call waits for it; afterwards calls go straight through.
 */
function lazyClient(create: () => Promise<Db>): Db {
  let client: Db | null = null;
  let loading: Promise<Db> | null = null;
  const load = () => (loading ??= create().then((c) => (client = c)));
  type Fn = (...args: unknown[]) => unknown;
  const call = (get: (c: Db) => Fn, self: (c: Db) => unknown) => (...args: unknown[]) => load().then((c) => get(c).apply(self(c), args));
  const root = new Proxy({}, {
    get(_, prop) {
      if (client) {
        const value: unknown = Reflect.get(client, prop);
        return typeof value === 'function' ? (value as Fn).bind(client) : value;
      }
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      // nothing to disconnect from while the client was never loaded
      if (prop === '$disconnect') return async () => (loading ? (await loading).$disconnect() : undefined);
      const c = (db: Db) => db as unknown as Record<string, Fn & Record<string, Fn>>;
      if (prop.startsWith('$')) return call((db) => c(db)[prop]!, (db) => db);
      return new Proxy({}, {
        get(__, method) {
          if (typeof method !== 'string' || method === 'then') return undefined;
          return call((db) => c(db)[prop]![method]!, (db) => c(db)[prop]);
        },
      });
    },
  });
  return root as Db;
}

/** DirectSql on Prisma's SQLite connection, opening it first when it is not open. */
function sharedSqliteDirectSql(connect: () => Promise<unknown>, current: () => DirectSql | null): DirectSql {
  const ready = async (): Promise<DirectSql> => {
    let sql = current();
    if (!sql) {
      await connect();
      sql = current();
      if (!sql) throw new Error('SQLite connection is not open');
    }
    return sql;
  };
  return {
    provider: 'sqlite',
    query: async <T extends Row>(text: string, params?: readonly SqlValue[]) => (current() ?? (await ready())).query<T>(text, params),
    execute: async (text: string, params?: readonly SqlValue[]) => (current() ?? (await ready())).execute(text, params),
    batch: async (steps: readonly BatchStep[], options?: BatchOptions) => (current() ?? (await ready())).batch(steps, options),
    close: async () => undefined,
  };
}

export interface Database {
  db: Db;
  sql: DirectSql;
  target: DatabaseTarget;
  /** the WAL checkpoint thread, when one was asked for */
  checkpoints?: WalCheckpoints;
  close(): Promise<void>;
}

const targetOfClient = new WeakMap<object, DatabaseTarget>();

/** The database a client opened by openDatabase is connected to, for a driver connection of its own (openDirectSql). */
export function targetOf(db: Db): DatabaseTarget {
  const target = targetOfClient.get(db);
  if (!target) throw new Error('this database client was not opened by openDatabase, so its target is unknown');
  return target;
}

export interface OpenOptions {
  /** SQLite: checkpoint the WAL on a thread of its own (the running bot; wal-checkpoints.ts says why) */
  walCheckpointThread?: { log: Logger };
}

export function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Database {
  if (target.provider === 'sqlite') {
    mkdirSync(dirname(target.location), { recursive: true });
    let shared: DirectSql | null = null;
    const threaded = options.walCheckpointThread;
    // busy timeout: several processes (bot, gxgc command line) may share the file
    const adapter = sqliteAdapterFactory(new PrismaBetterSqlite3({ url: `file:${target.location}`, timeout: 10_000 }), (connection) => {
      shared = connection ? sqliteDirectSql(connection) : null;
    }, !threaded);
    const db = lazyClient(async () => {
      const { PrismaClient } = await import('../../generated/sqlite/client.ts');
      return new PrismaClient({ adapter });
    });
    const sql = sharedSqliteDirectSql(() => adapter.connect(), () => shared);
    directSqlOfClient.set(db, sql);
    targetOfClient.set(db, target);
    const checkpoints = threaded ? startWalCheckpoints(target.location, threaded.log, async () => void (await sql.execute('PRAGMA wal_autocheckpoint = 1000'))) : null;
    // the connection DirectSql opened is closed with the client's, or here when no client was made
    // (the last connection to close checkpoints what is left and removes the WAL)
    return {
      db,
      sql,
      target,
      ...(checkpoints ? { checkpoints } : {}),
      async close() {
        await checkpoints?.stop();
        await db.$disconnect();
        if (shared) await (await adapter.connect()).dispose();
      },
    };
  }
  const db = lazyClient(async () => {
    const [{ PrismaPg }, { PrismaClient }] = await Promise.all([import('@prisma/adapter-pg'), import('../../generated/postgresql/client.ts')]);
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: target.location }) }) as unknown as Db;
  });
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
