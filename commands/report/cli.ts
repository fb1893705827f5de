// gxgc report status|export: the operator's side of the monthly report.
//   report status [--month YYYY-MM] [--town 镇街]
//   report export --month YYYY-MM FILE(.csv|.xlsx)
import type { CliDeps } from '../../bot/cli.ts';
import { sqlOf } from '../../bot/db/client.ts';
import { monthOption, option, REPORT_USAGE } from './cli-args.ts';
import { formatCompleteness, loadCompleteness } from './completeness.ts';
import { exportReportFile } from './export-cli.ts';

export async function runReportCli(argv: string[], deps: CliDeps): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'status') {
    const month = monthOption(rest, deps.clock, false);
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
  // the command line runs it without a Prisma client (bot/cli.ts); here one is open already
  if (verb === 'export') return exportReportFile(rest, { ...deps, sql: sqlOf(deps.db) });
  deps.out(REPORT_USAGE);
  return verb ? 2 : 0;
}
