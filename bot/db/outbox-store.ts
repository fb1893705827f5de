// The outbox aggregate on DirectSql: rows written, claimed, and their outcomes recorded. The worker
// runs these for every message of a broadcast and for every reminder, so they are prepared driver
// statements; and a running bot whose only database work is messages and the outbox never needs
// the Prisma client in memory.
import type { Choice } from '../core/types.ts';
import type { RoutableContact } from '../../scheduler/routing.ts';
import type { DirectSql, SqlValue, Statement } from './direct-sql.ts';

export interface OutboxRow {
  dedupeKey: string;
  contactId: number;
  purpose: string;
  noticeId: number | null;
  text: string;
  choices: readonly Choice[];
  /** not before this instant */
  nextAttemptAt: Date;
}

const COLUMNS = ['dedupeKey', 'contactId', 'purpose', 'noticeId', 'text', 'choices', 'status', 'attempts', 'nextAttemptAt', 'createdAt'];
const CHUNK = 200;

/**
 * Inserts the rows whose dedupeKey is new; a key already there (written earlier, or by another
 * instance a moment ago) is left alone by the database itself, so concurrent writers need no retry.
 */
export async function insertOutboxRows(sql: DirectSql, rows: readonly OutboxRow[], now: Date): Promise<{ created: number; duplicates: number }> {
  let created = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const params: SqlValue[] = [];
    for (const r of chunk) params.push(r.dedupeKey, r.contactId, r.purpose, r.noticeId, r.text, JSON.stringify(r.choices), 'pending', 0, r.nextAttemptAt, now);
    const values = chunk.map(() => `(${COLUMNS.map(() => '?').join(', ')})`).join(', ');
    created += await sql.execute(
      `INSERT INTO "OutboxMessage" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES ${values} ON CONFLICT ("dedupeKey") DO NOTHING`,
      params,
    );
  }
  return { created, duplicates: rows.length - created };
}

const DUE = `(("status" = 'pending' AND "nextAttemptAt" <= ?) OR ("status" = 'sending' AND "lockedUntil" < ?))`;

/**
 * Claims up to `limit` due rows after the cursor: a read of candidate ids, then one conditional
 * UPDATE … RETURNING. The database checks the due condition again under the row's lock, so of two
 * instances racing for a row exactly one gets it back; the other's claim returns fewer rows.
 */
export async function claimDueOutbox(
  sql: DirectSql,
  claim: { afterId: number; now: Date; limit: number; instanceId: string; lockedUntil: Date },
): Promise<{ ids: number[]; lastSeenId: number }> {
  const candidates = await sql.query<{ id: number }>(
    `SELECT "id" FROM "OutboxMessage" WHERE "id" > ? AND ${DUE} ORDER BY "id" LIMIT ?`,
    [claim.afterId, claim.now, claim.now, claim.limit],
  );
  const lastSeenId = candidates.at(-1)?.id ?? claim.afterId;
  if (candidates.length === 0) return { ids: [], lastSeenId };
  const won = await sql.query<{ id: number }>(
    `UPDATE "OutboxMessage" SET "status" = 'sending', "lockedBy" = ?, "lockedUntil" = ?, "attempts" = "attempts" + 1
     WHERE "id" IN (${candidates.map(() => '?').join(', ')}) AND ${DUE} RETURNING "id"`,
    [claim.instanceId, claim.lockedUntil, ...candidates.map((c) => c.id), claim.now, claim.now],
  );
  return { ids: won.map((r) => r.id).sort((a, b) => a - b), lastSeenId };
}

export interface ClaimedOutboxRow {
  id: number;
  contactId: number;
  purpose: string;
  noticeId: number | null;
  text: string;
  /** JSON, as stored */
  choices: string;
  attempts: number;
  contact: RoutableContact;
}

/** The claimed rows with what routing needs of their contact: its channels, most recently used first. */
export async function loadClaimedOutbox(sql: DirectSql, ids: readonly number[]): Promise<ClaimedOutboxRow[]> {
  if (ids.length === 0) return [];
  const marks = ids.map(() => '?').join(', ');
  const rows = await sql.query<Omit<ClaimedOutboxRow, 'contact'> & Omit<RoutableContact, 'identities'>>(
    `SELECT o."id", o."contactId", o."purpose", o."noticeId", o."text", o."choices", o."attempts",
            c."active", c."preferredChannel", c."email", c."wecomUserId"
     FROM "OutboxMessage" o JOIN "Contact" c ON c."id" = o."contactId"
     WHERE o."id" IN (${marks}) ORDER BY o."id"`,
    ids,
  );
  const identities = await sql.query<{ id: number; contactId: number; channel: string; externalId: string; blockedAt: Date | null }>(
    `SELECT i."id", i."contactId", i."channel", i."externalId", i."blockedAt"
     FROM "ChannelIdentity" i WHERE i."contactId" IN (SELECT o."contactId" FROM "OutboxMessage" o WHERE o."id" IN (${marks}))
     ORDER BY i."lastSeenAt" DESC, i."id" DESC`,
    ids,
  );
  const byContact = new Map<number, ClaimedOutboxRow['contact']['identities'][number][]>();
  for (const { contactId, ...identity } of identities) {
    let list = byContact.get(contactId);
    if (!list) byContact.set(contactId, (list = []));
    list.push(identity);
  }
  return rows.map(({ active, preferredChannel, email, wecomUserId, ...row }) => ({
    ...row,
    contact: { active, preferredChannel, email, wecomUserId, identities: byContact.get(row.contactId) ?? [] },
  }));
}

/** What became of a claimed row; the lease is released with it. */
export type OutboxOutcome =
  | { status: 'delivered'; channel: string; externalId: string; at: Date }
  | { status: 'pending'; nextAttemptAt: Date; lastError: string; channel?: string; externalId?: string; refundAttempt?: boolean }
  | { status: 'failed' | 'unreachable'; lastError: string; channel?: string; externalId?: string };

/**
 * The outcome is written without waiting for the disk (waitForDisk: false): a channel's lane sends
 * its next message only once this returns, and on PostgreSQL the commit's WAL flush was most of
 * that wait (milliseconds; tens of them on a busy disk). If the database server or the machine
 * crashes just after, the row is still 'sending' and goes out again when its lease ends: at most
 * the last fraction of a second of a broadcast twice, never a message lost.
 */
export async function recordOutboxOutcome(sql: DirectSql, id: number, outcome: OutboxOutcome): Promise<void> {
  const sets = ['"status" = ?', '"lockedBy" = NULL', '"lockedUntil" = NULL'];
  const params: SqlValue[] = [outcome.status];
  if (outcome.channel !== undefined) {
    sets.push('"channel" = ?', '"externalId" = ?');
    params.push(outcome.channel, outcome.externalId ?? null);
  }
  if (outcome.status === 'delivered') {
    sets.push('"deliveredAt" = ?', '"lastError" = NULL');
    params.push(outcome.at);
  } else {
    sets.push('"lastError" = ?');
    params.push(outcome.lastError);
  }
  if (outcome.status === 'pending') {
    sets.push('"nextAttemptAt" = ?');
    params.push(outcome.nextAttemptAt);
    // waiting for a channel that is down does not use up an attempt
    if (outcome.refundAttempt) sets.push('"attempts" = "attempts" - 1');
  }
  await sql.batch([{ sql: `UPDATE "OutboxMessage" SET ${sets.join(', ')} WHERE "id" = ?`, params: [...params, id] }], { waitForDisk: false });
}

/** The platform said the chat cannot be reached (blocked the bot, left): its identity is not tried again. */
export async function markIdentityBlocked(sql: DirectSql, identityId: number, at: Date): Promise<void> {
  await sql.execute('UPDATE "ChannelIdentity" SET "blockedAt" = ? WHERE "id" = ? AND "blockedAt" IS NULL', [at, identityId]);
}

/**
 * An alert to every active operator (a contact of the active 市支中心 point), one row each, keyed
 * `<key>:<contact id>`: the same key again (a second logout in the same minute) adds nothing.
 * Returns the ids of the rows it wrote.
 */
export function alertOperatorsStatement(key: string, text: string, now: Date): Statement {
  return {
    sql: `INSERT INTO "OutboxMessage" ("dedupeKey", "contactId", "purpose", "noticeId", "text", "choices", "status", "attempts", "nextAttemptAt", "createdAt")
      SELECT CAST(? AS TEXT) || ':' || CAST(c."id" AS TEXT), c."id", 'alert', NULL, ?, '[]', 'pending', 0, ?, ?
      FROM "Contact" c JOIN "ServicePoint" sp ON sp."id" = c."servicePointId"
      WHERE c."active" = ? AND sp."active" = ? AND sp."level" = 'subCenter'
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING "id"`,
    params: [key, text, now, now, true, true],
  };
}
