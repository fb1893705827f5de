// The rules table's (annex 1) writes: the whole table replaced by an import, in one transaction
// with its audit row; the read cache of the standards answers is dropped after it.
import type { RuleInput } from '../../commands/standards/rulesFile.ts';
import { writeAudit } from './audit.ts';
import type { Db } from './client.ts';
import { forgetReadMostly } from './read-cache.ts';

export interface RulesImportResult {
  created: number;
  updated: number;
  removed: number;
}

/** Replaces the rules table with the given rows, in one transaction. */
export async function replaceRules(
  db: Db,
  rules: readonly RuleInput[],
  who: { at: Date; actor: string; actorContactId: number | null } = { at: new Date(), actor: 'cli', actorContactId: null },
): Promise<RulesImportResult> {
  const result = await db.$transaction(async (tx) => {
    const existing = await tx.rule.findMany({ select: { id: true, level: true, item: true } });
    const wanted = new Set(rules.map((r) => `${r.level}|${r.item}`));
    const stale = existing.filter((r) => !wanted.has(`${r.level}|${r.item}`));
    if (stale.length) await tx.rule.deleteMany({ where: { id: { in: stale.map((r) => r.id) } } });
    const known = new Set(existing.map((r) => `${r.level}|${r.item}`));
    let created = 0;
    let updated = 0;
    for (const r of rules) {
      await tx.rule.upsert({ where: { level_item: { level: r.level, item: r.item } }, create: r, update: r });
      if (known.has(`${r.level}|${r.item}`)) updated++;
      else created++;
    }
    await writeAudit(tx, { ...who, action: 'rules.import', entity: 'Rule', entityId: null, detail: { created, updated, removed: stale.length } });
    return { created, updated, removed: stale.length };
  });
  forgetReadMostly(db);
  return result;
}
