// Working days in mainland China: Monday to Friday, minus the public holidays, plus the make-up
// working days (调休) the State Council announces each year. The data is chinese-days' (2004 up to the
// last year it ships), plus days an operator adds for a year it does not cover yet. For such a year
// the count falls back to Monday–Friday and says so (provisional), so a deadline is never silently
// wrong by a holiday. Dates are local calendar dates, "YYYY-MM-DD". Pure apart from loading the data.
import { createRequire } from 'node:module';

export type LocalDay = string;

export interface WorkCalendar {
  holidays: ReadonlySet<LocalDay>;
  workdays: ReadonlySet<LocalDay>;
  /** years whose holidays and make-up days are known */
  coveredYears: ReadonlySet<number>;
}

export interface CalendarAdditions {
  holidays: LocalDay[];
  workdays: LocalDay[];
}

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let shipped: ChineseDaysData | undefined;

function shippedData(): ChineseDaysData {
  shipped ??= createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as ChineseDaysData;
  return shipped;
}

/** A calendar from holiday and make-up day lists; a year counts as covered when it has any holiday listed. */
export function buildCalendar(holidays: Iterable<LocalDay>, workdays: Iterable<LocalDay>): WorkCalendar {
  const h = new Set(holidays);
  const w = new Set(workdays);
  return { holidays: h, workdays: w, coveredYears: new Set([...h].map((d) => Number(d.slice(0, 4)))) };
}

/** chinese-days' data with an operator's additions (a newly announced year) on top. */
export function chinaCalendar(additions: CalendarAdditions = { holidays: [], workdays: [] }): WorkCalendar {
  const data = shippedData();
  return buildCalendar([...Object.keys(data.holidays), ...additions.holidays], [...Object.keys(data.workdays), ...additions.workdays]);
}

function parseDay(day: LocalDay): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new Error(`not a date: ${day}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

function formatDay(d: Date): LocalDay {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: LocalDay, n: number): LocalDay {
  const d = parseDay(day);
  d.setUTCDate(d.getUTCDate() + n);
  return formatDay(d);
}

export function isWorkingDay(cal: WorkCalendar, day: LocalDay): boolean {
  if (cal.workdays.has(day)) return true;
  if (cal.holidays.has(day)) return false;
  const weekday = parseDay(day).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

export interface WorkingDayResult {
  day: LocalDay;
  /** years on the way whose holidays are not known: counted Monday–Friday */
  uncoveredYears: number[];
}

/** The n-th working day after `from` (from itself not counted); n < 0 counts back. */
export function addWorkingDays(cal: WorkCalendar, from: LocalDay, n: number): WorkingDayResult {
  const step = n >= 0 ? 1 : -1;
  let left = Math.abs(n);
  let day = from;
  const uncovered = new Set<number>();
  while (left > 0) {
    day = addDays(day, step);
    const year = Number(day.slice(0, 4));
    if (!cal.coveredYears.has(year)) uncovered.add(year);
    if (isWorkingDay(cal, day)) left--;
  }
  return { day, uncoveredYears: [...uncovered].sort() };
}

/** 二（一）3: 市支中心在收到验收申请表的两个工作周内派员到现场验收 — ten working days after receipt. */
export const INSPECTION_WORKING_DAYS = 10;
/** operators are reminded this many working days before the deadline */
export const REMINDER_WORKING_DAYS_BEFORE = 2;

export interface InspectionDeadline {
  deadline: LocalDay;
  /** the working day on which operators are reminded */
  remindOn: LocalDay;
  /** the deadline was counted Monday–Friday for these years */
  uncoveredYears: number[];
}

export function inspectionDeadline(cal: WorkCalendar, receivedOn: LocalDay): InspectionDeadline {
  const deadline = addWorkingDays(cal, receivedOn, INSPECTION_WORKING_DAYS);
  const remind = addWorkingDays(cal, deadline.day, -REMINDER_WORKING_DAYS_BEFORE);
  return { deadline: deadline.day, remindOn: remind.day, uncoveredYears: deadline.uncoveredYears };
}

/** "2027年节假日安排未载入，暂按周一至周五计算" for the read-back of a provisional deadline. */
export function uncoveredNote(years: readonly number[]): string {
  return years.length
    ? `${years.map((y) => `${y}年`).join('、')}的法定节假日和调休安排尚未载入，暂按周一至周五计算，请核对（可用 gxgc reminders set calendar.holidays / calendar.workdays 补充该年的安排）`
    : '';
}
