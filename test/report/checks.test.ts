// Validation, plausibility, the standard checks and the completeness arithmetic: pure functions.
import { describe, expect, it } from 'vitest';
import { buildTemplate, REPORT_FIELD_DEFAULTS, reportFieldSchema } from '../../commands/report/template.ts';
import { boundsFor, checkFigure, validateFigures, missingRequired } from '../../commands/report/validate.ts';
import { checkPlausibility, MAX_VISITORS_PER_OPEN_HOUR } from '../../commands/report/plausibility.ts';
import { averageWeeklyHours, standardLines } from '../../commands/report/standards.ts';
import { monthsFromTo, periodStart } from '../../commands/report/year-period.ts';
import { computeCompleteness, formatCompleteness } from '../../commands/report/completeness.ts';
import { csvCell } from '../../commands/report/export.ts';

const template = buildTemplate(REPORT_FIELD_DEFAULTS);
const field = (key: string) => template.byKey.get(key)!;

describe('template rows', () => {
  it('reads a stored row with comma separated aliases', () => {
    const row = reportFieldSchema.parse({ key: 'visitors', label: '服务人次', unit: '人次', type: 'int', min: 0, max: 100, required: true, aliases: '到馆人次，接待人次, ,读者人次', sortOrder: 1 });
    expect(row.aliases).toEqual(['到馆人次', '接待人次', '读者人次']);
  });
  it('refuses a row with an unknown type or min above max', () => {
    expect(reportFieldSchema.safeParse({ key: 'x', label: 'X', type: 'float' }).success).toBe(false);
    expect(reportFieldSchema.safeParse({ key: 'x', label: 'X', type: 'int', min: 5, max: 1 }).success).toBe(false);
  });
  it('has the four required fields of DESIGN.md', () => {
    expect(template.fields.filter((f) => f.required).map((f) => f.label)).toEqual(['开放天数', '开放时长', '服务人次', '活动场次']);
    expect(template.fields.map((f) => f.label)).toEqual(['开放天数', '开放时长', '服务人次', '活动场次', '活动参与人次', '培训场次', '培训人次', '可用电脑', '备注']);
  });
});

describe('validation', () => {
  it('bounds opening days and hours by the month', () => {
    expect(boundsFor(field('openDays'), '2026-02')).toEqual({ min: 0, max: 28 });
    expect(boundsFor(field('openHours'), '2026-10')).toEqual({ min: 0, max: 744 });
    expect(boundsFor(field('openHours'), '2026-11')).toEqual({ min: 0, max: 720 });
  });
  it.each([
    ['openDays', 40, '2026-10', '开放天数应在 0 到 31天 之间（2026年10月共 31 天），收到 40天。'],
    ['openDays', 30, '2026-02', '开放天数应在 0 到 28天 之间（2026年2月共 28 天），收到 30天。'],
    ['openHours', 800, '2026-10', '开放时长应在 0 到 744小时 之间（2026年10月共 31 天），收到 800小时。'],
    ['visitors', -5, '2026-10', '服务人次不能是负数，应在 0 到 1000000人次 之间。'],
    ['openDays', 22.5, '2026-10', '开放天数应是整数，不能有小数（收到 22.5），应在 0 到 31天 之间。'],
    ['visitors', '很多', '2026-10', '服务人次应填数字。'],
  ])('%s = %s in %s', (key, value, month, message) => {
    expect(checkFigure(field(key), value, month)).toBe(message);
  });
  it('accepts fractions of hours and plain values', () => {
    expect(checkFigure(field('openHours'), 175.5, '2026-10')).toBeNull();
    expect(checkFigure(field('visitors'), 0, '2026-10')).toBeNull();
    expect(checkFigure(field('remarks'), '正常开放', '2026-10')).toBeNull();
    expect(checkFigure(field('remarks'), 'x'.repeat(501), '2026-10')).toContain('最多 500 个字');
  });
  it('refuses hours that the days cannot hold', () => {
    expect(validateFigures({ openDays: 0, openHours: 10 }, template, '2026-10')[0]?.message).toContain('开放天数是 0 天');
    expect(validateFigures({ openDays: 2, openHours: 60 }, template, '2026-10')[0]?.message).toContain('超过了 2 天最多的 48 小时');
    expect(validateFigures({ openDays: 22, openHours: 176, visitors: 120, activities: 3 }, template, '2026-10')).toEqual([]);
  });
  it('lists the required fields still missing', () => {
    expect(missingRequired({ visitors: 1 }, template).map((f) => f.key)).toEqual(['openDays', 'openHours', 'activities']);
  });
});

describe('plausibility', () => {
  const base = { openDays: 22, openHours: 176, visitors: 120, activities: 3 };
  it('says nothing about figures close to last month', () => {
    expect(checkPlausibility(base, { ...base, visitors: 100 }, template)).toEqual([]);
    expect(checkPlausibility(base, null, template)).toEqual([]);
  });
  it('questions more than three times or under a third of last month', () => {
    expect(checkPlausibility({ ...base, visitors: 1200 }, base, template).map((w) => w.key)).toContain('visitors');
    expect(checkPlausibility({ ...base, visitors: 30 }, base, template)[0]?.message).toContain('不到上个月（120人次）的三分之一');
  });
  it('leaves small counts alone (3 activities after 1 is normal)', () => {
    expect(checkPlausibility({ ...base, activities: 3 }, { ...base, activities: 1 }, template)).toEqual([]);
  });
  it(`questions more than ${MAX_VISITORS_PER_OPEN_HOUR} visitors per opening hour`, () => {
    expect(checkPlausibility({ ...base, openHours: 10, visitors: 600 }, null, template)[0]?.message).toContain('每小时超过 50 人次');
    expect(checkPlausibility({ ...base, openHours: 0, openDays: 0, visitors: 5 }, null, template)[0]?.key).toBe('visitors');
    expect(checkPlausibility({ ...base, openHours: 10, visitors: 500 }, null, template)).toEqual([]);
  });
});

describe('standard checks', () => {
  const weekly = { item: '平均每周开放时间', quantity: 30, unit: '小时' };
  const yearly = { item: '年服务人次', quantity: 500, unit: '人次' };
  it('computes average weekly hours from the monthly total', () => {
    expect(averageWeeklyHours(176, '2026-10')).toBeCloseTo((176 / 31) * 7);
  });
  it('says whether the point meets the weekly minimum and is on pace for the year', () => {
    const lines = standardLines({ month: '2026-10', figures: { openHours: 176 }, noNewData: false, visitorsYearToDate: 450, weeklyHoursRule: weekly, yearlyVisitorsRule: yearly });
    expect(lines[0]).toBe('本月平均每周开放 39.7 小时，达到平均每周开放时间不少于 30 小时的标准。');
    expect(lines[1]).toBe('今年 1—10 月已报的服务人次累计 450，年服务人次要求不少于 500 人次，10 个月按进度应达 417 人次，进度正常。');
    const behind = standardLines({ month: '2026-10', figures: { openHours: 100 }, noNewData: false, visitorsYearToDate: 100, weeklyHoursRule: weekly, yearlyVisitorsRule: yearly });
    expect(behind[0]).toContain('低于平均每周开放时间不少于 30 小时的标准');
    expect(behind[1]).toContain('落后 317 人次');
  });
  it('counts the year from the point’s own first month, and says so', () => {
    const first = standardLines({ month: '2026-10', figures: { openHours: 176 }, noNewData: false, visitorsYearToDate: 120, periodStart: '2026-10', weeklyHoursRule: weekly, yearlyVisitorsRule: yearly });
    expect(first[1]).toBe('今年 10 月（从该服务点开始用机器人上报的 10 月算起）已报的服务人次累计 120，年服务人次要求不少于 500 人次，1 个月按进度应达 42 人次，进度正常。');
    const second = standardLines({ month: '2026-11', figures: {}, noNewData: true, visitorsYearToDate: 120, periodStart: '2026-10', weeklyHoursRule: weekly, yearlyVisitorsRule: yearly });
    expect(second[0]).toBe('今年 10—11 月（从该服务点开始用机器人上报的 10 月算起）已报的服务人次累计 120，年服务人次要求不少于 500 人次，2 个月按进度应达 84 人次，进度正常。');
  });
  it('says nothing when the rule rows are missing', () => {
    expect(standardLines({ month: '2026-10', figures: { openHours: 176 }, noNewData: false, visitorsYearToDate: 450, weeklyHoursRule: null, yearlyVisitorsRule: null })).toEqual([]);
  });
});

describe('the year-to-date period of a point', () => {
  it.each([
    // month, listed in the directory at (Dongguan time), reports.countFrom → first month counted
    ['2026-10', '2026-11-02T10:00:00+08:00', null, '2026-10'],
    ['2026-11', '2026-11-02T10:00:00+08:00', null, '2026-10'],
    ['2026-11', '2026-11-01T00:30:00+08:00', null, '2026-10'],
    ['2026-11', '2026-10-31T23:30:00+08:00', null, '2026-09'],
    ['2026-11', '2026-03-15T10:00:00+08:00', '2026-10', '2026-10'],
    ['2026-11', '2026-11-02T10:00:00+08:00', '2025-06', '2026-10'],
    ['2027-02', '2026-11-02T10:00:00+08:00', null, '2027-01'],
    ['2026-09', '2026-11-02T10:00:00+08:00', null, '2026-10'],
  ] as const)('%s, listed %s, counting from %s → %s', (month, listedAt, countFrom, expected) => {
    expect(periodStart(month, new Date(listedAt), countFrom)).toBe(expected);
  });
  it.each([
    ['2026-10', '2026-11', 2],
    ['2026-01', '2026-11', 11],
    ['2026-12', '2026-11', 0],
    ['2025-11', '2026-02', 4],
  ] as const)('%s to %s is %i months', (a, b, n) => {
    expect(monthsFromTo(a, b)).toBe(n);
  });
});

describe('year rates counted from each point’s first month', () => {
  const base = { month: '2026-11', town: null, missing: [] };
  const counts = [
    { town: '石龙镇', state: 'reported' as const, late: false, count: 6 },
    { town: '石龙镇', state: 'missing' as const, late: false, count: 4 },
  ];
  it('takes 10 points listed at the start of November as due for October and November', () => {
    const c = computeCompleteness({ ...base, counts, yearCounts: [{ month: '2026-11', state: 'reported', late: false, count: 12 }], yearPoints: [{ start: '2026-10', count: 10 }] });
    expect(c.year).toMatchObject({ points: 20, submitted: 12, reportingRate: 0.6, months: 2, from: '2026-10', perPoint: false });
    expect(formatCompleteness(c, new Date('2026-12-06T02:00:00Z'))).toContain('2026年10—11月：上报率 60.0%，按时上报率 60.0%（从开始用机器人上报的 10 月算起）。');
  });
  it('counts a point listed later from its own month, and says the period is per point', () => {
    const c = computeCompleteness({
      ...base,
      counts,
      yearCounts: [{ month: '2026-11', state: 'reported', late: false, count: 11 }],
      yearPoints: [
        { start: '2026-10', count: 9 },
        { start: '2026-11', count: 1 },
      ],
    });
    expect(c.year).toMatchObject({ points: 19, from: '2026-10', perPoint: true });
    expect(formatCompleteness(c, new Date('2026-12-06T02:00:00Z'))).toContain('（各服务点从列入通信名录、开始用机器人上报的月份算起，最早 10 月）');
  });
});

describe('completeness arithmetic', () => {
  const c = computeCompleteness({
    month: '2026-10',
    town: null,
    counts: [
      { town: '石龙镇', state: 'reported', late: false, count: 2 },
      { town: '石龙镇', state: 'reported', late: true, count: 1 },
      { town: '石龙镇', state: 'missing', late: false, count: 1 },
      { town: '虎门镇', state: 'noNewData', late: false, count: 1 },
      { town: '虎门镇', state: 'missing', late: false, count: 3 },
    ],
    yearCounts: [
      { month: '2026-09', state: 'reported', late: false, count: 8 },
      { month: '2026-10', state: 'reported', late: false, count: 2 },
      { month: '2026-10', state: 'reported', late: true, count: 1 },
      { month: '2026-10', state: 'noNewData', late: false, count: 1 },
    ],
    missing: [{ town: '石龙镇', name: '示例二村' }, { town: '虎门镇', name: 'A村' }, { town: '虎门镇', name: 'B村' }],
  });
  it('counts per town and in total', () => {
    expect(c.total).toMatchObject({ points: 8, reported: 3, noNewData: 1, missing: 4, late: 1 });
    expect(c.towns.map((t) => [t.town, t.missing])).toEqual([['虎门镇', 3], ['石龙镇', 1]]);
  });
  it('computes the month and year rates against all active points', () => {
    expect(c.monthRates.reportingRate).toBe(0.5);
    expect(c.monthRates.onTimeRate).toBe(3 / 8);
    expect(c.year.months).toBe(10);
    expect(c.year.reportingRate).toBe(12 / 80);
    expect(c.year.onTimeRate).toBe(11 / 80);
  });
  it('names the missing points, and says how many more there are', () => {
    const text = formatCompleteness(c, new Date('2026-11-06T02:00:00Z'));
    expect(text).toContain('全市共 8 个服务点：已报 3，无新增 1，未报 4。');
    expect(text).toContain('本月上报率 50.0%，按时上报率 37.5%');
    expect(text).toContain('虎门镇：已报 0，无新增 1，未报 3（未报：A村、B村 等 3 个）');
    expect(text).toContain('石龙镇：已报 3，无新增 0，未报 1（未报：示例二村）');
  });
});

describe('CSV cells', () => {
  it.each<[string | number | null, string]>([
    [null, ''], [12, '12'], ['石龙镇', '石龙镇'], ['a,b', '"a,b"'], ['say "hi"', '"say ""hi"""'], ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
  ])('%s → %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});
