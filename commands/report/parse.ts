// Reads one chat message into report figures: "服务人次120，开放天数22，开放时长176小时，活动3场",
// "开放22天，176小时，举办3场活动", "22天 176小时 120人次 3场", "服务人次一百二", "服務人次改成130",
// "10月的数据 本月无新增". Pure: the template and the clock's "now" come in as arguments. Values are not
// range-checked here (validate.ts does that). Every figure that needed reading (a Chinese numeral, 约,
// a unit without a label) gets an interpretation for the read-back; a range is refused, never guessed.
import { approximationAfter, APPROXIMATION_BEFORE, CHINESE_NUMERAL_CLASS, foldText, numberProblem, readNumber } from '../../bot/language/numbers.ts';
import { fixDomainTypos, toSimplified } from '../../bot/language/text.ts';
import type { MonthKey } from '../../bot/time.ts';
import { findMonthMention } from './months.ts';
import { fieldNames, type ReportField, type ReportTemplate } from './template.ts';

/** Longer messages are not a month's figures; refusing them keeps parsing cheap and the reply clear. */
export const MAX_MESSAGE_CHARS = 2000;

export type FigureValue = number | string;

// questions about the standard ("每周开放40小时够吗？", "要几台电脑") are for the standards capability
const QUESTION_RE = /[?？吗呢]|多少|怎么|如何|什么|是否|标准|要求|几个|几天|几台|几场|几次/;

export function looksLikeQuestion(text: string): boolean {
  return QUESTION_RE.test(text);
}

export interface ParseProblem {
  key: string | null;
  message: string;
}

/** A number no field could be given to (a bare "22" answering a question). */
export interface StrayNumber {
  value: number;
  /** the number (and its unit) as written */
  raw: string;
  interpretation: string | null;
}

export interface ParsedReport {
  figures: Record<string, FigureValue>;
  /** how a figure was read, by field key, for the read-back: "“一百二”按 120 记", "“22天”记为开放天数" */
  interpretations: Record<string, string>;
  /** fields written as a correction ("改成") */
  corrected: string[];
  noNewData: boolean;
  month: MonthKey | null;
  /** "替XX村报": the point named to report for */
  onBehalfOf: string | null;
  /** numbers no field could be given to (a bare "22" answering a question) */
  strays: StrayNumber[];
  problems: ParseProblem[];
  empty: boolean;
  tooLong: boolean;
}

const UNIT_RE = /^\s*(人次|人|名|次|场次|场|期|个小时|小时|钟头|时|h|天|日|台|个)/i;
// a unit as written → the unit of the template it stands for
const UNIT_WORDS: Record<string, string> = {
  天: '天', 日: '天', 小时: '小时', 个小时: '小时', 钟头: '小时', 时: '小时', h: '小时', 人次: '人次', 人: '人次', 名: '人次', 场: '场', 场次: '场', 台: '台',
};
// the unit used as a label: "天数22", "人次120", "场次3"
const UNIT_LABELS: Record<string, string> = { 天数: '天', 日数: '天', 小时数: '小时', 时数: '小时', 人次: '人次', 人数: '人次', 场次: '场', 场数: '场', 台数: '台' };
const FILLER_RE = /^[\s:=]*(?:了)?(?:(改成|改为|修改为|修改成|更正为|更改为|更正|应为|应该是|改)\s*)?[\s:=]*(?:是|为|有|共计|共|合计|总计|达到|达)?[\s:=]*/;
const SEPARATOR_RE = /^[\s,;、。.!！?？)）(（]/;
const NO_NEW_DATA_RE = /(?:本月|当月|这个月|该月)?\s*(?:无新增(?:数据)?|没有新增(?:数据|的数据)?|没新增|无新数据|没有新的数据|没有新数据)/;
// "每天8小时", "每周开放35小时", "日均20人次": a rate, not the month's figure
const RATE_RE = new RegExp(`(每天|每日|天天|每周|每星期|每个?礼拜|每次|每场|平均每天|平均每周|平均|日均|周均)\\s*(?:开放|开馆|接待|服务|有|都)?\\s*((?:\\d[\\d,.]*|${CHINESE_NUMERAL_CLASS}+)\\s*(?:个小时|小时|钟头|h|人次|人|名|场|次)?)`, 'i');
const ON_BEHALF_RE = /(?:替|帮|代)\s*([^\s,;、。:]{1,30}?)\s*(?:上报|报送|填报|报数|报)/;

interface Mention {
  field: ReportField;
  start: number;
  end: number;
  /** named by its unit used as a label ("人次120"), not by its own name */
  byUnit: boolean;
}

// The report capability's recognize and then its handler parse the same message: the last few
// parses are kept. A parse reads the date only to the day, so the minute is part of the key.
const recentParses = new Map<string, { template: ReportTemplate; parsed: ParsedReport }>();

/** What a message says about a monthly report. The result is shared: callers must not change it. */
export function parseReportMessage(input: string, template: ReportTemplate, now: Date): ParsedReport {
  const key = `${Math.floor(now.getTime() / 60_000)}\u0000${input}`;
  const known = recentParses.get(key);
  if (known?.template === template) return known.parsed;
  const parsed = parseUncached(input, template, now);
  if (recentParses.size >= 64) recentParses.clear();
  recentParses.set(key, { template, parsed });
  return parsed;
}

function parseUncached(input: string, template: ReportTemplate, now: Date): ParsedReport {
  const result: ParsedReport = {
    figures: {},
    interpretations: {},
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
  let text = fixDomainTypos(toSimplified(foldText(input)), vocabulary(template)).trim();
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

  const rates: string[] = [];
  for (let rate = RATE_RE.exec(text); rate; rate = RATE_RE.exec(text)) {
    rates.push(rate[0].trim());
    text = cut(text, rate.index, rate.index + rate[0].length);
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
      const said = text.slice(mention.start, mention.end + filler[0].length + value.length).trim();
      assign(result, mention.field, value.value, Boolean(filler[1]), value.interpretation ?? (mention.byUnit ? `“${said}”记为${mention.field.label}` : null));
      consumed.push([mention.start, mention.end + filler[0].length + value.length]);
    } else if (value.kind === 'problem' && !numberBefore(text, mention.start)) {
      result.problems.push({ key: mention.field.key, message: value.message });
      consumed.push([mention.start, next]);
    } else if (value.kind === 'problem') {
      // "6台电脑可用": the figure stands before the word
      pending.push(mention);
      consumed.push([mention.start, mention.end]);
    } else if (!mention.byUnit) {
      pending.push(mention);
      consumed.push([mention.start, mention.end]);
    }
  }

  // "3场活动", "22天开放": the number stands right before the word
  for (const mention of pending) {
    if (mention.field.key in result.figures) continue;
    const m = numberBefore(text, mention.start);
    if (m && !overlaps(consumed, m.index, mention.start)) {
      const token = readNumber(m[1]!);
      if (token && token.length === m[1]!.length) {
        assign(result, mention.field, token.value, false, token.interpretation);
        consumed.push([m.index, mention.start]);
        continue;
      }
    }
    result.problems.push({ key: mention.field.key, message: `没有看到${mention.field.label}的数字，请写成"${mention.field.label}${example(mention.field)}"。` });
  }

  // numbers nobody claimed: give them to a field when the unit says which, else keep them as strays
  collectStrays(text, consumed, template, result);
  for (const rate of rates) applyRate(rate, template, result);
  return result;
}

/**
 * A daily opening time with the month's open days gives the month's hours ("开放22天，每天8小时" → 176,
 * shown as the sum); any other rate is not a month's figure, and the person is asked for the total.
 */
const DAILY_HOURS_RE = new RegExp(`^(每天|每日|天天|平均每天|日均)\\D*?((?:\\d[\\d,.]*|${CHINESE_NUMERAL_CLASS}+))\\s*(个小时|小时|钟头|h)$`, 'i');

function applyRate(rate: string, template: ReportTemplate, result: ParsedReport): void {
  const m = DAILY_HOURS_RE.exec(rate);
  const hours = template.byKey.get('openHours');
  const days = result.figures.openDays;
  const perDay = m ? readNumber(m[2]!) : null;
  if (m && hours && perDay && typeof days === 'number' && !('openHours' in result.figures)) {
    const total = Math.round(perDay.value * days * 100) / 100;
    assign(result, hours, total, false, `“${rate}”× ${days} 天 = ${total} 小时，记为${hours.label}`);
    return;
  }
  const field = m ? hours : null;
  result.problems.push({
    key: field?.key ?? null,
    message: m
      ? `“${rate}”是每天的时长，请发全月合计的${hours?.label ?? '开放时长'}，或同时发开放天数（例如“开放22天，每天8小时”）。`
      : `“${rate}”不是全月的数字，请发全月合计的数。`,
  });
}

const NUMBER_WITH_UNIT_ENDS_RE = new RegExp(`(-?\\d[\\d,.]*|${CHINESE_NUMERAL_CLASS}+)\\s*(人次|人|名|次|场次|场|期|个小时|小时|时|天|日|台|个)\\s*$`);
/** A number with its unit right before a position ("3场" of "3场活动"). */
function numberBefore(text: string, at: number): RegExpExecArray | null {
  return NUMBER_WITH_UNIT_ENDS_RE.exec(text.slice(0, at));
}

/** The words a report message is made of, for homophone typos (时常 → 时长). */
const vocabularies = new WeakMap<ReportTemplate, string[]>();

function vocabulary(template: ReportTemplate): string[] {
  let words = vocabularies.get(template);
  if (!words) {
    words = [...template.fields.flatMap(fieldNames), ...Object.keys(UNIT_LABELS), '无新增', '上报', '月报'];
    vocabularies.set(template, words);
  }
  return words;
}

type FollowingValue =
  | { kind: 'number'; value: number; length: number; interpretation: string | null }
  | { kind: 'problem'; message: string }
  | { kind: 'none' };

function readFollowingValue(s: string, field: ReportField): FollowingValue {
  if (s.length === 0 || SEPARATOR_RE.test(s)) return { kind: 'none' };
  const zero = /^(?:无|没有|没|暂无)(?=$|[\s,;、。.!！])/.exec(s);
  if (zero) return { kind: 'number', value: 0, length: zero[0].length, interpretation: `“${zero[0]}”按 0 记` };
  if (/^(?:-|负)\s*(?:\d|[零〇一二两三四五六七八九十])/.test(s)) return { kind: 'problem', message: `${field.label}不能是负数。` };
  const problem = numberProblem(s);
  if (problem) return { kind: 'problem', message: `${field.label}：${problem}` };
  const token = readNumber(s);
  if (!token) {
    const word = /^[^\s,;、。]{1,12}/.exec(s)?.[0] ?? s.slice(0, 12);
    return { kind: 'problem', message: `${field.label}应填数字${rangeHint(field)}，收到的是"${word}"。` };
  }
  let length = token.length;
  // a unit is read with the number only when it is this field's ("开放时长176小时"), not another's
  const written = UNIT_RE.exec(s.slice(length));
  const unitName = written ? UNIT_WORDS[written[1]!.toLowerCase()] : undefined;
  const unit = written && (unitName === undefined || unitName === field.unit) ? written : null;
  if (unit) length += unit[0].length;
  let interpretation = token.interpretation;
  // "120人次左右": the approximation after the unit
  const approx = unit ? approximationAfter(s.slice(length)) : 0;
  if (approx) {
    length += approx;
    interpretation = `“${s.slice(0, length).trim()}”按 ${token.value} 记`;
  }
  if (unit && /^\s*(?:几|以上|以下)/.test(s.slice(length))) {
    return { kind: 'problem', message: `${field.label}请填确切的数字，收到的是"${s.slice(0, length + 2).trim()}"。` };
  }
  return { kind: 'number', value: token.value, length, interpretation };
}

function assign(result: ParsedReport, field: ReportField, value: number, correction: boolean, interpretation: string | null): void {
  result.figures[field.key] = value;
  if (interpretation) result.interpretations[field.key] = interpretation;
  else delete result.interpretations[field.key];
  if (correction && !result.corrected.includes(field.key)) result.corrected.push(field.key);
}

/**
 * The field a unit stands for when no label is written: the only field with that unit, or the only
 * required one (人次 → 服务人次, 场 → 活动场次; 培训 must be named to mean 培训场次).
 */
function fieldForUnit(template: ReportTemplate, unit: string): ReportField | null {
  const withUnit = template.fields.filter((f) => f.type !== 'text' && f.unit === unit);
  if (withUnit.length === 1) return withUnit[0]!;
  const required = withUnit.filter((f) => f.required);
  return required.length === 1 ? required[0]! : null;
}

const UNIT_LABELS_LONGEST_FIRST = Object.entries(UNIT_LABELS).sort((a, b) => b[0].length - a[0].length);
const FIGURE_FOLLOWS_RE = new RegExp(`^\\s*[:：=]?\\s*(?:改成|改为|应为|应该是|是|为|有)?\\s*(?:\\d|${CHINESE_NUMERAL_CLASS})`);
const NUMBER_ENDS_RE = new RegExp(`(?:\\d|${CHINESE_NUMERAL_CLASS})\\s*$`);
const ONLY_A_NUMBER_RE = new RegExp(`^[\\s:：=]*(?:\\d[\\d,.]*|${CHINESE_NUMERAL_CLASS}+)\\s*$`);

// every name of every field, longest first; per template (templates are shared objects)
const namesOfTemplate = new WeakMap<ReportTemplate, { name: string; field: ReportField }[]>();
function fieldNamesOf(template: ReportTemplate): { name: string; field: ReportField }[] {
  let names = namesOfTemplate.get(template);
  if (!names) {
    names = [];
    for (const field of template.fields) for (const name of fieldNames(field)) names.push({ name, field });
    names.sort((a, b) => b.name.length - a.name.length);
    namesOfTemplate.set(template, names);
  }
  return names;
}

function findMentions(text: string, template: ReportTemplate): Mention[] {
  const names = fieldNamesOf(template);
  const taken: Mention[] = [];
  const free = (start: number, end: number) => !taken.some((t) => start < t.end && end > t.start);
  for (const { name, field } of names) {
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
      if (free(at, at + name.length)) taken.push({ field, start: at, end: at + name.length, byUnit: false });
    }
  }
  // a unit used as a label ("人次120"): standing alone, or right after another field's figure
  // ("时长176人次120"); not after an unlabelled number ("120人次" is a unit) nor ending a longer word
  const candidates: Mention[] = [];
  for (const [label, unit] of UNIT_LABELS_LONGEST_FIRST) {
    const field = fieldForUnit(template, unit);
    if (!field) continue;
    for (let at = text.indexOf(label); at >= 0; at = text.indexOf(label, at + 1)) {
      const end = at + label.length;
      if (free(at, end) && !candidates.some((c) => at < c.end && end > c.start) && FIGURE_FOLLOWS_RE.test(text.slice(end))) {
        candidates.push({ field, start: at, end, byUnit: true });
      }
    }
  }
  for (const candidate of candidates.sort((a, b) => a.start - b.start)) {
    const before = text.slice(0, candidate.start);
    if (/\p{Script=Han}$/u.test(before)) continue;
    const previous = taken.filter((t) => t.end <= candidate.start).sort((a, b) => a.end - b.end).at(-1);
    const afterNumber = NUMBER_ENDS_RE.test(before);
    const afterFigure = previous !== undefined && previous.field.unit !== candidate.field.unit
      && ONLY_A_NUMBER_RE.test(text.slice(previous.end, candidate.start));
    if (!afterNumber || afterFigure) taken.push(candidate);
  }
  taken.sort((a, b) => a.start - b.start);
  // the same field named twice ("服务人次120 ... 服务人次改成130"): both are read, the later wins
  return taken;
}

const STRAY_NUMBER_RE = new RegExp(`(?:(?:${APPROXIMATION_BEFORE})\\s*)?(?:-?\\d[\\d,.]*|${CHINESE_NUMERAL_CLASS}+)`, 'g');

function collectStrays(text: string, consumed: [number, number][], template: ReportTemplate, result: ParsedReport): void {
  // one shared global expression: its position is reset here, and nothing the loop calls uses it
  const re = STRAY_NUMBER_RE;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index;
    if (overlaps(consumed, start, start + m[0].length)) continue;
    const token = readNumber(text.slice(start));
    if (!token) continue;
    // a lone "一" in prose ("一下") is not a figure; Chinese numerals count only with a unit
    const unit = UNIT_RE.exec(text.slice(start + token.length));
    if (!/\d/.test(m[0]) && !unit) continue;
    let end = start + token.length + (unit?.[0].length ?? 0);
    const approximate = unit ? approximationAfter(text.slice(end)) : 0;
    end += approximate;
    const raw = text.slice(start, end).trim();
    const unitName = unit ? UNIT_WORDS[unit[1]!.toLowerCase()] : undefined;
    const field = unitName ? fieldForUnit(template, unitName) : null;
    // "85人次参与", "40人次参训": the words after the unit name another field than the unit's own
    const qualified = /^\s*(?:参与|参加|参训|受训|培训|活动)/.test(text.slice(end));
    if (field && !qualified && !(field.key in result.figures) && !m[0].startsWith('-')) {
      const reading = approximate || token.interpretation ? `，按 ${token.value} 记` : '';
      assign(result, field, token.value, false, `“${raw}”记为${field.label}${reading}`);
    } else {
      result.strays.push({ value: token.value, raw, interpretation: token.interpretation });
    }
    re.lastIndex = end;
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
