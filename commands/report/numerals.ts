// Numbers the way people type them in a chat: 120, １２０ (full width), 1,200, 1.5万, 一百二十,
// 两千零五, 一二〇. Returns the value and how many characters it used, so the parser can go on.

const DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const SMALL_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG_UNITS: Record<string, number> = { 万: 10_000, 萬: 10_000, 亿: 100_000_000 };

export const CHINESE_NUMERAL_CHARS = new Set([...Object.keys(DIGITS), ...Object.keys(SMALL_UNITS), ...Object.keys(BIG_UNITS)]);

export interface NumberToken {
  value: number;
  /** characters consumed from the start of the input */
  length: number;
  /** the text as written, for messages */
  raw: string;
}

/** Full-width digits, letters and punctuation folded to ASCII (NFKC), plus a few look-alikes. */
export function foldText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .replace(/[－—–−]/g, '-')
    .replace(/．/g, '.');
}

/** An Arabic number at the start of s: 120, 1,200, 22.5, 1.5万, 3千. */
export function readArabic(s: string): NumberToken | null {
  const m = /^(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?/.exec(s);
  if (!m) return null;
  let value = Number((m[1] ?? '').replace(/,/g, '') + (m[2] ?? ''));
  let length = m[0].length;
  const next = s[length];
  if (next !== undefined && next in BIG_UNITS) {
    value *= BIG_UNITS[next]!;
    length += 1;
  } else if (next === '千' || next === '百') {
    // "3千" is a way to write 3000; "3百" rarer but the same idea
    value *= SMALL_UNITS[next]!;
    length += 1;
  }
  return { value: roundFloat(value), length, raw: s.slice(0, length) };
}

/** A Chinese numeral at the start of s: 一百二十, 十五, 两千零五, 三万五千, 一二〇 (digit by digit). */
export function readChinese(s: string): NumberToken | null {
  let length = 0;
  while (length < s.length && CHINESE_NUMERAL_CHARS.has(s[length]!)) length++;
  if (length === 0) return null;
  // "点" then digits: 二点五
  let fraction = '';
  if (s[length] === '点' && s[length + 1] !== undefined && s[length + 1]! in DIGITS) {
    let j = length + 1;
    while (j < s.length && s[j]! in DIGITS) {
      fraction += String(DIGITS[s[j]!]);
      j++;
    }
    const whole = chineseInteger(s.slice(0, length));
    if (whole === null) return null;
    return { value: Number(`${whole}.${fraction}`), length: j, raw: s.slice(0, j) };
  }
  const raw = s.slice(0, length);
  // a lone 两/一 followed by nothing numeric is still a number (两场 = 2)
  const value = chineseInteger(raw);
  if (value === null) return null;
  return { value, length, raw };
}

function chineseInteger(raw: string): number | null {
  const chars = [...raw];
  const hasUnit = chars.some((c) => c in SMALL_UNITS || c in BIG_UNITS);
  if (!hasUnit) {
    // digit by digit: 一二〇 = 120
    return Number(chars.map((c) => DIGITS[c]).join(''));
  }
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  for (const c of chars) {
    if (c in DIGITS) {
      if (digit !== null && digit !== 0 && DIGITS[c] !== 0) return null; // 二三百: not a number
      digit = DIGITS[c]!;
    } else if (c in SMALL_UNITS) {
      section += (digit ?? 1) * SMALL_UNITS[c]!;
      digit = null;
    } else if (c in BIG_UNITS) {
      total = (total + section + (digit ?? 0)) * BIG_UNITS[c]!;
      section = 0;
      digit = null;
    }
  }
  return total + section + (digit ?? 0);
}

/** Any number at the start of s (after optional spaces), Arabic or Chinese. */
export function readNumber(s: string): NumberToken | null {
  const lead = /^\s*/.exec(s)![0].length;
  const rest = s.slice(lead);
  const token = readArabic(rest) ?? readChinese(rest);
  if (!token) return null;
  return { ...token, length: token.length + lead };
}

function roundFloat(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
