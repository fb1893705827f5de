// gxgc directory import FILE: the file is read as a stream and checked row by row; each good row goes
// to the staging tables at once (apply.ts), so a directory of 200,000 contacts is never in memory.
// Only when the last row has been read and every row was good is the directory changed, in one
// transaction; otherwise every bad row is named and nothing changes. No Prisma client is involved:
// the command runs on a driver connection of its own.
import type { DatabaseTarget } from '../../bot/db/target.ts';
import { openDirectSql } from '../../bot/db/direct-sql.ts';
import { SpreadsheetError, streamTable } from '../../bot/spreadsheet.ts';
import type { Clock } from '../../bot/time.ts';
import { DirectoryStaging, type ImportSummary } from './apply.ts';
import { DirectoryValidator, formatProblems, type RowProblem } from './rows.ts';

export interface DirectoryImportDeps {
  target: DatabaseTarget;
  clock: Clock;
  out: (line: string) => void;
}

type Outcome = { ok: true; summary: ImportSummary } | { ok: false; problems: RowProblem[] } | { ok: false; error: string };

async function importFile(file: string, staging: DirectoryStaging, now: Date): Promise<Outcome> {
  const validator = new DirectoryValidator();
  let header = false;
  try {
    for await (const { number, cells } of streamTable(file)) {
      if (!header) {
        header = true;
        // the header is row 1; an .xlsx whose row 1 is empty has none
        if (!validator.header(number === 1 ? cells : [])) break;
        if (number === 1) continue;
      }
      const row = validator.row(cells, number);
      // after the first bad row the file will not be imported: only check the rest
      if (row && !validator.problems.length) await staging.add(row);
    }
  } catch (e) {
    if (e instanceof SpreadsheetError) return { ok: false, error: e.message };
    throw e;
  }
  if (!header) validator.header([]);
  const problems = validator.finish();
  if (problems.length) return { ok: false, problems };
  return { ok: true, summary: await staging.apply(validator.points.values(), { actor: 'cli', actorContactId: null, now }) };
}

export async function importDirectoryFile(file: string, deps: DirectoryImportDeps): Promise<number> {
  const sql = openDirectSql(deps.target);
  let outcome: Outcome;
  try {
    const staging = await DirectoryStaging.open(sql);
    try {
      outcome = await importFile(file, staging, deps.clock.now());
    } finally {
      await staging.close();
    }
  } finally {
    await sql.close();
  }
  if (!outcome.ok) {
    if ('error' in outcome) deps.out(outcome.error);
    else {
      deps.out(`导入失败，名录没有任何改动。请修改以下 ${outcome.problems.length} 处后重新导入：`);
      deps.out(formatProblems(outcome.problems));
    }
    return 1;
  }
  const s = outcome.summary;
  deps.out(
    `导入成功：${s.points.total} 个服务点（新增 ${s.points.created}，更新 ${s.points.updated}，停用 ${s.points.deactivated}），` +
      `${s.contacts.total} 位联系人（新增 ${s.contacts.created}，更新 ${s.contacts.updated}，停用 ${s.contacts.deactivated}）。已绑定的聊天账号保持不变。`,
  );
  return 0;
}

/** The command line's `directory import FILE`. */
export async function runDirectoryImport(argv: string[], deps: DirectoryImportDeps): Promise<number> {
  const [file] = argv;
  if (!file) {
    deps.out('用法：directory import 文件.csv|.xlsx');
    return 2;
  }
  return importDirectoryFile(file, deps);
}
