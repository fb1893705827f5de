// Which month a message is about, and when that month's report is due (annex 3: 每月5日前上报上个月的数据).
import { currentMonth, fromLocal, monthKey, parseMonthKey, previousMonth, toLocal, type MonthKey } from '../../bot/time.ts';
import { readNumber } from '../../bot/language/numbers.ts';

/** Reports are due before the 5th of the following month: this is the first late instant (00:00 on the 5th, Dongguan). */
export function reportDueDate(month: MonthKey): Date {
  const { year, month: m } = parseMonthKey(month);
  return fromLocal(year, m + 1, 5);
}

export function isLateSubmission(month: MonthKey, at: Date): boolean {
  return at.getTime() >= reportDueDate(month).getTime();
}

export interface MonthMention {
  month: MonthKey;
  /** where the phrase stands in the text, to cut it out before reading figures */
  start: number;
  end: number;
}

const TAIL = '(?:份)?(?:的)?(?:数据|月报|报表|情况)?';
const PATTERNS: { re: RegExp; resolve(m: RegExpExecArray, now: Date): MonthKey | null }[] = [
  {
    re: new RegExp(`(\\d{4})\\s*(?:年|-|/|\\.)\\s*(\\d{1,2})\\s*(?:月)?${TAIL}`, 'u'),
    resolve: (m) => checkedMonth(Number(m[1]), Number(m[2])),
  },
  {
    re: new RegExp(`(上上个?月|上个?月|前一个?月)${TAIL}`, 'u'),
    resolve: (m, now) => {
      const back = m[1]!.startsWith('上上') ? 2 : 1;
      const l = toLocal(now);
      return monthKey(l.year, l.month - back);
    },
  },
  {
    re: new RegExp(`(?<![\\d.])(\\d{1,2}|[一二三四五六七八九十]{1,3})\\s*月${TAIL}`, 'u'),
    resolve: (m, now) => {
      const raw = m[1]!;
      const n = /^\d+$/.test(raw) ? Number(raw) : readNumber(raw)?.value ?? NaN;
      if (!Number.isInteger(n) || n < 1 || n > 12) return null;
      // a month without a year is the latest one that has begun: in November "12月" is last December
      const l = toLocal(now);
      return n <= l.month ? monthKey(l.year, n) : monthKey(l.year - 1, n);
    },
  },
];

function checkedMonth(year: number, month: number): MonthKey | null {
  if (month < 1 || month > 12 || year < 2000 || year > 2100) return null;
  return monthKey(year, month);
}

/** The first month phrase in the text ("10月的数据", "上个月", "2026年9月"), relative to now. */
export function findMonthMention(text: string, now: Date): MonthMention | null {
  let best: MonthMention | null = null;
  for (const { re, resolve } of PATTERNS) {
    const m = re.exec(text);
    if (!m) continue;
    const month = resolve(m, now);
    if (!month) continue;
    if (!best || m.index < best.start) best = { month, start: m.index, end: m.index + m[0].length };
  }
  return best;
}

/** The month reported on unless the contact names another: the previous calendar month. */
export function defaultReportMonth(now: Date): MonthKey {
  return previousMonth(now);
}

/**
 * Whether figures for this month can be taken now: the month must have ended, and we do not take
 * reports for months more than two years back (the provincial system would not accept them either).
 */
export function reportableMonthProblem(month: MonthKey, now: Date): string | null {
  const current = currentMonth(now);
  if (month >= current) {
    return month === current ? '本月还没有结束，月报要在月底之后再报。' : '这个月份还没有到，不能报数。';
  }
  const l = toLocal(now);
  if (month < monthKey(l.year - 2, l.month)) return '只能报最近两年内的月份。';
  return null;
}
