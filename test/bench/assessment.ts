// Benchmark 4, the year's assessment at scale: 100,000 points (the generated directory of scale.ts,
// one contact each) with January..October 2026 reported (~85% reported, 5% no new data, 10%
// missing, 1 in 9 late, figures varying by point so verdicts differ) and three notices to every
// contact, half acknowledged. Filled with raw SQL, not measured. Then, in a child process of its
// own on a driver connection as the command line opens it, as of 10 November 2026:
//   assessment   every point's year against annex 1 (loadAssessments for the city)
//   supervision  the supervision list of the 2026-11 round (the same plus ordering and the text)
// each once per process, three processes: the median time measured inside, and the worst peak RSS
// of the whole process (/usr/bin/time -v); and `gxgc assessment summary` as a whole command.
// `tsx test/bench/assessment.ts sqlite|postgresql` prints figures; `… fill sqlite|postgresql` leaves a
// filled database and prints its DATABASE_URL, for `… child assessment|supervision` and EXPLAIN by hand.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, parseDatabaseUrl, type Provider } from '../../bot/db/client.ts';
import { openDirectSql, type DirectSql, type SqlValue } from '../../bot/db/direct-sql.ts';
import { migrate } from '../../bot/db/migrate.ts';
import { fromLocal } from '../../bot/time.ts';
import { loadAssessments } from '../../commands/assessment/queries.ts';
import { supervisionText } from '../../commands/assessment/views.ts';
import { assessmentQueriesOn } from '../../bot/db/queries.ts';
import { seedDatabase } from '../../prisma/seed/index.ts';
import { createEmptyDatabase } from '../support/database.ts';
import { emit, figure, generateDirectory, percentile } from './common.ts';

const POINTS = 100_000;
const MB = 1024 * 1024;
const AS_OF = fromLocal(2026, 11, 10);

async function insertMany(sql: DirectSql, table: string, columns: string[], rows: SqlValue[][]): Promise<void> {
  const per = Math.floor(900 / columns.length);
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    const values = part.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
    await sql.execute(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values}`, part.flat());
  }
}

async function fill(sql: DirectSql): Promise<void> {
  const rows = generateDirectory(POINTS - 33, 1);
  const created = fromLocal(2025, 12, 1);
  const points = new Map<string, { id: number; row: (typeof rows)[number] }>();
  rows.forEach((r) => points.has(`${r.town}|${r.pointName}`) || points.set(`${r.town}|${r.pointName}`, { id: points.size + 1, row: r }));
  await insertMany(sql, 'ServicePoint', ['id', 'town', 'name', 'level', 'isPartyEducationPoint', 'active', 'createdAt', 'updatedAt'],
    [...points.values()].map(({ id, row }) => [id, row.town, row.pointName, row.level, row.isPartyEducationPoint, true, created, created]));
  await insertMany(sql, 'Contact', ['servicePointId', 'name', 'role', 'mobile', 'active', 'createdAt', 'updatedAt'],
    rows.map((r) => [points.get(`${r.town}|${r.pointName}`)!.id, r.contactName, r.role, r.mobile, true, created, created]));
  if (sql.provider === 'postgresql') {
    await sql.execute(`SELECT setval(pg_get_serial_sequence('"ServicePoint"', 'id'), (SELECT MAX("id") FROM "ServicePoint"))`);
  }
  const text = (e: string) => `CAST(${e} AS TEXT)`;
  for (let m = 1; m <= 10; m++) {
    const month = `2026-${String(m).padStart(2, '0')}`;
    const values = { openHours: `100 + (p."id" * 3 + ${m}) % 90`, visitors: `20 + (p."id" + ${m}) % 50`, activities: `p."id" % 4`, computers: `1 + p."id" % 3` };
    const figures = `'{"openDays":22,"openHours":' || ${text(values.openHours)} || ',"visitors":' || ${text(values.visitors)} || ',"activities":' || ${text(values.activities)} || ',"computers":' || ${text(values.computers)} || '}'`;
    const nil = `(p."id" + ${m}) % 20 = 0`;
    // the assessment columns as the report store writes them from the same figures (null for a nil report)
    const column = (e: string) => `CASE WHEN ${nil} THEN NULL ELSE ${e} END`;
    await sql.execute(`INSERT INTO "MonthlyReport" ("servicePointId", "month", "status", "figures", "visitors", "openHours", "activities", "computers", "revision", "submittedAt", "isLate", "firstSubmittedAt", "createdAt", "updatedAt")
      SELECT p."id", '${month}', CASE WHEN ${nil} THEN 'noNewData' ELSE 'reported' END,
             CASE WHEN ${nil} THEN '{}' ELSE ${figures} END,
             ${column(values.visitors)}, ${column(values.openHours)}, ${column(values.activities)}, ${column(values.computers)}, 1,
             p."createdAt", (p."id" + ${m}) % 9 = 0, p."createdAt", p."createdAt", p."createdAt"
      FROM "ServicePoint" p WHERE p."level" <> 'subCenter' AND (p."id" * 7 + ${m}) % 10 <> 0`);
  }
  for (const [i, month] of [3, 6, 9].entries()) {
    const sent = fromLocal(2026, month, 1);
    const [notice] = await sql.query<{ id: number }>(`INSERT INTO "Notice" ("title", "body", "audience", "status", "sentAt", "createdAt") VALUES (?, ?, ?, 'sent', ?, ?) RETURNING "id"`, [`通知${i + 1}`, '资源发放', '{"kind":"all","values":[]}', sent, sent]);
    // PostgreSQL types a bare parameter in a CASE as text
    const at = sql.provider === 'postgresql' ? 'CAST(? AS TIMESTAMP(3))' : '?';
    await sql.execute(`INSERT INTO "NoticeRecipient" ("noticeId", "contactId", "servicePointId", "acknowledgedAt")
      SELECT ?, c."id", c."servicePointId", CASE WHEN (c."id" + ?) % 2 = 0 THEN ${at} ELSE NULL END FROM "Contact" c`, [notice!.id, i, sent]);
  }
  if (sql.provider === 'postgresql') await sql.execute('VACUUM ANALYZE');
}

/** A new database, migrated, seeded and filled; its DATABASE_URL. */
async function filled(provider: Provider): Promise<{ url: string; destroy(): Promise<void> }> {
  const empty = await createEmptyDatabase(provider);
  await migrate(empty.target);
  const database = openDatabase(empty.target);
  await seedDatabase(database.db);
  await database.close();
  const sql = openDirectSql(empty.target);
  await fill(sql);
  await sql.close();
  return { url: provider === 'sqlite' ? `file:${empty.target.location}` : empty.target.location, destroy: empty.destroy };
}

async function bench(provider: Provider): Promise<void> {
  const label = provider === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const empty = await filled(provider);
  try {
    const env = { ...process.env, DATABASE_URL: empty.url, LOG_LEVEL: 'warn' };
    for (const step of ['assessment', 'supervision'] as const) {
      const runs = [0, 1, 2].map(() => measureChild(['test/bench/assessment.ts', 'child', step], env));
      const ms = runs.map((r) => Number(JSON.parse(r.stdout.trim().split('\n').at(-1)!).ms));
      const what = step === 'assessment' ? `the year's assessment of ${POINTS.toLocaleString('en')} points` : 'the supervision list of the 2026-11 round, every town and point';
      emit(figure(`assessment ${label}: ${what} (median of 3 processes)`, median(ms), 'ms', { op: '<', bound: 2000 }));
      emit(figure(`assessment ${label}: peak RSS of the process (${step}, worst of 3)`, Math.max(...runs.map((r) => r.maxRssBytes)) / MB, 'MB', { op: '<', bound: 300 }));
    }
    // the leaders' summary: not a target of its own, measured as the whole command (33 sheets and the chart)
    const file = join(tmpdir(), `gxgc-bench-summary-${process.pid}.xlsx`);
    const summary = measureChild(['bot/cli.ts', 'assessment', 'summary', '--year', '2026', file], env);
    rmSync(file, { force: true });
    rmSync(file.replace(/\.xlsx$/, '.png'), { force: true });
    emit(figure(`assessment ${label}: gxgc assessment summary --year 2026 (whole command)`, summary.seconds, 's'));
    emit(figure(`assessment ${label}: peak RSS of the summary command`, summary.maxRssBytes / MB, 'MB'));
  } finally {
    await empty.destroy();
  }
}

const median = (xs: number[]) => Math.round(percentile([...xs].sort((a, b) => a - b), 50));

/** A process under /usr/bin/time -v: wall time, peak resident set and what it printed. */
function measureChild(args: string[], env: NodeJS.ProcessEnv): { seconds: number; maxRssBytes: number; stdout: string } {
  const timeFile = join(tmpdir(), `gxgc-bench-assessment-${process.pid}.txt`);
  const started = performance.now();
  const child = spawnSync('/usr/bin/time', ['-v', '-o', timeFile, process.execPath, '--import', 'tsx', ...args], { env, encoding: 'utf8', maxBuffer: 64 * MB });
  const seconds = (performance.now() - started) / 1000;
  const timing = readFileSync(timeFile, 'utf8');
  rmSync(timeFile, { force: true });
  if (child.status !== 0) throw new Error(`${args.join(' ')} failed (${child.status}):\n${child.stdout}\n${child.stderr}`);
  return { seconds, maxRssBytes: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(timing)?.[1]) * 1024, stdout: child.stdout };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** One step, once, in a process of its own, on a driver connection as the command line opens it. */
async function child(step: string): Promise<void> {
  const sql = openDirectSql(parseDatabaseUrl(process.env.DATABASE_URL!));
  const { ms, value } =
    step === 'assessment'
      ? await timed(async () => (await loadAssessments(sql, { year: 2026, asOf: AS_OF })).points.length)
      : await timed(async () => (await supervisionText(assessmentQueriesOn(sql), '2026-11', null, AS_OF, { towns: null, points: null })).length);
  await sql.close();
  if (step === 'assessment' && value !== POINTS - 1) throw new Error(`assessed ${value} points`);
  process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), value })}\n`);
}

const which = process.argv[2];
if (which === 'sqlite' || which === 'postgresql') await bench(which);
else if (which === 'child') await child(process.argv[3] ?? '');
// a filled database left in place, to probe plans and run `child` against by hand; drop it yourself
else if (which === 'fill' && (process.argv[3] === 'sqlite' || process.argv[3] === 'postgresql')) process.stdout.write(`DATABASE_URL=${(await filled(process.argv[3])).url}\n`);
else {
  process.stderr.write('usage: tsx test/bench/assessment.ts sqlite|postgresql | fill sqlite|postgresql | child assessment|supervision\n');
  process.exit(2);
}
process.exit(0);
