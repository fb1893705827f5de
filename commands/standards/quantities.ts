// Figures people state in a chat: "3台", "宽带1M", "两万元", "二十五个小时", "512k". Pure.

const DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 俩: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const SMALL_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** A Chinese numeral below 100 000 000 ("三", "十二", "二十五", "一千五百", "两万"), or null. */
export function parseChineseNumeral(text: string): number | null {
  if (!text || !/^[零〇一二两俩三四五六七八九十百千万]+$/.test(text)) return null;
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  for (const ch of text) {
    if (ch in DIGITS) {
      digit = DIGITS[ch]!;
    } else if (ch in SMALL_UNITS) {
      section += (digit ?? 1) * SMALL_UNITS[ch]!;
      digit = null;
    } else if (ch === '万') {
      total += (section + (digit ?? 0)) * 10000;
      section = 0;
      digit = null;
    }
  }
  return total + section + (digit ?? 0);
}

/** The dimension a figure is measured in, so it can be compared with a rule's unit. */
export type Dimension = 'count' | 'bandwidth' | 'money' | 'hours' | 'visits' | 'people' | 'days';

export interface StatedQuantity {
  /** value in the dimension's base unit: count, k/s, 元, 小时, 人次, 人, 天 */
  value: number;
  dimension: Dimension | null;
  /** the unit as written (台, M, 万元...) */
  unit: string;
  /** the figure as written, for quoting back */
  text: string;
  start: number;
  end: number;
}

const NUMBER = String.raw`(\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九十百千万]+)`;
// longest units first; "人次" before "人", "万元" before "万"
const UNIT = String.raw`(个小时|小时|钟头|h|万元|千元|元|块钱|块|万|人次|名|人|位|个|台|套|部|架|天|gbps|gb|g|mbps|mb/s|mb|m/s|兆|m|kbps|kb/s|kb|k/s|k)?`;
const QUANTITY_RE = new RegExp(NUMBER + String.raw`\s*` + UNIT, 'giu');

function classify(unit: string): { dimension: Dimension | null; factor: number } {
  switch (unit) {
    case '台': case '套': case '部': case '架': case '个':
      return { dimension: 'count', factor: 1 };
    case 'g': case 'gb': case 'gbps':
      return { dimension: 'bandwidth', factor: 1024 * 1024 };
    case 'm': case 'mb': case 'mbps': case 'mb/s': case 'm/s': case '兆':
      return { dimension: 'bandwidth', factor: 1024 };
    case 'k': case 'kb': case 'kbps': case 'kb/s': case 'k/s':
      return { dimension: 'bandwidth', factor: 1 };
    case '元': case '块': case '块钱':
      return { dimension: 'money', factor: 1 };
    case '千元':
      return { dimension: 'money', factor: 1000 };
    case '万元': case '万':
      return { dimension: 'money', factor: 10000 };
    case '小时': case '个小时': case '钟头': case 'h':
      return { dimension: 'hours', factor: 1 };
    case '人次':
      return { dimension: 'visits', factor: 1 };
    case '人': case '名': case '位':
      return { dimension: 'people', factor: 1 };
    case '天':
      return { dimension: 'days', factor: 1 };
    default:
      return { dimension: null, factor: 1 };
  }
}

/** Every figure in the (normalised) text, in order, with its unit and dimension. */
export function findQuantities(text: string): StatedQuantity[] {
  const out: StatedQuantity[] = [];
  // an area ("50m2") is no bandwidth; same-length replacement keeps the positions
  const scanned = text.replace(/m[2²]/gi, '平方');
  for (const m of scanned.matchAll(QUANTITY_RE)) {
    const raw = m[1]!;
    // a lone 万/千/百 is part of a name (万江), not a figure
    if (/^[万千百]/.test(raw)) continue;
    const unitRaw = (m[2] ?? '').toLowerCase();
    // "一周", "两个月", "一年" without a unit of their own are spans of time, not figures
    if (unitRaw === '' && /^\s*(?:个)?(?:周|星期|礼拜|月|年)/.test(scanned.slice(m.index! + m[0].length))) continue;
    let base = /^\d/.test(raw) ? Number(raw) : parseChineseNumeral(raw);
    if (base === null || Number.isNaN(base)) continue;
    // "两万" with no unit after it is money only when nothing else claims it; 万 alone read as ×10000
    let unit = unitRaw;
    if (!/^\d/.test(raw) && raw.endsWith('万') && unit === '') unit = '万';
    const { dimension, factor } = classify(unit);
    // "万" inside a Chinese numeral was already applied by parseChineseNumeral
    const applied = !/^\d/.test(raw) && raw.endsWith('万') && unit === '万' ? 1 : factor;
    base *= applied;
    out.push({ value: base, dimension, unit: unitRaw, text: m[0].trim(), start: m.index!, end: m.index! + m[0].length });
  }
  return out;
}

/** The base-unit value of a rule's figure (2 M/s -> 2048 k/s), so stated figures compare directly. */
export function ruleValueInBase(quantity: number, unit: string | null): { value: number; dimension: Dimension | null } {
  const u = (unit ?? '').toLowerCase();
  const { dimension, factor } = classify(u);
  return { value: quantity * factor, dimension };
}

/** A number for display: integers without decimals, others with at most two. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}
