// Start-up of the proactive side of the bot: the outbox worker and the cron trigger of the
// scheduler tick. bot/main.ts calls startScheduler once the channels are up.
import cron from 'node-cron';
import type { Logger } from 'pino';
import type { Db } from '../bot/db/client.ts';
import { ZONE, type Clock } from '../bot/time.ts';
import type { ChannelSender } from '../bot/core/types.ts';
import { createOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from './outbox.ts';
import { createScheduler, type Scheduler } from './tick.ts';
import type { DailyJob } from '../bot/db/backup.ts';

export { createOutboxWorker, enqueueOutbox } from './outbox.ts';
export { createScheduler } from './tick.ts';
export { createMemorySender } from './memory-sender.ts';

export interface StartSchedulerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  senders: readonly ChannelSender[];
  instanceId: string;
  /** cron expression of the tick, in Asia/Shanghai (default: every minute) */
  tickCron?: string;
  worker?: Partial<Omit<OutboxWorkerOptions, 'db' | 'clock' | 'log' | 'senders' | 'instanceId'>>;
  /** jobs run at every tick that decide themselves whether today's work is done (the daily backup) */
  daily?: readonly DailyJob[];
}

export interface RunningScheduler {
  worker: OutboxWorker;
  scheduler: Scheduler;
  /** wake the worker (CoreServices.wakeOutbox) */
  wake(): void;
  stop(): Promise<void>;
}

export function startScheduler(options: StartSchedulerOptions): RunningScheduler {
  const log = options.log.child({ component: 'scheduler', instance: options.instanceId });
  const worker = createOutboxWorker({ ...options.worker, db: options.db, clock: options.clock, log: options.log, senders: options.senders, instanceId: options.instanceId });
  const scheduler = createScheduler({ db: options.db, clock: options.clock, log: options.log, onEnqueued: () => worker.wake() });
  let ticking: Promise<unknown> | null = null;
  const tick = () => {
    // the tick is idempotent, but overlapping ones would only duplicate work
    if (ticking) return ticking;
    const now = options.clock.now();
    ticking = scheduler
      .tick(now)
      .catch((error: unknown) => log.error({ err: error }, 'scheduler tick failed; the next one retries'))
      .then(() => Promise.all((options.daily ?? []).map((job) => job.run(now))))
      .finally(() => {
        ticking = null;
      });
    return ticking;
  };
  const task = cron.schedule(options.tickCron ?? '* * * * *', () => tick(), { timezone: ZONE, name: `gxgc-tick-${options.instanceId}`, noOverlap: true });
  worker.start();
  // catch up at once on start-up rather than waiting for the first minute
  void tick();
  log.info({ cron: options.tickCron ?? '* * * * *', zone: ZONE, senders: options.senders.map((s) => s.channel) }, 'scheduler started');
  return {
    worker,
    scheduler,
    wake: () => worker.wake(),
    async stop() {
      await task.stop();
      await task.destroy();
      await ticking;
      await worker.stop();
      log.info('scheduler stopped');
    },
  };
}
