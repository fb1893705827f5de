import type { ReadDb } from '../../bot/core/capability.ts';
// The notice list, for the chat's /notice list and `gxgc notice list`. A notice not yet sent has no
// recipient rows (they are written at release): its recipients are counted from its audience as the
// preview counted them, so a scheduled notice no longer shows "收件人 0".
import { countReachability, loadReachability } from '../../bot/db/reachability.ts';
import { localDateTimeString } from '../../bot/time.ts';
import { parseAudienceJson } from './model.ts';
import { resolveAudience } from '../../bot/db/notice-store.ts';

export interface NoticeListEntry {
  id: number;
  title: string;
  status: string;
  /** when it was sent, or is to be sent */
  when: string;
  recipients: number;
  /** of those, reachable now (bot/db/reachability.ts) */
  reachable: number;
  /** counted from the audience: the notice is not sent yet */
  expected: boolean;
}

export async function listNotices(db: ReadDb, take: number): Promise<NoticeListEntry[]> {
  const notices = await db.notice.findMany({ orderBy: { id: 'desc' }, take, include: { recipients: { select: { contactId: true } } } });
  const entries: NoticeListEntry[] = [];
  for (const n of notices) {
    const unsent = n.status !== 'sent';
    const contactIds = unsent ? (await resolveAudience(db, parseAudienceJson(n.audience))).contacts.map((c) => c.id) : n.recipients.map((r) => r.contactId);
    const counts = countReachability((await loadReachability(db, contactIds)).values());
    entries.push({
      id: n.id,
      title: n.title,
      status: n.status,
      when: n.sentAt ? `发于 ${localDateTimeString(n.sentAt)}` : n.scheduledFor ? `定于 ${localDateTimeString(n.scheduledFor)}` : '',
      recipients: contactIds.length,
      reachable: counts.reachable,
      expected: unsent,
    });
  }
  return entries;
}

const STATUS_WORDS: Record<string, string> = { draft: '草稿', scheduled: '定时待发', sent: '已发出', cancelled: '已撤销' };

/** One line per notice: "#3《…》定于 2026-11-20 09:00（定时待发），收件人 7（可以送达 2）". */
export function noticeListLine(e: NoticeListEntry): string {
  const state = STATUS_WORDS[e.status] ?? e.status;
  const recipients = e.status === 'cancelled' ? '' : `，收件人 ${e.recipients}${e.expected ? '（按现在的名录）' : ''}，可以送达 ${e.reachable}`;
  return `#${e.id}《${e.title}》${e.when ? `${e.when}（${state}）` : state}${recipients}`;
}
