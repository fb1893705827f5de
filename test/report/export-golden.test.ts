// The monthly export byte for byte (.csv) and cell for cell (.xlsx) against files written before the
// export moved off Prisma (test/report/fixtures/), on both databases: the rows, their order, the
// quoting, the formula defusing, decimals, late flags and submitters must not change with how they
// are read. GXGC_WRITE_GOLDEN=1 writes the fixtures anew instead of comparing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { CliDeps } from '../../bot/cli.ts';
import { sqlOf } from '../../bot/db/client.ts';
import { silentLogger } from '../../bot/logger.ts';
import { runReportCli } from '../../commands/report/cli.ts';
import { exportMonthToBuffer } from '../../commands/report/export.ts';
import type { DirectoryRow } from '../../commands/directory/rows.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, demoDirectoryRows, type TestBot } from '../support/harness.ts';
import { assessmentColumns } from '../../bot/db/report-store.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const GOLDEN_CSV = join(FIXTURES, 'export-2026-10.csv');
const GOLDEN_XLSX = join(FIXTURES, 'export-2026-10.xlsx.json');
const WRITE = process.env.GXGC_WRITE_GOLDEN === '1';

/** points whose names need quoting or defusing, and one that will be deactivated */
const EXTRA: DirectoryRow[] = [
  { town: '石龙镇', pointName: '示例"引号",村', level: 'village', contactName: '甲', role: 'liaison', mobile: '13900000001', email: null, isPartyEducationPoint: false },
  { town: '石龙镇', pointName: '=SUM(A1)村', level: 'village', contactName: '乙', role: 'liaison', mobile: '13900000002', email: null, isPartyEducationPoint: false },
  { town: '虎门镇', pointName: '-号村', level: 'village', contactName: '丙', role: 'reporter', mobile: '13900000003', email: null, isPartyEducationPoint: false },
  { town: '虎门镇', pointName: '停用村', level: 'village', contactName: '丁', role: 'liaison', mobile: '13900000004', email: null, isPartyEducationPoint: false },
  { town: '长安镇', pointName: '长安镇图书馆', level: 'town', contactName: '戊', role: 'liaison', mobile: '13900000005', email: null, isPartyEducationPoint: false },
];

/** what an .xlsx holds that a reader sees: cell values (提交时间 a date), widths, the frozen and filterable header, the bold header */
async function xlsxContent(content: Uint8Array | string): Promise<unknown> {
  const workbook = new ExcelJS.Workbook();
  if (typeof content === 'string') await workbook.xlsx.readFile(content);
  else await workbook.xlsx.load(Buffer.from(content) as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === undefined ? null : v))));
  return {
    name: sheet.name,
    widths: sheet.columns.map((c) => c.width ?? null),
    views: sheet.views.map((v) => ({ state: v.state, ySplit: (v as { ySplit?: number }).ySplit })),
    headerBold: sheet.getRow(1).font?.bold ?? false,
    autoFilter: sheet.autoFilter ?? null,
    rows,
  };
}

describe.each(TEST_PROVIDERS)('monthly export against the fixture on %s', (provider) => {
  let bot: TestBot;
  let dir: string;
  let deps: CliDeps;

  beforeAll(async () => {
    bot = await createTestBot({ provider, now: '2026-11-10T02:00:00Z', directory: [...(await demoDirectoryRows()), ...EXTRA] });
    dir = mkdtempSync(join(tmpdir(), 'gxgc-golden-'));
    deps = { db: bot.db, clock: bot.clock, log: silentLogger, out: () => undefined };
    const db = bot.db;
    const point = async (name: string) => (await db.servicePoint.findFirstOrThrow({ where: { name } })).id;
    const contact = async (mobile: string) => (await db.contact.findUniqueOrThrow({ where: { mobile } })).id;
    const report = async (name: string, month: string, status: string, figures: object, submitter: string | null, submittedAt: string, isLate: boolean) =>
      db.monthlyReport.create({
        data: {
          servicePointId: await point(name),
          month,
          status,
          figures: JSON.stringify(figures),
          // as the report store writes them (a figures value that is not an object leaves them null)
          ...assessmentColumns(typeof figures === 'object' ? (figures as Record<string, unknown>) : {}),
          submittedByContactId: submitter ? await contact(submitter) : null,
          submittedAt: new Date(submittedAt),
          firstSubmittedAt: new Date(submittedAt),
          isLate,
        },
      });
    await report('示例一村', '2026-10', 'reported', { openDays: 22, openHours: 176.5, visitors: 120, activities: 3, computers: 4, remarks: '电脑坏了1台，"待修"' }, '13800002101', '2026-11-02T02:00:00Z', false);
    await report('示例二村', '2026-10', 'noNewData', {}, '13800002102', '2026-11-03T15:59:00Z', false);
    await report('示例中学', '2026-10', 'reported', { openDays: 20, openHours: 160, visitors: 300, activities: 1, trainings: 2, trainees: 40 }, '13800002201', '2026-11-06T01:30:00Z', true);
    await report('示例"引号",村', '2026-10', 'reported', { openDays: 1, openHours: 0.5, visitors: 0, activities: 0, remarks: '=1+1\n第二行' }, '13800002001', '2026-11-01T00:00:00Z', false);
    await report('=SUM(A1)村', '2026-10', 'reported', { openDays: 30, openHours: 240, visitors: 1_000_000, activities: 10_000, remarks: '-负号开头' }, null, '2026-11-04T16:00:00Z', true);
    await report('示例三村', '2026-09', 'reported', { openDays: 10, openHours: 80, visitors: 50, activities: 1 }, '13800003101', '2026-10-02T02:00:00Z', false);
    await report('示例三村', '2026-10', 'reported', 'not json' as unknown as object, '13800003101', '2026-11-02T03:00:00Z', false);
    await report('停用村', '2026-10', 'reported', { openDays: 5, openHours: 10, visitors: 5, activities: 0 }, '13900000004', '2026-11-02T02:00:00Z', false);
    await db.servicePoint.update({ where: { id: await point('停用村') }, data: { active: false } });
  });
  afterAll(async () => {
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('.csv from the command line and for a chat are the fixture, byte for byte', async () => {
    const file = join(dir, 'oct.csv');
    expect(await runReportCli(['export', '--month', '2026-10', file], deps)).toBe(0);
    const fromCli = readFileSync(file);
    const { content, rows } = await exportMonthToBuffer(sqlOf(bot.db), '2026-10', 'csv');
    expect(rows).toBe(14);
    if (WRITE && provider === 'sqlite') writeFileSync(GOLDEN_CSV, fromCli);
    expect(fromCli.equals(readFileSync(GOLDEN_CSV))).toBe(true);
    expect(Buffer.from(content).equals(readFileSync(GOLDEN_CSV))).toBe(true);
  });

  it('.xlsx from the command line and for a chat hold the fixture cells', async () => {
    const file = join(dir, 'oct.xlsx');
    expect(await runReportCli(['export', '--month', '2026-10', file], deps)).toBe(0);
    const fromCli = await xlsxContent(file);
    const { content } = await exportMonthToBuffer(sqlOf(bot.db), '2026-10', 'xlsx');
    if (WRITE && provider === 'sqlite') writeFileSync(GOLDEN_XLSX, JSON.stringify(fromCli, null, 1) + '\n');
    const golden = JSON.parse(readFileSync(GOLDEN_XLSX, 'utf8'));
    expect(JSON.parse(JSON.stringify(fromCli))).toEqual(golden);
    expect(JSON.parse(JSON.stringify(await xlsxContent(content)))).toEqual(golden);
  });
});
