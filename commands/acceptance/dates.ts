// Dates of the acceptance path as people write and read them: "12月15日", "2027年1月5号", "明天",
// "2026-12-15"; shown back as "2026年12月15日（星期二）". Local calendar dates ("YYYY-MM-DD"). Pure.
import { foldText, readNumber } from '../report/numerals.ts';
import { addDays, type LocalDay } from '../../bot/workdays.ts';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

function valid(y: number, m: number, d: number): LocalDay | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

export type DateResult = { ok: true; day: LocalDay } | { ok: false; error: string };

/** A day said in Chinese; a month and day without a year is the next such day from today on. */
export function parseChineseDay(input: string, today: LocalDay): DateResult {
  const text = foldText(input).replace(/\s+/g, '');
  const relative: Record<string, number> = { 今天: 0, 明天: 1, 后天: 2 };
  if (text in relative) return { ok: true, day: addDays(today, relative[text]!) };
  const iso = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  const full = /^(.+?)年(.+?)月(.+?)[日号]?$/.exec(text);
  const short = /^(.+?)月(.+?)[日号]?$/.exec(text);
  const num = (s: string | undefined) => {
    const n = s === undefined ? null : readNumber(s);
    return n && n.length === s!.length ? n.value : NaN;
  };
  let day: LocalDay | null = null;
  if (iso) day = valid(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  else if (full) day = valid(num(full[1]), num(full[2]), num(full[3]));
  else if (short) {
    const y = Number(today.slice(0, 4));
    const m = num(short[1]);
    const d = num(short[2]);
    day = valid(y, m, d);
    if (day && day < today) day = valid(y + 1, m, d);
  }
  if (!day) return { ok: false, error: `“${input.trim()}”不是一个有效的日期，请写成“12月15日”或“2027年1月5日”。` };
  return { ok: true, day };
}

export function formatChineseDay(day: LocalDay): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${y}年${m}月${d}日（星期${WEEKDAYS[weekday]}）`;
}
