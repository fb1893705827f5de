// `npm start`: the bot on every configured channel (Telegram, WeChat, WeCom, e-mail); with none
// configured, the console channel on the embedded SQLite database. The only place that reads the environment.
import { hostname } from 'node:os';
import { loadConfig, ConfigError } from './config.ts';
import { createLogger } from './logger.ts';
import { openPreparedDatabase, createAppCore } from './app.ts';
import { systemClock } from './time.ts';
import { runConsole } from './channels/console.ts';
import { createTelegramChannel } from './channels/telegram.ts';
import { createWechatChannel } from './channels/wechat.ts';
import { createWecomChannel } from './channels/wecom.ts';
import { createEmailChannel } from './channels/email.ts';
import { createHttpServer } from './http-server.ts';
import { startScheduler, type RunningScheduler } from '../scheduler/index.ts';
import type { ChannelSender } from './core/types.ts';

interface RunningChannel {
  name: string;
  sender: ChannelSender;
  start(): Promise<void>;
  stop(): Promise<void>;
}

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
  const consoleOnly = !config.telegram && !config.wechat && !config.wecom && !config.email;
  // on the console, logs would mix with the conversation: only warnings unless asked
  const log = createLogger({ level: config.logLevel ?? (consoleOnly ? 'warn' : 'info') });
  const instanceId = config.instanceId ?? `${hostname()}-${process.pid}`;
  const database = await openPreparedDatabase(config.databaseUrl, log);
  const clock = systemClock;
  // the scheduler starts after the channels (it needs their senders); commands wake it through this
  let scheduler: RunningScheduler | null = null;
  const core = createAppCore(database, clock, log, { wakeOutbox: () => scheduler?.wake() });
  log.info({ instanceId, provider: database.target.provider }, 'gxgc-bot starting');

  if (consoleOnly) {
    const asIndex = process.argv.indexOf('--as');
    const asMobile = asIndex >= 0 ? process.argv[asIndex + 1] : undefined;
    process.stdout.write('未配置 Telegram、微信、企业微信或电子邮件，进入控制台模式（数据库：' + database.target.location + '）。\n');
    try {
      await runConsole({ core, db: database.db, clock, input: process.stdin, output: process.stdout, asMobile, interactive: Boolean(process.stdin.isTTY) });
    } finally {
      await database.close();
    }
    return 0;
  }

  const deps = { core, db: database.db, clock, log };
  // one HTTP server on PORT for the Telegram webhook, WeCom's callback and the e-mail acknowledgement page
  const http = createHttpServer({ port: config.port, log });
  const channels: RunningChannel[] = [];
  if (config.telegram) channels.push({ name: 'telegram', ...createTelegramChannel({ ...deps, config: config.telegram, http }) });
  if (config.wechat) channels.push({ name: 'wechat', ...createWechatChannel({ ...deps, config: config.wechat, wakeOutbox: () => scheduler?.wake() }) });
  if (config.wecom) channels.push({ name: 'wecom', ...createWecomChannel({ ...deps, config: config.wecom, http }) });
  if (config.email) channels.push({ name: 'email', ...createEmailChannel({ db: database.db, clock, log, config: config.email, http, publicUrl: config.publicUrl }) });

  const started: RunningChannel[] = [];
  let stopping: Promise<void> | null = null;
  const shutdown = (reason: string): Promise<void> =>
    (stopping ??= (async () => {
      log.info({ reason }, 'gxgc-bot stopping');
      await scheduler?.stop().catch((error: unknown) => log.error({ err: error }, 'scheduler stop failed'));
      for (const channel of [...started].reverse()) await channel.stop().catch((error: unknown) => log.error({ err: error, channel: channel.name }, 'channel stop failed'));
      await http.stop();
      await database.close();
      log.info('gxgc-bot stopped');
    })());

  try {
    for (const channel of channels) {
      await channel.start();
      started.push(channel);
    }
  } catch (error) {
    log.fatal({ err: error }, 'a channel could not start');
    await shutdown('start-up failed');
    throw error;
  }
  scheduler = startScheduler({ db: database.db, clock, log, senders: started.map((c) => c.sender), instanceId });
  log.info({ channels: started.map((c) => c.name) }, 'gxgc-bot running');

  return new Promise<number>(() => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        // a second signal while stopping ends at once
        process.once(signal, () => process.exit(130));
        // exit explicitly: libraries (puppets, throttlers, keep-alive sockets) may leave timers behind
        shutdown(signal).then(
          () => process.exit(0),
          (error: unknown) => {
            log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  });
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
