// The database structure schema.prisma implies, read through Prisma's own schema parser (the
// prisma-schema-wasm package, no engine binary). Used to draft migrations and, in the drift test,
// to prove that the hand-applied migrations produce exactly this structure.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Provider } from './client.ts';
import { projectPath } from '../project-root.ts';

const require = createRequire(import.meta.url);

export interface ExpectedColumn {
  name: string;
  /** the scalar type in Prisma's words: Int, String, Boolean, DateTime, Float */
  prismaType: string;
  notNull: boolean;
  /** autoincrement, now, or a literal rendered as SQL */
  default: { kind: 'autoincrement' } | { kind: 'now' } | { kind: 'literal'; sql: string } | null;
}

export interface ExpectedForeignKey {
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: 'CASCADE' | 'SET NULL' | 'RESTRICT' | 'NO ACTION' | 'SET DEFAULT';
}

export interface ExpectedTable {
  name: string;
  columns: ExpectedColumn[];
  primaryKey: string[];
  uniques: string[][];
  indexes: string[][];
  foreignKeys: ExpectedForeignKey[];
}

interface DmmfField {
  name: string;
  kind: 'scalar' | 'object' | 'enum';
  type: string;
  isRequired: boolean;
  isList: boolean;
  isId: boolean;
  isUnique: boolean;
  hasDefaultValue: boolean;
  default?: { name: string; args: unknown[] } | string | number | boolean;
  dbName?: string | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
  uniqueFields: string[][];
}

interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  fields: { name: string }[];
}

export function readSchemaFile(path = projectPath('prisma', 'schema.prisma')): string {
  return readFileSync(path, 'utf8');
}

export function expectedTables(schemaText: string): ExpectedTable[] {
  const wasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };
  const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: schemaText }))) as {
    datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] };
  };
  return dmmf.datamodel.models.map((model) => {
    const columns: ExpectedColumn[] = model.fields
      .filter((f) => f.kind === 'scalar' || f.kind === 'enum')
      .map((f) => ({ name: f.dbName ?? f.name, prismaType: f.type, notNull: f.isRequired, default: columnDefault(f) }));
    const idFields = model.fields.filter((f) => f.isId).map((f) => f.name);
    const primaryKey = idFields.length ? idFields : (model.primaryKey?.fields ?? []);
    const indexesOf = (type: DmmfIndex['type']) =>
      dmmf.datamodel.indexes.filter((i) => i.model === model.name && i.type === type).map((i) => i.fields.map((f) => f.name));
    const foreignKeys: ExpectedForeignKey[] = model.fields
      .filter((f) => f.kind === 'object' && f.relationFromFields && f.relationFromFields.length > 0)
      .map((f) => ({
        columns: f.relationFromFields!,
        referencedTable: f.type,
        referencedColumns: f.relationToFields!,
        onDelete: onDeleteAction(f),
      }));
    return {
      name: model.dbName ?? model.name,
      columns,
      primaryKey,
      uniques: indexesOf('unique'),
      indexes: indexesOf('normal'),
      foreignKeys,
    };
  });
}

function onDeleteAction(f: DmmfField): ExpectedForeignKey['onDelete'] {
  switch (f.relationOnDelete) {
    case 'Cascade':
      return 'CASCADE';
    case 'SetNull':
      return 'SET NULL';
    case 'NoAction':
      return 'NO ACTION';
    case 'SetDefault':
      return 'SET DEFAULT';
    case 'Restrict':
      return 'RESTRICT';
    default:
      // Prisma's defaults: Restrict for required relations, SetNull for optional ones
      return f.isRequired ? 'RESTRICT' : 'SET NULL';
  }
}

function columnDefault(f: DmmfField): ExpectedColumn['default'] {
  if (!f.hasDefaultValue || f.default === undefined) return null;
  const d = f.default;
  if (typeof d === 'object' && d !== null && 'name' in d) {
    if (d.name === 'autoincrement') return { kind: 'autoincrement' };
    if (d.name === 'now') return { kind: 'now' };
    throw new Error(`${f.name}: default function ${d.name}() is not supported by the migration tools`);
  }
  if (typeof d === 'boolean') return { kind: 'literal', sql: d ? 'true' : 'false' };
  if (typeof d === 'number') return { kind: 'literal', sql: String(d) };
  return { kind: 'literal', sql: `'${String(d).replace(/'/g, "''")}'` };
}

/** The column type each database gets for a Prisma scalar, as Prisma itself maps it. */
export function sqlType(provider: Provider, prismaType: string): string {
  const map: Record<Provider, Record<string, string>> = {
    sqlite: { Int: 'INTEGER', String: 'TEXT', Boolean: 'BOOLEAN', DateTime: 'DATETIME', Float: 'REAL', BigInt: 'BIGINT', Json: 'JSONB', Bytes: 'BLOB' },
    postgresql: { Int: 'INTEGER', String: 'TEXT', Boolean: 'BOOLEAN', DateTime: 'TIMESTAMP(3)', Float: 'DOUBLE PRECISION', BigInt: 'BIGINT', Json: 'JSONB', Bytes: 'BYTEA' },
  };
  const type = map[provider][prismaType];
  if (!type) throw new Error(`no ${provider} column type for Prisma type ${prismaType}`);
  return type;
}

export function indexName(table: string, columns: string[], suffix: 'key' | 'idx' | 'fkey' | 'pkey'): string {
  return suffix === 'pkey' ? `${table}_pkey` : `${table}_${columns.join('_')}_${suffix}`;
}
