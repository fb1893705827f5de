// Importing the directory by sending its spreadsheet in the chat, through the real core, on both
// databases: the dry run with every bad row, nothing written before "1 确认导入", the plan checked
// again at confirmation; files of another type, too large, or from a non-operator get an answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingDocument } from '../../bot/core/types.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';

const OFFICE = join(import.meta.dirname, 'fixtures', 'office');
const fileOf = (name: string, as = name): IncomingDocument => {
  const content = new Uint8Array(readFileSync(join(OFFICE, name)));
  return { filename: as, size: content.length, content };
};

describe.each(TEST_PROVIDERS)('directory import in the chat on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider });
  });
  afterAll(async () => bot.close());

  const send = async (chatId: string, message: { text?: string; document?: IncomingDocument }, channel: 'console' | 'telegram' = 'console') =>
    (await bot.core.handleMessage({ channel, chatId, text: '', ...message })).map((r) => r.text).join('\n');

  it('a workbook sent by an operator gets its dry run; "1" imports it', async () => {
    const operator = await bot.chat(DEMO.operator);
    const before = await bot.db.contact.findMany({ orderBy: { id: 'asc' } });
    const preview = await send(operator.chatId, { document: fileOf('towns.xlsx', '名录2009.xlsx') });
    expect(preview).toContain('收到“名录2009.xlsx”（Excel 工作簿，读取工作表：“市支中心”、“石龙镇”、“虎门镇”、“长安镇”；跳过不是名录的工作表：“填表说明”）。名录还没有改动');
    expect(preview).toContain('文件中完全没有这些镇街，它们的服务点和联系人将全部停用：莞城街道');
    expect(preview).toContain('回复 1 确认导入');
    expect(await bot.db.contact.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
    const done = await send(operator.chatId, { text: '1' });
    expect(done).toContain('导入成功（Excel 工作簿');
    expect(await bot.db.servicePoint.count({ where: { town: '长安镇', active: true } })).toBe(1);
    expect(await bot.db.servicePoint.count({ where: { town: '莞城街道', active: true } })).toBe(0);
    // nothing waits any more
    expect(await send(operator.chatId, { text: '1' })).not.toContain('导入成功');
  });

  it('a file with bad rows is answered with every bad row and nothing waits', async () => {
    const operator = await bot.chat(DEMO.operator);
    const text = await send(operator.chatId, { document: fileOf('damaged-gbk.csv') });
    expect(text).toContain('导入失败，名录没有任何改动（CSV 文件，按 GBK/GB18030 编码读取）');
    expect(text).toContain('第 3 行：手机号“1.39E+10”是科学计数法');
    expect(text).toContain('第 5 行：手机和电话至少要填一个');
  });

  it('"2" gives up; the directory is as it was', async () => {
    const operator = await bot.chat(DEMO.operator);
    const before = await bot.db.contact.count({ where: { active: true } });
    expect(await send(operator.chatId, { document: fileOf('flat-utf8.csv') })).toContain('回复 1 确认导入');
    expect(await send(operator.chatId, { text: '2' })).toContain('已取消，名录没有任何改动');
    expect(await bot.db.contact.count({ where: { active: true } })).toBe(before);
  });

  it('a directory changed between the preview and "1" is not overwritten', async () => {
    const operator = await bot.chat(DEMO.operator);
    // the same operator on Telegram: another chat
    const other = await bot.chat(DEMO.operator, 'telegram');
    expect(await send(operator.chatId, { document: fileOf('flat-gbk.csv') })).toContain('回复 1 确认导入');
    const renamed = readFileSync(join(OFFICE, 'flat-utf8.csv'), 'utf8').replace('卫村联', '卫新名');
    await send(other.chatId, { document: { filename: 'x.csv', size: renamed.length, content: new TextEncoder().encode(renamed) } }, 'telegram');
    expect(await send(other.chatId, { text: '1' }, 'telegram')).toContain('导入成功');
    expect(await send(operator.chatId, { text: '1' })).toContain('名录在预览之后有了变化，没有导入');
    expect((await bot.db.contact.findUniqueOrThrow({ where: { mobile: '13800004101' } })).name).toBe('卫新名');
  });

  it.each([
    [{ filename: 'photo.jpg', size: 10, content: new Uint8Array(10) }, '我只能导入通信名录表格：请发送 .xlsx（Excel 工作簿）或 .csv 文件'],
    [{ filename: 'big.xlsx', size: 30 * 1048576, missing: 'tooLarge' as const }, '文件“big.xlsx”太大（30.0 MB），聊天中最多接收 2 MB'],
    [fileOf('flat.xls'), 'Excel 97-2003 工作簿（.xls）'],
  ])('an operator sending %j is told what to do', async (document, answer) => {
    const operator = await bot.chat(DEMO.operator);
    expect(await send(operator.chatId, { document })).toContain(answer);
  });

  it('a village contact sending a file is told only operators import the directory', async () => {
    const village = await bot.chat(DEMO.shilongVillage2);
    expect(await send(village.chatId, { document: fileOf('flat-utf8.csv') })).toContain('只有市支中心管理员可以发送文件导入通信名录');
  });
});
