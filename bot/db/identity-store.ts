// The identity aggregate's writes: a chat bound to a directory contact, an invitation code used
// once, a wrong-code counter given back (statements for the core's batch, bot/core/effects.ts);
// invitation codes issued by the command line, and old rows given the keyed hash at start-up; the
// command menu a channel set for a chat.
import type { Logger } from 'pino';
import { generateCode, hashCode, INVITATION_VALID_DAYS, keyedHash } from '../../commands/directory/invitations.ts';
import { INVITATION_SECRET_FILE, invitationKey, loadInvitationKey, useInvitationKey, type InvitationKey } from '../../commands/directory/invitation-key.ts';
import type { ChannelName } from '../core/types.ts';
import { sqlOf, type Db } from './client.ts';
import type { Statement } from './direct-sql.ts';

export function bindChatStatement(channel: ChannelName, chatId: string, contactId: number, now: Date): Statement {
  return {
    sql: `INSERT INTO "ChannelIdentity" ("channel", "externalId", "contactId", "boundAt", "lastSeenAt") VALUES (?, ?, ?, ?, ?)
      ON CONFLICT ("channel", "externalId") DO UPDATE SET "contactId" = excluded."contactId", "boundAt" = excluded."boundAt"`,
    params: [channel, chatId, contactId, now, now],
  };
}

/** The digest of the command menu last set for the chat (menuDigest), null when none was set or the chat is new. */
export async function menuDigestOf(db: Db, channel: ChannelName, chatId: string): Promise<string | null> {
  const [row] = await sqlOf(db).query<{ menuDigest: string | null }>('SELECT "menuDigest" FROM "ChannelIdentity" WHERE "channel" = ? AND "externalId" = ?', [channel, chatId]);
  return row?.menuDigest ?? null;
}

/** After the platform has accepted the chat's command menu. */
export async function recordMenuDigest(db: Db, channel: ChannelName, chatId: string, digest: string): Promise<void> {
  await sqlOf(db).execute('UPDATE "ChannelIdentity" SET "menuDigest" = ? WHERE "channel" = ? AND "externalId" = ?', [digest, channel, chatId]);
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

export interface IssuedInvitation {
  contactId: number;
  code: string;
  expiresAt: Date;
}

/** New single-use codes for the contacts; only their keyed hashes are stored, the codes are returned to hand out. */
export async function issueInvitations(db: Db, contactIds: number[], now: Date): Promise<IssuedInvitation[]> {
  const expiresAt = new Date(now.getTime() + INVITATION_VALID_DAYS * 24 * 3600_000);
  const issued = contactIds.map((contactId) => ({ contactId, code: generateCode(), expiresAt }));
  const key = invitationKey();
  for (let i = 0; i < issued.length; i += 500) {
    await db.invitation.createMany({
      data: issued.slice(i, i + 500).map((inv) => ({ contactId: inv.contactId, codeHash: hashCode(inv.code, key), hashKeyId: key.id, expiresAt: inv.expiresAt })),
    });
  }
  return issued;
}

/**
 * Start-up: rows hashed before the key existed (hashKeyId null) get the keyed hash of their stored
 * digest, so codes already handed out keep working and no unkeyed hash stays in the database.
 * Conditional per row, so two instances starting together upgrade each row once. Returns how many
 * rows were upgraded, and how many unused, unexpired codes were made under another secret (they
 * cannot be redeemed with this one).
 */
export async function upgradeInvitationHashes(db: Db, now: Date, key: InvitationKey = invitationKey()): Promise<{ upgraded: number; otherKeyLive: number }> {
  // on DirectSql: every start runs this, and a start should not load the Prisma client for it
  const sql = sqlOf(db);
  let upgraded = 0;
  for (;;) {
    const legacy = await sql.query<{ id: number; codeHash: string }>('SELECT "id", "codeHash" FROM "Invitation" WHERE "hashKeyId" IS NULL ORDER BY "id" LIMIT 500');
    if (legacy.length === 0) break;
    for (const row of legacy) {
      upgraded += await sql.execute('UPDATE "Invitation" SET "codeHash" = ?, "hashKeyId" = ? WHERE "id" = ? AND "hashKeyId" IS NULL', [keyedHash(row.codeHash, key), key.id, row.id]);
    }
  }
  const [live] = await sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM "Invitation" WHERE "hashKeyId" <> ? AND "usedAt" IS NULL AND "expiresAt" > ?', [key.id, now]);
  return { upgraded, otherKeyLive: Number(live?.n ?? 0) };
}

/** Start-up of every entry point that issues or redeems codes: load the secret, upgrade old rows, say what happened. */
export async function prepareInvitationKey(db: Db, config: { invitationSecret?: string; dataDir: string }, log: Logger, now: Date): Promise<InvitationKey> {
  const { key, source } = loadInvitationKey({ ...(config.invitationSecret ? { secret: config.invitationSecret } : {}), dataDir: config.dataDir });
  useInvitationKey(key);
  if (source === 'generated') log.info({ file: `${config.dataDir}/${INVITATION_SECRET_FILE}` }, 'invitation secret generated; keep this file (or set GXGC_INVITATION_SECRET) and back it up with the database');
  const { upgraded, otherKeyLive } = await upgradeInvitationHashes(db, now, key);
  if (upgraded > 0) log.info({ upgraded }, 'invitation hashes upgraded to the keyed hash; codes already handed out keep working');
  if (otherKeyLive > 0) {
    log.error({ codes: otherKeyLive, keyId: key.id }, 'live invitation codes were issued under another invitation secret and cannot be redeemed here: use the same secret on every instance, or issue new codes');
  }
  return key;
}
