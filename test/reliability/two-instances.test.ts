// Issue 7, item 5: two instances on one PostgreSQL deliver a broadcast exactly once. Two real
// processes (fixtures/broadcast-worker.ts) both release the same scheduled notice, as their
// scheduler ticks would, and both run the outbox worker with the production concurrency against
// one Bot API stand-in. Neither may answer alone: the stand-in holds each instance's first message
// until the other one has sent one, so the exactly-once below is contested, not one instance idling.
//
// The simulated month of reminders (and a scheduled notice) with two concurrent scheduler+worker
// instances is test/scheduler/month.test.ts ("two scheduler+worker instances running concurrently
// send each message exactly once"), which runs on PostgreSQL as well as SQLite.
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.ts';
import { startBotApiStandIn } from './support/bot-api-standin.ts';
import { prepareBroadcast } from './support/broadcast.ts';
import { startWorkerProcess, tokenFor } from './support/worker-process.ts';

const RECIPIENTS = 500;

describe('two instances on one PostgreSQL', () => {
  it('release and deliver a scheduled broadcast exactly once', async () => {
    const database = await createTestDatabase('postgresql');
    const standIn = await startBotApiStandIn();
    try {
      const { db, target } = database;
      const now = new Date();
      const { noticeId, chatIds } = await prepareBroadcast(db, RECIPIENTS, now, new Date(now.getTime() + 60_000));
      expect(await db.outboxMessage.count()).toBe(0);
      // both processes start two minutes later, when the notice is due

      const tokens = [tokenFor(1), tokenFor(2)];
      const seen = new Set<string>();
      let bothSeen: () => void = () => undefined;
      const barrier = new Promise<void>((resolve) => (bothSeen = resolve));
      standIn.onDeliver((m) => {
        seen.add(m.token);
        if (seen.size === tokens.length) bothSeen();
        return barrier;
      });

      const workers = tokens.map((token, i) =>
        startWorkerProcess({ target, apiRoot: standIn.apiRoot, token, instance: `instance-${i + 1}`, releaseDue: true, clockOffsetMs: 120_000 }),
      );
      const exits = await Promise.all(workers.map((w) => w.exited));
      exits.forEach((exit, i) => expect(exit, workers[i]!.output()).toEqual({ code: 0, signal: null }));

      const perChat = new Map<string, number>();
      for (const m of standIn.attempts) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
      const byInstance = tokens.map((t) => standIn.delivered.filter((m) => m.token === t).length);
      console.log(`[two-instances postgresql] recipients ${RECIPIENTS}, messages ${standIn.attempts.length}, by instance ${byInstance.join(' + ')}, duplicates ${standIn.attempts.length - perChat.size}`);

      expect([...perChat.keys()].sort()).toEqual([...chatIds].sort());
      expect(standIn.attempts).toHaveLength(RECIPIENTS);
      expect(byInstance.every((n) => n > 0)).toBe(true);
      expect(await db.noticeRecipient.count({ where: { noticeId } })).toBe(RECIPIENTS);
      const rows = await db.outboxMessage.groupBy({ by: ['status'], _count: true });
      expect(rows.map((r) => [r.status, r._count])).toEqual([['delivered', RECIPIENTS]]);
      expect(await db.notice.findUniqueOrThrow({ where: { id: noticeId } })).toMatchObject({ status: 'sent' });
    } finally {
      await standIn.close();
      await database.drop();
    }
  });
});
