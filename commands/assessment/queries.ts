// The reads behind the year's assessment, on a DirectSql: one grouped query folds every point's
// reports of the year into the numbers of YearFigures (the same fold as foldMonths, in SQL), so
// 100,000 points and their million reports come back as 100,000 short rows, a page at a time; one more counts the
// notices each point left unacknowledged; and the Rule rows. The chat uses the bot's DirectSql,
// the command line a driver connection of its own without the Prisma client (bot/cli.ts).
import type { ReadSql } from '../../bot/core/capability.ts';
import type { DirectSql, SqlValue } from '../../bot/db/direct-sql.ts';
import { fromLocal, monthKey } from '../../bot/time.ts';
import type { PointAssessment } from './supervision.ts';
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
 * The fold. Reading the figures' JSON is most of its cost: on SQLite `->>` (cheaper than
 * json_extract, and it reuses the row's parse for the next key); on PostgreSQL json_to_record
 * parses each report once into typed columns (json, not jsonb: nothing is kept, so the binary form
 * would be work for nothing). Pages are ranges of point ids, repeated on the report's point, and the
 * year's months are literals: PostgreSQL keeps a generic plan for a named statement after a few
 * runs, and with the months or a LIMIT as parameters that plan sorted all the year's reports for
 * every page.
 * A nil report's figures are stored as {} (storage.ts),
 * so it adds nothing to the sums without a test on its status, and the template keeps hours at 0
 * or more, so the months not open add nothing to the hours' sum.
 */
function foldSql(provider: DirectSql['provider'], year: number, where: string): string {
  const sqlite = provider === 'sqlite';
  // bit m-1 for month m; SQLite reads '05' as 5 in arithmetic, a CAST there cost more than the rest of the bit
  const bit = sqlite ? `(1 << (substr(r."month", 6) - 1))` : `(1 << (CAST(substr(r."month", 6, 2) AS INTEGER) - 1))`;
  const f = (key: string) => (sqlite ? `(r."figures" ->> '${key}')` : `f."${key}"`);
  const late = sqlite ? `${bit} * r."isLate"` : `CASE WHEN r."isLate" THEN ${bit} ELSE 0 END`;
  const open = sqlite ? `${bit} * (${f('openHours')} > 0)` : `CASE WHEN ${f('openHours')} > 0 THEN ${bit} ELSE 0 END`;
  // the month in Dongguan (UTC+8) the point entered the directory; createdAt holds UTC on both
  const joinedMonth = sqlite ? `strftime('%Y-%m', p."createdAt", '+8 hours')` : `to_char(p."createdAt" + INTERVAL '8 hours', 'YYYY-MM')`;
  const figures = sqlite ? '' : `LEFT JOIN LATERAL json_to_record(r."figures"::json) AS f("visitors" float8, "openHours" float8, "activities" float8, "computers" text) ON TRUE`;
  return `
    SELECT p."id" AS id, p."town" AS town, p."name" AS name, p."level" AS level, ${joinedMonth} AS "joinedMonth",
           COALESCE(SUM(${bit}), 0) AS "reportedMask",
           COALESCE(SUM(${late}), 0) AS "lateMask",
           COALESCE(SUM(${open}), 0) AS "openMask",
           COALESCE(SUM(${f('visitors')}), 0) AS visitors,
           COALESCE(SUM(${f('openHours')}), 0) AS "openHours",
           COALESCE(SUM(${f('activities')}), 0) AS activities,
           MAX(r."month" || ':' || ${f('computers')}) AS computers
    FROM "ServicePoint" p
    LEFT JOIN "MonthlyReport" r ON r."servicePointId" = p."id" AND r."month" >= '${monthKey(year, 1)}' AND r."month" <= '${monthKey(year, 12)}'
      AND r."servicePointId" > ? AND r."servicePointId" <= ?
    ${figures}
    WHERE p."active" = TRUE AND p."level" <> 'subCenter' AND p."id" > ? AND p."id" <= ? ${where}
    GROUP BY p."id"`;
}

interface FoldRow extends Record<string, unknown> {
  id: number;
  town: string;
  name: string;
  level: string;
  joinedMonth: string;
  reportedMask: number;
  lateMask: number;
  openMask: number;
  visitors: number;
  openHours: number;
  activities: number;
  computers: string | null;
}

function yearFigures(row: FoldRow): YearFigures {
  const c = row.computers ? /^(\d{4}-\d{2}):(.+)$/.exec(row.computers) : null;
  return {
    reportedMask: Number(row.reportedMask),
    lateMask: Number(row.lateMask),
    openMask: Number(row.openMask),
    visitors: Number(row.visitors),
    openHours: Number(row.openHours),
    activities: Number(row.activities),
    computers: c ? Number(c[2]) : null,
    computersMonth: c ? Number(c[1]!.slice(5)) : null,
  };
}

/** Every point of the scope with its year assessed and its unacknowledged notices counted. */
/** Point ids folded per query: a page's rows are garbage before the next arrives, which keeps the process small. */
export const PAGE_SIZE = 5000;

/** Every point of the scope with its year assessed and its unacknowledged notices counted. */
export async function loadAssessments(sql: ReadSql, scope: Scope): Promise<{ rules: AnnexRule[]; points: PointAssessment[] }> {
  const { year, asOf } = scope;
  let where = '';
  const filter: SqlValue[] = [];
  if (scope.pointId != null) {
    where = 'AND p."id" = ?';
    filter.push(scope.pointId);
  } else if (scope.town) {
    where = 'AND p."town" = ?';
    filter.push(scope.town);
  }
  const yearStart = fromLocal(year, 1, 1);
  const yearEnd = fromLocal(year + 1, 1, 1);
  const [rules, unacknowledged] = await Promise.all([
    loadRules(sql),
    // a notice counts as acknowledged for a point when any of its contacts acknowledged it
    sql.query<{ id: number; n: number }>(
      `SELECT x."servicePointId" AS id, COUNT(*) AS n FROM (
         SELECT nr."servicePointId", nr."noticeId" FROM "NoticeRecipient" nr JOIN "Notice" n ON n."id" = nr."noticeId"
         WHERE n."status" = 'sent' AND n."sentAt" >= ? AND n."sentAt" < ? AND n."sentAt" <= ?
         GROUP BY nr."servicePointId", nr."noticeId"
         HAVING COUNT(nr."acknowledgedAt") = 0) x
       GROUP BY x."servicePointId"`,
      [yearStart, yearEnd, asOf],
    ),
  ]);
  const unacked = new Map(unacknowledged.map((u) => [Number(u.id), Number(u.n)]));
  const text = foldSql(sql.provider, year, where);
  const [range] =
    scope.pointId != null
      ? [{ low: scope.pointId, high: scope.pointId }]
      : await sql.query<{ low: number | null; high: number | null }>(`SELECT MIN("id") AS low, MAX("id") AS high FROM "ServicePoint"`);
  const points: PointAssessment[] = [];
  // a few dozen towns and levels: one string each instead of one per point
  const shared = new Map<string, string>();
  const intern = (v: string) => shared.get(v) ?? (shared.set(v, v), v);
  for (let after = Number(range?.low ?? 1) - 1, high = Number(range?.high ?? 0); after < high; after += PAGE_SIZE) {
    const rows = await sql.query<FoldRow>(text, [after, after + PAGE_SIZE, after, after + PAGE_SIZE, ...filter]);
    for (const row of rows) {
      const id = Number(row.id);
      points.push({
        id,
        town: intern(row.town),
        name: row.name,
        level: intern(row.level),
        year: assessPointYear({ year, level: row.level, joinedMonth: row.joinedMonth, asOf, figures: yearFigures(row), rules }),
        unacknowledged: unacked.get(id) ?? 0,
      });
    }
  }
  return { rules, points };
}
