// Issue 18, item 12: on a first month in the bot, the confirmation and the city's figures count the
// year from when the point was in the directory and the bot was in use, and say the period; the
// reports.countFrom setting moves the start for everyone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';
import { formatCompleteness, loadCompleteness } from '../../commands/report/completeness.ts';
import { runRemindersCli } from '../../scheduler/cli.ts';
import { forgetReadMostly } from '../../bot/db/read-cache.ts';
import { silentLogger } from '../../bot/logger.ts';

describe.each(TEST_PROVIDERS)('year-to-date figures on %s', (provider) => {
  let bot: TestBot;
  let inScope: number;
  beforeAll(async () => {
    // the directory is imported on 2026-11-02: October's figures are the first the bot collects
    bot = await createTestBot({ provider, now: '2026-11-02T02:00:00Z' });
    inScope = await bot.db.servicePoint.count({ where: { active: true, level: { not: 'subCenter' } } });
  });
  afterAll(async () => bot.close());

  it('a first report is measured against one month of the yearly minimum, and the period is named', async () => {
    const village = await bot.chat(DEMO.shilongVillage1);
    await village.send('服务人次120，开放天数22，开放时长176小时，活动3场');
    const done = await village.say('1');
    expect(done).toContain('今年 10 月（从该服务点开始用机器人上报的 10 月算起）已报的服务人次累计 120，年服务人次要求不少于 500 人次，1 个月按进度应达 42 人次，进度正常。');
    expect(done).not.toContain('1—10 月');
  });

  it('the city’s year rates count October and November only, and say so', async () => {
    const village2 = await bot.chat(DEMO.shilongVillage2);
    bot.clock.set('2026-12-02T02:00:00Z');
    await village2.send('本月无新增');
    await village2.say('1');
    const c = await loadCompleteness(bot.db, '2026-11');
    expect(c.year).toMatchObject({ from: '2026-10', months: 2, points: inScope * 2, submitted: 2 });
    expect(formatCompleteness(c, bot.clock.now())).toContain(`2026年10—11月：上报率 ${((2 / (inScope * 2)) * 100).toFixed(1)}%`);
    const town = await loadCompleteness(bot.db, '2026-11', { town: '石龙镇' });
    const shilong = await bot.db.servicePoint.count({ where: { active: true, town: '石龙镇', level: { not: 'subCenter' } } });
    expect(town.year).toMatchObject({ from: '2026-10', points: shilong * 2, submitted: 2 });
  });

  it('reports.countFrom moves the start for everyone, and a report before it is not counted', async () => {
    const out: string[] = [];
    expect(await runRemindersCli(['set', 'reports.countFrom', '2026-11'], { db: bot.db, clock: bot.clock, log: silentLogger, out: (l) => out.push(l) })).toBe(0);
    forgetReadMostly(bot.db);
    const c = await loadCompleteness(bot.db, '2026-11');
    expect(c.year).toMatchObject({ from: '2026-11', months: 1, points: inScope, submitted: 1 });
    expect(formatCompleteness(c, bot.clock.now())).toContain('2026年11月：上报率');
    const town = await loadCompleteness(bot.db, '2026-11', { town: '石龙镇' });
    expect(town.year).toMatchObject({ from: '2026-11', submitted: 1 });
  });
});
