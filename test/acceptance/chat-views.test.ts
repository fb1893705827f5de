// The acceptance views in the chat, through the core: 我的验收申请 and /acceptance status by role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeStep } from '../../bot/db/acceptance.ts';
import { chinaCalendar } from '../../bot/workdays.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { TEST_PROVIDERS } from '../support/database.ts';

describe.each(TEST_PROVIDERS)('acceptance views on %s', (provider) => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await createTestBot({ provider, now: '2026-11-02T02:00:00Z' });
  });
  afterAll(async () => bot?.close());

  it('shows a point its own application and the city or the town its applications', async () => {
    const school = await bot.chat(DEMO.shilongSchool);
    expect(await school.say('我的验收申请')).toContain('还没有验收申请');
    const contact = await bot.db.contact.findUniqueOrThrow({ where: { mobile: DEMO.shilongSchool }, include: { servicePoint: true } });
    const p = contact.servicePoint;
    const applied = await takeStep(bot.db, {
      action: 'apply', actor: { contactId: contact.id, point: { id: p.id, town: p.town, level: p.level }, label: 'test' },
      pointId: p.id, form: { unitName: '示例中学', computers: 3 }, at: bot.clock.now(), calendar: chinaCalendar(),
    });
    expect(applied.ok).toBe(true);
    const mine = await school.say('/myacceptance');
    expect(mine).toContain('待镇文广中心确认盖章');
    expect(mine).toContain('提交申请');
    expect(await school.say('验收 进度')).toContain('【我的验收申请');

    const operator = await bot.chat(DEMO.operator);
    const all = await operator.say('/acceptance status');
    expect(all).toContain('【验收申请 · 全市】共 1 份');
    expect(all).toContain('石龙镇 示例中学');
    const town = await bot.chat(DEMO.shilongTown);
    expect(await town.say('/acceptance status')).toContain('【验收申请 · 石龙镇】共 1 份');
    // the checklist beside it is unchanged
    expect(await operator.say('/acceptance')).toContain('验收');
    expect(await (await bot.chat()).say('/acceptance status')).toContain('需要先绑定');
  });
});
