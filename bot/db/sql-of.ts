// The DirectSql behind each client openDatabase made. Kept apart from client.ts so that a module
// reading through a capability's ReadDb (the report template, the rules) does not load the Prisma
// adapters with it: `gxgc report export` runs on a driver connection of its own.
import type { DirectSql } from './direct-sql.ts';
import type { Db } from './client.ts';
import type { ReadDb, ReadSql } from '../core/capability.ts';

export const directSqlOfClient = new WeakMap<object, DirectSql>();

/** The DirectSql of a client opened by openDatabase. */
export function sqlOf(db: Db): DirectSql {
  const sql = directSqlOfClient.get(db);
  if (!sql) throw new Error('this database client was not opened by openDatabase, so it has no DirectSql');
  return sql;
}

/**
 * The DirectSql of the client behind a capability's read-only view of it (the core hands capabilities
 * the client itself, narrowed to reads), for reads that run on every message.
 */
export function readSqlOf(db: ReadDb): ReadSql {
  return sqlOf(db as unknown as Db);
}
