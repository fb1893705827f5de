// Dates of the acceptance path: read by the language layer ("12月15日", "下周三", "明天"), shown back
// with the year and the weekday, "2026年12月15日（星期二）", since an outbox message may be read later.
import { readDate } from '../../bot/language/datetime.ts';
import type { LocalDay } from '../../bot/workdays.ts';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

export type DateResult = { ok: true; day: LocalDay } | { ok: false; error: string };

export function parseChineseDay(input: string, now: Date): DateResult {
  const reading = readDate(input, now);
  if (!reading) return { ok: false, error: `“${input.trim()}”不是一个有效的日期，请写成“12月15日”或“2027年1月5日”。` };
  return { ok: true, day: reading.date };
}

export function formatChineseDay(day: LocalDay): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${y}年${m}月${d}日（星期${WEEKDAYS[weekday]}）`;
}
