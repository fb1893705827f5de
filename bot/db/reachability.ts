// The one definition of "reachable" every count uses: the notice preview, /notice status and list,
// the directory summary, and the outbox when it picks a chat. A contact is reachable when it has a
// chat bound on a channel that delivers proactive messages (not the console: `gxgc console --as` is an
// operator acting as the contact) that has not blocked the bot. Only active contacts are asked about.
import type { ReadDb } from '../core/capability.ts';

export type Reachability = 'reachable' | 'notBound' | 'blocked';

export interface IdentityState {
  channel: string;
  blockedAt: Date | null;
}

/** whether the console counts as a delivering channel: only where a console sender runs (tests, demos) */
export interface ReachabilityOptions {
  consoleDelivers?: boolean;
}

export function deliversOn(channel: string, options: ReachabilityOptions = {}): boolean {
  return channel !== 'console' || options.consoleDelivers === true;
}

export function reachabilityOf(identities: readonly IdentityState[], options: ReachabilityOptions = {}): Reachability {
  const bound = identities.filter((i) => deliversOn(i.channel, options));
  if (bound.length === 0) return 'notBound';
  return bound.some((i) => i.blockedAt === null) ? 'reachable' : 'blocked';
}

export interface ReachabilityCounts {
  reachable: number;
  notBound: number;
  blocked: number;
}

export function countReachability(states: Iterable<Reachability>): ReachabilityCounts {
  const counts: ReachabilityCounts = { reachable: 0, notBound: 0, blocked: 0 };
  for (const s of states) counts[s] += 1;
  return counts;
}

const IN_LIST_LIMIT = 500;

/** Each contact's reachability; contacts without any delivering chat are notBound. */
export async function loadReachability(db: ReadDb, contactIds: readonly number[]): Promise<Map<number, Reachability>> {
  const wanted = new Set(contactIds);
  const select = { contactId: true, channel: true, blockedAt: true } as const;
  const delivering = { channel: { not: 'console' } };
  // a long list of ids would pass SQLite's limit on parameters: then every delivering chat is read
  const rows =
    wanted.size <= IN_LIST_LIMIT
      ? await db.channelIdentity.findMany({ where: { contactId: { in: [...wanted] }, ...delivering }, select })
      : await db.channelIdentity.findMany({ where: { contactId: { not: null }, ...delivering }, select });
  const byContact = new Map<number, IdentityState[]>();
  for (const row of rows) {
    if (row.contactId === null || !wanted.has(row.contactId)) continue;
    const list = byContact.get(row.contactId) ?? [];
    list.push(row);
    byContact.set(row.contactId, list);
  }
  return new Map([...wanted].map((id) => [id, reachabilityOf(byContact.get(id) ?? [])]));
}
