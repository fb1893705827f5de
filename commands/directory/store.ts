// The directory as it stands, read: its rows for the export, and the operators' summary. Every
// write of the directory is the store's (bot/db/directory-store.ts).
import type { ReadSql } from '../../bot/core/capability.ts';
import { formatChannelCounts } from '../../bot/channels/labels.ts';
import type { Db } from '../../bot/db/client.ts';
import { POINT_LEVEL_LABELS, type ContactRole, type PointLevel } from '../../bot/domain.ts';
import type { DirectoryRow } from './rows.ts';

/** The active directory as rows of the import format, ordered by 镇街, 服务点 and contact. */
export async function readDirectoryRows(db: Db): Promise<DirectoryRow[]> {
  const contacts = await db.contact.findMany({
    where: { active: true, servicePoint: { active: true } },
    select: { name: true, role: true, mobile: true, landline: true, email: true, wecomUserId: true, servicePoint: { select: { town: true, name: true, level: true, isPartyEducationPoint: true } } },
    orderBy: [{ servicePoint: { town: 'asc' } }, { servicePoint: { name: 'asc' } }, { id: 'asc' }],
  });
  return contacts.map((c) => ({
    town: c.servicePoint.town,
    pointName: c.servicePoint.name,
    level: c.servicePoint.level as PointLevel,
    contactName: c.name,
    role: c.role as ContactRole,
    mobile: c.mobile,
    landline: c.landline,
    email: c.email,
    wecomUserId: c.wecomUserId,
    isPartyEducationPoint: c.servicePoint.isPartyEducationPoint,
  }));
}

export interface DirectoryOverview {
  byLevel: { level: string; label: string; points: number; contacts: number; boundContacts: number }[];
  byTown: { town: string; points: number; contacts: number; boundContacts: number }[];
  totals: { points: number; contacts: number; boundContacts: number };
  /** how contacts can be reached: bound chats per channel, WeCom accounts from the directory, addresses */
  reach: { chatsByChannel: string; wecomAccounts: number; emails: number };
}

/**
 * Points and contacts per level and per town, and how many contacts have bound a chat (the console is
 * not a chat). Three plain SELECTs through DirectSql: the command needs no Prisma client.
 */
export async function directoryOverview(sql: ReadSql): Promise<DirectoryOverview> {
  const points = (await sql.query<{ id: number; town: string; level: string }>('SELECT "id", "town", "level" FROM "ServicePoint" WHERE "active" = TRUE')).map((p) => ({ ...p, id: Number(p.id) }));
  const contacts = (
    await sql.query<{ id: number; servicePointId: number; email: string | null; wecomUserId: string | null }>(
      'SELECT c."id", c."servicePointId", c."email", c."wecomUserId" FROM "Contact" c JOIN "ServicePoint" sp ON sp."id" = c."servicePointId" WHERE c."active" = TRUE AND sp."active" = TRUE',
    )
  ).map((c) => ({ ...c, id: Number(c.id), servicePointId: Number(c.servicePointId) }));
  const chats = (
    await sql.query<{ contactId: number; channel: string; blockedAt: Date | null }>(
      `SELECT ci."contactId", ci."channel", ci."blockedAt" FROM "ChannelIdentity" ci JOIN "Contact" c ON c."id" = ci."contactId" WHERE c."active" = TRUE AND ci."channel" <> 'console'`,
    )
  ).map((c) => ({ contactId: Number(c.contactId), channel: c.channel, open: c.blockedAt === null }));
  // reachable as bot/db/reachability.ts counts it (and the notice preview): a bound chat that has not blocked the bot
  const boundSet = new Set(chats.filter((c) => c.open).map((b) => b.contactId));
  const pointById = new Map(points.map((p) => [p.id, p]));
  const levelRows = new Map<string, { points: number; contacts: number; boundContacts: number }>();
  const townRows = new Map<string, { points: number; contacts: number; boundContacts: number }>();
  const bump = (map: typeof levelRows, key: string) => {
    const row = map.get(key) ?? { points: 0, contacts: 0, boundContacts: 0 };
    map.set(key, row);
    return row;
  };
  for (const p of points) {
    bump(levelRows, p.level).points++;
    bump(townRows, p.town).points++;
  }
  for (const c of contacts) {
    const p = pointById.get(c.servicePointId);
    if (!p) continue;
    const isBound = boundSet.has(c.id) ? 1 : 0;
    for (const row of [bump(levelRows, p.level), bump(townRows, p.town)]) {
      row.contacts++;
      row.boundContacts += isBound;
    }
  }
  const levelOrder = Object.keys(POINT_LEVEL_LABELS);
  return {
    byLevel: [...levelRows.entries()]
      .sort(([a], [b]) => levelOrder.indexOf(a) - levelOrder.indexOf(b))
      .map(([level, row]) => ({ level, label: POINT_LEVEL_LABELS[level as PointLevel] ?? level, ...row })),
    byTown: [...townRows.entries()].sort(([a], [b]) => a.localeCompare(b, 'zh-Hans-CN')).map(([town, row]) => ({ town, ...row })),
    totals: {
      points: points.length,
      contacts: contacts.length,
      boundContacts: contacts.filter((c) => boundSet.has(c.id)).length,
    },
    reach: {
      // contacts per channel: a contact with two chats on one channel counts once there
      chatsByChannel: formatChannelCounts([...new Set(chats.map((c) => `${c.channel}:${c.contactId}`))].map((key) => key.split(':')[0])),
      wecomAccounts: contacts.filter((c) => c.wecomUserId).length,
      emails: contacts.filter((c) => c.email).length,
    },
  };
}

export function formatOverview(o: DirectoryOverview): string {
  const lines = [`通信名录：${o.totals.points} 个服务点，${o.totals.contacts} 位联系人，其中 ${o.totals.boundContacts} 位可以收到机器人消息（已绑定聊天账号且未屏蔽机器人，与发通知时的“可以送达”同一口径）。`, '', '按级别：'];
  for (const l of o.byLevel) lines.push(`· ${l.label}：${l.points} 个服务点，${l.contacts} 位联系人，可送达 ${l.boundContacts}`);
  lines.push('', `按渠道：已绑定 ${o.reach.chatsByChannel || '无'}；名录中填写企业微信账号 ${o.reach.wecomAccounts} 位；有邮箱 ${o.reach.emails} 位（没有可用聊天账号时以邮件接收通知）。`);
  lines.push('', '按镇街：');
  for (const t of o.byTown) lines.push(`· ${t.town}：${t.points} 个服务点，${t.contacts} 位联系人，可送达 ${t.boundContacts}`);
  return lines.join('\n');
}
