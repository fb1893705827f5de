// Numbers the way people type and say them in a chat: 120, １２０, 1,200, 1.5万, 3千, 一百二十, 一百二 (speech:
// 120), 两千, 三千零五, 廿二, 一二〇, 约120, 120左右. A range ("100到120", "三四场") or a vague amount ("几十",
// "很多") is not read as a number at all: the bot must never store a figure the person did not mean, so
// the caller asks for one figure instead (numberProblem says why, in Chinese).

export interface NumberReading {
  value: number;
  /** characters consumed from the start of the input (leading spaces and an approximation word included) */
  length: number;
  /** for the read-back, e.g. "“一百二”按 120 记"; null when plain digits were written */
  interpretation: string | null;
}

export interface RangeReading {
  low: number;
  high: number;
  length: number;
  /** the text as written */
  raw: string;
}

const DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 幺: 1, 二: 2, 贰: 2, 貳: 2, 两: 2, 兩: 2, 三: 3, 叁: 3, 參: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 陸: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const SMALL_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG_UNITS: Record<string, number> = { 万: 10_000, 萬: 10_000, 亿: 100_000_000, 億: 100_000_000 };
// 廿 = twenty, 卅 = thirty: a tens word standing for digit and unit at once
const TENS: Record<string, number> = { 廿: 20, 念: 20, 卅: 30, 卌: 40 };

const NUMERAL_CHARS = new Set([...Object.keys(DIGITS), ...Object.keys(SMALL_UNITS), ...Object.keys(BIG_UNITS), ...Object.keys(TENS)]);
/** A character class matching any Chinese numeral character, for callers' regular expressions. */
export const CHINESE_NUMERAL_CLASS = `[${[...NUMERAL_CHARS].join('')}]`;

// words that make a number approximate: read as the number, and said so in the read-back
const APPROX_BEFORE = ['大约', '大概', '差不多', '将近', '接近', '约莫', '大致', '约', '近'];
/** The approximation words written before a number, as a regular-expression alternation. */
export const APPROXIMATION_BEFORE = APPROX_BEFORE.join('|');
const APPROX_AFTER = ['左右', '上下', '出头', '多', '余', '来'];
const RANGE_JOIN = /^\s*(?:到|至|~|～|〜|-|—|–|或)\s*/;
const VAGUE = /^(?:几|若干|很多|许多|好多|不少|一些|一点)/;

// ASCII, 、。 and the unified ideographs are unchanged by NFKC and by the replacements below (every
// number reader folds its input again, most often text already folded)
const ALREADY_FOLDED = /^[\x00-\x7f\u3001\u3002\u4e00-\u9fff]*$/;

/** Full-width digits, letters and punctuation folded to ASCII (NFKC), dashes and zero-width marks tidied. */
export function foldText(text: string): string {
  if (ALREADY_FOLDED.test(text)) return text;
  return text
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .replace(/[－—–−]/g, '-')
    .replace(/．/g, '.');
}

interface Bare {
  value: number;
  length: number;
  /** written with Arabic digits only, no unit characters */
  plain: boolean;
}

/**
 * The number at the start of text (after spaces), or null. A range or a vague amount there gives null
 * (see readRange, numberProblem); a following approximation word is consumed and named in interpretation.
 */
export function readNumber(text: string): NumberReading | null {
  const s = foldText(text);
  // NFKC can change lengths only for rare compatibility characters; the consumed length is then an estimate
  const lead = /^\s*/.exec(s)![0].length;
  let at = lead;
  const before = APPROX_BEFORE.find((w) => s.startsWith(w, at));
  if (before) at += before.length;
  if (before && s[at] === ' ') at++;
  const bare = readBare(s.slice(at));
  if (!bare) return null;
  if (readRangeAt(s.slice(at))) return null;
  let end = at + bare.length;
  const after = approximationAfter(s.slice(end));
  end += after;
  if (VAGUE.test(s.slice(end))) return null; // 十几, 一百几十
  const raw = s.slice(lead, end).trim();
  const interpretation = before || after || !bare.plain ? `“${raw}”按 ${formatNumber(bare.value)} 记` : null;
  return { value: bare.value, length: end, interpretation };
}

/** Length of an approximation word (左右, 多, 余, 来, 上下, 出头) at the start of text, else 0. */
export function approximationAfter(text: string): number {
  const m = /^\s*/.exec(text)![0].length;
  const word = APPROX_AFTER.find((w) => text.startsWith(w, m));
  if (!word) return 0;
  // "多少" asks a question, "来了" is a verb: not approximations
  const next = text[m + word.length];
  if (word === '多' && next === '少') return 0;
  if (word === '来' && next === '了') return 0;
  return m + word.length;
}

/** A range at the start of text: "100到120", "100-120", "三四场" (adjacent digits), "七八十", or null. */
export function readRange(text: string): RangeReading | null {
  const s = foldText(text);
  const lead = /^\s*/.exec(s)![0].length;
  const r = readRangeAt(s.slice(lead));
  return r ? { ...r, length: r.length + lead } : null;
}

function readRangeAt(s: string): RangeReading | null {
  // adjacent Chinese digits: 三四 (3 or 4), 七八十 (70 or 80), 一两百 (100 or 200)
  const pair = /^([一二两三四五六七八九])([二两三四五六七八九])([十百千万]?)(?![零〇一二两三四五六七八九])/.exec(s);
  if (pair) {
    const a = DIGITS[pair[1]!]!;
    const b = DIGITS[pair[2]!]!;
    if (b === a + 1) {
      const unit = pair[3] ? (SMALL_UNITS[pair[3]] ?? BIG_UNITS[pair[3]]!) : 1;
      return { low: a * unit, high: b * unit, length: pair[0].length, raw: pair[0] };
    }
  }
  const first = readBare(s);
  if (!first) return null;
  const join = RANGE_JOIN.exec(s.slice(first.length));
  if (!join) return null;
  const second = readBare(s.slice(first.length + join[0].length));
  if (!second || second.value <= first.value) return null;
  const length = first.length + join[0].length + second.length;
  return { low: first.value, high: second.value, length, raw: s.slice(0, length) };
}

/**
 * Why the start of text is not one number, in Chinese, or null when it is one (or is no number at all):
 * a range, a vague amount ("十几", "很多"), a negative.
 */
export function numberProblem(text: string): string | null {
  const s = foldText(text).trim();
  const range = readRange(s);
  if (range) return `“${range.raw}”是一个范围，请发一个确切的数字。`;
  if (/^(?:-|负)\s*(?:\d|[零〇一二两三四五六七八九十百千])/.test(s)) return '不能是负数，请发一个确切的数字。';
  const before = APPROX_BEFORE.find((w) => s.startsWith(w))?.length ?? 0;
  const bare = readBare(s.slice(before).trimStart());
  const at = bare ? s.length - s.slice(before).trimStart().length + bare.length : 0;
  const tail = bare ? s.slice(at + approximationAfter(s.slice(at))) : s;
  if (VAGUE.test(tail)) return `“${s.slice(0, s.length - tail.length + (VAGUE.exec(tail)![0].length))}”不是确切的数字，请发一个数字。`;
  return null;
}

/** "15000", "22.5": how the bot writes a number back. */
export function formatNumber(value: number): string {
  return String(value);
}

/** A number without approximation words: Arabic (with 万/千 after it) or Chinese. */
function readBare(s: string): Bare | null {
  const arabic = /^(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?/.exec(s);
  if (arabic) {
    const value = Number(arabic[1]!.replace(/,/g, '') + (arabic[2] ?? ''));
    let length = arabic[0].length;
    // "1万2000": a four-digit group after 万 is written out in full
    const group = /^[万萬](\d{4})(?!\d)/.exec(s.slice(length));
    if (group && !arabic[2]) return { value: value * 10_000 + Number(group[1]), length: length + group[0].length, plain: false };
    // "1.5万", "3千", "1万2", "2万5千": units after Arabic digits (a lone Arabic digit reads as its Chinese one)
    const units = /^[千万萬亿億百][十百千万萬亿億零〇一二两三四五六七八九\d]*/.exec(s.slice(length));
    if (units) {
      const tail = chineseValue(units[0].replace(/\d/g, (d) => '零一二三四五六七八九'[Number(d)]!), value);
      if (!tail) return null;
      return { value: roundFloat(tail.value), length: length + tail.length, plain: false };
    }
    return { value, length, plain: true };
  }
  let length = 0;
  while (length < s.length && NUMERAL_CHARS.has(s[length]!)) length++;
  if (length === 0) return null;
  // 二点五: a decimal point in words, then digits
  if (s[length] === '点' && s[length + 1] !== undefined && s[length + 1]! in DIGITS) {
    const whole = chineseValue(s.slice(0, length), null);
    if (!whole || whole.length !== length) return null;
    let j = length + 1;
    let fraction = '';
    while (j < s.length && s[j]! in DIGITS) fraction += String(DIGITS[s[j++]!]);
    let value = Number(`${whole.value}.${fraction}`);
    if (s[j] !== undefined && s[j]! in BIG_UNITS) value *= BIG_UNITS[s[j++]!]!;
    return { value: roundFloat(value), length: j, plain: false };
  }
  const read = chineseValue(s.slice(0, length), null);
  if (!read) return null;
  return { value: read.value, length: read.length, plain: false };
}

/**
 * The value of a run of numeral characters, starting from an optional leading Arabic value, and how many
 * characters it used. Speech elides the last unit: 一百二 = 120, 一千二 = 1200, 一万五 = 15000, but after
 * 零 the digit is a unit digit (三千零五 = 3005). Digits without units are read one by one (一二〇 = 120).
 */
function chineseValue(run: string, leading: number | null): { value: number; length: number } | null {
  const chars = [...run];
  const hasUnit = chars.some((c) => c in SMALL_UNITS || c in BIG_UNITS || c in TENS);
  if (!hasUnit) {
    if (leading !== null) return null;
    // a single digit, or three and more read one by one (一二〇); two digits are a range or a typo
    if (chars.length === 2) return null;
    return { value: Number(chars.map((c) => DIGITS[c]).join('')), length: chars.length };
  }
  let total = 0; // finished big-unit groups
  let section = 0; // below the current big unit
  let digit: number | null = leading;
  let lastSmall = Infinity; // small units fall within a section: 千 then 百 then 十
  let lastBig = Infinity;
  let previousUnit: number | null = null; // the unit just before the trailing digit, for elision
  let afterZero = false;
  let used = 0;
  for (const c of chars) {
    if (c in DIGITS) {
      const d = DIGITS[c]!;
      if (digit !== null && digit !== 0) return null; // 二十三四: two digits in a row are no one number
      if (d === 0) afterZero = true;
      digit = d;
    } else if (c in TENS || c in SMALL_UNITS) {
      const u = c in TENS ? 10 : SMALL_UNITS[c]!;
      if (u >= lastSmall || digit === 0) return null; // 百百, 十百, 零百
      section += c in TENS ? TENS[c]! : (digit ?? 1) * u;
      if (c in TENS && digit !== null) return null; // 三廿
      digit = null;
      lastSmall = u;
      previousUnit = u;
      afterZero = false;
    } else {
      const b = BIG_UNITS[c]!;
      const group = section + (digit ?? 0);
      if (group === 0 && total === 0) return null; // 万 alone
      if (b < lastBig) total += group * b;
      else total = (total + group) * b;
      lastBig = b;
      section = 0;
      digit = null;
      lastSmall = Infinity;
      previousUnit = b;
      afterZero = false;
    }
    used++;
  }
  if (used === 0) return null;
  let tail = digit ?? 0;
  // 一百二: a lone digit right after 百/千/万/亿 (not after 十, not after 零) stands for the next lower unit
  if (digit !== null && digit !== 0 && !afterZero && previousUnit !== null && previousUnit >= 100) {
    tail = digit * (previousUnit / 10);
  }
  const value = total + section + tail;
  return { value: roundFloat(value), length: used };
}

function roundFloat(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
