// The notice aggregate: a resource-release notice, its recipients and their outbox rows. Creating
// and releasing are statements for a batch, so the core can apply them in the message's transaction
// and the command line and the scheduler run the very same ones. Releasing is idempotent
// (NoticeRecipient is unique per notice and contact, outbox rows per dedupeKey): a crash half-way
// or two instances releasing the same scheduled notice at once still give each contact one row.
import {
  ackChoice,
  deadlineInstant,
  parseAudienceJson,
  renderNoticeText,
  type Audience,
  type NoticeDraft,
} from '../../commands/notice/model.ts';
import type { ReadDb } from '../core/capability.ts';
import type { Db } from './client.ts';
import { sqlOf } from './sql-of.ts';
import { auditStatement, type AuditEntry } from './audit.ts';
import type { BatchStep, Row, SqlValue, Statement } from './direct-sql.ts';

export interface AudiencePoint {
  id: number;
  town: string;
  name: string;
  level: string;
  parentId: number | null;
}

export interface AudienceContact {
  id: number;
  name: string;
  servicePointId: number;
}

function audienceWhere(audience: Audience) {
  const base = { active: true, level: { notIn: ['subCenter', 'townCultureCenter'] } };
  return audience.kind === 'all'
    ? base
    : audience.kind === 'level'
      ? { ...base, level: { in: audience.values } }
      : audience.kind === 'towns'
        ? { ...base, town: { in: audience.values } }
        : { ...base, id: { in: audience.values } };
}

/** Active points the audience names (never the sub-center's own entry), and their active contacts. */
export async function resolveAudience(db: ReadDb, audience: Audience): Promise<{ points: AudiencePoint[]; contacts: AudienceContact[] }> {
  const where = audienceWhere(audience);
  const points = await db.servicePoint.findMany({
    where,
    select: { id: true, town: true, name: true, level: true, parentId: true },
    orderBy: [{ town: 'asc' }, { name: 'asc' }],
  });
  // filtered by relation, not by a list of ids: a list of thousands of points exceeds SQLite's
  // limit on query parameters
  const contacts = await db.contact.findMany({
    where: { active: true, servicePoint: where },
    select: { id: true, name: true, servicePointId: true },
    orderBy: { id: 'asc' },
  });
  return { points, contacts };
}

/** The same audience as resolveAudience, as SQL over ServicePoint "sp". */
function audienceSql(audience: Audience): { where: string; params: SqlValue[] } {
  const base = `sp."active" = ? AND sp."level" NOT IN ('subCenter', 'townCultureCenter')`;
  if (audience.kind === 'all') return { where: base, params: [true] };
  const column = audience.kind === 'level' ? 'level' : audience.kind === 'towns' ? 'town' : 'id';
  const values = audience.values as SqlValue[];
  return { where: `${base} AND sp."${column}" IN (${values.map(() => '?').join(', ')})`, params: [true, ...values] };
}

export interface CreatedNotice {
  id: number;
  title: string;
  status: 'scheduled' | 'sent' | 'draft';
  scheduledFor: Date | null;
  /** contacts the notice went to (0 while scheduled) */
  recipients: number;
  /** outbox rows this release wrote */
  enqueued: number;
}

type NoticeRow = { id: number; title: string; body: string; fetchMethod: string | null; fetchAddress: string | null; deadline: Date | null; audience: string };

/**
 * Recipients, their outbox rows and the sent mark of a notice, from the directory as it is at
 * release time (a scheduled notice reaches contacts added meanwhile).
 */
export function releaseNoticeSteps(notice: NoticeRow, now: Date, released: (counts: { recipients: number; enqueued: number }) => void): BatchStep[] {
  const audience = audienceSql(parseAudienceJson(notice.audience));
  const text = renderNoticeText(notice);
  const choices = JSON.stringify([ackChoice(notice.id)]);
  let enqueued = 0;
  return [
    {
      sql: `INSERT INTO "NoticeRecipient" ("noticeId", "contactId", "servicePointId")
        SELECT ?, c."id", c."servicePointId" FROM "Contact" c JOIN "ServicePoint" sp ON sp."id" = c."servicePointId"
        WHERE c."active" = ? AND ${audience.where}
        ON CONFLICT ("noticeId", "contactId") DO NOTHING`,
      params: [notice.id, true, ...audience.params],
    },
    {
      sql: `INSERT INTO "OutboxMessage" ("dedupeKey", "contactId", "purpose", "noticeId", "text", "choices", "status", "attempts", "nextAttemptAt", "createdAt")
        SELECT 'notice:' || CAST(r."noticeId" AS TEXT) || ':contact:' || CAST(r."contactId" AS TEXT), r."contactId", 'notice', r."noticeId", ?, ?, 'pending', 0, ?, ?
        FROM "NoticeRecipient" r WHERE r."noticeId" = ?
        ON CONFLICT ("dedupeKey") DO NOTHING
        RETURNING "id"`,
      params: [text, choices, now, now, notice.id],
    },
    (results) => {
      enqueued = results[results.length - 1]!.length;
      return [
        { sql: `UPDATE "Notice" SET "status" = 'sent', "sentAt" = ? WHERE "id" = ? AND "status" IN ('draft', 'scheduled')`, params: [now, notice.id] },
        { sql: 'SELECT COUNT(*) AS "recipients" FROM "NoticeRecipient" WHERE "noticeId" = ?', params: [notice.id] },
      ];
    },
    (results) => {
      released({ recipients: Number((results[results.length - 1]![0] as Row)['recipients']), enqueued });
      return [];
    },
  ];
}

/**
 * A new notice (with its audit row); released at once unless it is scheduled for later, or unless
 * the caller releases it itself (release: false, the command line's preview-then-send).
 */
export function createNoticeSteps(
  draft: NoticeDraft,
  audit: Omit<AuditEntry, 'action' | 'entity' | 'entityId'>,
  now: Date,
  created: (notice: CreatedNotice) => void,
  release = true,
): BatchStep[] {
  const scheduledFor = draft.scheduledFor ? new Date(draft.scheduledFor) : null;
  const scheduled = scheduledFor !== null && scheduledFor > now;
  const deadline = draft.deadline ? deadlineInstant(draft.deadline) : null;
  const insert: Statement = {
    sql: `INSERT INTO "Notice" ("title", "body", "fetchMethod", "fetchAddress", "deadline", "audience", "createdByContactId", "scheduledFor", "status", "createdAt")
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
    params: [draft.title, draft.body, draft.fetchMethod, draft.fetchAddress, deadline, JSON.stringify(draft.audience), audit.actorContactId, scheduledFor, scheduled ? 'scheduled' : 'draft', now],
    expectChanges: 1,
  };
  return [
    insert,
    (results) => {
      const id = Number((results[results.length - 1]![0] as Row)['id']);
      const notice: CreatedNotice = { id, title: draft.title, status: scheduled ? 'scheduled' : release ? 'sent' : 'draft', scheduledFor, recipients: 0, enqueued: 0 };
      created(notice);
      const auditRow = auditStatement({ ...audit, action: scheduled ? 'notice.schedule' : 'notice.send', entity: 'Notice', entityId: String(id) });
      if (scheduled || !release) return [auditRow];
      const row: NoticeRow = { id, title: draft.title, body: draft.body, fetchMethod: draft.fetchMethod, fetchAddress: draft.fetchAddress, deadline, audience: JSON.stringify(draft.audience) };
      return [auditRow, ...releaseNoticeSteps(row, now, (counts) => Object.assign(notice, counts))];
    },
  ];
}

/** A scheduled notice's cancellation; changes nothing if it was sent or cancelled meanwhile. */
export function cancelScheduledNoticeSteps(noticeId: number, audit: Omit<AuditEntry, 'action' | 'entity' | 'entityId'>, cancelled: (done: boolean) => void): BatchStep[] {
  return [
    { sql: `UPDATE "Notice" SET "status" = 'cancelled' WHERE "id" = ? AND "status" = 'scheduled' RETURNING "id"`, params: [noticeId] },
    (results) => {
      const done = results[results.length - 1]!.length === 1;
      cancelled(done);
      return done ? [auditStatement({ ...audit, action: 'notice.cancel', entity: 'Notice', entityId: String(noticeId) })] : [];
    },
  ];
}

/** "收到" from a contact. */
export function acknowledgeNoticeStatement(noticeId: number, contactId: number, now: Date): Statement {
  return { sql: 'UPDATE "NoticeRecipient" SET "acknowledgedAt" = ? WHERE "noticeId" = ? AND "contactId" = ? AND "acknowledgedAt" IS NULL', params: [now, noticeId, contactId] };
}

// ---- for the command line, the scheduler and tests: each in a transaction of its own ----------

/** A notice stored as a draft (or scheduled); releaseNotice sends it. */
export async function createNotice(db: Db, draft: NoticeDraft, createdByContactId: number | null, now: Date, actor = 'cli'): Promise<CreatedNotice> {
  let created: CreatedNotice | null = null;
  await sqlOf(db).batch(createNoticeSteps(draft, { at: now, actorContactId: createdByContactId, actor }, now, (n) => (created = n), false));
  return created!;
}

export async function releaseNotice(db: Db, noticeId: number, now: Date): Promise<{ recipients: number; enqueued: number }> {
  const [notice] = await sqlOf(db).query<NoticeRow & { status: string }>(
    'SELECT "id", "title", "body", "fetchMethod", "fetchAddress", "deadline", "audience", "status" FROM "Notice" WHERE "id" = ?',
    [noticeId],
  );
  if (!notice || notice.status === 'cancelled') return { recipients: 0, enqueued: 0 };
  let counts = { recipients: 0, enqueued: 0 };
  await sqlOf(db).batch(releaseNoticeSteps(notice, now, (c) => (counts = c)));
  return counts;
}

/** Scheduled notices whose time has come; each is released (idempotently, see releaseNoticeSteps). */
export async function releaseDueNotices(db: Db, now: Date): Promise<{ noticeId: number; recipients: number; enqueued: number }[]> {
  const due = await sqlOf(db).query<{ id: number }>(`SELECT "id" FROM "Notice" WHERE "status" = 'scheduled' AND "scheduledFor" <= ? ORDER BY "id"`, [now]);
  const released = [];
  for (const { id } of due) released.push({ noticeId: id, ...(await releaseNotice(db, id, now)) });
  return released;
}

/** Record "收到" from a contact: whether it was new. */
export async function acknowledgeNotice(db: Db, noticeId: number, contactId: number, now: Date): Promise<'acknowledged' | 'already' | 'notRecipient'> {
  const ack = acknowledgeNoticeStatement(noticeId, contactId, now);
  if ((await sqlOf(db).execute(ack.sql, ack.params)) === 1) return 'acknowledged';
  const existing = await db.noticeRecipient.findUnique({ where: { noticeId_contactId: { noticeId, contactId } } });
  return existing ? 'already' : 'notRecipient';
}
