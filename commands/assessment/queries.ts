// The reads behind the year's assessment, on a DirectSql: one grouped query folds every point's
// reports of the year into the numbers of YearFigures (the same fold as foldMonths, in SQL), so
// 100,000 points and their million reports come back as 100,000 short rows; one more counts the
// notices each point left unacknowledged; and the Rule rows. The chat uses the bot's DirectSql,
// the command line a driver connection of its own without the Prisma client (bot/cli.ts).
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

export async function loadRules(sql: DirectSql): Promise<AnnexRule[]> {
  const items = Object.values(ANNEX_ITEMS);
  const rows = await sql.query<{ level: string; item: string; quantity: number; unit: string | null; source: string }>(
    `SELECT "level" AS level, "item" AS item, "quantity" AS quantity, "unit" AS unit, "source" AS source
     FROM "Rule" WHERE "item" IN (${items.map(() => '?').join(', ')}) AND "quantity" IS NOT NULL`,
    items,
  );
  return rows.map((r) => ({ ...r, quantity: Number(r.quantity) }));
}

/** A figure of the report's JSON as a number (SQLite's json_extract, PostgreSQL's jsonb ->>). */
function figure(provider: DirectSql['provider'], key: string): string {
  return provider === 'sqlite' ? `json_extract(r."figures", '$.${key}')` : `(r."figures"::jsonb ->> '${key}')::float8`;
}

function foldSql(provider: DirectSql['provider'], where: string): string {
  const bit = `(1 << (CAST(substr(r."month", 6, 2) AS INTEGER) - 1))`;
  const filled = `r."status" = 'reported'`;
  const hours = figure(provider, 'openHours');
  const computersText = provider === 'sqlite' ? `json_extract(r."figures", '$.computers')` : `(r."figures"::jsonb ->> 'computers')`;
  return `
    SELECT p."id" AS id, p."town" AS town, p."name" AS name, p."level" AS level, p."createdAt" AS "createdAt",
           COALESCE(SUM(CASE WHEN r."id" IS NULL THEN 0 ELSE ${bit} END), 0) AS "reportedMask",
           COALESCE(SUM(CASE WHEN r."isLate" = TRUE THEN ${bit} ELSE 0 END), 0) AS "lateMask",
           COALESCE(SUM(CASE WHEN ${filled} AND ${hours} > 0 THEN ${bit} ELSE 0 END), 0) AS "openMask",
           COALESCE(SUM(CASE WHEN ${filled} THEN ${figure(provider, 'visitors')} END), 0) AS visitors,
           COALESCE(SUM(CASE WHEN ${filled} AND ${hours} > 0 THEN ${hours} END), 0) AS "openHours",
           COALESCE(SUM(CASE WHEN ${filled} THEN ${figure(provider, 'activities')} END), 0) AS activities,
           MAX(CASE WHEN ${filled} AND ${computersText} IS NOT NULL THEN r."month" || ':' || ${computersText} END) AS computers
    FROM "ServicePoint" p
    LEFT JOIN "MonthlyReport" r ON r."servicePointId" = p."id" AND r."month" >= ? AND r."month" <= ?
    WHERE p."active" = TRUE AND p."level" <> 'subCenter' ${where}
    GROUP BY p."id"`;
}

interface FoldRow extends Record<string, unknown> {
  id: number;
  town: string;
  name: string;
  level: string;
  createdAt: Date | string;
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
    computers: c ? { month: c[1]!, value: Number(c[2]) } : null,
  };
}

/** Every point of the scope with its year assessed and its unacknowledged notices counted. */
export async function loadAssessments(sql: DirectSql, scope: Scope): Promise<{ rules: AnnexRule[]; points: PointAssessment[] }> {
  const { year, asOf } = scope;
  const params: SqlValue[] = [monthKey(year, 1), monthKey(year, 12)];
  let where = '';
  if (scope.pointId != null) {
    where = 'AND p."id" = ?';
    params.push(scope.pointId);
  } else if (scope.town) {
    where = 'AND p."town" = ?';
    params.push(scope.town);
  }
  const yearStart = fromLocal(year, 1, 1);
  const yearEnd = fromLocal(year + 1, 1, 1);
  const [rules, rows, unacknowledged] = await Promise.all([
    loadRules(sql),
    sql.query<FoldRow>(foldSql(sql.provider, where), params),
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
  const points = rows.map((row): PointAssessment => {
    const joinedAt = row.createdAt instanceof Date ? row.createdAt : new Date(row.createdAt);
    return {
      id: Number(row.id),
      town: row.town,
      name: row.name,
      level: row.level,
      year: assessPointYear({ year, level: row.level, joinedAt, asOf, figures: yearFigures(row), rules }),
      unacknowledged: unacked.get(Number(row.id)) ?? 0,
    };
  });
  return { rules, points };
}
