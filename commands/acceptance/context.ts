// What an applicant's dialogue starts from: the prefill (directory, latest monthly report), the
// service figures of the monthly reports for the self-check, and the rules table. Pure over the rows
// handed in, so the dialogue's fixtures need no database.
import { addMonths, monthLabel, type MonthKey } from '../../bot/time.ts';
import { averageWeeklyHours } from '../report/standards.ts';
import type { ServiceFigures } from './selfcheck.ts';

export interface ReportRow {
  month: MonthKey;
  status: string;
  figures: Record<string, unknown>;
}

/**
 * 平均每周开放时间 from the latest month with opening hours; 年服务人次 as the sum of the twelve months
 * before `current`, only when all twelve were reported (a missing month would understate the year).
 */
export function serviceFiguresFrom(reports: readonly ReportRow[], current: MonthKey): ServiceFigures | null {
  const sorted = [...reports].sort((a, b) => b.month.localeCompare(a.month));
  const withHours = sorted.find((r) => r.status === 'reported' && typeof r.figures.openHours === 'number');
  const months = Array.from({ length: 12 }, (_, i) => addMonths(current, -1 - i));
  const year = months.map((m) => sorted.find((r) => r.month === m));
  const complete = year.every((r) => r !== undefined);
  const yearlyVisitors = complete ? year.reduce((n, r) => n + (typeof r!.figures.visitors === 'number' ? (r!.figures.visitors as number) : 0), 0) : null;
  if (!withHours && yearlyVisitors === null) return null;
  const weeklyHours = withHours ? Math.round(averageWeeklyHours(withHours.figures.openHours as number, withHours.month) * 10) / 10 : null;
  const basis = [
    withHours ? `开放时间按${monthLabel(withHours.month)}` : null,
    yearlyVisitors !== null ? `服务人次按${monthLabel(months[11]!)}至${monthLabel(months[0]!)}` : null,
  ].filter(Boolean).join('，');
  return { weeklyHours, yearlyVisitors, basis };
}

/** The newest report that has figures, for the prefill. */
export function latestReport(reports: readonly ReportRow[]): { month: MonthKey; figures: Record<string, unknown> } | null {
  const r = [...reports].filter((x) => x.status === 'reported').sort((a, b) => b.month.localeCompare(a.month))[0];
  return r ? { month: r.month, figures: r.figures } : null;
}
