// startScheduler as bot/main.ts uses it: defaults seeded as Setting rows, a tick at start-up, the
// worker delivering, and stop() leaving nothing running.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { startScheduler } from '../../scheduler/index.ts';
import { createMemorySender } from '../../scheduler/memory-sender.ts';
import { createNotice } from '../../bot/db/notice-store.ts';
import { seedSettings } from '../../prisma/seed/settings.ts';
import { defaultSettingRows, loadReminderSettings } from '../../scheduler/settings.ts';
import { silentLogger } from '../../bot/logger.ts';

describe.each(TEST_PROVIDERS)('startScheduler on %s', (provider) => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await createTestBot({ provider, now: '2026-11-09T02:00:00Z' });
  });
  afterEach(async () => {
    await bot.close();
  });

  it('seeds the default schedule once and keeps an operator change', async () => {
    expect(await bot.db.setting.count({ where: { key: { in: defaultSettingRows().map((r) => r.key) } } })).toBe(defaultSettingRows().length);
    await bot.db.setting.update({ where: { key: 'reminders.secondReminder.day' }, data: { value: '2' } });
    await seedSettings(bot.db);
    const { settings, problems } = await loadReminderSettings(bot.db);
    expect(problems).toEqual([]);
    expect(settings.secondReminderDay).toBe(2);
    expect(settings.firstReminderDay).toBe(1);
  });

  it('ticks at start-up, releases a due scheduled notice, delivers it and stops cleanly', async () => {
    const chat = await bot.chat(DEMO.humenTown);
    await createNotice(
      bot.db,
      { title: '巡展安排', body: '本月巡展安排见附件。', fetchMethod: null, fetchAddress: null, deadline: null, audience: { kind: 'towns', values: ['虎门镇'] }, scheduledFor: '2026-11-09T01:00:00Z' },
      null,
      new Date('2026-11-08T00:00:00Z'),
    );
    const sender = createMemorySender('console');
    const delivered = new Promise<void>((resolve) => sender.onSend(() => resolve()));
    const running = startScheduler({ db: bot.db, clock: bot.clock, log: silentLogger, senders: [sender], instanceId: 'start-test' });
    await delivered;
    await running.stop();
    expect(sender.sentTo(chat.chatId).map((m) => m.reply.text.split('\n')[0])).toEqual(['【资源发放通知】巡展安排']);
    expect((await bot.db.notice.findFirstOrThrow()).status).toBe('sent');
  });
});
