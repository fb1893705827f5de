// DirectSql writes beside Prisma into the same tables, so what one writes the other must read back
// unchanged: instants (also when the process runs on Dongguan time), booleans, nulls. A batch is
// all or nothing, and the shared SQLite connection works before and after Prisma's own connect.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, numberPlaceholders, parseSqliteTimestamp, type Row } from '../../bot/db/direct-sql.ts';
import { sqlOf } from '../../bot/db/client.ts';
import pg from 'pg';
import { createTestDatabase, PG_ADMIN_URL, TEST_PROVIDERS, type TestDatabase } from '../support/database.ts';

/** The writes to any socket while `work` runs (a pipelined part of a batch, say, should be one). */
async function socketWrites<T>(work: () => Promise<T>): Promise<{ result: T; writes: number }> {
  const net = await import('node:net');
  const socket = net.Socket.prototype as unknown as { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
  const { _write: write, _writev: writev } = socket;
  let writes = 0;
  socket._write = function (this: unknown, ...a: unknown[]) {
    writes++;
    return write.apply(this, a);
  };
  socket._writev = function (this: unknown, ...a: unknown[]) {
    writes++;
    return writev.apply(this, a);
  };
  try {
    return { result: await work(), writes };
  } finally {
    socket._write = write;
    socket._writev = writev;
  }
}

describe('numberPlaceholders', () => {
  it('numbers ? in order for PostgreSQL', () => {
    expect(numberPlaceholders('SELECT ? , "a" = ? AND b IN (?, ?)')).toBe('SELECT $1 , "a" = $2 AND b IN ($3, $4)');
  });
});

describe('parseSqliteTimestamp', () => {
  it("reads Prisma's form and SQLite's CURRENT_TIMESTAMP as UTC", () => {
    expect(parseSqliteTimestamp('2026-11-03T02:00:00.000+00:00').toISOString()).toBe('2026-11-03T02:00:00.000Z');
    expect(parseSqliteTimestamp('2026-11-03 02:00:00').toISOString()).toBe('2026-11-03T02:00:00.000Z');
  });
});

describe.each(TEST_PROVIDERS)('DirectSql on %s', (provider) => {
  let test: TestDatabase;
  const originalTz = process.env.TZ;
  beforeAll(async () => {
    test = await createTestDatabase(provider, { seed: false });
  });
  afterAll(async () => {
    await test.drop();
  });
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('works before the Prisma client has run a query of its own', async () => {
    const fresh = test.reopen();
    const rows = await fresh.sql.query<{ n: number }>('SELECT COUNT(*) AS "n" FROM "ServicePoint"');
    expect(rows).toEqual([{ n: 0 }]);
    await fresh.close();
  });

  it('writes instants and booleans that Prisma reads back unchanged, on Dongguan time too', async () => {
    process.env.TZ = 'Asia/Shanghai';
    const at = new Date('2026-11-03T23:30:00.123Z'); // already the 4th in Dongguan
    const sql = sqlOf(test.db);
    await sql.execute(
      'INSERT INTO "ServicePoint" ("town", "name", "level", "isPartyEducationPoint", "active", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)',
      ['石龙镇', '直写村', 'village', true, false, at, at],
    );
    const viaPrisma = await test.db.servicePoint.findFirstOrThrow({ where: { name: '直写村' } });
    expect(viaPrisma.createdAt.toISOString()).toBe(at.toISOString());
    expect(viaPrisma.isPartyEducationPoint).toBe(true);
    expect(viaPrisma.active).toBe(false);

    const later = new Date('2026-12-31T16:00:00.000Z');
    await test.db.servicePoint.update({ where: { id: viaPrisma.id }, data: { updatedAt: later, active: true } });
    const [direct] = await sql.query<{ id: number; updatedAt: Date; active: boolean; isPartyEducationPoint: boolean }>(
      'SELECT "id", "updatedAt", "active", "isPartyEducationPoint" FROM "ServicePoint" WHERE "name" = ?',
      ['直写村'],
    );
    expect(direct).toEqual({ id: viaPrisma.id, updatedAt: later, active: true, isPartyEducationPoint: true });
    // and a comparison in SQL sees the same order as the instants
    const after = await sql.query('SELECT "id" FROM "ServicePoint" WHERE "updatedAt" > ?', [new Date('2026-12-31T15:59:59.999Z')]);
    expect(after).toHaveLength(1);
  });

  it('runs a batch as one transaction: a failing statement undoes the ones before it', async () => {
    const sql = sqlOf(test.db);
    const now = new Date('2026-11-05T00:00:00Z');
    const insert = 'INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?)';
    await expect(
      sql.batch([
        { sql: insert, params: ['batch.a', '1', now] },
        { sql: insert, params: ['batch.a', '2', now] }, // the same key again: unique violation
      ]),
    ).rejects.toThrow();
    expect(await test.db.setting.count({ where: { key: 'batch.a' } })).toBe(0);

    const [, returned] = await sql.batch([
      { sql: insert, params: ['batch.b', '1', now] },
      { sql: 'UPDATE "Setting" SET "value" = ? WHERE "key" = ? RETURNING "value"', params: ['2', 'batch.b'] },
    ]);
    expect(returned).toEqual([{ value: '2' }]);
    expect((await test.db.setting.findUniqueOrThrow({ where: { key: 'batch.b' } })).value).toBe('2');
  });

  it('stores in a batch every kind of value as a statement of its own stores it', async () => {
    const sql = sqlOf(test.db);
    const at = new Date('2026-11-03T23:30:00.123Z');
    const texts = ["引号'和\"双引号\"", 'back\\slash \\x00 ?', '-- not a comment; ? $1 E\'\'', '第二行\n换行', ''];
    const bytes = new Uint8Array([0, 1, 39, 92, 255]);
    const write = (prefix: string) => [
      ...texts.map((text, i) => ({ sql: 'INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?)', params: [`${prefix}.${i}`, text, at] })),
      { sql: 'INSERT INTO "RateLimitWindow" ("key", "windowStart", "count", "warnedAt") VALUES (?, ?, ?, ?)', params: [`${prefix}.n`, at, -3, null] },
      { sql: 'UPDATE "RateLimitWindow" SET "count" = "count" - ? WHERE "key" = ?', params: [-2, `${prefix}.n`] },
      {
        sql: 'INSERT INTO "PendingUpload" ("id", "channel", "chatId", "filename", "content", "fingerprint", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?)',
        params: [`${prefix}.u`, 'console', 'c', 'f.csv', bytes, 'fp', at],
      },
    ];
    await sql.batch(write('literal-batch'));
    for (const statement of write('literal-single')) await sql.execute(statement.sql, statement.params);
    const read = async (prefix: string) => ({
      settings: await sql.query('SELECT "value", "updatedAt" FROM "Setting" WHERE "key" LIKE ? ORDER BY "key"', [`${prefix}.%`]),
      window: await sql.query('SELECT "windowStart", "count", "warnedAt" FROM "RateLimitWindow" WHERE "key" = ?', [`${prefix}.n`]),
      upload: await test.db.pendingUpload.findUniqueOrThrow({ where: { id: `${prefix}.u` }, select: { content: true, createdAt: true } }),
    });
    const batched = await read('literal-batch');
    expect(batched).toEqual(await read('literal-single'));
    expect(batched.settings.map((r: Row) => r.value)).toEqual(texts);
    expect(batched.window).toEqual([{ windowStart: at, count: -1, warnedAt: null }]);
    expect([...batched.upload.content]).toEqual([...bytes]);
  });

  it('gives a function step the rows of the statements before it, and undoes the whole batch on a conflict anywhere', async () => {
    const sql = sqlOf(test.db);
    const at = new Date('2026-11-05T00:00:00Z');
    const insert = (key: string) => ({ sql: 'INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?) RETURNING "key"', params: [key, 'v', at] });
    const guarded = (key: string) => ({ sql: 'UPDATE "Setting" SET "value" = ? WHERE "key" = ?', params: ['w', key], expectChanges: 1 });
    const seen: string[] = [];
    const results = await sql.batch([
      insert('steps.a'),
      (rows) => {
        seen.push(...rows.flat().map((r) => String(r.key)));
        return [insert('steps.b'), guarded('steps.a')];
      },
      insert('steps.c'),
    ]);
    expect(seen).toEqual(['steps.a']);
    expect(results.map((rows) => rows.map((r) => r.key))).toEqual([['steps.a'], ['steps.b'], [], ['steps.c']]);
    expect((await test.db.setting.findUniqueOrThrow({ where: { key: 'steps.a' } })).value).toBe('w');

    // a guarded statement that changes nothing: before a function step, and last
    await expect(sql.batch([insert('conflict.a'), guarded('no such key'), () => [insert('conflict.b')]])).rejects.toBeInstanceOf(ConflictError);
    await expect(sql.batch([insert('conflict.c'), () => [insert('conflict.d')], guarded('no such key')])).rejects.toBeInstanceOf(ConflictError);
    expect(await test.db.setting.count({ where: { key: { startsWith: 'conflict.' } } })).toBe(0);
    // and the connection it ran on is out of the transaction for the next caller
    for (let i = 0; i < 12; i++) await sql.batch([insert(`after.${i}`), insert(`after.${i}.x`)]);
    expect(await test.db.setting.count({ where: { key: { startsWith: 'after.' } } })).toBe(24);
  });

  it('sends each pipelined part of a batch to PostgreSQL in one write, COMMIT with the last (SQLite: stored all the same)', async () => {
    const sql = sqlOf(test.db);
    const insert = (key: string) => ({ sql: 'INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?) RETURNING "key"', params: [key, 'v', new Date()] });
    await sql.batch([insert('warm.a')]); // the pool's first connection is opened outside the count
    const guarded = (key: string) => ({ sql: 'UPDATE "Setting" SET "value" = ? WHERE "key" = ?', params: ['w', key], expectChanges: 1 });
    // two parts: BEGIN and three INSERTs; after the function step, one more INSERT with COMMIT
    const plain = await socketWrites(() => sql.batch([insert('write.a'), insert('write.b'), insert('write.c'), () => [insert('write.d')]]));
    // a last part that must change one row checks that in the server, and COMMIT goes with it
    const checked = await socketWrites(() => sql.batch([insert('write.e'), () => [guarded('write.e')]]));
    const conflict = await socketWrites(() => expect(sql.batch([insert('write.f'), () => [guarded('no such key')]])).rejects.toBeInstanceOf(ConflictError));
    // without the cork: a write per statement, BEGIN and COMMIT included (6); COMMIT after the check (3)
    if (provider === 'postgresql') expect([plain.writes, checked.writes, conflict.writes]).toEqual([2, 2, 3]); // the conflict's third: its ROLLBACK
    expect(await test.db.setting.count({ where: { key: { startsWith: 'write.' } } })).toBe(5);
    expect((await test.db.setting.findUniqueOrThrow({ where: { key: 'write.e' } })).value).toBe('w');
  });

  it('checks a guarded statement that returns rows in the same write as COMMIT, handing its rows over unchanged', async () => {
    const sql = sqlOf(test.db);
    const at = new Date('2026-11-05T00:00:00Z');
    await sql.batch([{ sql: 'INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?)', params: ['returning.warm', 'v', at] }]);
    const upsert = (key: string, expectChanges: number) => ({
      sql: 'INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?) ON CONFLICT ("key") DO UPDATE SET "value" = "Setting"."value" || \'+\' RETURNING "key", "value"',
      params: [key, 'v', at],
      expectChanges,
    });
    const heard: Row[][] = [];
    const listen = (statement: ReturnType<typeof upsert>) => ({ ...statement, onRows: (rows: readonly Row[]) => void heard.push([...rows]) });
    const follow = { sql: 'UPDATE "Setting" SET "updatedAt" = ? WHERE "key" = ?', params: [at, 'returning.a'] };
    const stored = await socketWrites(() => sql.batch([listen(upsert('returning.a', 1)), follow]));
    // BEGIN, the upsert, the update and COMMIT in one write; the rows as the statement returns them
    if (provider === 'postgresql') expect(stored.writes).toBe(1);
    expect(stored.result[0]).toEqual([{ key: 'returning.a', value: 'v' }]);
    expect(heard).toEqual([[{ key: 'returning.a', value: 'v' }]]);
    await sql.batch([listen(upsert('returning.a', 1)), follow]);
    expect(heard[1]).toEqual([{ key: 'returning.a', value: 'v+' }]);
    // a count other than the one expected rolls the whole batch back, the statement after it too
    await expect(sql.batch([upsert('returning.b', 2), { sql: 'INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?)', params: ['returning.c', 'v', at] }])).rejects.toBeInstanceOf(ConflictError);
    const none = { sql: 'UPDATE "Setting" SET "value" = ? WHERE "key" = ? RETURNING "key"', params: ['x', 'no such key'], expectChanges: 1 };
    await expect(sql.batch([upsert('returning.d', 1), none])).rejects.toBeInstanceOf(ConflictError);
    expect(await test.db.setting.findMany({ where: { key: { startsWith: 'returning.' } }, select: { key: true, value: true }, orderBy: { key: 'asc' } })).toEqual([
      { key: 'returning.a', value: 'v+' },
      { key: 'returning.warm', value: 'v' },
    ]);
  });

  it('sends the statements of concurrent callers in one write, and answers each its own rows', async () => {
    const sql = sqlOf(test.db);
    const select = (n: number) => sql.query<{ n: number }>('SELECT CAST(? AS INTEGER) AS "n"', [n]);
    await select(0); // the shared connection is opened outside the count
    const { result: answers, writes } = await socketWrites(() => Promise.all(Array.from({ length: 20 }, (_, i) => select(i + 1))));
    expect(answers.map((rows) => rows.map((r) => r.n))).toEqual(Array.from({ length: 20 }, (_, i) => [i + 1]));
    if (provider === 'postgresql') expect(writes).toBe(1);
  });

  it('does not keep a quick statement waiting behind a slow one, and a failing one fails alone', async () => {
    const sql = sqlOf(test.db);
    const finished: string[] = [];
    const slow = sql.query(provider === 'postgresql' ? 'SELECT pg_sleep(0.3) AS "slept"' : 'SELECT 1 AS "slept"').then(() => finished.push('slow'));
    await new Promise((resolve) => setTimeout(resolve, 100)); // past the 50 ms it may hold others up
    const failing = sql.query('SELECT * FROM "NoSuchTable"').catch(() => finished.push('failed'));
    const quick = sql.query('SELECT 1 AS "one"').then((rows) => finished.push(`quick ${rows[0]!.one}`));
    await Promise.all([slow, failing, quick]);
    if (provider === 'postgresql') expect(finished).toEqual(['failed', 'quick 1', 'slow']);
    else expect(finished).toEqual(['slow', 'failed', 'quick 1']);
  });

  it('still sends a quick statement past a slow one after more than a thousand answered while others were in flight', async () => {
    const sql = sqlOf(test.db);
    const select = (n: number) => sql.query<{ n: number }>('SELECT CAST(? AS INTEGER) AS "n"', [n]);
    // 1,100 at once, and 200 more sent as the thousandth is answered: at the 1,024th answer some are in flight
    const more: Promise<{ n: number }[]>[] = [];
    const first = Array.from({ length: 1100 }, (_, i) =>
      select(i).then((rows) => {
        if (i === 999) for (let j = 0; j < 200; j++) more.push(select(2000 + j));
        return rows;
      }),
    );
    const answers = [...(await Promise.all(first)), ...(await Promise.all(more))];
    expect(answers.map((rows) => rows[0]!.n)).toEqual([...Array.from({ length: 1100 }, (_, i) => i), ...Array.from({ length: 200 }, (_, j) => 2000 + j)]);
    const finished: string[] = [];
    const slow = sql.query(provider === 'postgresql' ? 'SELECT pg_sleep(0.3) AS "slept"' : 'SELECT 1 AS "slept"').then(() => finished.push('slow'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sql.query('SELECT 1 AS "one"').then(() => finished.push('quick'));
    await slow;
    expect(finished).toEqual(provider === 'postgresql' ? ['quick', 'slow'] : ['slow', 'quick']);
  });

  it('commits a batch asked not to wait for the disk like any other; on PostgreSQL that batch alone skips the wait', async () => {
    const sql = sqlOf(test.db);
    const write = { sql: 'INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?)', params: ['nodisk.a', '1', new Date()] };
    await sql.batch([write], { waitForDisk: false });
    expect(await test.db.setting.findUnique({ where: { key: 'nodisk.a' } })).toMatchObject({ value: '1' });
    // SQLite's synchronous = NORMAL already commits without an fsync of its own: nothing more to ask there
    if (provider === 'sqlite') return;
    const setting = { sql: "SELECT current_setting('synchronous_commit') AS \"v\"" };
    expect(await sql.batch([setting], { waitForDisk: false })).toEqual([[{ v: 'off' }]]);
    // every connection of the pool afterwards, and a batch not asked to
    const after = await Promise.all(Array.from({ length: 12 }, () => sql.query(setting.sql)));
    expect(after.flat().map((r) => r.v)).toEqual(Array(12).fill('on'));
    expect(await sql.batch([setting, setting])).toEqual([[{ v: 'on' }], [{ v: 'on' }]]);
  });

  it('keeps answering correctly past its statement cache', async () => {
    const sql = sqlOf(test.db);
    // more distinct statements than the cache holds, then the first ones again
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) {
        const [row] = await sql.query<{ v: number }>(`SELECT ${i} + ? AS "v"`, [1]);
        expect(row!.v).toBe(i + 1);
      }
    }
  });

  it('reports the rows a statement changed', async () => {
    const sql = sqlOf(test.db);
    const changed = await sql.execute('UPDATE "ServicePoint" SET "active" = ? WHERE "town" = ?', [true, '石龙镇']);
    expect(changed).toBe(1);
    expect(await sql.execute('UPDATE "ServicePoint" SET "active" = ? WHERE "town" = ?', [true, '没有这个镇'])).toBe(0);
  });
});

describe.each(TEST_PROVIDERS)('DirectSql beside a Prisma transaction on %s', (provider) => {
  it('is not swept into it: a transaction rolled back meanwhile keeps what DirectSql wrote', async () => {
    const test = await createTestDatabase(provider, { seed: false });
    try {
      const now = new Date('2026-11-05T00:00:00Z');
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let inside!: () => void;
      const started = new Promise<void>((resolve) => (inside = resolve));
      const prismaWork = test.db
        .$transaction(async (tx) => {
          await tx.setting.create({ data: { key: 'prisma.tx', value: '1', updatedAt: now } });
          inside();
          await held;
          throw new Error('rolled back on purpose');
        })
        .catch((error: Error) => error.message);
      await started;
      const direct = sqlOf(test.db).execute('INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?)', ['direct', '1', now]);
      release();
      expect(await prismaWork).toBe('rolled back on purpose');
      expect(await direct).toBe(1);
      expect((await test.db.setting.findMany({ orderBy: { key: 'asc' } })).map((s) => s.key)).toEqual(['direct']);
    } finally {
      await test.drop();
    }
  });
});

describe('DirectSql on postgresql when the server drops its connections', () => {
  it('survives idle connections being killed and reconnects for the next query', async () => {
    const test = await createTestDatabase('postgresql', { seed: false });
    try {
      const sql = sqlOf(test.db);
      await Promise.all([sql.query('SELECT 1 AS "one"'), sql.query('SELECT 2 AS "two"')]);
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      try {
        const database = new URL(test.target.location).pathname.slice(1);
        const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
        expect(killed.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      // let the pool see the dropped sockets while they are idle
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await sql.query('SELECT 3 AS "three"')).toEqual([{ three: 3 }]);
    } finally {
      await test.drop();
    }
  });
});
