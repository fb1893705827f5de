// gxgc assessment: the year's assessment on the command line, on a driver connection of its own
// (no Prisma client: at 100,000 points memory is the limit, bot/cli.ts).
//   assessment supervision [--round YYYY-MM] [--town 镇街]   the supervision list, every town and point
//   assessment models [--year YYYY] [--town 镇街]            the model-point candidates
//   assessment summary --year YYYY FILE.xlsx                 the leaders' summary, and FILE.png beside it
import { writeFile } from 'node:fs/promises';
import type { CliDeps, DirectCliDeps } from '../../bot/cli.ts';
import { sqlOf } from '../../bot/db/client.ts';
import { openDirectSql, type DirectSql } from '../../bot/db/direct-sql.ts';
import { parseMonthKey, type Clock } from '../../bot/time.ts';
import { option, positional } from '../report/cli-args.ts';
import { defaultRound } from './supervision.ts';
import { defaultYear, modelsText, parseYear, summaryBundle, supervisionText } from './views.ts';
import { assessmentQueriesOn } from '../../bot/db/queries.ts';

export const ASSESSMENT_USAGE = [
  '用法：',
  '  assessment supervision [--round YYYY-MM] [--town 镇街]  督导名单（默认当前或下一轮督导）',
  '  assessment models [--year YYYY] [--town 镇街]           先进典型候选',
  '  assessment summary --year YYYY 文件.xlsx                全年评估汇总表，图表另存为同名 .png',
].join('\n');

interface Deps {
  sql: DirectSql;
  clock: Clock;
  out: (line: string) => void;
}

function yearOption(argv: string[], clock: Clock, required: boolean): number | { error: string } {
  const raw = option(argv, '--year');
  if (raw === undefined) return required ? { error: '请用 --year YYYY 指定年份，例如 --year 2026。' } : defaultYear(clock.now());
  const year = raw === null ? null : parseYear(raw);
  return year ?? { error: '--year 后面需要四位年份，例如 --year 2026。' };
}

function townOption(argv: string[]): string | null | { error: string } {
  const town = option(argv, '--town');
  if (town === null) return { error: '--town 后面需要镇街名称。' };
  return town ?? null;
}

export async function runAssessment(argv: string[], deps: Deps): Promise<number> {
  const [verb, ...rest] = argv;
  const now = deps.clock.now();
  const fail = (message: string) => {
    deps.out(message);
    return 2;
  };
  if (verb === 'supervision') {
    const raw = option(rest, '--round');
    if (raw === null) return fail('--round 后面需要月份，例如 --round 2027-03。');
    const round = raw ?? defaultRound(now);
    try {
      parseMonthKey(round);
    } catch (e) {
      return fail((e as Error).message);
    }
    const town = townOption(rest);
    if (town !== null && typeof town === 'object') return fail(town.error);
    deps.out(await supervisionText(assessmentQueriesOn(deps.sql), round, town, now, { towns: null, points: null }));
    return 0;
  }
  if (verb === 'models') {
    const year = yearOption(rest, deps.clock, false);
    if (typeof year !== 'number') return fail(year.error);
    const town = townOption(rest);
    if (town !== null && typeof town === 'object') return fail(town.error);
    deps.out(await modelsText(assessmentQueriesOn(deps.sql), year, town, now, null));
    return 0;
  }
  if (verb === 'summary') {
    const year = yearOption(rest, deps.clock, true);
    if (typeof year !== 'number') return fail(year.error);
    const [file, extra] = positional(rest);
    if (!file || extra || !file.toLowerCase().endsWith('.xlsx')) return fail(`请给出一个 .xlsx 文件名。\n${ASSESSMENT_USAGE}`);
    const bundle = await summaryBundle(assessmentQueriesOn(deps.sql), year, now);
    const png = file.replace(/\.xlsx$/i, '.png');
    try {
      await writeFile(file, bundle.xlsx);
      await writeFile(png, bundle.png);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      deps.out(`无法写入文件 ${file}：${code === 'EACCES' ? '没有写入权限' : '目录不存在或路径无效'}。`);
      return 1;
    }
    deps.out(bundle.text);
    deps.out(`已写入 ${file}（${bundle.points.length} 个服务点）和图表 ${png}`);
    return 0;
  }
  deps.out(ASSESSMENT_USAGE);
  return verb ? 2 : 0;
}

/** bot/cli.ts's entry: a connection of its own for this command. */
export async function runAssessmentDirect(argv: string[], deps: DirectCliDeps): Promise<number> {
  const sql = openDirectSql(deps.target);
  try {
    return await runAssessment(argv, { sql, clock: deps.clock, out: deps.out });
  } finally {
    await sql.close();
  }
}

/** With a Prisma client already open (tests, the usage text). */
export async function runAssessmentCli(argv: string[], deps: CliDeps): Promise<number> {
  return runAssessment(argv, { sql: sqlOf(deps.db), clock: deps.clock, out: deps.out });
}
