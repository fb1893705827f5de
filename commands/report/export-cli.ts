// gxgc report export --month YYYY-MM FILE(.csv|.xlsx). On the command line it runs on a driver
// connection of its own and never loads the Prisma client (bot/cli.ts): for 100,000 points the
// client and its query compiler were most of the process's memory.
import type { Logger } from 'pino';
import type { DirectCliDeps } from '../../bot/cli.ts';
import { openDirectSql, type DirectSql } from '../../bot/db/direct-sql.ts';
import { SpreadsheetError } from '../../bot/spreadsheet.ts';
import type { Clock } from '../../bot/time.ts';
import { monthOption, positional, REPORT_USAGE } from './cli-args.ts';
import { exportMonthToFile } from './export.ts';

export interface ExportCliDeps {
  sql: DirectSql;
  clock: Clock;
  log: Logger;
  out: (line: string) => void;
}

/** `argv` after the verb */
export async function exportReportFile(argv: string[], deps: ExportCliDeps): Promise<number> {
  const month = monthOption(argv, deps.clock, true);
  if (typeof month !== 'string') {
    deps.out(month.error);
    return 2;
  }
  const [file, extra] = positional(argv);
  if (!file || extra) {
    deps.out(`请给出一个导出文件名（.csv 或 .xlsx）。\n${REPORT_USAGE}`);
    return 2;
  }
  try {
    const started = performance.now();
    const result = await exportMonthToFile(deps.sql, month, file);
    deps.log.info({ month, rows: result.rows, file, ms: Math.round(performance.now() - started) }, 'monthly report exported');
    deps.out(`已导出 ${month} 月报：${result.rows} 个服务点 → ${file}`);
    return 0;
  } catch (e) {
    if (e instanceof SpreadsheetError) {
      deps.out(e.message);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
      deps.out(`无法写入文件 ${file}：${err.code === 'EACCES' ? '没有写入权限' : '目录不存在或路径无效'}。`);
      return 1;
    }
    throw e;
  }
}

/** The command line's `report export`, on a connection of its own. */
export async function runReportExport(argv: string[], deps: DirectCliDeps): Promise<number> {
  const sql = openDirectSql(deps.target);
  try {
    return await exportReportFile(argv, { ...deps, sql });
  } finally {
    await sql.close();
  }
}
