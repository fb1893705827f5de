// The rules table (annex 1) sent in the chat: an operator sends the spreadsheet `gxgc rules export`
// writes (edited in Excel or WPS; its rules may be on any sheets); the bot answers with what the
// import would change — created, updated, removed, and every bad row — and replaces the table only
// after "确认导入". The file waits as a pending upload; on confirmation it is read again and
// imported only if the plan is still the one shown.
import { withEffects, type CommandContext, type Outcome } from '../../bot/core/capability.ts';
import { startDialogue, type Dialogue } from '../../bot/core/dialogue.ts';
import type { IncomingDocument } from '../../bot/core/types.ts';
import { alsoApplying, discardSentFile, keepSentFile, SentFile, sentFileContent, sentFileDialogue, sentFileGone, uploadIdOf } from '../directory/sent-file.ts';
import { formatRulesPlan, formatRulesReading, needsRemovalConfirmation, planRules, readRulesFile, REMOVAL_SHARE_TO_CONFIRM, type RulesPlan, type RulesRead } from './rules-import.ts';
import { ruleProblemText } from './rulesFile.ts';

const CHANGED = '规则表在此期间已被修改，这次没有导入。请重新发送文件，核对新的预览后再确认。';

export const rulesImportDialogue: Dialogue<SentFile> = sentFileDialogue('rulesImport', '规则表', async (pending, ctx) => {
    const content = await sentFileContent(ctx, pending);
    if (!content) return { kind: 'done', outcome: sentFileGone('规则表') };
    const read = await readRulesFile({ filename: pending.filename, content });
    const plan = read.kind === 'read' ? await planRules(ctx.queries.standards, read.rules) : null;
    if (read.kind !== 'read' || !plan || fingerprintOf(plan) !== pending.fingerprint) {
      return { kind: 'done', outcome: withEffects(discardSentFile(pending), () => [{ text: read.kind === 'read' ? CHANGED : unreadable(read) }]) };
    }
    return {
      kind: 'done',
      outcome: withEffects([{ kind: 'importRules', rules: read.rules, planned: plan, uploadId: uploadIdOf(pending) }], ({ importedRules }) => [
        {
          text:
            importedRules === undefined
              ? '导入没有完成，规则表没有任何改动。请稍后再试。'
              : importedRules === null
                ? CHANGED
                : `已导入 ${read.rules.length} 条规则：新增 ${importedRules.created}，更新 ${importedRules.updated}，删除 ${importedRules.removed}。之后的标准问答、自查和评估都按新规则表。`,
        },
      ]),
    };
});

function unreadable(read: Exclude<RulesRead, { kind: 'read' }>): string {
  if (read.kind === 'unreadable') return `${read.message}\n规则表没有任何改动。`;
  const lines = read.problems.slice(0, 20).map((p) => `· ${ruleProblemText(p)}`);
  if (read.problems.length > 20) lines.push(`…… 共 ${read.problems.length} 处问题`);
  return ['规则表有问题，没有导入，规则表没有任何改动。请修改后重新发送：', ...lines].join('\n');
}

function fingerprintOf(plan: RulesPlan): string {
  return `${plan.existing}:${plan.created}:${plan.updated}:${plan.removed}`;
}

/** A rules table an operator sent: what importing it would change, and the choice to import it. */
export async function planRulesFile(ctx: CommandContext, document: IncomingDocument & { content: Uint8Array }): Promise<Outcome> {
  const read = await readRulesFile({ filename: document.filename, content: document.content });
  if (read.kind !== 'read') return [{ text: unreadable(read) }];
  const plan = await planRules(ctx.queries.standards, read.rules);
  const [counts, ...removed] = formatRulesPlan(plan, read.rules.length);
  const lines = [`收到规则表“${document.filename}”${formatRulesReading(read.reading)}。规则表还没有改动；导入即整张替换附件1 配置及服务标准，${counts}`, ...removed];
  if (needsRemovalConfirmation(plan)) {
    lines.push(`请特别注意：将删除现有 ${plan.existing} 条规则中的 ${plan.removed} 条（超过 ${REMOVAL_SHARE_TO_CONFIRM * 100}%），请确认发的是完整的规则表。`);
  }
  const kept = keepSentFile(document.filename, document.content, fingerprintOf(plan), lines.join('\n'));
  return alsoApplying([kept.effect], await startDialogue(rulesImportDialogue, ctx, kept.state));
}
