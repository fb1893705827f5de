// Importing the directory end to end through the operator's command line, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDirectoryCli } from '../../commands/directory/cli.ts';
import { readTable } from '../../bot/spreadsheet.ts';
import { DIRECTORY_EXPORT_HEADER, parseDirectoryTable, type DirectoryRow } from '../../commands/directory/rows.ts';
import { silentLogger } from '../../bot/logger.ts';
import { DEMO_DIRECTORY } from '../../bot/db/cli.ts';
import type { CliDeps } from '../../bot/cli.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';

describe.each(TEST_PROVIDERS)('directory import and export on %s', (provider) => {
  let bot: TestBot;
  let dir: string;
  let output: string[];
  let deps: CliDeps;
  const run = async (...argv: string[]) => {
    output = [];
    return runDirectoryCli(argv, deps);
  };

  beforeAll(async () => {
    bot = await createTestBot({ provider, directory: false });
    dir = mkdtempSync(join(tmpdir(), 'gxgc-dir-'));
    deps = { db: bot.db, clock: bot.clock, log: silentLogger, out: (l) => output.push(l) };
  });
  afterAll(async () => bot.close());

  it('a file with one bad row changes nothing and names the row', async () => {
    const lines = readFileSync(DEMO_DIRECTORY, 'utf8').split('\n');
    lines[5] = lines[5]!.replace('13800001102', '1380000110');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, lines.join('\n'));
    expect(await run('import', bad)).toBe(1);
    expect(output.join('\n')).toContain('名录没有任何改动');
    expect(output.join('\n')).toContain('第 6 行：手机号“1380000110”格式不对');
    expect(await bot.db.servicePoint.count()).toBe(0);
    expect(await bot.db.contact.count()).toBe(0);
  });

  it.each(['csv', 'xlsx'])('a good file imports, and exporting it to .%s gives the same rows back', async (format) => {
    expect(await run('import', DEMO_DIRECTORY)).toBe(0);
    const exported = join(dir, `out.${format}`);
    expect(await run('export', exported)).toBe(0);
    // the export has every column (电话 too); read back as directory rows they are the file's
    // the demo file has no 企业微信账号 column; the export writes it, empty for these contacts
    const sortRows = (rows: DirectoryRow[]) => rows.map(({ wecomUserId, ...r }) => JSON.stringify(wecomUserId ? { ...r, wecomUserId } : r)).sort();
    const rowsOf = async (file: string) => {
      const parsed = parseDirectoryTable(await readTable(file));
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      return sortRows(parsed.rows);
    };
    expect(await rowsOf(exported)).toEqual(await rowsOf(DEMO_DIRECTORY));
    expect((await readTable(exported))[0]).toEqual(DIRECTORY_EXPORT_HEADER);
  });

  it('builds the town → village hierarchy', async () => {
    const village = await bot.db.servicePoint.findUniqueOrThrow({ where: { town_name: { town: '石龙镇', name: '示例一村' } }, include: { parent: true } });
    expect(village.parent?.name).toBe('石龙镇图书馆');
    expect(village.isPartyEducationPoint).toBe(true);
  });

  it('re-importing updates in place, keeps chat bindings and deactivates what is gone', async () => {
    const chat = await bot.chat(DEMO.shilongVillage1, 'telegram');
    const before = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.shilongVillage1 } });
    const lines = readFileSync(DEMO_DIRECTORY, 'utf8').trim().split('\n');
    // another role and an e-mail at the same point: the same person
    const changed = lines
      .filter((l) => !l.includes(DEMO.humenEnterprise))
      .map((l) => (l.includes(DEMO.shilongVillage1) ? l.replace('联络人', '信息专报员').replace(',,是', ',zhou@example.cn,是') : l));
    const file = join(dir, 'changed.csv');
    writeFileSync(file, changed.join('\n'));
    expect(await run('import', file)).toBe(0);
    expect(output.join('')).toContain('更新 0，停用 1），11 位联系人（新增 0，更新 1，停用 1）');
    expect(output.join('')).toContain('已绑定的聊天账号保持不变');
    const after = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.shilongVillage1 } });
    expect(after.id).toBe(before.id);
    expect([after.role, after.email]).toEqual(['reporter', 'zhou@example.cn']);
    expect((await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.humenEnterprise } })).active).toBe(false);
    expect(await chat.say('/whoami')).toContain('周村联');
  });

  it('a deactivated contact is treated as unknown until imported again', async () => {
    const identity = await bot.db.channelIdentity.create({
      data: { channel: 'wechat', externalId: 'wx-enterprise', contactId: (await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.humenEnterprise } })).id },
    });
    expect(identity.contactId).not.toBeNull();
    const reply = await bot.core.handleMessage({ channel: 'wechat', chatId: 'wx-enterprise', text: '/whoami' });
    expect(reply[0]!.text).toContain('还没有绑定');
    expect(await run('import', DEMO_DIRECTORY)).toBe(0);
    const again = await bot.core.handleMessage({ channel: 'wechat', chatId: 'wx-enterprise', text: '/whoami' });
    expect(again[0]!.text).toContain('褚企联');
  });

  it('summarises the directory for operators, counting chat bindings', async () => {
    const operator = await bot.chat(DEMO.operator);
    const text = await operator.say('名录');
    expect(text).toContain('11 个服务点，12 位联系人，其中 2 位可以收到机器人消息');
    expect(text).toContain('· 村级：5 个服务点，5 位联系人');
    expect(text).toContain('· 石龙镇：4 个服务点，4 位联系人，可送达 1');
    const village = await bot.chat(DEMO.shilongVillage2);
    expect(await village.say('名录')).toContain('仅限市支中心管理员使用');
  });

  it('refuses an unknown file type with a clear message', async () => {
    writeFileSync(join(dir, 'x.doc'), 'text');
    expect(await run('import', join(dir, 'x.doc'))).toBe(1);
    expect(output.join('')).toContain('不支持的文件类型“.doc”：请使用 .xlsx（Excel 工作簿）或 .csv 文件');
    expect(await run('import', join(dir, 'missing.csv'))).toBe(1);
    expect(output.join('')).toContain('找不到文件');
  });
});
