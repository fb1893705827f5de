// Benchmark 3, scale: a directory of 100,000 points and 200,000 contacts. Each step runs in its own
// child process under /usr/bin/time -v, which gives its wall time and peak RSS:
//   import  `gxgc directory import directory.csv` into a fresh, migrated and seeded database
//   status  the operator's /status for October through the core (loadCompleteness + the reply);
//           the figure is the median of 5 runs after a first, cold one (Prisma compiles a query
//           shape on first use), measured inside the child
//   export  `gxgc report export --month 2026-10 file.xlsx` and `... file.csv`, whole command
// Between import and status, January..October of 2026 are filled in (not measured) with raw SQL,
// so status has a year of rates to compute: ~85% of points reported each month, 5% "no new data",
// some late. `tsx test/bench/scale.ts sqlite|postgresql` prints figures; `tsx test/bench/scale.ts
// status-child` is the status step itself.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openDatabase, parseDatabaseUrl, type Provider } from '../../bot/db/client.ts';
import { migrate } from '../../bot/db/migrate.ts';
import { createCore } from '../../bot/core/pipeline.ts';
import { bindChat } from '../../bot/core/identity.ts';
import { ManualClock } from '../../bot/time.ts';
import { silentLogger } from '../../bot/logger.ts';
import { createCapabilities } from '../../commands/index.ts';
import { seedDatabase } from '../../prisma/seed/index.ts';
import { createEmptyDatabase } from '../support/database.ts';
import { emit, figure, generateDirectory, percentile } from './common.ts';

const POINTS = 100_000;
const CONTACTS_PER_POINT = 2;
const MB = 1024 * 1024;

function writeDirectoryCsv(file: string): number {
  const levels: Record<string, string> = { subCenter: '市支中心', town: '镇级', village: '村级' };
  const roles: Record<string, string> = { liaison: '联络人', reporter: '信息专报员', admin: '管理员', head: '负责人' };
  const rows = generateDirectory(POINTS - 33, CONTACTS_PER_POINT); // + 32 town points + the sub-center = 100,000
  const lines = ['镇街,服务点,级别,联系人,角色,手机,邮箱,党员远程教育点'];
  for (const r of rows) lines.push([r.town, r.pointName, levels[r.level], r.contactName, roles[r.role], r.mobile, '', r.isPartyEducationPoint ? '是' : ''].join(','));
  writeFileSync(file, lines.join('\n') + '\n');
  return rows.length;
}

interface Measured {
  seconds: number;
  maxRssBytes: number;
  stdout: string;
}

/** A command under /usr/bin/time -v: wall time and the peak resident set of the process. */
function measure(args: string[], env: Record<string, string>): Measured {
  const timeFile = join(tmpdir(), `gxgc-bench-time-${process.pid}.txt`);
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-v', '-o', timeFile, process.execPath, '--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * MB,
  });
  const seconds = (performance.now() - started) / 1000;
  const timing = readFileSync(timeFile, 'utf8');
  rmSync(timeFile, { force: true });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(timing);
  return { seconds, maxRssBytes: rss ? Number(rss[1]) * 1024 : NaN, stdout: result.stdout };
}

/**
 * January..October 2026 for every village point, in bulk SQL (not part of any measured step). The
 * points are dated as listed before that year, as in a directory in use all year: the import runs
 * at the real date, and once that was after the benchmark's own clock (from December 2026) every
 * point counted as listed after October, and /status measured the path for points listed later.
 */
async function fillYear(provider: Provider, location: string): Promise<void> {
  const listedBefore = `UPDATE "ServicePoint" SET "createdAt" = ${provider === 'sqlite' ? "'2025-12-01T00:00:00.000+00:00'" : "'2025-12-01 00:00:00'"}`;
  const months = Array.from({ length: 10 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);
  const figures = '{"openDays":22,"openHours":176,"visitors":320,"activities":3}';
  const statements = months.map((month, i) => {
    const m = i + 1;
    // which points report varies by month; ~85% reported, ~5% no new data, 10% missing, 1 in 9 late
    // the assessment columns as the report store writes them from the figures (null for a nil report)
    const column = (v: number) => `CASE WHEN (p."id" + ${m}) % 20 = 0 THEN NULL ELSE ${v} END`;
    return `INSERT INTO "MonthlyReport" ("servicePointId", "month", "status", "figures", "visitors", "openHours", "activities", "computers", "revision", "submittedAt", "isLate", "firstSubmittedAt", "createdAt", "updatedAt")
      SELECT p."id", '${month}', CASE WHEN (p."id" + ${m}) % 20 = 0 THEN 'noNewData' ELSE 'reported' END,
             CASE WHEN (p."id" + ${m}) % 20 = 0 THEN '{}' ELSE '${figures}' END,
             ${column(320)}, ${column(176)}, ${column(3)}, NULL, 1,
             p."createdAt", (p."id" + ${m}) % 9 = 0, p."createdAt", p."createdAt", p."createdAt"
      FROM "ServicePoint" p WHERE p."level" <> 'subCenter' AND (p."id" * 7 + ${m}) % 10 <> 0`;
  });
  if (provider === 'sqlite') {
    const db = new Database(location);
    db.transaction(() => [listedBefore, ...statements].forEach((s) => db.exec(s)))();
    db.close();
  } else {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    for (const s of [listedBefore, ...statements]) await client.query(s);
    // ten months of reports arriving day by day would have been vacuumed by autovacuum many times;
    // a bulk fill just before the measurement has not, and without the visibility map the
    // year-to-date counts cannot be answered from the index alone
    await client.query('VACUUM ANALYZE');
    await client.end();
  }
}

async function bench(provider: Provider): Promise<void> {
  const label = provider === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const dir = mkdtempSync(join(tmpdir(), 'gxgc-bench-scale-'));
  const empty = await createEmptyDatabase(provider);
  try {
    const csv = join(dir, 'directory.csv');
    const rowCount = writeDirectoryCsv(csv);
    await migrate(empty.target);
    const database = openDatabase(empty.target);
    await seedDatabase(database.db);
    await database.close();
    const env = { DATABASE_URL: provider === 'sqlite' ? `file:${empty.target.location}` : empty.target.location, LOG_LEVEL: 'warn' };

    const imported = measure(['bot/cli.ts', 'directory', 'import', csv], env);
    const rss: number[] = [imported.maxRssBytes];
    emit(figure(`scale ${label}: directory import (${POINTS.toLocaleString('en')} points, ${(rowCount - 33).toLocaleString('en')} contacts, ${Math.round(statSync(csv).size / MB)} MB csv)`, imported.seconds, 's', { op: '<', bound: 60 }));

    await fillYear(provider, empty.target.location);
    const status = measure(['test/bench/scale.ts', 'status-child'], env);
    rss.push(status.maxRssBytes);
    const result = JSON.parse(status.stdout.trim().split('\n').at(-1)!) as { coldMs: number; warmMs: number; reply: string };
    if (!result.reply.includes('2026年10月')) throw new Error(`unexpected status reply: ${result.reply}`);
    emit(figure(`scale ${label}: /status for all points (warm, median of 5)`, result.warmMs, 'ms', { op: '<', bound: 200 }));
    emit(figure(`scale ${label}: /status first call (cold)`, result.coldMs, 'ms'));

    for (const format of ['xlsx', 'csv'] as const) {
      const file = join(dir, `export.${format}`);
      const exported = measure(['bot/cli.ts', 'report', 'export', '--month', '2026-10', file], env);
      rss.push(exported.maxRssBytes);
      emit(figure(`scale ${label}: monthly export .${format} (${POINTS.toLocaleString('en')} rows, whole command)`, exported.seconds, 's', { op: '<', bound: 20 }));
    }
    const names = ['import', 'status', 'export xlsx', 'export csv'];
    rss.forEach((bytes, i) => emit(figure(`scale ${label}: peak RSS of ${names[i]}`, bytes / MB, 'MB', { op: '<', bound: 300 })));
  } finally {
    await empty.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The status step, inside its own process: an operator asks /status 2026-10 through the core. */
async function statusChild(): Promise<void> {
  const database = openDatabase(parseDatabaseUrl(process.env.DATABASE_URL!));
  const { db } = database;
  const clock = new ManualClock('2026-11-03T02:00:00Z');
  const operator = await db.contact.findFirstOrThrow({ where: { mobile: '13000000000' } });
  await bindChat(db, 'telegram', '1', operator.id, clock.now());
  const core = createCore({ db, clock, log: silentLogger, capabilities: createCapabilities() });
  const ask = async () => {
    const started = performance.now();
    const replies = await core.handleMessage({ channel: 'telegram', chatId: '1', text: '/status 2026-10' });
    return { ms: performance.now() - started, reply: replies.map((r) => r.text).join('\n') };
  };
  const cold = await ask();
  const warm: number[] = [];
  let reply = cold.reply;
  for (let i = 0; i < 5; i++) {
    const r = await ask();
    warm.push(r.ms);
    reply = r.reply;
  }
  await database.close();
  process.stdout.write(`${JSON.stringify({ coldMs: cold.ms, warmMs: percentile(warm.sort((a, b) => a - b), 50), reply })}\n`);
}

const which = process.argv[2];
if (which === 'sqlite' || which === 'postgresql') await bench(which);
else if (which === 'status-child') await statusChild();
else {
  process.stderr.write('usage: tsx test/bench/scale.ts sqlite|postgresql\n');
  process.exit(2);
}
process.exit(0);
