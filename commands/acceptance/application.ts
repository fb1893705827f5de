// 验收申请 (annex 2) as a dialogue on the engine: the form prefilled from the directory and the latest
// monthly report (or, on resubmission, from the last version), one step per field the form still
// lacks, several fields in one message, corrections at the read-back ("手机改成…"), and the
// self-check against annex 1 before submitting. Confirming returns the acceptanceStep effect.
import { z } from 'zod';
import { withEffects, type CommandContext, type Outcome } from '../../bot/core/capability.ts';
import { isNoneWord, startDialogue, step, type Dialogue, type Interpretation } from '../../bot/core/dialogue.ts';
import type { Reply } from '../../bot/core/types.ts';
import { FIELD_BY_KEY, FORM_FIELDS, FORM_KEYS, formatReadBack, parseFormMessage, parseStoredForm, readField, type ApplicationForm, type FormKey } from './form.ts';
import { STATE_LABELS, parseApplicationState } from './machine.ts';
import { formatSelfCheck, selfCheckForm, storedSelfCheck } from './selfcheck.ts';

export const APPLICATION_FLOW = 'apply';

const ApplicationState = z.object({
  pointId: z.number().int(),
  /** resubmission: the application returned or failed */
  applicationId: z.number().int().nullable(),
  form: z.partialRecord(z.enum(FORM_KEYS), z.union([z.string(), z.number()])),
  /** optional fields the person skipped */
  skipped: z.array(z.enum(FORM_KEYS)).default([]),
  /** where prefilled values came from */
  sources: z.array(z.string()).default([]),
  /** how figures were read, by field: said in the read-back */
  notes: z.partialRecord(z.enum(FORM_KEYS), z.string()).default({}),
});
export type ApplicationState = z.infer<typeof ApplicationState>;

function withValue(state: ApplicationState, key: FormKey, value: string | number, note?: string): ApplicationState {
  const notes = { ...state.notes };
  if (note) notes[key] = note;
  else delete notes[key];
  return { ...state, form: { ...state.form, [key]: value }, skipped: state.skipped.filter((k) => k !== key), notes };
}

function without(state: ApplicationState, key: FormKey): ApplicationState {
  const form = { ...state.form };
  delete form[key];
  const notes = { ...state.notes };
  delete notes[key];
  return { ...state, form, notes, skipped: state.skipped.filter((k) => k !== key) };
}

/** Another field read well enough from the message: then the message is read whole (interpretForm). */
function namesOtherField(key: FormKey, text: string): boolean {
  return Object.keys(parseFormMessage(text.replace(CORRECTION, '：')).values).some((k) => k !== key);
}

/**
 * A field's answer; "没有" for a count is 0, and the read-back says so. null: not this field's answer
 * ("跳过" at an optional field, or a message naming other fields).
 */
function readAnswer(key: FormKey, text: string) {
  if (!FIELD_BY_KEY[key].required && isNoneWord(text)) return null;
  if (namesOtherField(key, text)) return null;
  const r = readField(key, text);
  if (!r.ok) return { ok: false as const, problem: r.problem.message };
  const said = text.trim();
  const interpreted = !r.note && typeof r.value === 'number' && !/^\d/.test(said);
  return { ok: true as const, value: r.value, note: r.note ?? (interpreted ? `“${said}”按${r.value}${FIELD_BY_KEY[key].unit ?? ''}记录` : undefined) };
}

const STEPS = FORM_FIELDS.map((field) =>
  step<ApplicationState, string | number>({
    id: field.key,
    label: field.label,
    isAnswered: (s) => s.form[field.key] !== undefined || s.skipped.includes(field.key),
    ask: () => field.question,
    answer: { read: (text) => readAnswer(field.key, text) },
    ...(field.required ? {} : { none: { label: '跳过', apply: (s: ApplicationState) => ({ ...without(s, field.key), skipped: [...s.skipped.filter((k) => k !== field.key), field.key] }) } }),
    apply: (s, value, _ctx, note) => withValue(s, field.key, value, note),
    reset: (s) => without(s, field.key),
  }),
);

// "手机改成13800138000", "电脑应该是6台": the correction words are the field's separator
const CORRECTION = /(改成|改为|换成|应该是|应为|更正为|是)/g;

function interpretForm(text: string, state: ApplicationState, where: string): Interpretation<ApplicationState> | null {
  const parsed = parseFormMessage(text.replace(CORRECTION, '：'));
  const keys = Object.keys(parsed.values) as FormKey[];
  const atStep = where !== 'summary' && where !== 'recheck';
  // at a step, a message that names no other field well enough to read it is the step's answer
  // ("石龙镇广播电视站" names 电视 but gives no count): only a read value of another field counts
  if (atStep ? !keys.some((k) => k !== where) : keys.length + parsed.problems.length === 0) return null;
  let next = state;
  for (const key of keys) next = withValue(next, key, parsed.values[key]!, parsed.noteOf[key]);
  const lines = keys.length ? [`已记下：${keys.map((k) => FIELD_BY_KEY[k].label).join('，')}。`] : [];
  lines.push(...parsed.problems.map((p) => `${p.message}（没有记下，请重新填写）`));
  return { state: next, lines };
}

function formOf(state: ApplicationState): ApplicationForm {
  return state.form as ApplicationForm;
}

async function selfCheckOf(state: ApplicationState, ctx: CommandContext) {
  const context = await ctx.queries.acceptance.applicantContext(state.pointId, ctx.actor.contact?.id ?? null, ctx.clock.now());
  return selfCheckForm(formOf(state), context.service, context.rules, context.point.level);
}

function submitted(state: ApplicationState): (results: import('../../bot/core/effects.ts').EffectResults) => Reply[] {
  return (results) => {
    const r = results.acceptance;
    if (!r) return [{ text: '验收申请没有提交成功，请稍后再试。' }];
    if (!r.ok) return [{ text: `验收申请没有提交：${r.reason}` }];
    const what = state.applicationId ? `已重新提交验收申请 #${r.applicationId}（第${r.version}版）` : `已提交验收申请 #${r.applicationId}`;
    return [
      {
        text: [
          `${what}，状态：${STATE_LABELS[r.state]}。`,
          `已通知 ${r.notifications.length} 人。下一步：所在镇街的镇文广中心确认盖章（镇文广中心不在机器人上时，请把申请表打印出来盖章后交市支中心）；市支中心收件后两个工作周内派员到现场验收。`,
          `发送“验收申请 ${r.applicationId}”可取得可打印的申请表（附件2），发送“我的验收申请”查看进度。`,
        ].join('\n'),
      },
    ];
  };
}

export const applicationDialogue: Dialogue<ApplicationState> = {
  name: APPLICATION_FLOW,
  schema: ApplicationState,
  steps: STEPS,
  async summary(state, ctx) {
    const notes = Object.values(state.notes).filter((n): n is string => Boolean(n));
    return [formatReadBack(formOf(state), state.sources, notes), formatSelfCheck(await selfCheckOf(state, ctx))].join('\n\n');
  },
  confirmLabel: '确认提交',
  interpret: (text, state, where) => interpretForm(text, state, where),
  async confirm(state, ctx) {
    const check = await selfCheckOf(state, ctx);
    const step = state.applicationId
      ? { action: 'resubmit' as const, applicationId: state.applicationId, form: formOf(state), selfCheck: storedSelfCheck(check) }
      : { action: 'apply' as const, pointId: state.pointId, form: formOf(state), selfCheck: storedSelfCheck(check) };
    return { kind: 'done', outcome: withEffects([{ kind: 'acceptanceStep', step }], submitted(state)) };
  },
  cancelled: (state) => `已取消，验收申请${state.applicationId ? '没有重新提交' : '没有提交'}。`,
  restartHint: '请发送“验收申请”重新开始。',
  allowed: (ctx) => ctx.actor.contact !== null && ctx.actor.role !== 'operator',
};

/** Starts an application or a resubmission for the actor's own point, or says why not. */
export async function startApplication(ctx: CommandContext): Promise<Outcome> {
  const contact = ctx.actor.contact;
  if (!contact) return [{ text: '提交验收申请需要先绑定通信名录：发送 /bind 邀请码。' }];
  const point = contact.servicePoint;
  if (point.level === 'subCenter') return [{ text: '验收申请由基层服务点提交。管理员可发送“/acceptance status”查看全部申请。' }];
  if (point.level === 'townCultureCenter') return [{ text: '镇文广中心不提交验收申请，而是确认盖章本镇街服务点的申请：发送“/acceptance status”查看本镇街的申请。' }];
  const [latest] = await ctx.queries.acceptance.applications({ pointId: point.id });
  const state = latest ? parseApplicationState(latest.state) : null;
  const context = await ctx.queries.acceptance.applicantContext(point.id, contact.id, ctx.clock.now());
  if (state === 'returned' || state === 'failed') {
    const app = await ctx.queries.acceptance.application(latest!.id);
    const form = parseStoredForm(app?.versions.at(-1)?.form ?? '{}');
    // what the last version left empty was skipped then: asked again only if the person changes it
    const skipped = FORM_FIELDS.filter((f) => !f.required && form[f.key] === undefined).map((f) => f.key);
    const data: ApplicationState = { pointId: point.id, applicationId: latest!.id, form, skipped, sources: [`按第${latest!.version}版申请表预填`], notes: {} };
    const intro = [`重新提交验收申请 #${latest!.id}（${STATE_LABELS[state]}）。下面是上一版的申请表，请把整改后的情况改过来，例如“电脑改成6台”；不用改的直接确认。`];
    return startDialogue(applicationDialogue, ctx, data, intro);
  }
  if (state && state !== 'passed') {
    return [{ text: `本服务点已有一份验收申请 #${latest!.id} 在办理中（${STATE_LABELS[state]}），不能重复申请。发送“我的验收申请”查看进度。` }];
  }
  // a refusal the machine would give at the end (a 党员远程教育基层点) is said before any question
  if (point.isPartyEducationPoint) {
    const { decide } = await import('./machine.ts');
    const allowed = await ctx.queries.acceptance.partyEducationAllowed();
    const decision = decide('apply', { contactId: contact.id, point }, { state: null, point, partyEducationAllowed: allowed.includes(point.id), townHasCultureCenterContact: true });
    if (!decision.ok) return [{ text: decision.reason }];
  }
  const data: ApplicationState = { pointId: point.id, applicationId: null, form: context.prefill.form, skipped: [], sources: context.prefill.sources, notes: {} };
  const intro = [
    `填写《东莞市文化共享工程基层服务点验收申请表》（附件2）。已按通信名录${context.prefill.form.computers !== undefined ? '和最近的月报' : ''}预填一部分，最后会给您核对。`,
    '可以一项一项回答，也可以一次发多项，例如“电视机2台，DVD播放机1台，场所面积80平方米”。发送“取消”可以放弃。',
  ];
  return startDialogue(applicationDialogue, ctx, data, intro);
}
