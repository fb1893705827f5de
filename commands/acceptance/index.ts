// 验收申请 in the chat: the /apply dialogue (application.ts), the steps after it (chat-steps.ts), and
// the views — 我的验收申请 (the point's own application) and `/acceptance status` (operators: every
// application by state and town, overdue first; a town's contacts and its 镇文广中心: that town; a
// point's contacts: their own).
import type { Capability, CommandContext } from '../../bot/core/capability.ts';
import type { Reply } from '../../bot/core/types.ts';
import { localDateString } from '../../bot/time.ts';
import { parseApplicationState } from './machine.ts';
import { formatApplications, formatMyApplication, type ApplicationHistory } from './status.ts';
import { applicationDialogue, startApplication } from './application.ts';
import { acceptanceChoice, applicationRef, applicationStepCommands, returnDialogue, showApplication } from './chat-steps.ts';
import { acceptanceIntent } from './intent.ts';

async function myApplication(ctx: CommandContext): Promise<ApplicationHistory | null> {
  const point = ctx.actor.contact?.servicePoint;
  if (!point) return null;
  const [latest] = await ctx.queries.acceptance.applications({ pointId: point.id });
  if (!latest) return null;
  const app = await ctx.queries.acceptance.application(latest.id);
  if (!app) return null;
  let rectification: string[] = [];
  try {
    const parsed = JSON.parse(app.rectification) as unknown;
    if (Array.isArray(parsed)) rectification = parsed.filter((o): o is string => typeof o === 'string');
  } catch {
    rectification = [];
  }
  return {
    id: app.id,
    state: parseApplicationState(app.state) ?? 'applied',
    version: app.version,
    deadline: app.deadline,
    scheduledOn: app.scheduledOn,
    plaqueOn: app.plaqueOn,
    rectification,
    events: app.events.map((e) => ({ at: e.at, action: e.action, detail: JSON.parse(e.detail) as Record<string, unknown> })),
  };
}

/** `/acceptance status`, by who asks. */
export async function acceptanceStatusReplies(ctx: CommandContext): Promise<Reply[]> {
  const today = localDateString(ctx.clock.now());
  const point = ctx.actor.contact?.servicePoint;
  if (ctx.actor.role === 'operator') return [{ text: formatApplications(await ctx.queries.acceptance.applications(), today, '全市') }];
  if (!point) return [{ text: '查看验收申请需要先绑定通信名录：发送 /bind 邀请码。' }];
  if (ctx.actor.role === 'townContact' || point.level === 'townCultureCenter') {
    return [{ text: formatApplications(await ctx.queries.acceptance.applications({ town: point.town }), today, point.town) }];
  }
  return [{ text: formatMyApplication(await myApplication(ctx)) }];
}

export const acceptanceCapability: Capability = {
  name: 'acceptance',
  dialogues: [applicationDialogue, returnDialogue],
  onChoice: acceptanceChoice,
  recognize(ctx) {
    const intent = acceptanceIntent(ctx.text);
    return intent === 'apply' || intent === 'resubmit' ? 0.9 : intent === 'mine' ? 0.8 : 0;
  },
  async handleText(ctx) {
    if (acceptanceIntent(ctx.text) === 'mine') return [{ text: formatMyApplication(await myApplication(ctx)) }];
    return startApplication(ctx);
  },
  commands: [
    {
      name: 'apply',
      aliases: ['验收申请', '申请验收', '重新提交验收申请', '提交验收申请'],
      description: '验收申请：填写并提交验收申请表（附件2）；“验收申请 编号”取得可打印的申请表',
      roles: ['pointContact', 'townContact', 'operator'],
      async run(ctx) {
        const ref = applicationRef(ctx.args);
        if (ref) return showApplication(ctx, ref.id);
        if (ctx.args) return [{ text: '发送“验收申请”开始填写申请表；“验收申请 编号”取得某份申请的申请表。' }];
        return startApplication(ctx);
      },
    },
    ...applicationStepCommands,
    {
      name: 'myacceptance',
      aliases: ['我的验收申请', '我的验收'],
      description: '我的验收申请：本服务点验收申请的进度、整改意见和每一步',
      roles: ['pointContact', 'townContact'],
      async run(ctx) {
        return [{ text: formatMyApplication(await myApplication(ctx)) }];
      },
    },
  ],
};
