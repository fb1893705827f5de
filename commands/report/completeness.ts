// Who has reported for a month: per town, reported / no new data / missing with the missing points
// named, and the reporting and on-time rates for the month and the year so far. The arithmetic is a
// pure function over grouped rows; the database side is three grouped queries whatever the number of
// points (no query per point), so 100,000 points stay well inside the 200 ms target.
import type { ReadDb } from '../../bot/core/capability.ts';
import { SERVICE_POINT_LEVELS } from '../../bot/domain.ts';
import { localDateTimeString, monthLabel, parseMonthKey, type MonthKey } from '../../bot/time.ts';
import { monthSpanLabel, monthsFromTo, periodStart } from './year-period.ts';
import { loadReminderSettings } from '../../scheduler/settings.ts';
import { readMostly } from '../../bot/db/read-cache.ts';
import { readSqlOf } from '../../bot/db/sql-of.ts';

// the points out of scope are found on the (level, active) index, so by level: the import accepts no
// other levels than these
const IN_SCOPE_LEVELS = [...SERVICE_POINT_LEVELS];

export type PointState = 'reported' | 'noNewData' | 'missing';

/** One group of points of one town: how many are in that state for the month. */
export interface CountRow {
  town: string;
  state: PointState;
  late: boolean;
  count: number;
}

export interface YearCountRow {
  month: MonthKey;
  state: Exclude<PointState, 'missing'>;
  late: boolean;
  count: number;
}

export interface MissingRow {
  town: string;
  name: string;
}

export interface TownCompleteness {
  town: string;
  points: number;
  reported: number;
  noNewData: number;
  missing: number;
  late: number;
  /** named missing points (at most the limit asked for) */
  missingNames: string[];
}

export interface Rates {
  points: number;
  submitted: number;
  onTime: number;
  /** submitted / points, 0..1 (null with no points) */
  reportingRate: number | null;
  /** submitted before the 5th / points */
  onTimeRate: number | null;
}

export interface Completeness {
  month: MonthKey;
  /** the town the view is limited to (a town contact's), null for all */
  town: string | null;
  towns: TownCompleteness[];
  total: TownCompleteness;
  monthRates: Rates;
  /**
   * The year so far: each of today's active points from its own first month (year-period.ts) to
   * this month. from: the earliest first month; perPoint: some points start later than that.
   */
  year: Rates & { months: number; from: MonthKey; perPoint: boolean };
}

/** Today's active points grouped by the first month of their year-to-date period. */
export interface YearPointRow {
  start: MonthKey;
  count: number;
}

export function computeCompleteness(input: {
  month: MonthKey;
  town: string | null;
  counts: readonly CountRow[];
  yearCounts: readonly YearCountRow[];
  missing: readonly MissingRow[];
  /** absent: every point counted from January */
  yearPoints?: readonly YearPointRow[];
}): Completeness {
  const byTown = new Map<string, TownCompleteness>();
  const empty = (town: string): TownCompleteness => ({ town, points: 0, reported: 0, noNewData: 0, missing: 0, late: 0, missingNames: [] });
  for (const row of input.counts) {
    const t = byTown.get(row.town) ?? empty(row.town);
    byTown.set(row.town, t);
    t.points += row.count;
    t[row.state] += row.count;
    if (row.state !== 'missing' && row.late) t.late += row.count;
  }
  for (const row of input.missing) byTown.get(row.town)?.missingNames.push(row.name);
  const towns = [...byTown.values()].sort((a, b) => b.missing - a.missing || a.town.localeCompare(b.town, 'zh-CN'));
  const total = towns.reduce((acc, t) => {
    acc.points += t.points;
    acc.reported += t.reported;
    acc.noNewData += t.noNewData;
    acc.missing += t.missing;
    acc.late += t.late;
    return acc;
  }, empty('合计'));

  const submitted = total.reported + total.noNewData;
  const monthRates = rates(total.points, submitted, submitted - total.late);
  const january = `${parseMonthKey(input.month).year}-01`;
  const yearPoints = (input.yearPoints ?? [{ start: january, count: total.points }]).filter((g) => g.start <= input.month && g.count > 0);
  const pointMonths = yearPoints.reduce((sum, g) => sum + g.count * monthsFromTo(g.start, input.month), 0);
  const from = yearPoints.reduce<MonthKey>((a, g) => (g.start < a ? g.start : a), input.month);
  const perPoint = new Set(yearPoints.map((g) => g.start)).size > 1;
  let ySubmitted = 0;
  let yOnTime = 0;
  for (const row of input.yearCounts) {
    ySubmitted += row.count;
    if (!row.late) yOnTime += row.count;
  }
  return {
    month: input.month,
    town: input.town,
    towns,
    total,
    monthRates,
    year: { ...rates(pointMonths, ySubmitted, yOnTime), months: monthsFromTo(from, input.month), from, perPoint },
  };
}

/** Why the period does not start in January, when it does not. */
function yearNote(c: Completeness): string {
  if (c.year.perPoint) return `（各服务点从列入通信名录、开始用机器人上报的月份算起，最早 ${parseMonthKey(c.year.from).month} 月）`;
  if (parseMonthKey(c.year.from).month > 1) return `（从开始用机器人上报的 ${parseMonthKey(c.year.from).month} 月算起）`;
  return '';
}

function rates(points: number, submitted: number, onTime: number): Rates {
  return {
    points,
    submitted,
    onTime,
    reportingRate: points > 0 ? submitted / points : null,
    onTimeRate: points > 0 ? onTime / points : null,
  };
}

function pct(r: number | null): string {
  return r === null ? '—' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`;
}

/** The chat and command-line text. namesPerTown: how many missing points to name per town. */
export function formatCompleteness(c: Completeness, at: Date, namesPerTown: number | null = 20): string {
  const { year } = parseMonthKey(c.month);
  const scope = c.town ? `${c.town}` : '全市';
  const lines = [
    `${monthLabel(c.month)}月报进度（截至 ${localDateTimeString(at)}）`,
    `${scope}共 ${c.total.points} 个服务点：已报 ${c.total.reported}，无新增 ${c.total.noNewData}，未报 ${c.total.missing}。`,
    `本月上报率 ${pct(c.monthRates.reportingRate)}，按时上报率 ${pct(c.monthRates.onTimeRate)}（5日前报送的服务点占比）。`,
    `${year}年${monthSpanLabel(c.year.from, c.month).replace(' ', '')}：上报率 ${pct(c.year.reportingRate)}，按时上报率 ${pct(c.year.onTimeRate)}${yearNote(c)}。`,
  ];
  if (c.towns.length === 0) {
    lines.push('通信名录中还没有服务点。');
    return lines.join('\n');
  }
  if (!c.town) lines.push('—— 各镇（街）——');
  for (const t of c.towns) {
    let line = `${t.town}：已报 ${t.reported}，无新增 ${t.noNewData}，未报 ${t.missing}`;
    if (t.missing > 0) {
      const shown = namesPerTown === null ? t.missingNames : t.missingNames.slice(0, namesPerTown);
      const more = t.missing - shown.length;
      line += `（未报：${shown.join('、')}${more > 0 ? ` 等 ${t.missing} 个` : ''}）`;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : Number(v ?? 0));

/**
 * The grouped rows for one month, for everyone or one town. missingLimit: missing points named per
 * town (null: all of them, for the command line).
 *
 * At 100,000 points and ten months of reports (SQLite, CPU time on a loaded 2-core machine):
 * - the month, per town: one pass over the points, each looking up its report through the unique
 *   (servicePointId, month) index, counted with conditional sums so the grouping stays one row per
 *   town (grouping by status and lateness too sorted all 100,000 joined rows);
 * - the year so far runs from each point's own first month (year-period.ts): the points are grouped
 *   by the instant they were listed (a few groups: an import lists all its points at one instant);
 * - the year's reports: for everyone, counts over the (month, isLate) index without touching the
 *   points (all reports of the months, then the late ones, one index range per month), less the
 *   reports of points listed later from months before their first month (read from the month index
 *   up to the latest first month: few, as the bot was not in use for them), less the
 *   reports of the few points out of scope (the sub-center and inactive points, found on the
 *   (level, active) index); joining 900,000
 *   reports to their points cost ~0.8 s. For one town, that town's points joined to their reports;
 * - the missing points named: per town with missing points, its points in name order until the
 *   limit is reached (a few hundred index steps instead of a pass over every point).
 */
export async function loadCompleteness(db: ReadDb, month: MonthKey, options: { town?: string | null; missingLimit?: number | null } = {}): Promise<Completeness> {
  // on the driver (DirectSql): through Prisma's $queryRaw the same statements took twice as long at 100,000 points
  const sql = readSqlOf(db);
  const { year, month: monthNumber } = parseMonthKey(month);
  const town = options.town ?? null;
  const limit = options.missingLimit === undefined ? 20 : options.missingLimit;
  const townFilter = town === null ? '' : 'AND p."town" = ?';
  const townParams = town === null ? [] : [town];
  const first = `${year}-01`;
  const settings = await readMostly(db, 'reportsCountFrom', () => loadReminderSettings(db));
  const countFrom = settings.settings.reportsCountFrom;
  const globalStart = countFrom && countFrom > first ? countFrom : first;
  // points by the instant they entered the directory: an import lists its points at one instant, so
  // these are a few groups whatever the number of points
  const listed = (
    await sql.query<{ at: Date | string; n: unknown }>(
      `SELECT p."createdAt" AS "at", COUNT(*) AS "n" FROM "ServicePoint" p
       WHERE p."active" = TRUE AND p."level" NOT IN ('subCenter', 'townCultureCenter') ${townFilter}
       GROUP BY p."createdAt"`,
      townParams,
    )
  ).map((g) => ({ at: g.at, start: periodStart(month, new Date(g.at), countFrom), count: num(g.n) }));
  const startOf = new Map(listed.map((g) => [new Date(g.at).getTime(), g.start]));
  const yearPoints = [...listed.reduce((m, g) => m.set(g.start, (m.get(g.start) ?? 0) + g.count), new Map<MonthKey, number>())].map(([start, count]) => ({ start, count }));
  /** reports grouped by (point's listing instant, month) that fall before or after their point's period start */
  const perGroup = (rows: { at: Date | string; month: string; n: unknown; late: unknown }[], before: boolean) =>
    rows.reduce(
      (acc, r) => {
        const start = startOf.get(new Date(r.at).getTime()) ?? globalStart;
        if ((r.month < start) === before) {
          acc.n += num(r.n);
          acc.late += num(r.late);
        }
        return acc;
      },
      { n: 0, late: 0 },
    );
  const months = Array.from({ length: monthNumber - parseMonthKey(globalStart).month + 1 }, (_, i) => `${year}-${String(parseMonthKey(globalStart).month + i).padStart(2, '0')}`);
  const marks = (values: readonly unknown[]) => values.map(() => '?').join(', ');
  const lateSum = 'SUM(CASE WHEN r."isLate" = TRUE THEN 1 ELSE 0 END)';
  const laterGroups = listed.filter((g) => g.start > globalStart);
  const latestStart = laterGroups.reduce<MonthKey>((a, g) => (g.start > a ? g.start : a), globalStart);
  type GroupRow = { at: Date | string; month: string; n: unknown; late: unknown };
  const yearQuery =
    months.length === 0
      ? Promise.resolve({ n: 0, late: 0 })
      : town === null
        ? Promise.all([
            sql.query<{ n: unknown }>('SELECT COUNT(*) AS "n" FROM "MonthlyReport" r WHERE r."month" >= ? AND r."month" <= ?', [globalStart, month]),
            sql.query<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "MonthlyReport" r WHERE r."month" IN (${marks(months)}) AND r."isLate" = TRUE`, months),
            sql.query<{ n: unknown; late: unknown }>(
              `SELECT COUNT(*) AS "n", ${lateSum} AS "late"
               FROM "ServicePoint" p JOIN "MonthlyReport" r ON r."servicePointId" = p."id"
               WHERE (p."level" IN ('subCenter', 'townCultureCenter') OR (p."level" IN (${marks(IN_SCOPE_LEVELS)}) AND p."active" = FALSE))
                 AND r."month" >= ? AND r."month" <= ?`,
              [...IN_SCOPE_LEVELS, globalStart, month],
            ),
            // reports of points listed later, from months before their own first month: few, as the
            // bot was not in use for them; read from the month index up to the latest first month
            laterGroups.length === 0
              ? Promise.resolve([])
              : sql.query<GroupRow>(
                  `SELECT p."createdAt" AS "at", r."month" AS "month", COUNT(*) AS "n", ${lateSum} AS "late"
                   FROM "MonthlyReport" r JOIN "ServicePoint" p ON p."id" = r."servicePointId"
                   WHERE r."month" >= ? AND r."month" < ? AND r."month" <= ?
                     AND p."active" = TRUE AND p."level" NOT IN ('subCenter', 'townCultureCenter') AND p."createdAt" IN (${marks(laterGroups)})
                   GROUP BY p."createdAt", r."month"`,
                  [globalStart, latestStart, month, ...laterGroups.map((g) => new Date(g.at))],
                ),
          ]).then(([[all], [late], [outOfScope], early]) => {
            const before = perGroup(early, true);
            return { n: num(all?.n) - num(outOfScope?.n) - before.n, late: num(late?.n) - num(outOfScope?.late) - before.late };
          })
        : sql
            .query<GroupRow>(
              `SELECT p."createdAt" AS "at", r."month" AS "month", COUNT(*) AS "n", ${lateSum} AS "late"
               FROM "ServicePoint" p JOIN "MonthlyReport" r ON r."servicePointId" = p."id"
               WHERE p."active" = TRUE AND p."level" NOT IN ('subCenter', 'townCultureCenter') AND r."month" >= ? AND r."month" <= ? ${townFilter}
               GROUP BY p."createdAt", r."month"`,
              [globalStart, month, ...townParams],
            )
            .then((rows) => perGroup(rows, false));
  // p."town" || '': grouping on an expression keeps SQLite from walking the (town, name) index,
  // which costs a random row read per point; a scan in table order and a small sort are faster.
  // PostgreSQL plans both forms the same.
  const [towns, yearTotal] = await Promise.all([
    sql.query<{ town: string; points: unknown; reported: unknown; reportedLate: unknown; noNewData: unknown; noNewDataLate: unknown }>(
      `SELECT p."town" || '' AS "town", COUNT(*) AS "points",
              SUM(CASE WHEN r."status" IS NOT NULL AND r."status" <> 'noNewData' THEN 1 ELSE 0 END) AS "reported",
              SUM(CASE WHEN r."status" IS NOT NULL AND r."status" <> 'noNewData' AND r."isLate" = TRUE THEN 1 ELSE 0 END) AS "reportedLate",
              SUM(CASE WHEN r."status" = 'noNewData' THEN 1 ELSE 0 END) AS "noNewData",
              SUM(CASE WHEN r."status" = 'noNewData' AND r."isLate" = TRUE THEN 1 ELSE 0 END) AS "noNewDataLate"
       FROM "ServicePoint" p
       LEFT JOIN "MonthlyReport" r ON r."servicePointId" = p."id" AND r."month" = ?
       WHERE p."active" = TRUE AND p."level" NOT IN ('subCenter', 'townCultureCenter') ${townFilter}
       GROUP BY p."town" || ''`,
      [month, ...townParams],
    ),
    yearQuery,
  ]);
  const missingSql = (where: string, tail: string) => `
    SELECT p."town" AS "town", p."name" AS "name" FROM "ServicePoint" p
    WHERE p."active" = TRUE AND p."level" NOT IN ('subCenter', 'townCultureCenter') ${where}
      AND NOT EXISTS (SELECT 1 FROM "MonthlyReport" r WHERE r."servicePointId" = p."id" AND r."month" = ?)
    ${tail}`;
  const townsWithMissing = towns.filter((t) => num(t.points) - num(t.reported) - num(t.noNewData) > 0).map((t) => t.town);
  // one query per town with missing points: as one UNION ALL of them, SQLite took 150 ms at
  // 100,000 points where each alone takes a fraction of a millisecond
  const missing =
    townsWithMissing.length === 0 || limit === 0
      ? []
      : limit === null
        ? await sql.query<{ town: string; name: string }>(missingSql(townFilter, 'ORDER BY p."town", p."name"'), [...townParams, month])
        : (await Promise.all(townsWithMissing.map((t) => sql.query<{ town: string; name: string }>(missingSql('AND p."town" = ?', 'ORDER BY p."name" LIMIT ?'), [t, month, limit])))).flat();
  const counts: CountRow[] = [];
  for (const t of towns) {
    const points = num(t.points);
    const reported = num(t.reported);
    const reportedLate = num(t.reportedLate);
    const noNewData = num(t.noNewData);
    const noNewDataLate = num(t.noNewDataLate);
    counts.push(
      { town: t.town, state: 'reported', late: false, count: reported - reportedLate },
      { town: t.town, state: 'reported', late: true, count: reportedLate },
      { town: t.town, state: 'noNewData', late: false, count: noNewData - noNewDataLate },
      { town: t.town, state: 'noNewData', late: true, count: noNewDataLate },
      { town: t.town, state: 'missing', late: false, count: points - reported - noNewData },
    );
  }
  return computeCompleteness({
    month,
    town,
    counts,
    // the year so far arrives summed over its months, which is all computeCompleteness needs
    yearCounts: [
      { month, state: 'reported', late: false, count: yearTotal.n - yearTotal.late },
      { month, state: 'reported', late: true, count: yearTotal.late },
    ],
    missing,
    yearPoints,
  });
}
