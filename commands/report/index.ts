// 月报: the capability. /report (月报) starts or continues a report, free text with figures or
// "本月无新增" starts one too; /status (进度) shows who has reported; /export (导出) sends operators
// the month's file.
import type { Reply } from '../../bot/core/types.ts';
import { localDateString, monthLabel, type MonthKey } from '../../bot/time.ts';
import { BOUND_ROLES, OPERATOR_ONLY, mapReplies, withEffects, type Capability, type CommandContext, type Outcome } from '../../bot/core/capability.ts';
import { formatCompleteness } from './completeness.ts';
import { BIND_HINT, FLOW, reportDialogue, startReport } from './dialogue.ts';
import { defaultReportMonth, findMonthMention, reportDueDate } from './months.ts';
import { readReportIntent, type ReportIntent } from './intents.ts';
import { looksLikeQuestion, looksLikeReport, parseReportMessage } from './parse.ts';


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
    const report = await ctx.queries.reports.current(contact.servicePoint.id, month);
    const due = `${localDateString(reportDueDate(month))} 前`;
    if (!report) return [{ text: `${contact.servicePoint.name} ${monthLabel(month)}的月报还没有提交（应在 ${due}上报）。直接发送数字即可，例如“服务人次120，开放天数22，开放时长176小时，活动3场”。` }];
    const what = report.status === 'noNewData' ? '本月无新增' : '已报';
    const by = report.submittedBy ? `由${report.submittedBy}于 ` : '';
    return [{ text: `${contact.servicePoint.name} ${monthLabel(month)}的月报：${what}，${by}${localDateString(report.submittedAt)} 提交（第 ${report.revision} 版）${report.isLate ? '，逾期' : ''}。` }];
  }
  const town = ctx.actor.role === 'townContact' ? contact.servicePoint.town : null;
  const completeness = await ctx.queries.reports.completeness(month, { town, missingLimit: 20 });
  return [{ text: formatCompleteness(completeness, now, 20) }];
}

async function exportCommand(ctx: CommandContext): Promise<Outcome> {
  const wantsCsv = /\bcsv\b/i.test(ctx.args);
  const picked = monthArgument({ ...ctx, args: ctx.args.replace(/\b(csv|xlsx)\b/gi, '').trim() });
  if ('error' in picked) return [{ text: picked.error }];
  const format = wantsCsv ? 'csv' : 'xlsx';
  const { content, rows } = await ctx.queries.reports.monthFile(picked.month, format);
  ctx.log.info({ month: picked.month, rows, format }, 'monthly report exported in chat');
  return withEffects([{ kind: 'audit', action: 'report.export', entity: 'MonthlyReport', entityId: picked.month, detail: { rows, format } }], () => [
    {
      text: `${monthLabel(picked.month)}月报导出：共 ${rows} 个服务点（未报的也列出，状态为“未报”）。`,
      document: { filename: `月报-${picked.month}.${format}`, content, caption: `${monthLabel(picked.month)}月报` },
    },
  ]);
}

/** The month a message names ("上个月的月报报错了" → 上个月), as text for startReport, or ''. */
function monthWords(ctx: CommandContext): string {
  const mention = findMonthMention(ctx.text, ctx.clock.now());
  return mention ? ctx.text.slice(mention.start, mention.end) : '';
}

/** The outcome with a line added to its first reply (before or after the reply's text). */
function withLine(outcome: Outcome, line: string, before: boolean): Outcome {
  const add = (replies: Reply[]) => replies.map((r, i) => (i === 0 ? { ...r, text: before ? `${line}\n${r.text}` : `${r.text}\n${line}` } : r));
  return mapReplies(outcome, add);
}

async function handleIntent(ctx: CommandContext, intent: ReportIntent): Promise<Outcome> {
  if (intent === 'whoIsMissing') return status({ ...ctx, args: monthWords(ctx) });
  if (ctx.actor.role === 'unknown') return [{ text: BIND_HINT }];
  if (intent === 'correct') {
    // the report opens with what was stored; the person then says what to change
    const month = findMonthMention(ctx.text, ctx.clock.now())?.month ?? defaultReportMonth(ctx.clock.now());
    const stored = ctx.actor.contact && ctx.actor.role !== 'operator' ? await ctx.queries.reports.current(ctx.actor.contact.servicePoint.id, month) : null;
    const outcome = await startReport(ctx, monthWords(ctx), false);
    if (!stored) return withLine(outcome, `${monthLabel(month)}的月报还没有提交过，没有可改的内容；现在开始填报。`, true);
    return withLine(outcome, '要改哪一项，直接发送新的数字，例如“服务人次改成130”；发“取消”则不改。', false);
  }
  // nothing to report: offered as 无新增, which the summary asks to confirm before anything is stored
  return withLine(await startReport(ctx, `${monthWords(ctx)} 无新增`, false), '没有新增数据的月份按“无新增”上报。', true);
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
  dialogues: [reportDialogue],
  async recognize(ctx) {
    if (!ctx.text) return 0;
    if (readReportIntent(ctx.text)) return 0.96;
    if (looksLikeQuestion(ctx.text)) return 0;
    const template = await ctx.queries.reports.template();
    return looksLikeReport(parseReportMessage(ctx.text, template, ctx.clock.now()));
  },
  handleText(ctx) {
    const intent = readReportIntent(ctx.text);
    return intent ? handleIntent(ctx, intent) : startReport(ctx, ctx.text, false);
  },
};
