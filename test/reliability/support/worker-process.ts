// Starting the delivery fixture (fixtures/broadcast-worker.ts) as a real child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DatabaseTarget } from '../../../bot/db/client.ts';

export const WORKER_FIXTURE = fileURLToPath(new URL('../fixtures/broadcast-worker.ts', import.meta.url));

export interface WorkerOptions {
  target: DatabaseTarget;
  apiRoot: string;
  token: string;
  instance: string;
  clockOffsetMs?: number;
  leaseMs?: number;
  releaseDue?: boolean;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** what the process wrote, for the failure message */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWorkerProcess(options: WorkerOptions): WorkerProcess {
  // `node --import tsx` is what `npx tsx` runs, without npx's own start-up on every restart
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_FIXTURE], {
    env: {
      ...process.env,
      GXGC_TARGET: JSON.stringify(options.target),
      API_ROOT: options.apiRoot,
      BOT_TOKEN: options.token,
      INSTANCE: options.instance,
      CLOCK_OFFSET_MS: String(options.clockOffsetMs ?? 0),
      LEASE_MS: String(options.leaseMs ?? 60_000),
      RELEASE_DUE: options.releaseDue ? '1' : '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

/** A bot token per instance, so the stand-in can tell the processes apart. */
export function tokenFor(instance: number): string {
  return `${7000000 + instance}:AAH${'x'.repeat(30)}${instance}`;
}
