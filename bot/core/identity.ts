// Who a chat is: its ChannelIdentity row (created on first contact) and the directory contact it is
// bound to. The role follows from the contact's point; inactive contacts count as unknown.
import { sqlOf, type Db } from '../db/client.ts';
import { roleOfPointLevel } from '../domain.ts';
import { bindChatStatement } from '../db/identity-store.ts';
import type { ConversationRow } from './conversation.ts';
import type { ResolvedChat } from './store.ts';
import type { Actor, ChannelName, Role } from './types.ts';

/** lastSeenAt only chooses the channel for proactive messages; minutes are precise enough, and a write per message is not free */
const LAST_SEEN_PRECISION_MS = 5 * 60_000;

const CHAT_QUERY = `
    SELECT ci."id" AS "identityId", ci."lastSeenAt" AS "lastSeenAt", ci."blockedAt" AS "blockedAt", ci."displayName" AS "displayName", ci."menuDigest" AS "menuDigest",
           c."id" AS "contactId", c."name" AS "contactName", c."role" AS "contactRole", c."mobile" AS "mobile", c."active" AS "contactActive",
           sp."id" AS "pointId", sp."town" AS "town", sp."name" AS "pointName", sp."level" AS "level",
           sp."isPartyEducationPoint" AS "isPartyEducationPoint", sp."active" AS "pointActive",
           cv."id" AS "hasConversation", cv."flow" AS "flow", cv."step" AS "step", cv."state" AS "state", cv."choices" AS "choices",
           cv."expiresAt" AS "expiresAt", cv."version" AS "version"
    FROM "ChannelIdentity" ci
    LEFT JOIN "Contact" c ON c."id" = ci."contactId"
    LEFT JOIN "ServicePoint" sp ON sp."id" = c."servicePointId"
    LEFT JOIN "Conversation" cv ON cv."channel" = ci."channel" AND cv."chatId" = ci."externalId"
    WHERE ci."channel" = ? AND ci."externalId" = ?`;

interface ChatRow extends Record<string, unknown> {
  identityId: number | bigint;
  lastSeenAt: Date | string | null;
  blockedAt: Date | string | null;
  displayName: string | null;
  menuDigest: string | null;
  contactId: number | bigint | null;
  contactName: string | null;
  contactRole: string | null;
  mobile: string | null;
  contactActive: boolean | number | null;
  pointId: number | bigint | null;
  town: string | null;
  pointName: string | null;
  level: string | null;
  isPartyEducationPoint: boolean | number | null;
  pointActive: boolean | number | null;
  hasConversation: number | bigint | null;
  flow: string | null;
  step: string | null;
  state: string | null;
  choices: string | null;
  expiresAt: Date | string | null;
  version: number | bigint | null;
}

function asDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

/**
 * Who is writing and where their dialogue stands, read together for every message: the identity,
 * its contact and point, and the conversation in one joined SELECT. Through the model API this was
 * four statements and two queries, the largest share of a message's database work. A chat seen for
 * the first time gets its identity row here too, so a message needs no Prisma client.
 */
export async function resolveChat(
  db: Db,
  channel: ChannelName,
  chatId: string,
  now: Date,
  displayName?: string,
): Promise<ResolvedChat> {
  let row = (await sqlOf(db).query<ChatRow>(CHAT_QUERY, [channel, chatId]))[0];
  if (!row) {
    // a chat's first message creates its identity; when two first messages arrive at once (a double
    // tap, two instances) one inserts and the other finds it
    await sqlOf(db).execute(
      'INSERT INTO "ChannelIdentity" ("channel", "externalId", "displayName", "lastSeenAt") VALUES (?, ?, ?, ?) ON CONFLICT ("channel", "externalId") DO NOTHING',
      [channel, chatId, displayName ?? null, now],
    );
    row = (await sqlOf(db).query<ChatRow>(CHAT_QUERY, [channel, chatId]))[0];
    if (!row) throw new Error(`the identity of ${channel} chat ${chatId} was not created`);
  }
  const lastSeenAt = asDate(row.lastSeenAt) ?? new Date(0);
  // not awaited here: on PostgreSQL's shared connection the write leaves with the handler's first
  // read instead of costing a round trip of its own; the core awaits it before it commits anything
  const touched =
    row.blockedAt !== null || now.getTime() - lastSeenAt.getTime() >= LAST_SEEN_PRECISION_MS || (displayName && displayName !== row.displayName)
      ? sqlOf(db).execute(
          'UPDATE "ChannelIdentity" SET "lastSeenAt" = ?, "blockedAt" = NULL, "displayName" = COALESCE(?, "displayName") WHERE "channel" = ? AND "externalId" = ?',
          [now, displayName ?? null, channel, chatId],
        )
      : null;
  // a failure is heard where the core awaits it, not as an unhandled rejection meanwhile
  touched?.catch(() => undefined);
  const conversation: ConversationRow | null =
    row.hasConversation === null
      ? null
      : { flow: row.flow, step: row.step, state: row.state ?? '{}', choices: row.choices ?? '[]', expiresAt: asDate(row.expiresAt), version: Number(row.version ?? 0) };
  const identityId = Number(row.identityId);
  if (row.contactId === null || row.pointId === null || !row.contactActive || !row.pointActive) {
    return { actor: { role: 'unknown', channel, chatId, identityId, contact: null }, conversation, menuDigest: row.menuDigest, touched };
  }
  const level = row.level!;
  return {
    actor: {
      role: roleOfPointLevel(level),
      channel,
      chatId,
      identityId,
      contact: {
        id: Number(row.contactId),
        name: row.contactName!,
        role: row.contactRole!,
        mobile: row.mobile,
        servicePoint: { id: Number(row.pointId), town: row.town!, name: row.pointName!, level, isPartyEducationPoint: Boolean(row.isPartyEducationPoint) },
      },
    },
    conversation,
    menuDigest: row.menuDigest,
    touched,
  };
}

/** A chat's role as of now, read with the same query as every message (no write). */
export async function roleOfChat(db: Db, channel: ChannelName, chatId: string): Promise<Role> {
  const [row] = await sqlOf(db).query<ChatRow>(CHAT_QUERY, [channel, chatId]);
  if (!row || row.contactId === null || row.pointId === null || !row.contactActive || !row.pointActive) return 'unknown';
  return roleOfPointLevel(row.level!);
}

/** Links a chat to a directory contact (after a valid code, a verified phone number, or the console's --as). */
export async function bindChat(db: Db, channel: ChannelName, chatId: string, contactId: number, now: Date): Promise<void> {
  const statement = bindChatStatement(channel, chatId, contactId, now);
  await sqlOf(db).execute(statement.sql, statement.params);
}
