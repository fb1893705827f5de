// 标准 / 验收: standards questions, the acceptance checklist and self-checks, answered from the Rule and
// Fact tables as they are in the database now (operators edit them with `gxgc rules import`). The
// answering itself is pure (answer.ts); this module only loads the tables and picks the level.
import { acceptanceStatusReplies } from '../acceptance/index.ts';
import type { Reply } from '../../bot/core/types.ts';
import { ALL_ROLES, type Capability, type CommandContext } from '../../bot/core/capability.ts';
import { answerStandardsQuestion, fullText, standardsOverview, type FullText, type StandardsAnswer } from './answer.ts';

function pointLevelOf(ctx: CommandContext): string | null {
  return ctx.actor.contact?.servicePoint.level ?? null;
}

// A monthly report ("本月服务人次120，开放时长176小时") also states figures; the report capability
// should get those, so a self-check without a word of assessment claims a message only weakly.
const ASSESSMENT = /达标|够不够|够吗|够了吗|足够|符合|合格|满足|行不行|行吗|可以吗|能不能|能否|通过吗|自查|差多少|差距|还差|缺什么|缺哪些|对照/;
const OWNERSHIP = /我们有|我们村有|我们镇有|我们社区有|本村有|本镇有|现有|已有|目前有|现在有/;
const REPORTING_PERIOD = /本月|这个月|上个月|上月|\d{1,2}月份?|无新增/;

/** How strongly the free text is a standards question, from the answer computed for it. */
export function scoreAnswer(answer: StandardsAnswer, text: string): number {
  if (answer.kind === 'help') return 0.05;
  if (answer.kind === 'selfCheck') {
    if (ASSESSMENT.test(text)) return 0.97;
    if (OWNERSHIP.test(text) && !REPORTING_PERIOD.test(text)) return 0.96;
    return 0.5;
  }
  return answer.confidence;
}

// recognize and handleText get the same context object for one message, so the answer computed to
// score the message is reused to reply.
const answered = new WeakMap<CommandContext, StandardsAnswer>();

async function answerFor(ctx: CommandContext): Promise<StandardsAnswer> {
  const cached = answered.get(ctx);
  if (cached) return cached;
  const { rules, facts } = await ctx.queries.standards.tables();
  const answer = answerStandardsQuestion(ctx.text, rules, facts, { pointLevel: pointLevelOf(ctx) });
  answered.set(ctx, answer);
  return answer;
}

// a summary's "回复 1 查看全文" is a choice whose value carries what to show: standards:full:checklist:town,village
function fullChoice(full: FullText): string {
  return full.kind === 'fact' ? `standards:full:fact:${full.key}` : `standards:full:${full.kind}:${full.levels.join(',')}`;
}

function parseFullChoice(choice: string): FullText | null {
  const m = /^full:(checklist|overview|fact):(.*)$/.exec(choice);
  if (!m) return null;
  if (m[1] === 'fact') return { kind: 'fact', key: m[2]! };
  return { kind: m[1] as 'checklist' | 'overview', levels: m[2]!.split(',').filter((l): l is 'town' | 'village' => l === 'town' || l === 'village') };
}

function reply(answer: StandardsAnswer, ctx: CommandContext): Reply[] {
  if (!answer.full) return [{ text: answer.text }];
  // in the middle of a dialogue its own numbered choices stay live, so the full text is asked for in words
  if (ctx.conversation.flow) return [{ text: answer.text.replace(/回复 1 查看全文[^\n]*/, '查看全文：把问题加上“全文”再发一次，例如“验收 全文”。') }];
  return [{ text: answer.text, choices: [{ label: '查看全文', value: fullChoice(answer.full) }] }];
}

export const standardsCapability: Capability = {
  name: 'standards',
  commands: [
    {
      name: 'standards',
      aliases: ['标准', '配置标准'],
      description: '查看基层服务点配置及服务标准（附件1），可直接加问题，如“标准 村级要几台电脑”',
      roles: ALL_ROLES,
      async run(ctx) {
        const { rules, facts } = await ctx.queries.standards.tables();
        if (!ctx.args.trim()) return [{ text: standardsOverview(rules, facts, pointLevelOf(ctx)) }];
        const answer = answerStandardsQuestion(ctx.args, rules, facts, { pointLevel: pointLevelOf(ctx) });
        ctx.log.info({ kind: answer.kind, levels: answer.levels }, 'standards question answered');
        return reply(answer, ctx);
      },
    },
    {
      name: 'acceptance',
      aliases: ['验收', '验收清单'],
      description: '查看验收清单：配置标准、验收步骤和验收申请表（可加级别，如“验收 村级”）；“验收 进度”查看验收申请',
      roles: ALL_ROLES,
      async run(ctx) {
        // `/acceptance status` (验收 进度): the applications, beside the checklist
        if (/^(status|进度|状态)$/i.test(ctx.args.trim())) return acceptanceStatusReplies(ctx);
        const { rules, facts } = await ctx.queries.standards.tables();
        const answer = answerStandardsQuestion(ctx.args, rules, facts, { pointLevel: pointLevelOf(ctx), checklist: true });
        return reply(answer, ctx);
      },
    },
  ],
  async onChoice(ctx) {
    const full = parseFullChoice(ctx.choice ?? '');
    const { rules, facts } = await ctx.queries.standards.tables();
    const text = full ? fullText(full, rules, facts) : null;
    return [{ text: text ?? '这份全文已经没有了，请重新提问，例如“验收要准备什么”。' }];
  },
  async recognize(ctx) {
    if (!ctx.text) return 0;
    return scoreAnswer(await answerFor(ctx), ctx.text);
  },
  async handleText(ctx) {
    const answer = await answerFor(ctx);
    ctx.log.info({ kind: answer.kind, levels: answer.levels }, 'standards question answered');
    return reply(answer, ctx);
  },
};
