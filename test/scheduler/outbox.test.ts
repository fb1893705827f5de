// The outbox worker on both databases: dedupe on enqueue, channel choice, outcomes, retries with
// backoff, blocked chats, lease take-over after a crash, and two workers on one database.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { createOutboxWorker, enqueueOutbox, NOT_BOUND, type OutboxEntry } from '../../scheduler/outbox.ts';
import { createMemorySender } from '../../scheduler/memory-sender.ts';
import { silentLogger } from '../../bot/logger.ts';
import type { Db } from '../../bot/db/client.ts';
import type { ChannelSender } from '../../bot/core/types.ts';

async function contactId(db: Db, mobile: string): Promise<number> {
  return (await db.contact.findUniqueOrThrow({ where: { mobile } })).id;
}

function entry(key: string, contact: number, text = key): OutboxEntry {
  return { dedupeKey: key, contactId: contact, purpose: 'alert', text };
}

describe.each(TEST_PROVIDERS)('outbox on %s', (provider) => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await createTestBot({ provider, now: '2026-11-02T02:00:00Z' });
  });
  afterEach(async () => {
    await bot.close();
  });

  const worker = (senders: ChannelSender[] = [createMemorySender('console')], extra: Partial<Parameters<typeof createOutboxWorker>[0]> = {}) =>
    createOutboxWorker({ db: bot.db, clock: bot.clock, log: silentLogger, senders, instanceId: 'test-a', ...extra });

  it('enqueues a dedupe key once, even from two clients at the same time', async () => {
    const village = await contactId(bot.db, DEMO.shilongVillage1);
    const first = await enqueueOutbox(bot.db, [entry('k:1', village), entry('k:1', village), entry('k:2', village)], bot.clock.now());
    expect(first).toEqual({ created: 2, duplicates: 1 });
    const other = bot.restart().db;
    const batch = Array.from({ length: 40 }, (_, i) => entry(`race:${i}`, village));
    const results = await Promise.all([enqueueOutbox(bot.db, batch, bot.clock.now()), enqueueOutbox(other, [...batch].reverse(), bot.clock.now())]);
    expect(results[0]!.created + results[1]!.created).toBe(40);
    expect(await bot.db.outboxMessage.count({ where: { dedupeKey: { startsWith: 'race:' } } })).toBe(40);
  });

  it('delivers each due row once to the bound chat and records unbound contacts as unreachable', async () => {
    const chat = await bot.chat(DEMO.shilongVillage1);
    const bound = await contactId(bot.db, DEMO.shilongVillage1);
    const unbound = await contactId(bot.db, DEMO.shilongVillage2);
    await enqueueOutbox(bot.db, [entry('a', bound, '你好'), entry('b', unbound)], bot.clock.now());
    const sender = createMemorySender('console');
    const w = worker([sender]);
    expect(await w.runOnce()).toMatchObject({ claimed: 2, delivered: 1, unreachable: 1 });
    expect(sender.sent).toEqual([{ chatId: chat.chatId, reply: { text: '你好' } }]);
    const rows = await bot.db.outboxMessage.findMany({ orderBy: { dedupeKey: 'asc' } });
    expect(rows.map((r) => [r.dedupeKey, r.status, r.channel, r.lastError])).toEqual([
      ['a', 'delivered', 'console', null],
      ['b', 'unreachable', null, NOT_BOUND],
    ]);
    expect(rows[0]!.deliveredAt).toEqual(bot.clock.now());
    expect(await w.runOnce()).toMatchObject({ claimed: 0 });
    expect(sender.sent).toHaveLength(1);
  });

  it('does not count a console session as a chat where no console sender runs', async () => {
    await bot.chat(DEMO.shilongVillage1);
    const consoleOnly = await contactId(bot.db, DEMO.shilongVillage1);
    await enqueueOutbox(bot.db, [entry('c', consoleOnly, '你好')], bot.clock.now());
    expect(await worker([createMemorySender('telegram')]).runOnce()).toMatchObject({ claimed: 1, unreachable: 1 });
    const row = await bot.db.outboxMessage.findFirstOrThrow({ where: { dedupeKey: 'c' } });
    expect([row.status, row.lastError]).toEqual(['unreachable', NOT_BOUND]);
  });

  it('uses the preferred channel, else the most recently seen chat, and skips channels without a sender', async () => {
    const consoleChat = await bot.chat(DEMO.humenTown);
    const telegramChat = await bot.chat(DEMO.humenTown, 'telegram');
    const id = await contactId(bot.db, DEMO.humenTown);
    await bot.db.channelIdentity.updateMany({ where: { externalId: consoleChat.chatId }, data: { lastSeenAt: new Date('2026-11-02T01:00:00Z') } });
    await bot.db.channelIdentity.updateMany({ where: { externalId: telegramChat.chatId }, data: { lastSeenAt: new Date('2026-11-01T01:00:00Z') } });
    const onConsole = createMemorySender('console');
    const onTelegram = createMemorySender('telegram');
    const w = worker([onConsole, onTelegram]);

    await enqueueOutbox(bot.db, [entry('recent', id)], bot.clock.now());
    await w.runOnce();
    expect(onConsole.sent.map((m) => m.reply.text)).toEqual(['recent']);

    await bot.db.contact.update({ where: { id }, data: { preferredChannel: 'telegram' } });
    await enqueueOutbox(bot.db, [entry('preferred', id)], bot.clock.now());
    await w.runOnce();
    expect(onTelegram.sent).toEqual([{ chatId: telegramChat.chatId, reply: { text: 'preferred' } }]);

    // an instance without a telegram sender falls back to the console chat
    await enqueueOutbox(bot.db, [entry('fallback', id)], bot.clock.now());
    await worker([onConsole]).runOnce();
    expect(onConsole.sent.map((m) => m.reply.text)).toEqual(['recent', 'fallback']);
  });

  it('while a channel cannot send (WeChat logged out) uses another chat, or waits without using up attempts', async () => {
    const both = await contactId(bot.db, DEMO.humenTown);
    const wechatOfBoth = await bot.chat(DEMO.humenTown, 'wechat');
    const telegramOfBoth = await bot.chat(DEMO.humenTown, 'telegram');
    await bot.db.contact.update({ where: { id: both }, data: { preferredChannel: 'wechat' } });
    const onlyWechat = await contactId(bot.db, DEMO.humenVillage);
    const wechatOnly = await bot.chat(DEMO.humenVillage, 'wechat');
    let loggedIn = false;
    const wechat = { ...createMemorySender('wechat'), ready: () => loggedIn };
    const wechatSent = wechat.sent;
    const telegram = createMemorySender('telegram');
    const w = worker([wechat, telegram], { channelWaitMs: 60_000, maxAttempts: 2 });

    await enqueueOutbox(bot.db, [entry('alert', both), entry('notice', onlyWechat)], bot.clock.now());
    // far more rounds than maxAttempts: a logout lasts until someone scans the QR code
    for (let round = 0; round < 5; round++) {
      await w.runOnce();
      bot.clock.advance(60_000);
    }
    expect(telegram.sent).toEqual([{ chatId: telegramOfBoth.chatId, reply: { text: 'alert' } }]);
    expect(wechatSent).toEqual([]);
    const waiting = await bot.db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: 'notice' } });
    expect(waiting).toMatchObject({ status: 'pending', attempts: 0 });
    expect(waiting.lastError).toContain('wechat');

    loggedIn = true;
    await w.runOnce();
    expect(wechatSent).toEqual([{ chatId: wechatOnly.chatId, reply: { text: 'notice' } }]);
    expect(await bot.db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: 'notice' } })).toMatchObject({ status: 'delivered', attempts: 1 });
    // the preferred channel is used again once it can send
    await enqueueOutbox(bot.db, [entry('later', both)], bot.clock.now());
    await w.runOnce();
    expect(wechatSent.at(-1)).toEqual({ chatId: wechatOfBoth.chatId, reply: { text: 'later' } });
  });

  it('retries transient failures with exponential backoff, honouring retry-after, then delivers', async () => {
    const chat = await bot.chat(DEMO.guanchengVillage1);
    const id = await contactId(bot.db, DEMO.guanchengVillage1);
    const sender = createMemorySender('console');
    sender.failTransiently(chat.chatId, 2, 120_000);
    const w = worker([sender], { baseBackoffMs: 30_000 });
    await enqueueOutbox(bot.db, [entry('flaky', id)], bot.clock.now());

    expect(await w.runOnce()).toMatchObject({ retried: 1, delivered: 0 });
    let row = await bot.db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: 'flaky' } });
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lockedBy: null });
    expect(row.nextAttemptAt.getTime() - bot.clock.now().getTime()).toBe(120_000);
    expect(row.lastError).toContain('temporary failure');

    bot.clock.advance(119_000);
    expect(await w.runOnce()).toMatchObject({ claimed: 0 });
    bot.clock.advance(1_000);
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    bot.clock.advance(120_000);
    expect(await w.runOnce()).toMatchObject({ delivered: 1 });
    row = await bot.db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: 'flaky' } });
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    expect(sender.sent).toHaveLength(1);
  });

  it('gives up after the maximum attempts, with the reason', async () => {
    const chat = await bot.chat(DEMO.guanchengVillage2);
    const id = await contactId(bot.db, DEMO.guanchengVillage2);
    const sender = createMemorySender('console');
    sender.failTransiently(chat.chatId, 10);
    const w = worker([sender], { maxAttempts: 3, baseBackoffMs: 1_000 });
    await enqueueOutbox(bot.db, [entry('doomed', id)], bot.clock.now());
    for (let i = 0; i < 5; i++) {
      await w.runOnce();
      bot.clock.advance(60_000);
    }
    const row = await bot.db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: 'doomed' } });
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(3);
    expect(row.lastError).toMatch(/^gave up after 3 attempts/);
  });

  it('marks a chat that blocked the bot and stops writing to it', async () => {
    const chat = await bot.chat(DEMO.humenVillage);
    const id = await contactId(bot.db, DEMO.humenVillage);
    const sender = createMemorySender('console');
    sender.markUnreachable(chat.chatId);
    const w = worker([sender]);
    await enqueueOutbox(bot.db, [entry('one', id)], bot.clock.now());
    expect(await w.runOnce()).toMatchObject({ unreachable: 1 });
    const identity = await bot.db.channelIdentity.findFirstOrThrow({ where: { externalId: chat.chatId } });
    expect(identity.blockedAt).toEqual(bot.clock.now());
    sender.unblock(chat.chatId);
    await enqueueOutbox(bot.db, [entry('two', id)], bot.clock.now());
    await w.runOnce();
    expect(sender.sent).toEqual([]);
    const rows = await bot.db.outboxMessage.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.status, r.lastError?.split(':')[0]])).toEqual([
      ['unreachable', 'blocked'],
      ['unreachable', 'blocked'],
    ]);
  });

  it('takes over a row an instance crashed with, only after its lease expired', async () => {
    const chat = await bot.chat(DEMO.shilongSchool);
    const id = await contactId(bot.db, DEMO.shilongSchool);
    await enqueueOutbox(bot.db, [entry('in-flight', id)], bot.clock.now());
    // what a crash leaves behind: claimed by instance "dead", never recorded
    await bot.db.outboxMessage.updateMany({
      where: { dedupeKey: 'in-flight' },
      data: { status: 'sending', lockedBy: 'dead', lockedUntil: new Date(bot.clock.now().getTime() + 5 * 60_000), attempts: 1 },
    });
    const sender = createMemorySender('console');
    const survivor = createOutboxWorker({ db: bot.restart().db, clock: bot.clock, log: silentLogger, senders: [sender], instanceId: 'survivor' });
    expect(await survivor.runOnce()).toMatchObject({ claimed: 0 });
    bot.clock.advance(5 * 60_000 + 1);
    expect(await survivor.runOnce()).toMatchObject({ delivered: 1 });
    expect(sender.sentTo(chat.chatId)).toHaveLength(1);
    expect(await bot.db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: 'in-flight' } })).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('by default sends one message at a time per channel, each recorded before the next is sent, across claims', async () => {
    const mobiles = Object.values(DEMO);
    const chats = new Map<string, number>();
    for (const m of mobiles) chats.set((await bot.chat(m)).chatId, await contactId(bot.db, m));
    const entries = [...chats.values()].flatMap((id) => Array.from({ length: 3 }, (_, i) => entry(`one:${id}:${i}`, id)));
    await enqueueOutbox(bot.db, entries, bot.clock.now());
    const inner = createMemorySender('console');
    let inFlight = 0;
    let mostInFlight = 0;
    const unrecordedAtSend: string[] = [];
    const observed: ChannelSender = {
      channel: inner.channel,
      async send(chatId, reply) {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        // every message sent before this one already has its outcome in the database
        const sentBefore = inner.sent.map((m) => m.reply.text);
        const open = await bot.db.outboxMessage.findMany({ where: { dedupeKey: { in: sentBefore }, status: { not: 'delivered' } }, select: { dedupeKey: true } });
        unrecordedAtSend.push(...open.map((r) => r.dedupeKey));
        await new Promise((resolve) => setTimeout(resolve, 1));
        try {
          await inner.send(chatId, reply);
        } finally {
          inFlight -= 1;
        }
      },
    };
    // several claims of 4 rows in one run: the later ones are made while earlier rows are being sent
    const w = worker([observed], { batchSize: 4 });
    expect(await w.runOnce()).toMatchObject({ claimed: entries.length, delivered: entries.length });
    expect(mostInFlight).toBe(1);
    expect(unrecordedAtSend).toEqual([]);
    expect(inner.sent.map((m) => m.reply.text).sort()).toEqual(entries.map((e) => e.text).sort());
    expect(await bot.db.outboxMessage.count({ where: { status: 'delivered' } })).toBe(entries.length);
  });

  it('two workers on one database deliver every row exactly once', async () => {
    const mobiles = Object.values(DEMO);
    const chats = new Map<number, string>();
    for (const m of mobiles) chats.set(await contactId(bot.db, m), (await bot.chat(m)).chatId);
    const entries = [...chats.keys()].flatMap((id) => Array.from({ length: 5 }, (_, i) => entry(`many:${id}:${i}`, id)));
    await enqueueOutbox(bot.db, entries, bot.clock.now());
    const a = createMemorySender('console');
    const b = createMemorySender('console');
    const wa = createOutboxWorker({ db: bot.db, clock: bot.clock, log: silentLogger, senders: [a], instanceId: 'a', batchSize: 7 });
    const wb = createOutboxWorker({ db: bot.restart().db, clock: bot.clock, log: silentLogger, senders: [b], instanceId: 'b', batchSize: 7 });
    await Promise.all([wa.runOnce(), wb.runOnce(), wa.runOnce(), wb.runOnce()]);
    const texts = [...a.sent, ...b.sent].map((m) => m.reply.text).sort();
    expect(texts).toEqual(entries.map((e) => e.text).sort());
    expect(await bot.db.outboxMessage.count({ where: { status: 'delivered' } })).toBe(entries.length);
  });

  it('start() delivers what is enqueued after a wake, and stop() ends the loop', async () => {
    const chat = await bot.chat(DEMO.operator);
    const id = await contactId(bot.db, DEMO.operator);
    const sender = createMemorySender('console');
    const delivered = new Promise<void>((resolve) => sender.onSend(() => resolve()));
    const w = worker([sender], { pollIntervalMs: 60_000 });
    w.start();
    await enqueueOutbox(bot.db, [entry('woken', id)], bot.clock.now());
    w.wake();
    await delivered;
    await w.stop();
    expect(sender.sentTo(chat.chatId).map((m) => m.reply.text)).toEqual(['woken']);
  });
});
