// Read-mostly tables (the report template, the annex-1 rules, the standards facts) change when an
// operator imports a file, a few times a year, yet were read several times per message. They are
// kept per database client for a few seconds: an edit made by another process (the gxgc command
// line) is seen within READ_MOSTLY_TTL_MS; one made in this process is seen at once, because the
// writer calls forgetReadMostly.
import type { Db } from './client.ts';

export const READ_MOSTLY_TTL_MS = 5_000;

const caches = new WeakMap<object, Map<string, { loadedAt: number; value: Promise<unknown> }>>();

export function readMostly<T>(db: object, key: string, load: () => Promise<T>): Promise<T> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && now - hit.loadedAt < READ_MOSTLY_TTL_MS) return hit.value as Promise<T>;
  const value = load();
  cache.set(key, { loadedAt: now, value });
  // a failed read is not remembered
  value.catch(() => {
    if (cache.get(key)?.value === value) cache.delete(key);
  });
  return value;
}

export function forgetReadMostly(db: Db): void {
  caches.delete(db);
}
