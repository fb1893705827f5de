// gxgc: the operator's command line. `npm run --silent gxgc -- <area> <verb> ...`
// Each area lives beside its capability (commands/<area>/cli.ts) and gets the same dependencies.
// An area's module is loaded only when its command runs, and the bulk commands (directory import,
// report export) run on a driver connection of their own without the Prisma client: with 100,000
// points memory is the limit, and the client with its query compiler, exceljs and the standards
// dictionary (jieba) were most of a process's memory before it did any work (docs/benchmarks.md).
import type { Logger } from 'pino';
import { loadConfig, ConfigError } from './config.ts';
import { createLogger } from './logger.ts';
import { systemClock, type Clock } from './time.ts';
import type { Db } from './db/client.ts';
import { parseDatabaseUrl, type DatabaseTarget } from './db/target.ts';
import { migrate } from './db/migrate.ts';

export interface CliDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  out: (line: string) => void;
}

/** for the commands that open a driver connection of their own (openDirectSql) and no Prisma client */
export interface DirectCliDeps {
  target: DatabaseTarget;
  clock: Clock;
  log: Logger;
  out: (line: string) => void;
}

type AreaRunner = (argv: string[], deps: CliDeps) => Promise<number>;
type DirectRunner = (argv: string[], deps: DirectCliDeps) => Promise<number>;

interface Area {
  summary: string;
  load: () => Promise<AreaRunner>;
  /** verbs run by a DirectRunner instead: the rest of the area is not loaded for them, nor the Prisma client */
  direct?: Record<string, () => Promise<DirectRunner>>;
}

const AREAS: Record<string, Area> = {
  directory: {
    load: async () => (await import('../commands/directory/cli.ts')).runDirectoryCli,
    direct: { import: async () => (await import('../commands/directory/import.ts')).runDirectoryImportCli },
    summary: 'directory import FILE [--dry-run] [--confirm], directory export FILE, directory invite [--mobile M | --town T | --all], directory summary',
  },
  db: { load: async () => (await import('./db/cli.ts')).runDbCli, summary: 'db migrate, db seed [--demo], db backup FILE, db restore FILE' },
  rules: { load: async () => (await import('../commands/standards/cli.ts')).runRulesCli, summary: 'rules export FILE, rules import FILE (.csv/.xlsx: the annex-1 rules table)' },
  notice: { load: async () => (await import('../commands/notice/cli.ts')).runNoticeCli, summary: 'notice send --title T --body B (--all|--level L|--towns T|--points P) [--yes], notice status ID, notice list' },
  report: {
    load: async () => (await import('../commands/report/cli.ts')).runReportCli,
    direct: { export: async () => (await import('../commands/report/export-cli.ts')).runReportExport },
    summary: 'report status [--month YYYY-MM] [--town T], report export --month YYYY-MM FILE',
  },
  acceptance: {
    load: async () => (await import('../commands/acceptance/cli.ts')).runAcceptanceCli,
    summary: 'acceptance list|export FILE|show ID|form ID FILE.xlsx, acceptance receive|schedule|pass|fail ID ..., acceptance reinspect POINT 合格|限期整改|除牌, acceptance allow POINT',
  },
  assessment: {
    load: async () => (await import('../commands/assessment/cli.ts')).runAssessmentCli,
    // every verb reads in bulk: each runs on a connection of its own (the runner gets argv after the verb)
    direct: Object.fromEntries(
      ['supervision', 'models', 'summary'].map((verb) => [verb, async (): Promise<DirectRunner> => {
        const { runAssessmentDirect } = await import('../commands/assessment/cli.ts');
        return (argv, deps) => runAssessmentDirect([verb, ...argv], deps);
      }]),
    ),
    summary: 'assessment supervision [--round YYYY-MM] [--town T], assessment models [--year YYYY], assessment summary --year YYYY FILE.xlsx',
  },
  reminders: { load: async () => (await import('../scheduler/cli.ts')).runRemindersCli, summary: 'reminders preview --date YYYY-MM-DD, reminders settings, reminders set KEY VALUE' },
};

const USAGE = [
  '用法 / usage: npm run --silent gxgc -- <命令>',
  '  console [--as 手机号]     在终端里和机器人对话（不加 --as 即未绑定用户）',
  ...Object.entries(AREAS).map(([, a]) => `  ${a.summary}`),
].join('\n');

export async function runCli(argv: string[], env: Record<string, string | undefined>, io = { stdin: process.stdin, stdout: process.stdout }): Promise<number> {
  const out = (line: string) => void io.stdout.write(line + '\n');
  const [area, ...rest] = argv;
  if (!area || area === 'help' || area === '--help') {
    out(USAGE);
    return area ? 0 : 2;
  }
  // before the database is opened (and migrated) for nothing
  if (area !== 'console' && !AREAS[area]) {
    out(`没有“${area}”这个命令。\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`配置有误 / ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const log = createLogger({ level: config.logLevel ?? 'warn', secrets: config.secrets });
  const clock = systemClock;
  if (area === 'db' && (rest[0] === 'backup' || rest[0] === 'restore')) {
    const { runBackupCli } = await import('./db/backup-cli.ts');
    return runBackupCli(rest[0], rest.slice(1), { target: parseDatabaseUrl(config.databaseUrl), dataDir: config.dataDir, now: clock.now(), out });
  }
  const direct = AREAS[area]?.direct?.[rest[0] ?? ''];
  if (direct) {
    // migrated like every command, but not seeded: the reference data (rules, facts, report
    // template, reminder settings) is not what these commands use, seeding needs the Prisma client,
    // and the next start or any other command seeds; an export from an unseeded database uses the
    // default report template, as loadTemplate does
    const target = parseDatabaseUrl(config.databaseUrl);
    const result = await migrate(target);
    if (result.applied.length) log.info({ applied: result.applied, provider: target.provider }, 'database migrated');
    return (await direct())(rest.slice(1), { target, clock, log, out });
  }
  const { openPreparedDatabase, createAppCore } = await import('./app.ts');
  const database = await openPreparedDatabase(config.databaseUrl, log);
  try {
    const { prepareInvitationKey } = await import('./db/identity-store.ts');
    await prepareInvitationKey(database.db, config, log, clock.now());
    if (area === 'console') {
      const asIndex = rest.indexOf('--as');
      const asMobile = asIndex >= 0 ? rest[asIndex + 1] : undefined;
      if (asIndex >= 0 && !asMobile) {
        out('--as 后面需要手机号，例如：console --as 13800138000');
        return 2;
      }
      const core = createAppCore(database, clock, log);
      const { runConsole, ConsoleIdentityError } = await import('./channels/console.ts');
      try {
        await runConsole({ core, db: database.db, clock, input: io.stdin, output: io.stdout, asMobile, interactive: Boolean((io.stdin as NodeJS.ReadStream).isTTY) });
      } catch (e) {
        if (e instanceof ConsoleIdentityError) {
          out(e.message);
          return 2;
        }
        throw e;
      }
      return 0;
    }
    const run = await AREAS[area]!.load();
    return await run(rest, { db: database.db, clock, log, out });
  } finally {
    await database.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`出错了：${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
