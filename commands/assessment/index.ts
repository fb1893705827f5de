// 评估 / 督导 / 先进典型: the capability. Commands that only read and answer (no dialogue):
// /assessment 2026 — operators: the leaders' summary with its spreadsheet and chart; a town contact:
//   its points; a point contact: its own year against annex 1;
// /supervision 2027-03 — the towns in order of need with what is wrong (a town contact: its own);
// /models 2026 — the model-point candidates.
import type { Reply } from '../../bot/core/types.ts';
import type { MonthKey } from '../../bot/time.ts';
import { BOUND_ROLES, type Capability, type CommandContext } from '../../bot/core/capability.ts';
import { findMonthMention } from '../report/months.ts';
import { formatPointYear, formatTownPoints } from './format.ts';
import { defaultRound } from './supervision.ts';
import { defaultYear, modelsText, parseYear, summaryBundle, supervisionText, yearIsOver, yearStart } from './views.ts';

const SUPERVISORS = ['townContact', 'operator'] as const;
const BIND_HINT = '请先绑定通信名录（/bind 邀请码）后再查看评估。';

function yearArgument(ctx: CommandContext): { year: number } | { error: string } {
  const args = ctx.args.trim();
  if (!args) return { year: defaultYear(ctx.clock.now()) };
  const year = parseYear(args);
  if (year === null) return { error: `没看懂年份“${args}”。请写成如 /assessment 2026。` };
  if (yearStart(year).getTime() > ctx.clock.now().getTime()) return { error: `${year}年还没有开始，没有可评估的月报。` };
  return { year };
}

function roundArgument(ctx: CommandContext): { round: MonthKey } | { error: string } {
  const args = ctx.args.trim();
  if (!args) return { round: defaultRound(ctx.clock.now()) };
  const mention = findMonthMention(args, ctx.clock.now());
  if (!mention) return { error: `没看懂督导月份“${args}”。请写成如 /supervision 2027-03（工作方案的督导在3—4月、10—11月）。` };
  return { round: mention.month };
}

async function assessment(ctx: CommandContext): Promise<Reply[]> {
  const picked = yearArgument(ctx);
  if ('error' in picked) return [{ text: picked.error }];
  const contact = ctx.actor.contact;
  if (!contact) return [{ text: BIND_HINT }];
  const { year } = picked;
  const asOf = ctx.clock.now();
  const queries = ctx.queries.assessment;
  if (ctx.actor.role === 'operator') {
    const bundle = await summaryBundle(queries, year, asOf);
    ctx.log.info({ year, points: bundle.points.length }, 'assessment summary sent in chat');
    return [
      { text: bundle.text, document: { filename: `评估-${year}.xlsx`, content: bundle.xlsx, caption: `${year}年评估汇总` } },
      { text: '', image: { filename: `评估-${year}.png`, content: bundle.png, caption: `${year}年各镇（街）上报率与达标服务点占比` } },
    ];
  }
  if (ctx.actor.role === 'townContact') {
    const { points } = await queries.assessments({ year, asOf, town: contact.servicePoint.town });
    return [{ text: formatTownPoints(contact.servicePoint.town, points, year, yearIsOver(year, asOf), asOf, 30) }];
  }
  const { points } = await queries.assessments({ year, asOf, pointId: contact.servicePoint.id });
  const point = points[0];
  if (!point) return [{ text: '您的服务点在通信名录中已停用，没有可评估的数据。如有疑问请联系市支中心。' }];
  return [{ text: formatPointYear(point, asOf) }];
}

function townOf(ctx: CommandContext): string | null {
  return ctx.actor.role === 'townContact' ? (ctx.actor.contact?.servicePoint.town ?? null) : null;
}

async function supervision(ctx: CommandContext): Promise<Reply[]> {
  const picked = roundArgument(ctx);
  if ('error' in picked) return [{ text: picked.error }];
  return [{ text: await supervisionText(ctx.queries.assessment, picked.round, townOf(ctx), ctx.clock.now(), { towns: 10, points: 8 }) }];
}

async function models(ctx: CommandContext): Promise<Reply[]> {
  const picked = yearArgument(ctx);
  if ('error' in picked) return [{ text: picked.error }];
  return [{ text: await modelsText(ctx.queries.assessment, picked.year, townOf(ctx), ctx.clock.now(), 10) }];
}

export const assessmentCapability: Capability = {
  name: 'assessment',
  commands: [
    {
      name: 'assessment',
      aliases: ['评估', '年度评估', '达标情况'],
      description: '查看一年对照附件1的评估（/assessment 2026；市支中心另附汇总表和图表）',
      roles: BOUND_ROLES,
      run: assessment,
    },
    {
      name: 'supervision',
      aliases: ['督导', '督导名单'],
      description: '督导名单：按需要程度排列的镇（街）和服务点问题（/supervision 2027-03）',
      roles: SUPERVISORS,
      run: supervision,
    },
    {
      name: 'models',
      aliases: ['先进典型', '典型'],
      description: '先进典型候选：每月按时上报、各项达标的服务点（/models 2026）',
      roles: SUPERVISORS,
      run: models,
    },
  ],
};
