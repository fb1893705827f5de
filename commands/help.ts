// 帮助: what this person may do, by role, in Chinese. Lists the commands their role may use and
// the things they can simply say in a sentence.
import type { Reply, Role } from '../bot/core/types.ts';
import { ROLE_LABELS } from '../bot/core/types.ts';
import { ALL_ROLES, type Capability, type CommandContext, type CommandSpec } from '../bot/core/capability.ts';

const SAY_INSTEAD: Record<Role, string[]> = {
  unknown: ['村级服务点需要几台电脑？', '验收需要准备什么？'],
  pointContact: ['服务人次120，开放天数22，开放时长176小时，活动3场', '本月无新增', '验收需要准备什么？', '收到（确认通知）'],
  townContact: ['服务人次300，开放天数22，开放时长176小时，活动5场', '哪些村还没报？（发送 进度）', '验收需要准备什么？', '收到（确认通知）'],
  operator: ['进度', '村级服务点需要几台电脑？'],
};

export function helpText(role: Role, commands: CommandSpec[]): string {
  const lines = [`您的身份：${ROLE_LABELS[role]}`, '', '可以使用的命令：'];
  for (const c of commands) {
    const words = [`/${c.name}`, ...c.aliases].join(' 或 ');
    lines.push(`· ${words}：${c.description}`);
  }
  lines.push('', '也可以直接用一句话告诉我，例如：');
  for (const example of SAY_INSTEAD[role]) lines.push(`· ${example}`);
  if (role === 'unknown') {
    lines.push('', '如果您是服务点的联络人或信息专报员，请向市支中心索取邀请码，发送“/bind 邀请码”完成绑定后即可报送月报、接收通知。');
  }
  lines.push('', '对话中随时发送“取消”可以放弃当前操作。');
  return lines.join('\n');
}

/** The help capability lists the other capabilities' commands, so it is built from the registry. */
export function createHelpCapability(listCommands: () => CommandSpec[]): Capability {
  const welcome = (ctx: CommandContext): Reply[] => {
    const allowed = listCommands().filter((c) => c.roles.includes(ctx.actor.role) && c.listed !== false);
    return [{ text: `您好！这里是东莞市文化共享工程市支中心的服务助手。\n\n${helpText(ctx.actor.role, allowed)}`, requestPhone: ctx.actor.role === 'unknown' }];
  };
  return {
    name: 'help',
    // a friend request without a code is greeted as /start is (with a code, bind takes it)
    facts: [{ kind: 'friendRequest', takes: (fact) => fact.code === null, handle: async (ctx) => welcome(ctx) }],
    commands: [
      {
        name: 'help',
        aliases: ['帮助', '菜单', '使用说明'],
        description: '查看可以做什么',
        roles: ALL_ROLES,
        async run(ctx) {
          const allowed = listCommands().filter((c) => c.roles.includes(ctx.actor.role) && c.listed !== false);
          return [{ text: helpText(ctx.actor.role, allowed) }];
        },
      },
      {
        name: 'start',
        aliases: [],
        description: '开始使用',
        roles: ALL_ROLES,
        listed: false,
        run: async (ctx) => welcome(ctx),
      },
      {
        name: 'cancel',
        aliases: ['取消'],
        description: '放弃当前操作',
        roles: ALL_ROLES,
        async run(ctx) {
          if (!ctx.conversation.flow) return [{ text: '当前没有进行中的操作。' }];
          ctx.conversation.clear();
          return [{ text: '已取消，没有保存任何内容。' }];
        },
      },
    ],
  };
}

