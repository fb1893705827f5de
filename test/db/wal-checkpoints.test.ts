// The running bot's SQLite WAL is checkpointed on a thread of its own (bot/db/wal-checkpoints.ts):
// the bot's connection never checkpoints inside a commit, the thread does, and when the thread
// fails the connection checkpoints by itself again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startWalCheckpoints } from '../../bot/db/wal-checkpoints.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const log = pino({ level: 'silent' });

describe('WAL checkpoints on a thread of their own (SQLite)', () => {
  let test: TestDatabase | null = null;
  afterEach(async () => {
    await test?.drop();
    test = null;
  });

  it('the bot’s connection leaves checkpoints to the thread, which copies the WAL into the database', async () => {
    test = await createTestDatabase('sqlite', { seed: false, walCheckpointThread: { log } });
    const { sql, checkpoints } = test.database;
    expect(checkpoints).toBeDefined();
    expect(await sql.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 0 }]);
    // more than the 1,000 pages after which the connection would have checkpointed by itself
    for (let i = 0; i < 1500; i++) {
      await sql.batch([{ sql: 'INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?)', params: [`probe.${i}`, 'x'.repeat(3000), new Date()] }]);
    }
    const result = await checkpoints!.checkpointNow();
    expect(result.busy).toBe(0);
    expect(result.log).toBeGreaterThan(1000);
    expect(result.checkpointed).toBe(result.log);
    // and the rows are there, read by the bot's connection
    expect(await sql.query('SELECT COUNT(*) AS n FROM "Setting" WHERE "key" LIKE \'probe.%\'')).toEqual([{ n: 1500 }]);
  });

  it('without the option the connection checkpoints by itself, as every command-line process does', async () => {
    test = await createTestDatabase('sqlite', { seed: false });
    expect(test.database.checkpoints).toBeUndefined();
    expect(await test.database.sql.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 1000 }]);
  });

  it('a thread that cannot open the database turns the connection’s own checkpoints back on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gxgc-wal-'));
    try {
      const restore = vi.fn(async () => undefined);
      // a directory is not a database file: the thread fails at once
      const checkpoints = startWalCheckpoints(dir, log, restore);
      await vi.waitFor(() => expect(restore).toHaveBeenCalledTimes(1), { timeout: 10_000 });
      await expect(checkpoints.checkpointNow()).rejects.toThrow('not running');
      await checkpoints.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
