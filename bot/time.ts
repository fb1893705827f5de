// Time in the sub-center's zone. Dongguan has no daylight saving, so Asia/Shanghai is UTC+8 all year;
// the code never relies on the process TZ. The clock is injected so tests can move through a month.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests set and advance by hand. */
export class ManualClock implements Clock {
  private current: Date;
  constructor(start: Date | string) {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3600_000;

export interface LocalDate {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday */
  weekday: number;
}

/** The wall-clock date and time in Dongguan at this instant. */
export function toLocal(at: Date): LocalDate {
  const shifted = new Date(at.getTime() + OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    weekday: shifted.getUTCDay(),
  };
}

/** The instant of a Dongguan wall-clock time. month is 1..12 (overflow rolls over like Date.UTC). */
export function fromLocal(year: number, month: number, day = 1, hour = 0, minute = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute) - OFFSET_MS);
}

/** "2026-10" */
export type MonthKey = string;

export function monthKey(year: number, month: number): MonthKey {
  const d = new Date(Date.UTC(year, month - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function parseMonthKey(key: MonthKey): { year: number; month: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (!m) throw new Error(`月份格式应为 YYYY-MM，例如 2026-10，收到：${key}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) throw new Error(`月份应在 01 到 12 之间，收到：${key}`);
  return { year, month };
}

export function addMonths(key: MonthKey, delta: number): MonthKey {
  const { year, month } = parseMonthKey(key);
  return monthKey(year, month + delta);
}

/** The month whose figures are due now: the previous calendar month in Dongguan. */
export function previousMonth(at: Date): MonthKey {
  const local = toLocal(at);
  return monthKey(local.year, local.month - 1);
}

export function currentMonth(at: Date): MonthKey {
  const local = toLocal(at);
  return monthKey(local.year, local.month);
}

/** "2026年10月" */
export function monthLabel(key: MonthKey): string {
  const { year, month } = parseMonthKey(key);
  return `${year}年${month}月`;
}

/** "2026-11-25" in Dongguan */
export function localDateString(at: Date): string {
  const l = toLocal(at);
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
}

/** "2026-11-25 09:30" in Dongguan */
export function localDateTimeString(at: Date): string {
  const l = toLocal(at);
  return `${localDateString(at)} ${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
}

const monthLengths = new Map<MonthKey, number>();

export function daysInMonth(key: MonthKey): number {
  // asked for every figure of every report checked; a process meets only a few dozen months
  let days = monthLengths.get(key);
  if (days === undefined) {
    const { year, month } = parseMonthKey(key);
    days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (monthLengths.size >= 1000) monthLengths.clear();
    monthLengths.set(key, days);
  }
  return days;
}
