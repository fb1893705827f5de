// Reference data every new database gets: the rules table (annex 1), process facts, the monthly
// report template and the reminder schedule. Each seeder creates missing rows only, so running it
// again (every start does) never overwrites what an operator edited.
import type { Db } from '../../bot/db/client.ts';
import type { DirectSql } from '../../bot/db/direct-sql.ts';
import { REPORT_FIELD_DEFAULTS } from '../../commands/report/template.ts';
import { defaultSettingRows } from '../../scheduler/settings.ts';
import { RULE_SEEDS, seedRules } from './rules.ts';
import { FACT_SEEDS, seedFacts } from './facts.ts';
import { seedReportFields } from './report-fields.ts';
import { seedSettings } from './settings.ts';

export type Seeder = (db: Db) => Promise<void>;

interface SeederEntry {
  name: string;
  seed: Seeder;
  /** the seeded rows' keys as one string each, and the SELECT that lists the present ones as `k` */
  keys: () => string[];
  presentSql: string;
}

export const seeders: SeederEntry[] = [
  { name: 'rules', seed: seedRules, keys: () => RULE_SEEDS.map((r) => `${r.level}|${r.item}`), presentSql: `SELECT "level" || '|' || "item" AS k FROM "Rule"` },
  { name: 'facts', seed: seedFacts, keys: () => FACT_SEEDS.map((f) => f.key), presentSql: 'SELECT "key" AS k FROM "Fact"' },
  { name: 'reportFields', seed: seedReportFields, keys: () => REPORT_FIELD_DEFAULTS.map((f) => f.key), presentSql: 'SELECT "key" AS k FROM "ReportField"' },
  { name: 'settings', seed: seedSettings, keys: () => defaultSettingRows().map((s) => s.key), presentSql: 'SELECT "key" AS k FROM "Setting"' },
];

/**
 * Runs the seeders. Given the database's DirectSql, first asks it which seeders have rows missing
 * and runs only those: on an already seeded database a start then needs no Prisma client at all
 * (loading it is most of a start's cost). The outcome is the same as running every seeder.
 */
export async function seedDatabase(db: Db, sql?: DirectSql): Promise<void> {
  for (const seeder of seeders) {
    if (sql) {
      const present = new Set((await sql.query<{ k: string }>(seeder.presentSql)).map((r) => r.k));
      if (seeder.keys().every((k) => present.has(k))) continue;
    }
    await seeder.seed(db);
  }
}
