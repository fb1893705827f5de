// The supervision rounds (工作方案 五(二): 3-4月、10-11月 深入基层调研) and the model points they
// pick: towns ordered by need (overdue 限期整改 of the yearly re-inspection included), each with its
// points and what is wrong with them; and the points that reported every month on time and meet
// every item, ranked by visitors per opening hour.
import { monthKey, parseMonthKey, toLocal, type MonthKey } from '../../bot/time.ts';
import { compareChinese, monthList, type PointYear } from './year.ts';

/** One point's year with what the supervision adds to it. */
export interface PointAssessment {
  id: number;
  town: string;
  name: string;
  level: string;
  year: PointYear;
  /** notices of the period no contact of the point acknowledged */
  unacknowledged: number;
  /** a 限期整改 of its yearly re-inspection whose deadline has passed, not yet re-inspected since */
  overdueRectification?: OverdueRectification | null;
}

export interface OverdueRectification {
  /** local date (YYYY-MM-DD) the rectification was due by */
  deadline: string;
  /** whole days from the deadline to the day of the assessment */
  daysOverdue: number;
}

export interface ProblemPoint {
  name: string;
  problems: string[];
}

export interface TownNeed {
  town: string;
  points: number;
  expectedMonths: number;
  reportedMonths: number;
  /** reported / expected months, null with none expected */
  reportingRate: number | null;
  /** points with an item not met */
  belowStandard: number;
  /** points with every item met */
  meetingAll: number;
  /** point × notice pairs not acknowledged */
  unacknowledged: number;
  /** points whose 限期整改 is past its deadline */
  overdueRectifications: number;
  /**
   * (1 - reporting rate) + share of points below standard + share of points with notices
   * unacknowledged + 1 per overdue rectification: re-inspection is of the town's own accepted point,
   * so a share of the town's points would let a deadline the sub-center set weigh next to nothing
   */
  need: number;
  problemPoints: ProblemPoint[];
}

/** What a visiting team should look at in one point; empty when nothing is wrong. */
export function problemsOf(p: PointAssessment): string[] {
  const y = p.year;
  const problems: string[] = [];
  const r = p.overdueRectification;
  if (r) problems.push(`限期整改逾期 ${r.daysOverdue} 天（期限${chineseDate(r.deadline)}）`);
  if (y.missingMonths.length) problems.push(`缺报 ${monthList(y.missingMonths)}`);
  if (y.lateMonths.length) problems.push(`逾期 ${y.lateMonths.length} 个月`);
  for (const item of y.items) {
    if (item.verdict !== 'notMet' || item.key === 'reporting') continue;
    if (item.key === 'visitors') problems.push(`${item.rule.item}差 ${item.gap} ${item.rule.unit}${y.final ? '' : '（按进度）'}`);
    else if (item.key === 'weeklyHours') problems.push(`每周开放 ${item.value} 小时（要求 ${item.target}）`);
    else problems.push(`${item.rule.item} ${item.value} ${item.rule.unit}（要求 ${item.target}）`);
  }
  if (p.unacknowledged) problems.push(`${p.unacknowledged} 条通知未确认`);
  return problems;
}

/** "2026年11月20日" from a local date. */
function chineseDate(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Whole days from one local date (YYYY-MM-DD) to a later one. */
export function daysBetween(from: string, to: string): number {
  const utc = (day: string) => {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

/** Towns in order of need, most first; ties by name. */
export function rankTowns(points: readonly PointAssessment[]): TownNeed[] {
  const byTown = new Map<string, TownNeed & { withUnacknowledged: number }>();
  for (const p of points) {
    let t = byTown.get(p.town);
    if (!t) {
      t = { town: p.town, points: 0, expectedMonths: 0, reportedMonths: 0, reportingRate: null, belowStandard: 0, meetingAll: 0, unacknowledged: 0, overdueRectifications: 0, need: 0, problemPoints: [], withUnacknowledged: 0 };
      byTown.set(p.town, t);
    }
    t.points++;
    t.expectedMonths += p.year.expectedMonths.length;
    t.reportedMonths += p.year.reportedMonths.length;
    if (p.year.belowStandard) t.belowStandard++;
    if (p.year.meetsAll) t.meetingAll++;
    t.unacknowledged += p.unacknowledged;
    if (p.unacknowledged) t.withUnacknowledged++;
    if (p.overdueRectification) t.overdueRectifications++;
    const problems = problemsOf(p);
    if (problems.length) t.problemPoints.push({ name: p.name, problems });
  }
  const towns = [...byTown.values()].map(({ withUnacknowledged, ...t }) => {
    const reportingRate = t.expectedMonths ? t.reportedMonths / t.expectedMonths : null;
    const need = (reportingRate === null ? 0 : 1 - reportingRate) + t.belowStandard / t.points + withUnacknowledged / t.points + t.overdueRectifications;
    // the points with most to look at first
    t.problemPoints.sort((a, b) => b.problems.length - a.problems.length || compareChinese(a.name, b.name));
    return { ...t, reportingRate, need };
  });
  return towns.sort((a, b) => b.need - a.need || compareChinese(a.town, b.town));
}

export interface ModelPoint {
  town: string;
  name: string;
  level: string;
  visitors: number;
  openHours: number;
  visitorsPerHour: number;
  activities: number;
  months: number;
  weeklyHours: number;
}

/** 先进典型 candidates: every expected month reported on time and every item met; by visitors per opening hour, then activities. */
export function modelPoints(points: readonly PointAssessment[]): ModelPoint[] {
  const models: ModelPoint[] = [];
  for (const p of points) {
    const y = p.year;
    if (!y.meetsAll || y.missingMonths.length || y.lateMonths.length || y.visitorsPerHour === null || y.weeklyHours === null) continue;
    models.push({
      town: p.town,
      name: p.name,
      level: p.level,
      visitors: y.figures.visitors,
      openHours: y.figures.openHours,
      visitorsPerHour: y.visitorsPerHour,
      activities: y.figures.activities,
      months: y.expectedMonths.length,
      weeklyHours: y.weeklyHours,
    });
  }
  return models.sort((a, b) => b.visitorsPerHour - a.visitorsPerHour || b.activities - a.activities || compareChinese(a.name, b.name));
}

/** The round months of the work plan. */
export const ROUND_MONTHS = [3, 4, 10, 11] as const;

/**
 * Which year a round looks at: a spring round (3-4月) the whole previous year, which is then over;
 * an autumn round (10-11月) its own year so far.
 */
export function roundYear(round: MonthKey): number {
  const { year, month } = parseMonthKey(round);
  return month <= 6 ? year - 1 : year;
}

/** The round now under way, or the next one. */
export function defaultRound(now: Date): MonthKey {
  const { year, month } = toLocal(now);
  if (month <= 4) return monthKey(year, Math.max(month, 3));
  if (month <= 11) return monthKey(year, Math.max(month, 10));
  return monthKey(year + 1, 3);
}
