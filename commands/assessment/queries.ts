// The reads behind the year's assessment, on a DirectSql: one grouped query folds every point's
// reports of the year into the numbers of YearFigures (the same fold as foldMonths, in SQL) and
// counts the notices each point left unacknowledged, so 100,000 points and their million reports
// come back as 100,000 short rows, a page at a time; the overdue 限期整改; and the Rule rows. The chat
// uses the bot's DirectSql, the command line a driver connection of its own without the Prisma
// client (bot/cli.ts).
import type { ReadSql } from '../../bot/core/capability.ts';
import type { DirectSql, SqlValue } from '../../bot/db/direct-sql.ts';
import { fromLocal, localDateString, monthKey, type MonthKey } from '../../bot/time.ts';
import { daysBetween, type OverdueRectification, type PointAssessment } from './supervision.ts';
import { ANNEX_ITEMS, assessPointYear, type AnnexRule, type YearFigures } from './year.ts';

export interface Scope {
  year: number;
  asOf: Date;
  /** one town's points (a town contact's), or one point (a point contact's); neither: the city */
  town?: string | null;
  pointId?: number | null;
}

export async function loadRules(sql: ReadSql): Promise<AnnexRule[]> {
  const items = Object.values(ANNEX_ITEMS);
  const rows = await sql.query<{ level: string; item: string; quantity: number; unit: string | null; source: string }>(
    `SELECT "level" AS level, "item" AS item, "quantity" AS quantity, "unit" AS unit, "source" AS source
     FROM "Rule" WHERE "item" IN (${items.map(() => '?').join(', ')}) AND "quantity" IS NOT NULL`,
    items,
  );
  return rows.map((r) => ({ ...r, quantity: Number(r.quantity) }));
}

/**
 * The fold, over the report's assessment columns (visitors, openHours, activities, computers: the
 * report store copies them from the figures' JSON on every save), read from the index
 * MonthlyReport_assessment_idx alone, so neither the rows nor their JSON are visited; and, in the
 * same query, the notices of the year no contact of the point acknowledged (a notice counts as
 * acknowledged for a point when any of its contacts acknowledged it), from NoticeRecipient's index.
 * Pages are ranges of point ids, repeated on the reports' and recipients' point, and the year's
 * months are literals: PostgreSQL keeps a generic plan for a named statement after a few runs, and
 * with the months or a LIMIT as parameters that plan sorted all the year's reports for every page.
 * The shape differs by database, each measured at 100,000 points: SQLite probes each point's months
 * in the index (a nested loop, GROUP BY the point) and then its notices in a subquery per point; on
 * PostgreSQL the city's pages aggregate the index ranges first and merge-join the points (the
 * nested loop sorted each page, spilling to disk), the recipients filtered by the year's notice ids
 * (an array worked out once: joined to Notice they were hashed and sorted again), while a town or a
 * point keeps the nested loop, to read only its own points' rows.
 * What comes back is as little as it can be, since turning 100,000 rows of values into JavaScript
 * is a large part of the time: the three month masks are one number (each month is reported once,
 * so the sum of the bits is their union), the late and the not-open months' bits worked out only
 * for those rows (the months open are the months reported minus those); the latest 可用电脑 is one
 * number, month × 1e9 + computers (the template caps computers at 10,000); and a point that joined
 * before the year, nearly every one, is given no joining month.
 * A nil report's columns are null, so it adds nothing to the sums without a test on its status.
 */
function foldSql(provider: DirectSql['provider'], year: number, scope: 'city' | 'town' | 'point'): { text: string; params: (after: number, notices: SqlValue[], filter: SqlValue[]) => SqlValue[] } {
  const sqlite = provider === 'sqlite';
  const monthNumber = sqlite ? `substr(r."month", 6)` : `CAST(substr(r."month", 6, 2) AS INTEGER)`;
  // bit m-1 for month m; SQLite reads '05' as 5 in arithmetic, a CAST there cost more than the rest of the bit
  const bit = `(1 << (${monthNumber} - 1))`;
  const aggregates = `
           SUM(${sqlite ? bit : `CAST(${bit} AS DOUBLE PRECISION)`} * (1 + CASE WHEN r."isLate" THEN ${LATE_SHIFT} ELSE 0 END + CASE WHEN r."openHours" > 0 THEN 0 ELSE ${CLOSED_SHIFT} END)) AS masks,
           SUM(r."visitors") AS visitors,
           SUM(r."openHours") AS "openHours",
           SUM(r."activities") AS activities,
           MAX(CASE WHEN r."computers" < ${COMPUTERS_SCALE} THEN ${monthNumber} * ${sqlite ? COMPUTERS_SCALE : `CAST(${COMPUTERS_SCALE} AS DOUBLE PRECISION)`} + r."computers" END) AS computers`;
  // the month in Dongguan (UTC+8) the point entered the directory, for points that joined in the
  // year or after (createdAt holds UTC on both; on SQLite as text, Prisma's ISO form or
  // CURRENT_TIMESTAMP's, so the cut is a day early, where both forms compare as dates)
  const joinedMonth = sqlite
    ? `CASE WHEN p."createdAt" < '${year - 1}-12-31' THEN NULL ELSE strftime('%Y-%m', p."createdAt", '+8 hours') END`
    : `CASE WHEN p."createdAt" < TIMESTAMP '${year - 1}-12-31 16:00:00' THEN NULL ELSE to_char(p."createdAt" + INTERVAL '8 hours', 'YYYY-MM') END`;
  const months = `r."month" >= '${monthKey(year, 1)}' AND r."month" <= '${monthKey(year, 12)}'`;
  const notices = `n."status" = 'sent' AND n."sentAt" >= ? AND n."sentAt" < ? AND n."sentAt" <= ?`;
  const points = `p."active" = TRUE AND p."level" <> 'subCenter' AND p."id" > ? AND p."id" <= ?${scope === 'town' ? ' AND p."town" = ?' : scope === 'point' ? ' AND p."id" = ?' : ''}`;
  const head = `SELECT p."id" AS id, p."town" AS town, p."name" AS name, p."level" AS level, ${joinedMonth} AS "joinedMonth"`;
  const range = (after: number) => [after, after + PAGE_SIZE];
  if (!sqlite && scope === 'city') {
    return {
      text: `
    ${head}, a.masks, a.visitors, a."openHours", a.activities, a.computers, u.n AS unacknowledged
    FROM "ServicePoint" p
    LEFT JOIN (SELECT r."servicePointId" AS "pointId", ${aggregates}
               FROM "MonthlyReport" r WHERE ${months} AND r."servicePointId" > ? AND r."servicePointId" <= ?
               GROUP BY r."servicePointId") a ON a."pointId" = p."id"
    LEFT JOIN (SELECT x."pointId", COUNT(*) AS n FROM (
                 SELECT nr."servicePointId" AS "pointId" FROM "NoticeRecipient" nr
                 WHERE nr."noticeId" = ANY(ARRAY(SELECT n."id" FROM "Notice" n WHERE ${notices})) AND nr."servicePointId" > ? AND nr."servicePointId" <= ?
                 GROUP BY nr."servicePointId", nr."noticeId" HAVING COUNT(nr."acknowledgedAt") = 0) x
               GROUP BY x."pointId") u ON u."pointId" = p."id"
    WHERE ${points}`,
      params: (after, n, filter) => [...range(after), ...n, ...range(after), ...range(after), ...filter],
    };
  }
  // the notices' subquery outside the grouped one: inside, SQLite ran it for every report row
  return {
    text: `
    SELECT f.*,
           (SELECT COUNT(*) FROM (SELECT nr."noticeId" FROM "NoticeRecipient" nr JOIN "Notice" n ON n."id" = nr."noticeId"
                                  WHERE nr."servicePointId" = f.id AND ${notices}
                                  GROUP BY nr."noticeId" HAVING COUNT(nr."acknowledgedAt") = 0) x) AS unacknowledged
    FROM (${head}, ${aggregates}
          FROM "ServicePoint" p
          LEFT JOIN "MonthlyReport" r ON r."servicePointId" = p."id" AND ${months} AND r."servicePointId" > ? AND r."servicePointId" <= ?
          WHERE ${points}
          GROUP BY p."id") f`,
    params: (after, n, filter) => [...n, ...range(after), ...range(after), ...filter],
  };
}

/** The latest 可用电脑 comes back as month × this + computers. */
const COMPUTERS_SCALE = 1_000_000_000;
/** The month masks as one number: reported in bits 0-11, late in 12-23, not open in 24-35 (exact in a double; PostgreSQL sums it as one, an integer would overflow). */
const LATE_SHIFT = 1 << 12;
const CLOSED_SHIFT = 1 << 24;

interface FoldRow extends Record<string, unknown> {
  id: number;
  town: string;
  name: string;
  level: string;
  /** null: joined before the year */
  joinedMonth: string | null;
  masks: number | null;
  visitors: number | null;
  openHours: number | null;
  activities: number | null;
  computers: number | null;
  unacknowledged: number | null;
}

function yearFigures(row: FoldRow): YearFigures {
  const masks = Number(row.masks);
  const reportedMask = masks & 0xfff;
  const latest = row.computers === null ? null : Number(row.computers);
  const computersMonth = latest === null ? null : Math.floor(latest / COMPUTERS_SCALE);
  return {
    reportedMask,
    lateMask: Math.floor(masks / LATE_SHIFT) & 0xfff,
    openMask: reportedMask & ~(Math.floor(masks / CLOSED_SHIFT) & 0xfff),
    visitors: Number(row.visitors),
    openHours: Number(row.openHours),
    activities: Number(row.activities),
    computers: computersMonth === null ? null : latest! - computersMonth * COMPUTERS_SCALE,
    computersMonth,
  };
}

/** Point ids folded per query: a page's rows are garbage before the next arrives, which keeps the process small. */
export const PAGE_SIZE = 5000;


/**
 * The 限期整改 past their deadline on the day of the assessment, by point: a point still in
 * deadlineRectification whose latest re-inspection set it (as the scheduler's overdue reminder
 * finds them; a later re-inspection, 合格 or 除牌, ends it). A few rows at most.
 */
export async function loadOverdueRectifications(sql: ReadSql, asOf: Date): Promise<Map<number, OverdueRectification>> {
  const today = localDateString(asOf);
  const rows = await sql.query<{ id: number; deadline: string }>(
    `SELECT p."id" AS id, r."deadline" AS deadline FROM "ServicePoint" p
     JOIN "Reinspection" r ON r."servicePointId" = p."id"
     WHERE p."acceptanceStatus" = 'deadlineRectification' AND p."active" = TRUE
       AND r."id" = (SELECT MAX(l."id") FROM "Reinspection" l WHERE l."servicePointId" = p."id")
       AND r."result" = 'rectify' AND r."deadline" IS NOT NULL AND r."deadline" < ?`,
    [today],
  );
  return new Map(rows.map((r) => [Number(r.id), { deadline: r.deadline, daysOverdue: daysBetween(r.deadline, today) }]));
}

/** Every point of the scope with its year assessed, its unacknowledged notices counted and any overdue 限期整改. */
export async function loadAssessments(sql: ReadSql, scope: Scope): Promise<{ rules: AnnexRule[]; points: PointAssessment[] }> {
  const { year, asOf } = scope;
  const filter: SqlValue[] = [];
  if (scope.pointId != null) filter.push(scope.pointId);
  else if (scope.town) filter.push(scope.town);
  const notices: SqlValue[] = [fromLocal(year, 1, 1), fromLocal(year + 1, 1, 1), asOf];
  const [rules, overdue] = await Promise.all([loadRules(sql), loadOverdueRectifications(sql, asOf)]);
  const fold = foldSql(sql.provider, year, scope.pointId != null ? 'point' : scope.town ? 'town' : 'city');
  const [range] =
    scope.pointId != null
      ? [{ low: scope.pointId - 1, high: scope.pointId }]
      : await sql.query<{ low: number | null; high: number | null }>(`SELECT MIN("id") - 1 AS low, MAX("id") AS high FROM "ServicePoint"`);
  const low = Number(range?.low ?? 0);
  const high = Number(range?.high ?? 0);
  const page = (after: number) => sql.query<FoldRow>(fold.text, fold.params(after, notices, filter));
  const points: PointAssessment[] = [];
  // a few dozen towns and levels: one string each instead of one per point
  const shared = new Map<string, string>();
  const intern = (v: string) => shared.get(v) ?? (shared.set(v, v), v);
  const before = monthKey(year - 1, 12);
  // the next page is asked for before this one is worked through: PostgreSQL folds it meanwhile
  let next = low < high ? page(low) : null;
  try {
    for (let after = low; next; after += PAGE_SIZE) {
      const rows = await next;
      next = after + PAGE_SIZE < high ? page(after + PAGE_SIZE) : null;
      for (const row of rows) {
        const id = Number(row.id);
        points.push({
          id,
          town: intern(row.town),
          name: row.name,
          level: intern(row.level),
          year: assessPointYear({ year, level: row.level, joinedMonth: (row.joinedMonth as MonthKey | null) ?? before, asOf, figures: yearFigures(row), rules }),
          unacknowledged: Number(row.unacknowledged ?? 0),
          overdueRectification: overdue.get(id) ?? null,
        });
      }
    }
  } finally {
    // a page asked for ahead whose turn never came (an error above) must not become an unhandled rejection
    next?.catch(() => undefined);
  }
  return { rules, points };
}
