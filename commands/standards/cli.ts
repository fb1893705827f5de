// gxgc rules export FILE | rules import FILE: operators edit the annex-1 rules table in a spreadsheet.
// An import is the whole table: every row is validated first, then the store (bot/db/rules-store.ts)
// creates or updates rows and removes the rules missing from the file, in one transaction.
import type { Logger } from 'pino';
import type { Db } from '../../bot/db/client.ts';
import { replaceRules, type RulesImportResult } from '../../bot/db/rules-store.ts';
import { readTable, writeTable, SpreadsheetError } from '../../bot/spreadsheet.ts';
import { parseRulesTable, rulesToTable, type RuleInput } from './rulesFile.ts';

export interface RulesCliDeps {
  db: Db;
  log: Logger;
  out: (line: string) => void;
}

const USAGE = '用法：rules export 文件.xlsx|文件.csv ；rules import 文件.xlsx|文件.csv [--dry-run 只预览] [--confirm 确认删除大量规则]（导入即整张规则表：文件中没有的规则会被删除）';

/** Removing more than this share of the rules needs --confirm (a file of the wrong table removes them all). */
export const REMOVAL_SHARE_TO_CONFIRM = 0.1;

/** What an import would do, without writing: counts, and the rules it would remove. */
export async function planRules(db: { rule: Pick<Db['rule'], 'findMany'> }, rules: readonly RuleInput[]): Promise<RulesImportResult & { existing: number; removedItems: string[] }> {
  const existing = await db.rule.findMany({ select: { level: true, item: true } });
  const wanted = new Set(rules.map((r) => `${r.level}|${r.item}`));
  const known = new Set(existing.map((r) => `${r.level}|${r.item}`));
  const stale = existing.filter((r) => !wanted.has(`${r.level}|${r.item}`));
  const updated = rules.filter((r) => known.has(`${r.level}|${r.item}`)).length;
  return { created: rules.length - updated, updated, removed: stale.length, existing: existing.length, removedItems: stale.map((r) => `${r.level} ${r.item}`) };
}

export async function runRulesCli(argv: string[], deps: RulesCliDeps): Promise<number> {
  const flags = argv.filter((a) => a.startsWith('--'));
  const [verb, file, ...extra] = argv.filter((a) => !a.startsWith('--'));
  const dryRun = flags.includes('--dry-run');
  const confirm = flags.includes('--confirm');
  const badFlags = flags.some((f) => f !== '--dry-run' && f !== '--confirm') || (verb === 'export' && flags.length > 0);
  if ((verb !== 'export' && verb !== 'import') || !file || extra.length || badFlags) {
    deps.out(USAGE);
    return 2;
  }
  try {
    if (verb === 'export') {
      const rules = await deps.db.rule.findMany();
      await writeTable(file, rulesToTable(rules), '配置及服务标准');
      deps.out(`已导出 ${rules.length} 条规则到 ${file}`);
      deps.log.info({ file, count: rules.length }, 'rules exported');
      return 0;
    }
    const parsed = parseRulesTable(await readTable(file));
    if (!parsed.ok) {
      deps.out(`导入失败，规则表没有任何改动。请修改以下问题后重新导入：`);
      for (const p of parsed.problems) deps.out(`  第${p.row}行：${p.message}`);
      return 1;
    }
    const plan = await planRules(deps.db, parsed.rules);
    const removal = plan.existing > 0 && plan.removed > plan.existing * REMOVAL_SHARE_TO_CONFIRM;
    if (dryRun || (removal && !confirm)) {
      deps.out(`${dryRun ? '预览' : '尚未导入'}，规则表没有任何改动。导入后将是 ${parsed.rules.length} 条规则：新增 ${plan.created}，更新 ${plan.updated}，删除 ${plan.removed}。`);
      if (plan.removed) deps.out(`将删除：${plan.removedItems.slice(0, 30).join('、')}${plan.removed > 30 ? ` 等 ${plan.removed} 条` : ''}`);
      if (!dryRun) deps.out(`将删除现有 ${plan.existing} 条规则中的 ${plan.removed} 条（超过 ${REMOVAL_SHARE_TO_CONFIRM * 100}%）。确认无误后加上 --confirm 重新运行：rules import ${file} --confirm`);
      return dryRun ? 0 : 1;
    }
    const result = await replaceRules(deps.db, parsed.rules);
    deps.out(`已导入 ${parsed.rules.length} 条规则：新增 ${result.created}，更新 ${result.updated}，删除 ${result.removed}。`);
    deps.log.info({ file, ...result }, 'rules imported');
    return 0;
  } catch (e) {
    if (e instanceof SpreadsheetError) {
      deps.out(e.message);
      return 1;
    }
    throw e;
  }
}
