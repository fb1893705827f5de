// Applying an imported directory to the database, and reading it back. Re-importing updates in
// place: points are matched by (镇街, 服务点), contacts by mobile number, so chat bindings survive;
// whatever the new file no longer lists is deactivated, never deleted (reports and history keep it).
// Work is done in bulk (one read of each table, createMany, grouped updates), because the directory
// may hold 100,000 points.
import type { Db } from '../../bot/db/client.ts';
import { POINT_LEVEL_LABELS, type ContactRole, type PointLevel } from '../../bot/domain.ts';
import type { DirectoryRow } from './rows.ts';

export interface ImportSummary {
  points: { created: number; updated: number; deactivated: number; total: number };
  contacts: { created: number; updated: number; deactivated: number; total: number };
}

const CHUNK = 500;
const chunks = <T>(items: T[], size = CHUNK): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
const pointKey = (town: string, name: string) => `${town}\u0000${name}`;

export async function applyDirectoryImport(db: Db, rows: DirectoryRow[], actor: string, actorContactId: number | null = null): Promise<ImportSummary> {
  return db.$transaction(
    async (tx) => {
      const wantedPoints = new Map<string, { town: string; name: string; level: PointLevel; isPartyEducationPoint: boolean }>();
      for (const row of rows) {
        const key = pointKey(row.town, row.pointName);
        const existing = wantedPoints.get(key);
        wantedPoints.set(key, {
          town: row.town,
          name: row.pointName,
          level: row.level,
          isPartyEducationPoint: (existing?.isPartyEducationPoint ?? false) || row.isPartyEducationPoint,
        });
      }

      const existingPoints = await tx.servicePoint.findMany({ select: { id: true, town: true, name: true, level: true, isPartyEducationPoint: true, active: true, parentId: true } });
      const pointsByKey = new Map(existingPoints.map((p) => [pointKey(p.town, p.name), p]));
      const newPoints = [...wantedPoints.values()].filter((p) => !pointsByKey.has(pointKey(p.town, p.name)));
      for (const part of chunks(newPoints)) await tx.servicePoint.createMany({ data: part.map((p) => ({ ...p, active: true })) });
      let pointsUpdated = 0;
      for (const p of wantedPoints.values()) {
        const before = pointsByKey.get(pointKey(p.town, p.name));
        if (before && (before.level !== p.level || before.isPartyEducationPoint !== p.isPartyEducationPoint || !before.active)) {
          await tx.servicePoint.update({ where: { id: before.id }, data: { level: p.level, isPartyEducationPoint: p.isPartyEducationPoint, active: true } });
          pointsUpdated++;
        }
      }
      const goneIds = existingPoints.filter((p) => p.active && !wantedPoints.has(pointKey(p.town, p.name))).map((p) => p.id);
      for (const part of chunks(goneIds)) await tx.servicePoint.updateMany({ where: { id: { in: part } }, data: { active: false } });

      // hierarchy: every village, school and enterprise point belongs to its town's town-level point
      const allPoints = await tx.servicePoint.findMany({ where: { active: true }, select: { id: true, town: true, level: true, parentId: true, name: true } });
      const townPointIdByTown = new Map(allPoints.filter((p) => p.level === 'town').map((p) => [p.town, p.id]));
      const parentChanges = new Map<number | null, number[]>();
      for (const p of allPoints) {
        const parentId = p.level === 'town' || p.level === 'subCenter' ? null : (townPointIdByTown.get(p.town) ?? null);
        if (p.parentId !== parentId) parentChanges.set(parentId, [...(parentChanges.get(parentId) ?? []), p.id]);
      }
      for (const [parentId, ids] of parentChanges) {
        for (const part of chunks(ids)) await tx.servicePoint.updateMany({ where: { id: { in: part } }, data: { parentId } });
      }
      const pointIdByKey = new Map(allPoints.map((p) => [pointKey(p.town, p.name), p.id]));

      const existingContacts = await tx.contact.findMany({ select: { id: true, mobile: true, name: true, role: true, email: true, servicePointId: true, active: true } });
      const contactsByMobile = new Map(existingContacts.map((c) => [c.mobile, c]));
      const wantedMobiles = new Set<string>();
      const newContacts: { servicePointId: number; name: string; role: ContactRole; mobile: string; email: string | null }[] = [];
      let contactsUpdated = 0;
      for (const row of rows) {
        wantedMobiles.add(row.mobile);
        const servicePointId = pointIdByKey.get(pointKey(row.town, row.pointName))!;
        const data = { servicePointId, name: row.contactName, role: row.role, email: row.email };
        const before = contactsByMobile.get(row.mobile);
        if (!before) {
          newContacts.push({ ...data, mobile: row.mobile });
        } else if (before.servicePointId !== servicePointId || before.name !== row.contactName || before.role !== row.role || before.email !== row.email || !before.active) {
          await tx.contact.update({ where: { id: before.id }, data: { ...data, active: true } });
          contactsUpdated++;
        }
      }
      for (const part of chunks(newContacts)) await tx.contact.createMany({ data: part });
      const goneContactIds = existingContacts.filter((c) => c.active && !wantedMobiles.has(c.mobile)).map((c) => c.id);
      for (const part of chunks(goneContactIds)) await tx.contact.updateMany({ where: { id: { in: part } }, data: { active: false } });

      const summary: ImportSummary = {
        points: { created: newPoints.length, updated: pointsUpdated, deactivated: goneIds.length, total: wantedPoints.size },
        contacts: { created: newContacts.length, updated: contactsUpdated, deactivated: goneContactIds.length, total: rows.length },
      };
      await tx.auditLog.create({ data: { actor, actorContactId, action: 'directory.import', entity: 'directory', detail: JSON.stringify(summary) } });
      return summary;
    },
    { timeout: 600_000, maxWait: 30_000 },
  );
}

/** The active directory as rows of the import format, ordered by 镇街, 服务点 and contact. */
export async function readDirectoryRows(db: Db): Promise<DirectoryRow[]> {
  const contacts = await db.contact.findMany({
    where: { active: true, servicePoint: { active: true } },
    select: { name: true, role: true, mobile: true, email: true, servicePoint: { select: { town: true, name: true, level: true, isPartyEducationPoint: true } } },
    orderBy: [{ servicePoint: { town: 'asc' } }, { servicePoint: { name: 'asc' } }, { id: 'asc' }],
  });
  return contacts.map((c) => ({
    town: c.servicePoint.town,
    pointName: c.servicePoint.name,
    level: c.servicePoint.level as PointLevel,
    contactName: c.name,
    role: c.role as ContactRole,
    mobile: c.mobile,
    email: c.email,
    isPartyEducationPoint: c.servicePoint.isPartyEducationPoint,
  }));
}

export interface DirectoryOverview {
  byLevel: { level: string; label: string; points: number; contacts: number; boundContacts: number }[];
  byTown: { town: string; points: number; contacts: number; boundContacts: number }[];
  totals: { points: number; contacts: number; boundContacts: number };
}

/** Points and contacts per level and per town, and how many contacts have bound a chat (the console is not a chat). */
export async function directoryOverview(db: Db): Promise<DirectoryOverview> {
  const points = await db.servicePoint.findMany({ where: { active: true }, select: { id: true, town: true, level: true } });
  const contacts = await db.contact.findMany({ where: { active: true, servicePoint: { active: true } }, select: { id: true, servicePointId: true } });
  const bound = await db.channelIdentity.findMany({ where: { contactId: { not: null }, channel: { not: 'console' } }, select: { contactId: true }, distinct: ['contactId'] });
  const boundSet = new Set(bound.map((b) => b.contactId));
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
  };
}

export function formatOverview(o: DirectoryOverview): string {
  const lines = [`通信名录：${o.totals.points} 个服务点，${o.totals.contacts} 位联系人，其中 ${o.totals.boundContacts} 位已绑定聊天账号。`, '', '按级别：'];
  for (const l of o.byLevel) lines.push(`· ${l.label}：${l.points} 个服务点，${l.contacts} 位联系人，已绑定 ${l.boundContacts}`);
  lines.push('', '按镇街：');
  for (const t of o.byTown) lines.push(`· ${t.town}：${t.points} 个服务点，${t.contacts} 位联系人，已绑定 ${t.boundContacts}`);
  return lines.join('\n');
}
