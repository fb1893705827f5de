// The rules table (annex 1) sent in the chat by an operator, through the core on both databases:
// the preview of what would change, the import after 确认导入 (audited with the chat as actor), a
// GBK .csv as Excel saves it, a bad row refused with nothing changed, a table that would remove most
// rules flagged, cancel, and a non-operator refused.
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../bot/core/types.ts';
import { rulesToTable } from '../../commands/standards/rulesFile.ts';
import { choiceLabelled, createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { TEST_PROVIDERS } from '../support/database.ts';

const texts = (replies: Reply[]) => replies.map((r) => r.text).join('\n');
const csv = (table: string[][]) => table.map((row) => row.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');

describe.each(TEST_PROVIDERS)('the rules table sent in the chat on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider, now: '2026-11-02T02:00:00Z' });
  });
  afterAll(async () => bot?.close());

  const send = (chatId: string, filename: string, content: Uint8Array) =>
    bot.core.handleMessage({ channel: 'console', chatId, document: { filename, size: content.length, content } });

  async function table(): Promise<string[][]> {
    return rulesToTable(await bot.db.rule.findMany({ orderBy: [{ level: 'asc' }, { sortOrder: 'asc' }] })).map((row) => row.map((c) => (c == null ? '' : String(c))));
  }

  it('previews, imports only after 确认导入, and audits who did it', async () => {
    const operator = await bot.chat(DEMO.operator);
    const rows = await table();
    const header = rows[0]!;
    const computers = rows.findIndex((r) => r[header.indexOf('级别')] === '村级' && r[header.indexOf('项目')] === '电脑');
    expect(computers).toBeGreaterThan(0);
    const before = rows[computers]![header.indexOf('数量')];
    rows[computers]![header.indexOf('数量')] = '6';
    const file = iconv.encode(csv(rows), 'gbk'); // as Excel for Chinese Windows saves a .csv

    bot.clock.advance(5_000);
    const preview = await send(operator.chatId, '配置及服务标准.csv', file);
    expect(texts(preview)).toContain('规则表还没有改动');
    expect(texts(preview)).toMatch(/新增 0，更新 \d+，删除 0/);
    const village = () => bot.db.rule.findFirstOrThrow({ where: { level: 'village', item: '电脑' } });
    expect(String((await village()).quantity)).toBe(before);

    bot.clock.advance(5_000);
    const done = await bot.core.handleMessage({ channel: 'console', chatId: operator.chatId, choice: choiceLabelled(preview, '确认导入') });
    expect(texts(done)).toMatch(/已导入 \d+ 条规则/);
    expect((await village()).quantity).toBe(6);
    const audit = await bot.db.auditLog.findFirstOrThrow({ where: { action: 'rules.import' }, orderBy: { id: 'desc' } });
    expect(audit.actor).toBe(`console:${operator.chatId}`);
    expect(audit.actorContactId).not.toBeNull();
    // the standards answer follows the new table
    bot.clock.advance(5_000);
    expect(await operator.say('村级服务点需要几台电脑？')).toMatch(/电脑[^\n]*6/);
  });

  it('refuses a bad row, flags a table that removes most rules, and changes nothing on cancel', async () => {
    const operator = await bot.chat(DEMO.operator);
    const count = await bot.db.rule.count();
    const rows = await table();
    const bad = rows.map((r) => [...r]);
    bad[1]![rows[0]!.indexOf('数量')] = '很多';
    bot.clock.advance(5_000);
    const refused = texts(await send(operator.chatId, '规则.csv', Buffer.from(csv(bad))));
    expect(refused).toContain('第2行');
    expect(refused).toContain('规则表没有任何改动');

    bot.clock.advance(5_000);
    const few = await send(operator.chatId, '规则.csv', Buffer.from(csv(rows.slice(0, 3))));
    expect(texts(few)).toContain('请特别注意');
    bot.clock.advance(5_000);
    expect(await operator.say('取消')).toContain('规则表没有任何改动');
    expect(await bot.db.rule.count()).toBe(count);

    const village = await bot.chat(DEMO.shilongVillage1);
    bot.clock.advance(5_000);
    expect(texts(await send(village.chatId, '规则.csv', Buffer.from(csv(rows))))).toContain('只有市支中心管理员');
  });
});
