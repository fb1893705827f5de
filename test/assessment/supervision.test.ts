// The supervision list and the model points from tables of points' years: towns ordered by need,
// the problems named per point, model points only among those that reported every month on time
// and meet every item, ranked by visitors per opening hour; the rounds of the work plan.
import { describe, expect, it } from 'vitest';
import { currentMonth, fromLocal, monthKey } from '../../bot/time.ts';
import { defaultRound, modelPoints, problemsOf, rankTowns, roundYear, type PointAssessment } from '../../commands/assessment/supervision.ts';
import { summariseTowns } from '../../commands/assessment/summary.ts';
import { assessPointYear, foldMonths, type AnnexRule, type MonthRow } from '../../commands/assessment/year.ts';
import { RULE_SEEDS } from '../../prisma/seed/rules.ts';

const RULES: AnnexRule[] = RULE_SEEDS.filter((r) => r.quantity !== null).map((r) => ({ level: r.level, item: r.item, quantity: r.quantity!, unit: r.unit, source: r.source }));
const AS_OF = fromLocal(2027, 1, 10);

interface Spec {
  town: string;
  name: string;
  /** months 1..12 not reported */
  missing?: number[];
  late?: number[];
  visitors: number;
  hours: number;
  activities?: number;
  unacknowledged?: number;
}

let nextId = 1;
function point(s: Spec): PointAssessment {
  const rows: MonthRow[] = [];
  for (let m = 1; m <= 12; m++) {
    if (s.missing?.includes(m)) continue;
    rows.push({ month: monthKey(2026, m), status: 'reported', isLate: s.late?.includes(m) ?? false, visitors: s.visitors, openHours: s.hours, activities: s.activities ?? 1, computers: 2 });
  }
  const year = assessPointYear({ year: 2026, level: 'village', joinedMonth: '2025-01', asOf: AS_OF, figures: foldMonths(2026, rows), rules: RULES });
  return { id: nextId++, town: s.town, name: s.name, level: 'village', year, unacknowledged: s.unacknowledged ?? 0 };
}

const POINTS: PointAssessment[] = [
  point({ town: '甲镇', name: '甲一村', visitors: 60, hours: 140 }),
  point({ town: '甲镇', name: '甲二村', visitors: 60, hours: 140, unacknowledged: 1 }),
  point({ town: '乙镇', name: '乙一村', visitors: 60, hours: 140, missing: [5, 6, 7] }),
  point({ town: '乙镇', name: '乙二村', visitors: 20, hours: 60, late: [2] }),
  point({ town: '丙镇', name: '丙一村', visitors: 90, hours: 140, activities: 3 }),
  point({ town: '丙镇', name: '丙二村', visitors: 90, hours: 140, activities: 5 }),
  point({ town: '丙镇', name: '丙三村', visitors: 100, hours: 130, late: [12] }),
];

describe('supervision order', () => {
  it('puts the town with the lowest reporting rate and most points below standard first', () => {
    const towns = rankTowns(POINTS);
    expect(towns.map((t) => t.town)).toEqual(['乙镇', '甲镇', '丙镇']);
    const yi = towns[0]!;
    expect(yi).toMatchObject({ points: 2, expectedMonths: 24, reportedMonths: 21, belowStandard: 2, unacknowledged: 0 });
    expect(yi.reportingRate).toBeCloseTo(21 / 24);
    // 0.125 unreported + 2/2 below standard
    expect(yi.need).toBeCloseTo(1.125);
    expect(towns[1]!.need).toBeCloseTo(0.5);
    expect(towns[2]!.need).toBeCloseTo(1 / 3);
  });

  it.each([
    ['乙一村', ['缺报 5、6、7月']],
    ['乙二村', ['逾期 1 个月', '年服务人次差 260 人次', '每周开放 13.8 小时（要求 30）']],
    ['甲二村', ['1 条通知未确认']],
    ['甲一村', []],
  ])('names what is wrong with %s', (name, problems) => expect(problemsOf(POINTS.find((p) => p.name === name)!)).toEqual(problems));

  it('lists a town’s points with problems, the most problems first', () => {
    const yi = rankTowns(POINTS).find((t) => t.town === '乙镇')!;
    expect(yi.problemPoints.map((p) => p.name)).toEqual(['乙二村', '乙一村']);
  });
});

describe('model points', () => {
  it('only points with every month on time and every item met, by visitors per opening hour, then activities', () => {
    const models = modelPoints(POINTS);
    // equal figures: by name in pinyin order (二 er before 一 yi)
    expect(models.map((m) => m.name)).toEqual(['丙二村', '丙一村', '甲二村', '甲一村']);
    expect(models[0]).toMatchObject({ visitors: 1080, openHours: 1680, activities: 60, months: 12 });
    expect(models[0]!.visitorsPerHour).toBeCloseTo(1080 / 1680);
  });
});

describe('the leaders’ summary per town', () => {
  it('counts points, months and the points meeting annex 1', () => {
    const { towns, total } = summariseTowns(POINTS);
    expect(towns.map((t) => [t.town, t.points, t.meetingAll, t.visitors])).toEqual([
      ['丙镇', 3, 2, 3360],
      ['甲镇', 2, 2, 1440],
      ['乙镇', 2, 0, 780],
    ]);
    expect(total).toMatchObject({ points: 7, expectedMonths: 84, reportedMonths: 81, onTimeMonths: 79, meetingAll: 4, belowStandard: 3 });
    expect(total.reportingRate).toBeCloseTo(81 / 84);
  });
});

describe('rounds', () => {
  it.each([
    ['2027-03', 2026],
    ['2027-04', 2026],
    ['2026-10', 2026],
    ['2026-11', 2026],
  ])('the %s round looks at %i', (round, year) => expect(roundYear(round)).toBe(year));

  it.each([
    [fromLocal(2026, 2, 10), '2026-03'],
    [fromLocal(2026, 4, 10), '2026-04'],
    [fromLocal(2026, 5, 10), '2026-10'],
    [fromLocal(2026, 11, 30), '2026-11'],
    [fromLocal(2026, 12, 3), '2027-03'],
  ])('on %s the round is %s', (now, round) => expect(defaultRound(now)).toBe(round));
});
