// 通信名录 sent in the chat: an operator sends the spreadsheet as a document (Telegram) or file
// (WeChat); the bot answers with the dry-run summary and every bad row, and imports only after
// "1 确认导入" — a dialogue on the engine with no questions, only the read-back. The file waits as a
// pending upload (sent-file.ts); on confirmation the importDirectory effect plans it again and
// imports it only if the plan is still the one shown (its fingerprint), so a directory changed in
// between is never overwritten by what the operator did not see.
import type { IncomingDocument } from '../../bot/core/types.ts';
import { MAX_INCOMING_FILE_BYTES } from '../../bot/core/types.ts';
import { withEffects, type CommandContext, type Outcome } from '../../bot/core/capability.ts';
import { startDialogue, type Dialogue } from '../../bot/core/dialogue.ts';
import type { ImportOutcome } from '../../bot/db/directory-store.ts';
import { formatOutcome, formatReading, formatPlan } from './import.ts';
import { formatProblems } from './rows.ts';
import { alsoApplying, discardSentFile, keepSentFile, SentFile, sentFileContent, sentFileDialogue, sentFileGone, uploadIdOf } from './sent-file.ts';

export const directoryImportDialogue: Dialogue<SentFile> = sentFileDialogue('directoryImport', '名录', async (pending, ctx) => {
    const content = await sentFileContent(ctx, pending);
    if (!content) return { kind: 'done', outcome: sentFileGone('名录') };
    return {
      kind: 'done',
      outcome: withEffects(
        [{ kind: 'importDirectory', file: { filename: pending.filename, content }, fingerprint: pending.fingerprint, uploadId: uploadIdOf(pending) }],
        ({ imported }) => [{ text: imported ? importAnswer(imported) : '导入没有完成，名录没有任何改动。请稍后再试。' }],
      ),
    };
});

const FILE_TYPES = /\.(xlsx|xlsm|csv|txt|xls|et|ods)$/i;


/** A file an operator sent: its dry run, and the choice to import it. */
export async function planSentFile(ctx: CommandContext, document: IncomingDocument): Promise<Outcome> {
  if (!FILE_TYPES.test(document.filename)) {
    return [{ text: `收到文件“${document.filename}”。我只能导入通信名录表格：请发送 .xlsx（Excel 工作簿）或 .csv 文件。` }];
  }
  if (document.missing === 'tooLarge') {
    return [{ text: `文件“${document.filename}”太大（${(document.size / 1048576).toFixed(1)} MB），聊天中最多接收 ${MAX_INCOMING_FILE_BYTES / 1048576} MB。更大的名录请存为 .csv 再发，或由管理员在服务器上运行：gxgc directory import 文件` }];
  }
  if (!document.content) return [{ text: `文件“${document.filename}”没能收下来，请再发送一次。` }];
  const outcome = await ctx.queries.directory.planImport(
    { filename: document.filename, content: document.content },
    { now: ctx.clock.now(), actor: `${ctx.actor.channel}:${ctx.actor.chatId}`, actorContactId: ctx.actor.contact?.id ?? null },
  );
  if (outcome.kind !== 'planned') {
    ctx.conversation.clear();
    return [{ text: formatOutcome(outcome, { confirmHint: '' }).join('\n') }];
  }
  const lines = [`收到“${document.filename}”${formatReading(outcome.reading)}。名录还没有改动，导入后将是：`, ...formatPlan(outcome.plan)];
  if (outcome.toConfirm.length) lines.push('请特别注意：', ...outcome.toConfirm.map((r) => `· ${r}`));
  lines.push('', '回复 1 确认导入，回复 2 或“取消”放弃。');
  const kept = keepSentFile(document.filename, document.content, outcome.fingerprint, lines.join('\n'));
  return alsoApplying([kept.effect], await startDialogue(directoryImportDialogue, ctx, kept.state));
}

/** The importDirectory effect's outcome, as the answer to 确认导入. */
function importAnswer(outcome: ImportOutcome): string {
  if (outcome.kind === 'bad rows') return `导入失败，名录没有任何改动：\n${formatProblems(outcome.problems)}`;
  return formatOutcome(outcome, { confirmHint: '' }).join('\n');
}
