// Each running bot says, every HEARTBEAT_MS, that it is using the database: a Setting row
// instance.heartbeat:<instanceId> holding the time and where it runs. `gxgc db restore` refuses while
// any such row is fresh (a lock file would only see processes on the same host, and a row also sees
// a bot on another host sharing the file over a network disk). A clean stop deletes the row; after
// kill -9 the row goes stale within HEARTBEAT_STALE_MS.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { sqlOf, type Db } from './client.ts';

export const HEARTBEAT_MS = 30_000;
export const HEARTBEAT_STALE_MS = 3 * HEARTBEAT_MS;
const PREFIX = 'instance.heartbeat:';

// on DirectSql, so that a running bot does not load the Prisma client for its heartbeat alone
const BEAT = `INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?)
  ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "updatedAt" = excluded."updatedAt"`;

export async function beat(db: Db, instanceId: string, at: Date): Promise<void> {
  const value = JSON.stringify({ host: hostname(), pid: process.pid, at: at.toISOString() });
  await sqlOf(db).execute(BEAT, [PREFIX + instanceId, value, at]);
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
      await sqlOf(db).execute('DELETE FROM "Setting" WHERE "key" = ?', [PREFIX + instanceId]).catch((error: unknown) => log.warn({ err: error }, 'heartbeat not removed'));
    },
  };
}
