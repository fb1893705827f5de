// Each running bot says, every HEARTBEAT_MS, that it is using the database: a Setting row
// instance.heartbeat:<instanceId> holding the time and where it runs. `gxgc db restore` refuses while
// any such row is fresh (a lock file would only see processes on the same host, and a row also sees
// a bot on another host sharing the file over a network disk). A clean stop deletes the row; after
// kill -9 the row goes stale within HEARTBEAT_STALE_MS.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Db } from './client.ts';

export const HEARTBEAT_MS = 30_000;
export const HEARTBEAT_STALE_MS = 3 * HEARTBEAT_MS;
const PREFIX = 'instance.heartbeat:';

export interface Heartbeat {
  instanceId: string;
  host: string;
  pid: number;
  at: Date;
}

export async function beat(db: Db, instanceId: string, at: Date): Promise<void> {
  const value = JSON.stringify({ host: hostname(), pid: process.pid, at: at.toISOString() });
  await db.setting.upsert({ where: { key: PREFIX + instanceId }, create: { key: PREFIX + instanceId, value }, update: { value } });
}

/** Bots that said they were running within HEARTBEAT_STALE_MS of now. */
export async function liveInstances(db: Db, now: Date): Promise<Heartbeat[]> {
  const rows = await db.setting.findMany({ where: { key: { startsWith: PREFIX } } });
  const live: Heartbeat[] = [];
  for (const row of rows) {
    try {
      const v = JSON.parse(row.value) as { host: string; pid: number; at: string };
      const at = new Date(v.at);
      if (now.getTime() - at.getTime() < HEARTBEAT_STALE_MS) live.push({ instanceId: row.key.slice(PREFIX.length), host: v.host, pid: v.pid, at });
    } catch {
      // a row not written by beat(): not a heartbeat
    }
  }
  return live;
}

export function startHeartbeat(db: Db, instanceId: string, log: Logger, now: () => Date = () => new Date()): { stop(): Promise<void> } {
  let last: Promise<void> = beat(db, instanceId, now()).catch((error: unknown) => log.warn({ err: error }, 'heartbeat not written'));
  const timer = setInterval(() => {
    last = beat(db, instanceId, now()).catch((error: unknown) => log.warn({ err: error }, 'heartbeat not written'));
  }, HEARTBEAT_MS);
  timer.unref?.();
  return {
    async stop() {
      clearInterval(timer);
      await last;
      await db.setting.deleteMany({ where: { key: PREFIX + instanceId } }).catch((error: unknown) => log.warn({ err: error }, 'heartbeat not removed'));
    },
  };
}
