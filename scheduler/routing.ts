// Which way a proactive message goes to a contact: the preferred channel if it can take it, else the
// chat the contact used most recently, else e-mail. Pure (tested by a table in
// test/scheduler/routing.test.ts); the outbox worker calls it for every claimed row.
import type { ChannelName } from '../bot/core/types.ts';

export const NOT_BOUND = 'not bound: the contact has no chat bound to the bot';

export interface RoutableIdentity {
  /** null for a WeCom account known only from the directory (the member never wrote to the app) */
  id: number | null;
  channel: string;
  externalId: string;
  blockedAt: Date | null;
}

export interface RoutableContact {
  active: boolean;
  preferredChannel: string | null;
  email: string | null;
  wecomUserId: string | null;
  /** most recently used first */
  identities: readonly RoutableIdentity[];
}

/** What the worker knows about a configured channel: whether it can send at this moment. */
export type SenderStates = ReadonlyMap<string, { ready: boolean }>;

export type Route =
  | { kind: 'send'; channel: ChannelName; externalId: string; identityId: number | null }
  | { kind: 'wait'; reason: string }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'failed'; reason: string };

export function routeFor(contact: RoutableContact, senders: SenderStates): Route {
  if (!contact.active) return { kind: 'failed', reason: 'contact is no longer active in the directory' };
  // a console session (gxgc console --as) is an operator acting as the contact, not the contact's
  // own chat: it counts only where a console sender runs (tests, demos)
  const chats: RoutableIdentity[] = contact.identities.filter((i) => i.channel !== 'console' || senders.has('console'));
  // WeCom can message any member in the app's visible range, written to the app or not
  if (contact.wecomUserId && !chats.some((i) => i.channel === 'wecom')) chats.push({ id: null, channel: 'wecom', externalId: contact.wecomUserId, blockedAt: null });
  const email = contact.email && senders.has('email') ? ({ kind: 'send', channel: 'email', externalId: contact.email, identityId: null } as const) : null;
  if (contact.preferredChannel === 'email' && email) return email;

  const open = chats.filter((i) => i.blockedAt === null);
  const usable = open.filter((i) => senders.has(i.channel));
  const ready = usable.filter((i) => senders.get(i.channel)!.ready);
  if (ready.length > 0) {
    const identity = ready.find((i) => i.channel === contact.preferredChannel) ?? ready[0]!;
    return { kind: 'send', channel: identity.channel as ChannelName, externalId: identity.externalId, identityId: identity.id };
  }
  if (usable.length > 0) {
    // the channel is down as a whole (WeChat logged out): its chat comes back, so the message waits
    return { kind: 'wait', reason: `waiting: ${[...new Set(usable.map((i) => i.channel))].join(', ')} cannot send at the moment (logged out?)` };
  }
  if (email) return email;
  if (chats.length === 0) return { kind: 'unreachable', reason: NOT_BOUND };
  if (open.length === 0) return { kind: 'unreachable', reason: 'blocked: every chat of the contact blocked the bot' };
  return { kind: 'failed', reason: `no sender configured for channel ${[...new Set(open.map((i) => i.channel))].join(', ')}` };
}
