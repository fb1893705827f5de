// 资源发放通知 in chat: an operator composes a notice step by step (/notice or 发通知), sees a
// preview with the number of recipients and confirms; recipients acknowledge with "收到" or the
// button; /notice status shows who got it and who confirmed. Sending is the outbox's job: this
// capability only writes rows (release.ts) and wakes the worker.
import type { Reply } from '../../bot/core/types.ts';
import { localDateString, localDateTimeString } from '../../bot/time.ts';
import { BOUND_ROLES, OPERATOR_ONLY, type Capability, type CommandContext } from '../capability.ts';
import { parseLevels, parsePoints, parseTowns, previewNotice } from './compose.ts';
import {
  FETCH_METHOD_LABELS,
  FETCH_METHODS,
  LEVEL_LABELS,
  AUDIENCE_LEVELS,
  NoticeDraftSchema,
  chineseDate,
  fetchLine,
  formatLocalDate,
  parseFetchMethod,
  parseLocalDate,
  parseLocalDateTime,
  type FetchMethod,
} from './model.ts';
import { acknowledgeNotice, createNotice, releaseNotice } from './release.ts';
import { loadNoticeStatus, renderNoticeStatus } from './status.ts';

const FLOW = 'notice';
const CANCEL_HINT = '（随时发送“取消”放弃）';
const NONE_WORDS = ['无', '没有', '不需要', '不用', '无需', '-', '跳过'];

type Step = 'title' | 'body' | 'fetch' | 'address' | 'deadline' | 'audience' | 'audienceValues' | 'when' | 'time' | 'preview';

interface DraftState {
  title?: string;
  body?: string;
  fetchMethod?: FetchMethod | null;
  fetchAddress?: string | null;
  deadline?: string | null;
  audienceKind?: 'all' | 'level' | 'towns' | 'points';
  audienceValues?: (string | number)[];
  scheduledFor?: string | null;
}

function draftOf(ctx: CommandContext): DraftState {
  return { ...(ctx.conversation.state as DraftState) };
}

function go(ctx: CommandContext, step: Step, state: DraftState, replies: Reply[]): Reply[] {
  ctx.conversation.set(FLOW, step, state as Record<string, unknown>);
  return replies;
}

const isNone = (text: string) => NONE_WORDS.includes(text.trim());

function askFetch(): Reply[] {
  return [
    {
      text: `资源怎样领取？${CANCEL_HINT}`,
      choices: [
        ...FETCH_METHODS.map((m) => ({ label: FETCH_METHOD_LABELS[m], value: `notice:fetch:${m}` })),
        { label: '无需领取', value: 'notice:fetch:none' },
      ],
    },
  ];
}

function askAudience(): Reply[] {
  return [
    {
      text: `发给谁？${CANCEL_HINT}`,
      choices: [
        { label: '全部服务点', value: 'notice:audience:all' },
        { label: '按级别', value: 'notice:audience:level' },
        { label: '按镇街', value: 'notice:audience:towns' },
        { label: '指定服务点', value: 'notice:audience:points' },
      ],
    },
  ];
}

function askWhen(): Reply[] {
  return [
    {
      text: `什么时候发送？${CANCEL_HINT}`,
      choices: [
        { label: '立即发送', value: 'notice:when:now' },
        { label: '定时发送', value: 'notice:when:later' },
      ],
    },
  ];
}

/** The dialogue's state as a notice draft, validated the same way for the preview and the confirmation. */
function parseDraft(state: DraftState) {
  return NoticeDraftSchema.safeParse({
    title: state.title,
    body: state.body,
    fetchMethod: state.fetchMethod ?? null,
    fetchAddress: state.fetchAddress ?? null,
    deadline: state.deadline ?? null,
    audience: { kind: state.audienceKind, values: state.audienceValues ?? [] },
    scheduledFor: state.scheduledFor ?? null,
  });
}

async function showPreview(ctx: CommandContext, state: DraftState): Promise<Reply[]> {
  const parsed = parseDraft(state);
  if (!parsed.success) {
    ctx.conversation.clear();
    ctx.log.warn({ issues: parsed.error.issues }, 'notice draft incomplete at preview');
    return [{ text: '通知内容不完整，已放弃。请发送 /notice 重新开始。' }];
  }
  const preview = await previewNotice(ctx.db, parsed.data);
  if (preview.recipients === 0) {
    return go(ctx, 'audience', state, [{ text: `${preview.text}\n\n这个发送对象没有任何联系人，请重新选择。` }, ...askAudience()]);
  }
  return go(ctx, 'preview', state, [
    {
      text: `${preview.text}\n\n确认${state.scheduledFor ? '定时发送' : '发送'}吗？`,
      choices: [
        { label: '确认发送', value: 'notice:confirm' },
        { label: '取消', value: 'notice:discard' },
      ],
    },
  ]);
}

async function startCompose(ctx: CommandContext): Promise<Reply[]> {
  const title = ctx.args.trim();
  if (title) {
    if (title.length > 100) return go(ctx, 'title', {}, [{ text: '标题请不超过100字，请重新发送标题。' }]);
    return go(ctx, 'body', { title }, [{ text: `标题：${title}\n请发送通知正文（资源内容、使用说明等）。${CANCEL_HINT}` }]);
  }
  return go(ctx, 'title', {}, [{ text: `发布资源发放通知。请发送通知标题，例如“2026年第4季度视频讲座资源发放”。${CANCEL_HINT}` }]);
}

async function continueCompose(ctx: CommandContext): Promise<Reply[]> {
  const state = draftOf(ctx);
  const text = ctx.text.trim();
  const step = ctx.conversation.step as Step | null;
  if (!text) return [{ text: '请发送文字内容，或发送“取消”放弃。' }];
  switch (step) {
    case 'title':
      if (text.length > 100) return [{ text: `标题有 ${text.length} 字，请不超过100字，重新发送标题。` }];
      return go(ctx, 'body', { ...state, title: text }, [{ text: `请发送通知正文（资源内容、使用说明等）。${CANCEL_HINT}` }]);
    case 'body': {
      const body = ctx.message.text?.trim() ?? text;
      if (body.length > 2000) return [{ text: `正文有 ${body.length} 字，请不超过2000字，重新发送正文。` }];
      return go(ctx, 'fetch', { ...state, body }, askFetch());
    }
    case 'fetch': {
      if (isNone(text) || text === '无需领取') return go(ctx, 'deadline', { ...state, fetchMethod: null, fetchAddress: null }, askDeadline());
      const method = parseFetchMethod(text);
      if (!method) return [{ text: '请选择领取方式：硬盘拷贝、VPN、FTP，或“无需领取”。' }, ...askFetch()];
      return go(ctx, 'address', { ...state, fetchMethod: method }, askAddress(method));
    }
    case 'address':
      if (text.length > 300) return [{ text: '地址请不超过300字，请重新发送。' }];
      return go(ctx, 'deadline', { ...state, fetchAddress: isNone(text) ? null : text }, askDeadline());
    case 'deadline': {
      if (isNone(text)) return go(ctx, 'audience', { ...state, deadline: null }, askAudience());
      const date = parseLocalDate(text);
      if (!date) return [{ text: '没有看懂这个日期。请按“2026-12-10”的格式发送领取截止日期，没有截止日期请回复“无”。' }];
      const deadline = formatLocalDate(date);
      const today = localDateString(ctx.clock.now());
      if (deadline < today) return [{ text: `截止日期 ${deadline} 已经过去了，请发送今天（${today}）或以后的日期。` }];
      return go(ctx, 'audience', { ...state, deadline }, askAudience());
    }
    case 'audience':
      return [{ text: '请点选或回复序号选择发送对象。' }, ...askAudience()];
    case 'audienceValues': {
      const parsed =
        state.audienceKind === 'level'
          ? parseLevels(text)
          : state.audienceKind === 'towns'
            ? await parseTowns(ctx.db, text)
            : await parsePoints(ctx.db, text);
      if (!parsed.ok) return [{ text: parsed.error }];
      return go(ctx, 'when', { ...state, audienceValues: parsed.value }, askWhen());
    }
    case 'when':
      return [{ text: '请选择“立即发送”或“定时发送”。' }, ...askWhen()];
    case 'time': {
      const at = parseLocalDateTime(text);
      if (!at) return [{ text: '没有看懂这个时间。请按“2026-07-10 09:00”的格式发送（东莞时间）。' }];
      if (at.getTime() <= ctx.clock.now().getTime()) return [{ text: `${localDateTimeString(at)} 已经过去了，请发送以后的时间；想马上发请回复“立即发送”。` }, ...askWhen()];
      return showPreview(ctx, { ...state, scheduledFor: at.toISOString() });
    }
    case 'preview':
      return [{ text: '请点“确认发送”，或发送“取消”放弃。', choices: [{ label: '确认发送', value: 'notice:confirm' }, { label: '取消', value: 'notice:discard' }] }];
    default:
      ctx.conversation.clear();
      return [{ text: '通知编辑已过期，请发送 /notice 重新开始。' }];
  }
}

function askAddress(method: FetchMethod): Reply[] {
  const what = method === 'hardDisk' ? '拷贝地点（例如：东莞图书馆，带移动硬盘前来拷贝）' : `${FETCH_METHOD_LABELS[method]} 地址`;
  return [{ text: `请发送${what}；没有请回复“无”。${CANCEL_HINT}` }];
}

function askDeadline(): Reply[] {
  return [{ text: `领取截止日期是哪天？例如“2026-12-10”；没有截止日期请回复“无”。${CANCEL_HINT}` }];
}

async function onComposeChoice(ctx: CommandContext, action: string, arg: string | undefined): Promise<Reply[]> {
  if (ctx.conversation.flow !== FLOW) return [{ text: '这个通知编辑已经结束了。发送 /notice 重新开始。' }];
  const state = draftOf(ctx);
  switch (action) {
    case 'fetch':
      if (arg === 'none') return go(ctx, 'deadline', { ...state, fetchMethod: null, fetchAddress: null }, askDeadline());
      if (!(FETCH_METHODS as readonly string[]).includes(arg ?? '')) return askFetch();
      return go(ctx, 'address', { ...state, fetchMethod: arg as FetchMethod }, askAddress(arg as FetchMethod));
    case 'audience':
      if (arg === 'all') return go(ctx, 'when', { ...state, audienceKind: 'all', audienceValues: [] }, askWhen());
      if (arg === 'level') {
        return go(ctx, 'audienceValues', { ...state, audienceKind: 'level' }, [
          { text: `发给哪些级别？可选：${AUDIENCE_LEVELS.map((l) => LEVEL_LABELS[l]).join('、')}（多个用顿号隔开）。` },
        ]);
      }
      if (arg === 'towns') return go(ctx, 'audienceValues', { ...state, audienceKind: 'towns' }, [{ text: '发给哪些镇街？多个用顿号隔开，例如：莞城街道、石龙镇。' }]);
      if (arg === 'points') {
        return go(ctx, 'audienceValues', { ...state, audienceKind: 'points' }, [
          { text: '发给哪些服务点？多个用顿号隔开；重名时写成“镇街/服务点”，例如：莞城街道/罗沙社区。' },
        ]);
      }
      return askAudience();
    case 'when':
      if (arg === 'now') return showPreview(ctx, { ...state, scheduledFor: null });
      return go(ctx, 'time', state, [{ text: '请发送发送时间，例如“2026-07-10 09:00”（东莞时间）。' }]);
    case 'discard':
      ctx.conversation.clear();
      return [{ text: '已取消，通知没有发出。' }];
    case 'confirm':
      return confirm(ctx, state);
    default:
      return [{ text: '这个选项已经失效了，请发送 /notice 重新开始。' }];
  }
}

async function confirm(ctx: CommandContext, state: DraftState): Promise<Reply[]> {
  if (ctx.conversation.step !== 'preview') return [{ text: '请先完成通知内容，看过预览后再确认。' }];
  const parsed = parseDraft(state);
  ctx.conversation.clear();
  if (!parsed.success) return [{ text: '通知内容不完整，没有发出。请发送 /notice 重新开始。' }];
  const now = ctx.clock.now();
  const notice = await createNotice(ctx.db, parsed.data, ctx.actor.contact?.id ?? null, now);
  await audit(ctx, notice.id, parsed.data.scheduledFor ? 'notice.schedule' : 'notice.send');
  if (notice.status === 'scheduled') {
    return [{ text: `已安排通知 #${notice.id}《${notice.title}》在 ${localDateTimeString(notice.scheduledFor!)} 发送。发送 /notice status ${notice.id} 查看情况。` }];
  }
  const { recipients } = await releaseNotice(ctx.db, notice.id, now);
  ctx.services.wakeOutbox();
  ctx.log.info({ noticeId: notice.id, recipients }, 'notice released');
  return [{ text: `通知 #${notice.id}《${notice.title}》已发出，共 ${recipients} 人。\n稍后发送 /notice status ${notice.id} 查看送达和确认情况。` }];
}

async function audit(ctx: CommandContext, noticeId: number, action: string): Promise<void> {
  await ctx.db.auditLog.create({
    data: {
      at: ctx.clock.now(),
      actorContactId: ctx.actor.contact?.id ?? null,
      actor: `${ctx.actor.channel}:${ctx.actor.chatId}`,
      action,
      entity: 'Notice',
      entityId: String(noticeId),
    },
  });
}

async function status(ctx: CommandContext, idText: string): Promise<Reply[]> {
  let id: number | null = null;
  if (idText) {
    const m = /^#?(\d+)$/.exec(idText);
    if (!m) return [{ text: '请写通知编号，例如：/notice status 3。不写编号则查看最近一条。' }];
    id = Number(m[1]);
  } else {
    const latest = await ctx.db.notice.findFirst({ where: { status: { in: ['sent', 'scheduled'] } }, orderBy: { id: 'desc' }, select: { id: true } });
    if (!latest) return [{ text: '还没有发过通知。发送 /notice 发布一条。' }];
    id = latest.id;
  }
  const report = await loadNoticeStatus(ctx.db, id);
  if (!report) return [{ text: `没有编号为 ${id} 的通知。发送 /notice list 查看最近的通知。` }];
  return [{ text: renderNoticeStatus(report) }];
}

async function list(ctx: CommandContext): Promise<Reply[]> {
  const notices = await ctx.db.notice.findMany({ orderBy: { id: 'desc' }, take: 10, include: { _count: { select: { recipients: true } } } });
  if (notices.length === 0) return [{ text: '还没有发过通知。发送 /notice 发布一条。' }];
  const lines = ['最近的通知：'];
  for (const n of notices) {
    const when = n.sentAt ? `发于 ${localDateTimeString(n.sentAt)}` : n.scheduledFor ? `定于 ${localDateTimeString(n.scheduledFor)}` : n.status;
    lines.push(`#${n.id}《${n.title}》${when}，收件人 ${n._count.recipients}`);
  }
  lines.push('发送 /notice status 编号 查看详情。');
  return [{ text: lines.join('\n') }];
}

async function cancelScheduled(ctx: CommandContext, idText: string): Promise<Reply[]> {
  const m = /^#?(\d+)$/.exec(idText);
  if (!m) return [{ text: '请写要撤销的定时通知编号，例如：/notice revoke 3。' }];
  const { count } = await ctx.db.notice.updateMany({ where: { id: Number(m[1]), status: 'scheduled' }, data: { status: 'cancelled' } });
  if (count === 0) return [{ text: `通知 #${m[1]} 不是待发送的定时通知（已发出的通知无法撤回）。` }];
  await audit(ctx, Number(m[1]), 'notice.cancel');
  return [{ text: `定时通知 #${m[1]} 已撤销，不会发送。` }];
}

const ACK_WORDS = /^(收到|已收到|收到了|收到啦|好的?[，,]?收到|收到[，,]?谢谢)[!！。.~～]*$/;

/** Unacknowledged notices this contact got, newest first. */
async function pendingAcks(ctx: CommandContext) {
  if (!ctx.actor.contact) return [];
  return ctx.db.noticeRecipient.findMany({
    where: { contactId: ctx.actor.contact.id, acknowledgedAt: null, notice: { status: 'sent' } },
    include: { notice: { select: { id: true, title: true, deadline: true, fetchMethod: true, fetchAddress: true } } },
    orderBy: { noticeId: 'desc' },
  });
}

async function ack(ctx: CommandContext, noticeId: number): Promise<Reply[]> {
  if (!ctx.actor.contact) return [{ text: '请先绑定通信名录中的身份（/bind 邀请码），才能确认通知。' }];
  const notice = await ctx.db.notice.findUnique({ where: { id: noticeId } });
  if (!notice) return [{ text: '这条通知已不存在，无需确认。' }];
  const result = await acknowledgeNotice(ctx.db, noticeId, ctx.actor.contact.id, ctx.clock.now());
  if (result === 'notRecipient') return [{ text: `通知《${notice.title}》不是发给您的，无需确认。` }];
  if (result === 'already') return [{ text: `您已确认过《${notice.title}》，谢谢！` }];
  ctx.log.info({ noticeId, contactId: ctx.actor.contact.id }, 'notice acknowledged');
  const lines = [`已确认收到《${notice.title}》，谢谢！`];
  const fetch = fetchLine(notice);
  if (notice.deadline && fetch) lines.push(`请在${chineseDate(notice.deadline)}前完成领取。${fetch}`);
  const others = (await pendingAcks(ctx)).filter((r) => r.noticeId !== noticeId);
  if (others.length === 0) return [{ text: lines.join('\n') }];
  lines.push(`您还有 ${others.length} 条通知未确认：`, ...others.slice(0, 5).map((r) => `· #${r.notice.id}《${r.notice.title}》`));
  return [{ text: lines.join('\n'), choices: others.slice(0, 5).map((r) => ({ label: `收到 #${r.notice.id}`, value: `notice:ack:${r.notice.id}` })) }];
}

export const noticeCapability: Capability = {
  name: FLOW,
  commands: [
    {
      name: 'notice',
      aliases: ['发通知', '发布通知'],
      description: '发布资源发放通知（/notice status 查看送达和确认，/notice list 最近通知）',
      roles: OPERATOR_ONLY,
      async run(ctx) {
        const [verb = '', ...rest] = ctx.args.split(/\s+/);
        const arg = rest.join(' ').trim();
        if (verb === 'status' || verb === '状态' || verb === '进度') return status(ctx, arg);
        if (verb === 'list' || verb === '列表') return list(ctx);
        if (verb === 'revoke' || verb === '撤销') return cancelScheduled(ctx, arg);
        return startCompose(ctx);
      },
    },
    {
      name: 'notice_status',
      aliases: ['通知状态', '通知进度'],
      description: '查看通知的送达和确认情况',
      roles: OPERATOR_ONLY,
      async run(ctx) {
        return status(ctx, ctx.args.trim());
      },
    },
  ],
  async continueFlow(ctx) {
    if (ctx.actor.role !== 'operator') {
      ctx.conversation.clear();
      return [{ text: '只有市支中心管理员可以发布通知。' }];
    }
    return continueCompose(ctx);
  },
  async onChoice(ctx) {
    const [action = '', arg] = (ctx.choice ?? '').split(':');
    if (action === 'ack') {
      if (!BOUND_ROLES.includes(ctx.actor.role)) return [{ text: '请先绑定通信名录中的身份（/bind 邀请码），才能确认通知。' }];
      const id = Number(arg);
      if (!Number.isInteger(id) || id <= 0) return [{ text: '这个确认按钮已失效。请回复“收到”确认最近的通知。' }];
      return ack(ctx, id);
    }
    if (ctx.actor.role !== 'operator') return [{ text: '只有市支中心管理员可以发布通知。' }];
    return onComposeChoice(ctx, action, arg);
  },
  async recognize(ctx) {
    if (!ctx.actor.contact || !ACK_WORDS.test(ctx.text)) return 0;
    return (await pendingAcks(ctx)).length > 0 ? 0.9 : 0;
  },
  async handleText(ctx) {
    const [latest] = await pendingAcks(ctx);
    if (!latest) return [{ text: '您目前没有需要确认的通知。' }];
    return ack(ctx, latest.noticeId);
  },
};
