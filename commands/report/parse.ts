// Reads one chat message into report figures: "服务人次120，开放天数22，开放时长176小时，活动3场",
// "开放22天，176小时，举办3场活动", "服务人次改成130", "10月的数据 本月无新增". Pure: the template and
// the clock's "now" come in as arguments. Values are not range-checked here (validate.ts does that).
import type { MonthKey } from '../../bot/time.ts';
import { findMonthMention } from './months.ts';
import { foldText, readNumber, type NumberToken } from './numerals.ts';
import { fieldNames, type ReportField, type ReportTemplate } from './template.ts';

/** Longer messages are not a month's figures; refusing them keeps parsing cheap and the reply clear. */
export const MAX_MESSAGE_CHARS = 2000;

export type FigureValue = number | string;

export interface ParseProblem {
  key: string | null;
  message: string;
}

export interface ParsedReport {
  figures: Record<string, FigureValue>;
  /** fields written as a correction ("改成") */
  corrected: string[];
  noNewData: boolean;
  month: MonthKey | null;
  /** "替XX村报": the point named to report for */
  onBehalfOf: string | null;
  /** numbers no field could be given to (a bare "22" answering a question) */
  strays: NumberToken[];
  problems: ParseProblem[];
  /** how figures that needed interpreting were read, for the read-back */
  interpretations?: string[];
  empty: boolean;
  tooLong: boolean;
}

const UNIT_RE = /^\s*(人次|人|名|次|场次|场|期|个小时|小时|钟头|时|h|天|日|台|个)/i;
// units that say which field an unlabeled number belongs to
const UNIT_FIELD: Record<string, string> = { 天: 'openDays', 日: 'openDays', 小时: 'openHours', 个小时: 'openHours', 钟头: 'openHours', h: 'openHours', 台: 'computers' };
const FILLER_RE = /^[\s:=]*(?:(改成|改为|修改为|修改成|更正为|更改为|更正|应为|应该是|改)\s*)?[\s:=]*(?:是|为|有|共计|共|合计|总计|约|达到|达)?[\s:=]*/;
const SEPARATOR_RE = /^[\s,;、。.!！?？)）(（]/;
const NO_NEW_DATA_RE = /(?:本月|当月|这个月|该月)?\s*(?:无新增(?:数据)?|没有新增(?:数据|的数据)?|没新增|无新数据|没有新的数据|没有新数据)/;
const ON_BEHALF_RE = /(?:替|帮|代)\s*([^\s,;、。:]{1,30}?)\s*(?:上报|报送|填报|报数|报)/;

interface Mention {
  field: ReportField;
  start: number;
  end: number;
}

export function parseReportMessage(input: string, template: ReportTemplate, now: Date): ParsedReport {
  const result: ParsedReport = {
    figures: {},
    corrected: [],
    noNewData: false,
    month: null,
    onBehalfOf: null,
    strays: [],
    problems: [],
    empty: false,
    tooLong: false,
  };
  if (input.length > MAX_MESSAGE_CHARS) {
    result.tooLong = true;
    return result;
  }
  let text = foldText(input).trim();
  if (text.length === 0) {
    result.empty = true;
    return result;
  }

  const behalf = ON_BEHALF_RE.exec(text);
  if (behalf) {
    result.onBehalfOf = behalf[1]!;
    text = cut(text, behalf.index, behalf.index + behalf[0].length);
  }
  const month = findMonthMention(text, now);
  if (month) {
    result.month = month.month;
    text = cut(text, month.start, month.end);
  }
  const none = NO_NEW_DATA_RE.exec(text);
  if (none) {
    result.noNewData = true;
    text = cut(text, none.index, none.index + none[0].length);
  }

  const mentions = findMentions(text, template);
  const consumed: [number, number][] = [];
  const pending: Mention[] = [];

  for (let i = 0; i < mentions.length; i++) {
    const mention = mentions[i]!;
    const next = mentions[i + 1]?.start ?? text.length;
    if (mention.field.type === 'text') {
      // free text runs to the end of the message, whatever words it contains
      const body = text.slice(mention.end).replace(FILLER_RE, '').trim();
      if (body) result.figures[mention.field.key] = body;
      else result.problems.push({ key: mention.field.key, message: `${mention.field.label}后面没有内容。` });
      consumed.push([mention.start, text.length]);
      break;
    }
    const segment = text.slice(mention.end, next);
    const filler = FILLER_RE.exec(segment)!;
    const afterFiller = segment.slice(filler[0].length);
    const value = readFollowingValue(afterFiller, mention.field);
    if (value.kind === 'number') {
      assign(result, mention.field, value.value, Boolean(filler[1]));
      consumed.push([mention.start, mention.end + filler[0].length + value.length]);
    } else if (value.kind === 'problem') {
      result.problems.push({ key: mention.field.key, message: value.message });
      consumed.push([mention.start, next]);
    } else {
      pending.push(mention);
      consumed.push([mention.start, mention.end]);
    }
  }

  // "3场活动", "22天开放": the number stands right before the word
  for (const mention of pending) {
    if (mention.field.key in result.figures) continue;
    const before = text.slice(0, mention.start);
    const m = /(-?\d[\d,.]*|[零〇一二两三四五六七八九十百千万]+)\s*(人次|人|名|次|场次|场|期|个小时|小时|时|天|日|台|个)\s*$/.exec(before);
    if (m && !overlaps(consumed, m.index, mention.start)) {
      const token = readNumber(m[1]!);
      if (token && token.length === m[1]!.length) {
        assign(result, mention.field, token.value, false);
        consumed.push([m.index, mention.start]);
        continue;
      }
    }
    result.problems.push({ key: mention.field.key, message: `没有看到${mention.field.label}的数字，请写成"${mention.field.label}${example(mention.field)}"。` });
  }

  // numbers nobody claimed: give them to a field when the unit says which, else keep them as strays
  collectStrays(text, consumed, template, result);
  return result;
}

type FollowingValue =
  | { kind: 'number'; value: number; length: number }
  | { kind: 'problem'; message: string }
  | { kind: 'none' };

function readFollowingValue(s: string, field: ReportField): FollowingValue {
  if (s.length === 0 || SEPARATOR_RE.test(s)) return { kind: 'none' };
  if (/^(?:-|负)\s*[\d零〇一二两三四五六七八九十]/.test(s)) {
    return { kind: 'problem', message: `${field.label}不能是负数。` };
  }
  const zero = /^(?:无|没有|没)(?=$|[\s,;、。.!！])/.exec(s);
  if (zero) return { kind: 'number', value: 0, length: zero[0].length };
  const token = readNumber(s);
  if (!token) {
    const word = /^[^\s,;、。]{1,12}/.exec(s)?.[0] ?? s.slice(0, 12);
    return { kind: 'problem', message: `${field.label}应填数字${rangeHint(field)}，收到的是"${word}"。` };
  }
  let length = token.length;
  const unit = UNIT_RE.exec(s.slice(length));
  if (unit) length += unit[0].length;
  const rest = s.slice(length);
  if (/^\s*(?:多|余|来|左右|以上|上下|几)/.test(rest)) {
    return { kind: 'problem', message: `${field.label}请填确切的数字，不要写"${token.raw}${unit?.[1] ?? ''}${/^\s*(\S{1,2})/.exec(rest)?.[1] ?? ''}"这样的约数。` };
  }
  return { kind: 'number', value: token.value, length };
}

function assign(result: ParsedReport, field: ReportField, value: number, correction: boolean): void {
  result.figures[field.key] = value;
  if (correction && !result.corrected.includes(field.key)) result.corrected.push(field.key);
}

function findMentions(text: string, template: ReportTemplate): Mention[] {
  const names: { name: string; field: ReportField }[] = [];
  for (const field of template.fields) for (const name of fieldNames(field)) names.push({ name, field });
  names.sort((a, b) => b.name.length - a.name.length);
  const taken: Mention[] = [];
  for (const { name, field } of names) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(name, from);
      if (at < 0) break;
      const end = at + name.length;
      if (!taken.some((t) => at < t.end && end > t.start)) taken.push({ field, start: at, end });
      from = at + 1;
    }
  }
  taken.sort((a, b) => a.start - b.start);
  // the same field named twice ("服务人次120 ... 服务人次改成130"): both are read, the later wins
  return taken;
}

function collectStrays(text: string, consumed: [number, number][], template: ReportTemplate, result: ParsedReport): void {
  const re = /-?\d[\d,.]*|[零〇一二两三四五六七八九十百千万]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index;
    if (overlaps(consumed, start, start + m[0].length)) continue;
    const token = readNumber(text.slice(start));
    if (!token) continue;
    // a lone "一" in prose ("一下") is not a figure; Chinese numerals count only with a unit
    const unit = UNIT_RE.exec(text.slice(start + token.length));
    if (!/\d/.test(token.raw) && !unit) continue;
    const key = unit ? UNIT_FIELD[unit[1]!.toLowerCase()] : undefined;
    const field = key ? template.byKey.get(key) : undefined;
    if (field && !(field.key in result.figures) && !m[0].startsWith('-')) {
      assign(result, field, token.value, false);
    } else {
      result.strays.push({ ...token, raw: text.slice(start, start + token.length + (unit?.[0].length ?? 0)) });
    }
    re.lastIndex = start + token.length + (unit?.[0].length ?? 0);
  }
}

function overlaps(ranges: [number, number][], start: number, end: number): boolean {
  return ranges.some(([s, e]) => start < e && end > s);
}

function cut(text: string, start: number, end: number): string {
  // keep a separator so the words on both sides do not run together
  return `${text.slice(0, start)} ${text.slice(end)}`;
}

export function rangeHint(field: ReportField): string {
  if (field.type === 'text') return '';
  const kind = field.type === 'int' ? '整数' : '数字';
  if (field.min !== null && field.max !== null) return `（${field.min} 到 ${field.max} 之间的${kind}）`;
  return `（${kind}）`;
}

function example(field: ReportField): string {
  const samples: Record<string, string> = { openDays: '22', openHours: '176', visitors: '120', activities: '3', computers: '2' };
  return samples[field.key] ?? '10';
}

/** Whether the message looks like report figures at all (for free-text routing). */
export function looksLikeReport(parsed: ParsedReport): number {
  if (parsed.tooLong || parsed.empty) return 0;
  const count = Object.keys(parsed.figures).filter((k) => typeof parsed.figures[k] === 'number').length;
  if (parsed.noNewData) return 0.95;
  if (count >= 2) return 0.95;
  if (count === 1) return 0.8;
  return 0;
}
