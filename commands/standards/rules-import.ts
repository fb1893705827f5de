// Importing the rules table (annex 1) from a file, on the command line or sent in the chat: the file
// read whole, every sheet (rulesFile.ts says which are rules sheets), what the import would change,
// and when it needs a confirmation. The writing is the store's (bot/db/rules-store.ts).
import { readSheets, readingText, SpreadsheetError, type TableReading, type TableSource } from '../../bot/spreadsheet.ts';
import type { StandardsQueries } from '../../bot/core/queries.ts';
import { parseRulesSheets, type RuleInput, type RuleProblem } from './rulesFile.ts';

/** Removing more than this share of the rules needs a confirmation (a file of the wrong table removes them all). */
export const REMOVAL_SHARE_TO_CONFIRM = 0.1;

export interface RulesPlan {
  /** rules in the table now */
  existing: number;
  created: number;
  updated: number;
  removed: number;
  /** "村级 电脑", the rules the import would remove */
  removedItems: string[];
}

const keyOf = (r: { level: string; item: string }) => `${r.level}|${r.item}`;

/** What replacing the table with `rules` changes, from the rules there now. */
export function compareRules(existing: readonly { level: string; item: string }[], rules: readonly RuleInput[]): RulesPlan {
  const wanted = new Set(rules.map(keyOf));
  const known = new Set(existing.map(keyOf));
  const stale = existing.filter((r) => !wanted.has(keyOf(r)));
  const updated = rules.filter((r) => known.has(keyOf(r))).length;
  return { existing: existing.length, created: rules.length - updated, updated, removed: stale.length, removedItems: stale.map((r) => `${r.level} ${r.item}`) };
}

/** What an import would do, without writing. */
export async function planRules(standards: Pick<StandardsQueries, 'ruleKeys'>, rules: readonly RuleInput[]): Promise<RulesPlan> {
  return compareRules(await standards.ruleKeys(), rules);
}

export const needsRemovalConfirmation = (plan: RulesPlan): boolean => plan.existing > 0 && plan.removed > plan.existing * REMOVAL_SHARE_TO_CONFIRM;

/** The same counts: the table has not changed since the plan was shown. */
export const samePlan = (a: Omit<RulesPlan, 'removedItems'>, b: Omit<RulesPlan, 'removedItems'>): boolean =>
  a.existing === b.existing && a.created === b.created && a.updated === b.updated && a.removed === b.removed;

export type RulesRead =
  | { kind: 'unreadable'; message: string }
  | { kind: 'bad rows'; problems: RuleProblem[] }
  | { kind: 'read'; reading: TableReading; rules: RuleInput[] };

/** A rules file read and checked: its rules, every problem by sheet and row, or why it cannot be read. */
export async function readRulesFile(source: TableSource): Promise<RulesRead> {
  let table: Awaited<ReturnType<typeof readSheets>>;
  try {
    table = await readSheets(source);
  } catch (e) {
    if (e instanceof SpreadsheetError) return { kind: 'unreadable', message: e.message };
    throw e;
  }
  const parsed = parseRulesSheets(table.sheets);
  if (!parsed.ok) return { kind: 'bad rows', problems: parsed.problems };
  return { kind: 'read', reading: { format: table.format, encoding: table.encoding, sheetsRead: parsed.sheets.read, sheetsSkipped: parsed.sheets.skipped }, rules: parsed.rules };
}

export const formatRulesReading = (reading: TableReading): string => readingText(reading, '规则表');

/** "新增 1，更新 30，删除 2" and the rules that would go. */
export function formatRulesPlan(plan: RulesPlan, total: number): string[] {
  const lines = [`导入后将是 ${total} 条规则：新增 ${plan.created}，更新 ${plan.updated}，删除 ${plan.removed}。`];
  if (plan.removed) lines.push(`将删除：${plan.removedItems.slice(0, 30).join('、')}${plan.removed > 30 ? ` 等 ${plan.removed} 条` : ''}`);
  return lines;
}
