// The directory import reads its file as a stream and stages good rows as it goes (apply.ts), so a
// bad row may come after hundreds of rows already staged. On both databases: every bad row is still
// named, nothing reaches the directory, nothing is left behind for the next import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliDeps } from '../../bot/cli.ts';
import type { Db } from '../../bot/db/client.ts';
import { silentLogger } from '../../bot/logger.ts';
import { runDirectoryCli } from '../../commands/directory/cli.ts';
import { DIRECTORY_HEADER } from '../../commands/directory/rows.ts';
import { streamTable, writeTable } from '../../bot/spreadsheet.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, type TestBot } from '../support/harness.ts';

/** `count` village rows of one town, mobiles from `firstMobile` */
function villages(count: number, firstMobile = 13900000000, town = '大朗镇'): string[] {
  return Array.from({ length: count }, (_, i) => `${town},${town}第${i + 1}村,村级,村联${i + 1},联络人,${firstMobile + i},,`);
}

async function directoryState(db: Db) {
  return {
    points: await db.servicePoint.findMany({ orderBy: { id: 'asc' } }),
    contacts: await db.contact.findMany({ orderBy: { id: 'asc' } }),
    imports: await db.auditLog.count({ where: { action: 'directory.import' } }),
  };
}

describe.each(TEST_PROVIDERS)('streaming directory import on %s', (provider) => {
  let bot: TestBot;
  let dir: string;
  let output: string[];
  let deps: CliDeps;
  const importLines = async (name: string, lines: string[], ...flags: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, [DIRECTORY_HEADER.join(','), ...lines].join('\n') + '\n');
    output = [];
    const code = await runDirectoryCli(['import', file, ...flags], deps);
    return { code, text: output.join('\n') };
  };

  beforeAll(async () => {
    // the demo directory is there: a failed import must leave it exactly as it was
    bot = await createTestBot({ provider });
    dir = mkdtempSync(join(tmpdir(), 'gxgc-stream-'));
    deps = { db: bot.db, clock: bot.clock, log: silentLogger, out: (l) => output.push(l) };
  });
  afterAll(async () => {
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('bad rows after 1,200 staged good ones are all named, and nothing is written', async () => {
    const before = await directoryState(bot.db);
    const lines = [
      ...villages(1200),
      '大朗镇,大朗镇第1村,村级,重复,联络人,13900000000,,',
      ...villages(300, 13910000000, '黄江镇'),
      '黄江镇,黄江镇第1村,镇级,级别不同,联络人,13920000000,,',
      '黄江镇,黄江镇第9999村,村级,,联络人,13920000001,,',
    ];
    const { code, text } = await importLines('late-bad.csv', lines);
    expect(code).toBe(1);
    expect(text).toBe(
      [
        '导入失败，名录没有任何改动（CSV 文件，按 UTF-8 编码读取）。请修改以下 3 处后重新导入：',
        '第 1202 行：手机号 13900000000 与第 2 行重复（一个手机号只能对应一位联系人）',
        '第 1503 行：服务点“黄江镇 黄江镇第1村”在第 1203 行是村级，这里却是镇级',
        '第 1504 行：联系人姓名不能为空',
      ].join('\n'),
    );
    expect(await directoryState(bot.db)).toEqual(before);
  });

  it('more bad rows than are listed: the first 50 named, and how many more', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => `大朗镇,大朗镇第${i + 1}村,村级,某,联络人,1390000${String(i).padStart(4, '0')}x,,`);
    const { code, text } = await importLines('many-bad.csv', lines);
    expect(code).toBe(1);
    expect(text).toContain('请修改以下 120 处后重新导入');
    expect(text).toContain('第 51 行：手机号“13900000049x”格式不对');
    expect(text).not.toContain('第 52 行');
    expect(text).toContain('……另有 70 行有问题');
  });

  it('a file that breaks off (an unclosed quote) after good rows writes nothing', async () => {
    const before = await directoryState(bot.db);
    const { code, text } = await importLines('broken.csv', [...villages(800), '大朗镇,"大朗镇第9999村,村级,某,联络人,13930000000,,']);
    expect(code).toBe(1);
    expect(text).toContain('CSV 文件有一个引号没有配对（从第 802 行附近开始）');
    expect(await directoryState(bot.db)).toEqual(before);
  });

  it('after all that, a good file of 1,500 rows imports in full', async () => {
    const lines = [...villages(1200), ...villages(300, 13910000000, '黄江镇')];
    // every town of the demo directory would go: not without --confirm
    const refused = await importLines('good.csv', lines);
    expect(refused.code).toBe(1);
    expect(refused.text).toContain('文件中完全没有这些镇街，它们的服务点和联系人将全部停用：');
    const { code, text } = await importLines('good.csv', lines, '--confirm');
    expect(code).toBe(0);
    // the demo directory's 11 points and 12 contacts are deactivated: the new file no longer lists them
    expect(text).toContain('导入成功（CSV 文件，按 UTF-8 编码读取）：1500 个服务点（新增 1500，更新 0，停用 11），1500 位联系人（新增 1500，更新 0，停用 12）');
    expect(await bot.db.servicePoint.count({ where: { active: true } })).toBe(1500);
    const last = await bot.db.contact.findUniqueOrThrow({ where: { mobile: '13910000299' }, include: { servicePoint: true } });
    expect([last.name, last.servicePoint.town, last.servicePoint.name]).toEqual(['村联300', '黄江镇', '黄江镇第300村']);
    // one audit row, written in the same transaction, with the summary as JSON.stringify writes it
    const audits = await bot.db.auditLog.findMany({ where: { action: 'directory.import', actor: 'cli' } });
    expect(audits).toHaveLength(1);
    const summary = { points: { created: 1500, updated: 0, deactivated: 11, total: 1500 }, contacts: { created: 1500, updated: 0, deactivated: 12, total: 1500 }, unbound: 0 };
    expect(audits[0]!.detail).toBe(JSON.stringify(summary));
    expect(Math.abs(audits[0]!.at.getTime() - Date.now())).toBeLessThan(60_000);
  });
});

describe('reading a directory file row by row', () => {
  it('an .xlsx of 6,000 rows of Chinese text reads exactly as the same .csv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gxgc-read-'));
    try {
      const table = [[...DIRECTORY_HEADER], ...Array.from({ length: 6000 }, (_, i) => ['大岭山镇', `大岭山镇第${i + 1}村`, '村级', `联络人${i}号`, '信息专报员', String(13900000000 + i), '', i % 7 ? '' : '是'])];
      writeFileSync(join(dir, 'd.csv'), table.map((r) => r.join(',')).join('\n') + '\n');
      await writeTable(join(dir, 'd.xlsx'), table);
      const read = async (file: string) => {
        const rows: string[][] = [];
        for await (const row of streamTable(file)) rows.push([String(row.number), ...row.cells]);
        return rows;
      };
      const fromCsv = await read(join(dir, 'd.csv'));
      expect(fromCsv).toHaveLength(6001);
      expect(await read(join(dir, 'd.xlsx'))).toEqual(fromCsv);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
