// gxgc report status|export: the operator's side of the monthly report.
//   report status [--month YYYY-MM] [--town 镇街]
//   report export --month YYYY-MM FILE(.csv|.xlsx)
import type { CliDeps } from '../../bot/cli.ts';
import { SpreadsheetError } from '../../bot/spreadsheet.ts';
import { parseMonthKey, type MonthKey } from '../../bot/time.ts';
import { formatCompleteness, loadCompleteness } from './completeness.ts';
import { exportMonthToFile } from './export.ts';
import { defaultReportMonth } from './months.ts';

const USAGE = [
  '用法：',
  '  report status [--month YYYY-MM] [--town 镇街]   月报上报进度（默认上个月）',
  '  report export --month YYYY-MM 文件.csv|文件.xlsx  导出月报，每个服务点一行',
].join('\n');

function option(argv: string[], name: string): string | undefined | null {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  return v && !v.startsWith('--') ? v : null;
}

function monthOption(argv: string[], deps: CliDeps, required: boolean): MonthKey | { error: string } {
  const raw = option(argv, '--month');
  if (raw === undefined) return required ? { error: '请用 --month YYYY-MM 指定月份，例如 --month 2026-10。' } : defaultReportMonth(deps.clock.now());
  if (raw === null) return { error: '--month 后面需要月份，例如 --month 2026-10。' };
  try {
    parseMonthKey(raw);
    return raw;
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function positional(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i]!.startsWith('--')) i++;
    else rest.push(argv[i]!);
  }
  return rest;
}

export async function runReportCli(argv: string[], deps: CliDeps): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'status') {
    const month = monthOption(rest, deps, false);
    if (typeof month !== 'string') {
      deps.out(month.error);
      return 2;
    }
    const town = option(rest, '--town');
    if (town === null) {
      deps.out('--town 后面需要镇街名称。');
      return 2;
    }
    const completeness = await loadCompleteness(deps.db, month, { town: town ?? null, missingLimit: null });
    deps.out(formatCompleteness(completeness, deps.clock.now(), null));
    return 0;
  }
  if (verb === 'export') {
    const month = monthOption(rest, deps, true);
    if (typeof month !== 'string') {
      deps.out(month.error);
      return 2;
    }
    const [file, extra] = positional(rest);
    if (!file || extra) {
      deps.out(`请给出一个导出文件名（.csv 或 .xlsx）。\n${USAGE}`);
      return 2;
    }
    try {
      const started = performance.now();
      const result = await exportMonthToFile(deps.db, month, file);
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
  deps.out(USAGE);
  return verb ? 2 : 0;
}
