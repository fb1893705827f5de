// The rules table (annex 1) sent in the chat: an operator sends the spreadsheet `gxgc rules export`
// writes (edited in Excel or WPS); the bot answers with what the import would change — created,
// updated, removed, and every bad row — and replaces the table only after "确认导入". The file
// waits in the conversation; on confirmation the importRules effect reads it again and imports it
// only if the plan is still the one shown.
import { z } from 'zod';
import { withEffects, type CommandContext, type Outcome } from '../../bot/core/capability.ts';
import { startDialogue, type Dialogue } from '../../bot/core/dialogue.ts';
import type { IncomingDocument } from '../../bot/core/types.ts';
import type { Db } from '../../bot/db/client.ts';
import { readTable, SpreadsheetError } from '../../bot/spreadsheet.ts';
import { replaceRules } from '../../bot/db/rules-store.ts';
import { planRules, REMOVAL_SHARE_TO_CONFIRM } from './cli.ts';
import { parseRulesTable, RULE_COLUMNS } from './rulesFile.ts';

/** A header that is the rules table's (its own columns 项目, 数量, 比较), not the directory's. */
export function isRulesHeader(header: readonly string[]): boolean {
  const cells = new Set(header.map((h) => h.trim()));
  return ['项目', '数量', '比较'].every((c) => cells.has(c));
}

const PendingRules = z.object({ filename: z.string(), content: z.string(), fingerprint: z.string(), planText: z.string() });
type PendingRules = z.infer<typeof PendingRules>;

export const rulesImportDialogue: Dialogue<PendingRules> = {
  name: 'rulesImport',
  schema: PendingRules,
  steps: [],
  confirmLabel: '确认导入',
  changeable: false,
  summary: (pending) => pending.planText,
  restartHint: '请重新发送规则表文件。',
  allowed: (ctx) => ctx.actor.role === 'operator',
  async confirm(pending) {
    return {
      kind: 'done',
      outcome: withEffects([{ kind: 'importRules', filename: pending.filename, content: pending.content, fingerprint: pending.fingerprint }], ({ importedRules }) => [
        { text: importedRules ?? '导入没有完成，规则表没有任何改动。请稍后再试。' },
      ]),
    };
  },
  cancelled: () => '已取消，规则表没有任何改动。',
};

type Read = { ok: true; rules: ReturnType<typeof parseRulesTable> & { ok: true } } | { ok: false; text: string };

async function readRulesFile(filename: string, content: Uint8Array): Promise<Read> {
  try {
    const parsed = parseRulesTable(await readTable({ filename, content }));
    if (!parsed.ok) {
      const lines = parsed.problems.slice(0, 20).map((p) => `· 第${p.row}行：${p.message}`);
      if (parsed.problems.length > 20) lines.push(`…… 共 ${parsed.problems.length} 处问题`);
      return { ok: false, text: ['规则表有问题，没有导入，规则表没有任何改动。请修改后重新发送：', ...lines].join('\n') };
    }
    return { ok: true, rules: parsed };
  } catch (e) {
    if (e instanceof SpreadsheetError) return { ok: false, text: `${e.message}\n规则表没有任何改动。` };
    throw e;
  }
}

function fingerprintOf(plan: { created: number; updated: number; removed: number; existing: number }): string {
  return `${plan.existing}:${plan.created}:${plan.updated}:${plan.removed}`;
}

/** A rules table an operator sent: what importing it would change, and the choice to import it. */
export async function planRulesFile(ctx: CommandContext, document: IncomingDocument & { content: Uint8Array }): Promise<Outcome> {
  const read = await readRulesFile(document.filename, document.content);
  if (!read.ok) return [{ text: read.text }];
  const rules = read.rules.rules;
  const plan = await planRules(ctx.db, rules);
  const lines = [
    `收到规则表“${document.filename}”（附件1 配置及服务标准，列：${RULE_COLUMNS.join('、')}）。规则表还没有改动。`,
    `导入即整张替换：导入后共 ${rules.length} 条规则，新增 ${plan.created}，更新 ${plan.updated}，删除 ${plan.removed}。`,
  ];
  if (plan.removed) lines.push(`将删除：${plan.removedItems.slice(0, 30).join('、')}${plan.removed > 30 ? ` 等 ${plan.removed} 条` : ''}`);
  if (plan.existing > 0 && plan.removed > plan.existing * REMOVAL_SHARE_TO_CONFIRM) {
    lines.push(`请特别注意：将删除现有 ${plan.existing} 条规则中的 ${plan.removed} 条（超过 ${REMOVAL_SHARE_TO_CONFIRM * 100}%），请确认发的是完整的规则表。`);
  }
  const pending: PendingRules = { filename: document.filename, content: Buffer.from(document.content).toString('base64'), fingerprint: fingerprintOf(plan), planText: lines.join('\n') };
  return startDialogue(rulesImportDialogue, ctx, pending);
}

/** The importRules effect: the waiting file read again and imported if its plan is the one shown; the answer's text. */
export async function importRulesFile(db: Db, file: { filename: string; content: string; fingerprint: string }, who: { at: Date; actor: string; actorContactId: number | null }): Promise<string> {
  const read = await readRulesFile(file.filename, Buffer.from(file.content, 'base64'));
  if (!read.ok) return read.text;
  const plan = await planRules(db, read.rules.rules);
  if (fingerprintOf(plan) !== file.fingerprint) return '规则表在此期间已被修改，这次没有导入。请重新发送文件，核对新的预览后再确认。';
  const result = await replaceRules(db, read.rules.rules, who);
  return `已导入 ${read.rules.rules.length} 条规则：新增 ${result.created}，更新 ${result.updated}，删除 ${result.removed}。之后的标准问答、自查和评估都按新规则表。`;
}
