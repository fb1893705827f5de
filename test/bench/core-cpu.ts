// The CPU a message of the inbound mix costs, without grammY, HTTP or the stand-in: the five updates
// of report-script.ts through createCore, `chats` contacts at once. Prints the CPU of this process
// and, on PostgreSQL, of its database's server backends, per message. Both hardly move when other
// work loads the machine (the rate does), so interleaved runs of two builds compare them.
// `tsx test/bench/core-cpu.ts postgresql|sqlite [contacts=400] [chats=16]`
import { readFileSync } from 'node:fs';
import pg from 'pg';
import pino from 'pino';
import { createCore } from '../../bot/core/pipeline.ts';
import { bindChat } from '../../bot/core/identity.ts';
import { ManualClock } from '../../bot/time.ts';
import { createCapabilities } from '../../commands/index.ts';
import { applyDirectoryImport } from '../../bot/db/directory-store.ts';
import { createTestDatabase, PG_ADMIN_URL } from '../support/database.ts';
import { scriptFor } from './report-script.ts';
import { generateDirectory } from './common.ts';

const provider = process.argv[2] === 'sqlite' ? 'sqlite' : 'postgresql';
const contacts = Number(process.argv[3] ?? 400);
const chats = Number(process.argv[4] ?? 16);
const WARMUP = 60;

const processCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const mainThreadCpuMs = () => cpuOfProcesses([process.pid], 'task');

/** utime + stime of these processes, in ms (clock ticks of 10 ms) */
function cpuOfProcesses(pids: readonly number[], of: 'process' | 'task' = 'process'): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(of === 'task' ? `/proc/self/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // a backend that ended
    }
  }
  return ticks * 10;
}

const test = await createTestDatabase(provider);
try {
  const { db } = test;
  const clock = new ManualClock('2026-11-03T02:00:00Z');
  await applyDirectoryImport(db, generateDirectory(contacts + WARMUP, 1), 'bench');
  const rows = await db.contact.findMany({ where: { servicePoint: { level: 'village' } }, orderBy: { id: 'asc' }, select: { id: true } });
  for (let i = 0; i < contacts + WARMUP; i++) await bindChat(db, 'telegram', String(500_000 + i), rows[i]!.id, clock.now());
  // as benchLogger writes, but opened at once: a short run can end before an asynchronous destination opens
  const log = pino({ level: 'info', base: { app: 'gxgc-bot' } }, pino.destination({ dest: '/dev/null', sync: true }));
  const core = createCore({ db, clock, log, capabilities: createCapabilities() });
  async function drive(from: number, count: number): Promise<void> {
    let next = from;
    await Promise.all(
      Array.from({ length: chats }, async () => {
        while (next < from + count) {
          const k = next++;
          let offered: string[] = [];
          for (const step of scriptFor(k)) {
            const message = step.kind === 'text' ? { text: step.text } : { choice: offered[0] ?? step.fallback };
            const replies = await core.handleMessage({ channel: 'telegram', chatId: String(500_000 + k), displayName: 'bench', ...message });
            offered = replies.flatMap((r) => r.choices?.map((c) => c.value) ?? []);
          }
        }
      }),
    );
  }
  await drive(contacts, WARMUP);
  let backends: number[] = [];
  if (provider === 'postgresql') {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const name = new URL(test.target.location).pathname.slice(1);
    backends = (await admin.query<{ pid: number }>('SELECT "pid" FROM pg_stat_activity WHERE "datname" = $1', [name])).rows.map((r) => r.pid);
    await admin.end();
  }
  const before = { bot: processCpuMs(), main: mainThreadCpuMs(), server: cpuOfProcesses(backends), at: performance.now() };
  await drive(0, contacts);
  const messages = contacts * 5;
  const bot = ((processCpuMs() - before.bot) / messages) * 1000;
  const main = ((mainThreadCpuMs() - before.main) / messages) * 1000;
  const server = ((cpuOfProcesses(backends) - before.server) / messages) * 1000;
  const rate = (messages / (performance.now() - before.at)) * 1000;
  process.stdout.write(`${provider}: ${bot.toFixed(0)} µs of this process's CPU per message (its main thread ${main.toFixed(0)})${provider === 'postgresql' ? `, ${server.toFixed(0)} µs of its ${backends.length} server backends'` : ''}; ${rate.toFixed(0)} messages/s\n`);
} finally {
  await test.drop();
}
process.exit(0);
