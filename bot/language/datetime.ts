// Dates and times as people write them in Chinese, on an injected clock, in Dongguan's zone:
// 12月15号, 12.15, 2026-12-15, 15号, 今天, 明天, 后天, 本周五, 下周五, 周五, 月底, 月底前, 下个月10号, 3天后,
// 明天早上9点, 下午3点半, 15:30. A date without a year is the one nearest to today (in December "1月5号"
// is next January, "11月30号" last November). `said` is how the bot read it, for the read-back.
import { fromLocal, toLocal } from '../time.ts';
import { foldText, readNumber } from './numbers.ts';

export interface DateReading {
  /** YYYY-MM-DD */
  date: string;
  /** how the bot read it, e.g. "12月18日（周五）" */
  said: string;
  /** where in the (folded) text the date was written */
  start: number;
  end: number;
}

export interface DateTimeReading extends DateReading {
  /** HH:MM, or null when no time of day was written */
  time: string | null;
}

const WEEKDAY_NAMES = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const WEEKDAY_CHARS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 0, 天: 0, 末: 6, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 0 };
const NUM = '(\\d{1,4}|[零〇一二两三四五六七八九十廿卅]{1,4})';

interface Day {
  year: number;
  month: number;
  day: number;
}

interface Pattern {
  re: RegExp;
  resolve: (m: RegExpExecArray, today: Day) => Day | null;
}

function num(raw: string): number {
  if (/^\d+$/.test(raw)) return Number(raw);
  const reading = readNumber(raw);
  return reading && reading.length === raw.length ? reading.value : NaN;
}

function addDays(d: Day, n: number): Day {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function weekday(d: Day): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

function valid(year: number, month: number, day: number): Day | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < 2000 || year > 2100 || month < 1 || month > 12 || day < 1) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  return { year, month, day };
}

function lastDay(year: number, month: number): Day {
  const t = new Date(Date.UTC(year, month, 0));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function serial(d: Day): number {
  return Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;
}

/** Of the candidates, the one nearest today (a tie goes to the future). */
function nearest(today: Day, candidates: (Day | null)[]): Day | null {
  let best: Day | null = null;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (!c) continue;
    const diff = serial(c) - serial(today);
    const score = Math.abs(diff) - (diff >= 0 ? 0.5 : 0);
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** Monday-based week: the date of weekday wd (0 = Sunday) in the week `weeks` from today's. */
function inWeek(today: Day, weeks: number, wd: number): Day {
  const monday = addDays(today, -((weekday(today) + 6) % 7));
  return addDays(monday, weeks * 7 + ((wd + 6) % 7));
}

function monthShift(prefix: string | undefined): number {
  if (!prefix) return 0;
  if (/^下下/.test(prefix)) return 2;
  if (/^下/.test(prefix)) return 1;
  if (/^上/.test(prefix)) return -1;
  return 0;
}

function shiftMonth(today: Day, delta: number): { year: number; month: number } {
  const t = new Date(Date.UTC(today.year, today.month - 1 + delta, 1));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1 };
}

const DAY_WORD = '(?:日|号|號)';
const MONTH_PREFIX = '(本月|这个月|这月|当月|下下个?月|下个?月|上个?月)';

const PATTERNS: Pattern[] = [
  // 2026-12-15, 2026/12/15, 2026.12.15, 2026年12月15日
  {
    re: new RegExp(`(?<!\\d)(\\d{4})\\s*(?:年|-|/|\\.)\\s*(\\d{1,2})\\s*(?:月|-|/|\\.)\\s*(\\d{1,2})\\s*${DAY_WORD}?`),
    resolve: (m) => valid(Number(m[1]), Number(m[2]), Number(m[3])),
  },
  // 下个月10号, 本月15日
  {
    re: new RegExp(`${MONTH_PREFIX}\\s*${NUM}\\s*${DAY_WORD}`),
    resolve: (m, today) => {
      const { year, month } = shiftMonth(today, monthShift(m[1]));
      return valid(year, month, num(m[2]!));
    },
  },
  // 12月15号, 十二月十五日, 12月15
  {
    re: new RegExp(`(?<![\\d.])${NUM}\\s*月\\s*${NUM}\\s*${DAY_WORD}?`),
    resolve: (m, today) => {
      const month = num(m[1]!);
      const day = num(m[2]!);
      return nearest(today, [valid(today.year - 1, month, day), valid(today.year, month, day), valid(today.year + 1, month, day)]);
    },
  },
  // 12.15, 12/15 (month first, as written in China)
  {
    re: /(?<![\d.:/-])(\d{1,2})\s*[./]\s*(\d{1,2})(?![\d.:/])/,
    resolve: (m, today) => {
      const month = Number(m[1]);
      const day = Number(m[2]);
      return nearest(today, [valid(today.year - 1, month, day), valid(today.year, month, day), valid(today.year + 1, month, day)]);
    },
  },
  // 月底, 下月底, 月中, 月初, 下个月初
  {
    re: /(本月|这个?月|当月|下下个?月|下个?月|上个?月|本|这个?|当|下下个?|下个?|上个?)?\s*(月底|月末|月中|月初)/,
    resolve: (m, today) => {
      const { year, month } = shiftMonth(today, monthShift(m[1]));
      if (m[2] === '月底' || m[2] === '月末') return lastDay(year, month);
      return valid(year, month, m[2] === '月中' ? 15 : 1);
    },
  },
  // 本周五, 这周五, 下周五, 下下周一, 上周五, 下星期三, 下个礼拜天, 周五
  {
    re: /(本|这|这个|下下个?|下个?|上个?)?\s*(?:周|星期|礼拜|禮拜)\s*([一二三四五六日天末1-7])/,
    resolve: (m, today) => {
      const wd = WEEKDAY_CHARS[m[2]!]!;
      const prefix = m[1];
      if (!prefix) {
        // a bare "周五" is the coming one (today if today is that day)
        const ahead = (wd - weekday(today) + 7) % 7;
        return addDays(today, ahead);
      }
      const weeks = /^下下/.test(prefix) ? 2 : /^下/.test(prefix) ? 1 : /^上/.test(prefix) ? -1 : 0;
      return inWeek(today, weeks, wd);
    },
  },
  // 今天, 明天, 后天, 大后天, 昨天, 前天, 今日, 明日
  {
    re: /(大后天|今天|今日|明天|明日|后天|後天|昨天|昨日|前天)/,
    resolve: (m, today) => {
      const offsets: Record<string, number> = { 大后天: 3, 今天: 0, 今日: 0, 明天: 1, 明日: 1, 后天: 2, 後天: 2, 昨天: -1, 昨日: -1, 前天: -2 };
      return addDays(today, offsets[m[1]!]!);
    },
  },
  // 3天后, 三天以后, 一周后
  {
    re: new RegExp(`${NUM}\\s*(天|日|周|个星期|星期)\\s*(?:后|以后|之后)`),
    resolve: (m, today) => {
      const n = num(m[1]!);
      if (!Number.isInteger(n) || n > 366) return null;
      return addDays(today, m[2] === '天' || m[2] === '日' ? n : n * 7);
    },
  },
  // 15号, 15日 (this month or the nearest month with that day)
  {
    re: new RegExp(`(?<![\\d月.])${NUM}\\s*${DAY_WORD}`),
    resolve: (m, today) => {
      const day = num(m[1]!);
      const candidates = [-1, 0, 1].map((d) => {
        const { year, month } = shiftMonth(today, d);
        return valid(year, month, day);
      });
      return nearest(today, candidates);
    },
  },
];

function todayOf(now: Date): Day {
  const l = toLocal(now);
  return { year: l.year, month: l.month, day: l.day };
}

function iso(d: Day): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** "12月18日（周五）", with the year when it is not this year's. */
export function sayDate(date: string, now: Date): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wd = WEEKDAY_NAMES[weekday({ year, month, day })]!;
  const head = year === todayOf(now).year ? '' : `${year}年`;
  return `${head}${month}月${day}日（${wd}）`;
}

/** The first date written in text, or null. */
export function readDate(text: string, now: Date): DateReading | null {
  const s = foldText(text);
  const today = todayOf(now);
  let best: DateReading | null = null;
  for (const { re, resolve } of PATTERNS) {
    const m = re.exec(s);
    if (!m) continue;
    const d = resolve(m, today);
    if (!d) continue;
    // the earliest mention wins; at the same place, the earlier (more specific) pattern
    if (!best || m.index < best.start) {
      const date = iso(d);
      best = { date, said: sayDate(date, now), start: m.index, end: m.index + m[0].length };
    }
  }
  return best;
}

interface TimeMention {
  hour: number;
  minute: number;
  start: number;
  end: number;
}

const PERIODS: Record<string, 'am' | 'pm' | 'noon' | 'night' | 'early'> = {
  凌晨: 'early', 早上: 'am', 早晨: 'am', 上午: 'am', 早: 'am', 中午: 'noon', 下午: 'pm', 傍晚: 'pm', 晚上: 'night', 晚: 'night', 夜里: 'night',
};

/** The first time of day in text: 15:30, 9点, 早上9点, 下午3点半, 3点15分, 3点一刻. */
export function readTime(text: string): TimeMention | null {
  const s = foldText(text);
  const colon = /(?<![\d:])([01]?\d|2[0-3])\s*[:：]\s*([0-5]\d)(?![\d:])/.exec(s);
  const spoken = new RegExp(`(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|早|晚)?\\s*${NUM}\\s*(?:点|點|时|時)(?:\\s*(半|一刻|三刻|${NUM}\\s*分?))?`).exec(s);
  const period = colon ? /(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)\s*$/.exec(s.slice(0, colon.index)) : null;
  let found: TimeMention | null = null;
  if (colon) {
    const hour = adjustHour(Number(colon[1]), period?.[1]);
    if (hour !== null) found = { hour, minute: Number(colon[2]), start: period ? colon.index - period[0].length : colon.index, end: colon.index + colon[0].length };
  }
  if (spoken && (!found || spoken.index < found.start)) {
    const hour = adjustHour(num(spoken[2]!), spoken[1]);
    const tail = spoken[3];
    let minute = 0;
    if (tail === '半') minute = 30;
    else if (tail === '一刻') minute = 15;
    else if (tail === '三刻') minute = 45;
    else if (tail) minute = num(spoken[4]!);
    if (hour !== null && Number.isInteger(minute) && minute >= 0 && minute < 60) {
      found = { hour, minute, start: spoken.index, end: spoken.index + spoken[0].length };
    }
  }
  return found;
}

function adjustHour(hour: number, period: string | undefined): number | null {
  if (!Number.isInteger(hour) || hour < 0 || hour > 24) return null;
  const kind = period ? PERIODS[period] : undefined;
  if (kind === 'pm' || kind === 'night') return hour < 12 ? hour + 12 : hour === 24 ? null : hour;
  if (kind === 'noon') return hour <= 2 ? hour + 12 : hour; // 中午12点, 中午1点
  if (kind === 'am' || kind === 'early') return hour <= 12 ? hour : null;
  return hour === 24 ? null : hour;
}

/**
 * The first date written in text, with the time of day when one is written ("明天早上9点"). A time
 * alone ("下午3点") is today's, or tomorrow's when that hour has passed.
 */
export function readDateTime(text: string, now: Date): DateTimeReading | null {
  const date = readDate(text, now);
  const time = readTime(date ? blank(foldText(text), date.start, date.end) : text);
  if (!date && !time) return null;
  let day = date?.date ?? null;
  let start = date?.start ?? time!.start;
  let end = date?.end ?? time!.end;
  if (time) {
    start = Math.min(start, time.start);
    end = Math.max(end, time.end);
  }
  if (!day) {
    const l = toLocal(now);
    const passed = time!.hour * 60 + time!.minute <= l.hour * 60 + l.minute;
    const d = addDays(todayOf(now), passed ? 1 : 0);
    day = iso(d);
  }
  const hhmm = time ? `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}` : null;
  const said = `${sayDate(day, now)}${hhmm ? `${time!.hour}:${String(time!.minute).padStart(2, '0')}` : ''}`;
  return { date: day, time: hhmm, said, start, end };
}

/** The instant of a reading (its time, or the start of its day), in Dongguan. */
export function instantOf(reading: { date: string; time: string | null }): Date {
  const [year, month, day] = reading.date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = (reading.time ?? '00:00').split(':').map(Number) as [number, number];
  return fromLocal(year, month, day, hour, minute);
}

function blank(s: string, start: number, end: number): string {
  return s.slice(0, start) + ' '.repeat(end - start) + s.slice(end);
}
