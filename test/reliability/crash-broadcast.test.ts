// Issue 7, item 4: the delivering process is killed with SIGKILL at random points of a
// 500-recipient notice, ten times, and started again each time. Afterwards every recipient has the
// notice once, and the only duplicates are the messages that were in flight at a kill — at most one
// per kill.
//
// The process is the real outbox worker with the real Telegram sender (fixtures/broadcast-worker.ts)
// against a Bot API stand-in in this process. The kill is as bad as it gets: the stand-in has
// recorded the message and kills the sender before answering, so the row can only be claimed
// again once its lease has expired. Each restart's clock runs a lease further ahead instead of the
// test sleeping. The worker runs with the production default of one message in flight per channel
// (scheduler/outbox.ts): with n in flight, a kill could leave up to n of them unconfirmed.
import { describe, expect, it } from 'vitest';
import { TEST_PROVIDERS, createTestDatabase } from '../support/database.ts';
import { releaseNotice } from '../../bot/db/notice-store.ts';
import { startBotApiStandIn, type BotApiStandIn } from './support/bot-api-standin.ts';
import { prepareBroadcast } from './support/broadcast.ts';
import { seededRandom } from './support/random.ts';
import { startWorkerProcess, tokenFor, type WorkerProcess } from './support/worker-process.ts';

const RECIPIENTS = 500;
const KILLS = 10;
const LEASE_MS = 60_000;
const SEED = 20261102;

/** KILLS distinct message counts in 1..RECIPIENTS-1, ascending: "kill when the n-th message arrives". */
function killPoints(seed: number): number[] {
  const random = seededRandom(seed);
  const points = new Set<number>();
  while (points.size < KILLS) points.add(1 + random.int(RECIPIENTS - 1));
  return [...points].sort((a, b) => a - b);
}

// the two databases run side by side: the time goes into starting processes, not into this one
describe('a broadcast whose sender is killed ten times', () => {
  it.concurrent.each(TEST_PROVIDERS)('reaches every recipient on %s, with at most one duplicate per kill', async (provider) => {
    const database = await createTestDatabase(provider);
    const standIn = await startBotApiStandIn();
    let current: WorkerProcess | null = null;
    try {
      const { db, target } = database;
      const now = new Date();
      const { noticeId, chatIds } = await prepareBroadcast(db, RECIPIENTS, now);
      expect(await releaseNotice(db, noticeId, now)).toEqual({ recipients: RECIPIENTS, enqueued: RECIPIENTS });
      const text = (await db.outboxMessage.findFirstOrThrow({ where: { noticeId } })).text;

      const points = killPoints(SEED + (provider === 'sqlite' ? 0 : 1));
      let kills = 0;
      standIn.onDeliver(() => {
        if (kills < points.length && standIn.attempts.length >= points[kills]!) {
          kills += 1;
          current!.child.kill('SIGKILL');
          return 'hold';
        }
        return 'answer';
      });

      const runs: string[] = [];
      for (let run = 0; ; run++) {
        expect(run, 'restarts needed').toBeLessThanOrEqual(KILLS);
        current = startWorkerProcess({ target, apiRoot: standIn.apiRoot, token: tokenFor(1), instance: `run-${run}`, clockOffsetMs: run * (LEASE_MS + 1000), leaseMs: LEASE_MS });
        const { code, signal } = await current.exited;
        runs.push(signal ?? String(code));
        if (signal === 'SIGKILL') continue;
        expect(code, current.output()).toBe(0);
        break;
      }

      const received = new Map<string, number>();
      for (const m of standIn.attempts) {
        expect(m.text).toBe(text);
        received.set(m.chatId, (received.get(m.chatId) ?? 0) + 1);
      }
      const duplicates = standIn.attempts.length - received.size;
      console.log(
        `[crash-broadcast ${provider}] recipients ${RECIPIENTS}, kills ${kills} at messages ${points.join(',')}, processes ${runs.length} (${runs.join(' ')}), ` +
          `messages received ${standIn.attempts.length}, distinct recipients ${received.size}, duplicates ${duplicates}`,
      );

      expect(kills).toBe(KILLS);
      expect(runs.filter((r) => r === 'SIGKILL')).toHaveLength(KILLS);
      expect([...received.keys()].sort()).toEqual([...chatIds].sort());
      expect(duplicates).toBeLessThanOrEqual(kills);
      const rows = await db.outboxMessage.groupBy({ by: ['status'], where: { noticeId }, _count: true });
      expect(rows.map((r) => [r.status, r._count])).toEqual([['delivered', RECIPIENTS]]);
    } finally {
      if (current && current.child.exitCode === null && current.child.signalCode === null) current.child.kill('SIGKILL');
      await standIn.close();
      await database.drop();
    }
    // 22 process starts in all; a loaded 2-core machine needs more than the default minute
  }, 180_000);
});
