// gxgc rules export FILE | rules import FILE: operators edit the annex-1 rules table in a spreadsheet.
// An import is the whole table: every row of every rules sheet is validated first, then the store
// (bot/db/rules-store.ts) creates or updates rows and removes the rules missing from the file, in one
// transaction.
import type { Logger } from 'pino';
import type { Db } from '../../bot/db/client.ts';
import { replaceRules } from '../../bot/db/rules-store.ts';
import { writeTable, SpreadsheetError } from '../../bot/spreadsheet.ts';
import { formatRulesPlan, formatRulesReading, needsRemovalConfirmation, planRules, readRulesFile, REMOVAL_SHARE_TO_CONFIRM } from './rules-import.ts';
import { ruleProblemText, rulesToTable } from './rulesFile.ts';
import { databaseQueries } from '../../bot/db/queries.ts';

export interface RulesCliDeps {
  db: Db;
  log: Logger;
  out: (line: string) => void;
}

const USAGE = '用法：rules export 文件.xlsx|文件.csv ；rules import 文件.xlsx|文件.csv [--dry-run 只预览] [--confirm 确认删除大量规则]（导入即整张规则表：文件中没有的规则会被删除）';

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
  if (verb === 'export') {
    const rules = await deps.db.rule.findMany();
    try {
      await writeTable(file, rulesToTable(rules), '配置及服务标准');
    } catch (e) {
      if (e instanceof SpreadsheetError) {
        deps.out(e.message);
        return 1;
      }
      throw e;
    }
    deps.out(`已导出 ${rules.length} 条规则到 ${file}`);
    deps.log.info({ file, count: rules.length }, 'rules exported');
    return 0;
  }
  const read = await readRulesFile(file);
  if (read.kind === 'unreadable') {
    deps.out(read.message);
    return 1;
  }
  if (read.kind === 'bad rows') {
    deps.out(`导入失败，规则表没有任何改动。请修改以下问题后重新导入：`);
    for (const p of read.problems) deps.out(`  ${ruleProblemText(p)}`);
    return 1;
  }
  deps.out(`读取规则表 ${file}${formatRulesReading(read.reading)}。`);
  const plan = await planRules(databaseQueries(deps.db).standards, read.rules);
  const removal = needsRemovalConfirmation(plan);
  if (dryRun || (removal && !confirm)) {
    const [counts, ...removed] = formatRulesPlan(plan, read.rules.length);
    deps.out(`${dryRun ? '预览' : '尚未导入'}，规则表没有任何改动。${counts}`);
    for (const line of removed) deps.out(line);
    if (!dryRun) deps.out(`将删除现有 ${plan.existing} 条规则中的 ${plan.removed} 条（超过 ${REMOVAL_SHARE_TO_CONFIRM * 100}%）。确认无误后加上 --confirm 重新运行：rules import ${file} --confirm`);
    return dryRun ? 0 : 1;
  }
  const result = await replaceRules(deps.db, read.rules);
  deps.out(`已导入 ${read.rules.length} 条规则：新增 ${result.created}，更新 ${result.updated}，删除 ${result.removed}。`);
  deps.log.info({ file, ...result }, 'rules imported');
  return 0;
}
