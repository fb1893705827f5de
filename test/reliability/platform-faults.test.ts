// Issue 7, item 8: platform faults — 429 with retry_after, 5xx, a proxy's HTML error page,
// connection resets, requests never answered, 403 "bot was blocked by the user", 400 "chat not
// found", a request Telegram refuses for good. The real outbox worker sends through the real Telegram
// sender (bot/channels/telegram.ts) to a local Bot API stand-in that misbehaves on command. Every
// message must end delivered, or marked unreachable or failed with the reason; none may stay
// pending or be lost, and the worker must never throw. Then the same property for a thousand
// messages through a sender that fails at random in every way a sender can fail.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../bot/channels/telegram.ts';
import { DeliveryError, type ChannelSender } from '../../bot/core/types.ts';
import { createOutboxWorker, enqueueOutbox, type OutboxEntry } from '../../scheduler/outbox.ts';
import { createMemorySender } from '../../scheduler/memory-sender.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { startBotApiStandIn, type BotApiStandIn, type Fault } from './support/bot-api-standin.ts';
import { seededRandom } from './support/random.ts';
import { broadcastDirectory } from './support/broadcast.ts';
import { tokenFor } from './support/worker-process.ts';
import { captureLogs } from '../support/log-capture.ts';

// every log line and console write of this file, checked at the end for the token and the codes issued
const capture = captureLogs();
afterAll(() => {
  capture.stop();
  capture.expectNoSecrets([tokenFor(1)]);
});

const SEND_TIMEOUT_MS = 400;

/** One directory contact per fault; the chat id is what the stand-in sees. */
const CASES: { mobile: string; chatId: string; faults: [Fault, number][]; outcome: 'delivered' | 'unreachable' | 'failed' }[] = [
  { mobile: DEMO.operator, chatId: '9001', faults: [], outcome: 'delivered' },
  { mobile: DEMO.guanchengTown, chatId: '9002', faults: [[{ kind: 'tooManyRequests', retryAfterSeconds: 120 }, 2]], outcome: 'delivered' },
  { mobile: DEMO.guanchengVillage1, chatId: '9003', faults: [[{ kind: 'serverError', status: 500 }, 2], [{ kind: 'serverError', status: 502 }, 1]], outcome: 'delivered' },
  { mobile: DEMO.guanchengVillage2, chatId: '9004', faults: [[{ kind: 'htmlError' }, 2]], outcome: 'delivered' },
  { mobile: DEMO.shilongTown, chatId: '9005', faults: [[{ kind: 'reset' }, 3]], outcome: 'delivered' },
  { mobile: DEMO.shilongVillage1, chatId: '9006', faults: [[{ kind: 'hang' }, 1]], outcome: 'delivered' },
  { mobile: DEMO.shilongVillage2, chatId: '9007', faults: [[{ kind: 'blocked' }, 100]], outcome: 'unreachable' },
  { mobile: DEMO.shilongSchool, chatId: '9008', faults: [[{ kind: 'chatNotFound' }, 1]], outcome: 'unreachable' },
  { mobile: DEMO.humenTown, chatId: '9009', faults: [[{ kind: 'serverError', status: 503 }, 10]], outcome: 'failed' },
  { mobile: DEMO.humenVillage, chatId: '9010', faults: [[{ kind: 'hang' }, 1], [{ kind: 'reset' }, 1], [{ kind: 'tooManyRequests', retryAfterSeconds: 300 }, 1]], outcome: 'delivered' },
];

describe.each(TEST_PROVIDERS)('platform faults on %s', (provider) => {
  let bot: TestBot;
  let standIn: BotApiStandIn;
  beforeEach(async () => {
    bot = await createTestBot({ provider, now: '2026-11-10T02:00:00Z' });
    standIn = await startBotApiStandIn();
  });
  afterEach(async () => {
    await standIn.close();
    await bot.close();
  });

  it('retries or marks every message through the real Telegram sender, and loses none', async () => {
    const entries: OutboxEntry[] = [];
    const contactIds = new Map<string, number>();
    for (const c of CASES) {
      const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: c.mobile } });
      contactIds.set(c.chatId, contact.id);
      await bot.db.channelIdentity.create({ data: { channel: 'telegram', externalId: c.chatId, contactId: contact.id, boundAt: bot.clock.now(), lastSeenAt: bot.clock.now() } });
      for (const [fault, times] of c.faults) standIn.fail(c.chatId, fault, times);
      entries.push({ dedupeKey: `fault:${c.chatId}`, contactId: contact.id, purpose: 'alert', text: `通知 ${c.chatId}` });
    }
    await enqueueOutbox(bot.db, entries, bot.clock.now());

    const telegram = createTelegramChannel({
      config: { token: tokenFor(1), apiRoot: standIn.apiRoot, port: 0 },
      core: { handleMessage: async () => [], commandsFor: () => [] },
      db: bot.db,
      clock: bot.clock,
      log: capture.log,
      // the adapter's own waits between 5xx retries are real seconds; the outbox's backoff runs on the test clock
      retry: { rethrowInternalServerErrors: true },
      throttle: { global: {}, out: {} },
    });
    const worker = createOutboxWorker({
      db: bot.db,
      clock: bot.clock,
      log: capture.log,
      senders: [telegram.sender],
      instanceId: 'faults',
      maxAttempts: 4,
      baseBackoffMs: 30_000,
      sendTimeoutMs: SEND_TIMEOUT_MS,
    });

    const first = await worker.runOnce();
    expect(first.claimed).toBe(CASES.length);
    const waiting = await bot.db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: 'fault:9002' } });
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    // Telegram's retry_after, not the shorter backoff, decides when to try again
    expect(waiting.nextAttemptAt.getTime() - bot.clock.now().getTime()).toBe(120_000);

    // a later message to the chat that blocked the bot: once that is known, nobody tries again
    await enqueueOutbox(bot.db, [{ dedupeKey: 'fault:9007:second', contactId: contactIds.get('9007')!, purpose: 'alert', text: '第二条' }], bot.clock.now());

    for (let round = 0; round < 12; round++) {
      bot.clock.advance(10 * 60_000);
      await worker.runOnce();
    }

    const rows = await bot.db.outboxMessage.findMany({ orderBy: { id: 'asc' } });
    expect(rows.filter((r) => r.status === 'pending' || r.status === 'sending').map((r) => [r.dedupeKey, r.status, r.attempts, r.lastError])).toEqual([]);
    for (const c of CASES) {
      const row = rows.find((r) => r.dedupeKey === `fault:${c.chatId}`)!;
      expect([c.chatId, row.status]).toEqual([c.chatId, c.outcome]);
      if (c.outcome === 'delivered') {
        expect(standIn.delivered.filter((m) => m.chatId === c.chatId).map((m) => m.text), c.chatId).toEqual([`通知 ${c.chatId}`]);
        expect(row.lastError).toBeNull();
      } else {
        expect(row.lastError, c.chatId).toBeTruthy();
        expect(standIn.delivered.filter((m) => m.chatId === c.chatId), `${c.chatId} ${row.lastError}`).toEqual([]);
      }
    }
    expect(rows.find((r) => r.dedupeKey === 'fault:9007')!.lastError).toMatch(/^blocked: .*403.*blocked by the user/);
    expect(rows.find((r) => r.dedupeKey === 'fault:9008')!.lastError).toMatch(/chat not found/);
    expect(rows.find((r) => r.dedupeKey === 'fault:9009')!.lastError).toMatch(/^gave up after 4 attempts: .*503/);
    expect(rows.find((r) => r.dedupeKey === 'fault:9007:second')).toMatchObject({ status: 'unreachable' });
    expect(standIn.attempts.filter((m) => m.chatId === '9007')).toHaveLength(1);
    const blocked = await bot.db.channelIdentity.findFirstOrThrow({ where: { externalId: '9007' } });
    expect(blocked.blockedAt).not.toBeNull();
    // a hung request is abandoned after the send timeout and retried: Telegram may have shown it, so
    // that chat may see the message twice — the one in flight, never more
    for (const chatId of ['9006', '9010']) expect(standIn.attempts.filter((m) => m.chatId === chatId && m.text === `通知 ${chatId}`).length).toBeGreaterThanOrEqual(2);
  });

  it('a thousand messages through a sender failing at random are each delivered once or marked, never lost', async () => {
    const random = seededRandom(8);
    await bot.importDirectory(broadcastDirectory(200));
    const contacts = await bot.db.contact.findMany({ where: { active: true }, orderBy: { id: 'asc' } });
    for (const c of contacts) {
      await bot.db.channelIdentity.create({ data: { channel: 'wechat', externalId: `wx-${c.id}`, contactId: c.id, boundAt: bot.clock.now(), lastSeenAt: bot.clock.now() } });
    }
    const entries: OutboxEntry[] = Array.from({ length: 1000 }, (_, i) => ({ dedupeKey: `random:${i}`, contactId: contacts[i % contacts.length]!.id, purpose: 'alert', text: `消息 ${i}` }));
    await enqueueOutbox(bot.db, entries, bot.clock.now());

    const memory = createMemorySender('wechat');
    const outcomes = { ok: 0, transient: 0, retryAfter: 0, plainError: 0, permanent: 0, unreachable: 0, hang: 0 };
    const flaky: ChannelSender = {
      channel: 'wechat',
      send(chatId, reply) {
        const roll = random.next();
        if (roll < 0.15) return (outcomes.transient++, Promise.reject(new DeliveryError('wechat: temporary failure', 'transient')));
        if (roll < 0.25) return (outcomes.retryAfter++, Promise.reject(new DeliveryError('wechat: slow down', 'transient', 1000 * (1 + random.int(600)))));
        if (roll < 0.3) {
          outcomes.plainError++;
          // not every library throws DeliveryErrors, and some throw before returning a promise
          if (random.next() < 0.5) throw new TypeError('fetch failed: ECONNRESET');
          return Promise.reject(new Error('socket hang up'));
        }
        if (roll < 0.31) return (outcomes.permanent++, Promise.reject(new DeliveryError('wechat: message refused', 'permanent')));
        if (roll < 0.315) return (outcomes.unreachable++, Promise.reject(new DeliveryError('wechat: contact deleted the bot', 'unreachable')));
        if (roll < 0.325) return (outcomes.hang++, new Promise<void>(() => undefined));
        outcomes.ok++;
        return memory.send(chatId, reply);
      },
    };
    const worker = createOutboxWorker({ db: bot.db, clock: bot.clock, log: capture.log, senders: [flaky], instanceId: 'random', batchSize: 100, maxAttempts: 6, baseBackoffMs: 30_000, maxBackoffMs: 3600_000, sendTimeoutMs: 50, concurrencyPerChannel: { wechat: 20 } });
    for (let round = 0; round < 40; round++) {
      await worker.runOnce();
      bot.clock.advance(3600_000);
    }

    const rows = await bot.db.outboxMessage.findMany();
    const count = (status: string) => rows.filter((r) => r.status === status).length;
    const byStatus = { delivered: count('delivered'), unreachable: count('unreachable'), failed: count('failed'), pending: count('pending'), sending: count('sending') };
    console.log(`[platform-faults ${provider}] 1000 messages, sender outcomes ${JSON.stringify(outcomes)}, rows ${JSON.stringify(byStatus)}`);
    expect(rows).toHaveLength(1000);
    expect(byStatus.pending + byStatus.sending).toBe(0);
    for (const row of rows.filter((r) => r.status !== 'delivered')) expect(row.lastError, row.dedupeKey).toBeTruthy();
    // delivered rows and messages the sender took match one to one
    const sent = memory.sent.map((m) => m.reply.text).sort();
    expect(sent).toEqual(rows.filter((r) => r.status === 'delivered').map((r) => r.text).sort());
    expect(new Set(sent).size).toBe(sent.length);
    // a contact that blocked the bot is not written to again: its later messages are unreachable at once
    const blocked = await bot.db.channelIdentity.findMany({ where: { channel: 'wechat', blockedAt: { not: null } }, select: { contactId: true } });
    // (two messages to one chat in flight at once may both learn it)
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.length).toBeLessThanOrEqual(outcomes.unreachable);
    const blockedContacts = new Set(blocked.map((b) => b.contactId));
    for (const row of rows.filter((r) => r.status === 'unreachable')) expect(blockedContacts.has(row.contactId), row.dedupeKey).toBe(true);
    expect(byStatus.delivered).toBeGreaterThan(900);
    for (const kind of Object.keys(outcomes) as (keyof typeof outcomes)[]) expect(outcomes[kind], kind).toBeGreaterThan(0);
  });
});
