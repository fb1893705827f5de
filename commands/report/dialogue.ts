// The monthly report as a dialogue on the engine (bot/core/dialogue.ts): one step per field of the
// template (required ones always; optional ones when the report was started with /report), a
// reading of whole sentences with several figures, corrections at the summary, a second look at
// unlikely figures, and an explicit confirmation before someone else's submitted figures are
// replaced. Confirming returns the storeReport effect; the core stores it with the conversation.
import { z } from 'zod';
import { withEffects, type CommandContext, type Outcome } from '../../bot/core/capability.ts';
import { startDialogue, step, type AnswerKind, type Dialogue, type Step } from '../../bot/core/dialogue.ts';
import type { Reply } from '../../bot/core/types.ts';
import { POINT_LEVEL_LABELS, type PointLevel } from '../../bot/domain.ts';
import { foldText, readNumber } from '../../bot/language/numbers.ts';
import { isNoneAnswer } from '../../bot/language/text.ts';
import { addMonths, localDateString, monthLabel } from '../../bot/time.ts';
import { defaultReportMonth, reportableMonthProblem, reportDueDate } from './months.ts';
import { looksLikeQuestion, parseReportMessage, rangeHint, type FigureValue, type ParsedReport } from './parse.ts';
import { checkPlausibility } from './plausibility.ts';
import { hasMinimums, loadStandardInput, standardLines } from './standards.ts';
import { knownTemplateOf, templateOfRows, type ReportField, type ReportTemplate } from './template.ts';
import { boundsFor, checkFigure, missingRequired, parseStoredFigures, validateFigures } from './validate.ts';

export const FLOW = 'report';

export const BIND_HINT = '您还没有绑定通信名录中的身份，不能报月报。请向市支中心索取邀请码，然后发送：/bind 邀请码（或“绑定 邀请码”）。';

const fieldSnapshot = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.string().nullable(),
  type: z.enum(['int', 'decimal', 'text']),
  min: z.number().nullable(),
  max: z.number().nullable(),
  required: z.boolean(),
  aliases: z.array(z.string()),
  sortOrder: z.number(),
});

const ReportDraft = z.object({
  pointId: z.number().int(),
  pointLabel: z.string(),
  pointLevel: z.string(),
  month: z.string().regex(/^\d{4}-\d{2}$/),
  /**
   * the template when the draft began, so the steps stay the same across a template change; fields
   * equal to a template in use are taken as they are (they were checked when it was built)
   */
  fields: z.union([z.custom<ReportField[]>((rows) => Array.isArray(rows) && knownTemplateOf(rows) !== null), z.array(fieldSnapshot)]),
  figures: z.record(z.string(), z.union([z.number(), z.string()])),
  noNewData: z.boolean(),
  /** started with /report and no figures: the optional fields are asked too */
  guided: z.boolean(),
  skipped: z.array(z.string()),
  /** how the bot read figures that needed interpreting (一百二, 约120, a unit without a label), for the read-back */
  notes: z.array(z.string()),
  /** the second look at unlikely figures was shown, for these fields */
  warned: z.array(z.string()).nullable(),
  /** the stored revision when the draft began (a correction), and who submitted it */
  previousRevision: z.number().int().nullable(),
  previous: z.object({ by: z.string().nullable(), byOther: z.boolean(), at: z.string(), summary: z.string() }).nullable(),
  /** the person saw whose figures this replaces and said to go on */
  replaceConfirmed: z.boolean(),
});
export type ReportDraft = z.infer<typeof ReportDraft>;

const SUMMARY_WORDS = /^(汇总|完成|就这些|没有了|其余跳过|其他跳过|其它跳过)[。.!！]?$/;

function templateOf(draft: ReportDraft): ReportTemplate {
  return templateOfRows(draft.fields);
}

function pointLabel(p: { town: string; name: string; level: string }): string {
  const level = POINT_LEVEL_LABELS[p.level as PointLevel] ?? p.level;
  return p.name === p.town ? `${p.town}（${level}）` : `${p.town} ${p.name}`;
}

function fmtValue(field: ReportField, value: FigureValue): string {
  if (typeof value === 'string') return value;
  return field.unit ? `${value} ${field.unit}` : String(value);
}

function figuresText(draft: ReportDraft, figures: Record<string, FigureValue>): string {
  return templateOf(draft).fields.filter((f) => f.key in figures).map((f) => `${f.label} ${fmtValue(f, figures[f.key]!)}`).join('，');
}

// ---- who reports for which point ---------------------------------------------------------------

type Target = { ok: true; point: { id: number; town: string; name: string; level: string } } | { ok: false; replies: Reply[] };

function matchesName(pointName: string, town: string, wanted: string): boolean {
  const w = wanted.replace(/服务点$/, '');
  return pointName === w || `${town}${pointName}` === w || pointName.includes(w) || w.includes(pointName);
}

async function resolveTarget(ctx: CommandContext, onBehalfOf: string | null): Promise<Target> {
  const contact = ctx.actor.contact;
  if (ctx.actor.role === 'unknown' || !contact) return { ok: false, replies: [{ text: BIND_HINT }] };
  const own = contact.servicePoint;
  if (!onBehalfOf) {
    if (ctx.actor.role === 'operator') {
      return {
        ok: false,
        replies: [{ text: '市支中心账号没有自己的月报。替服务点补报请写明服务点，例如：“/report 替新围村报 服务人次120…”；查看进度发 /status，导出发 /export。' }],
      };
    }
    return { ok: true, point: own };
  }
  if (matchesName(own.name, own.town, onBehalfOf) && ctx.actor.role !== 'operator') return { ok: true, point: own };
  if (ctx.actor.role === 'pointContact') {
    return { ok: false, replies: [{ text: `您只能报本服务点（${pointLabel(own)}）的月报。其他服务点请由其联系人或所在镇（街）联系人代报。` }] };
  }
  const scope = ctx.actor.role === 'townContact' ? { town: own.town, exceptId: own.id } : {};
  const wanted = onBehalfOf.replace(/服务点$/, '');
  const candidates = await ctx.queries.directory.reportingPointsNamed(wanted, { ...scope, take: 20 });
  // "石龙镇新围村": the operator named town and point together
  const all = candidates.length > 0 || ctx.actor.role !== 'operator'
    ? candidates
    : (await ctx.queries.directory.reportingPoints()).filter((p) => matchesName(p.name, p.town, wanted) && wanted.startsWith(p.town));
  const exact = all.filter((p) => p.name === wanted || `${p.town}${p.name}` === wanted);
  const found = exact.length === 1 ? exact : all;
  const where = ctx.actor.role === 'townContact' ? `${own.town}` : '通信名录';
  if (found.length === 0) return { ok: false, replies: [{ text: `${where}中没有名为“${wanted}”的服务点，请核对名称后再发。` }] };
  if (found.length > 1) {
    const names = found.slice(0, 10).map((p) => pointLabel(p)).join('、');
    return { ok: false, replies: [{ text: `“${wanted}”对应多个服务点：${names}。请写出完整名称${ctx.actor.role === 'operator' ? '（可加上镇街名）' : ''}。` }] };
  }
  return { ok: true, point: found[0]! };
}

/**
 * The draft's point may be reported by this chat still: a directory import may since have removed
 * the contact or moved it to another point.
 */
async function mayStillReportFor(ctx: CommandContext, pointId: number): Promise<boolean> {
  const contact = ctx.actor.contact;
  if (ctx.actor.role === 'unknown' || !contact) return false;
  if (ctx.actor.role === 'operator' || contact.servicePoint.id === pointId) return true;
  if (ctx.actor.role !== 'townContact') return false;
  const point = await ctx.queries.directory.pointStanding(pointId);
  return point !== null && point.active && point.town === contact.servicePoint.town;
}

// ---- reading messages --------------------------------------------------------------------------

const UNIT_WORDS = ['人次', '人', '名', '次', '场次', '场', '期', '个小时', '小时', '时', 'h', '天', '日', '台', '个'];

/**
 * "人次错了，应该是160", "天数不对，是20": a field or a unit named as wrong, then the right number,
 * as the parser's "<field> <number>" or "<number><unit>".
 */
export function correctionAsFigure(text: string): string | null {
  const m = /^(.{1,12}?)\s*(?:错了|不对|有误|填错了|报错了|写错了)[，,。\s]*(?:应该是|应是|应为|改成|改为|是|为)?\s*(.+)$/.exec(foldText(text).trim());
  if (!m) return null;
  const subject = m[1]!.replace(/^(那个|这个)/, '');
  const rest = m[2]!.trim();
  if (!readNumber(rest)) return null;
  return UNIT_WORDS.includes(subject) ? `${rest}${subject}` : `${subject}${rest}`;
}

/** The answer to one field's question: a number (with the field's or no unit), 没有/无 (0), or text. */
function figureAnswer(field: ReportField, draft: ReportDraft): AnswerKind<FigureValue> {
  if (field.type === 'text') {
    return {
      read(text, ctx) {
        const value = (ctx.message.text ?? text).trim();
        if (!value || isNoneAnswer(value)) return null;
        const problem = checkFigure(field, value, draft.month);
        return problem ? { ok: false, problem } : { ok: true, value };
      },
    };
  }
  return {
    read(text) {
      const folded = foldText(text).trim();
      if (/^\s*(?:-|负)\s*[\d零〇一二两三四五六七八九十]/.test(folded)) return { ok: false, problem: `${field.label}不能是负数。` };
      if (field.required && isNoneAnswer(folded)) return { ok: true, value: 0, note: `${field.label}：“${folded}”按 0 记。` };
      const reading = readNumber(folded);
      if (!reading) return null;
      let rest = folded.slice(reading.length).trim();
      const unit = [...UNIT_WORDS].sort((a, b) => b.length - a.length).find((u) => rest.toLowerCase().startsWith(u));
      if (unit) {
        // a number with another field's unit ("22天" asked for 服务人次) is no answer to this question
        if (field.unit && !sameUnit(field.unit, unit)) return null;
        rest = rest.slice(unit.length);
      }
      if (!/^[\s。.!！~～]*$/.test(rest)) return null;
      const problem = checkFigure(field, reading.value, draft.month);
      if (problem) return { ok: false, problem };
      return { ok: true, value: reading.value, ...(reading.interpretation ? { note: `${field.label}：${reading.interpretation}。` } : {}) };
    },
  };
}

const UNIT_FAMILY: Record<string, string> = { 人次: '人', 人: '人', 名: '人', 次: '人', 场次: '场', 场: '场', 期: '场', 个小时: '时', 小时: '时', 时: '时', h: '时', 天: '天', 日: '天', 台: '台', 个: '台' };
function sameUnit(fieldUnit: string, written: string): boolean {
  return UNIT_FAMILY[fieldUnit] !== undefined && UNIT_FAMILY[fieldUnit] === UNIT_FAMILY[written];
}

function question(field: ReportField, draft: ReportDraft): string {
  const bounds = boundsFor(field, draft.month);
  if (field.type === 'text') return `有${field.label}吗？请直接输入；没有请回复“跳过”。`;
  const range = bounds.max !== null ? `（${bounds.min ?? 0}—${bounds.max}${field.unit ?? ''}${field.key === 'openHours' ? '，全月合计' : ''}）` : rangeHint(field);
  const zero = field.required ? '，没有请回复 0' : '；没有请回复“跳过”，后面都不填请回复“汇总”';
  return `请发送 ${monthLabel(draft.month)}的${field.label}${range}，直接回复数字即可${zero}。`;
}

function fieldStep(field: ReportField): Step<ReportDraft, unknown> {
  return step<ReportDraft, FigureValue>({
    id: `field.${field.key}`,
    label: field.label,
    when: (d) => !d.noNewData && (field.required || d.guided),
    isAnswered: (d) => field.key in d.figures || d.skipped.includes(field.key),
    ask: (d) => {
      const known = figuresText(d, d.figures);
      const head = known && !d.guided ? `已记下：${known}。` : '';
      return [head, question(field, d)].filter(Boolean).join('\n');
    },
    answer: (d) => figureAnswer(field, d),
    ...(field.required ? {} : { none: { label: '跳过', apply: (d: ReportDraft) => ({ ...d, skipped: [...d.skipped, field.key] }) } }),
    apply: (d, value, _ctx, note) => ({
      ...d,
      figures: { ...d.figures, [field.key]: value },
      notes: [...d.notes.filter((n) => !n.startsWith(`${field.label}：`)), ...(note ? [note.replace(/。$/, '')] : [])],
      warned: null,
      replaceConfirmed: false,
    }),
    reset: (d) => {
      const { [field.key]: _, ...figures } = d.figures;
      return { ...d, figures, skipped: d.skipped.filter((k) => k !== field.key), warned: null };
    },
  });
}

/** Merges what a message said into the draft: the figures it understood and what was wrong. */
function merge(draft: ReportDraft, parsed: ParsedReport, now: Date): { draft: ReportDraft; lines: string[]; understood: boolean } {
  const template = templateOf(draft);
  const lines: string[] = [];
  let next: ReportDraft = { ...draft, figures: { ...draft.figures }, notes: [...draft.notes] };
  let understood = false;
  if (parsed.month && parsed.month !== draft.month) {
    understood = true;
    const problem = reportableMonthProblem(parsed.month, now);
    if (problem) lines.push(problem);
    else {
      next = { ...next, month: parsed.month, warned: null };
      lines.push(`好的，改为报 ${monthLabel(next.month)}的数据。`);
    }
  }
  const problems = [...parsed.problems];
  const changed: string[] = [];
  for (const [key, value] of Object.entries(parsed.figures)) {
    const field = template.byKey.get(key);
    if (!field) continue;
    understood = true;
    const problem = checkFigure(field, value, next.month);
    if (problem) {
      problems.push({ key, message: problem });
      continue;
    }
    const before = next.figures[key];
    next.figures[key] = value;
    // how an earlier message was read no longer applies to a figure written anew
    next.notes = next.notes.filter((n) => !n.startsWith(`${field.label}：`));
    next.skipped = next.skipped.filter((k) => k !== key);
    if (before !== undefined && before !== value) changed.push(`${field.label}已改为 ${fmtValue(field, value)}`);
    next.warned = null;
    next.replaceConfirmed = false;
  }
  for (const [key, note] of Object.entries(parsed.interpretations)) {
    if (!(key in parsed.figures)) continue;
    const text = `${template.byKey.get(key)?.label ?? key}：${note}`;
    if (!next.notes.includes(text)) next.notes.push(text);
  }
  if (Object.keys(parsed.figures).length > 0) next.noNewData = false;
  if (parsed.noNewData) {
    understood = true;
    next = { ...next, noNewData: true, warned: null, replaceConfirmed: false };
  }
  for (const issue of validateFigures(next.figures, template, next.month)) {
    problems.push(issue);
    if (issue.key) delete next.figures[issue.key];
  }
  if (changed.length) lines.push(`${changed.join('；')}。`);
  if (problems.length) {
    understood = true;
    const order = (key: string | null) => (key ? (template.byKey.get(key)?.sortOrder ?? 0) : -1);
    const messages = [...new Set(problems.sort((a, b) => order(a.key) - order(b.key)).map((p) => p.message))];
    lines.push(`以下内容没有记下，请改正后再发：\n${messages.map((m) => `· ${m}`).join('\n')}`);
  }
  return { draft: next, lines, understood };
}

// ---- the dialogue ------------------------------------------------------------------------------

function summaryText(draft: ReportDraft): string {
  const template = templateOf(draft);
  const head = `请核对 ${draft.pointLabel} ${monthLabel(draft.month)}的月报：`;
  const notes = draft.notes.length ? `\n以下是我的理解，请特别核对：\n${draft.notes.map((n) => `· ${n}`).join('\n')}` : '';
  if (draft.noNewData) return `${head}\n本月无新增数据。${notes}\n确认无误请回复 1 提交。`;
  const rows = template.fields.filter((f) => f.key in draft.figures).map((f) => `${f.label}：${fmtValue(f, draft.figures[f.key]!)}`);
  const optionalMissing = template.fields.filter((f) => !f.required && !(f.key in draft.figures)).map((f) => f.label);
  const more = optionalMissing.length ? `\n（如需补充${optionalMissing.join('、')}，可直接发送，例如“培训2场”。）` : '';
  return `${head}\n${rows.join('\n')}${notes}${more}\n确认无误请回复 1 提交。`;
}

async function confirmReport(draft: ReportDraft, ctx: CommandContext) {
  if (!(await mayStillReportFor(ctx, draft.pointId))) {
    return {
      kind: 'done' as const,
      outcome: [{ text: ctx.actor.contact ? `您在通信名录中的身份已变更，不能再提交${draft.pointLabel}的这份月报，内容没有保存。请重新发送 /report。` : BIND_HINT }],
    };
  }
  const template = templateOf(draft);
  const missing = draft.noNewData ? [] : missingRequired(draft.figures, template);
  const issues = draft.noNewData ? [] : validateFigures(draft.figures, template, draft.month);
  if (missing.length || issues.length) return { kind: 'back' as const, state: draft, lines: issues.map((i) => i.message) };
  const lastMonth = addMonths(draft.month, -1);
  const yearStart = `${draft.month.slice(0, 4)}-01`;
  // when the point was listed is needed for the standards below: read with the history, one round trip not two
  const [history, listedAt] = await Promise.all([
    ctx.queries.reports.months(draft.pointId, lastMonth < yearStart ? lastMonth : yearStart, draft.month),
    hasMinimums(draft.pointLevel) ? ctx.queries.directory.pointListedAt(draft.pointId) : null,
  ]);
  if (draft.warned === null && !draft.noNewData) {
    const last = history.find((r) => r.month === lastMonth);
    const warnings = checkPlausibility(draft.figures, last?.status === 'reported' ? parseStoredFigures(last.figures) : null, template);
    if (warnings.length) {
      const one = warnings.length === 1 ? template.byKey.get(warnings[0]!.key)?.label : null;
      return {
        kind: 'recheck' as const,
        state: { ...draft, warned: warnings.map((w) => w.key) },
        text: `请再核对一下 ${monthLabel(draft.month)}的数字：\n${warnings.map((w) => `· ${w.message}`).join('\n')}\n如果没错，请回复 1 按原样提交；如有错，直接发送正确的数字，例如“${one ?? '服务人次'}改成130”${one ? `，或只发数字（改${one}）` : ''}。`,
      };
    }
  }
  if (draft.previous?.byOther && !draft.replaceConfirmed) {
    const now = draft.noNewData ? '“本月无新增”' : `（${figuresText(draft, draft.figures)}）`;
    return {
      kind: 'recheck' as const,
      state: { ...draft, replaceConfirmed: true, warned: draft.warned ?? [] },
      text: `注意：${draft.pointLabel} ${monthLabel(draft.month)}的月报已由${draft.previous.by ?? '市支中心'}于 ${draft.previous.at} 提交：${draft.previous.summary}。\n确认用这次的内容${now}替换吗？原来的版本会保留。确认请回复 1。`,
    };
  }
  const standardInput = await loadStandardInput(ctx.queries, { id: draft.pointId, level: draft.pointLevel }, draft.month, draft.noNewData ? {} : draft.figures, draft.noNewData, { yearSoFar: history, listedAt });
  const outcome: Outcome = withEffects(
    [{ kind: 'storeReport', submission: { servicePointId: draft.pointId, month: draft.month, status: draft.noNewData ? 'noNewData' : 'reported', figures: draft.noNewData ? {} : draft.figures } }],
    ({ report }) => {
      if (!report) return [{ text: '月报没有保存，请稍后再试。' }];
      ctx.log.info({ pointId: draft.pointId, month: draft.month, revision: report.revision, late: report.submissionLate }, 'monthly report stored');
      const what = draft.noNewData ? '（本月无新增）' : '';
      const lines = [
        report.revision > 1
          ? `已保存 ${draft.pointLabel} ${monthLabel(draft.month)}月报的更正${what}（第 ${report.revision} 版），之前的版本都已保留。`
          : `已收到 ${draft.pointLabel} ${monthLabel(draft.month)}的月报${what}，谢谢！`,
      ];
      if (report.submissionLate) lines.push(`提醒：${monthLabel(draft.month)}的月报应在 ${localDateString(reportDueDate(draft.month))} 前（每月5日前）上报，这次已记为逾期。`);
      if (standardInput) lines.push(...standardLines(standardInput));
      return [{ text: lines.join('\n') }];
    },
    [],
  );
  return { kind: 'done' as const, outcome };
}

/** A draft saved by the bot before the engine (flow "report", steps ask:<key> | summary | doubleCheck). */
async function upgrade(old: Record<string, unknown>, _step: string | null, ctx: CommandContext): Promise<ReportDraft | null> {
  const legacy = z
    .object({
      pointId: z.number().int(),
      pointLabel: z.string(),
      pointLevel: z.string(),
      month: z.string().regex(/^\d{4}-\d{2}$/),
      figures: z.record(z.string(), z.union([z.number(), z.string()])),
      noNewData: z.boolean(),
      guided: z.boolean(),
      skipped: z.array(z.string()),
      previousRevision: z.number().int().nullable(),
    })
    .safeParse(old);
  if (!legacy.success) return null;
  const template = await ctx.queries.reports.template();
  return { ...legacy.data, fields: template.fields, notes: [], warned: null, previous: null, replaceConfirmed: false };
}

// a draft's steps follow from its template alone, and templates are shared objects (templateOfRows)
const stepsOfTemplate = new WeakMap<ReportTemplate, Step<ReportDraft, unknown>[]>();
function fieldSteps(template: ReportTemplate): Step<ReportDraft, unknown>[] {
  let steps = stepsOfTemplate.get(template);
  if (!steps) stepsOfTemplate.set(template, (steps = template.fields.map(fieldStep)));
  return steps;
}

export const reportDialogue: Dialogue<ReportDraft> = {
  name: FLOW,
  schema: ReportDraft,
  steps: (draft) => fieldSteps(templateOf(draft)),
  summary: (draft) => summaryText(draft),
  yieldsToOthers: true,
  restartHint: '需要时再发送 /report（或“月报”）。',
  allowed: (ctx) => ctx.actor.role !== 'unknown',
  interpret(text, draft, where, ctx) {
    if (SUMMARY_WORDS.test(text)) return { state: { ...draft, guided: false }, lines: [] };
    // at the second look, a bare number corrects the one figure that was questioned
    if (where === 'recheck' && draft.warned?.length === 1) {
      const reading = readNumber(foldText(text).trim());
      if (reading && reading.length === foldText(text).trim().length) {
        const field = templateOf(draft).byKey.get(draft.warned[0]!)!;
        const parsed = parseReportMessage(`${field.label}${text}`, templateOf(draft), ctx.clock.now());
        const merged = merge(draft, parsed, ctx.clock.now());
        return { state: merged.draft, lines: merged.lines };
      }
    }
    if (looksLikeQuestion(text)) return null;
    const corrected = correctionAsFigure(text);
    const parsed = parseReportMessage(corrected ?? text, templateOf(draft), ctx.clock.now());
    if (parsed.tooLong) return { state: draft, lines: ['消息太长了，请只发送月报的数字。'] };
    const merged = merge(draft, parsed, ctx.clock.now());
    return merged.understood ? { state: merged.draft, lines: merged.lines } : null;
  },
  confirm: confirmReport,
  cancelled: (draft) =>
    `已取消，这次填写的内容没有保存。${draft.previousRevision ? `原来提交的第 ${draft.previousRevision} 版保持不变。` : `${monthLabel(draft.month)}的月报还没有提交。`}需要时再发送 /report（或“月报”）。`,
  upgrade,
};

/** Start a report from a command (/report ...) or a free-text message with figures. */
export async function startReport(ctx: CommandContext, text: string, fromCommand: boolean): Promise<Outcome> {
  if (ctx.actor.role === 'unknown') return [{ text: BIND_HINT }];
  const template = await ctx.queries.reports.template();
  const now = ctx.clock.now();
  const parsed = parseReportMessage(correctionAsFigure(text) ?? text, template, now);
  if (parsed.tooLong) return [{ text: '消息太长了，月报只需要几个数字，例如：“服务人次120，开放天数22，开放时长176小时，活动3场”。' }];
  const target = await resolveTarget(ctx, parsed.onBehalfOf);
  if (!target.ok) return target.replies;
  const month = parsed.month ?? defaultReportMonth(now);
  const monthProblem = reportableMonthProblem(month, now);
  if (monthProblem) return [{ text: `${monthProblem}现在默认报的是${monthLabel(defaultReportMonth(now))}的数据。` }];
  const existing = await ctx.queries.reports.current(target.point.id, month);
  const hasFigures = Object.keys(parsed.figures).length > 0;
  let draft: ReportDraft = {
    pointId: target.point.id,
    pointLabel: pointLabel(target.point),
    pointLevel: target.point.level,
    month,
    fields: template.fields,
    // a correction after a stored report starts from what was stored
    figures: existing && existing.status === 'reported' ? { ...existing.figures } : {},
    noNewData: false,
    guided: fromCommand && !hasFigures && !parsed.noNewData,
    skipped: [],
    notes: [],
    warned: null,
    previousRevision: existing?.revision ?? null,
    previous: null,
    replaceConfirmed: false,
  };
  const intro: string[] = [];
  if (existing) {
    const by = existing.submittedBy;
    const byOther = by !== null ? by !== ctx.actor.contact?.name : true;
    const summary = existing.status === 'noNewData' ? '本月无新增' : figuresText(draft, existing.figures);
    draft = { ...draft, previous: { by, byOther, at: localDateString(existing.submittedAt), summary } };
    intro.push(`${draft.pointLabel} ${monthLabel(month)}的月报已由${by ?? '市支中心'}于 ${localDateString(existing.submittedAt)} 提交（第 ${existing.revision} 版）。这次确认后会保存为更正，原来的版本仍然保留。`);
  } else if (draft.guided) {
    intro.push(`开始填报 ${draft.pointLabel} ${monthLabel(month)}的月报（如要报其他月份，请发送如“9月”）。随时可发“取消”。`);
  }
  const merged = merge({ ...draft, month: parsed.month ? draft.month : month }, { ...parsed, month: null }, now);
  return startDialogue(reportDialogue, ctx, merged.draft, [...intro, ...merged.lines]);
}

