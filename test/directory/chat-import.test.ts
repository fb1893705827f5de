// Importing the directory by sending its spreadsheet in the chat, through the real core, on both
// databases: the dry run with every bad row, nothing written before "1 确认导入", the plan checked
// again at confirmation; the waiting file kept in a row of its own, not in the conversation; files
// of another type, too large, or from a non-operator get an answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingDocument } from '../../bot/core/types.ts';
import { targetOf } from '../../bot/db/client.ts';
import { planDirectoryImport } from '../../bot/db/directory-store.ts';
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

  it('the waiting file is kept out of the conversation row, and let go by 确认导入 and by 取消', async () => {
    const operator = await bot.chat(DEMO.operator);
    const content = readFileSync(join(OFFICE, 'towns.xlsx'));
    const waiting = () => bot.db.pendingUpload.findMany({ where: { channel: 'console', chatId: operator.chatId } });
    expect(await send(operator.chatId, { document: fileOf('towns.xlsx') })).toContain('回复 1 确认导入');
    const [upload] = await waiting();
    expect(Buffer.from(upload!.content).equals(content)).toBe(true);
    const row = await bot.db.conversation.findUniqueOrThrow({ where: { channel_chatId: { channel: 'console', chatId: operator.chatId } } });
    expect(row.state).toContain(upload!.id);
    expect(row.state).not.toContain(content.toString('base64').slice(0, 64));
    expect(row.state.length).toBeLessThan(4000);
    expect(await send(operator.chatId, { text: '取消' })).toContain('已取消，名录没有任何改动');
    expect(await waiting()).toEqual([]);
    expect(await send(operator.chatId, { document: fileOf('towns.xlsx') })).toContain('回复 1 确认导入');
    expect(await waiting()).toHaveLength(1);
    expect(await send(operator.chatId, { text: '1' })).toContain('导入成功');
    expect(await waiting()).toEqual([]);
  });

  it('another file sent while one waits replaces it: its own preview, the first let go', async () => {
    const operator = await bot.chat(DEMO.operator);
    expect(await send(operator.chatId, { document: fileOf('towns.xlsx') })).toContain('回复 1 确认导入');
    const second = await send(operator.chatId, { document: fileOf('flat-utf8.csv') });
    expect(second).toContain('收到“flat-utf8.csv”（CSV 文件，按 UTF-8 编码读取）。名录还没有改动');
    expect(second).not.toContain('没有看懂');
    const waiting = await bot.db.pendingUpload.findMany({ where: { channel: 'console', chatId: operator.chatId } });
    expect(waiting.map((u) => u.filename)).toEqual(['flat-utf8.csv']);
    expect(await send(operator.chatId, { text: '2' })).toContain('已取消，名录没有任何改动');
  });

  it('a file left waiting for over a day is deleted when another is sent; its 确认导入 asks for it again', async () => {
    const operator = await bot.chat(DEMO.operator);
    const other = await bot.chat(DEMO.operator, 'telegram');
    const before = await bot.db.contact.findMany({ orderBy: { id: 'asc' } });
    expect(await send(operator.chatId, { document: fileOf('flat-gbk.csv') })).toContain('回复 1 确认导入');
    bot.clock.advance(25 * 3600_000);
    expect(await send(other.chatId, { document: fileOf('flat-utf8.csv') }, 'telegram')).toContain('回复 1 确认导入');
    expect(await bot.db.pendingUpload.count({ where: { chatId: operator.chatId } })).toBe(0);
    expect(await send(operator.chatId, { text: '1' })).toContain('等待导入的文件已超过一天，已经删除，名录没有任何改动。请重新发送文件');
    expect(await bot.db.contact.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
    expect(await send(other.chatId, { text: '2' }, 'telegram')).toContain('已取消');
  });

  it('a conversation saved by an older version, with the file inside it, is still imported after 1', async () => {
    const operator = await bot.chat(DEMO.operator);
    const content = readFileSync(join(OFFICE, 'towns.xlsx'));
    const planned = await planDirectoryImport({ filename: '名录.xlsx', content }, { target: targetOf(bot.db), now: bot.clock.now(), actor: 'test', actorContactId: null });
    expect(planned.kind).toBe('planned');
    const fingerprint = planned.kind === 'planned' ? planned.fingerprint : '';
    const state = { engine: 1, id: 'a1b2c3d4', turn: 1, at: 'summary', data: { filename: '名录.xlsx', content: content.toString('base64'), fingerprint, planText: '（旧版保存的预览）' } };
    const data = { flow: 'directoryImport', step: 'summary', state: JSON.stringify(state), choices: JSON.stringify([{ label: '确认导入', value: 'directoryImport:@a1b2c3d4.1:confirm' }]), expiresAt: new Date(bot.clock.now().getTime() + 3600_000) };
    await bot.db.conversation.upsert({ where: { channel_chatId: { channel: 'console', chatId: operator.chatId } }, create: { channel: 'console', chatId: operator.chatId, ...data }, update: data });
    expect(await send(operator.chatId, { text: '1' })).toContain('导入成功（Excel 工作簿');
  });

  it('a village contact sending a file is told only operators import the directory', async () => {
    const village = await bot.chat(DEMO.shilongVillage2);
    expect(await send(village.chatId, { document: fileOf('flat-utf8.csv') })).toContain('只有市支中心管理员可以发送文件导入通信名录');
  });
});
