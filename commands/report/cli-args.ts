// The arguments of gxgc report status|export: --month and --town, and the file name.
import { parseMonthKey, type MonthKey } from '../../bot/time.ts';
import type { Clock } from '../../bot/time.ts';
import { defaultReportMonth } from './months.ts';

export const REPORT_USAGE = [
  '用法：',
  '  report status [--month YYYY-MM] [--town 镇街]   月报上报进度（默认上个月）',
  '  report export --month YYYY-MM 文件.csv|文件.xlsx  导出月报，每个服务点一行',
].join('\n');

/** the value after `name`; undefined when the option is absent, null when its value is */
export function option(argv: string[], name: string): string | undefined | null {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  return v && !v.startsWith('--') ? v : null;
}

export function monthOption(argv: string[], clock: Clock, required: boolean): MonthKey | { error: string } {
  const raw = option(argv, '--month');
  if (raw === undefined) return required ? { error: '请用 --month YYYY-MM 指定月份，例如 --month 2026-10。' } : defaultReportMonth(clock.now());
  if (raw === null) return { error: '--month 后面需要月份，例如 --month 2026-10。' };
  try {
    parseMonthKey(raw);
    return raw;
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** the arguments that are neither an option nor its value */
export function positional(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i]!.startsWith('--')) i++;
    else rest.push(argv[i]!);
  }
  return rest;
}
