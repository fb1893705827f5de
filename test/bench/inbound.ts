// Benchmark 1, inbound: people sending their monthly report through Telegram, end to end.
// `tsx test/bench/inbound.ts sqlite|postgresql|baseline` prints figures (see common.ts).
//
// The bot is the production one, from the build in dist/ (production.ts): createTelegramChannel
// (grammY, @grammyjs/runner long polling, auto-retry, throttler) → createCore → every capability →
// DirectSql and Prisma → the database, its replies sent back to the Bot API stand-in (a worker
// thread, 127.0.0.1). The baseline is a minimal grammY bot on the same runner and stand-in that
// does one better-sqlite3 INSERT per update and replies.
//
// The mix: 1,000 bound village contacts each send 5 updates, the next one only after the bot's
// reply to the previous one arrives (as a person does):
//   1. the figures in one sentence, numbers varying per contact and field order varying
//      ("服务人次183，开放天数22，开放时长176小时，活动3场") → the summary with 确认/修改/取消 buttons
//   2. the confirmation: typed "1" (even contacts) or the 确认提交 button (odd contacts, a
//      callback_query) → the report is stored (MonthlyReport, revision, audit log) and checked
//      against the annex-1 rules
//   3. the progress question: "/status" or "进度" → the point's own report status
//   4. a correction: the four figures again with other numbers, plus 培训1场 → the summary
//   5. the confirmation the other way (button or "1") → revision 2 is stored
// so 5,000 updates, 2,000 of them writing reports. Afterwards the database must hold 1,000 reports
// at revision 2 and 2,000 revisions, or the run fails.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Bot } from 'grammy';
import { run } from '@grammyjs/runner';
import { productionModules } from './production.ts';
import { scriptFor } from './report-script.ts';
import { BENCH_TOKEN, benchLogger, emit, figure, generateDirectory, percentile, startStandIn, type StandIn } from './common.ts';

const CONTACTS = 1000;
const WARMUP_CONTACTS = 60;
const LATENCY_RATE = 500;
const FIRST_CHAT_ID = 500_000;

interface Done {
  latencies: number[];
  elapsedMs: number;
  unexpectedReplies: number;
}

async function drive(standIn: StandIn, chatIds: number[], offset: number, ratePerSecond?: number): Promise<Done> {
  const done = standIn.next<Done>('done');
  standIn.worker.postMessage({ type: 'start', ratePerSecond, scripts: chatIds.map((id, i) => [id, scriptFor(i + offset)]) });
  return done;
}

/**
 * Three runs of the same script on different contacts: a warm-up (Prisma compiles each query shape
 * on first use), the throughput run (everyone at once: up to 1,000 updates waiting, so its
 * latencies are mostly queueing and are printed for information only), and the latency run, where
 * updates become available at a fixed LATENCY_RATE (half the throughput target), open loop.
 */
/**
 * CPU time of this process's main thread (the bot's; the stand-in is a worker thread), in ms. Unlike
 * the rate it hardly moves when other work loads the machine, so it shows a change on a busy machine.
 */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, fields 14 and 15 of stat(5), in clock ticks of 10 ms
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * GXGC_BENCH_CPU_PROFILE=dir: a V8 CPU profile of the main thread during the throughput run only
 * (not the set-up or the warm-up), written to dir/inbound-<label>.cpuprofile for Chrome's DevTools, and
 * a sampled allocation profile of the same run (.heapprofile: what the garbage collector has to clear).
 */
async function startProfile(): Promise<{ stop(label: string): Promise<void> } | null> {
  const dir = process.env.GXGC_BENCH_CPU_PROFILE;
  if (!dir) return null;
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  // allocations too, including what the young generation collected (the GC's work)
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop(label) {
      const { profile } = await session.post('Profiler.stop');
      const name = `inbound-${label.replace(/\W+/g, '-')}`;
      writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      const { profile: heap } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(join(dir, `${name}.heapprofile`), JSON.stringify(heap));
      session.disconnect();
    },
  };
}

interface InboundTargets {
  rate?: number;
  ratio: number;
  p99Ms: number;
}

// issue 17: ≥ 0.5 of the baseline on SQLite and ≥ 0.35 on PostgreSQL, p99 < 20 ms at 500/s on both
const TARGETS: Record<'sqlite' | 'postgresql', InboundTargets> = { sqlite: { rate: 1000, ratio: 0.5, p99Ms: 20 }, postgresql: { ratio: 0.35, p99Ms: 20 } };

async function phases(standIn: StandIn, label: string, targets: InboundTargets | null): Promise<void> {
  const ids = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);
  await drive(standIn, ids(WARMUP_CONTACTS, FIRST_CHAT_ID + 2 * CONTACTS), 2 * CONTACTS);
  const profile = await startProfile();
  const cpuBefore = mainThreadCpuMs();
  const saturated = await drive(standIn, ids(CONTACTS, FIRST_CHAT_ID), 0);
  const cpuPerUpdate = (mainThreadCpuMs() - cpuBefore) / (CONTACTS * 5);
  await profile?.stop(label);
  const paced = await drive(standIn, ids(CONTACTS, FIRST_CHAT_ID + CONTACTS), CONTACTS, LATENCY_RATE);
  for (const result of [saturated, paced]) {
    if (result.unexpectedReplies) throw new Error(`${result.unexpectedReplies} replies answered no pending update`);
    if (result.latencies.length !== CONTACTS * 5) throw new Error(`expected ${CONTACTS * 5} replies, got ${result.latencies.length}`);
  }
  const busy = [...saturated.latencies].sort((a, b) => a - b);
  const steady = [...paced.latencies].sort((a, b) => a - b);
  const rate = (busy.length / saturated.elapsedMs) * 1000;
  emit(figure(`inbound ${label}: updates per second`, rate, 'updates/s', targets?.rate ? { op: '>=', bound: targets.rate } : undefined));
  if (label !== 'baseline') emit(figure(`inbound ${label}: rate / baseline rate`, rate / baselineRate(), 'ratio', targets ? { op: '>=', bound: targets.ratio } : undefined));
  emit(figure(`inbound ${label}: main-thread CPU per update`, cpuPerUpdate, 'ms'));
  emit(figure(`inbound ${label}: p50 latency at ${LATENCY_RATE} updates/s`, percentile(steady, 50), 'ms'));
  emit(figure(`inbound ${label}: p99 latency at ${LATENCY_RATE} updates/s`, percentile(steady, 99), 'ms', targets ? { op: '<', bound: targets.p99Ms } : undefined));
  emit(figure(`inbound ${label}: p50 latency, 1,000 at once`, percentile(busy, 50), 'ms'));
  emit(figure(`inbound ${label}: p99 latency, 1,000 at once`, percentile(busy, 99), 'ms'));
}

/** run.ts runs the baseline first and hands its rate over */
function baselineRate(): number {
  const rate = Number(process.env.GXGC_BENCH_BASELINE_RATE);
  if (!Number.isFinite(rate) || rate <= 0) throw new Error('GXGC_BENCH_BASELINE_RATE is not set: run the baseline first (npm run bench does)');
  return rate;
}

async function benchBaseline(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gxgc-bench-'));
  const sqlite = new Database(join(dir, 'baseline.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.exec('CREATE TABLE message (id INTEGER PRIMARY KEY, chat_id TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL)');
  const insert = sqlite.prepare('INSERT INTO message (chat_id, text, at) VALUES (?, ?, ?)');
  const standIn = await startStandIn('inbound');
  const bot = new Bot(BENCH_TOKEN, { client: { apiRoot: standIn.apiRoot } });
  bot.on('message', async (ctx) => {
    insert.run(String(ctx.chat.id), ctx.message.text ?? '', Date.now());
    await ctx.reply('已收到');
  });
  bot.on('callback_query:data', async (ctx) => {
    insert.run(String(ctx.chat?.id), ctx.callbackQuery.data, Date.now());
    await ctx.answerCallbackQuery();
    await ctx.reply('已收到');
  });
  await bot.init();
  const runner = run(bot, { runner: { fetch: { allowed_updates: ['message', 'callback_query'] } } });
  await phases(standIn, 'baseline', null);
  await runner.stop();
  await standIn.close();
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
}

async function benchBot(provider: 'sqlite' | 'postgresql'): Promise<void> {
  const log = benchLogger();
  // as bot/main.ts opens it: the WAL checkpointed on a thread of its own
  const { telegram, client, pipeline, identity, time, capabilities, directoryStore, createDatabase } = await productionModules();
  const test = await createDatabase(provider, { walCheckpointThread: { log } });
  try {
    const { db } = test;
    const clock = new time.ManualClock('2026-11-03T02:00:00Z'); // 10:00 in Dongguan; October's reports are due
    const total = 2 * CONTACTS + WARMUP_CONTACTS;
    await directoryStore.applyDirectoryImport(db, generateDirectory(total, 1), 'bench');
    const contacts = await db.contact.findMany({ where: { servicePoint: { level: 'village' } }, orderBy: { id: 'asc' }, select: { id: true } });
    for (let i = 0; i < total; i++) await identity.bindChat(db, 'telegram', String(FIRST_CHAT_ID + i), contacts[i]!.id, clock.now());

    const standIn = await startStandIn('inbound');
    const core = pipeline.createCore({ db, clock, log, capabilities: capabilities.createCapabilities() });
    const channel = telegram.createTelegramChannel({ config: { token: BENCH_TOKEN, apiRoot: standIn.apiRoot, port: 0 }, core, db, clock, log });
    await channel.start();
    // the chats as binding through Telegram leaves them, their role's menu set and recorded, so this
    // start is a restart; GXGC_BENCH_MENUS_UNSET=1: as after the upgrade that added the record, every
    // chat's first message sets its menu once
    if (process.env.GXGC_BENCH_MENUS_UNSET !== '1') {
      await client.sqlOf(db).execute('UPDATE "ChannelIdentity" SET "menuDigest" = ? WHERE "channel" = ?', [telegram.menuDigest(channel.bot.botInfo.id, telegram.menuFor(core, 'pointContact')), 'telegram']);
    }
    // run.ts runs SQLite a second time under the V8 heap flags of `npm start` (smaller heap, more GC
    // work), so the cost of the running bot's memory target shows; the targets are for the defaults
    const heapFlags = process.env.GXGC_BENCH_START_FLAGS === '1';
    const name = `${provider === 'sqlite' ? 'SQLite' : 'PostgreSQL'}${heapFlags ? ", npm start's heap flags" : ''}`;
    await phases(standIn, name, heapFlags ? null : TARGETS[provider]);
    await channel.stop();
    await standIn.close();

    const reports = await db.monthlyReport.findMany({ where: { month: '2026-10' }, select: { revision: true } });
    const revisions = await db.monthlyReportRevision.count({ where: { report: { month: '2026-10' } } });
    const expected = 2 * CONTACTS + WARMUP_CONTACTS;
    const correct = reports.length === expected && reports.every((r) => r.revision === 2) && revisions === 2 * expected;
    emit(figure(`inbound ${provider === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: reports stored correctly (2,000 at revision 2, 4,000 revisions)`, correct ? 1 : 0, 'bool', { op: '==', bound: 1 }));
  } finally {
    await test.drop();
  }
}

const which = process.argv[2];
if (which === 'baseline') await benchBaseline();
else if (which === 'sqlite' || which === 'postgresql') await benchBot(which);
else {
  process.stderr.write('usage: tsx test/bench/inbound.ts sqlite|postgresql|baseline\n');
  process.exit(2);
}
process.exit(0);
