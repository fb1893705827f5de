// The outbox: every proactive message is an OutboxMessage row before anything is sent (DESIGN.md
// principle 3). Writers call enqueueOutbox; the worker claims due rows, picks the contact's channel,
// sends through that channel's ChannelSender and records the outcome.
//
// Exactly-once where it can be had: enqueueing a dedupeKey twice is a no-op, and rows are claimed by a
// conditional UPDATE (status and due time re-checked by the database), so two instances never hold
// the same row. A crash after sending and before recording leaves the row 'sending' until its lease
// expires; then it is sent again. Each channel sends one message at a time and records its outcome
// before the next send starts, so the one message in flight is the only possible duplicate.
import type { Logger } from 'pino';
import { sqlOf, type Db } from '../bot/db/client.ts';
import { claimDueOutbox, insertOutboxRows, loadClaimedOutbox, markIdentityBlocked, recordOutboxOutcome, type ClaimedOutboxRow } from '../bot/db/outbox-store.ts';
import type { Clock } from '../bot/time.ts';
import { DeliveryError, type ChannelName, type ChannelSender, type Choice, type Reply } from '../bot/core/types.ts';
import { rememberOfferedChoices } from '../bot/core/conversation.ts';
import type { OutboxPurpose } from './plan-types.ts';
import { NOT_BOUND, routeFor, type Route } from './routing.ts';

export { NOT_BOUND };

export interface OutboxEntry {
  dedupeKey: string;
  contactId: number;
  purpose: OutboxPurpose;
  text: string;
  choices?: Choice[];
  noticeId?: number | null;
  /** not before this instant (default: now) */
  notBefore?: Date;
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/**
 * Write rows for the entries whose dedupeKey is new; the others are left alone. Safe to call
 * concurrently from several instances: a key inserted by another one in between is a duplicate too.
 */
export async function enqueueOutbox(db: Db, entries: readonly OutboxEntry[], now: Date): Promise<{ created: number; duplicates: number }> {
  const seen = new Set<string>();
  const fresh = entries.filter((e) => (seen.has(e.dedupeKey) ? false : (seen.add(e.dedupeKey), true)));
  const { created } = await insertOutboxRows(
    sqlOf(db),
    fresh.map((e) => ({
      dedupeKey: e.dedupeKey,
      contactId: e.contactId,
      purpose: e.purpose,
      noticeId: e.noticeId ?? null,
      text: e.text,
      choices: e.choices ?? [],
      nextAttemptAt: e.notBefore ?? now,
    })),
    now,
  );
  return { created, duplicates: entries.length - created };
}

export interface OutboxWorkerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  senders: readonly ChannelSender[];
  /** distinguishes instances in lockedBy (hostname:pid, or a test's name) */
  instanceId: string;
  /** rows claimed at a time; the next claim is made while the last of them is being sent */
  batchSize?: number;
  /** how long a claim holds; after that another instance may take the row over */
  leaseMs?: number;
  /** attempts before a transiently failing message is given up */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * messages in flight at once per channel (default DEFAULT_CONCURRENCY_PER_CHANNEL, 1: see there);
   * rate limits themselves live in the channel adapters
   */
  concurrencyPerChannel?: Partial<Record<ChannelName, number>>;
  /** how often start() looks for due rows when nobody wakes it (rows written by another process) */
  pollIntervalMs?: number;
  /**
   * A send that has not settled by then counts as a transient failure and is retried later
   * (default: half the lease). A platform that never answers would otherwise hold a lane, and the
   * whole run, forever; and a send outliving its lease could be taken over by another instance.
   */
  sendTimeoutMs?: number;
  /** how long a message waits before looking again at a channel that cannot send (logged out) */
  channelWaitMs?: number;
}

export interface OutboxRunSummary {
  claimed: number;
  delivered: number;
  retried: number;
  failed: number;
  unreachable: number;
}

export interface OutboxWorker {
  /** deliver everything due now; resolves when no due row is left (retries wait for their time) */
  runOnce(): Promise<OutboxRunSummary>;
  start(): void;
  stop(): Promise<void>;
  /** rows were just written: run soon instead of at the next poll */
  wake(): void;
}

/**
 * One message in flight per channel, by default. DESIGN.md principle 3 promises that a crash
 * duplicates at most the one message in flight: a message counts as in flight from the moment it is
 * handed to the sender until its outcome is recorded, and a SIGKILL in that window makes it go out
 * again once its lease expires. With n sends in flight a kill can duplicate n messages. The cost is
 * throughput: a lane's rate is bounded by one send's round trip plus recording it. That is enough for
 * Telegram, whose sender spaces bulk sends 34 ms apart anyway (a round trip to the Bot API plus one
 * UPDATE usually fits), but a slow platform (seconds per send) would deliver that slowly; raise
 * concurrencyPerChannel for it only if duplicating that many messages at a crash is acceptable.
 * Lanes are per channel, so a process serving Telegram and WeChat at once has one message in flight
 * on each: a kill then duplicates at most one message per channel.
 */
export const DEFAULT_CONCURRENCY_PER_CHANNEL = 1;

export function backoffMs(attempts: number, base: number, max: number, retryAfterMs?: number): number {
  const exponential = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.max(exponential, retryAfterMs ?? 0);
}

/**
 * The send, or a transient DeliveryError once it has run for `ms`. The abandoned send is not
 * cancelled (a sender may not support it); whatever it does later is ignored, and the message is
 * retried: at worst the one message in flight arrives twice.
 */
async function withTimeout(send: () => Promise<void>, ms: number, message: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeliveryError(message, 'transient')), ms);
  });
  try {
    // a sender that throws before returning a promise is caught like one that rejects
    await Promise.race([Promise.resolve().then(send), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type ClaimedRow = ClaimedOutboxRow;

type Target = Exclude<Route, { kind: 'send' }> | (Extract<Route, { kind: 'send' }> & { sender: ChannelSender });

/** Rows a batching sender (WeCom) can take in one call: the same reply on the same channel. */
function sameReply(a: ClaimedRow, b: ClaimedRow): boolean {
  return a.text === b.text && a.choices === b.choices;
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, clock, instanceId } = options;
  const sql = sqlOf(db);
  const log = options.log.child({ component: 'outbox', instance: instanceId });
  // a batching sender (WeCom: 1,000 recipients a call) can only batch what was claimed together
  const batchSize = options.batchSize ?? Math.max(50, ...options.senders.map((s) => (s.sendBatch ? (s.maxBatch ?? 0) : 0)));
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const baseBackoffMs = options.baseBackoffMs ?? 30_000;
  const maxBackoffMs = options.maxBackoffMs ?? 3600_000;
  const pollIntervalMs = options.pollIntervalMs ?? 15_000;
  const sendTimeoutMs = options.sendTimeoutMs ?? Math.floor(leaseMs / 2);
  const channelWaitMs = options.channelWaitMs ?? 60_000;
  const senders = new Map<string, ChannelSender>(options.senders.map((s) => [s.channel, s]));

  async function claim(afterId: number): Promise<{ rows: ClaimedRow[]; lastSeenId: number }> {
    const now = clock.now();
    const { ids, lastSeenId } = await claimDueOutbox(sql, { afterId, now, limit: batchSize, instanceId, lockedUntil: new Date(now.getTime() + leaseMs) });
    return { rows: await loadClaimedOutbox(sql, ids), lastSeenId };
  }

  function chooseTarget(row: ClaimedRow): Target {
    const states = new Map([...senders].map(([channel, sender]) => [channel, { ready: sender.ready?.() ?? true }]));
    const route = routeFor(row.contact, states);
    return route.kind === 'send' ? { ...route, sender: senders.get(route.channel)! } : route;
  }

  function replyOf(row: ClaimedRow): { reply: Reply; choices: Choice[] } {
    let choices: Choice[] = [];
    try {
      choices = JSON.parse(row.choices) as Choice[];
    } catch {
      log.warn({ outboxId: row.id }, 'outbox choices are not JSON; sending without them');
    }
    return { reply: choices.length > 0 ? { text: row.text, choices } : { text: row.text }, choices };
  }

  async function deliver(row: ClaimedRow, target: Target, summary: OutboxRunSummary, afterwards: Promise<void>[]): Promise<void> {
    if (target.kind === 'unreachable') {
      await recordOutboxOutcome(sql, row.id, { status: 'unreachable', lastError: target.reason });
      summary.unreachable += 1;
      log.info({ outboxId: row.id, contactId: row.contactId, reason: target.reason }, 'outbox message unreachable');
      return;
    }
    if (target.kind === 'wait') {
      // the channel is down as a whole (a logout needs someone to scan a QR code, which may take
      // hours): the message waits for it without using up its attempts
      const nextAttemptAt = new Date(clock.now().getTime() + channelWaitMs);
      await recordOutboxOutcome(sql, row.id, { status: 'pending', refundAttempt: true, lastError: target.reason, nextAttemptAt });
      summary.retried += 1;
      log.info({ outboxId: row.id, contactId: row.contactId, reason: target.reason }, 'outbox message waits for its channel');
      return;
    }
    if (target.kind === 'failed') {
      await recordOutboxOutcome(sql, row.id, { status: 'failed', lastError: target.reason });
      summary.failed += 1;
      log.warn({ outboxId: row.id, contactId: row.contactId, reason: target.reason }, 'outbox message failed');
      return;
    }
    const { reply, choices } = replyOf(row);
    let failure: unknown = null;
    try {
      await withTimeout(
        () => target.sender.send(target.externalId, reply, { outboxId: row.id, contactId: row.contactId, purpose: row.purpose, noticeId: row.noticeId }),
        sendTimeoutMs,
        `${target.channel} send gave no answer within ${sendTimeoutMs} ms`,
      );
    } catch (error) {
      failure = error;
    }
    await recordSend(row, target, failure, choices, summary, afterwards);
  }

  /** Rows with the same reply for one batching channel, sent in one call; each row's outcome recorded as deliver() would. */
  async function deliverBatch(jobs: { row: ClaimedRow; target: Extract<Target, { kind: 'send' }> }[], summary: OutboxRunSummary, afterwards: Promise<void>[]): Promise<void> {
    const sender = jobs[0]!.target.sender;
    const { reply, choices } = replyOf(jobs[0]!.row);
    let outcomes: Map<string, DeliveryError | null> | null = null;
    let failure: unknown = null;
    try {
      await withTimeout(
        async () => {
          outcomes = await sender.sendBatch!(jobs.map((j) => j.target.externalId), reply);
        },
        sendTimeoutMs,
        `${sender.channel} batch send gave no answer within ${sendTimeoutMs} ms`,
      );
    } catch (error) {
      failure = error;
    }
    const got = outcomes as Map<string, DeliveryError | null> | null;
    for (const job of jobs) {
      const outcome = failure ?? got?.get(job.target.externalId) ?? null;
      await recordSend(job.row, job.target, outcome, choices, summary, afterwards);
    }
  }

  async function recordSend(
    row: ClaimedRow,
    target: Extract<Target, { kind: 'send' }>,
    failure: unknown,
    choices: Choice[],
    summary: OutboxRunSummary,
    afterwards: Promise<void>[],
  ): Promise<void> {
    const where = { channel: target.channel, externalId: target.externalId };
    if (failure !== null) {
      const error = failure;
      const now = clock.now();
      const kind = error instanceof DeliveryError ? error.kind : 'transient';
      const message = error instanceof Error ? error.message : String(error);
      if (kind === 'unreachable') {
        if (target.identityId !== null) await markIdentityBlocked(sql, target.identityId, now);
        await recordOutboxOutcome(sql, row.id, { ...where, status: 'unreachable', lastError: `blocked: ${message}` });
        summary.unreachable += 1;
        log.info({ outboxId: row.id, ...where, err: message }, 'outbox recipient unreachable; identity marked blocked');
        return;
      }
      if (kind === 'permanent' || row.attempts >= maxAttempts) {
        const reason = kind === 'permanent' ? message : `gave up after ${row.attempts} attempts: ${message}`;
        await recordOutboxOutcome(sql, row.id, { ...where, status: 'failed', lastError: reason });
        summary.failed += 1;
        log.warn({ outboxId: row.id, ...where, err: reason }, 'outbox message failed');
        return;
      }
      const retryAfter = error instanceof DeliveryError ? error.retryAfterMs : undefined;
      const wait = backoffMs(row.attempts, baseBackoffMs, maxBackoffMs, retryAfter);
      await recordOutboxOutcome(sql, row.id, { ...where, status: 'pending', lastError: message, nextAttemptAt: new Date(now.getTime() + wait) });
      summary.retried += 1;
      log.info({ outboxId: row.id, ...where, attempts: row.attempts, retryInMs: wait, err: message }, 'outbox delivery will be retried');
      return;
    }
    await recordOutboxOutcome(sql, row.id, { ...where, status: 'delivered', at: clock.now() });
    summary.delivered += 1;
    if (choices.length > 0 && target.channel !== 'email') {
      // so a WeChat or console "1" (or the label typed out) is read as this message's choice. Not
      // awaited before the next send: it is not part of the outcome a crash could lose (the row is
      // already 'delivered'), and two more queries per message would slow the one lane of a broadcast
      afterwards.push(
        rememberOfferedChoices(db, target.channel, target.externalId, choices, clock.now()).catch((error: unknown) =>
          log.warn({ outboxId: row.id, err: error }, 'could not remember the offered choices'),
        ),
      );
    }
    log.debug({ outboxId: row.id, ...where, purpose: row.purpose }, 'outbox message delivered');
  }

  /**
   * Delivery flows continuously: each channel has its own lane of `concurrencyPerChannel` senders
   * pulling from a queue of claimed rows, and when the last queued row starts sending, the next batch
   * is claimed while it is in flight — no lane waits for a whole batch to finish, and at most one
   * batch is held ahead, so another instance still finds rows to claim.
   */
  async function runOnce(): Promise<OutboxRunSummary> {
    const summary: OutboxRunSummary = { claimed: 0, delivered: 0, retried: 0, failed: 0, unreachable: 0 };
    const afterwards: Promise<void>[] = [];
    const queues = new Map<string, { row: ClaimedRow; target: Target }[]>();
    const active = new Map<string, number>();
    const runners = new Set<Promise<void>>();
    // a cursor, so a row retried with a zero backoff is not taken again within the same run
    let afterId = 0;
    let exhausted = false;
    let claiming: Promise<void> | null = null;
    const queued = () => [...queues.values()].reduce((n, q) => n + q.length, 0);

    function refill(): Promise<void> {
      if (exhausted) return Promise.resolve();
      claiming ??= (async () => {
        try {
          for (;;) {
            const { rows, lastSeenId } = await claim(afterId);
            if (lastSeenId === afterId) {
              exhausted = true;
              return;
            }
            afterId = lastSeenId;
            if (rows.length === 0) continue;
            summary.claimed += rows.length;
            for (const row of rows) {
              const target = chooseTarget(row);
              const lane = target.kind === 'send' ? target.channel : '';
              let queue = queues.get(lane);
              if (!queue) queues.set(lane, (queue = []));
              queue.push({ row, target });
            }
            for (const lane of queues.keys()) fillLane(lane);
            return;
          }
        } finally {
          claiming = null;
        }
      })();
      return claiming;
    }

    function fillLane(lane: string): void {
      const limit = lane === '' ? 1 : Math.max(1, options.concurrencyPerChannel?.[lane as ChannelName] ?? DEFAULT_CONCURRENCY_PER_CHANNEL);
      const queue = queues.get(lane) ?? [];
      while ((active.get(lane) ?? 0) < Math.min(limit, queue.length)) {
        active.set(lane, (active.get(lane) ?? 0) + 1);
        const runner: Promise<void> = laneRunner(lane).finally(() => {
          active.set(lane, (active.get(lane) ?? 1) - 1);
          runners.delete(runner);
        });
        runners.add(runner);
      }
    }

    async function laneRunner(lane: string): Promise<void> {
      const queue = queues.get(lane)!;
      for (;;) {
        const job = queue.shift();
        if (!job) {
          if (exhausted) return;
          // other lanes emptied the claimed batch: claim more (another lane's rows start their runners)
          await refill();
          if (queue.length === 0) return;
          continue;
        }
        // the last claimed row is starting: claim the next batch while it is sent
        if (queued() === 0) void refill().catch((error: unknown) => log.error({ err: error }, 'claiming outbox rows failed'));
        try {
          const sender = job.target.kind === 'send' ? job.target.sender : null;
          if (sender?.sendBatch && job.target.kind === 'send') {
            // the same reply to many chats goes in one call: take the queued rows that share it
            const batch = [{ row: job.row, target: job.target }];
            const limit = Math.max(1, sender.maxBatch ?? 1);
            for (let i = 0; i < queue.length && batch.length < limit; ) {
              const next = queue[i]!;
              if (next.target.kind === 'send' && sameReply(next.row, job.row) && !batch.some((b) => b.target.externalId === (next.target as { externalId: string }).externalId)) {
                batch.push({ row: next.row, target: next.target });
                queue.splice(i, 1);
              } else i++;
            }
            await deliverBatch(batch, summary, afterwards);
          } else {
            await deliver(job.row, job.target, summary, afterwards);
          }
        } catch (error) {
          // the row stays 'sending' and is taken again when its lease expires
          log.error({ outboxId: job.row.id, err: error }, 'recording an outbox outcome failed');
        }
      }
    }

    try {
      while (!exhausted) {
        await refill();
        while (runners.size > 0) await Promise.all([...runners]);
      }
    } finally {
      while (runners.size > 0) await Promise.allSettled([...runners]);
      if (claiming) await Promise.allSettled([claiming]);
      await Promise.all(afterwards);
    }
    if (summary.claimed > 0) log.info(summary, 'outbox run finished');
    return summary;
  }

  let running = false;
  let loop: Promise<void> | null = null;
  let wakeRequested = false;
  let interruptSleep: (() => void) | null = null;

  function wake(): void {
    wakeRequested = true;
    interruptSleep?.();
  }

  function start(): void {
    if (running) return;
    running = true;
    loop = (async () => {
      while (running) {
        wakeRequested = false;
        try {
          await runOnce();
        } catch (error) {
          log.error({ err: error }, 'outbox run failed; trying again at the next poll');
        }
        if (!running) break;
        if (wakeRequested) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollIntervalMs);
          interruptSleep = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        interruptSleep = null;
      }
    })();
  }

  async function stop(): Promise<void> {
    running = false;
    interruptSleep?.();
    await loop;
    loop = null;
  }

  return { runOnce, start, stop, wake };
}
