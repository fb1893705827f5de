// SQL straight on the driver, for the few statements every message runs (who is writing, where the
// dialogue stands, the month's report) and for bulk work. Through Prisma each statement costs a
// fixed 70–350 µs of JavaScript (query interpretation, argument mapping, a fresh prepare per call on
// SQLite) whatever its size; on a prepared driver statement it is a few µs. Everything else stays
// on Prisma, which owns the schema and the migrations.
//
// The SQL is written once for both databases: double-quoted identifiers and `?` placeholders
// (rewritten to $1, $2 … for PostgreSQL; so no `?` may appear inside a literal). Values and rows are
// the same on both sides: booleans are true/false, DateTime columns come back as Date and are
// written in the format Prisma writes, integers come back as number.
//
// On SQLite the bot shares Prisma's own connection (a second connection in the same thread could
// wait synchronously for a lock Prisma holds across an await, and never get it). Statements on one
// connection are atomic; a `batch` runs inside one synchronous better-sqlite3 transaction, so
// nothing else in the process can interleave with it. Prisma's transactions on that connection do
// span awaits, and a statement issued meanwhile would become part of them (and be rolled back
// with them), so DirectSql waits until the connection is out of any transaction.
import { createRequire } from 'node:module';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { Provider } from './client.ts';
import type { DatabaseTarget } from './target.ts';

/** Uint8Array: a Bytes column (BLOB, BYTEA) */
export type SqlValue = string | number | bigint | boolean | Date | Uint8Array | null;
export interface Statement {
  sql: string;
  params?: readonly SqlValue[];
  /** the whole batch is rolled back with a ConflictError unless this statement changes (or returns) this many rows */
  expectChanges?: number;
  /**
   * hears the statement's rows once the batch has them (on PostgreSQL, in the last part, after its
   * COMMIT): a function step that only reads them would cost a round trip of its own there
   */
  onRows?(rows: readonly Row[]): void;
}
export type Row = Record<string, unknown>;
/**
 * A batch step: a statement, or statements made from the rows of the steps before it (an id an
 * INSERT … RETURNING gave). A function runs inside the transaction, synchronously, so it must not
 * do I/O of its own.
 */
export type BatchStep = Statement | ((results: readonly Row[][]) => readonly BatchStep[]);

/** A guarded statement changed another number of rows than expected: someone else got there first. */
export class ConflictError extends Error {
  /** changes: null when the server checked the count itself (a self-checking statement) */
  constructor(readonly statement: string, readonly changes: number | null, readonly expected: number) {
    super(`expected ${expected} changed rows, got ${changes ?? 'another number'}: ${statement.slice(0, 80)}`);
    this.name = 'ConflictError';
  }
}

function checkChanges(statement: Statement, changes: number): void {
  if (statement.expectChanges !== undefined && changes !== statement.expectChanges) {
    throw new ConflictError(statement.sql, changes, statement.expectChanges);
  }
}

export interface BatchOptions {
  /**
   * false: on PostgreSQL the commit returns before its WAL is on disk (synchronous_commit off for
   * this transaction), so a slow disk never holds the caller up; a crash of the server or the machine
   * may undo the last fraction of a second of such commits, each one whole. SQLite in WAL mode with
   * synchronous=NORMAL makes that trade for every commit already.
   */
  waitForDisk?: boolean;
}

export interface DirectSql {
  readonly provider: Provider;
  /** the rows of a SELECT or of an INSERT/UPDATE … RETURNING */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** runs a statement; the number of rows it changed */
  execute(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** the statements in one transaction, all or nothing; the rows each returned, in order */
  batch(steps: readonly BatchStep[], options?: BatchOptions): Promise<Row[][]>;
  close(): Promise<void>;
}

/** How Prisma's SQLite adapter writes a DateTime (iso8601, "+00:00"); text comparisons rely on the same form. */
export function sqliteTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** Prisma's form, or SQLite's CURRENT_TIMESTAMP ("2026-11-25 23:00:00", UTC without a zone). */
export function parseSqliteTimestamp(text: string): Date {
  return new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text);
}

function sqliteValue(value: SqlValue): string | number | bigint | Buffer | null {
  if (value instanceof Date) return sqliteTimestamp(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

interface PreparedSqlite {
  statement: BetterSqlite3.Statement;
  reader: boolean;
  /** names of the columns declared DATETIME / BOOLEAN, converted on the way out */
  dates: string[];
  booleans: string[];
}

const STATEMENT_CACHE_SIZE = 256;

/** A DirectSql on an open better-sqlite3 connection (Prisma's, or one of its own). */
export function sqliteDirectSql(connection: BetterSqlite3.Database, onClose: () => void = () => undefined): DirectSql {
  const cache = new Map<string, PreparedSqlite>();

  async function outsideOtherTransactions(): Promise<void> {
    while (connection.inTransaction) await new Promise((resolve) => setImmediate(resolve));
  }

  function prepare(sql: string): PreparedSqlite {
    let prepared = cache.get(sql);
    if (prepared) {
      // most recently used last: the Map's order is the eviction order
      cache.delete(sql);
      cache.set(sql, prepared);
      return prepared;
    }
    const statement = connection.prepare(sql);
    const reader = statement.reader;
    if (reader) statement.safeIntegers(false);
    const columns = reader ? statement.columns() : [];
    prepared = {
      statement,
      reader,
      dates: columns.filter((c) => c.type?.toUpperCase() === 'DATETIME').map((c) => c.name),
      booleans: columns.filter((c) => c.type?.toUpperCase() === 'BOOLEAN').map((c) => c.name),
    };
    cache.set(sql, prepared);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return prepared;
  }

  function readRows(prepared: PreparedSqlite, params: readonly SqlValue[]): Row[] {
    const rows = prepared.statement.all(...params.map(sqliteValue)) as Row[];
    if (prepared.dates.length || prepared.booleans.length) {
      for (const row of rows) {
        for (const name of prepared.dates) if (typeof row[name] === 'string') row[name] = parseSqliteTimestamp(row[name] as string);
        for (const name of prepared.booleans) if (row[name] !== null) row[name] = Boolean(row[name]);
      }
    }
    return rows;
  }

  /** in order: a function step sees the rows of every statement before it */
  function runSteps(steps: readonly BatchStep[], results: Row[][]): void {
    for (const step of steps) {
      if (typeof step === 'function') runSteps(step(results), results);
      else {
        const rows = runOne(step);
        results.push(rows);
        step.onRows?.(rows);
      }
    }
  }

  function runOne(statement: Statement): Row[] {
    const { sql, params = [] } = statement;
    const prepared = prepare(sql);
    if (prepared.reader) {
      const rows = readRows(prepared, params);
      checkChanges(statement, rows.length);
      return rows;
    }
    checkChanges(statement, prepared.statement.run(...params.map(sqliteValue)).changes);
    return [];
  }

  return {
    provider: 'sqlite',
    async query<T extends Row>(sql: string, params: readonly SqlValue[] = []) {
      if (connection.inTransaction) await outsideOtherTransactions();
      return runOne({ sql, params }) as T[];
    },
    async execute(sql, params = []) {
      if (connection.inTransaction) await outsideOtherTransactions();
      const prepared = prepare(sql);
      if (prepared.reader) return readRows(prepared, params).length;
      return prepared.statement.run(...params.map(sqliteValue)).changes;
    },
    async batch(steps) {
      if (connection.inTransaction) await outsideOtherTransactions();
      return connection.transaction(() => {
        const results: Row[][] = [];
        runSteps(steps, results);
        return results;
      })();
    },
    async close() {
      cache.clear();
      onClose();
    },
  };
}

/** `?` placeholders as PostgreSQL's $1, $2 … */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function pgValue(value: SqlValue): unknown {
  // "timestamp(3) without time zone" columns hold UTC, as Prisma writes them; pg would send a Date in local time
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

let pgModule: typeof pg | null = null;

/** The pg driver, loaded by the first PostgreSQL connection: a process on SQLite never needs it (~13 MB, ~30 ms). */
export function pgDriver(): typeof pg {
  return (pgModule ??= createRequire(import.meta.url)('pg') as typeof pg);
}

const PG_TIMESTAMP = 1114;
const PG_INT8 = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === PG_TIMESTAMP) return (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
    if (oid === PG_INT8) return (text: string) => Number(text);
    return pgDriver().types.getTypeParser(oid, format as 'text');
  },
};

/** Runs statements as named ones, which PostgreSQL keeps prepared (with their plans) per connection. */
function namedStatements(): (client: pg.Pool | pg.ClientBase, statement: Statement) => Promise<pg.QueryResult> {
  const names = new Map<string, { name: string; text: string }>();
  return (client, { sql, params = [] }) => {
    let entry = names.get(sql);
    if (!entry) names.set(sql, (entry = { name: `gxgc_${names.size + 1}`, text: numberPlaceholders(sql) }));
    return client.query({ name: entry.name, text: entry.text, values: params.map(pgValue) });
  };
}

type RunStatement = ReturnType<typeof namedStatements>;

/** The client's socket, as pg's own Query reaches it to cork it (query.js, before prepare). */
function socketOf(client: pg.ClientBase): { cork?(): void; uncork?(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection?.stream;
}

/**
 * Queries sent meanwhile leave in one write to the server's socket. pg corks the socket around each
 * query's own messages, so a pipelined part of five statements would be five writes; on loopback
 * each write runs the server's side of TCP too, and the writes were a quarter of the bot's thread.
 * A pipelined client sends a query as it is called, so the writes all happen inside `send`.
 */
function inOneWrite<T>(client: pg.ClientBase, send: () => T): T {
  const stream = socketOf(client);
  stream?.cork?.();
  try {
    return send();
  } finally {
    stream?.uncork?.();
  }
}

const DIVISION_BY_ZERO = '22012';
/** the column a self-checking statement that returns rows adds to them (dropped from its results) */
const CHECKED = 'gxgc_checked';

/**
 * A guarded write that fails, in the server, unless it changed the rows expected: a division by zero
 * aborts the transaction, so the COMMIT sent behind it rolls back. One with rows of its own to
 * return (RETURNING) returns them beside the check. null for a statement that cannot be wrapped.
 */
function selfChecking(statement: Statement): Statement | null {
  const { sql, params, expectChanges } = statement;
  if (expectChanges === undefined) return statement;
  if (!/^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql)) return null;
  const expected = Number(expectChanges);
  const check = (from: string) => `SELECT 1 / (CASE WHEN count(*) = ${expected} THEN 1 ELSE 0 END) AS "ok" FROM ${from}`;
  let wrapped: string;
  if (!/\bRETURNING\b/i.test(sql)) wrapped = `WITH "guarded" AS (${sql} RETURNING 1) ${check('"guarded"')}`;
  // the check's one row joined to the rows returned: none returned still evaluates (and fails) the check
  else if (expected > 0) wrapped = `WITH "guarded" AS (${sql}) SELECT "guarded".*, "check"."ok" AS "${CHECKED}" FROM (${check('"guarded"')}) AS "check" LEFT JOIN "guarded" ON true`;
  else return null;
  return params === undefined ? { sql: wrapped } : { sql: wrapped, params };
}

/** The rows a self-checking statement returned, as the statement itself would have (none: the check's own row). */
function uncheckedRows(rows: Row[]): Row[] {
  if (!rows[0] || !(CHECKED in rows[0])) return [];
  return rows.map(({ [CHECKED]: _checked, ...row }) => row);
}

/**
 * A batch with as few waits for the server as its steps allow: the connections are in pg's
 * pipeline mode, so the statements up to the next function step (which needs their rows) are sent
 * together, still as named statements with their plans kept, and answered together: one round
 * trip where each was one. BEGIN goes with the first part, COMMIT with the last; a statement there
 * that must change a given number of rows checks that itself, in SQL (selfChecking), so COMMIT need
 * not wait for its answer.
 */
async function inTransaction(client: pg.ClientBase, steps: readonly BatchStep[], run: RunStatement, options: BatchOptions = {}): Promise<Row[][]> {
  const opening = ['BEGIN', ...(options.waitForDisk === false ? ['SET LOCAL synchronous_commit TO off'] : [])];
  const results: Row[][] = [];
  let pending: Statement[] = [];
  let begun = false;
  /** sends the statements waiting; true when COMMIT went with them */
  async function send(last: boolean): Promise<boolean> {
    const statements = pending;
    pending = [];
    const checking = last ? statements.map(selfChecking) : [];
    const commit = last && checking.every((s) => s !== null);
    const sending = commit ? (checking as Statement[]) : statements;
    const sent = inOneWrite(client, () => [
      ...(begun ? [] : opening).map((text) => client.query(text)),
      ...sending.map((statement) => run(client, statement)),
      ...(commit ? [client.query('COMMIT')] : []),
    ]);
    const first = begun ? 0 : opening.length;
    begun = true;
    // every answer is awaited, so none is left rejecting unheard; the first failure is the cause
    // (the statements after it failed because the transaction had)
    const answers = await Promise.allSettled(sent);
    const failed = answers.findIndex((answer) => answer.status === 'rejected');
    if (failed >= 0) {
      const reason = (answers[failed] as PromiseRejectedResult).reason as { code?: string };
      const statement = statements[failed - first];
      // a self-checking statement that changed another number of rows (COMMIT then rolled back)
      if (statement && sending[failed - first] !== statement && reason.code === DIVISION_BY_ZERO) {
        throw new ConflictError(statement.sql, null, statement.expectChanges!);
      }
      throw reason;
    }
    statements.forEach((statement, i) => {
      const result = (answers[first + i] as PromiseFulfilledResult<pg.QueryResult>).value;
      let rows = result.rows as Row[];
      // a self-checking statement was checked by the server
      if (sending[i] !== statement) rows = uncheckedRows(rows);
      else checkChanges(statement, result.rowCount ?? 0);
      results.push(rows);
      statement.onRows?.(rows);
    });
    return commit;
  }
  async function runSteps(list: readonly BatchStep[]): Promise<void> {
    for (const step of list) {
      if (typeof step !== 'function') pending.push(step);
      else {
        if (pending.length) await send(false);
        await runSteps(step(results));
      }
    }
  }
  try {
    await runSteps(steps);
    const committed = pending.length ? await send(true) : false;
    if (begun && !committed) await client.query('COMMIT');
    return results;
  } catch (error) {
    if (begun) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

// long enough that a queue of quick statements under load stays on the shared connection (at 5 ms a
// burst sent most of them to the pool, each a write of its own: a third less throughput), short
// enough that a slow statement holds the quick ones up by no more than that
const HEAD_OF_LINE_MS = 50;

/**
 * One connection that every statement outside a transaction shares, many in flight at once (pg's
 * pipeline mode): the statements of concurrent messages issued in the same turn of the event loop
 * leave in one write and are answered in one read, where each took a write and a wake-up of the
 * server's process and of this one. Each statement is its own implicit transaction (pg sends a
 * Sync after each), so one failing fails alone. A lost connection fails what was in flight on it;
 * the next statement opens a new one. While the oldest statement in flight has waited longer than
 * HEAD_OF_LINE_MS (a long report, an export's page), new ones go to the pool instead of queueing
 * behind it.
 */
function sharedConnection(connectionString: string, run: RunStatement, pool: pg.Pool): { run(statement: Statement): Promise<pg.QueryResult>; end(): Promise<void> } {
  interface Live {
    client: pg.Client;
    ready: Promise<pg.Client>;
    connected: boolean;
  }
  let live: Live | null = null;
  let corked: unknown = null;
  /** when each statement in flight was sent, oldest first; the first `answered` are answered */
  const sentAt: number[] = [];
  let answered = 0;
  const open = (): Promise<pg.Client> => {
    if (live) return live.ready;
    const client = new (pgDriver().Client)({ connectionString, types: pgTypes as pg.CustomTypesConfig, pipeline: true });
    const entry: Live = { client, connected: false, ready: client.connect().then((): pg.Client => ((entry.connected = true), client)) };
    const forget = () => {
      if (live === entry) live = null;
    };
    // the server ending the connection fails what was in flight; unheard, 'error' would end the process
    client.on('error', forget);
    client.on('end', forget);
    entry.ready.catch(forget);
    live = entry;
    return entry.ready;
  };
  return {
    async run(statement) {
      // answers come back in the order sent, so the oldest in flight is the first not yet answered
      if (answered < sentAt.length && performance.now() - sentAt[answered]! > HEAD_OF_LINE_MS) return run(pool, statement);
      const client = live?.connected ? live.client : await open();
      const stream = socketOf(client);
      if (stream?.cork && corked !== stream) {
        corked = stream;
        stream.cork();
        process.nextTick(() => {
          corked = null;
          stream.uncork?.();
        });
      }
      sentAt.push(performance.now());
      const result = run(client, statement);
      const done = () => {
        answered += 1;
        if (answered === sentAt.length) {
          sentAt.length = 0;
          answered = 0;
        } else if (answered >= 1024) {
          // under steady load something is always in flight: the answered ones are dropped in bulk
          sentAt.splice(0, answered);
          answered = 0;
        }
      };
      result.then(done, done);
      return result;
    },
    async end() {
      const entry = live;
      live = null;
      if (entry) await entry.ready.then((client) => client.end(), () => undefined);
    },
  };
}

/** A DirectSql on a pool of its own, for transactions, and one shared connection for the rest. */
export function postgresDirectSql(connectionString: string, poolSize = 10): DirectSql {
  const pool = new (pgDriver().Pool)({ connectionString, max: poolSize, types: pgTypes as pg.CustomTypesConfig, pipeline: true });
  // an idle connection the server dropped (a restart, a network cut) is an 'error' event, which
  // would end the process if nobody listened; the pool discards it and the next query reconnects
  pool.on('error', () => undefined);
  const run = namedStatements();
  const shared = sharedConnection(connectionString, run, pool);
  return {
    provider: 'postgresql',
    query: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => (await shared.run({ sql, params })).rows as T[],
    execute: async (sql, params = []) => (await shared.run({ sql, params })).rowCount ?? 0,
    async batch(steps, options) {
      const [only] = steps;
      // one statement is a transaction by itself: BEGIN and COMMIT would be two more round trips
      if (steps.length === 1 && typeof only === 'object' && options?.waitForDisk !== false) {
        const result = await shared.run(only);
        checkChanges(only, result.rowCount ?? 0);
        only.onRows?.(result.rows as Row[]);
        return [result.rows as Row[]];
      }
      const client = await pool.connect();
      try {
        return await inTransaction(client, steps, run, options);
      } finally {
        client.release();
      }
    },
    async close() {
      await shared.end();
      await pool.end();
    },
  };
}

/**
 * A DirectSql on a driver connection of its own, with no Prisma client: for the command line's bulk
 * work (directory import, monthly export), where the client and its query compiler would be most of
 * the process's memory. One connection, not a pool, so that temporary tables stay visible to every
 * statement; meant for one caller at a time. A `batch` is its transaction.
 */
export function openDirectSql(target: DatabaseTarget): DirectSql {
  if (target.provider === 'postgresql') return postgresSession(target.location);
  // the file exists: the migrations runner creates it; a typo in a path must not create an empty database
  const connection = new BetterSqlite3(target.location, { timeout: 10_000, fileMustExist: true });
  // as on Prisma's connections (client.ts): safe in WAL mode, and an fsync less per commit
  connection.pragma('synchronous = NORMAL');
  // better-sqlite3 builds SQLite with a 16 MB page cache per database, and the temporary tables of a
  // bulk import have a database of their own: SQLite's usual 2 MB each keeps the process 50 MB
  // smaller in a directory import, and the statements were no slower for it
  connection.pragma('cache_size = -2000');
  connection.pragma('temp.cache_size = -2000');
  return sqliteDirectSql(connection, () => connection.close());
}

function postgresSession(connectionString: string): DirectSql {
  const client = new (pgDriver().Client)({ connectionString, types: pgTypes as pg.CustomTypesConfig, pipeline: true });
  // the server ending the connection fails the statement running or the next one; unheard, the
  // client's 'error' event would end the process
  client.on('error', () => undefined);
  let connecting: Promise<unknown> | null = null;
  const ready = () => (connecting ??= client.connect());
  const run = namedStatements();
  return {
    provider: 'postgresql',
    async query<T extends Row>(sql: string, params: readonly SqlValue[] = []) {
      await ready();
      return (await run(client, { sql, params })).rows as T[];
    },
    async execute(sql, params = []) {
      await ready();
      return (await run(client, { sql, params })).rowCount ?? 0;
    },
    async batch(steps, options) {
      await ready();
      return inTransaction(client, steps, run, options);
    },
    async close() {
      if (connecting) await connecting.catch(() => undefined);
      await client.end();
    },
  };
}
