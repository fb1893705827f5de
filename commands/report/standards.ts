// After a report: how the point stands against annex 1's service requirements (平均每周开放时间,
// 年服务人次). The minimums come from the Rule table only; without a row the bot says nothing
// rather than state a figure the source document or an operator did not give.
import type { Queries } from '../../bot/core/queries.ts';
import { daysInMonth, parseMonthKey, type MonthKey } from '../../bot/time.ts';
import type { FigureValue } from './parse.ts';
import { parseStoredFigures } from './validate.ts';
import { monthSpanLabel, monthsFromTo, periodStart } from './year-period.ts';

export interface RuleMinimum {
  item: string;
  quantity: number;
  unit: string | null;
}

export interface StandardInput {
  month: MonthKey;
  figures: Record<string, FigureValue>;
  noNewData: boolean;
  /** visitors of periodStart..month, this report included */
  visitorsYearToDate: number;
  /** the first month counted this year (year-period.ts); January when absent */
  periodStart?: MonthKey;
  weeklyHoursRule: RuleMinimum | null;
  yearlyVisitorsRule: RuleMinimum | null;
}

function round1(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Average weekly opening hours of a month: total hours / days in month * 7. */
export function averageWeeklyHours(openHours: number, month: MonthKey): number {
  return (openHours / daysInMonth(month)) * 7;
}

export function standardLines(input: StandardInput): string[] {
  const lines: string[] = [];
  const hours = input.figures.openHours;
  if (input.weeklyHoursRule && !input.noNewData && typeof hours === 'number') {
    const weekly = averageWeeklyHours(hours, input.month);
    const min = input.weeklyHoursRule.quantity;
    const unit = input.weeklyHoursRule.unit ?? '小时';
    lines.push(
      weekly >= min
        ? `本月平均每周开放 ${round1(weekly)} 小时，达到${input.weeklyHoursRule.item}不少于 ${min} ${unit}的标准。`
        : `本月平均每周开放 ${round1(weekly)} 小时，低于${input.weeklyHoursRule.item}不少于 ${min} ${unit}的标准，请争取多开放。`,
    );
  }
  if (input.yearlyVisitorsRule) {
    const start = input.periodStart ?? `${parseMonthKey(input.month).year}-01`;
    const months = monthsFromTo(start, input.month);
    const min = input.yearlyVisitorsRule.quantity;
    const unit = input.yearlyVisitorsRule.unit ?? '人次';
    const expected = Math.ceil((min * months) / 12);
    const total = input.visitorsYearToDate;
    // the period is said, and why it does not start in January
    const span = `今年 ${monthSpanLabel(start, input.month)}${parseMonthKey(start).month > 1 ? `（从该服务点开始用机器人上报的 ${parseMonthKey(start).month} 月算起）` : ''}`;
    const pace = `${input.yearlyVisitorsRule.item}要求不少于 ${min} ${unit}，${months} 个月按进度应达 ${expected} 人次`;
    lines.push(
      total >= expected
        ? `${span}已报的服务人次累计 ${total}，${pace}，进度正常。`
        : `${span}已报的服务人次累计 ${total}，${pace}，目前落后 ${expected - total} 人次。`,
    );
  }
  return lines;
}

/** Only town and village points have annex-1 minimums. */
export function hasMinimums(level: string): boolean {
  return level === 'town' || level === 'village';
}

export async function loadStandardInput(
  queries: Pick<Queries, 'directory' | 'reports' | 'settings'>,
  point: { id: number; level: string },
  month: MonthKey,
  figures: Record<string, FigureValue>,
  noNewData: boolean,
  /** what the caller has read already: the point's stored reports of January..month (at least), when it was listed */
  known: { yearSoFar?: readonly { month: string; figures: string }[]; listedAt?: Date | null } = {},
): Promise<StandardInput | null> {
  if (!hasMinimums(point.level)) return null;
  const [rules, loaded, listed, settings] = await Promise.all([
    queries.reports.minimums(point.level),
    known.yearSoFar ?? queries.reports.months(point.id, `${parseMonthKey(month).year}-01`, month),
    known.listedAt !== undefined ? known.listedAt : queries.directory.pointListedAt(point.id),
    queries.settings.reminders(),
  ]);
  // the month reported always counts, even when it comes before the point's first month
  const computed = periodStart(month, listed ?? new Date(0), settings.reportsCountFrom);
  const start = computed > month ? month : computed;
  const reports = loaded.filter((r) => r.month >= start && r.month <= month);
  const asMinimum = (r: (typeof rules)[number] | undefined): RuleMinimum | null =>
    r && r.quantity !== null ? { item: r.item, quantity: r.quantity, unit: r.unit } : null;
  let visitorsYearToDate = 0;
  for (const r of reports) {
    const v = r.month === month ? figures.visitors : parseStoredFigures(r.figures).visitors;
    if (typeof v === 'number') visitorsYearToDate += v;
  }
  if (!reports.some((r) => r.month === month) && typeof figures.visitors === 'number') visitorsYearToDate += figures.visitors;
  return {
    month,
    figures,
    noNewData,
    visitorsYearToDate,
    periodStart: start,
    weeklyHoursRule: asMinimum(rules.find((r) => r.item.includes('每周开放'))),
    yearlyVisitorsRule: asMinimum(rules.find((r) => r.item.includes('服务人次'))),
  };
}
