// A point's year against annex 1, from tables of monthly figures: a full year, a point that joined
// mid-year, nil reports, late reports, missing months, a level change, a level without standard,
// and the pace while the year is not over. The thresholds are the seeded annex-1 rows.
import { describe, expect, it } from 'vitest';
import { currentMonth, fromLocal, monthKey } from '../../bot/time.ts';
import { assessPointYear, describeItem, dueMonths, foldMonths, type AnnexRule, type MonthRow, type Verdict } from '../../commands/assessment/year.ts';
import { RULE_SEEDS } from '../../prisma/seed/rules.ts';

const RULES: AnnexRule[] = RULE_SEEDS.filter((r) => r.quantity !== null).map((r) => ({ level: r.level, item: r.item, quantity: r.quantity!, unit: r.unit, source: r.source }));

type Row = [month: number, status: 'reported' | 'noNewData', late: boolean, visitors: number | null, hours: number | null, computers?: number | null];

function rows(table: Row[]): MonthRow[] {
  return table.map(([m, status, isLate, visitors, openHours, computers]) => ({ month: monthKey(2026, m), status, isLate, visitors, openHours, activities: status === 'reported' ? 2 : null, computers: computers ?? null }));
}

/** every month 1..12 reported on time with the same figures */
const everyMonth = (visitors: number, hours: number, computers: number | null = 2): Row[] => Array.from({ length: 12 }, (_, i) => [i + 1, 'reported', false, visitors, hours, computers] as Row);

const YEAR_OVER = fromLocal(2027, 1, 10);
const JOINED_BEFORE = fromLocal(2025, 6, 1);

interface Case {
  name: string;
  level: string;
  joinedAt?: Date;
  asOf?: Date;
  table: Row[];
  expected: { visitors?: Verdict; weeklyHours?: Verdict; reporting?: Verdict; computers?: Verdict };
  expectedMonths: number;
  missing: number[];
  final?: boolean;
  meetsAll?: boolean;
  text?: Partial<Record<'visitors' | 'weeklyHours' | 'reporting' | 'computers', string>>;
}

const CASES: Case[] = [
  {
    name: 'a village that reported every month on time and meets every item',
    level: 'village',
    table: everyMonth(50, 140),
    expected: { visitors: 'met', weeklyHours: 'met', reporting: 'met', computers: 'met' },
    expectedMonths: 12,
    missing: [],
    final: true,
    meetsAll: true,
    text: { visitors: '年服务人次 600 人次，要求不少于 500 人次，达标' },
  },
  {
    name: 'the same figures held against the town level after a level change: the town thresholds apply',
    level: 'town',
    table: everyMonth(50, 140),
    expected: { visitors: 'notMet', weeklyHours: 'notMet', reporting: 'met', computers: 'notMet' },
    expectedMonths: 12,
    missing: [],
    meetsAll: false,
    text: { visitors: '年服务人次 600 人次，要求不少于 1000 人次，差 400 人次', computers: '电脑：12月报可用 2 台，要求 5 台，差 3 台' },
  },
  {
    name: 'a point that joined in July: the months before are not missing, the visitors are prorated to six months',
    level: 'village',
    joinedAt: fromLocal(2026, 7, 15),
    table: [7, 8, 9, 10, 11, 12].map((m) => [m, 'reported', false, 45, 140, 2] as Row),
    expected: { visitors: 'met', weeklyHours: 'met', reporting: 'met', computers: 'met' },
    expectedMonths: 6,
    missing: [],
    meetsAll: true,
    text: { visitors: '年服务人次 270 人次，要求全年不少于 500 人次，按 6 个月折算应达 250 人次，达标' },
  },
  {
    name: 'nil reports count as reported months and add no figures; weekly hours over the months open only',
    level: 'village',
    table: [...everyMonth(70, 140).slice(0, 9), [10, 'noNewData', false, null, null], [11, 'noNewData', false, null, null], [12, 'noNewData', false, null, null]],
    expected: { visitors: 'met', weeklyHours: 'met', reporting: 'met', computers: 'met' },
    expectedMonths: 12,
    missing: [],
    meetsAll: true,
    text: { visitors: '年服务人次 630 人次，要求不少于 500 人次，达标' },
  },
  {
    name: 'late reports: reported, but the reporting item is not met',
    level: 'village',
    table: everyMonth(50, 140).map((r) => (r[0] === 3 || r[0] === 4 ? ([r[0], r[1], true, r[3], r[4], r[5]] as Row) : r)),
    expected: { visitors: 'met', weeklyHours: 'met', reporting: 'notMet' },
    expectedMonths: 12,
    missing: [],
    meetsAll: false,
    text: { reporting: '按时上报：应报 12 个月，已报 12，按时 10；逾期 2 个月（3、4月）' },
  },
  {
    name: 'missing months and visitors short of the threshold: not enough data, saying how many months are missing',
    level: 'village',
    table: everyMonth(40, 140).filter((r) => r[0] <= 9),
    expected: { visitors: 'noData', weeklyHours: 'met', reporting: 'notMet' },
    expectedMonths: 12,
    missing: [10, 11, 12],
    meetsAll: false,
    text: { visitors: '年服务人次已报 360 人次，要求不少于 500 人次，差 140 人次，缺 3 个月的月报（10、11、12月），数据不全无法判断' },
  },
  {
    name: 'missing months but the visitors already reach the threshold: met all the same',
    level: 'village',
    table: everyMonth(100, 140).filter((r) => r[0] !== 6),
    expected: { visitors: 'met', reporting: 'notMet' },
    expectedMonths: 12,
    missing: [6],
  },
  {
    name: 'short opening hours: the gap is given',
    level: 'village',
    table: everyMonth(50, 86),
    expected: { weeklyHours: 'notMet' },
    expectedMonths: 12,
    missing: [],
    // 12 × 86 hours over 365 / 7 weeks = 19.8 hours a week
    text: { weeklyHours: '平均每周开放时间：按开放的 12 个月计平均每周 19.8 小时，要求不少于 30 小时，差 10.2 小时' },
  },
  {
    name: 'the year not over (10 November): October is due, November not; the pace is over ten months',
    level: 'village',
    asOf: fromLocal(2026, 11, 10),
    table: everyMonth(40, 140).filter((r) => r[0] <= 10),
    expected: { visitors: 'notMet', reporting: 'met' },
    expectedMonths: 10,
    missing: [],
    final: false,
    text: { visitors: '年服务人次 400 人次，要求全年不少于 500 人次，按 10 个月折算应达 417 人次，差 17 人次' },
  },
  {
    name: 'before the 5th the last month is not yet due, and not missing',
    level: 'village',
    asOf: fromLocal(2026, 11, 4),
    table: everyMonth(50, 140).filter((r) => r[0] <= 9),
    expected: { reporting: 'met' },
    expectedMonths: 9,
    missing: [],
  },
  {
    name: 'no computers in any report: not enough data for that item',
    level: 'village',
    table: everyMonth(50, 140, null),
    expected: { computers: 'noData' },
    expectedMonths: 12,
    missing: [],
    meetsAll: false,
  },
  {
    name: 'a school: annex 1 gives no standard, nothing is judged',
    level: 'school',
    table: everyMonth(50, 140),
    expected: {},
    expectedMonths: 12,
    missing: [],
    meetsAll: false,
  },
];

describe('a point’s year against annex 1', () => {
  it.each(CASES)('$name', (c) => {
    const result = assessPointYear({ year: 2026, level: c.level, joinedMonth: currentMonth(c.joinedAt ?? JOINED_BEFORE), asOf: c.asOf ?? YEAR_OVER, figures: foldMonths(2026, rows(c.table)), rules: RULES });
    const verdicts = Object.fromEntries(result.items.map((i) => [i.key, i.verdict]));
    for (const [key, verdict] of Object.entries(c.expected)) expect(verdicts[key], key).toBe(verdict);
    if (Object.keys(c.expected).length === 0) expect(result.items).toEqual([]);
    expect(result.expectedMonths.length).toBe(c.expectedMonths);
    expect(result.missingMonths).toEqual(c.missing);
    if (c.final !== undefined) expect(result.final).toBe(c.final);
    if (c.meetsAll !== undefined) expect(result.meetsAll).toBe(c.meetsAll);
    for (const [key, text] of Object.entries(c.text ?? {})) expect(describeItem(result.items.find((i) => i.key === key)!, result)).toBe(text);
    for (const item of result.items) expect(item.rule.source).toMatch(/^附件[13]/);
  });
});

describe('folding months', () => {
  it('ignores other years, keeps the latest computers figure and adds no figures for nil months', () => {
    const folded = foldMonths(2026, [
      { month: '2025-12', status: 'reported', isLate: false, visitors: 999, openHours: 99, computers: 9 },
      { month: '2026-02', status: 'reported', isLate: true, visitors: 10, openHours: 20, activities: 1, computers: 3 },
      { month: '2026-01', status: 'reported', isLate: false, visitors: 5, openHours: 0, activities: 2, computers: 1 },
      { month: '2026-03', status: 'noNewData', isLate: false, visitors: 50, openHours: 50 },
    ]);
    expect(folded).toEqual({ reportedMask: 0b111, lateMask: 0b10, openMask: 0b10, visitors: 15, openHours: 20, activities: 3, computers: 3, computersMonth: 2 });
  });
});

describe('due months', () => {
  it.each([
    ['joined before the year, asOf 5 March 00:00: January and February are due', fromLocal(2025, 3, 1), fromLocal(2026, 3, 5), [1, 2]],
    ['asOf 4 March 23:59: February not yet', fromLocal(2025, 3, 1), fromLocal(2026, 3, 4, 23, 59), [1]],
    ['joined 31 January 23:30 Dongguan time: January counts', fromLocal(2026, 1, 31, 23, 30), fromLocal(2026, 3, 5), [1, 2]],
    ['joined 1 February: only February', fromLocal(2026, 2, 1), fromLocal(2026, 3, 5), [2]],
    ['joined after the year: nothing', fromLocal(2027, 2, 1), fromLocal(2027, 3, 5), []],
  ] as const)('%s', (_, joinedAt, asOf, expected) => expect(dueMonths(2026, currentMonth(joinedAt), asOf)).toEqual(expected));
});
