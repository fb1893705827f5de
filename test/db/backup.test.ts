// Issue 18, item 14: backups of the embedded database. `gxgc db backup` takes a consistent copy
// while the bot writes (SQLite's online backup API); `gxgc db restore` checks the file, refuses
// while a bot runs on the database, keeps the database it replaces; the daily backup keeps
// GXGC_BACKUP_KEEP_DAYS days. On PostgreSQL both commands say how to use pg_dump instead.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError, backupSqlite, checkBackupFile, dailyBackupJob, expiredBackups, restoreSqlite } from '../../bot/db/backup.ts';
import { beat, startHeartbeat } from '../../bot/db/heartbeat.ts';
import { runCli } from '../../bot/cli.ts';
import { silentLogger } from '../../bot/logger.ts';
import { createTestDatabase, PG_ADMIN_URL, type TestDatabase } from '../support/database.ts';

const countIn = (file: string, table: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return Number((db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n);
  } finally {
    db.close();
  }
};

describe('daily backup retention', () => {
  it.each([
    [['gxgc-2026-11-01.db', 'gxgc-2026-11-18.db', 'gxgc-2026-11-19.db', 'gxgc-2026-12-02.db', 'before-restore-x.db', 'notes.txt'], '2026-12-02', 14, ['gxgc-2026-11-01.db', 'gxgc-2026-11-18.db']],
    [['gxgc-2026-12-01.db', 'gxgc-2026-12-02.db'], '2026-12-02', 1, ['gxgc-2026-12-01.db']],
    [['gxgc-2026-12-02.db'], '2026-12-02', 14, []],
  ])('%j on %s keeping %i days deletes %j', (names, today, keep, expected) => {
    expect(expiredBackups(names, today, keep)).toEqual(expected);
  });
});

describe('SQLite backup and restore', () => {
  let test: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    test = await createTestDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'gxgc-backup-'));
  });
  afterAll(async () => {
    await test.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up a consistent copy while the bot writes, and restores it when no bot runs', async () => {
    const location = test.target.location;
    const writer = test.reopen();
    let writing = true;
    let written = 0;
    const writes = (async () => {
      while (writing) {
        await writer.db.auditLog.create({ data: { actor: 'test', action: 'write.during.backup', entity: 'Test', entityId: String(written) } });
        written += 1;
        // the SQLite driver answers without leaving the microtask queue: let timers (and the backup's steps) run, as between a bot's messages
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    while (written < 50) await new Promise((resolve) => setTimeout(resolve, 5));
    const before = written;
    const file = join(dir, 'manual.db');
    await backupSqlite(location, file);
    const during = written;
    while (written < during + 50) await new Promise((resolve) => setTimeout(resolve, 5));
    writing = false;
    await writes;

    const check = checkBackupFile(file);
    expect(check).toMatchObject({ ok: true, problems: [] });
    expect(check.migrations).toBeGreaterThan(0);
    const inBackup = countIn(file, 'AuditLog');
    expect(inBackup).toBeGreaterThanOrEqual(before);
    expect(inBackup).toBeLessThan(written);
    expect(existsSync(`${file}.partial`)).toBe(false);

    // a bot says it is running on the database: restore refuses and changes nothing
    const heartbeat = startHeartbeat(writer.db, 'restore-test', silentLogger);
    await beat(writer.db, 'restore-test', new Date());
    await expect(restoreSqlite(file, location, { backupsDir: join(dir, 'backups'), now: new Date() })).rejects.toThrow(/机器人正在使用这个数据库/);
    expect(countIn(location, 'AuditLog')).toBe(written);
    await heartbeat.stop();
    await test.database.close();
    await writer.close();

    const restored = await restoreSqlite(file, location, { backupsDir: join(dir, 'backups'), now: new Date() });
    expect(countIn(location, 'AuditLog')).toBe(inBackup);
    expect(restored.previousCopy && countIn(restored.previousCopy, 'AuditLog')).toBe(written);
    const reopened = test.reopen();
    expect(await reopened.db.auditLog.count({ where: { action: 'write.during.backup' } })).toBe(inBackup);
  });

  it('refuses a file that is not a database of this bot, and changes nothing', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database');
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x INTEGER)');
    db.close();
    for (const file of [junk, other, join(dir, 'missing.db')]) {
      const error = await restoreSqlite(file, test.target.location, { backupsDir: join(dir, 'backups'), now: new Date() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackupError);
      expect((error as Error).message).toMatch(/^不能恢复：.*数据库没有改动。$/);
    }
    expect(checkBackupFile(other).problems.join()).toContain('不是本机器人的数据库');
  });

  it('writes one daily backup a day and deletes the ones past the retention', async () => {
    const backups = join(dir, 'daily');
    const job = dailyBackupJob({ location: test.target.location, dir: backups, keepDays: 14, log: silentLogger });
    await job.run(new Date('2026-11-20T02:00:00Z'));
    await job.run(new Date('2026-11-20T09:00:00Z'));
    await job.run(new Date('2026-12-04T02:00:00Z'));
    await job.run(new Date('2026-12-05T02:00:00Z'));
    expect(readdirSync(backups).sort()).toEqual(['gxgc-2026-12-04.db', 'gxgc-2026-12-05.db']);
    expect(checkBackupFile(join(backups, 'gxgc-2026-12-05.db')).ok).toBe(true);
  });

  it('gxgc db backup FILE writes the file and says where', async () => {
    const out: string[] = [];
    const stdout = new Writable({ write: (chunk, _e, done) => (out.push(String(chunk)), done()) });
    const file = join(dir, 'cli.db');
    const code = await runCli(['db', 'backup', file], { DATABASE_URL: `file:${test.target.location}`, GXGC_DATA_DIR: dir }, { stdin: process.stdin, stdout: stdout as never });
    expect(code).toBe(0);
    expect(out.join('')).toContain(`已备份到 ${file}`);
    expect(checkBackupFile(file).ok).toBe(true);
  });
});

describe('on PostgreSQL', () => {
  it('db backup and db restore say how to use pg_dump and pg_restore', async () => {
    for (const verb of ['backup', 'restore']) {
      const out: string[] = [];
      const stdout = new Writable({ write: (chunk, _e, done) => (out.push(String(chunk)), done()) });
      const code = await runCli(['db', verb, 'x.dump'], { DATABASE_URL: PG_ADMIN_URL }, { stdin: process.stdin, stdout: stdout as never });
      expect(code).toBe(2);
      expect(out.join('')).toContain('pg_dump --format=custom');
      expect(out.join('')).toContain('pg_restore');
    }
  });
});
