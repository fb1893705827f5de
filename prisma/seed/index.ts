// Reference data every new database gets: the rules table (annex 1), process facts, the monthly
// report template and the reminder schedule. Each seeder creates missing rows only, so running it
// again (every start does) never overwrites what an operator edited.
import type { Db } from '../../bot/db/client.ts';
import { seedRules } from './rules.ts';
import { seedFacts } from './facts.ts';
import { seedReportFields } from './report-fields.ts';
import { seedSettings } from './settings.ts';

export type Seeder = (db: Db) => Promise<void>;

export const seeders: { name: string; seed: Seeder }[] = [
  { name: 'rules', seed: seedRules },
  { name: 'facts', seed: seedFacts },
  { name: 'reportFields', seed: seedReportFields },
  { name: 'settings', seed: seedSettings },
];

export async function seedDatabase(db: Db): Promise<void> {
  for (const { seed } of seeders) await seed(db);
}
