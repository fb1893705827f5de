// Benchmark: what a start costs, against `node -e ''` measured in the same run.
// `tsx test/bench/startup.ts` prints figures (see common.ts). Every process runs the production
// build (dist/, built first if stale) on SQLite, each measured by /usr/bin/time (CPU user+system,
// peak RSS of the largest process), three times, the median kept:
//   - `node -e ''`, the floor every figure is divided by;
//   - the console answering /help (`node dist/bot/cli.js console`, what `npm run gxgc -- console`
//     runs), and the same through npm, whose own start is counted there;
//   - `npm start` on the console up to its prompt (stdin closed at once, so it exits when ready);
//   - `directory summary` of a 600-point directory;
// and the running bot (`node dist/bot/main.js`: Telegram through the Bot API stand-in, scheduler on,
// the 600-point directory) after 5,000 updates of the report dialogue: its RSS from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../bot/db/client.ts';
import { migrate } from '../../bot/db/migrate.ts';
import { bindChat } from '../../bot/core/identity.ts';
import { applyDirectoryImport } from '../../bot/db/directory-store.ts';
import { seedDatabase } from '../../prisma/seed/index.ts';
import { BENCH_TOKEN, emit, figure, generateDirectory, startStandIn, startNodeOptions } from './common.ts';
import { scriptFor } from './report-script.ts';

const POINTS = 600;
const MESSAGES = 5000;
const FIRST_CHAT_ID = 700_000;
const REPEAT = 3;

interface Cost {
  cpuSeconds: number;
  rssMb: number;
}

function measureOnce(command: string[], env: Record<string, string>, input: string): Cost {
  const dir = mkdtempSync(join(tmpdir(), 'gxgc-bench-time-'));
  const timeFile = join(dir, 'time');
  try {
    const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, ...command], { env: { ...process.env, ...env }, input, encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new Error(`${command.join(' ')} failed (${result.status}): ${result.stderr}`);
    const [user, system, maxKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    return { cpuSeconds: user! + system!, rssMb: maxKb! / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(command: string[], env: Record<string, string> = {}, input = ''): Cost {
  const runs = Array.from({ length: REPEAT }, () => measureOnce(command, env, input));
  return { cpuSeconds: median(runs.map((r) => r.cpuSeconds)), rssMb: median(runs.map((r) => r.rssMb)) };
}

function emitCost(name: string, cost: Cost, floor: Cost, targets: { cpu?: number; rss?: number }): void {
  emit(figure(`${name}: CPU`, cost.cpuSeconds, 's', targets.cpu === undefined ? undefined : { op: '<=', bound: targets.cpu }));
  emit(figure(`${name}: CPU / node -e ''`, cost.cpuSeconds / floor.cpuSeconds, 'ratio'));
  emit(figure(`${name}: peak RSS`, cost.rssMb, 'MB', targets.rss === undefined ? undefined : { op: '<=', bound: targets.rss }));
  emit(figure(`${name}: peak RSS / node -e ''`, cost.rssMb / floor.rssMb, 'ratio'));
}

function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function runningBot(databaseUrl: string, chatIds: number[]): Promise<void> {
  const standIn = await startStandIn('inbound');
  const child = spawn(process.execPath, [...startNodeOptions(), 'dist/bot/main.js'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, TELEGRAM_BOT_TOKEN: BENCH_TOKEN, TELEGRAM_API_ROOT: standIn.apiRoot, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    // three seconds for the start (it takes well under one when the machine is idle)
    await new Promise((r) => setTimeout(r, 3000));
    emit(figure('running bot: RSS when started, before any update', rssOf(child.pid!).rssMb, 'MB'));
    const done = standIn.next<{ latencies: number[]; unexpectedReplies: number }>('done');
    standIn.worker.postMessage({ type: 'start', scripts: chatIds.map((id, i) => [id, scriptFor(i)]) });
    const result = await Promise.race([done, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the running bot did not answer every update within 10 minutes')), 600_000))]);
    if (result.latencies.length !== MESSAGES) throw new Error(`expected ${MESSAGES} replies, got ${result.latencies.length}`);
    // a moment for what the last replies left to settle (the outbox worker, timers)
    await new Promise((r) => setTimeout(r, 2000));
    const { rssMb, peakMb } = rssOf(child.pid!);
    emit(figure(`running bot (Telegram, scheduler, ${POINTS} points): RSS after ${MESSAGES.toLocaleString('en')} updates`, rssMb, 'MB', { op: '<=', bound: 150 }));
    emit(figure(`running bot: peak RSS during the ${MESSAGES.toLocaleString('en')} updates`, peakMb, 'MB'));
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await standIn.close();
  }
}

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const dir = mkdtempSync(join(tmpdir(), 'gxgc-bench-startup-'));
  try {
    const floor = measure([process.execPath, '-e', '']);
    emit(figure("node -e '': CPU", floor.cpuSeconds, 's'));
    emit(figure("node -e '': peak RSS", floor.rssMb, 'MB'));

    // an empty database, migrated and seeded by a first start, as after `npm install && npm start`
    const emptyUrl = `file:${join(dir, 'empty.db')}`;
    measureOnce([process.execPath, 'dist/bot/cli.js', 'db', 'migrate'], { DATABASE_URL: emptyUrl }, '');
    measureOnce([process.execPath, 'dist/bot/main.js'], { DATABASE_URL: emptyUrl }, '');
    emitCost('console /help (node dist/bot/cli.js console)', measure([process.execPath, '--enable-source-maps', 'dist/bot/cli.js', 'console'], { DATABASE_URL: emptyUrl }, '/help\n'), floor, { cpu: 0.5, rss: 120 });
    emitCost('console /help through npm run --silent gxgc', measure(['npm', 'run', '--silent', 'gxgc', '--', 'console'], { DATABASE_URL: emptyUrl }, '/help\n'), floor, {});
    emitCost('npm start (console) to its prompt, node dist/bot/main.js', measure([process.execPath, '--enable-source-maps', 'dist/bot/main.js'], { DATABASE_URL: emptyUrl }), floor, { cpu: 1 });
    emitCost('npm start (console) to its prompt, through npm', measure(['npm', 'start', '--silent'], { DATABASE_URL: emptyUrl }), floor, { cpu: 1 });

    // the 600-point directory, its village contacts bound to Telegram chats
    const databaseUrl = `file:${join(dir, 'bot.db')}`;
    const target = { provider: 'sqlite' as const, location: join(dir, 'bot.db') };
    await migrate(target);
    const database = openDatabase(target);
    const contactsNeeded = MESSAGES / 5;
    await seedDatabase(database.db);
    await applyDirectoryImport(database.db, generateDirectory(POINTS, Math.ceil(contactsNeeded / POINTS)), 'bench');
    const contacts = await database.db.contact.findMany({ where: { servicePoint: { level: 'village' } }, orderBy: { id: 'asc' }, select: { id: true }, take: contactsNeeded });
    const chatIds = contacts.map((_, i) => FIRST_CHAT_ID + i);
    for (const [i, contact] of contacts.entries()) await bindChat(database.db, 'telegram', String(chatIds[i]), contact.id, new Date());
    await database.close();

    emitCost(`directory summary of ${POINTS} points`, measure([process.execPath, '--enable-source-maps', 'dist/bot/cli.js', 'directory', 'summary'], { DATABASE_URL: databaseUrl }), floor, { cpu: 0.6 });
    await runningBot(databaseUrl, chatIds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
