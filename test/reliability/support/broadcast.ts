// A directory of N contacts, each with a bound Telegram chat, and a notice to all of them: the
// material of the crash and two-instance tests.
import type { Db } from '../../../bot/db/client.ts';
import type { DirectoryRow } from '../../../commands/directory/rows.ts';
import { applyDirectoryImport } from '../../../bot/db/directory-store.ts';
import { createNotice } from '../../../bot/db/notice-store.ts';

export const TELEGRAM_CHAT_BASE = 700_000_000;
const POINTS_PER_TOWN = 50;

/** One contact per point: towns of one town-level point and 49 villages each. */
export function broadcastDirectory(contacts: number): DirectoryRow[] {
  return Array.from({ length: contacts }, (_, i) => {
    const town = `测试${Math.floor(i / POINTS_PER_TOWN) + 1}镇`;
    const isTownPoint = i % POINTS_PER_TOWN === 0;
    return {
      town,
      pointName: isTownPoint ? `${town}图书馆` : `第${i % POINTS_PER_TOWN}村`,
      level: isTownPoint ? 'town' : 'village',
      contactName: `联系人${i}`,
      role: 'liaison',
      mobile: `139${String(i).padStart(8, '0')}`,
      email: null,
      isPartyEducationPoint: false,
    } satisfies DirectoryRow;
  });
}

export interface PreparedBroadcast {
  noticeId: number;
  /** the Telegram chat of every contact */
  chatIds: string[];
  /** the text every contact must receive */
  text: string;
}

/**
 * Imports the directory, binds a Telegram chat per contact, and creates (not releases) a notice to
 * everyone; scheduledFor makes it a scheduled notice for releaseDueNotices.
 */
export async function prepareBroadcast(db: Db, contacts: number, now: Date, scheduledFor?: Date): Promise<Omit<PreparedBroadcast, 'text'>> {
  await applyDirectoryImport(db, broadcastDirectory(contacts), 'reliability-test');
  const all = await db.contact.findMany({ where: { active: true }, select: { id: true, mobile: true }, orderBy: { id: 'asc' } });
  const chatIds: string[] = [];
  const identities = all.map((c) => {
    const chatId = String(TELEGRAM_CHAT_BASE + Number(c.mobile!.slice(3)));
    chatIds.push(chatId);
    return { channel: 'telegram', externalId: chatId, contactId: c.id, boundAt: now, lastSeenAt: now };
  });
  for (let i = 0; i < identities.length; i += 200) await db.channelIdentity.createMany({ data: identities.slice(i, i + 200) });
  const notice = await createNotice(
    db,
    {
      title: '2026年第4季度视频讲座资源发放',
      body: '本期新增视频讲座20讲，请各服务点按时领取。',
      fetchMethod: 'hardDisk',
      fetchAddress: '东莞图书馆',
      deadline: '2026-12-10',
      audience: { kind: 'all', values: [] },
      scheduledFor: scheduledFor ? scheduledFor.toISOString() : null,
    },
    null,
    now,
  );
  return { noticeId: notice.id, chatIds };
}
