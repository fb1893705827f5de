// 通信名录 sent in the chat: an operator sends the spreadsheet as a document (Telegram) or file
// (WeChat); the bot answers with the dry-run summary and every bad row, and imports only after
// "1 确认导入". The file waits in the conversation state; on confirmation it is planned again and
// imported only if the plan is still the one shown (planFingerprint), so a directory changed in
// between is never overwritten by what the operator did not see.
import type { IncomingDocument, Reply } from '../../bot/core/types.ts';
import { MAX_INCOMING_FILE_BYTES } from '../../bot/core/types.ts';
import { targetOf } from '../../bot/db/client.ts';
import type { CommandContext } from '../capability.ts';
import { formatOutcome, formatReading, runDirectoryImport, formatPlan, type ImportRun } from './import.ts';
import { formatProblems } from './rows.ts';

export const IMPORT_FLOW_STEP = 'confirm-import';
export const CONFIRM = { label: '确认导入', value: 'directory:import-confirm' };
export const CANCEL = { label: '取消', value: 'directory:import-cancel' };

interface PendingImport extends Record<string, unknown> {
  filename: string;
  content: string;
  fingerprint: string;
}

const FILE_TYPES = /\.(xlsx|xlsm|csv|txt|xls|et|ods)$/i;

function runOf(ctx: CommandContext): ImportRun {
  return { target: targetOf(ctx.db), now: ctx.clock.now(), actor: `${ctx.actor.channel}:${ctx.actor.chatId}`, actorContactId: ctx.actor.contact?.id ?? null };
}

/** A file an operator sent: its dry run, and the choice to import it. */
export async function planSentFile(ctx: CommandContext, document: IncomingDocument): Promise<Reply[]> {
  if (!FILE_TYPES.test(document.filename)) {
    return [{ text: `收到文件“${document.filename}”。我只能导入通信名录表格：请发送 .xlsx（Excel 工作簿）或 .csv 文件。` }];
  }
  if (document.missing === 'tooLarge') {
    return [{ text: `文件“${document.filename}”太大（${(document.size / 1048576).toFixed(1)} MB），聊天中最多接收 ${MAX_INCOMING_FILE_BYTES / 1048576} MB。更大的名录请存为 .csv 再发，或由管理员在服务器上运行：gxgc directory import 文件` }];
  }
  if (!document.content) return [{ text: `文件“${document.filename}”没能收下来，请再发送一次。` }];
  const outcome = await runDirectoryImport({ filename: document.filename, content: document.content }, runOf(ctx), { apply: false });
  if (outcome.kind !== 'planned') {
    ctx.conversation.clear();
    return [{ text: formatOutcome(outcome, { confirmHint: '' }).join('\n') }];
  }
  const pending: PendingImport = { filename: document.filename, content: Buffer.from(document.content).toString('base64'), fingerprint: outcome.fingerprint };
  ctx.conversation.set('directory', IMPORT_FLOW_STEP, pending);
  const lines = [`收到“${document.filename}”${formatReading(outcome.reading)}。名录还没有改动，导入后将是：`, ...formatPlan(outcome.plan)];
  if (outcome.toConfirm.length) lines.push('请特别注意：', ...outcome.toConfirm.map((r) => `· ${r}`));
  lines.push('', '回复 1 确认导入，回复 2 或“取消”放弃。');
  return [{ text: lines.join('\n'), choices: [CONFIRM, CANCEL] }];
}

/** "1 确认导入": the waiting file planned again, and imported if its plan is the one shown. */
export async function confirmSentFile(ctx: CommandContext): Promise<Reply[]> {
  const state = ctx.conversation.state as Partial<PendingImport>;
  if (ctx.conversation.flow !== 'directory' || ctx.conversation.step !== IMPORT_FLOW_STEP || !state.content || !state.filename) {
    return [{ text: '没有等待确认的名录文件。请重新发送文件。' }];
  }
  ctx.conversation.clear();
  const content = Buffer.from(state.content, 'base64');
  const outcome = await runDirectoryImport({ filename: state.filename, content }, runOf(ctx), { apply: true, confirmed: true, ...(state.fingerprint ? { expect: state.fingerprint } : {}) });
  if (outcome.kind === 'bad rows') return [{ text: `导入失败，名录没有任何改动：\n${formatProblems(outcome.problems)}` }];
  return [{ text: formatOutcome(outcome, { confirmHint: '' }).join('\n') }];
}

export function cancelSentFile(ctx: CommandContext): Reply[] {
  ctx.conversation.clear();
  return [{ text: '已取消，名录没有任何改动。' }];
}
