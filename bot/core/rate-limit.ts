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

/**
 * Flood control for incoming messages, kept in this process's memory: it is consulted for every
 * message, and two database writes per message would halve the bot's throughput. A flooder split
 * across two instances gets at most twice the limit, which is harmless; limits that guard secrets
 * (invitation codes) use the shared database counters above.
 */
export class FloodGate {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  check(key: string, now: Date): RateLimitVerdict {
    const at = now.getTime();
    let window = this.windows.get(key);
    if (!window || at - window.start >= this.windowMs || at < window.start) {
      window = { start: at, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    if (this.windows.size > 50_000) this.forgetOld(at);
    return { allowed: window.count <= this.limit, count: window.count, firstRefusal: window.count === this.limit + 1 };
  }

  private forgetOld(at: number): void {
    for (const [key, window] of this.windows) if (at - window.start >= this.windowMs) this.windows.delete(key);
  }
}
