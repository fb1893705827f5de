// A whole month of the schedule in milliseconds: a tick and a delivery run every hour on a manual
// clock, with reports and an acknowledgement arriving in between, a crash after enqueueing and a
// restart in the middle, and (second case) two scheduler+worker instances on one database at once.
// Every reminder stage must reach exactly the right people exactly once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { createOutboxWorker, type OutboxWorker } from '../../scheduler/outbox.ts';
import { createScheduler, type Scheduler } from '../../scheduler/tick.ts';
import { createMemorySender, type MemorySender } from '../../scheduler/memory-sender.ts';
import { acknowledgeNotice, createNotice } from '../../bot/db/notice-store.ts';
import { fromLocal } from '../../bot/time.ts';
import { silentLogger } from '../../bot/logger.ts';
import type { Db } from '../../bot/db/client.ts';
import { assessmentColumns } from '../../bot/db/report-store.ts';

type Mobile = (typeof DEMO)[keyof typeof DEMO];

interface Instance {
  scheduler: Scheduler;
  worker: OutboxWorker;
  sender: MemorySender;
}

function instance(bot: TestBot, db: Db, name: string): Instance {
  const sender = createMemorySender('console');
  const worker = createOutboxWorker({ db, clock: bot.clock, log: silentLogger, senders: [sender], instanceId: name, batchSize: 5 });
  const scheduler = createScheduler({ db, clock: bot.clock, log: silentLogger, onEnqueued: () => worker.wake() });
  return { scheduler, worker, sender };
}

async function report(db: Db, mobile: Mobile, status: 'reported' | 'noNewData', at: Date): Promise<void> {
  const contact = await db.contact.findUniqueOrThrow({ where: { mobile } });
  await db.monthlyReport.create({
    // no figures: the assessment columns stay null, as the report store leaves them for {}
    data: { servicePointId: contact.servicePointId, month: '2026-10', status, figures: '{}', ...assessmentColumns({}), submittedAt: at, firstSubmittedAt: at, submittedByContactId: contact.id },
  });
}

/** What each person must have received over the month, by the bracketed tag of each message. */
const EXPECTED: Record<Mobile, string[]> = {
  [DEMO.operator]: ['月报汇总'],
  [DEMO.operator2]: ['月报汇总'],
  // reported on the 1st: only the first reminder; its villages are missing on the 4th
  [DEMO.guanchengTown]: ['月报提醒', '辖区月报未报名单'],
  [DEMO.guanchengVillage1]: ['月报提醒', '月报再次提醒'],
  // reports on the 5th, after every stage it gets
  [DEMO.guanchengVillage2]: ['月报提醒', '月报再次提醒'],
  [DEMO.shilongTown]: ['月报提醒', '月报再次提醒', '辖区月报未报名单', '资源发放通知', '通知提醒', '通知未确认名单'],
  [DEMO.shilongVillage1]: ['月报提醒', '资源发放通知'],
  [DEMO.shilongVillage2]: ['月报提醒', '月报再次提醒', '资源发放通知', '通知提醒'],
  [DEMO.shilongSchool]: ['月报提醒', '月报再次提醒', '资源发放通知', '通知提醒'],
  [DEMO.humenTown]: ['月报提醒', '月报再次提醒', '辖区月报未报名单'],
  // says 本月无新增 on the 3rd after the second reminder went out
  [DEMO.humenVillage]: ['月报提醒', '月报再次提醒'],
  [DEMO.humenEnterprise]: ['月报提醒', '月报再次提醒'],
};

describe.each(TEST_PROVIDERS)('a simulated month on %s', (provider) => {
  let bot: TestBot;
  let chatOf: Map<string, Mobile>;
  let noticeId: number;

  beforeEach(async () => {
    bot = await createTestBot({ provider, now: '2026-10-31T12:00:00Z' });
    chatOf = new Map();
    for (const mobile of Object.values(DEMO)) chatOf.set((await bot.chat(mobile)).chatId, mobile);
    const notice = await createNotice(
      bot.db,
      {
        title: '视频讲座资源发放',
        body: '本期新增视频讲座。',
        fetchMethod: 'hardDisk',
        fetchAddress: '东莞图书馆',
        deadline: '2026-11-20',
        audience: { kind: 'towns', values: ['石龙镇'] },
        scheduledFor: fromLocal(2026, 11, 10, 10).toISOString(),
      },
      null,
      bot.clock.now(),
    );
    noticeId = notice.id;
  });
  afterEach(async () => {
    await bot.close();
  });

  /** Every hour of November, with the month's events; `step` runs the instances for one hour. */
  async function runMonth(step: (at: Date) => Promise<void>, onHour?: (day: number, hour: number) => void): Promise<void> {
    for (let day = 1; day <= 30; day++) {
      for (let hour = 0; hour < 24; hour++) {
        const at = fromLocal(2026, 11, day, hour);
        bot.clock.set(at);
        onHour?.(day, hour);
        if (day === 1 && hour === 12) {
          await report(bot.db, DEMO.shilongVillage1, 'reported', at);
          await report(bot.db, DEMO.guanchengTown, 'reported', at);
        }
        if (day === 3 && hour === 12) await report(bot.db, DEMO.humenVillage, 'noNewData', at);
        if (day === 5 && hour === 10) await report(bot.db, DEMO.guanchengVillage2, 'reported', at);
        if (day === 12 && hour === 15) {
          const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.shilongVillage1 } });
          expect(await acknowledgeNotice(bot.db, noticeId, contact.id, at)).toBe('acknowledged');
        }
        await step(at);
      }
    }
  }

  function received(senders: MemorySender[]): Record<string, string[]> {
    const got: Record<string, string[]> = Object.fromEntries(Object.values(DEMO).map((m) => [m, []]));
    for (const sender of senders) {
      for (const m of sender.sent) got[chatOf.get(m.chatId)!]!.push(/^【(.+?)】/.exec(m.reply.text)![1]!);
    }
    return got;
  }

  async function expectEverythingDelivered(): Promise<void> {
    const rows = await bot.db.outboxMessage.groupBy({ by: ['status'], _count: true });
    expect(rows.map((r) => [r.status, r._count])).toEqual([['delivered', Object.values(EXPECTED).flat().length]]);
  }

  it('sends each stage once to the right people, across a crash and restarts', async () => {
    let current = instance(bot, bot.db, 'first');
    const senders = [current.sender];
    await runMonth(async (at) => {
      const local = at.getTime();
      await current.scheduler.tick(at);
      // the process dies right after the 1st's reminders were enqueued, before delivering them
      if (local === fromLocal(2026, 11, 1, 9).getTime()) {
        current = instance(bot, bot.restart().db, 'second');
        senders.push(current.sender);
        return;
      }
      if (local === fromLocal(2026, 11, 15, 0).getTime()) {
        current = instance(bot, bot.restart().db, 'third');
        senders.push(current.sender);
      }
      await current.worker.runOnce();
    });
    const got = received(senders);
    for (const [mobile, tags] of Object.entries(EXPECTED)) expect([mobile, got[mobile]!.sort()]).toEqual([mobile, [...tags].sort()]);
    expect(senders[0]!.sent).toEqual([]);
    await expectEverythingDelivered();

    const escalation = senders.flatMap((s) => s.sent).find((m) => m.reply.text.startsWith('【通知未确认名单】'))!;
    expect(escalation.reply.text).toContain('· 示例二村');
    expect(escalation.reply.text).toContain('· 示例中学');
    expect(escalation.reply.text).not.toContain('示例一村');
    const summary = senders.flatMap((s) => s.sent).find((m) => m.reply.text.startsWith('【月报汇总】'))!;
    expect(summary.reply.text).toContain('应报 10 个服务点：已报 3，无新增 1，未报 6');
  });

  it('two scheduler+worker instances running concurrently send each message exactly once', async () => {
    const a = instance(bot, bot.db, 'a');
    const b = instance(bot, bot.restart().db, 'b');
    await runMonth(async (at) => {
      await Promise.all([a.scheduler.tick(at), b.scheduler.tick(at)]);
      await Promise.all([a.worker.runOnce(), b.worker.runOnce()]);
    });
    const got = received([a.sender, b.sender]);
    for (const [mobile, tags] of Object.entries(EXPECTED)) expect([mobile, got[mobile]!.sort()]).toEqual([mobile, [...tags].sort()]);
    await expectEverythingDelivered();
    // both did real work, so the exactly-once above was contested, not one instance idling
    expect(a.sender.sent.length).toBeGreaterThan(0);
    expect(b.sender.sent.length).toBeGreaterThan(0);
  });
});
