// The bulk commands as processes, on both databases: `gxgc directory import` and `gxgc report export`
// run on a driver connection of their own, without the Prisma client, the channels or the
// standards dictionary (the memory of benchmark 3, docs/benchmarks.md). A loader hook
// (test/support/module-log.mjs) lists every module the process imports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, sqlOf } from '../../bot/db/client.ts';
import { DEMO_DIRECTORY } from '../../bot/db/cli.ts';
import { exportMonthToBuffer } from '../../commands/report/export.ts';
import { createEmptyDatabase, TEST_PROVIDERS } from '../support/database.ts';

const root = new URL('../../', import.meta.url).pathname;
const MODULE_LOG = new URL('../support/module-log.mjs', import.meta.url).pathname;
/** what only the bot, other commands or Prisma need */
const HEAVY = ['/generated/', '@prisma/client', '@prisma/adapter', 'grammy', 'wechaty', '@node-rs/jieba', 'node-cron'];

describe.each(TEST_PROVIDERS)('bulk commands on %s, as processes', (provider) => {
  let dir: string;
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let databaseUrl: string;

  /** `gxgc ...args`: exit code, output and the modules it imported */
  function gxgc(...args: string[]) {
    const log = join(dir, `modules-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(log, '');
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', MODULE_LOG, 'bot/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, GXGC_DATA_DIR: dir, LOG_LEVEL: 'warn', GXGC_MODULE_LOG: log },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const modules = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, modules };
  }
  const heavy = (modules: string[]) => modules.filter((m) => HEAVY.some((h) => m.includes(h)));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gxgc-bulk-'));
    empty = await createEmptyDatabase(provider);
    databaseUrl = provider === 'sqlite' ? `file:${empty.target.location}` : empty.target.location;
  });
  afterAll(async () => {
    await empty.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('directory import migrates a new database and imports without loading Prisma', () => {
    const { code, stdout, stderr, modules } = gxgc('directory', 'import', DEMO_DIRECTORY);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('导入成功（CSV 文件，按 UTF-8 编码读取）：11 个服务点（新增 11，更新 0，停用 0），12 位联系人');
    expect(modules.some((m) => m.endsWith('/commands/directory/import.ts'))).toBe(true);
    expect(heavy(modules)).toEqual([]);
    // a .csv is read without exceljs
    expect(modules.filter((m) => m.includes('exceljs'))).toEqual([]);
  });

  it('a bad file is refused the same way', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, readFileSync(DEMO_DIRECTORY, 'utf8').replace('13800001102', '1380000110'));
    const { code, stdout, modules } = gxgc('directory', 'import', bad);
    expect(code).toBe(1);
    expect(stdout).toContain('导入失败，名录没有任何改动（CSV 文件，按 UTF-8 编码读取）。请修改以下 1 处后重新导入：\n第 6 行：手机号“1380000110”格式不对');
    expect(heavy(modules)).toEqual([]);
  });

  it.each(['csv', 'xlsx'] as const)('report export .%s writes what the chat would send, without loading Prisma', async (format) => {
    const file = join(dir, `oct.${format}`);
    const { code, stdout, modules } = gxgc('report', 'export', '--month', '2026-10', file);
    expect(code).toBe(0);
    expect(stdout).toContain('已导出 2026-10 月报：10 个服务点');
    expect(heavy(modules)).toEqual([]);
    expect(modules.some((m) => m.includes('exceljs'))).toBe(format === 'xlsx');
    if (format === 'csv') {
      // the database is migrated but was never seeded: the default template, as the bot would use
      const database = openDatabase(empty.target);
      try {
        const { content } = await exportMonthToBuffer(sqlOf(database.db), '2026-10', 'csv');
        expect(readFileSync(file).equals(Buffer.from(content))).toBe(true);
      } finally {
        await database.close();
      }
    }
  });

  it('other commands still open the Prisma client, seeding the database', () => {
    const { code, stdout, modules } = gxgc('directory', 'summary');
    expect(code).toBe(0);
    expect(stdout).toContain('通信名录：11 个服务点，12 位联系人');
    expect(modules.some((m) => m.includes('/generated/'))).toBe(true);
  });
});
