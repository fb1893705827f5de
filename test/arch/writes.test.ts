// Capabilities decide, the core acts (issue 11): no module under commands/ writes the database — the
// writes are the stores' in bot/db/ — and one module, bot/db/audit.ts, writes audit rows. Checked on
// the source text, so a new write in the wrong place fails here before review.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** file:line: text of every line matching one of the patterns */
function find(files: string[], patterns: RegExp[], except: (file: string, line: string) => boolean = () => false): string[] {
  return files.flatMap((file) =>
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (patterns.some((p) => p.test(line)) && !except(file, line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
}

// a hash's update() is no database write
const HASHING = /create(Hash|Hmac)\([^)]*\)[^;]*\.update\(/;

describe('who writes the database', () => {
  const commands = sources('commands');

  it.each([
    ['Prisma writes', [/\.(create|createMany|createManyAndReturn|update|updateMany|upsert|delete|deleteMany)\(/, /\$transaction|\$executeRaw/]],
    ['SQL writes', [/\b(INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+"|CREATE\s+(TEMPORARY\s+)?TABLE|DROP\s+TABLE|ALTER\s+TABLE)\b/i]],
    ['statements run on DirectSql', [/\.execute\(/]],
  ])('no module under commands/ has %s', (_, patterns) => {
    expect(find(commands, patterns, (_file, line) => HASHING.test(line))).toEqual([]);
  });

  it("only the command line runs a store's statements in a batch of its own", () => {
    expect(find(commands, [/\.batch\(/], (file) => /^commands\/[a-z]+\/cli\.ts$/.test(file))).toEqual([]);
  });

  it('only bot/db/audit.ts writes audit rows', () => {
    const code = [...sources('bot'), ...commands, ...sources('scheduler'), ...sources('prisma')];
    expect(find(code, [/"AuditLog"/, /auditLog\.(create|createMany|update|updateMany|upsert|delete|deleteMany)\(/], (file) => file === 'bot/db/audit.ts')).toEqual([]);
  });

  it('the check sees a write where there is one', () => {
    // the patterns on the lines they exist to catch, so a typo in them cannot make the test pass vacuously
    expect(find(['bot/db/directory-store.ts'], [/\b(INSERT\s+INTO|UPDATE\s+")/]).length).toBeGreaterThan(5);
    expect(find(['bot/db/audit.ts'], [/"AuditLog"/]).length).toBeGreaterThan(0);
    expect(find(['bot/db/identity-store.ts'], [/\.(createMany|updateMany)\(/]).length).toBeGreaterThan(0);
  });
});
