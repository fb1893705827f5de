// Reads a live database's structure into the same shape schema-model.ts derives from schema.prisma.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { DatabaseTarget } from '../../bot/db/client.ts';

export interface ActualColumn {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
}
export interface ActualTable {
  name: string;
  columns: ActualColumn[];
  primaryKey: string[];
  uniques: string[][];
  indexes: string[][];
  foreignKeys: { columns: string[]; referencedTable: string; referencedColumns: string[]; onDelete: string }[];
}

export async function introspect(target: DatabaseTarget): Promise<ActualTable[]> {
  return target.provider === 'sqlite' ? introspectSqlite(target.location) : introspectPostgres(target.location);
}

function introspectSqlite(file: string): ActualTable[] {
  const conn = new BetterSqlite3(file, { readonly: true });
  try {
    const tables = conn
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name")
      .all() as { name: string }[];
    return tables.map(({ name }) => {
      const cols = conn.prepare(`PRAGMA table_info("${name}")`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
      const indexList = conn.prepare(`PRAGMA index_list("${name}")`).all() as { name: string; unique: number; origin: string }[];
      const indexColumns = (index: string) => (conn.prepare(`PRAGMA index_info("${index}")`).all() as { seqno: number; name: string }[]).sort((a, b) => a.seqno - b.seqno).map((c) => c.name);
      const fks = conn.prepare(`PRAGMA foreign_key_list("${name}")`).all() as { id: number; table: string; from: string; to: string; on_delete: string }[];
      const byId = new Map<number, typeof fks>();
      for (const fk of fks) byId.set(fk.id, [...(byId.get(fk.id) ?? []), fk]);
      return {
        name,
        columns: cols.map((c) => ({ name: c.name, type: c.type.toUpperCase(), notNull: c.notnull === 1 || c.pk > 0, default: c.dflt_value })),
        primaryKey: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
        uniques: indexList.filter((i) => i.unique === 1 && i.origin === 'c').map((i) => indexColumns(i.name)),
        indexes: indexList.filter((i) => i.unique === 0 && i.origin === 'c').map((i) => indexColumns(i.name)),
        foreignKeys: [...byId.values()].map((parts) => ({
          columns: parts.map((p) => p.from),
          referencedTable: parts[0]!.table,
          referencedColumns: parts.map((p) => p.to),
          onDelete: parts[0]!.on_delete,
        })),
      };
    });
  } finally {
    conn.close();
  }
}

async function introspectPostgres(url: string): Promise<ActualTable[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await client.query<T>(sql, params)).rows;
    const tables = await q<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY table_name",
    );
    const result: ActualTable[] = [];
    for (const { table_name: name } of tables) {
      const cols = await q<{ column_name: string; data_type: string; datetime_precision: number | null; is_nullable: string; column_default: string | null }>(
        "SELECT column_name, data_type, datetime_precision, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        [name],
      );
      const indexes = await q<{ indisunique: boolean; indisprimary: boolean; columns: string[] }>(
        `SELECT ix.indisunique, ix.indisprimary,
                ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = 'public' AND t.relname = $1`,
        [name],
      );
      const fks = await q<{ columns: string[]; referenced_table: string; referenced_columns: string[]; confdeltype: string }>(
        `SELECT ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
                rt.relname AS referenced_table,
                ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS referenced_columns,
                c.confdeltype
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class rt ON rt.oid = c.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE c.contype = 'f' AND n.nspname = 'public' AND t.relname = $1`,
        [name],
      );
      const deleteAction: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
      result.push({
        name,
        columns: cols.map((c) => ({
          name: c.column_name,
          type: c.data_type === 'timestamp without time zone' ? `TIMESTAMP(${c.datetime_precision})` : c.data_type.toUpperCase(),
          notNull: c.is_nullable === 'NO',
          default: c.column_default,
        })),
        primaryKey: indexes.find((i) => i.indisprimary)?.columns ?? [],
        uniques: indexes.filter((i) => i.indisunique && !i.indisprimary).map((i) => i.columns),
        indexes: indexes.filter((i) => !i.indisunique).map((i) => i.columns),
        foreignKeys: fks.map((f) => ({ columns: f.columns, referencedTable: f.referenced_table, referencedColumns: f.referenced_columns, onDelete: deleteAction[f.confdeltype] ?? f.confdeltype })),
      });
    }
    return result;
  } finally {
    await client.end();
  }
}
