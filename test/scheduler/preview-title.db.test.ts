// Issue 18, item 13: the day preview's title says whom the first reminder goes to — the points that
// have not reported — since that is whom it lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { previewDay, renderDayPreview } from '../../scheduler/preview.ts';
import { DEFAULT_REMINDER_SETTINGS } from '../../scheduler/settings.ts';

describe.each(TEST_PROVIDERS)('the first reminder in the day preview on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider, now: '2026-11-02T02:00:00Z' });
  });
  afterAll(async () => bot.close());

  it('is titled for the points not yet reported, and lists neither a reported point nor claims all of them', async () => {
    const village = await bot.chat(DEMO.shilongVillage1);
    await village.send('本月无新增');
    await village.say('1');
    // the preview of November 1st plans October's reminders, with today's reports taken into account
    const text = renderDayPreview(await previewDay(bot.db, { year: 2026, month: 11, day: 1 }, DEFAULT_REMINDER_SETTINGS)).join('\n');
    expect(text).toContain('【月报第一次提醒（尚未上报的服务点）】');
    expect(text).not.toContain('全部服务点');
    expect(text).not.toContain('石龙镇/示例一村');
    expect(text).toContain('石龙镇/示例二村');
  });
});
