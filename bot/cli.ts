// gxgc: the operator's command line. `npm run --silent gxgc -- <area> <verb> ...`
// Each area lives beside its capability (commands/<area>/cli.ts) and gets the same dependencies.
import type { Logger } from 'pino';
import { loadConfig, ConfigError } from './config.ts';
import { createLogger } from './logger.ts';
import { openPreparedDatabase, createAppCore } from './app.ts';
import { systemClock, type Clock } from './time.ts';
import type { Db } from './db/client.ts';
import { runConsole, ConsoleIdentityError } from './channels/console.ts';
import { runDirectoryCli } from '../commands/directory/cli.ts';
import { runDbCli } from './db/cli.ts';
import { runRulesCli } from '../commands/standards/cli.ts';
import { runNoticeCli } from '../commands/notice/cli.ts';
import { runRemindersCli } from '../scheduler/cli.ts';
import { runReportCli } from '../commands/report/cli.ts';

export interface CliDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  out: (line: string) => void;
}

type AreaRunner = (argv: string[], deps: CliDeps) => Promise<number>;

const AREAS: Record<string, { run: AreaRunner; summary: string }> = {
  directory: { run: runDirectoryCli, summary: 'directory import|export FILE, directory invite [--mobile M | --town T | --all], directory summary' },
  db: { run: runDbCli, summary: 'db migrate, db seed [--demo]' },
  rules: { run: runRulesCli, summary: 'rules export FILE, rules import FILE (.csv/.xlsx: the annex-1 rules table)' },
  notice: { run: runNoticeCli, summary: 'notice send --title T --body B (--all|--level L|--towns T|--points P) [--yes], notice status ID, notice list' },
  report: { run: runReportCli, summary: 'report status [--month YYYY-MM] [--town T], report export --month YYYY-MM FILE' },
  reminders: { run: runRemindersCli, summary: 'reminders preview --date YYYY-MM-DD, reminders settings, reminders set KEY VALUE' },
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
  const log = createLogger({ level: config.logLevel ?? 'warn' });
  const database = await openPreparedDatabase(config.databaseUrl, log);
  const clock = systemClock;
  try {
    if (area === 'console') {
      const asIndex = rest.indexOf('--as');
      const asMobile = asIndex >= 0 ? rest[asIndex + 1] : undefined;
      if (asIndex >= 0 && !asMobile) {
        out('--as 后面需要手机号，例如：console --as 13800138000');
        return 2;
      }
      const core = createAppCore(database, clock, log);
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
    return await AREAS[area]!.run(rest, { db: database.db, clock, log, out });
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
