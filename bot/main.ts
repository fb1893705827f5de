// `npm start`: the bot on every configured channel (Telegram, WeChat, WeCom, e-mail); with none
// configured, the console channel on the embedded SQLite database. The only place that reads the environment.
// Each channel (grammY, Wechaty) and the scheduler (node-cron, the outbox) is imported only when it
// runs: Wechaty alone is more than a second of start-up (docs/benchmarks.md).
import { hostname } from 'node:os';
import { loadConfig, ConfigError } from './config.ts';
import { createLogger, scrubSecrets } from './logger.ts';
import { openPreparedDatabase, createAppCore } from './app.ts';
import { systemClock } from './time.ts';
import { createHttpServer } from './http-server.ts';
import { startWithRetry } from './channels/channel-start.ts';
import { startHeartbeat } from './db/heartbeat.ts';
import { dailyBackupJob } from './db/backup.ts';
import { prepareInvitationKey } from './db/identity-store.ts';
import type { RunningScheduler } from '../scheduler/index.ts';
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
  const log = createLogger({ level: config.logLevel ?? (consoleOnly ? 'warn' : 'info'), secrets: config.secrets });
  // a rejection nobody handled (a library's timer, say) is logged through the scrubbing logger, not printed raw
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
  const instanceId = config.instanceId ?? `${hostname()}-${process.pid}`;
  // a long-running bot checkpoints its SQLite WAL on a thread of its own (bot/db/wal-checkpoints.ts)
  const database = await openPreparedDatabase(config.databaseUrl, log, { walCheckpointThread: { log } });
  const clock = systemClock;
  await prepareInvitationKey(database.db, config, log, clock.now());
  // the scheduler needs the channels' senders; commands wake it through this
  let scheduler: RunningScheduler | null = null;
  const core = createAppCore(database, clock, log, { wakeOutbox: () => scheduler?.wake() });
  log.info({ instanceId, provider: database.target.provider }, 'gxgc-bot starting');

  if (consoleOnly) {
    const asIndex = process.argv.indexOf('--as');
    const asMobile = asIndex >= 0 ? process.argv[asIndex + 1] : undefined;
    process.stdout.write('未配置 Telegram、微信、企业微信或电子邮件，进入控制台模式（数据库：' + database.target.location + '）。\n');
    const { runConsole } = await import('./channels/console.ts');
    try {
      await runConsole({ core, db: database.db, clock, input: process.stdin, output: process.stdout, asMobile, interactive: Boolean(process.stdin.isTTY) });
    } finally {
      await database.close();
    }
    return 0;
  }

  const deps = { core, db: database.db, clock, log };
  const channels: RunningChannel[] = [];
  // one HTTP server on PORT for the Telegram webhook, WeCom's callback and the e-mail acknowledgement page
  const http = createHttpServer({ port: config.port, ...(config.telegram?.webhookHost ? { host: config.telegram.webhookHost } : {}), log });
  if (config.telegram) {
    const { createTelegramChannel } = await import('./channels/telegram.ts');
    channels.push({ name: 'telegram', ...createTelegramChannel({ ...deps, config: config.telegram, http }) });
  }
  if (config.wechat) {
    const { createWechatChannel } = await import('./channels/wechat.ts');
    channels.push({ name: 'wechat', ...createWechatChannel({ ...deps, config: config.wechat, sessionName: `${config.dataDir}/gxgc-wechat` }) });
  }
  if (config.wecom) {
    const { createWecomChannel } = await import('./channels/wecom.ts');
    channels.push({ name: 'wecom', ...createWecomChannel({ ...deps, config: config.wecom, http }) });
  }
  if (config.email) {
    const { createEmailChannel } = await import('./channels/email.ts');
    channels.push({ name: 'email', ...createEmailChannel({ db: database.db, clock, log, config: config.email, http, publicUrl: config.publicUrl }) });
  }
  // `gxgc db restore` refuses while this row is fresh
  const heartbeat = startHeartbeat(database.db, instanceId, log);

  let stopping: Promise<void> | null = null;
  // every channel starts on its own and is retried on its own; the scheduler runs meanwhile, and a
  // channel not up yet only makes the outbox wait for it (its sender is not ready)
  const starting = channels.map((channel) => startWithRetry(channel, log, () => stopping !== null));
  const backup = database.target.provider === 'sqlite' && config.backupKeepDays > 0 ? dailyBackupJob({ location: database.target.location, dir: `${config.dataDir}/backups`, keepDays: config.backupKeepDays, log }) : null;
  const { startScheduler } = await import('../scheduler/index.ts');
  scheduler = startScheduler({ db: database.db, clock, log, senders: channels.map((c) => c.sender), instanceId, ...(backup ? { daily: [backup] } : {}) });
  void Promise.all(starting).then((outcomes) => {
    const up = channels.filter((_, i) => outcomes[i] === 'started').map((c) => c.name);
    const down = channels.filter((_, i) => outcomes[i] === 'fatal').map((c) => c.name);
    if (!stopping) log.info({ channels: up, notStarted: down }, up.length ? 'gxgc-bot running' : 'gxgc-bot running without a channel: see the lines above for why');
  });

  const shutdown = (reason: string): Promise<void> =>
    (stopping ??= (async () => {
      log.info({ reason }, 'gxgc-bot stopping');
      await scheduler?.stop().catch((error: unknown) => log.error({ err: error }, 'scheduler stop failed'));
      for (const channel of [...channels].reverse()) await channel.stop().catch((error: unknown) => log.error({ err: error, channel: channel.name }, 'channel stop failed'));
      await http.stop();
      await heartbeat.stop();
      await database.close();
      log.info('gxgc-bot stopped');
    })());

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
    process.stderr.write(scrubSecrets(`gxgc-bot 启动失败：${error instanceof Error ? error.message : String(error)}\n`));
    process.exit(1);
  },
);
