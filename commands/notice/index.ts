// 资源发放通知 in chat: an operator composes a notice step by step (/notice or 发通知), sees a
// preview with the number of recipients and confirms; recipients acknowledge with "收到" or the
// button; /notice status shows who got it and who confirmed. Sending is the outbox's job: this
// capability only writes rows (release.ts) and wakes the worker.
import { startDialogue } from '../../bot/core/dialogue.ts';
import type { Reply } from '../../bot/core/types.ts';
import { BOUND_ROLES, OPERATOR_ONLY, withEffects, withEffectsReplying, type Capability, type CommandContext, type Outcome } from '../../bot/core/capability.ts';
import { chineseDate, fetchLine } from './model.ts';
import { COMPOSITION, initialComposition, noticeComposition } from './composition.ts';
import { renderNoticeStatus } from './status.ts';
import { noticeListLine } from './list.ts';
import type { NoticeHeading } from '../../bot/core/queries.ts';
import { acknowledgementScore, nothingToAcknowledge } from './acknowledge.ts';

const FLOW = COMPOSITION;

async function status(ctx: CommandContext, idText: string): Promise<Reply[]> {
  let id: number | null = null;
  if (idText) {
    const m = /^#?(\d+)$/.exec(idText);
    if (!m) return [{ text: '请写通知编号，例如：/notice status 3。不写编号则查看最近一条。' }];
    id = Number(m[1]);
  } else {
    id = await ctx.queries.notices.latestReleasedId();
    if (id === null) return [{ text: '还没有发过通知。发送 /notice 发布一条。' }];
  }
  const report = await ctx.queries.notices.status(id);
  if (!report) return [{ text: `没有编号为 ${id} 的通知。发送 /notice list 查看最近的通知。` }];
  return [{ text: renderNoticeStatus(report) }];
}

async function list(ctx: CommandContext): Promise<Reply[]> {
  const notices = await ctx.queries.notices.recent(10);
  if (notices.length === 0) return [{ text: '还没有发过通知。发送 /notice 发布一条。' }];
  const lines = ['最近的通知：', ...notices.map(noticeListLine)];
  lines.push('发送 /notice status 编号 查看详情。');
  return [{ text: lines.join('\n') }];
}

async function cancelScheduled(idText: string): Promise<Outcome> {
  const m = /^#?(\d+)$/.exec(idText);
  if (!m) return [{ text: '请写要撤销的定时通知编号，例如：/notice cancel 3（或“发通知 撤销 3”）。' }];
  const noticeId = Number(m[1]);
  return withEffects([{ kind: 'cancelScheduledNotice', noticeId }], ({ cancelled }) => [
    { text: cancelled ? `定时通知 #${noticeId} 已撤销，不会发送。` : `通知 #${noticeId} 不是待发送的定时通知（已发出的通知无法撤回）。` },
  ]);
}

/** Unacknowledged notices this contact got, newest first. */
function pendingAcks(ctx: CommandContext): Promise<NoticeHeading[]> {
  return ctx.actor.contact ? ctx.queries.notices.unacknowledged(ctx.actor.contact.id) : Promise.resolve([]);
}

async function ack(ctx: CommandContext, noticeId: number): Promise<Outcome> {
  if (!ctx.actor.contact) return [{ text: '请先绑定通信名录中的身份（/bind 邀请码），才能确认通知。' }];
  const notice = await ctx.queries.notices.heading(noticeId);
  if (!notice) return [{ text: '这条通知已不存在，无需确认。' }];
  const recipient = await ctx.queries.notices.receipt(noticeId, ctx.actor.contact.id);
  if (!recipient) return [{ text: `通知《${notice.title}》不是发给您的，无需确认。` }];
  if (recipient.acknowledgedAt) return [{ text: `您已确认过《${notice.title}》，谢谢！` }];
  ctx.log.info({ noticeId, contactId: ctx.actor.contact.id }, 'notice acknowledged');
  const lines = [`已确认收到《${notice.title}》，谢谢！`];
  const fetch = fetchLine(notice);
  if (notice.deadline && fetch) lines.push(`请在${chineseDate(notice.deadline)}前完成领取。${fetch}`);
  const others = (await pendingAcks(ctx)).filter((n) => n.id !== noticeId);
  const effects = [{ kind: 'acknowledgeNotice' as const, noticeId }];
  if (others.length === 0) return withEffectsReplying(effects, [{ text: lines.join('\n') }]);
  lines.push(`您还有 ${others.length} 条通知未确认：`, ...others.slice(0, 5).map((n) => `· #${n.id}《${n.title}》`));
  const choices = others.slice(0, 5).map((n) => ({ label: `收到 #${n.id}`, value: `notice:ack:${n.id}` }));
  return withEffectsReplying(effects, [{ text: lines.join('\n'), choices }]);
}

export const noticeCapability: Capability = {
  name: FLOW,
  commands: [
    {
      name: 'notice',
      aliases: ['发通知', '发布通知'],
      description: '发布资源发放通知（/notice status 查看送达和确认，/notice list 最近通知，/notice cancel 编号 撤销定时通知）',
      roles: OPERATOR_ONLY,
      async run(ctx) {
        const [verb = '', ...rest] = ctx.args.split(/\s+/);
        const arg = rest.join(' ').trim();
        if (verb === 'status' || verb === '状态' || verb === '进度') return status(ctx, arg);
        if (verb === 'list' || verb === '列表') return list(ctx);
        if (['revoke', 'cancel', '撤销', '撤回', '取消'].includes(verb)) return cancelScheduled(arg);
        return startDialogue(noticeComposition, ctx, initialComposition(ctx), ['发布资源发放通知。随时发送“取消”放弃。']);
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
  dialogues: [noticeComposition],
  async onChoice(ctx) {
    const [action = '', arg] = (ctx.choice ?? '').split(':');
    if (action === 'ack') {
      if (!BOUND_ROLES.includes(ctx.actor.role)) return [{ text: '请先绑定通信名录中的身份（/bind 邀请码），才能确认通知。' }];
      const id = Number(arg);
      if (!Number.isInteger(id) || id <= 0) return [{ text: '这个确认按钮已失效。请回复“收到”确认最近的通知。' }];
      return ack(ctx, id);
    }
    return [{ text: '这个选项已经失效了。发送 /help 查看可以做什么。' }];
  },
  async recognize(ctx) {
    // the pending notices are read only for words that acknowledge: this runs for every free-text message
    if (!ctx.actor.contact || acknowledgementScore(ctx.text, 1) === 0) return 0;
    return acknowledgementScore(ctx.text, (await pendingAcks(ctx)).length);
  },
  async handleText(ctx) {
    const [latest] = await pendingAcks(ctx);
    if (!latest) {
      return [{ text: nothingToAcknowledge(await ctx.queries.notices.lastAcknowledged(ctx.actor.contact!.id)) }];
    }
    return ack(ctx, latest.id);
  },
};
