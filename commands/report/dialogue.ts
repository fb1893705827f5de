// The report dialogue: one sentence or a guided walk through the fields, a summary to confirm,
// a second look at unlikely figures, then storage. The draft lives in the Conversation row (the
// core saves ctx.conversation after each message), so a restart continues where it stood.
import { z } from 'zod';
import type { Reply } from '../../bot/core/types.ts';
import { POINT_LEVEL_LABELS, type PointLevel } from '../../bot/domain.ts';
import { addMonths, localDateString, monthLabel, type MonthKey } from '../../bot/time.ts';
import type { CommandContext } from '../capability.ts';
import { defaultReportMonth, reportableMonthProblem, reportDueDate } from './months.ts';
import { foldText, readNumber } from './numerals.ts';
import { parseReportMessage, rangeHint, type FigureValue, type ParsedReport } from './parse.ts';
import { checkPlausibility } from './plausibility.ts';
import { loadStandardInput, standardLines } from './standards.ts';
import { findReport, loadReportMonths, saveReport } from './storage.ts';
import { loadTemplate, type ReportField, type ReportTemplate } from './template.ts';
import { boundsFor, checkFigure, missingRequired, parseStoredFigures, validateFigures } from './validate.ts';

export const FLOW = 'report';

const draftSchema = z.object({
  pointId: z.number().int(),
  pointLabel: z.string(),
  pointLevel: z.string(),
  month: z.string().regex(/^\d{4}-\d{2}$/),
  figures: z.record(z.string(), z.union([z.number(), z.string()])),
  noNewData: z.boolean(),
  /** started with /report and no figures: also ask the optional fields */
  guided: z.boolean(),
  skipped: z.array(z.string()),
  /** the double-check of unlikely figures was shown for these figures */
  checked: z.boolean(),
  /** revision already stored for the month when the draft began (a correction) */
  previousRevision: z.number().int().nullable(),
});
export type Draft = z.infer<typeof draftSchema>;

const CONFIRM_WORDS = /^(确认|确定|提交|确认提交|对|对的|是|是的|正确|无误|没问题|确认无误|ok|好|好的)[。.!！]?$/i;
const CANCEL_WORDS = /^(取消|算了|不报了|退出|放弃)[。.!！]?$/;
const SKIP_WORDS = /^(跳过|没有|无|不填|略过|下一项)[。.!！]?$/;
const SUMMARY_WORDS = /^(汇总|完成|就这些|没有了|其余跳过|其他跳过)[。.!！]?$/;

export const BIND_HINT = '您还没有绑定通信名录中的身份，不能报月报。请向市支中心索取邀请码，然后发送：/bind 邀请码（或“绑定 邀请码”）。';

function pointLabel(p: { town: string; name: string; level: string }): string {
  const level = POINT_LEVEL_LABELS[p.level as PointLevel] ?? p.level;
  return p.name === p.town ? `${p.town}（${level}）` : `${p.town} ${p.name}`;
}

function fmtValue(field: ReportField, value: FigureValue): string {
  if (typeof value === 'string') return value;
  return field.unit ? `${value} ${field.unit}` : String(value);
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
  const where = ctx.actor.role === 'townContact' ? { active: true, town: own.town, NOT: { id: own.id } } : { active: true, NOT: { level: 'subCenter' } };
  const wanted = onBehalfOf.replace(/服务点$/, '');
  const candidates = await ctx.db.servicePoint.findMany({
    where: { ...where, OR: [{ name: { contains: wanted } }, ...(wanted.length >= 2 ? [{ name: wanted }] : [])] },
    select: { id: true, town: true, name: true, level: true },
    take: 20,
  });
  // "石龙镇新围村": the operator named town and point together
  const all = candidates.length > 0 || ctx.actor.role !== 'operator'
    ? candidates
    : (await ctx.db.servicePoint.findMany({ where: { active: true, NOT: { level: 'subCenter' } }, select: { id: true, town: true, name: true, level: true } }))
        .filter((p) => matchesName(p.name, p.town, wanted) && wanted.startsWith(p.town));
  const exact = all.filter((p) => p.name === wanted || `${p.town}${p.name}` === wanted);
  const found = exact.length === 1 ? exact : all;
  const scope = ctx.actor.role === 'townContact' ? `${own.town}` : '通信名录';
  if (found.length === 0) return { ok: false, replies: [{ text: `${scope}中没有名为“${wanted}”的服务点，请核对名称后再发。` }] };
  if (found.length > 1) {
    const names = found.slice(0, 10).map((p) => pointLabel(p)).join('、');
    return { ok: false, replies: [{ text: `“${wanted}”对应多个服务点：${names}。请写出完整名称${ctx.actor.role === 'operator' ? '（可加上镇街名）' : ''}。` }] };
  }
  return { ok: true, point: found[0]! };
}

// ---- the dialogue ------------------------------------------------------------------------------

function readDraft(ctx: CommandContext): Draft | null {
  if (ctx.conversation.flow !== FLOW) return null;
  const parsed = draftSchema.safeParse(ctx.conversation.state);
  return parsed.success ? parsed.data : null;
}

function saveDraft(ctx: CommandContext, draft: Draft, step: string): void {
  ctx.conversation.set(FLOW, step, draft as unknown as Record<string, unknown>);
}

/** Start a report from a command (/report ...) or a free-text message with figures. */
export async function startReport(ctx: CommandContext, text: string, fromCommand: boolean): Promise<Reply[]> {
  if (ctx.actor.role === 'unknown') return [{ text: BIND_HINT }];
  const template = await loadTemplate(ctx.db);
  const now = ctx.clock.now();
  const parsed = parseReportMessage(text, template, now);
  if (parsed.tooLong) return [{ text: '消息太长了，月报只需要几个数字，例如：“服务人次120，开放天数22，开放时长176小时，活动3场”。' }];
  const target = await resolveTarget(ctx, parsed.onBehalfOf);
  if (!target.ok) return target.replies;
  const month = parsed.month ?? defaultReportMonth(now);
  const monthProblem = reportableMonthProblem(month, now);
  if (monthProblem) return [{ text: `${monthProblem}现在默认报的是${monthLabel(defaultReportMonth(now))}的数据。` }];

  const existing = await findReport(ctx.db, target.point.id, month);
  const hasFigures = Object.keys(parsed.figures).length > 0;
  const draft: Draft = {
    pointId: target.point.id,
    pointLabel: pointLabel(target.point),
    pointLevel: target.point.level,
    month,
    // a correction after a stored report starts from what was stored
    figures: existing && existing.status === 'reported' ? { ...existing.figures } : {},
    noNewData: false,
    guided: fromCommand && !hasFigures && !parsed.noNewData,
    skipped: [],
    checked: false,
    previousRevision: existing?.revision ?? null,
  };
  const intro: string[] = [];
  if (existing) {
    intro.push(`${draft.pointLabel} ${monthLabel(month)}的月报已于 ${localDateString(existing.submittedAt)} 提交（第 ${existing.revision} 版）。这次确认后会保存为更正，原来的版本仍然保留。`);
  } else if (draft.guided) {
    intro.push(`开始填报 ${draft.pointLabel} ${monthLabel(month)}的月报（如要报其他月份，请发送如“9月”）。随时可发“取消”。`);
  }
  return applyAndAdvance(ctx, draft, parsed, template, intro);
}

/** Merge what a message said into the draft, then ask the next question or show the summary. */
async function applyAndAdvance(ctx: CommandContext, draft: Draft, parsed: ParsedReport, template: ReportTemplate, intro: string[], awaiting?: string): Promise<Reply[]> {
  const lines = [...intro];
  const now = ctx.clock.now();
  if (parsed.month && parsed.month !== draft.month) {
    const problem = reportableMonthProblem(parsed.month, now);
    if (problem) lines.push(problem);
    else {
      draft.month = parsed.month;
      draft.checked = false;
      lines.push(`好的，改为报 ${monthLabel(draft.month)}的数据。`);
    }
  }
  // a bare number ("22", "二十", "160小时") answers the question just asked
  const bare = awaiting ? bareAnswer(ctx.text) : null;
  if (awaiting && /^\s*(?:-|负)\s*[\d零〇一二两三四五六七八九十]/.test(foldText(ctx.text))) {
    parsed.problems.push({ key: awaiting, message: `${template.byKey.get(awaiting)?.label ?? awaiting}不能是负数。` });
  }
  if (awaiting && bare !== null && Object.keys(parsed.figures).length === 0) {
    parsed.figures[awaiting] = bare;
  } else if (awaiting && Object.keys(parsed.figures).length === 0 && parsed.strays.length === 1 && parsed.problems.length === 0) {
    parsed.figures[awaiting] = parsed.strays[0]!.value;
  } else if (awaiting && template.byKey.get(awaiting)?.type === 'text' && Object.keys(parsed.figures).length === 0 && !parsed.noNewData && !parsed.month) {
    parsed.figures[awaiting] = ctx.text;
  }
  const problems: { key: string | null; message: string }[] = [...parsed.problems];
  const accepted: string[] = [];
  for (const [key, value] of Object.entries(parsed.figures)) {
    const field = template.byKey.get(key);
    if (!field) continue;
    const problem = checkFigure(field, value, draft.month);
    if (problem) {
      problems.push({ key, message: problem });
      continue;
    }
    const before = draft.figures[key];
    draft.figures[key] = value;
    if (before !== undefined && before !== value) accepted.push(`${field.label}已改为 ${fmtValue(field, value)}`);
    draft.checked = false;
  }
  if (Object.keys(parsed.figures).length > 0) draft.noNewData = false;
  if (parsed.noNewData) {
    draft.noNewData = true;
    draft.checked = false;
  }
  for (const issue of validateFigures(draft.figures, template, draft.month)) {
    problems.push(issue);
    if (issue.key) delete draft.figures[issue.key];
  }
  if (accepted.length) lines.push(`${accepted.join('；')}。`);
  if (problems.length) {
    const order = (key: string | null) => (key ? (template.byKey.get(key)?.sortOrder ?? 0) : -1);
    const messages = [...new Set(problems.sort((a, b) => order(a.key) - order(b.key)).map((p) => p.message))];
    lines.push(`以下内容没有记下，请改正后再发：\n${messages.map((m) => `· ${m}`).join('\n')}`);
  }
  const nothingUnderstood = Object.keys(parsed.figures).length === 0 && !parsed.noNewData && !parsed.month && problems.length === 0;
  if (nothingUnderstood && awaiting) lines.push('没有看懂这条消息。');
  return advance(ctx, draft, template, lines);
}

function bareAnswer(text: string): number | null {
  const folded = foldText(text).trim();
  const token = readNumber(folded);
  if (!token) return null;
  const rest = folded.slice(token.length).trim();
  return /^(人次|人|名|次|场次|场|期|个小时|小时|时|h|天|日|台|个)?[。.!！]?$/i.test(rest) ? token.value : null;
}

function nextField(draft: Draft, template: ReportTemplate): ReportField | null {
  if (draft.noNewData) return null;
  const missing = missingRequired(draft.figures, template)[0];
  if (missing) return missing;
  if (!draft.guided) return null;
  return template.fields.find((f) => !f.required && !(f.key in draft.figures) && !draft.skipped.includes(f.key)) ?? null;
}

function question(field: ReportField, draft: Draft): string {
  const bounds = boundsFor(field, draft.month);
  if (field.type === 'text') return `有${field.label}吗？请直接输入；没有请回复“跳过”。`;
  const range = bounds.max !== null ? `（${bounds.min ?? 0}—${bounds.max}${field.unit ?? ''}${field.key === 'openHours' ? '，全月合计' : ''}）` : rangeHint(field);
  const skip = field.required ? '' : '；没有请回复“跳过”，后面都不填请回复“汇总”';
  return `请发送 ${monthLabel(draft.month)}的${field.label}${range}，直接回复数字即可${skip}。`;
}

function advance(ctx: CommandContext, draft: Draft, template: ReportTemplate, lines: string[]): Reply[] {
  const field = nextField(draft, template);
  if (field) {
    saveDraft(ctx, draft, `ask:${field.key}`);
    const known = summaryLines(draft, template);
    const head = known.length && !draft.guided ? `已记下：${known.join('，')}。` : '';
    return [{ text: [...lines, head, question(field, draft)].filter(Boolean).join('\n') }];
  }
  saveDraft(ctx, draft, 'summary');
  return [{ text: [...lines, summaryText(draft, template)].filter(Boolean).join('\n'), choices: summaryChoices() }];
}

function summaryLines(draft: Draft, template: ReportTemplate): string[] {
  return template.fields.filter((f) => f.key in draft.figures).map((f) => `${f.label} ${fmtValue(f, draft.figures[f.key]!)}`);
}

function summaryText(draft: Draft, template: ReportTemplate): string {
  const head = `请核对 ${draft.pointLabel} ${monthLabel(draft.month)}的月报：`;
  if (draft.noNewData) return `${head}\n本月无新增数据。\n确认无误请回复 1 提交。`;
  const rows = template.fields.filter((f) => f.key in draft.figures).map((f) => `${f.label}：${fmtValue(f, draft.figures[f.key]!)}`);
  const optionalMissing = template.fields.filter((f) => !f.required && !(f.key in draft.figures)).map((f) => f.label);
  const more = optionalMissing.length ? `\n（如需补充${optionalMissing.join('、')}，可直接发送，例如“培训2场”。）` : '';
  return `${head}\n${rows.join('\n')}${more}\n确认无误请回复 1 提交。`;
}

function summaryChoices(confirmLabel = '确认提交') {
  return [
    { label: confirmLabel, value: `${FLOW}:confirm` },
    { label: '修改', value: `${FLOW}:change` },
    { label: '取消', value: `${FLOW}:cancel` },
  ];
}

/** A plain message while the report dialogue is active. */
export async function continueReport(ctx: CommandContext): Promise<Reply[]> {
  const draft = readDraft(ctx);
  if (!draft) {
    ctx.conversation.clear();
    return startReport(ctx, ctx.text, false);
  }
  const text = ctx.text.trim();
  const step = ctx.conversation.step ?? '';
  if (CANCEL_WORDS.test(text)) return cancel(ctx, draft);
  if ((step === 'summary' || step === 'doubleCheck') && CONFIRM_WORDS.test(text)) return confirm(ctx, draft);
  const template = await loadTemplate(ctx.db);
  const awaiting = step.startsWith('ask:') ? step.slice(4) : undefined;
  const awaitedField = awaiting ? template.byKey.get(awaiting) : undefined;
  if (awaitedField && !awaitedField.required && SKIP_WORDS.test(text)) {
    draft.skipped.push(awaitedField.key);
    return advance(ctx, draft, template, []);
  }
  if (awaiting && SUMMARY_WORDS.test(text)) {
    draft.guided = false;
    return advance(ctx, draft, template, []);
  }
  const parsed = parseReportMessage(text, template, ctx.clock.now());
  if (parsed.tooLong) return [{ text: '消息太长了，请只发送月报的数字。' }];
  if (parsed.onBehalfOf) {
    ctx.conversation.clear();
    return startReport(ctx, text, false);
  }
  return applyAndAdvance(ctx, draft, parsed, template, [], awaiting);
}

/** A picked choice: report:confirm | report:change | report:cancel. */
export async function reportChoice(ctx: CommandContext): Promise<Reply[]> {
  const draft = readDraft(ctx);
  if (!draft) return [{ text: '这份月报已经处理完了（或已过期）。如需再报或更正，请发送 /report 或直接发送数字。' }];
  switch (ctx.choice) {
    case 'confirm':
      return confirm(ctx, draft);
    case 'cancel':
      return cancel(ctx, draft);
    case 'change':
      saveDraft(ctx, draft, 'summary');
      return [{ text: '请直接发送要改的内容，例如“服务人次改成130”或“开放天数20”；要改报月份请发如“9月”。改完会再请您核对。' }];
    default:
      return [{ text: '这个选项已经失效了。请发送 /report 重新开始。' }];
  }
}

function cancel(ctx: CommandContext, draft: Draft): Reply[] {
  ctx.conversation.clear();
  const kept = draft.previousRevision ? `原来提交的第 ${draft.previousRevision} 版保持不变。` : `${monthLabel(draft.month)}的月报还没有提交。`;
  return [{ text: `已取消，这次填写的内容没有保存。${kept}需要时再发送 /report（或“月报”）。` }];
}

/**
 * The draft was started by whoever this chat was then; a directory import may since have removed
 * the contact or moved it to another point, so the right to report for the draft's point is checked
 * again before anything is stored.
 */
async function mayStillReportFor(ctx: CommandContext, pointId: number): Promise<boolean> {
  const contact = ctx.actor.contact;
  if (ctx.actor.role === 'unknown' || !contact) return false;
  if (ctx.actor.role === 'operator' || contact.servicePoint.id === pointId) return true;
  if (ctx.actor.role !== 'townContact') return false;
  const point = await ctx.db.servicePoint.findUnique({ where: { id: pointId }, select: { town: true, active: true } });
  return point !== null && point.active && point.town === contact.servicePoint.town;
}

async function confirm(ctx: CommandContext, draft: Draft): Promise<Reply[]> {
  if (!(await mayStillReportFor(ctx, draft.pointId))) {
    ctx.conversation.clear();
    if (!ctx.actor.contact) return [{ text: BIND_HINT }];
    return [{ text: `您在通信名录中的身份已变更，不能再提交${draft.pointLabel}的这份月报，内容没有保存。请重新发送 /report。` }];
  }
  const template = await loadTemplate(ctx.db);
  const missing = draft.noNewData ? [] : missingRequired(draft.figures, template);
  const issues = draft.noNewData ? [] : validateFigures(draft.figures, template, draft.month);
  if (missing.length || issues.length) return advance(ctx, draft, template, issues.map((i) => i.message));
  // the point's history in one query: last month for the plausibility check, the year so far for
  // the standards
  const lastMonth = addMonths(draft.month, -1);
  const yearStart = `${draft.month.slice(0, 4)}-01`;
  const history = await loadReportMonths(ctx.db, draft.pointId, lastMonth < yearStart ? lastMonth : yearStart, draft.month);
  if (!draft.checked && !draft.noNewData) {
    const last = history.find((r) => r.month === lastMonth);
    const warnings = checkPlausibility(draft.figures, last?.status === 'reported' ? parseStoredFigures(last.figures) : null, template);
    if (warnings.length) {
      draft.checked = true;
      saveDraft(ctx, draft, 'doubleCheck');
      return [
        {
          text: `请再核对一下 ${monthLabel(draft.month)}的数字：\n${warnings.map((w) => `· ${w.message}`).join('\n')}\n如果没错，请回复 1 按原样提交；如有错，直接发送正确的数字，例如“服务人次改成130”。`,
          choices: summaryChoices('没错，提交'),
        },
      ];
    }
  }
  const contact = ctx.actor.contact;
  const now = ctx.clock.now();
  const stored = await saveReport(ctx.db, {
    servicePointId: draft.pointId,
    month: draft.month,
    status: draft.noNewData ? 'noNewData' : 'reported',
    figures: draft.noNewData ? {} : draft.figures,
    contactId: contact?.id ?? null,
    channel: ctx.actor.channel,
    actor: `${ctx.actor.channel}:${ctx.actor.chatId}`,
    at: now,
  });
  ctx.conversation.clear();
  ctx.log.info({ pointId: draft.pointId, month: draft.month, revision: stored.revision, late: stored.submissionLate }, 'monthly report stored');
  const what = draft.noNewData ? '（本月无新增）' : '';
  const lines = [
    stored.revision > 1
      ? `已保存 ${draft.pointLabel} ${monthLabel(draft.month)}月报的更正${what}（第 ${stored.revision} 版），之前的版本都已保留。`
      : `已收到 ${draft.pointLabel} ${monthLabel(draft.month)}的月报${what}，谢谢！`,
  ];
  if (stored.submissionLate) {
    lines.push(`提醒：${monthLabel(draft.month)}的月报应在 ${localDateString(reportDueDate(draft.month))} 前（每月5日前）上报，这次已记为逾期。`);
  }
  const standardInput = await loadStandardInput(ctx.db, { id: draft.pointId, level: draft.pointLevel }, draft.month, draft.noNewData ? {} : draft.figures, draft.noNewData, history);
  if (standardInput) lines.push(...standardLines(standardInput));
  return [{ text: lines.join('\n') }];
}
