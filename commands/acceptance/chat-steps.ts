// The steps of an application taken in the chat after it is submitted: the 镇文广中心 confirms (盖章)
// or returns it with a reason (the buttons of its notification, or typed "确认盖章 3" / "退回 3 原因"),
// the sub-center receives it, schedules the visit and decides ("收件 3", "安排验收 3 12月15日",
// "验收通过 3", "验收不通过 3 意见；意见"), and anyone concerned fetches the printable form ("验收申请 3").
// Each step is an acceptanceStep effect: the store checks the rights and the state and says why not.
import { z } from 'zod';
import { line } from '../../bot/core/answers.ts';
import { withEffects, type CommandContext, type CommandSpec, type Outcome } from '../../bot/core/capability.ts';
import { startDialogue, step, type Dialogue } from '../../bot/core/dialogue.ts';
import type { AcceptanceStepRequest, EffectResults } from '../../bot/core/effects.ts';
import type { Reply } from '../../bot/core/types.ts';
import { localDateString } from '../../bot/time.ts';
import { formatChineseDay, parseChineseDay } from './dates.ts';
import { formatForm, parseStoredForm } from './form.ts';
import { ACTION_LABELS, REINSPECTION_LABELS, STATE_LABELS, decide, parseApplicationState, type ApplicationAction, type ReinspectionResult } from './machine.ts';
import { renderApplicationForm } from './printable.ts';
import { opinionsFromStored } from './selfcheck.ts';

/** "3", "#3", "3号" at the start of the arguments, and the rest. */
export function applicationRef(args: string): { id: number; rest: string } | null {
  const m = /^#?\s*(\d{1,9})\s*号?(?:[\s,，、:：]+|$)([\s\S]*)$/.exec(args.trim());
  return m ? { id: Number(m[1]), rest: m[2]!.trim() } : null;
}

function stepReplies(action: ApplicationAction, applicationId: number): (results: EffectResults) => Reply[] {
  return (results) => {
    const r = results.acceptance;
    if (!r) return [{ text: '这一步没有完成，请稍后再试。' }];
    if (!r.ok) return [{ text: `没有${ACTION_LABELS[action]}：${r.reason}` }];
    const lines = [`验收申请 #${applicationId}：已${ACTION_LABELS[action]}，现为“${STATE_LABELS[r.state]}”。已通知 ${r.notifications.length} 人。`];
    if (action === 'receive' && r.deadline) lines.push(`现场验收期限：${formatChineseDay(r.deadline)}（收件后两个工作周）${r.deadlineNote ? `。${r.deadlineNote}` : ''}`);
    if (r.pastDeadline && r.deadline) lines.push(`注意：验收日期晚于两个工作周的期限（${formatChineseDay(r.deadline)}）。`);
    return [{ text: lines.join('\n') }];
  };
}

function takeInChat(step: AcceptanceStepRequest & { applicationId: number }): Outcome {
  return withEffects([{ kind: 'acceptanceStep', step }], stepReplies(step.action, step.applicationId));
}

const ReturnState = z.object({ applicationId: z.number().int(), reason: z.string().optional() });
type ReturnState = z.infer<typeof ReturnState>;

export const returnDialogue: Dialogue<ReturnState> = {
  name: 'acceptanceReturn',
  schema: ReturnState,
  readBack: false,
  steps: [
    step<ReturnState, string>({
      id: 'reason',
      label: '退回原因',
      isAnswered: (s) => Boolean(s.reason),
      ask: (s) => `请写明退回验收申请 #${s.applicationId} 的原因（会发给申请单位），例如“电脑台数与实际不符”。`,
      answer: line({ max: 200, label: '退回原因' }),
      apply: (s, reason) => ({ ...s, reason }),
      reset: (s) => ({ applicationId: s.applicationId }),
    }),
  ],
  summary: (s) => `退回验收申请 #${s.applicationId}：${s.reason ?? ''}`,
  async confirm(s) {
    return { kind: 'done', outcome: takeInChat({ action: 'return', applicationId: s.applicationId, reason: s.reason }) };
  },
  cancelled: (s) => `已取消，验收申请 #${s.applicationId} 没有退回。`,
  restartHint: '请重新点“退回”，或发送“退回 编号 原因”。',
};

/** Whether this actor may take the step now; null: yes. Said before asking anything (a reason). */
async function refusalOf(ctx: CommandContext, action: ApplicationAction, id: number): Promise<string | null> {
  const app = await ctx.queries.acceptance.application(id);
  if (!app) return `没有编号为 ${id} 的验收申请。`;
  const point = ctx.actor.contact?.servicePoint;
  const decision = decide(
    action,
    { contactId: ctx.actor.contact?.id ?? null, point: point ? { id: point.id, town: point.town, level: point.level } : null },
    { state: parseApplicationState(app.state), point: { ...app.servicePoint, isPartyEducationPoint: false }, partyEducationAllowed: true, townHasCultureCenterContact: false },
  );
  return decision.ok ? null : decision.reason;
}

/** The 镇文广中心's answer to a notification's button: confirm:<id> or return:<id>. */
export async function acceptanceChoice(ctx: CommandContext): Promise<Outcome> {
  const m = /^(confirm|return):(\d+)$/.exec(ctx.choice ?? '');
  if (!m) return [{ text: '这个选项已经失效。发送“/acceptance status”查看验收申请。' }];
  const id = Number(m[2]);
  return m[1] === 'confirm' ? confirmApplication(ctx, id) : returnApplication(ctx, id, '');
}

async function confirmApplication(ctx: CommandContext, id: number): Promise<Outcome> {
  const refusal = await refusalOf(ctx, 'confirm', id);
  if (refusal) return [{ text: refusal }];
  return takeInChat({ action: 'confirm', applicationId: id });
}

async function returnApplication(ctx: CommandContext, id: number, reason: string): Promise<Outcome> {
  const refusal = await refusalOf(ctx, 'return', id);
  if (refusal) return [{ text: refusal }];
  if (reason) return takeInChat({ action: 'return', applicationId: id, reason });
  return startDialogue(returnDialogue, ctx, { applicationId: id });
}

/**
 * "确认盖章" with no number, as the notification says to reply: the one application of the
 * 镇文广中心's town awaiting its stamp; with several, they are listed.
 */
async function awaitingStamp(ctx: CommandContext): Promise<number | Reply[]> {
  const point = ctx.actor.contact?.servicePoint;
  if (point?.level !== 'townCultureCenter') return needsId('确认盖章 3');
  const waiting = (await ctx.queries.acceptance.applications({ town: point.town })).filter((a) => a.state === 'applied' || a.state === 'resubmitted');
  if (waiting.length === 1) return waiting[0]!.id;
  if (!waiting.length) return [{ text: `${point.town}目前没有待确认盖章的验收申请。` }];
  return [{ text: [`${point.town}有 ${waiting.length} 份待确认盖章的验收申请，请写上编号，例如“确认盖章 ${waiting[0]!.id}”：`, ...waiting.map((a) => `· #${a.id} ${a.point.name}`)].join('\n') }];
}

function needsId(example: string): Reply[] {
  return [{ text: `请写申请编号，例如“${example}”。发送“/acceptance status”可查看编号。` }];
}

/** "验收申请 3": the form as text and as the printable annex 2, for those concerned. */
export async function showApplication(ctx: CommandContext, id: number): Promise<Reply[]> {
  const app = await ctx.queries.acceptance.application(id);
  const point = ctx.actor.contact?.servicePoint;
  const concerned = ctx.actor.role === 'operator' || (point && (point.id === app?.servicePointId || (point.town === app?.servicePoint.town && ctx.actor.role !== 'pointContact') || (point.level === 'townCultureCenter' && point.town === app?.servicePoint.town)));
  if (!app || !concerned) return [{ text: `没有编号为 ${id} 的验收申请，或您无权查看（只能查看本服务点、本镇街的申请）。` }];
  const form = parseStoredForm(app.versions.at(-1)?.form ?? '{}');
  const state = parseApplicationState(app.state) ?? 'applied';
  const content = await renderApplicationForm({ id, version: app.version, level: app.servicePoint.level, form, generatedOn: localDateString(ctx.clock.now()) });
  return [
    {
      text: `验收申请 #${id} ${app.servicePoint.town} ${app.servicePoint.name}：${STATE_LABELS[state]}（第${app.version}版）\n${formatForm(form)}`,
      document: { filename: `验收申请表-${id}.xlsx`, content, caption: `验收申请表（附件2）#${id}，可打印盖章` },
    },
  ];
}

const RESULT_WORDS: [RegExp, ReinspectionResult][] = [[/限期整改|整改/, 'rectify'], [/除牌|摘牌/, 'plaqueRemoved'], [/合格|通过/, 'passed']];

/** "石龙镇/石龙镇图书馆 限期整改 12月31日 电脑不足" → the point, the result, the deadline, the note. */
export function parseReinspection(args: string): { point: string; result: ReinspectionResult; rest: string } | null {
  for (const [word, result] of RESULT_WORDS) {
    const m = word.exec(args);
    if (!m || !args.slice(0, m.index).trim()) continue;
    return { point: args.slice(0, m.index).trim(), result, rest: args.slice(m.index + m[0].length).replace(/^[\s,，:：]+/, '').trim() };
  }
  return null;
}

async function reinspect(ctx: CommandContext): Promise<Outcome> {
  const parsed = parseReinspection(ctx.args);
  if (!parsed) return [{ text: '请写服务点和复查结果，例如“复查 石龙镇/石龙镇图书馆 合格”“复查 石龙镇图书馆 限期整改 12月31日 开放时间不足”“复查 石龙镇图书馆 除牌”。' }];
  const [town, name] = parsed.point.includes('/') ? parsed.point.split('/', 2).map((s) => s.trim()) : [null, parsed.point];
  const points = await ctx.queries.directory.activePointsNamed(name!, town ?? null);
  if (points.length !== 1) return [{ text: points.length ? `有 ${points.length} 个服务点叫“${name}”，请写成“镇街/服务点”。` : `通信名录中没有服务点“${parsed.point}”。` }];
  const point = points[0]!;
  let deadline: string | null = null;
  let note = parsed.rest;
  if (parsed.result === 'rectify') {
    const [first = '', ...others] = parsed.rest.split(/[\s,，；;]+/);
    const day = parseChineseDay(first.replace(/^(期限|截止)[：:]?/, ''), ctx.clock.now());
    if (!day.ok) return [{ text: `限期整改需要写明整改期限，例如“复查 ${point.name} 限期整改 12月31日 开放时间不足”。` }];
    deadline = day.day;
    note = others.join('，');
  }
  const record = { pointId: point.id, result: parsed.result, deadline, note: note || null };
  return withEffects([{ kind: 'reinspection', record }], (results) => {
    const r = results.reinspection;
    if (!r) return [{ text: '复查结果没有记录，请稍后再试。' }];
    if (!r.ok) return [{ text: `复查结果没有记录：${r.reason}` }];
    return [{ text: `${point.town} ${point.name}：复查结果“${REINSPECTION_LABELS[parsed.result]}”已记录${deadline ? `，整改期限${formatChineseDay(deadline)}` : ''}。已通知 ${r.notifications.length} 人。` }];
  });
}

export const applicationStepCommands: CommandSpec[] = [
  {
    name: 'reinspect',
    aliases: ['复查'],
    description: '复查 镇街/服务点 合格|限期整改 期限|除牌：记录已授牌镇级服务点的每年复查',
    roles: ['operator'],
    listed: false,
    run: reinspect,
  },
  {
    name: 'confirmapplication',
    aliases: ['确认盖章'],
    description: '确认盖章 编号：镇文广中心确认本镇街服务点的验收申请',
    roles: ['pointContact', 'townContact'],
    listed: false,
    async run(ctx) {
      const ref = applicationRef(ctx.args);
      if (ref) return confirmApplication(ctx, ref.id);
      const only = await awaitingStamp(ctx);
      return typeof only === 'number' ? confirmApplication(ctx, only) : only;
    },
  },
  {
    name: 'returnapplication',
    aliases: ['退回'],
    description: '退回 编号 原因：镇文广中心退回验收申请',
    roles: ['pointContact', 'townContact'],
    listed: false,
    async run(ctx) {
      const ref = applicationRef(ctx.args);
      if (ref) return returnApplication(ctx, ref.id, ref.rest);
      const only = ctx.args ? needsId('退回 3 电脑台数与实际不符') : await awaitingStamp(ctx);
      return typeof only === 'number' ? returnApplication(ctx, only, '') : only;
    },
  },
  {
    name: 'receive',
    aliases: ['收件'],
    description: '收件 编号：市支中心收到（盖章的）验收申请表，开始计两个工作周',
    roles: ['operator'],
    listed: false,
    async run(ctx) {
      const ref = applicationRef(ctx.args);
      return ref ? takeInChat({ action: 'receive', applicationId: ref.id }) : needsId('收件 3');
    },
  },
  {
    name: 'schedule',
    aliases: ['安排验收'],
    description: '安排验收 编号 日期：定下现场验收的日期',
    roles: ['operator'],
    listed: false,
    async run(ctx) {
      const ref = applicationRef(ctx.args);
      if (!ref) return needsId('安排验收 3 12月15日');
      const day = parseChineseDay(ref.rest, ctx.clock.now());
      if (!day.ok) return [{ text: `${day.error}例如“安排验收 ${ref.id} 12月15日”。` }];
      return takeInChat({ action: 'schedule', applicationId: ref.id, scheduledOn: day.day });
    },
  },
  {
    name: 'passapplication',
    aliases: ['验收通过'],
    description: '验收通过 编号 [授牌日期]：现场验收通过并授牌',
    roles: ['operator'],
    listed: false,
    async run(ctx) {
      const ref = applicationRef(ctx.args);
      if (!ref) return needsId('验收通过 3');
      let plaqueOn: string | undefined;
      if (ref.rest) {
        const day = parseChineseDay(ref.rest.replace(/^授牌(日期)?[：:]?/, ''), ctx.clock.now());
        if (!day.ok) return [{ text: `${day.error}授牌日期不写时按今天。` }];
        plaqueOn = day.day;
      }
      return takeInChat({ action: 'pass', applicationId: ref.id, plaqueOn });
    },
  },
  {
    name: 'failapplication',
    aliases: ['验收不通过'],
    description: '验收不通过 编号 整改意见：不写意见时按申请时自查未达标的项目',
    roles: ['operator'],
    listed: false,
    async run(ctx) {
      const ref = applicationRef(ctx.args);
      if (!ref) return needsId('验收不通过 3 电脑不足5台；未开设电子阅览室');
      let opinions = ref.rest.split(/[；;\n]+/).map((o) => o.trim()).filter(Boolean);
      if (!opinions.length) {
        const app = await ctx.queries.acceptance.application(ref.id);
        opinions = opinionsFromStored(app?.versions.at(-1)?.selfCheck ?? '[]');
      }
      if (!opinions.length) return [{ text: `请写明整改意见，例如“验收不通过 ${ref.id} 电脑不足5台；开放时间不足”。多条用“；”分开。` }];
      return takeInChat({ action: 'fail', applicationId: ref.id, opinions });
    },
  },
];
