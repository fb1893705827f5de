// Applying an imported directory to the database, and reading it back. Re-importing updates in
// place: points are matched by (镇街, 服务点), contacts by mobile number, so chat bindings survive;
// whatever the new file no longer lists is deactivated, never deleted (reports and history keep it).
// The directory may hold 100,000 points and 200,000 contacts, so the writes are raw multi-row SQL
// in one transaction: Prisma's createMany compiles and interprets every row in JS (17 s and 600 MB
// for 20,000 points), while a raw INSERT of 400 rows is one prepared statement. The hierarchy is
// set by set-based UPDATEs.
import { Prisma } from '../../generated/sqlite/client.ts';
import type { Db } from '../../bot/db/client.ts';
import { POINT_LEVEL_LABELS, type ContactRole, type PointLevel } from '../../bot/domain.ts';
import type { DirectoryRow } from './rows.ts';

export interface ImportSummary {
  points: { created: number; updated: number; deactivated: number; total: number };
  contacts: { created: number; updated: number; deactivated: number; total: number };
}

type Tx = Prisma.TransactionClient;

// rows per statement: 400 rows x at most 8 parameters stays under SQLite's 32,766 and PostgreSQL's 65,535
const CHUNK = 400;
const chunks = <T>(items: T[], size = CHUNK): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
const pointKey = (town: string, name: string) => `${town}\u0000${name}`;
const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : Number(v));
// SQLite returns booleans as 0/1, PostgreSQL as true/false
const bool = (v: unknown): boolean => v === true || v === 1 || v === 1n || v === '1' || v === 't';

interface WantedPoint {
  town: string;
  name: string;
  level: PointLevel;
  isPartyEducationPoint: boolean;
}

/** Sets active = flag for the ids, in chunks. */
async function setActive(tx: Tx, table: 'ServicePoint' | 'Contact', ids: number[], active: boolean, now: Date): Promise<void> {
  for (const part of chunks(ids, 2000)) {
    await tx.$executeRaw`UPDATE ${Prisma.raw(`"${table}"`)} SET "active" = ${active}, "updatedAt" = ${now} WHERE "id" IN (${Prisma.join(part)})`;
  }
}

export async function applyDirectoryImport(db: Db, rows: DirectoryRow[], actor: string, actorContactId: number | null = null, now: Date = new Date()): Promise<ImportSummary> {
  return db.$transaction(
    async (tx) => {
      const wantedPoints = new Map<string, WantedPoint>();
      for (const row of rows) {
        const key = pointKey(row.town, row.pointName);
        const existing = wantedPoints.get(key);
        if (existing) existing.isPartyEducationPoint ||= row.isPartyEducationPoint;
        else wantedPoints.set(key, { town: row.town, name: row.pointName, level: row.level, isPartyEducationPoint: row.isPartyEducationPoint });
      }

      const existingPoints = (
        await tx.$queryRaw<{ id: unknown; town: string; name: string; level: string; party: unknown; active: unknown }[]>`
          SELECT "id" AS id, "town" AS town, "name" AS name, "level" AS level, "isPartyEducationPoint" AS party, "active" AS active FROM "ServicePoint"`
      ).map((p) => ({ id: num(p.id), key: pointKey(p.town, p.name), level: p.level, isPartyEducationPoint: bool(p.party), active: bool(p.active) }));
      const pointsByKey = new Map(existingPoints.map((p) => [p.key, p]));

      const newPoints: WantedPoint[] = [];
      // points whose level or flag changed, or that come back, grouped by their new values
      const pointUpdates = new Map<string, { level: PointLevel; isPartyEducationPoint: boolean; ids: number[] }>();
      let pointsUpdated = 0;
      for (const [key, p] of wantedPoints) {
        const before = pointsByKey.get(key);
        if (!before) newPoints.push(p);
        else if (before.level !== p.level || before.isPartyEducationPoint !== p.isPartyEducationPoint || !before.active) {
          const group = `${p.level}\u0000${p.isPartyEducationPoint}`;
          const entry = pointUpdates.get(group) ?? { level: p.level, isPartyEducationPoint: p.isPartyEducationPoint, ids: [] };
          entry.ids.push(before.id);
          pointUpdates.set(group, entry);
          pointsUpdated++;
        }
      }
      for (const part of chunks(newPoints)) {
        const values = part.map((p) => Prisma.sql`(${p.town}, ${p.name}, ${p.level}, ${p.isPartyEducationPoint}, ${true}, ${now}, ${now})`);
        await tx.$executeRaw`INSERT INTO "ServicePoint" ("town", "name", "level", "isPartyEducationPoint", "active", "createdAt", "updatedAt") VALUES ${Prisma.join(values)}`;
      }
      for (const u of pointUpdates.values()) {
        for (const part of chunks(u.ids, 2000)) {
          await tx.$executeRaw`UPDATE "ServicePoint" SET "level" = ${u.level}, "isPartyEducationPoint" = ${u.isPartyEducationPoint}, "active" = ${true}, "updatedAt" = ${now} WHERE "id" IN (${Prisma.join(part)})`;
        }
      }
      const goneIds = existingPoints.filter((p) => p.active && !wantedPoints.has(p.key)).map((p) => p.id);
      await setActive(tx, 'ServicePoint', goneIds, false, now);

      // hierarchy: every active village, school and enterprise point belongs to its town's
      // town-level point (the newest one, should a town list two). UPDATE ... FROM a grouped table
      // of the town points: a correlated subquery per point took 51 s on PostgreSQL.
      await tx.$executeRaw`UPDATE "ServicePoint" SET "parentId" = NULL
        WHERE "active" = ${true} AND "level" IN ('town', 'subCenter') AND "parentId" IS NOT NULL`;
      await tx.$executeRaw`UPDATE "ServicePoint" AS p SET "parentId" = t."id"
        FROM (SELECT "town" AS town, MAX("id") AS id FROM "ServicePoint" WHERE "level" = 'town' AND "active" = ${true} GROUP BY "town") AS t
        WHERE p."town" = t.town AND p."active" = ${true} AND p."level" NOT IN ('town', 'subCenter') AND (p."parentId" IS NULL OR p."parentId" <> t."id")`;
      await tx.$executeRaw`UPDATE "ServicePoint" AS p SET "parentId" = NULL
        WHERE p."active" = ${true} AND p."level" NOT IN ('town', 'subCenter') AND p."parentId" IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "ServicePoint" t WHERE t."town" = p."town" AND t."level" = 'town' AND t."active" = ${true})`;

      const pointIdByKey = new Map<string, number>();
      for (const p of await tx.$queryRaw<{ id: unknown; town: string; name: string }[]>`SELECT "id" AS id, "town" AS town, "name" AS name FROM "ServicePoint" WHERE "active" = ${true}`) {
        pointIdByKey.set(pointKey(p.town, p.name), num(p.id));
      }

      const contactsByMobile = new Map<string, { id: number; servicePointId: number; name: string; role: string; email: string | null; active: boolean }>();
      for (const c of await tx.$queryRaw<{ id: unknown; sp: unknown; name: string; role: string; mobile: string; email: string | null; active: unknown }[]>`
          SELECT "id" AS id, "servicePointId" AS sp, "name" AS name, "role" AS role, "mobile" AS mobile, "email" AS email, "active" AS active FROM "Contact"`) {
        contactsByMobile.set(c.mobile, { id: num(c.id), servicePointId: num(c.sp), name: c.name, role: c.role, email: c.email, active: bool(c.active) });
      }
      const wantedMobiles = new Set<string>();
      const newContacts: { servicePointId: number; name: string; role: ContactRole; mobile: string; email: string | null }[] = [];
      const changedContacts: { id: number; servicePointId: number; name: string; role: ContactRole; email: string | null }[] = [];
      for (const row of rows) {
        wantedMobiles.add(row.mobile);
        const servicePointId = pointIdByKey.get(pointKey(row.town, row.pointName))!;
        const before = contactsByMobile.get(row.mobile);
        if (!before) {
          newContacts.push({ servicePointId, name: row.contactName, role: row.role, mobile: row.mobile, email: row.email });
        } else if (before.servicePointId !== servicePointId || before.name !== row.contactName || before.role !== row.role || before.email !== row.email || !before.active) {
          changedContacts.push({ id: before.id, servicePointId, name: row.contactName, role: row.role, email: row.email });
        }
      }
      for (const part of chunks(newContacts)) {
        const values = part.map((c) => Prisma.sql`(${c.servicePointId}, ${c.name}, ${c.role}, ${c.mobile}, ${c.email}, ${true}, ${now}, ${now})`);
        await tx.$executeRaw`INSERT INTO "Contact" ("servicePointId", "name", "role", "mobile", "email", "active", "createdAt", "updatedAt") VALUES ${Prisma.join(values)}`;
      }
      // a changed contact keeps its row (and so its chat bindings); few change in a typical re-import
      for (const c of changedContacts) {
        await tx.$executeRaw`UPDATE "Contact" SET "servicePointId" = ${c.servicePointId}, "name" = ${c.name}, "role" = ${c.role}, "email" = ${c.email}, "active" = ${true}, "updatedAt" = ${now} WHERE "id" = ${c.id}`;
      }
      const goneContactIds: number[] = [];
      for (const [mobile, c] of contactsByMobile) if (c.active && !wantedMobiles.has(mobile)) goneContactIds.push(c.id);
      await setActive(tx, 'Contact', goneContactIds, false, now);

      const summary: ImportSummary = {
        points: { created: newPoints.length, updated: pointsUpdated, deactivated: goneIds.length, total: wantedPoints.size },
        contacts: { created: newContacts.length, updated: changedContacts.length, deactivated: goneContactIds.length, total: rows.length },
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
