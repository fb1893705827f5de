// The identity aggregate's writes: a chat bound to a directory contact, an invitation code used
// once, a wrong-code counter given back. Statements for the core's batch (bot/core/effects.ts).
import type { ChannelName } from '../core/types.ts';
import type { Statement } from './direct-sql.ts';

export function bindChatStatement(channel: ChannelName, chatId: string, contactId: number, now: Date): Statement {
  return {
    sql: `INSERT INTO "ChannelIdentity" ("channel", "externalId", "contactId", "boundAt", "lastSeenAt") VALUES (?, ?, ?, ?, ?)
      ON CONFLICT ("channel", "externalId") DO UPDATE SET "contactId" = excluded."contactId", "boundAt" = excluded."boundAt"`,
    params: [channel, chatId, contactId, now, now],
  };
}

/** Conditional: two chats racing for one code cannot both win (the loser's batch is rolled back). */
export function claimInvitationStatement(invitationId: number, channel: ChannelName, chatId: string, now: Date): Statement {
  return {
    sql: 'UPDATE "Invitation" SET "usedAt" = ?, "usedByChannel" = ?, "usedByExternalId" = ? WHERE "id" = ? AND "usedAt" IS NULL',
    params: [now, channel, chatId, invitationId],
    expectChanges: 1,
  };
}

export function refundAttemptStatement(key: string): Statement {
  return { sql: 'UPDATE "RateLimitWindow" SET "count" = "count" - 1 WHERE "key" = ? AND "count" > 0', params: [key] };
}
