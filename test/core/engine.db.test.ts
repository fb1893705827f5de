// The engine's promises that need a database: two instances handling the same chat's message at
// once store it once, and conversations saved by the bot before the engine continue or end politely.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';

const FIGURES = '服务人次120，开放天数22，开放时长176小时，活动3场';

describe.each(TEST_PROVIDERS)('the dialogue engine on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider });
  });
  afterAll(async () => bot.close());

  it('two instances answering the same step at the same moment store one revision', async () => {
    const chat = await bot.chat(DEMO.shilongVillage1);
    const summary = await chat.send(FIGURES);
    expect(summary.at(-1)!.choices?.map((c) => c.label)).toEqual(['确认提交', '修改', '取消']);
    const other = bot.restart();
    // a running instance has its connections open: without this the second one's first query waits
    // for a new PostgreSQL connection, and the first has often committed before it reads
    await other.core.handleMessage({ channel: 'console', chatId: 'another-chat', text: '/help' });
    const replies = await Promise.all([
      bot.core.handleMessage({ channel: 'console', chatId: chat.chatId, text: '1' }),
      other.core.handleMessage({ channel: 'console', chatId: chat.chatId, text: '1' }),
    ]);
    const texts = replies.map((r) => r.map((x) => x.text).join('\n'));
    expect(texts.filter((t) => t.includes('已收到'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('已经处理了'))).toHaveLength(1);
    expect(await bot.db.monthlyReportRevision.count({ where: { report: { servicePoint: { name: '示例一村' } } } })).toBe(1);
  });

  it('continues a report draft saved by the old code: its summary is shown again, not confirmed blind', async () => {
    const chat = await bot.chat(DEMO.guanchengVillage1);
    const point = await bot.db.servicePoint.findFirstOrThrow({ where: { name: '示例一社区' } });
    const legacy = {
      pointId: point.id,
      pointLabel: '莞城街道 示例一社区',
      pointLevel: 'village',
      month: '2026-10',
      figures: { visitors: 130, openDays: 21, openHours: 168, activities: 2 },
      noNewData: false,
      guided: false,
      skipped: [],
      checked: false,
      previousRevision: null,
    };
    await bot.db.conversation.upsert({
      where: { channel_chatId: { channel: 'console', chatId: chat.chatId } },
      create: { channel: 'console', chatId: chat.chatId, flow: 'report', step: 'summary', state: JSON.stringify(legacy), choices: JSON.stringify([{ label: '确认提交', value: 'report:confirm' }]) },
      update: { flow: 'report', step: 'summary', state: JSON.stringify(legacy), choices: JSON.stringify([{ label: '确认提交', value: 'report:confirm' }]) },
    });
    const again = await chat.say('1');
    expect(again).toContain('机器人已升级');
    expect(again).toContain('服务人次：130 人次');
    expect(await bot.db.monthlyReport.count({ where: { servicePointId: point.id } })).toBe(0);
    expect(await chat.say('1')).toContain('已收到');
    expect(await bot.db.monthlyReport.count({ where: { servicePointId: point.id } })).toBe(1);
  });

  it('continues a notice draft saved by the old code from its first open step', async () => {
    const chat = await bot.chat(DEMO.operator);
    const legacy = { title: '旧通知', body: '旧正文', fetchMethod: 'ftp', fetchAddress: 'ftp://old.example.invalid' };
    await bot.db.conversation.upsert({
      where: { channel_chatId: { channel: 'console', chatId: chat.chatId } },
      create: { channel: 'console', chatId: chat.chatId, flow: 'notice', step: 'deadline', state: JSON.stringify(legacy) },
      update: { flow: 'notice', step: 'deadline', state: JSON.stringify(legacy), choices: '[]' },
    });
    const reply = await chat.say('12月15号');
    expect(reply).toContain('机器人已升级');
    expect(reply).toContain('领取截止日期是哪天');
    expect(await chat.say('12月15号')).toContain('发给谁');
  });

  it('ends a conversation it cannot read with an apology, and nothing breaks', async () => {
    const chat = await bot.chat(DEMO.humenVillage);
    await bot.db.conversation.upsert({
      where: { channel_chatId: { channel: 'console', chatId: chat.chatId } },
      create: { channel: 'console', chatId: chat.chatId, flow: 'report', step: 'ask:visitors', state: '{"pointId":"x"}' },
      update: { flow: 'report', step: 'ask:visitors', state: '{"pointId":"x"}', choices: '[]' },
    });
    expect(await chat.say('120')).toContain('系统升级后无法接着完成');
    const row = await bot.db.conversation.findFirstOrThrow({ where: { chatId: chat.chatId } });
    expect(row.flow).toBeNull();
    expect(await chat.say(FIGURES)).toContain('请核对');
  });
});
