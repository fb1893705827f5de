// 月报: the capability. /report (月报) starts or continues a report, free text with figures or
// "本月无新增" starts one too; /status (进度) shows who has reported; /export (导出) sends operators
// the month's file.
import type { Reply } from '../../bot/core/types.ts';
import { sqlOf } from '../../bot/db/client.ts';
import { localDateString, monthLabel, type MonthKey } from '../../bot/time.ts';
import { BOUND_ROLES, OPERATOR_ONLY, type Capability, type CommandContext } from '../capability.ts';
import { formatCompleteness, loadCompleteness } from './completeness.ts';
import { BIND_HINT, continueReport, FLOW, reportChoice, startReport } from './dialogue.ts';
import { exportMonthToBuffer } from './export.ts';
import { defaultReportMonth, findMonthMention, reportDueDate } from './months.ts';
import { readReportIntent, type ReportIntent } from './intents.ts';
import { looksLikeReport, parseReportMessage } from './parse.ts';
import { findReport } from './storage.ts';
import { loadTemplate } from './template.ts';

// questions about the standard ("每周开放40小时够吗？") are for the standards capability
const QUESTION_RE = /[?？吗呢]|多少|怎么|如何|什么|是否|标准|要求|几个|几天/;

/** The month a /status or /export argument names: "2026-10", "10月", "上个月"; default the month now due. */
function monthArgument(ctx: CommandContext): { month: MonthKey } | { error: string } {
  const now = ctx.clock.now();
  const args = ctx.args.trim();
  if (!args) return { month: defaultReportMonth(now) };
  const mention = findMonthMention(args, now);
  if (!mention) return { error: `没看懂月份“${args}”。请写成如 2026-10、10月 或 上个月。` };
  return { month: mention.month };
}

async function status(ctx: CommandContext): Promise<Reply[]> {
  const picked = monthArgument(ctx);
  if ('error' in picked) return [{ text: picked.error }];
  const { month } = picked;
  const contact = ctx.actor.contact;
  if (!contact) return [{ text: BIND_HINT }];
  const now = ctx.clock.now();
  if (ctx.actor.role === 'pointContact') {
    const report = await findReport(ctx.db, contact.servicePoint.id, month);
    const due = `${localDateString(reportDueDate(month))} 前`;
    if (!report) return [{ text: `${contact.servicePoint.name} ${monthLabel(month)}的月报还没有提交（应在 ${due}上报）。直接发送数字即可，例如“服务人次120，开放天数22，开放时长176小时，活动3场”。` }];
    const what = report.status === 'noNewData' ? '本月无新增' : '已报';
    return [{ text: `${contact.servicePoint.name} ${monthLabel(month)}的月报：${what}，${localDateString(report.submittedAt)} 提交（第 ${report.revision} 版）${report.isLate ? '，逾期' : ''}。` }];
  }
  const town = ctx.actor.role === 'townContact' ? contact.servicePoint.town : null;
  const completeness = await loadCompleteness(ctx.db, month, { town, missingLimit: 20 });
  return [{ text: formatCompleteness(completeness, now, 20) }];
}

async function exportCommand(ctx: CommandContext): Promise<Reply[]> {
  const wantsCsv = /\bcsv\b/i.test(ctx.args);
  const picked = monthArgument({ ...ctx, args: ctx.args.replace(/\b(csv|xlsx)\b/gi, '').trim() });
  if ('error' in picked) return [{ text: picked.error }];
  const format = wantsCsv ? 'csv' : 'xlsx';
  const { content, rows } = await exportMonthToBuffer(sqlOf(ctx.db), picked.month, format);
  ctx.log.info({ month: picked.month, rows, format }, 'monthly report exported in chat');
  await ctx.db.auditLog.create({
    data: { actor: `${ctx.actor.channel}:${ctx.actor.chatId}`, actorContactId: ctx.actor.contact?.id ?? null, action: 'report.export', entity: 'MonthlyReport', entityId: picked.month, detail: JSON.stringify({ rows, format }) },
  });
  return [
    {
      text: `${monthLabel(picked.month)}月报导出：共 ${rows} 个服务点（未报的也列出，状态为“未报”）。`,
      document: { filename: `月报-${picked.month}.${format}`, content, caption: `${monthLabel(picked.month)}月报` },
    },
  ];
}

/** The month a message names ("上个月的月报报错了" → 上个月), as text for startReport, or ''. */
function monthWords(ctx: CommandContext): string {
  const mention = findMonthMention(ctx.text, ctx.clock.now());
  return mention ? ctx.text.slice(mention.start, mention.end) : '';
}

async function handleIntent(ctx: CommandContext, intent: ReportIntent): Promise<Reply[]> {
  switch (intent) {
    case 'whoIsMissing':
      return status({ ...ctx, args: monthWords(ctx) });
    case 'correct': {
      const replies = await startReport(ctx, monthWords(ctx), false);
      const how = '要改哪一项，直接发送新的数字，例如“服务人次改成130”；发“取消”则不改。';
      return replies.map((r, i) => (i === 0 && ctx.actor.role !== 'unknown' ? { ...r, text: `${r.text}\n${how}` } : r));
    }
    case 'nothingToReport': {
      // offered as 无新增; the summary asks for a confirmation before anything is stored
      const replies = await startReport(ctx, `${monthWords(ctx)} 无新增`, false);
      return replies.map((r, i) => (i === 0 && ctx.actor.role !== 'unknown' ? { ...r, text: `没有新增数据的月份按“无新增”上报。\n${r.text}` } : r));
    }
  }
}

export const reportCapability: Capability = {
  name: FLOW,
  commands: [
    {
      name: 'report',
      aliases: ['月报', '报月报', '填报'],
      description: '报送上个月的月报（也可直接发送数字）',
      roles: BOUND_ROLES,
      run: (ctx) => startReport(ctx, ctx.args, true),
    },
    {
      name: 'status',
      aliases: ['进度', '上报进度', '月报进度'],
      description: '查看月报上报进度（/status 2026-10）',
      roles: BOUND_ROLES,
      run: status,
    },
    {
      name: 'export',
      aliases: ['导出', '导出月报'],
      description: '导出月报表格（/export 2026-10，默认 xlsx，加 csv 导出 CSV）',
      roles: OPERATOR_ONLY,
      run: exportCommand,
    },
  ],
  continueFlow: continueReport,
  onChoice: reportChoice,
  async recognize(ctx) {
    if (!ctx.text) return 0;
    if (readReportIntent(ctx.text)) return 0.96;
    if (QUESTION_RE.test(ctx.text)) return 0;
    const template = await loadTemplate(ctx.db);
    return looksLikeReport(parseReportMessage(ctx.text, template, ctx.clock.now()));
  },
  handleText(ctx) {
    const intent = readReportIntent(ctx.text);
    return intent ? handleIntent(ctx, intent) : startReport(ctx, ctx.text, false);
  },
  flowYieldsToConfidentOthers: true,
};
