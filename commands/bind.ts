// 绑定: linking a chat to the person's entry in the contact directory, with an invitation code
// (/bind CODE, 绑定 CODE) or, on Telegram, by sharing one's own phone number when it is in the
// directory. 我是谁 (/whoami) says who the bot thinks you are.
import { CONTACT_ROLE_LABELS, POINT_LEVEL_LABELS, normaliseMobile, type ContactRole, type PointLevel } from '../bot/domain.ts';
import { ROLE_LABELS, type Reply } from '../bot/core/types.ts';
import { ALL_ROLES, withEffects, type Capability, type CommandContext, type Outcome } from '../bot/core/capability.ts';
import { checkInvitation } from './directory/invitations.ts';

export const BIND_ATTEMPTS = { failures: 5, windowMs: 3600_000 };

const REASONS = {
  unknown: '邀请码不正确，请核对后重新发送（邀请码为 8 位字母和数字）。',
  used: '这个邀请码已经使用过了。如需重新绑定，请向市支中心索取新的邀请码。',
  expired: '这个邀请码已过期（有效期 14 天）。请向市支中心索取新的邀请码。',
  inactive: '这个邀请码对应的联系人已不在通信名录中。请联系市支中心核实。',
} as const;

export function bindAttemptKey(ctx: CommandContext): string {
  return `bind:${ctx.actor.channel}:${ctx.actor.chatId}`;
}

async function whoAmIText(ctx: CommandContext, contactId: number): Promise<string> {
  const contact = await ctx.db.contact.findUniqueOrThrow({ where: { id: contactId }, include: { servicePoint: true } });
  const point = contact.servicePoint;
  const where = point.level === 'subCenter' ? point.name : `${point.town} ${point.name}（${POINT_LEVEL_LABELS[point.level as PointLevel] ?? point.level}）`;
  return `${contact.name}，${where}的${CONTACT_ROLE_LABELS[contact.role as ContactRole] ?? contact.role}`;
}

async function bindWithCode(ctx: CommandContext): Promise<Outcome> {
  const code = ctx.args.trim();
  if (!code) return [{ text: '请在命令后写上邀请码，例如：/bind ABCD2345 或“绑定 ABCD2345”。邀请码由市支中心发放。' }];
  // the attempt was counted by the core before this ran (the command's attempt limit)
  const result = await checkInvitation(ctx.db, code, ctx.clock.now());
  if (!result.ok) {
    ctx.log.info({ reason: result.reason }, 'invitation refused');
    return [{ text: REASONS[result.reason] }];
  }
  return completeBinding(ctx, result.contactId, 'invitation', result.invitationId);
}

async function completeBinding(ctx: CommandContext, contactId: number, how: 'invitation' | 'phone', invitationId?: number): Promise<Outcome> {
  const who = await whoAmIText(ctx, contactId);
  ctx.conversation.clear();
  return withEffects(
    [
      { kind: 'bindChat', contactId, how, ...(invitationId !== undefined ? { invitationId } : {}) },
      // only wrong codes count against the chat
      ...(how === 'invitation' ? [{ kind: 'refundAttempt' as const, key: bindAttemptKey(ctx) }] : []),
    ],
    () => [{ text: `绑定成功！您是：${who}。\n以后通知和月报提醒会发到这里。发送 /help 查看可以做什么。` }],
  );
}

export const bindCapability: Capability = {
  name: 'bind',
  commands: [
    {
      name: 'bind',
      aliases: ['绑定'],
      description: '绑定通信名录身份（/bind 邀请码）',
      roles: ALL_ROLES,
      attempts: { key: bindAttemptKey, limit: BIND_ATTEMPTS.failures, windowMs: BIND_ATTEMPTS.windowMs, refusal: '邀请码错误次数过多，请一小时后再试。如邀请码确实无效，请联系市支中心。' },
      run: bindWithCode,
    },
    {
      name: 'whoami',
      aliases: ['我是谁'],
      description: '查看我绑定的身份',
      roles: ALL_ROLES,
      async run(ctx): Promise<Reply[]> {
        if (!ctx.actor.contact) {
          return [{ text: '您还没有绑定通信名录中的身份。请向市支中心索取邀请码后发送：/bind 邀请码。', requestPhone: true }];
        }
        return [{ text: `您是：${await whoAmIText(ctx, ctx.actor.contact.id)}。\n身份：${ROLE_LABELS[ctx.actor.role]}。` }];
      },
    },
  ],
  async onPlatformFact(ctx, fact) {
    // only the platform reports a shared phone, and only the sender's own number (see bot/channels/telegram.ts)
    if (fact.kind !== 'sharedPhone') return null;
    const mobile = normaliseMobile(fact.phone);
    const contact = mobile ? await ctx.db.contact.findUnique({ where: { mobile } }) : null;
    if (!contact || !contact.active) {
      return [{ text: '通信名录中没有这个手机号。请向市支中心索取邀请码，然后发送：/bind 邀请码。' }];
    }
    return completeBinding(ctx, contact.id, 'phone');
  },
};
