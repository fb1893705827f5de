// Starting the channels of `npm start` independently: each one connects on its own, retried with
// backoff and a log line per attempt naming the reason, so Telegram being unreachable at start-up
// neither silences the bot nor holds back WeChat and the scheduler. An error retrying cannot fix
// (a refused token, another instance polling the token) stops that channel with one clear line.
import type { Logger } from 'pino';

export class ChannelFatalError extends Error {
  constructor(
    readonly channel: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChannelFatalError';
  }
}

export interface StartableChannel {
  name: string;
  start(): Promise<void>;
}

export interface StartRetry {
  firstDelayMs: number;
  maxDelayMs: number;
  /** while one attempt has no answer, a line every this often (attempts never overlap) */
  attemptTimeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_START_RETRY: StartRetry = { firstDelayMs: 5_000, maxDelayMs: 5 * 60_000, attemptTimeoutMs: 120_000 };

export type StartOutcome = 'started' | 'fatal' | 'cancelled';

/**
 * Start one channel, trying again after failures until it starts, fails for good, or isCancelled()
 * (shutdown) says to stop. Never rejects.
 */
export async function startWithRetry(channel: StartableChannel, log: Logger, isCancelled: () => boolean, retry: StartRetry = DEFAULT_START_RETRY): Promise<StartOutcome> {
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.()));
  let delay = retry.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    if (isCancelled()) return 'cancelled';
    log.info({ channel: channel.name, attempt }, 'channel starting');
    try {
      await withProgress(channel.start(), retry.attemptTimeoutMs, () => log.warn({ channel: channel.name, attempt }, 'channel start has no answer yet; still waiting'));
      log.info({ channel: channel.name, attempt }, 'channel started');
      return 'started';
    } catch (error) {
      if (error instanceof ChannelFatalError) {
        log.error({ channel: channel.name, reason: error.message }, `${channel.name} channel not started: ${error.message}`);
        return 'fatal';
      }
      log.warn({ channel: channel.name, attempt, retryInMs: delay, reason: error instanceof Error ? error.message : String(error), err: error }, 'channel could not start; retrying');
    }
    await sleep(delay);
    delay = Math.min(delay * 2, retry.maxDelayMs);
  }
}

function withProgress(work: Promise<void>, everyMs: number, progress: () => void): Promise<void> {
  const timer = setInterval(progress, everyMs);
  timer.unref?.();
  return work.finally(() => clearInterval(timer));
}
