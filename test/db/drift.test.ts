// The migrations are applied without Prisma's engine, so nothing else would notice when
// schema.prisma and prisma/migrations drift apart. This test migrates an empty database of each
// provider and compares its catalog with what schema.prisma says, table by table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedTables, readSchemaFile, sqlType, type ExpectedColumn, type ExpectedTable } from '../../bot/db/schema-model.ts';
import { listMigrations, migrate } from '../../bot/db/migrate.ts';
import type { DatabaseTarget, Provider } from '../../bot/db/client.ts';
import { createEmptyDatabase, TEST_PROVIDERS } from '../support/database.ts';
import { introspect, type ActualColumn, type ActualTable } from './introspect.ts';

const sortSets = (sets: string[][]) => sets.map((s) => s.join(',')).sort();

function normaliseDefault(provider: Provider, col: ActualColumn): ExpectedColumn['default'] {
  const d = col.default;
  if (d === null) return null;
  if (provider === 'postgresql' && /^nextval\(/.test(d)) return { kind: 'autoincrement' };
  if (/^current_timestamp$/i.test(d)) return { kind: 'now' };
  return { kind: 'literal', sql: d.replace(/::[a-z ]+$/i, '') };
}

function describeTable(provider: Provider, table: ExpectedTable | ActualTable, expected: boolean) {
  return {
    columns: table.columns
      .map((c) => {
        if (expected) {
          const e = c as ExpectedColumn;
          const def = e.default?.kind === 'autoincrement' && provider === 'sqlite' ? null : e.default; // SQLite's AUTOINCREMENT is not a column default
          return { name: e.name, type: sqlType(provider, e.prismaType), notNull: e.notNull, default: def };
        }
        const a = c as ActualColumn;
        return { name: a.name, type: a.type, notNull: a.notNull, default: normaliseDefault(provider, a) };
      })
      .sort((x, y) => x.name.localeCompare(y.name)),
    primaryKey: table.primaryKey,
    uniques: sortSets(table.uniques),
    indexes: sortSets(table.indexes),
    foreignKeys: table.foreignKeys.map((f) => `${f.columns.join(',')} -> ${f.referencedTable}(${f.referencedColumns.join(',')}) ON DELETE ${f.onDelete}`).sort(),
  };
}

describe.each(TEST_PROVIDERS)('migrations on %s match schema.prisma', (provider) => {
  let target: DatabaseTarget;
  let destroy: () => Promise<void>;
  let actual: ActualTable[];
  const expected = expectedTables(readSchemaFile());

  beforeAll(async () => {
    const empty = await createEmptyDatabase(provider);
    target = empty.target;
    destroy = empty.destroy;
    const result = await migrate(target);
    expect(result.applied.length).toBe(listMigrations(provider).length);
    actual = await introspect(target);
  });
  afterAll(async () => destroy?.());

  it('has exactly the tables of the model', () => {
    expect(actual.map((t) => t.name).sort()).toEqual(expected.map((t) => t.name).sort());
  });

  it.each(expected.map((t) => [t.name, t] as const))('table %s has the model’s columns, keys, indexes and relations', (name, table) => {
    const live = actual.find((t) => t.name === name);
    expect(live, `table ${name} missing`).toBeDefined();
    expect(describeTable(provider, live!, false)).toEqual(describeTable(provider, table, true));
  });

  it('applies nothing the second time', async () => {
    const again = await migrate(target);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBe(listMigrations(provider).length);
  });
});

describe('migration history', () => {
  it('has the same migrations, in the same order, for SQLite and PostgreSQL', () => {
    expect(listMigrations('sqlite').map((m) => m.name)).toEqual(listMigrations('postgresql').map((m) => m.name));
  });

  it('refuses a database whose applied migration was edited afterwards', async () => {
    const empty = await createEmptyDatabase('sqlite');
    try {
      const [first] = listMigrations('sqlite');
      await migrate(empty.target, [first!]);
      await expect(migrate(empty.target, [{ ...first!, checksum: 'edited' }])).rejects.toThrow(/changed after it was applied/);
    } finally {
      await empty.destroy();
    }
  });
});
