// Who a chat is: its ChannelIdentity row (created on first contact) and the directory contact it is
// bound to. The role follows from the contact's point; inactive contacts count as unknown.
import type { Db } from '../db/client.ts';
import { roleOfPointLevel } from '../domain.ts';
import type { Actor, ChannelName } from './types.ts';

const contactSelect = {
  id: true,
  name: true,
  role: true,
  mobile: true,
  active: true,
  servicePoint: { select: { id: true, town: true, name: true, level: true, isPartyEducationPoint: true, active: true } },
} as const;

/** lastSeenAt only chooses the channel for proactive messages; minutes are precise enough, and a write per message is not free */
const LAST_SEEN_PRECISION_MS = 5 * 60_000;

export async function resolveActor(db: Db, channel: ChannelName, chatId: string, now: Date, displayName?: string): Promise<Actor> {
  const where = { channel_externalId: { channel, externalId: chatId } };
  const select = { id: true, lastSeenAt: true, blockedAt: true, displayName: true, contact: { select: contactSelect } } as const;
  let identity = await db.channelIdentity.findUnique({ where, select });
  if (!identity) {
    try {
      identity = await db.channelIdentity.create({ data: { channel, externalId: chatId, displayName: displayName ?? null, lastSeenAt: now }, select });
    } catch (error) {
      // a new chat's first messages can arrive at once (a double tap, two instances): one creates the row
      if ((error as { code?: unknown }).code !== 'P2002') throw error;
      identity = await db.channelIdentity.findUniqueOrThrow({ where, select });
    }
  } else if (
    identity.blockedAt ||
    now.getTime() - identity.lastSeenAt.getTime() >= LAST_SEEN_PRECISION_MS ||
    (displayName && displayName !== identity.displayName)
  ) {
    // writing again means the person has not (or no longer) blocked the bot
    await db.channelIdentity.update({ where, data: { lastSeenAt: now, blockedAt: null, ...(displayName ? { displayName } : {}) } });
  }
  const contact = identity.contact;
  if (!contact || !contact.active || !contact.servicePoint.active) {
    return { role: 'unknown', channel, chatId, identityId: identity.id, contact: null };
  }
  const { active: _a, servicePoint, ...rest } = contact;
  const { active: _b, ...point } = servicePoint;
  return { role: roleOfPointLevel(point.level), channel, chatId, identityId: identity.id, contact: { ...rest, servicePoint: point } };
}

/** Links a chat to a directory contact (after a valid code, a verified phone number, or the console's --as). */
export async function bindChat(db: Db, channel: ChannelName, chatId: string, contactId: number, now: Date): Promise<void> {
  await db.channelIdentity.upsert({
    where: { channel_externalId: { channel, externalId: chatId } },
    create: { channel, externalId: chatId, contactId, boundAt: now, lastSeenAt: now },
    update: { contactId, boundAt: now },
  });
}
