// Backups of the embedded SQLite database: `gxgc db backup FILE` and the daily automatic one under
// data/backups/ (kept GXGC_BACKUP_KEEP_DAYS days) use SQLite's online backup API, which copies a
// consistent snapshot while the bot keeps writing. `gxgc db restore FILE` checks the file first (a
// readable SQLite database that passes quick_check, with this bot's tables and no migration this
// version does not know), refuses while a bot runs on the database (bot/db/heartbeat.ts), keeps a
// copy of the database it replaces, and swaps the file in whole. PostgreSQL is backed up with
// pg_dump (README).
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { localDateString } from '../time.ts';
import { listMigrations } from './migrate.ts';
import { HEARTBEAT_STALE_MS } from './heartbeat.ts';

/** pages per backup step: all at once after the first, so writes from the bot cannot keep restarting a long copy */
const PAGES_PER_STEP = 1_000_000;
const REQUIRED_TABLES = ['_prisma_migrations', 'ServicePoint', 'Contact', 'MonthlyReport', 'Setting'];
const DAILY_NAME = /^gxgc-(\d{4}-\d{2}-\d{2})\.db$/;

export async function backupSqlite(location: string, file: string): Promise<{ bytes: number }> {
  if (!existsSync(location)) throw new BackupError(`数据库文件不存在：${location}`);
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const source = new Database(location, { fileMustExist: true, timeout: 10_000 });
  try {
    await source.backup(partial, { progress: () => PAGES_PER_STEP });
  } finally {
    source.close();
  }
  // a half-written file never carries the final name
  renameSync(partial, file);
  return { bytes: statSync(file).size };
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupCheck {
  ok: boolean;
  problems: string[];
  migrations: number;
  points: number;
  contacts: number;
  reports: number;
}

/** Whether a file is a database this bot can run on, and what it holds; problems in Chinese. */
export function checkBackupFile(file: string): BackupCheck {
  const result: BackupCheck = { ok: false, problems: [], migrations: 0, points: 0, contacts: 0, reports: 0 };
  if (!existsSync(file)) {
    result.problems.push(`文件不存在：${file}`);
    return result;
  }
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') result.problems.push(`文件已损坏（SQLite 检查结果：${String(check)}）`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
    if (missing.length) {
      result.problems.push(`不是本机器人的数据库（缺少表：${missing.join('、')}）`);
      return result;
    }
    const applied = (db.prepare('SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL').all() as { name: string }[]).map((r) => r.name);
    const known = new Set(listMigrations('sqlite').map((m) => m.name));
    const unknown = applied.filter((name) => !known.has(name));
    if (unknown.length) result.problems.push(`备份来自更新版本的机器人（本版本不认识的结构变更：${unknown.join('、')}），请先升级程序`);
    result.migrations = applied.length;
    const count = (table: string) => Number((db!.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n);
    result.points = count('ServicePoint');
    result.contacts = count('Contact');
    result.reports = count('MonthlyReport');
  } catch (error) {
    result.problems.push(`无法作为 SQLite 数据库打开（${error instanceof Error ? error.message : String(error)}）`);
  } finally {
    db?.close();
  }
  result.ok = result.problems.length === 0;
  return result;
}

/** Bots whose heartbeat in this database file is fresh (read with the driver, no Prisma). */
export function liveInstancesIn(location: string, now: Date): string[] {
  if (!existsSync(location)) return [];
  const db = new Database(location, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Setting'").get();
    if (!hasTable) return [];
    const rows = db.prepare(`SELECT "key", "value" FROM "Setting" WHERE "key" LIKE 'instance.heartbeat:%'`).all() as { key: string; value: string }[];
    const live: string[] = [];
    for (const row of rows) {
      try {
        const v = JSON.parse(row.value) as { host: string; pid: number; at: string };
        if (now.getTime() - new Date(v.at).getTime() < HEARTBEAT_STALE_MS) live.push(`${v.host} 进程 ${v.pid}`);
      } catch {
        // not a heartbeat row
      }
    }
    return live;
  } finally {
    db.close();
  }
}

export interface RestoreResult {
  previousCopy: string | null;
  check: BackupCheck;
}

/**
 * Replace the database at location by the backup file. Throws a BackupError (Chinese, saying what to
 * do) when the file is not usable or a bot is running on the database.
 */
export async function restoreSqlite(file: string, location: string, options: { backupsDir: string; now: Date }): Promise<RestoreResult> {
  const check = checkBackupFile(file);
  if (!check.ok) throw new BackupError(`不能恢复：${check.problems.join('；')}。数据库没有改动。`);
  const live = liveInstancesIn(location, options.now);
  if (live.length) throw new BackupError(`不能恢复：机器人正在使用这个数据库（${live.join('、')}）。请先停止机器人（Ctrl+C 或 systemctl stop），再运行恢复。数据库没有改动。`);
  let previousCopy: string | null = null;
  if (existsSync(location)) {
    previousCopy = join(options.backupsDir, `before-restore-${options.now.toISOString().replace(/[:.]/g, '-')}.db`);
    await backupSqlite(location, previousCopy);
  }
  mkdirSync(dirname(location), { recursive: true });
  const incoming = `${location}.restoring`;
  copyFileSync(file, incoming);
  // the replaced database's write-ahead log belongs to it, not to the restored file
  for (const side of ['-wal', '-shm', '-journal']) rmSync(location + side, { force: true });
  renameSync(incoming, location);
  return { previousCopy, check };
}

/** The daily backup's file names to delete: those older than keepDays before today (local dates). */
export function expiredBackups(names: readonly string[], today: string, keepDays: number): string[] {
  const cutoff = new Date(`${today}T00:00:00Z`).getTime() - keepDays * 24 * 3600_000;
  return names.filter((name) => {
    const match = DAILY_NAME.exec(name);
    return match !== null && new Date(`${match[1]}T00:00:00Z`).getTime() <= cutoff;
  });
}

export interface DailyJob {
  name: string;
  run(now: Date): Promise<void>;
}

/** Once a (local) day: data/backups/gxgc-YYYY-MM-DD.db, and the ones older than keepDays deleted. Run at every scheduler tick; cheap when today's exists. */
export function dailyBackupJob(options: { location: string; dir: string; keepDays: number; log: Logger }): DailyJob {
  const { log } = options;
  let running: Promise<void> | null = null;
  // after a failure (disk full, say) an hour's pause, rather than an error line every minute
  let failedAt = Number.NEGATIVE_INFINITY;
  return {
    name: 'daily-backup',
    run(now) {
      if (now.getTime() - failedAt < 3600_000) return Promise.resolve();
      running ??= (async () => {
        const today = localDateString(now);
        const file = join(options.dir, `gxgc-${today}.db`);
        if (!existsSync(file)) {
          const started = Date.now();
          const { bytes } = await backupSqlite(options.location, file);
          log.info({ file, bytes, ms: Date.now() - started }, 'daily database backup written');
        }
        const names = existsSync(options.dir) ? readdirSync(options.dir) : [];
        for (const name of expiredBackups(names, today, options.keepDays)) {
          rmSync(join(options.dir, name), { force: true });
          log.info({ file: join(options.dir, name), keepDays: options.keepDays }, 'old database backup deleted');
        }
      })()
        .catch((error: unknown) => {
          failedAt = now.getTime();
          log.error({ err: error, dir: options.dir }, 'daily database backup failed; tried again in an hour');
        })
        .finally(() => {
          running = null;
        });
      return running;
    },
  };
}
