// Generates one Prisma client per database from the single model in prisma/schema.prisma.
// Prisma does not accept env() in a datasource provider, so the PostgreSQL client is generated
// from a copy of the schema whose only difference is the provider (and the output folder).
// `prisma generate` needs no schema engine; PRISMA_SCHEMA_ENGINE_BINARY points at a stand-in so
// the CLI never tries to download one (it cannot, offline).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = join(root, 'prisma', 'schema.prisma');
const sqliteSchema = readFileSync(schemaPath, 'utf8');

export function derivePostgresSchema(text) {
  const replaced = text
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"\.\.\/generated\/sqlite"/, 'output   = "./postgresql"');
  if (replaced === text || !replaced.includes('provider = "postgresql"') || !replaced.includes('"./postgresql"')) {
    throw new Error('prisma/schema.prisma: expected provider "sqlite" and output "../generated/sqlite" to derive the PostgreSQL client');
  }
  return replaced;
}

const generatedDir = join(root, 'generated');
mkdirSync(generatedDir, { recursive: true });
const pgSchemaPath = join(generatedDir, 'postgresql.prisma');
writeFileSync(pgSchemaPath, '// Derived from prisma/schema.prisma by scripts/generate-clients.mjs; do not edit.\n' + derivePostgresSchema(sqliteSchema));

const standIn = join(generatedDir, 'schema-engine-stand-in.sh');
writeFileSync(standIn, '#!/bin/sh\necho "gxgc-bot: the Prisma schema engine is not installed; migrations are applied by: npm run gxgc -- db migrate" >&2\nexit 1\n');
chmodSync(standIn, 0o755);

const prismaCli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: standIn, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
for (const schema of [schemaPath, pgSchemaPath]) {
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schema, '--no-hints'], { cwd: root, env, stdio: 'inherit' });
}
