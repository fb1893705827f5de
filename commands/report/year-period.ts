// From which month a point's year-to-date figures count. Not January when the point entered the
// directory later, nor before the bot collected figures at all: a point first reporting in November
// was never asked for January..September, and counting those months made every first confirmation
// say "按进度应达 459 人次，目前落后 339 人次" and a town show "1—11 月上报率 5.5%".
//   a point's first month: the month whose figures were due when it entered the directory (the one
//     before its directory entry, as reports are due by the 5th of the following month);
//   reports.countFrom (setting, YYYY-MM, optional): the first month the sub-center collects through
//     the bot (`gxgc reminders set reports.countFrom 2026-10`).
import { parseMonthKey, previousMonth, type MonthKey } from '../../bot/time.ts';

export function pointFirstMonth(listedAt: Date): MonthKey {
  return previousMonth(listedAt);
}

const latest = (...months: (MonthKey | null | undefined)[]): MonthKey => months.filter((m): m is MonthKey => Boolean(m)).reduce((a, b) => (a > b ? a : b));

/** The first month of the point's year-to-date period for this month; later than month when the point is not counted yet. */
export function periodStart(month: MonthKey, listedAt: Date, countFrom: MonthKey | null): MonthKey {
  return latest(`${parseMonthKey(month).year}-01`, countFrom, pointFirstMonth(listedAt));
}

/** Months from start to end, both counted; 0 when start is after end. */
export function monthsFromTo(start: MonthKey, end: MonthKey): number {
  const a = parseMonthKey(start);
  const b = parseMonthKey(end);
  return Math.max(0, (b.year - a.year) * 12 + b.month - a.month + 1);
}

/** "1—11 月", "10—11 月", "11 月" */
export function monthSpanLabel(start: MonthKey, end: MonthKey): string {
  const a = parseMonthKey(start).month;
  const b = parseMonthKey(end).month;
  return a === b ? `${b} 月` : `${a}—${b} 月`;
}
