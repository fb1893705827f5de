// Composing a resource-release notice (资源发放通知) as a dialogue on the engine: the state and the
// steps. The engine asks, reads back the preview, and owns confirm / change / cancel; confirming
// returns the createNotice effect, which the core applies (release to the outbox, audit).
import { z } from 'zod';
import { dateTime, date, freeText, line, oneOf, someOf } from '../../bot/core/answers.ts';
import { withEffects, type CommandContext } from '../../bot/core/capability.ts';
import { step, type AnswerKind, type Dialogue } from '../../bot/core/dialogue.ts';
import { localDateTimeString } from '../../bot/time.ts';
import { parseLevels, parsePoints, parseTowns, previewNotice } from './compose.ts';
import { AUDIENCE_LEVELS, FETCH_METHOD_LABELS, FETCH_METHODS, LEVEL_LABELS, NoticeDraftSchema, fetchAddressText, type FetchMethod } from './model.ts';

export const COMPOSITION = 'notice';

const AUDIENCE_KINDS = ['all', 'level', 'towns', 'points'] as const;

const CompositionState = z.object({
  title: z.string().optional(),
  body: z.string().optional(),
  /** [] : nothing to fetch */
  fetchMethods: z.array(z.enum(FETCH_METHODS)).optional(),
  /** per method; null: no address given */
  addresses: z.record(z.string(), z.string().nullable()).default({}),
  /** YYYY-MM-DD; null: no deadline */
  deadline: z.string().nullable().optional(),
  audienceKind: z.enum(AUDIENCE_KINDS).optional(),
  audienceValues: z.array(z.union([z.string(), z.number()])).optional(),
  sendAt: z.enum(['now', 'later']).optional(),
  /** ISO instant */
  scheduledFor: z.string().optional(),
});
export type CompositionState = z.infer<typeof CompositionState>;

const FETCH_OPTIONS = FETCH_METHODS.map((m) => ({ label: FETCH_METHOD_LABELS[m], value: m, words: m === 'hardDisk' ? ['硬盘', '拷贝', '移动硬盘'] : [m.toUpperCase()] }));

function draftOf(state: CompositionState) {
  const methods = state.fetchMethods ?? [];
  return NoticeDraftSchema.safeParse({
    title: state.title,
    body: state.body,
    fetchMethod: methods.length ? methods.join(',') : null,
    fetchAddress: fetchAddressText(methods, state.addresses as Partial<Record<FetchMethod, string | null>>),
    deadline: state.deadline ?? null,
    audience: { kind: state.audienceKind, values: state.audienceKind === 'all' ? [] : (state.audienceValues ?? []) },
    scheduledFor: state.sendAt === 'later' ? (state.scheduledFor ?? null) : null,
  });
}

function audienceValuesAnswer(state: CompositionState): AnswerKind<(string | number)[]> {
  return {
    freeText: true,
    async read(text, ctx) {
      const parsed =
        state.audienceKind === 'level' ? parseLevels(text) : state.audienceKind === 'towns' ? await parseTowns(ctx.queries.notices, text) : await parsePoints(ctx.queries.notices, text);
      return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, problem: parsed.error };
    },
  };
}

function addressStep(method: FetchMethod) {
  const what = method === 'hardDisk' ? '硬盘拷贝的地点（例如：东莞图书馆，带移动硬盘前来拷贝）' : `${FETCH_METHOD_LABELS[method]} 地址`;
  return step<CompositionState, string>({
    id: `address.${method}`,
    label: `${FETCH_METHOD_LABELS[method]}地址`,
    when: (s) => (s.fetchMethods ?? []).includes(method),
    isAnswered: (s) => method in s.addresses,
    ask: () => `请发送${what}；没有请回复“无”。`,
    answer: line({ max: 300, label: '地址' }),
    none: { label: '无', apply: (s) => ({ ...s, addresses: { ...s.addresses, [method]: null } }) },
    apply: (s, value) => ({ ...s, addresses: { ...s.addresses, [method]: value } }),
    reset: (s) => {
      const { [method]: _, ...rest } = s.addresses;
      return { ...s, addresses: rest };
    },
  });
}

const steps = [
  step<CompositionState, string>({
    id: 'title',
    label: '标题',
    isAnswered: (s) => s.title !== undefined,
    ask: () => '请发送通知标题，例如“2026年第4季度视频讲座资源发放”。（随时发送“取消”放弃）',
    answer: line({ max: 100, label: '标题' }),
    apply: (s, title) => ({ ...s, title }),
    reset: (s) => ({ ...s, title: undefined }),
  }),
  step<CompositionState, string>({
    id: 'body',
    label: '正文',
    isAnswered: (s) => s.body !== undefined,
    ask: () => '请发送通知正文（资源内容、使用说明等）。',
    answer: freeText({ max: 2000, label: '正文' }),
    apply: (s, body) => ({ ...s, body }),
    reset: (s) => ({ ...s, body: undefined }),
  }),
  step<CompositionState, string[]>({
    id: 'fetch',
    label: '领取方式',
    isAnswered: (s) => s.fetchMethods !== undefined,
    ask: () => '资源怎样领取？可以选几种，例如回复“1、3”。',
    answer: someOf(FETCH_OPTIONS),
    none: { label: '无需领取', apply: (s) => ({ ...s, fetchMethods: [], addresses: {} }) },
    apply: (s, methods) => ({ ...s, fetchMethods: methods as FetchMethod[] }),
    reset: (s) => ({ ...s, fetchMethods: undefined, addresses: {} }),
  }),
  ...FETCH_METHODS.map(addressStep),
  step<CompositionState, string>({
    id: 'deadline',
    label: '领取截止日期',
    isAnswered: (s) => s.deadline !== undefined,
    ask: () => '领取截止日期是哪天？例如“12月15号”“下周五”“月底”；没有截止日期请回复“无”。',
    answer: date({ label: '领取截止日期', notBeforeToday: true }),
    none: { label: '无截止日期', apply: (s) => ({ ...s, deadline: null }) },
    apply: (s, deadline) => ({ ...s, deadline }),
    reset: (s) => ({ ...s, deadline: undefined }),
  }),
  step<CompositionState, string>({
    id: 'audience',
    label: '发送对象',
    isAnswered: (s) => s.audienceKind !== undefined,
    ask: () => '发给谁？',
    answer: oneOf([
      { label: '全部服务点', value: 'all', words: ['全部', '所有', '全部服务点'] },
      { label: '按级别', value: 'level', words: ['级别'] },
      { label: '按镇街', value: 'towns', words: ['镇街'] },
      { label: '指定服务点', value: 'points', words: ['服务点'] },
    ]),
    apply: (s, kind) => ({ ...s, audienceKind: kind as CompositionState['audienceKind'], audienceValues: undefined }),
    reset: (s) => ({ ...s, audienceKind: undefined, audienceValues: undefined }),
  }),
  step<CompositionState, (string | number)[]>({
    id: 'audienceValues',
    label: '发送范围',
    when: (s) => s.audienceKind !== undefined && s.audienceKind !== 'all',
    isAnswered: (s) => s.audienceValues !== undefined,
    ask: (s) =>
      s.audienceKind === 'level'
        ? `发给哪些级别？可选：${AUDIENCE_LEVELS.map((l) => LEVEL_LABELS[l]).join('、')}（多个用顿号隔开）。`
        : s.audienceKind === 'towns'
          ? '发给哪些镇街？多个用顿号隔开，例如：莞城街道、石龙镇。'
          : '发给哪些服务点？多个用顿号隔开；重名时写成“镇街/服务点”，例如：莞城街道/罗沙社区。',
    answer: audienceValuesAnswer,
    apply: (s, values) => ({ ...s, audienceValues: values }),
    reset: (s) => ({ ...s, audienceValues: undefined }),
  }),
  step<CompositionState, string>({
    id: 'sendAt',
    label: '发送时间',
    isAnswered: (s) => s.sendAt !== undefined,
    ask: () => '什么时候发送？',
    answer: oneOf([
      { label: '立即发送', value: 'now', words: ['立即', '马上', '现在'] },
      { label: '定时发送', value: 'later', words: ['定时'] },
    ]),
    apply: (s, sendAt) => ({ ...s, sendAt: sendAt as 'now' | 'later', scheduledFor: undefined }),
    reset: (s) => ({ ...s, sendAt: undefined, scheduledFor: undefined }),
  }),
  step<CompositionState, string>({
    id: 'scheduledFor',
    label: '定时',
    when: (s) => s.sendAt === 'later',
    isAnswered: (s) => s.scheduledFor !== undefined,
    ask: () => '请发送发送时间，例如“明天早上9点”或“12月18号 15:30”（东莞时间）。',
    answer: dateTime({ label: '发送时间', future: true }),
    apply: (s, at) => ({ ...s, scheduledFor: at }),
    reset: (s) => ({ ...s, scheduledFor: undefined }),
  }),
];

/** A notice draft saved by the bot before the engine (flow "notice", steps title…preview). */
function upgrade(old: Record<string, unknown>): CompositionState | null {
  const legacy = z
    .object({
      title: z.string().optional(),
      body: z.string().optional(),
      fetchMethod: z.enum(FETCH_METHODS).nullable().optional(),
      fetchAddress: z.string().nullable().optional(),
      deadline: z.string().nullable().optional(),
      audienceKind: z.enum(AUDIENCE_KINDS).optional(),
      audienceValues: z.array(z.union([z.string(), z.number()])).optional(),
    })
    .safeParse(old);
  if (!legacy.success || !legacy.data.title) return null;
  const l = legacy.data;
  return {
    title: l.title,
    body: l.body,
    fetchMethods: l.fetchMethod === undefined ? undefined : l.fetchMethod === null ? [] : [l.fetchMethod],
    addresses: l.fetchMethod && l.fetchAddress !== undefined ? { [l.fetchMethod]: l.fetchAddress } : {},
    deadline: l.deadline,
    audienceKind: l.audienceKind,
    audienceValues: l.audienceKind === 'all' ? [] : l.audienceValues,
  };
}

export const noticeComposition: Dialogue<CompositionState> = {
  name: COMPOSITION,
  schema: CompositionState,
  steps,
  confirmLabel: '确认发送',
  restartHint: '请发送 /notice 重新开始。',
  allowed: (ctx) => ctx.actor.role === 'operator',
  async summary(state, ctx) {
    const draft = draftOf(state);
    if (!draft.success) return '通知内容不完整，请回复“修改”补充。';
    const preview = await previewNotice(ctx.queries.notices, draft.data);
    return `${preview.text}\n\n确认${draft.data.scheduledFor ? '定时发送' : '发送'}吗？`;
  },
  interpret(text, state) {
    // "标题改成…", "正文改为…": a new value for a field in one message, at any point
    const m = /^(标题|正文)\s*(?:改成|改为|换成|应该是|是)\s*[:：]?\s*([\s\S]+)$/.exec(text);
    if (!m) return null;
    const value = m[2]!.trim();
    const max = m[1] === '标题' ? 100 : 2000;
    if (!value || value.length > max) return null;
    return { state: m[1] === '标题' ? { ...state, title: value } : { ...state, body: value }, lines: [`${m[1]}已改好。`] };
  },
  async confirm(state, ctx) {
    const draft = draftOf(state);
    if (!draft.success) return { kind: 'back', state: { ...state, title: state.title || undefined }, lines: ['通知内容不完整：'] };
    const preview = await previewNotice(ctx.queries.notices, draft.data);
    if (preview.recipients === 0) {
      return { kind: 'back', state: { ...state, audienceKind: undefined, audienceValues: undefined }, lines: ['这个发送对象没有任何联系人，请重新选择。'] };
    }
    if (draft.data.scheduledFor && new Date(draft.data.scheduledFor).getTime() <= ctx.clock.now().getTime()) {
      return { kind: 'back', state: { ...state, scheduledFor: undefined }, lines: ['定的发送时间已经过去了。'] };
    }
    return {
      kind: 'done',
      outcome: withEffects([{ kind: 'createNotice', draft: draft.data }], ({ notice }) => {
        if (!notice) return [{ text: '通知没有保存，请稍后再试。' }];
        if (notice.status === 'scheduled') {
          return [{ text: `已安排通知 #${notice.id}《${notice.title}》在 ${localDateTimeString(notice.scheduledFor!)} 发送。发送 /notice status ${notice.id} 查看情况，/notice cancel ${notice.id} 撤销。` }];
        }
        return [{ text: `通知 #${notice.id}《${notice.title}》已发出，共 ${notice.recipients} 人。\n稍后发送 /notice status ${notice.id} 查看送达和确认情况。` }];
      }),
    };
  },
  cancelled: () => '已取消，通知没有发出。',
  upgrade,
};

/** The first message of a composition: /notice 标题 starts with the title answered. */
export function initialComposition(ctx: CommandContext): CompositionState {
  const title = ctx.args.trim();
  return title && title.length <= 100 ? { title, addresses: {} } : { addresses: {} };
}
