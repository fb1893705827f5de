// Personal acknowledgement links for notices sent by e-mail. The token is 32 random bytes
// (base64url), good for one contact and one notice, until the notice's pickup deadline (30 days
// after sending when it has none); only its SHA-256 is stored, like invitation codes.
import { writeAudit } from '../../db/audit.ts';
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { acknowledgeNotice } from '../../db/notice-store.ts';

export const ACK_PATH = '/ack/';
export const ACK_VALID_WITHOUT_DEADLINE_MS = 30 * 24 * 3600_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function issueAckLink(db: Db, noticeId: number, contactId: number, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const notice = await db.notice.findUniqueOrThrow({ where: { id: noticeId }, select: { deadline: true, sentAt: true } });
  const expiresAt = notice.deadline ?? new Date((notice.sentAt ?? now).getTime() + ACK_VALID_WITHOUT_DEADLINE_MS);
  const token = randomBytes(32).toString('base64url');
  await db.ackLink.create({ data: { tokenHash: hashToken(token), noticeId, contactId, expiresAt, createdAt: now } });
  return { token, expiresAt };
}

export type AckLinkState =
  | { kind: 'invalid' }
  | { kind: 'expired'; title: string }
  | { kind: 'open'; title: string; contactName: string; acknowledgedAt: Date | null };

async function find(db: Db, token: string) {
  if (!TOKEN.test(token)) return null;
  return db.ackLink.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { notice: { select: { title: true, status: true } }, contact: { select: { name: true, active: true } } },
  });
}

/** What the link's page shows, without recording anything (mail scanners open links too). */
export async function ackLinkState(db: Db, token: string, now: Date): Promise<AckLinkState> {
  const link = await find(db, token);
  if (!link || !link.contact.active || link.notice.status === 'cancelled') return { kind: 'invalid' };
  if (link.expiresAt <= now) return { kind: 'expired', title: link.notice.title };
  const recipient = await db.noticeRecipient.findUnique({ where: { noticeId_contactId: { noticeId: link.noticeId, contactId: link.contactId } }, select: { acknowledgedAt: true } });
  return { kind: 'open', title: link.notice.title, contactName: link.contact.name, acknowledgedAt: recipient?.acknowledgedAt ?? null };
}

/** The press of “确认收到”: the notice acknowledged for the link's contact, once. */
export async function useAckLink(db: Db, token: string, now: Date): Promise<AckLinkState & { recorded?: boolean }> {
  const state = await ackLinkState(db, token, now);
  if (state.kind !== 'open') return state;
  const link = (await find(db, token))!;
  const result = await acknowledgeNotice(db, link.noticeId, link.contactId, now);
  if (result === 'notRecipient') return { kind: 'invalid' };
  await db.ackLink.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt: now } });
  if (result === 'acknowledged') {
    await writeAudit(db, { at: now, actor: 'email:ack-link', actorContactId: link.contactId, action: 'notice.acknowledge', entity: 'Notice', entityId: String(link.noticeId), detail: { how: 'email-link' } });
  }
  return { ...state, acknowledgedAt: state.acknowledgedAt ?? now, recorded: result === 'acknowledged' };
}
