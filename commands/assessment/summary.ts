// The leaders' summary (工作方案 五(二)三: 将全市文化共享工程建设与服务情况向各基层领导干部通告):
// per town, points, reporting and on-time rates, points meeting annex 1, visitors and activities.
import type { PointAssessment } from './supervision.ts';
import { compareChinese } from './year.ts';

export interface TownSummary {
  town: string;
  points: number;
  /** points annex 1 gives a standard for (town and village points) */
  withStandard: number;
  meetingAll: number;
  belowStandard: number;
  expectedMonths: number;
  reportedMonths: number;
  onTimeMonths: number;
  reportingRate: number | null;
  onTimeRate: number | null;
  /** meetingAll / withStandard */
  meetingShare: number | null;
  visitors: number;
  activities: number;
}

function empty(town: string): TownSummary {
  return { town, points: 0, withStandard: 0, meetingAll: 0, belowStandard: 0, expectedMonths: 0, reportedMonths: 0, onTimeMonths: 0, reportingRate: null, onTimeRate: null, meetingShare: null, visitors: 0, activities: 0 };
}

function add(t: TownSummary, p: PointAssessment): void {
  const y = p.year;
  t.points++;
  if (y.hasStandard) t.withStandard++;
  if (y.meetsAll) t.meetingAll++;
  if (y.belowStandard) t.belowStandard++;
  t.expectedMonths += y.expectedMonths.length;
  t.reportedMonths += y.reportedMonths.length;
  t.onTimeMonths += y.reportedMonths.length - y.lateMonths.length;
  t.visitors += y.figures.visitors;
  t.activities += y.figures.activities;
}

function withRates(t: TownSummary): TownSummary {
  return {
    ...t,
    reportingRate: t.expectedMonths ? t.reportedMonths / t.expectedMonths : null,
    onTimeRate: t.expectedMonths ? t.onTimeMonths / t.expectedMonths : null,
    meetingShare: t.withStandard ? t.meetingAll / t.withStandard : null,
  };
}

/** Per town in name order, and the city's total. */
export function summariseTowns(points: readonly PointAssessment[]): { towns: TownSummary[]; total: TownSummary } {
  const byTown = new Map<string, TownSummary>();
  const total = empty('全市');
  for (const p of points) {
    let t = byTown.get(p.town);
    if (!t) byTown.set(p.town, (t = empty(p.town)));
    add(t, p);
    add(total, p);
  }
  const towns = [...byTown.values()].map(withRates).sort((a, b) => compareChinese(a.town, b.town));
  return { towns, total: withRates(total) };
}

export function pct(r: number | null): string {
  return r === null ? '—' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`;
}
