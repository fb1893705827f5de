// 绑定: linking a chat to the person's entry in the contact directory, with an invitation code
// (/bind CODE, 绑定 CODE, or in a friend request's greeting) or by sharing one's own phone number
// when it is in the directory. 我是谁 (/whoami) says who the bot thinks you are.
import { CONTACT_ROLE_LABELS, POINT_LEVEL_LABELS, normaliseMobile, type ContactRole, type PointLevel } from '../bot/domain.ts';
import { ROLE_LABELS, type Reply } from '../bot/core/types.ts';
import { ALL_ROLES, withEffects, type AttemptLimit, type Capability, type CommandContext, type Outcome } from '../bot/core/capability.ts';
import { checkInvitation, findCodeInText } from './directory/invitations.ts';

export const BIND_ATTEMPTS = { failures: 5, windowMs: 3600_000 };

const REASONS = {
  unknown: '邀请码不正确，请核对后重新发送（邀请码为 8 位字母和数字）。',
  used: '这个邀请码已经使用过了。如需重新绑定，请向市支中心索取新的邀请码。',
  expired: '这个邀请码已过期（有效期 14 天）。请向市支中心索取新的邀请码。',
  inactive: '这个邀请码对应的联系人已不在通信名录中。请联系市支中心核实。',
  malformed: '这不是有效的邀请码：邀请码是 8 位字母和数字，不含容易混淆的 0、1、O、I。请核对市支中心发给您的邀请码后重新发送。',
} as const;

const MOBILE_HINT = '手机号不能直接绑定。请发送市支中心发给您的 8 位邀请码，例如：“绑定 ABCD2345”；还没有邀请码请联系市支中心索取。';

export function bindAttemptKey(ctx: CommandContext): string {
  return `bind:${ctx.actor.channel}:${ctx.actor.chatId}`;
}

/** one counter per chat for /bind and a friend request's code alike, so neither is a way around the other */
const BIND_LIMIT: AttemptLimit = {
  key: bindAttemptKey,
  limit: BIND_ATTEMPTS.failures,
  windowMs: BIND_ATTEMPTS.windowMs,
  refusal: '邀请码错误次数过多，请一小时后再试。如邀请码确实无效，请联系市支中心。',
};

async function whoAmIText(ctx: CommandContext, contactId: number): Promise<string> {
  const contact = await ctx.queries.identity.contactCard(contactId);
  if (!contact) throw new Error(`contact ${contactId} is not in the directory`);
  const point = contact.point;
  const where = point.level === 'subCenter' ? point.name : `${point.town} ${point.name}（${POINT_LEVEL_LABELS[point.level as PointLevel] ?? point.level}）`;
  return `${contact.name}，${where}的${CONTACT_ROLE_LABELS[contact.role as ContactRole] ?? contact.role}`;
}

async function bindWithCode(ctx: CommandContext): Promise<Outcome> {
  const args = ctx.args.trim();
  if (!args) return [{ text: '请在命令后写上邀请码，例如：/bind ABCD2345 或“绑定 ABCD2345”。邀请码由市支中心发放。' }];
  // "/bind 我的码是abcd-2345": the code inside the words
  const found = findCodeInText(args);
  if (found?.kind === 'mobile') return [{ text: MOBILE_HINT, requestPhone: true }];
  if (found?.kind === 'malformed') return [{ text: REASONS.malformed }];
  return tryCode(ctx, found?.kind === 'code' ? found.code : args);
}

/** A code tried: the attempt was counted by the core before this ran (the command's or the fact's limit). */
async function tryCode(ctx: CommandContext, code: string): Promise<Outcome> {
  const result = await checkInvitation(ctx.queries.identity, code, ctx.clock.now());
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
      attempts: BIND_LIMIT,
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
  // "我的邀请码是ZZZZ9999", "绑定邀请码 ABCD2345" or a bare mobile number outside the command: the way to
  // bind is explained with the code filled in; the code itself is tried only by the command, where the
  // core counts the attempt (free text is not counted, so it must not be a way to guess codes)
  recognize(ctx) {
    const found = findCodeInText(ctx.text);
    if (!found) return 0;
    const aboutCode = /邀请码|验证码|绑定|激活|注册码/.test(ctx.text);
    // an English word of eight letters is no code unless the message is about one or is only the code
    const alone = /^\s*[A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4}\s*$/.test(ctx.text.normalize('NFKC'));
    if (found.kind === 'code') return aboutCode || (ctx.actor.role === 'unknown' && (alone || /\d/.test(found.code))) ? 0.97 : 0;
    if (found.kind === 'malformed') return aboutCode ? 0.97 : 0;
    const bare = /^\s*(?:我的)?(?:手机号?|电话)?(?:码|号码)?(?:是)?[:：]?\s*[\d\s-]{11,15}\s*$/.test(ctx.text);
    return ctx.actor.role === 'unknown' && (bare || aboutCode) ? 0.95 : 0;
  },
  async handleText(ctx): Promise<Reply[]> {
    const found = findCodeInText(ctx.text);
    if (found?.kind === 'code') {
      const already = ctx.actor.contact ? `（这个聊天已绑定为 ${await whoAmIText(ctx, ctx.actor.contact.id)}；用新的邀请码会改绑）` : '';
      return [{ text: `要绑定身份，请发送：绑定 ${found.code}${already}` }];
    }
    if (found?.kind === 'malformed') return [{ text: REASONS.malformed }];
    return [{ text: MOBILE_HINT, requestPhone: true }];
  },
  facts: [
    {
      // only the platform reports a shared phone, and only the sender's own number (see bot/channels/telegram.ts)
      kind: 'sharedPhone',
      async handle(ctx, fact) {
        const mobile = normaliseMobile(fact.phone);
        const contact = mobile ? await ctx.queries.identity.contactByMobile(mobile) : null;
        if (!contact || !contact.active) {
          return [{ text: '通信名录中没有这个手机号。请向市支中心索取邀请码，然后发送：/bind 邀请码。' }];
        }
        return completeBinding(ctx, contact.id, 'phone');
      },
    },
    {
      // a friend request whose greeting carries a code binds as /bind does, counted against the same limit
      kind: 'friendRequest',
      takes: (fact) => fact.code !== null,
      attempts: BIND_LIMIT,
      handle: (ctx, fact) => tryCode(ctx, fact.code!),
    },
  ],
};
