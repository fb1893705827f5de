// The migration that gives MonthlyReport its assessment columns fills them from the JSON of the
// reports already stored, so a year's assessment after the upgrade still counts them: numbers are
// copied, a text, an absent key, a nil report's {} and a row whose figures are not JSON leave null
// (as the assessment's fold and the report store read them), on both databases.
import { describe, expect, it } from 'vitest';
import { openDirectSql } from '../../bot/db/direct-sql.ts';
import { listMigrations, migrate } from '../../bot/db/migrate.ts';
import { assessmentColumns } from '../../bot/db/report-store.ts';
import { createEmptyDatabase, TEST_PROVIDERS } from '../support/database.ts';

const COLUMNS = '20261203120000_report_assessment_columns';

const OLD_ROWS: { month: string; status: string; figures: string; expected: { visitors: number | null; openHours: number | null; activities: number | null; computers: number | null } }[] = [
  { month: '2026-01', status: 'reported', figures: '{"openDays":22,"openHours":176.5,"visitors":120,"activities":3,"computers":4,"remarks":"电脑坏了1台"}', expected: { visitors: 120, openHours: 176.5, activities: 3, computers: 4 } },
  { month: '2026-02', status: 'reported', figures: '{"openDays":20,"openHours":0,"visitors":0,"activities":0}', expected: { visitors: 0, openHours: 0, activities: 0, computers: null } },
  { month: '2026-03', status: 'noNewData', figures: '{}', expected: { visitors: null, openHours: null, activities: null, computers: null } },
  // a figure stored as text is not a number to add up
  { month: '2026-04', status: 'reported', figures: '{"openHours":"八十","visitors":50,"activities":1,"computers":"两台"}', expected: { visitors: 50, openHours: null, activities: 1, computers: null } },
  { month: '2026-05', status: 'reported', figures: 'not json', expected: { visitors: null, openHours: null, activities: null, computers: null } },
  { month: '2026-06', status: 'reported', figures: '[1,2]', expected: { visitors: null, openHours: null, activities: null, computers: null } },
];

describe.each(TEST_PROVIDERS)('the report assessment columns migration on %s', (provider) => {
  it('fills the columns of stored reports from their figures', async () => {
    const empty = await createEmptyDatabase(provider);
    try {
      const all = listMigrations(provider);
      const index = all.findIndex((m) => m.name === COLUMNS);
      expect(index).toBeGreaterThan(0);
      await migrate(empty.target, all.slice(0, index));
      const sql = openDirectSql(empty.target);
      try {
        const at = new Date('2026-11-01T00:00:00Z');
        await sql.execute(`INSERT INTO "ServicePoint" ("id", "town", "name", "level", "createdAt", "updatedAt") VALUES (1, '石龙镇', '示例一村', 'village', ?, ?)`, [at, at]);
        for (const r of OLD_ROWS) {
          await sql.execute(
            `INSERT INTO "MonthlyReport" ("servicePointId", "month", "status", "figures", "submittedAt", "firstSubmittedAt", "updatedAt") VALUES (1, ?, ?, ?, ?, ?, ?)`,
            [r.month, r.status, r.figures, at, at, at],
          );
        }
        await migrate(empty.target);
        const rows = await sql.query<{ month: string; visitors: number | null; openHours: number | null; activities: number | null; computers: number | null }>(
          `SELECT "month", "visitors", "openHours", "activities", "computers" FROM "MonthlyReport" ORDER BY "month"`,
        );
        expect(rows).toEqual(OLD_ROWS.map((r) => ({ month: r.month, ...r.expected })));
        // the store's rule for a new save gives the same as the backfill for every row that is a JSON object
        for (const r of OLD_ROWS.filter((r) => r.figures.startsWith('{'))) expect(assessmentColumns(JSON.parse(r.figures)), r.month).toEqual(r.expected);
      } finally {
        await sql.close();
      }
    } finally {
      await empty.destroy();
    }
  });
});
