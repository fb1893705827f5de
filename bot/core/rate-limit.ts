// Fixed-window counters in the database, so every instance sees the same count for a chat.
import type { Db } from '../db/client.ts';

export interface RateLimitVerdict {
  allowed: boolean;
  count: number;
  /** true exactly once per window: the first message over the limit, which gets the one polite warning */
  firstRefusal: boolean;
}

export async function countInWindow(db: Db, key: string, limit: number, windowMs: number, now: Date): Promise<RateLimitVerdict> {
  const windowFloor = new Date(now.getTime() - windowMs);
  await db.rateLimitWindow.updateMany({ where: { key, windowStart: { lt: windowFloor } }, data: { windowStart: now, count: 0, warnedAt: null } });
  const row = await db.rateLimitWindow.upsert({
    where: { key },
    create: { key, windowStart: now, count: 1 },
    update: { count: { increment: 1 } },
  });
  const allowed = row.count <= limit;
  return { allowed, count: row.count, firstRefusal: row.count === limit + 1 };
}

/** Failed attempts (wrong invitation codes) count without being incremented by successes. */
export async function peekWindow(db: Db, key: string, windowMs: number, now: Date): Promise<number> {
  const row = await db.rateLimitWindow.findUnique({ where: { key } });
  if (!row || row.windowStart.getTime() < now.getTime() - windowMs) return 0;
  return row.count;
}
