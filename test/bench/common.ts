// Shared pieces of the benchmarks: the Bot API stand-in worker, the generated directory, figures.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import type { Logger } from 'pino';
import type { DirectoryRow } from '../../commands/directory/rows.ts';

export const BENCH_TOKEN = '123456789:bench-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaa';

export interface Figure {
  figure: string;
  value: number;
  unit: string;
  /** e.g. ">= 1000", "< 20"; empty when the figure is informative only */
  target: string;
  met: boolean | null;
}

export function figure(name: string, value: number, unit: string, target?: { op: '>=' | '<' | '<=' | '=='; bound: number }): Figure {
  const rounded = Math.round(value * 1000) / 1000;
  if (!target) return { figure: name, value: rounded, unit, target: '', met: null };
  const met =
    target.op === '>=' ? value >= target.bound : target.op === '<' ? value < target.bound : target.op === '<=' ? value <= target.bound : value === target.bound;
  return { figure: name, value: rounded, unit, target: `${target.op} ${target.bound}`, met };
}

/** Child benchmark processes print figures on stdout behind this marker; run.ts collects them. */
export const FIGURE_MARK = '@@figure ';

/** The node options `npm start` runs the bot with (package.json), so the benches run it the same way. */
export function startNodeOptions(): string[] {
  const scripts = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = scripts.start!.split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/bot/main.js') throw new Error(`package.json start is not "node … dist/bot/main.js": ${scripts.start}`);
  return words.slice(1, -1);
}
export function emit(f: Figure): void {
  process.stdout.write(`${FIGURE_MARK}${JSON.stringify(f)}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Logs as production writes them (pino JSON at info), into /dev/null: their cost counts, their text does not. */
export function benchLogger(): Logger {
  return pino({ level: 'info', base: { app: 'gxgc-bot' } }, pino.destination({ dest: '/dev/null', sync: false }));
}

export interface StandIn {
  apiRoot: string;
  worker: Worker;
  /** next message of the given type from the worker */
  next<T = Record<string, unknown>>(type: string): Promise<T>;
  close(): Promise<void>;
}

export async function startStandIn(mode: 'inbound' | 'broadcast', limits?: { globalPerSecond: number; perChatPerSecond: number }): Promise<StandIn> {
  const worker = new Worker(new URL('./bot-api-standin.mjs', import.meta.url), { workerData: { mode, limits } });
  const waiters = new Map<string, ((m: Record<string, unknown>) => void)[]>();
  worker.on('message', (m: { type: string }) => {
    const list = waiters.get(m.type);
    const w = list?.shift();
    if (w) w(m as Record<string, unknown>);
  });
  worker.on('error', (e) => {
    process.stderr.write(`stand-in worker failed: ${String(e)}\n`);
    process.exit(1);
  });
  const next = <T>(type: string) =>
    new Promise<T>((resolve) => {
      waiters.set(type, [...(waiters.get(type) ?? []), resolve as (m: Record<string, unknown>) => void]);
    });
  const ready = await next<{ port: number }>('ready');
  return {
    apiRoot: `http://127.0.0.1:${ready.port}`,
    worker,
    next,
    async close() {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ type: 'close' });
      await exited;
    },
  };
}

export function dongguanTowns(): string[] {
  return readFileSync('/work/shared/reference/dongguan-towns.txt', 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/**
 * A directory of `points` village-level points spread over the 32 towns ("<镇>第N村"), each town with
 * its town-level point, `contactsPerPoint` contacts per village point, and one operator.
 */
export function generateDirectory(points: number, contactsPerPoint: number): DirectoryRow[] {
  const towns = dongguanTowns();
  const rows: DirectoryRow[] = [
    { town: '市支中心', pointName: '东莞图书馆', level: 'subCenter', contactName: '管理员', role: 'admin', mobile: '13000000000', email: null, isPartyEducationPoint: false },
  ];
  let mobile = 13100000000;
  towns.forEach((town, i) => {
    rows.push({ town, pointName: town, level: 'town', contactName: `${town}联络人`, role: 'liaison', mobile: String(13000000001 + i), email: null, isPartyEducationPoint: false });
  });
  for (let n = 0; n < points; n++) {
    const town = towns[n % towns.length]!;
    const pointName = `${town}第${Math.floor(n / towns.length) + 1}村`;
    for (let c = 0; c < contactsPerPoint; c++) {
      rows.push({
        town,
        pointName,
        level: 'village',
        contactName: `联络人${n}-${c}`,
        role: c === 0 ? 'liaison' : 'reporter',
        mobile: String(mobile++),
        email: null,
        isPartyEducationPoint: n % 7 === 0,
      });
    }
  }
  return rows;
}
