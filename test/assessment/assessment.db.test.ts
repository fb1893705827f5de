// The year's assessment on both databases, from a table of points and their monthly figures: the
// SQL fold (queries.ts) gives what the pure fold gives on the same rows, the expected verdicts
// come out (a point that joined mid-year, nil reports, late reports, a level change), notices
// nobody at a point acknowledged are counted, and the command line writes the summary and chart.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlOf } from '../../bot/db/client.ts';
import { silentLogger } from '../../bot/logger.ts';
import { currentMonth, fromLocal, ManualClock, monthKey } from '../../bot/time.ts';
import { runAssessmentCli } from '../../commands/assessment/cli.ts';
import { loadAssessments, loadRules } from '../../commands/assessment/queries.ts';
import { assessPointYear, foldMonths, type MonthRow, type Verdict } from '../../commands/assessment/year.ts';
import { createTestDatabase, TEST_PROVIDERS, type TestDatabase } from '../support/database.ts';
import { assessmentColumns } from '../../bot/db/report-store.ts';

type Row = [month: number, status: 'reported' | 'noNewData', late: boolean, visitors: number | null, hours: number | null, computers?: number];

interface PointSpec {
  town: string;
  name: string;
  level: string;
  joinedAt: Date;
  rows: Row[];
  /** the level the directory holds by the time of the assessment, when it changed */
  levelNow?: string;
  active?: boolean;
  expected: { visitors: Verdict; weeklyHours: Verdict; reporting: Verdict; computers: Verdict } | null;
  missing: number[];
}

const full = (visitors: number, hours: number, computers = 2): Row[] => Array.from({ length: 12 }, (_, i) => [i + 1, 'reported', false, visitors, hours, computers] as Row);
const BEFORE = fromLocal(2025, 5, 1);

const POINTS: PointSpec[] = [
  { town: '石龙镇', name: '全年达标村', level: 'village', joinedAt: BEFORE, rows: full(50, 140), expected: { visitors: 'met', weeklyHours: 'met', reporting: 'met', computers: 'met' }, missing: [] },
  {
    town: '石龙镇', name: '年中加入村', level: 'village', joinedAt: fromLocal(2026, 7, 20),
    rows: [7, 8, 9, 10, 11, 12].map((m) => [m, 'reported', false, 45, 140, 2] as Row),
    expected: { visitors: 'met', weeklyHours: 'met', reporting: 'met', computers: 'met' }, missing: [],
  },
  {
    town: '石龙镇', name: '无新增村', level: 'village', joinedAt: BEFORE,
    rows: [...full(70, 140).slice(0, 9), [10, 'noNewData', false, null, null], [11, 'noNewData', false, null, null], [12, 'noNewData', true, null, null]],
    expected: { visitors: 'met', weeklyHours: 'met', reporting: 'notMet', computers: 'met' }, missing: [],
  },
  {
    town: '虎门镇', name: '逾期缺报村', level: 'village', joinedAt: BEFORE,
    // late in August; December's report says only one computer is left
    rows: full(30, 100).filter((r) => r[0] !== 4 && r[0] !== 5).map((r) => (r[0] === 8 ? ([8, 'reported', true, 30, 100, 2] as Row) : r[0] === 12 ? ([12, 'reported', false, 30, 100, 1] as Row) : r)),
    expected: { visitors: 'noData', weeklyHours: 'notMet', reporting: 'notMet', computers: 'notMet' }, missing: [4, 5],
  },
  { town: '虎门镇', name: '虎门镇服务点', level: 'village', levelNow: 'town', joinedAt: BEFORE, rows: full(50, 140), expected: { visitors: 'notMet', weeklyHours: 'notMet', reporting: 'met', computers: 'notMet' }, missing: [] },
  { town: '虎门镇', name: '虎门中学', level: 'school', joinedAt: BEFORE, rows: full(50, 140), expected: null, missing: [] },
  { town: '虎门镇', name: '已停用村', level: 'village', joinedAt: BEFORE, active: false, rows: full(1, 1), expected: null, missing: [] },
];

const AS_OF = fromLocal(2027, 1, 10);

function monthRows(rows: Row[]): MonthRow[] {
  return rows.map(([m, status, isLate, visitors, openHours, computers]) => ({ month: monthKey(2026, m), status, isLate, visitors, openHours, activities: status === 'reported' ? 3 : null, computers: status === 'reported' ? (computers ?? null) : null }));
}

describe.each(TEST_PROVIDERS)('the year’s assessment on %s', (provider) => {
  let test: TestDatabase;
  const ids = new Map<string, number>();
  let dir: string;

  beforeAll(async () => {
    test = await createTestDatabase(provider);
    dir = mkdtempSync(join(tmpdir(), 'gxgc-assessment-'));
    for (const p of POINTS) {
      const point = await test.db.servicePoint.create({ data: { town: p.town, name: p.name, level: p.level, createdAt: p.joinedAt, active: p.active ?? true } });
      ids.set(p.name, point.id);
      for (const r of monthRows(p.rows)) {
        const figures = r.status === 'noNewData' ? {} : { openDays: 20, openHours: r.openHours, visitors: r.visitors, activities: r.activities, ...(r.computers != null ? { computers: r.computers } : {}) };
        const at = fromLocal(2026, Number(r.month.slice(5)) + 1, r.isLate ? 9 : 2);
        // the assessment columns as the report store writes them: the fold reads those, not the JSON
        await test.db.monthlyReport.create({ data: { servicePointId: point.id, month: r.month, status: r.status, figures: JSON.stringify(figures), ...assessmentColumns(figures), isLate: r.isLate, submittedAt: at, firstSubmittedAt: at } });
      }
      // a level change after the reports: the directory re-imported the point as a town point
      if (p.levelNow) await test.db.servicePoint.update({ where: { id: point.id }, data: { level: p.levelNow } });
    }
    // two contacts of one point; notice 1 acknowledged by one of them, notice 2 by nobody, notice 3 is of 2025
    const point = ids.get('全年达标村')!;
    const contacts = await Promise.all(['13900000001', '13900000002'].map((mobile, i) => test.db.contact.create({ data: { servicePointId: point, name: `联系人${i}`, role: 'liaison', mobile } })));
    const notice = (title: string, sentAt: Date) => test.db.notice.create({ data: { title, body: title, audience: '{"kind":"all","values":[]}', status: 'sent', sentAt } });
    const notices = [await notice('一', fromLocal(2026, 3, 1)), await notice('二', fromLocal(2026, 9, 1)), await notice('三', fromLocal(2025, 9, 1))];
    for (const n of notices) {
      for (const c of contacts) {
        await test.db.noticeRecipient.create({ data: { noticeId: n.id, contactId: c.id, servicePointId: point, acknowledgedAt: n.title === '一' && c === contacts[0] ? fromLocal(2026, 3, 2) : null } });
      }
    }
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await test.drop();
  });

  it('folds the reports in SQL as the pure fold does, and gives the expected verdicts', async () => {
    const sql = sqlOf(test.db);
    const { points } = await loadAssessments(sql, { year: 2026, asOf: AS_OF });
    const rules = await loadRules(sql);
    expect(points.map((p) => p.name).sort()).toEqual(POINTS.filter((p) => p.active !== false).map((p) => p.name).sort());
    for (const spec of POINTS.filter((p) => p.active !== false)) {
      const got = points.find((p) => p.name === spec.name)!;
      const level = spec.levelNow ?? spec.level;
      expect(got.level).toBe(level);
      const pure = assessPointYear({ year: 2026, level, joinedMonth: currentMonth(spec.joinedAt), asOf: AS_OF, figures: foldMonths(2026, monthRows(spec.rows)), rules });
      expect(got.year, spec.name).toEqual(pure);
      expect(got.year.missingMonths, spec.name).toEqual(spec.missing);
      if (spec.expected) expect(Object.fromEntries(got.year.items.map((i) => [i.key, i.verdict])), spec.name).toEqual(spec.expected);
      else expect(got.year.items, spec.name).toEqual([]);
    }
    expect(points.find((p) => p.name === '全年达标村')!.unacknowledged).toBe(1);
    expect(points.find((p) => p.name === '年中加入村')!.unacknowledged).toBe(0);
  });

  it('limits the scope to a town or a point', async () => {
    const sql = sqlOf(test.db);
    const town = await loadAssessments(sql, { year: 2026, asOf: AS_OF, town: '虎门镇' });
    expect(town.points.map((p) => p.name).sort()).toEqual(['虎门中学', '虎门镇服务点', '逾期缺报村'].sort());
    const one = await loadAssessments(sql, { year: 2026, asOf: AS_OF, pointId: ids.get('年中加入村')! });
    expect(one.points.map((p) => p.name)).toEqual(['年中加入村']);
  });

  it('prints the supervision list, the model points, and writes the summary with its chart', async () => {
    const lines: string[] = [];
    const deps = { db: test.db, clock: new ManualClock(AS_OF), log: silentLogger, out: (l: string) => lines.push(l) };
    expect(await runAssessmentCli(['supervision', '--round', '2027-03'], deps)).toBe(0);
    const supervision = lines.join('\n');
    expect(supervision).toContain('2027年3月督导名单（全市，依据2026年全年）');
    // 虎门镇 first: months missing and points below standard
    expect(supervision.indexOf('1. 虎门镇')).toBeGreaterThan(0);
    expect(supervision).toContain('逾期缺报村：缺报 4、5月；逾期 1 个月');
    expect(supervision).toContain('全年达标村：1 条通知未确认');

    lines.length = 0;
    expect(await runAssessmentCli(['models', '--year', '2026'], deps)).toBe(0);
    const models = lines.join('\n');
    expect(models).toContain('1. 石龙镇 全年达标村（村级）：12 个月服务 600 人次');
    expect(models).toContain('2. 石龙镇 年中加入村（村级）：6 个月服务 270 人次');
    expect(models).not.toContain('无新增村');

    lines.length = 0;
    const file = join(dir, '评估.xlsx');
    expect(await runAssessmentCli(['summary', '--year', '2026', file], deps)).toBe(0);
    expect(lines.join('\n')).toContain('全市 6 个服务点');
    const png = readFileSync(file.replace(/\.xlsx$/, '.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const ExcelJS = (await import('exceljs')).default;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['2026年全市', '虎门镇', '石龙镇']);
    const city = workbook.getWorksheet('2026年全市')!;
    expect(city.getRow(1).values).toEqual([undefined, '镇街', '服务点数', '上报率', '按时上报率', '达到附件1标准的服务点', '有附件1标准的服务点', '有未达标项的服务点', '服务人次', '活动场次']);
    // 石龙镇: 3 points, 30 of 30 months reported, 29 on time, 3 meeting annex 1
    expect(city.getRow(3).values).toEqual([undefined, '石龙镇', 3, 1, 0.967, 2, 3, 1, 600 + 270 + 630, 36 + 18 + 27]);
    const shilong = workbook.getWorksheet('石龙镇')!;
    expect(shilong.getRow(2).getCell(1).value).toBe('年中加入村');
    expect(shilong.getRow(2).getCell(3).value).toBe(6);
  });

  it('refuses a summary without a year or an .xlsx file, in Chinese', async () => {
    const lines: string[] = [];
    const deps = { db: test.db, clock: new ManualClock(AS_OF), log: silentLogger, out: (l: string) => lines.push(l) };
    expect(await runAssessmentCli(['summary', join(dir, 'x.xlsx')], deps)).toBe(2);
    expect(await runAssessmentCli(['summary', '--year', '2026', join(dir, 'x.csv')], deps)).toBe(2);
    expect(lines).toEqual(['请用 --year YYYY 指定年份，例如 --year 2026。', expect.stringContaining('请给出一个 .xlsx 文件名。')]);
  });
});
