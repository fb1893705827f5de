// Drafts the CREATE statements for the whole of schema.prisma, in the form Prisma's own migrate
// would write them, for one provider. Prisma's schema engine (which writes migrations) cannot be
// downloaded here, so new migrations are drafted with this and then trimmed by hand to the change:
//   npx tsx scripts/draft-migration.ts sqlite > /tmp/full.sql
// test/db/drift.test.ts then proves the committed migrations produce what schema.prisma says.
import { expectedTables, indexName, readSchemaFile, sqlType, type ExpectedTable } from '../bot/db/schema-model.ts';
import type { Provider } from '../bot/db/client.ts';

export function draftCreateSql(provider: Provider, tables: ExpectedTable[]): string {
  const q = (name: string) => `"${name}"`;
  const list = (cols: string[]) => cols.map(q).join(', ');
  const out: string[] = [];
  for (const table of tables) {
    const lines: string[] = [];
    for (const col of table.columns) {
      const isSinglePk = table.primaryKey.length === 1 && table.primaryKey[0] === col.name;
      let type = sqlType(provider, col.prismaType);
      if (provider === 'postgresql' && col.default?.kind === 'autoincrement') type = 'SERIAL';
      let line = `    ${q(col.name)} ${type}`;
      if (col.notNull) line += ' NOT NULL';
      if (provider === 'sqlite' && isSinglePk) line += ' PRIMARY KEY' + (col.default?.kind === 'autoincrement' ? ' AUTOINCREMENT' : '');
      if (col.default?.kind === 'now') line += ' DEFAULT CURRENT_TIMESTAMP';
      if (col.default?.kind === 'literal') line += ` DEFAULT ${col.default.sql}`;
      lines.push(line);
    }
    if (provider === 'postgresql') {
      lines.push(`    CONSTRAINT ${q(indexName(table.name, table.primaryKey, 'pkey'))} PRIMARY KEY (${list(table.primaryKey)})`);
    } else {
      if (table.primaryKey.length > 1) lines.push(`    PRIMARY KEY (${list(table.primaryKey)})`);
      for (const fk of table.foreignKeys) {
        lines.push(
          `    CONSTRAINT ${q(indexName(table.name, fk.columns, 'fkey'))} FOREIGN KEY (${list(fk.columns)}) REFERENCES ${q(fk.referencedTable)} (${list(fk.referencedColumns)}) ON DELETE ${fk.onDelete} ON UPDATE CASCADE`,
        );
      }
    }
    out.push(`-- CreateTable\nCREATE TABLE ${q(table.name)} (\n${lines.join(',\n')}\n);\n`);
  }
  for (const table of tables) {
    for (const cols of table.uniques) {
      out.push(`-- CreateIndex\nCREATE UNIQUE INDEX ${q(indexName(table.name, cols, 'key'))} ON ${q(table.name)}(${list(cols)});\n`);
    }
    for (const cols of table.indexes) {
      out.push(`-- CreateIndex\nCREATE INDEX ${q(indexName(table.name, cols, 'idx'))} ON ${q(table.name)}(${list(cols)});\n`);
    }
  }
  if (provider === 'postgresql') {
    for (const table of tables) {
      for (const fk of table.foreignKeys) {
        out.push(
          `-- AddForeignKey\nALTER TABLE ${q(table.name)} ADD CONSTRAINT ${q(indexName(table.name, fk.columns, 'fkey'))} FOREIGN KEY (${list(fk.columns)}) REFERENCES ${q(fk.referencedTable)}(${list(fk.referencedColumns)}) ON DELETE ${fk.onDelete} ON UPDATE CASCADE;\n`,
        );
      }
    }
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const provider = process.argv[2];
  if (provider !== 'sqlite' && provider !== 'postgresql') {
    process.stderr.write('usage: npx tsx scripts/draft-migration.ts sqlite|postgresql\n');
    process.exit(2);
  }
  process.stdout.write(draftCreateSql(provider, expectedTables(readSchemaFile())));
}
