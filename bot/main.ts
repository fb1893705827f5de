// `npm start`: the bot on every configured channel (Telegram, WeChat); with none configured, the
// console channel on the embedded SQLite database. The only place that reads the environment.
import { hostname } from 'node:os';
import { loadConfig, ConfigError } from './config.ts';
import { createLogger } from './logger.ts';
import { openPreparedDatabase, createAppCore } from './app.ts';
import { systemClock } from './time.ts';
import { runConsole } from './channels/console.ts';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`gxgc-bot 无法启动，环境变量有误 / cannot start, ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const consoleOnly = !config.telegram && !config.wechat;
  // on the console, logs would mix with the conversation: only warnings unless asked
  const log = createLogger({ level: config.logLevel ?? (consoleOnly ? 'warn' : 'info') });
  const instanceId = config.instanceId ?? `${hostname()}-${process.pid}`;
  const database = await openPreparedDatabase(config.databaseUrl, log);
  const clock = systemClock;
  const core = createAppCore(database, clock, log);
  log.info({ instanceId, provider: database.target.provider }, 'gxgc-bot starting');

  if (consoleOnly) {
    const asIndex = process.argv.indexOf('--as');
    const asMobile = asIndex >= 0 ? process.argv[asIndex + 1] : undefined;
    process.stdout.write('未配置 Telegram 或微信，进入控制台模式（数据库：' + database.target.location + '）。\n');
    try {
      await runConsole({ core, db: database.db, clock, input: process.stdin, output: process.stdout, asMobile, interactive: Boolean(process.stdin.isTTY) });
    } finally {
      await database.close();
    }
    return 0;
  }
  throw new Error('Telegram and WeChat channels are not wired yet');
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`gxgc-bot 启动失败：${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
