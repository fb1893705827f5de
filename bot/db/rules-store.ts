// The rules table's (annex 1) writes: the whole table replaced by an import, in one transaction
// with its audit row; the read cache of the standards answers is dropped after it.
import { compareRules, samePlan, type RulesPlan } from '../../commands/standards/rules-import.ts';
import type { RuleInput } from '../../commands/standards/rulesFile.ts';
import { writeAudit } from './audit.ts';
import type { Db } from './client.ts';
import { forgetReadMostly } from './read-cache.ts';

export interface RulesImportResult {
  created: number;
  updated: number;
  removed: number;
}

interface Who {
  at: Date;
  actor: string;
  actorContactId: number | null;
}

/** Replaces the rules table with the given rows, in one transaction. */
export async function replaceRules(db: Db, rules: readonly RuleInput[], who: Who = { at: new Date(), actor: 'cli', actorContactId: null }): Promise<RulesImportResult> {
  // without a plan to hold it to, replace always writes
  return (await replace(db, rules, who, null))!;
}

/**
 * The same, only if the table is still the one the plan was made on (the chat's preview, confirmed
 * later); null, with nothing written, when it changed meanwhile.
 */
export function replaceRulesAsPlanned(db: Db, rules: readonly RuleInput[], who: Who, planned: Omit<RulesPlan, 'removedItems'>): Promise<RulesImportResult | null> {
  return replace(db, rules, who, planned);
}

async function replace(db: Db, rules: readonly RuleInput[], who: Who, planned: Omit<RulesPlan, 'removedItems'> | null): Promise<RulesImportResult | null> {
  const result = await db.$transaction(async (tx) => {
    const existing = await tx.rule.findMany({ select: { id: true, level: true, item: true } });
    const plan = compareRules(existing, rules);
    if (planned && !samePlan(plan, planned)) return null;
    const wanted = new Set(rules.map((r) => `${r.level}|${r.item}`));
    const stale = existing.filter((r) => !wanted.has(`${r.level}|${r.item}`));
    if (stale.length) await tx.rule.deleteMany({ where: { id: { in: stale.map((r) => r.id) } } });
    for (const r of rules) await tx.rule.upsert({ where: { level_item: { level: r.level, item: r.item } }, create: r, update: r });
    const counts = { created: plan.created, updated: plan.updated, removed: plan.removed };
    await writeAudit(tx, { ...who, action: 'rules.import', entity: 'Rule', entityId: null, detail: counts });
    return counts;
  });
  if (result) forgetReadMostly(db);
  return result;
}
