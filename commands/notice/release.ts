// The database edge of notices: who an audience reaches, creating a notice, and releasing it into
// the outbox. Releasing is idempotent (NoticeRecipient is unique per notice and contact, outbox rows
// per dedupeKey), so a crash half-way or two instances releasing the same scheduled notice at once
// still give each contact exactly one row.
import type { Db } from '../../bot/db/client.ts';
import { enqueueOutbox, isUniqueViolation } from '../../scheduler/outbox.ts';
import {
  ackChoice,
  deadlineInstant,
  noticeDedupeKey,
  parseAudienceJson,
  renderNoticeText,
  type Audience,
  type NoticeDraft,
} from './model.ts';

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

/** Active points the audience names (never the sub-center's own entry), and their active contacts. */
export async function resolveAudience(db: Db, audience: Audience): Promise<{ points: AudiencePoint[]; contacts: AudienceContact[] }> {
  const base = { active: true, level: { notIn: ['subCenter', 'townCultureCenter'] } };
  const where =
    audience.kind === 'all'
      ? base
      : audience.kind === 'level'
        ? { ...base, level: { in: audience.values } }
        : audience.kind === 'towns'
          ? { ...base, town: { in: audience.values } }
          : { ...base, id: { in: audience.values } };
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

export async function createNotice(db: Db, draft: NoticeDraft, createdByContactId: number | null, now: Date) {
  return db.notice.create({
    data: {
      title: draft.title,
      body: draft.body,
      fetchMethod: draft.fetchMethod,
      fetchAddress: draft.fetchAddress,
      deadline: draft.deadline ? deadlineInstant(draft.deadline) : null,
      audience: JSON.stringify(draft.audience),
      createdByContactId,
      scheduledFor: draft.scheduledFor ? new Date(draft.scheduledFor) : null,
      status: draft.scheduledFor && new Date(draft.scheduledFor) > now ? 'scheduled' : 'draft',
      createdAt: now,
    },
  });
}

/**
 * Write the recipients and their outbox rows, then mark the notice sent. Recipients are taken from
 * the directory as it is at release time (a scheduled notice reaches contacts added meanwhile).
 */
export async function releaseNotice(db: Db, noticeId: number, now: Date): Promise<{ recipients: number; enqueued: number }> {
  const notice = await db.notice.findUnique({ where: { id: noticeId } });
  if (!notice || notice.status === 'cancelled') return { recipients: 0, enqueued: 0 };
  const { contacts } = await resolveAudience(db, parseAudienceJson(notice.audience));
  const existing = new Set((await db.noticeRecipient.findMany({ where: { noticeId }, select: { contactId: true } })).map((r) => r.contactId));
  // plain inserts, not upserts: an upsert may open a transaction, and two SQLite clients in one
  // process would wait on each other's lock while blocking the event loop that could release it
  for (const contact of contacts.filter((c) => !existing.has(c.id))) {
    try {
      await db.noticeRecipient.create({ data: { noticeId, contactId: contact.id, servicePointId: contact.servicePointId } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  const recipients = await db.noticeRecipient.findMany({ where: { noticeId }, select: { contactId: true } });
  const text = renderNoticeText(notice);
  const { created } = await enqueueOutbox(
    db,
    recipients.map((r) => ({
      dedupeKey: noticeDedupeKey(noticeId, r.contactId),
      contactId: r.contactId,
      purpose: 'notice' as const,
      noticeId,
      text,
      choices: [ackChoice(noticeId)],
    })),
    now,
  );
  await db.notice.updateMany({ where: { id: noticeId, status: { in: ['draft', 'scheduled'] } }, data: { status: 'sent', sentAt: now } });
  return { recipients: recipients.length, enqueued: created };
}

/** Scheduled notices whose time has come; each is released (idempotently, see releaseNotice). */
export async function releaseDueNotices(db: Db, now: Date): Promise<{ noticeId: number; recipients: number; enqueued: number }[]> {
  const due = await db.notice.findMany({
    where: { status: 'scheduled', scheduledFor: { lte: now } },
    orderBy: { id: 'asc' },
    select: { id: true },
  });
  const released = [];
  for (const { id } of due) released.push({ noticeId: id, ...(await releaseNotice(db, id, now)) });
  return released;
}

/** Record "收到" from a contact: returns whether it was new. */
export async function acknowledgeNotice(db: Db, noticeId: number, contactId: number, now: Date): Promise<'acknowledged' | 'already' | 'notRecipient'> {
  const { count } = await db.noticeRecipient.updateMany({
    where: { noticeId, contactId, acknowledgedAt: null },
    data: { acknowledgedAt: now },
  });
  if (count === 1) return 'acknowledged';
  const existing = await db.noticeRecipient.findUnique({ where: { noticeId_contactId: { noticeId, contactId } } });
  return existing ? 'already' : 'notRecipient';
}
