// Opens the database named by DATABASE_URL: SQLite (embedded, the default) through the
// better-sqlite3 driver adapter, or PostgreSQL through the pg adapter. Both clients are generated
// from the one model in prisma/schema.prisma, so they share one type, Db.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient as SqliteClient } from '../../generated/sqlite/client.ts';
import { PrismaClient as PostgresClient } from '../../generated/postgresql/client.ts';

export type Db = SqliteClient;
export type Provider = 'sqlite' | 'postgresql';

export interface DatabaseTarget {
  provider: Provider;
  /** for sqlite: absolute file path; for postgresql: the connection string */
  location: string;
}

export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  if (/^postgres(ql)?:\/\//.test(url)) return { provider: 'postgresql', location: url };
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error('DATABASE_URL file: needs a path, e.g. file:./data/gxgc.db');
    return { provider: 'sqlite', location: resolve(cwd, path) };
  }
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got: ${url.replace(/:[^:@/]*@/, ':***@')}`);
}

/**
 * In WAL mode (set by the migrations runner) synchronous=NORMAL cannot corrupt the database and
 * loses nothing when the process crashes, only the last commits on a power cut; it saves an fsync
 * per write, which is most of a write's cost. The pragma is per connection, hence the wrapper.
 */
function withWalNormalSync(factory: PrismaBetterSqlite3): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = await factory.connect();
      await adapter.executeRaw({ sql: 'PRAGMA synchronous = NORMAL', args: [], argTypes: [] });
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

export interface Database {
  db: Db;
  target: DatabaseTarget;
  close(): Promise<void>;
}

export function openDatabase(target: DatabaseTarget): Database {
  if (target.provider === 'sqlite') {
    mkdirSync(dirname(target.location), { recursive: true });
    // busy timeout: several processes (bot, gxgc command line) may share the file
    const adapter = withWalNormalSync(new PrismaBetterSqlite3({ url: `file:${target.location}`, timeout: 10_000 }));
    const db = new SqliteClient({ adapter });
    return { db, target, close: () => db.$disconnect() };
  }
  const adapter = new PrismaPg({ connectionString: target.location });
  const db = new PostgresClient({ adapter }) as unknown as Db;
  return { db, target, close: () => db.$disconnect() };
}
