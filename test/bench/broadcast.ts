// Benchmark 2, broadcast: one notice to 2,000 contacts through the production path: releaseNotice
// writes the recipients and outbox rows, the outbox worker (default options, as startScheduler
// runs it: one message in flight per channel) delivers them through the real Telegram sender (grammY, the throttler's 30/s overall
// and 1/s per chat, auto-retry) to a Bot API stand-in that enforces Telegram's limits itself:
// more than 30 accepted messages in any 1-second window, or two to one chat within a second, get
// 429 with retry_after 1. `tsx test/bench/broadcast.ts sqlite|postgresql` prints figures.
import { createTelegramChannel } from '../../bot/channels/telegram.ts';
import { bindChat } from '../../bot/core/identity.ts';
import type { ChannelSender } from '../../bot/core/types.ts';
import { systemClock } from '../../bot/time.ts';
import { applyDirectoryImport } from '../../bot/db/directory-store.ts';
import { createNotice, releaseNotice } from '../../bot/db/notice-store.ts';
import { createOutboxWorker } from '../../scheduler/outbox.ts';
import { createTestDatabase } from '../support/database.ts';
import { BENCH_TOKEN, benchLogger, emit, figure, generateDirectory, startStandIn } from './common.ts';

const RECIPIENTS = 2000;
const CAP = 30;
const FIRST_CHAT_ID = 700_000;

interface Stats {
  tooMany: number;
  perChat: [number, number][];
  first: number | null;
  last: number | null;
  acceptedTimes: number[];
}

function describeSpread(values: number[]): string {
  if (values.length === 0) return 'none';
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `mean ${mean.toFixed(1)} ms, p50 ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)}, max ${sorted.at(-1)!.toFixed(1)} ms (n ${values.length})`;
}

/** Where the time between accepted messages went: the throttler's 34 ms spacing, or stalls. */
function describeGaps(times: number[]): string {
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  if (gaps.length === 0) return 'no gaps';
  const sorted = [...gaps].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  const total = gaps.reduce((a, b) => a + b, 0);
  const stalls = gaps.filter((g) => g >= 500);
  const slow = gaps.filter((g) => g > 40 && g < 500);
  return (
    `gaps between accepted messages: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1)!.toFixed(0)} ms; ` +
    `${stalls.length} stalls of 0.5 s or more (${stalls.reduce((a, b) => a + b, 0).toFixed(0)} ms), ${slow.length} gaps of 41-499 ms ` +
    `(${slow.reduce((a, b) => a + b, 0).toFixed(0)} ms), of ${total.toFixed(0)} ms in all`
  );
}

async function bench(provider: 'sqlite' | 'postgresql'): Promise<void> {
  const label = provider === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const test = await createTestDatabase(provider);
  const standIn = await startStandIn('broadcast', { globalPerSecond: CAP, perChatPerSecond: 1 });
  try {
    const { db } = test;
    const clock = systemClock;
    const log = benchLogger();
    await applyDirectoryImport(db, generateDirectory(RECIPIENTS, 1), 'bench');
    const contacts = await db.contact.findMany({ where: { servicePoint: { level: 'village' } }, orderBy: { id: 'asc' }, select: { id: true } });
    for (let i = 0; i < RECIPIENTS; i++) await bindChat(db, 'telegram', String(FIRST_CHAT_ID + i), contacts[i]!.id, clock.now());

    const channel = createTelegramChannel({ config: { token: BENCH_TOKEN, apiRoot: standIn.apiRoot, port: 0 }, core: { handleMessage: async () => [], commandsFor: () => [] }, db, clock, log });
    const notice = await createNotice(
      db,
      { title: '第三批资源发放', body: '请各服务点于本月内到市支中心拷贝第三批共享工程资源。', fetchMethod: 'hardDisk', fetchAddress: '东莞图书馆', deadline: null, audience: { kind: 'level', values: ['village'] }, scheduledFor: null },
      null,
      clock.now(),
    );
    const released = await releaseNotice(db, notice.id, clock.now());
    if (released.enqueued !== RECIPIENTS) throw new Error(`expected ${RECIPIENTS} outbox rows, got ${released.enqueued}`);

    // the same sender, timed: how long each send took (throttler wait, round trip, auto-retry) and
    // how long the outbox took between one send's answer and the next send (recording, claiming)
    const timing = { sends: [] as number[], between: [] as number[], lastAnswer: null as number | null };
    const timedSender: ChannelSender = {
      channel: channel.sender.channel,
      async send(chatId, reply) {
        const started = performance.now();
        if (timing.lastAnswer !== null) timing.between.push(started - timing.lastAnswer);
        try {
          await channel.sender.send(chatId, reply);
        } finally {
          timing.lastAnswer = performance.now();
          timing.sends.push(timing.lastAnswer - started);
        }
      },
    };
    const worker = createOutboxWorker({ db, clock, log, senders: [timedSender], instanceId: 'bench', pollIntervalMs: 1000 });
    worker.start();
    const deadline = Date.now() + 240_000;
    let open = RECIPIENTS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      open = await db.outboxMessage.count({ where: { noticeId: notice.id, status: { in: ['pending', 'sending'] } } });
      if (open === 0) break;
    }
    await worker.stop();
    const statusCounts = await db.outboxMessage.groupBy({ by: ['status'], where: { noticeId: notice.id }, _count: true });

    const statsReply = standIn.next<Stats>('broadcastStats');
    standIn.worker.postMessage({ type: 'broadcastStats' });
    const stats = await statsReply;
    const perChat = new Map(stats.perChat);
    let lost = 0;
    let duplicated = 0;
    for (let i = 0; i < RECIPIENTS; i++) {
      const n = perChat.get(FIRST_CHAT_ID + i) ?? 0;
      if (n === 0) lost++;
      if (n > 1) duplicated += n - 1;
    }
    const accepted = [...perChat.values()].reduce((a, b) => a + b, 0);
    // accepted messages over the time from the first to the last, against Telegram's 30/s
    const seconds = stats.first !== null && stats.last !== null ? (stats.last - stats.first) / 1000 : Infinity;
    const rate = (accepted - 1) / seconds;
    emit(figure(`broadcast ${label}: sustained rate / 30 per s cap`, rate / CAP, 'ratio', { op: '>=', bound: 0.95 }));
    emit(figure(`broadcast ${label}: messages per second`, rate, 'msg/s'));
    emit(figure(`broadcast ${label}: 429 answers`, stats.tooMany, 'count'));
    emit(figure(`broadcast ${label}: lost messages`, lost, 'count', { op: '==', bound: 0 }));
    emit(figure(`broadcast ${label}: duplicated messages`, duplicated, 'count', { op: '==', bound: 0 }));
    process.stderr.write(`broadcast ${label}: ${describeGaps(stats.acceptedTimes)}\n`);
    process.stderr.write(`broadcast ${label}: each send (throttler wait + round trip + retries) ${describeSpread(timing.sends)}\n`);
    process.stderr.write(`broadcast ${label}: outbox between an answer and the next send ${describeSpread(timing.between)}\n`);
    process.stderr.write(`broadcast ${label}: outbox rows by status ${JSON.stringify(statusCounts.map((s) => [s.status, s._count]))}, ${open} still open\n`);
  } finally {
    await standIn.close();
    await test.drop();
  }
}

const which = process.argv[2];
if (which === 'sqlite' || which === 'postgresql') await bench(which);
else {
  process.stderr.write('usage: tsx test/bench/broadcast.ts sqlite|postgresql\n');
  process.exit(2);
}
process.exit(0);
