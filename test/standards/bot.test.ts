// Standards questions through the real core, on both databases: unknown askers, bound contacts
// whose point level decides the table, operator edits through `gxgc rules import`, and the
// export → import round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../bot/logger.ts';
import { runRulesCli } from '../../commands/standards/cli.ts';
import { RULE_SEEDS } from '../../prisma/seed/rules.ts';
import { FACT_SEEDS } from '../../prisma/seed/facts.ts';
import { seedRules } from '../../prisma/seed/rules.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { createTestBot, DEMO, type TestBot } from '../support/harness.ts';

describe.each(TEST_PROVIDERS)('standards through the core on %s', (provider) => {
  let bot: TestBot;
  let dir: string;
  let output: string[];
  const cli = (...argv: string[]) => {
    output = [];
    return runRulesCli(argv, { db: bot.db, log: silentLogger, out: (l) => output.push(l) });
  };

  beforeAll(async () => {
    bot = await createTestBot({ provider });
    dir = mkdtempSync(join(tmpdir(), 'gxgc-rules-'));
  });
  afterAll(async () => bot.close());

  it('the database is seeded with every annex-1 rule and process fact', async () => {
    expect(await bot.db.rule.count()).toBe(RULE_SEEDS.length);
    expect(await bot.db.fact.count()).toBe(FACT_SEEDS.length);
  });

  it('an unknown person asking about a village point gets 2 computers and 512k/s', async () => {
    const chat = await bot.chat();
    const answer = await chat.say('村级服务点需要几台电脑？');
    expect(answer).toContain('2台');
    expect(answer).toContain('512k/s');
    expect(answer).toContain('附件1 · 村级基层服务点 · 硬件要求');
  });

  it('a bound village contact gets the village table without naming it', async () => {
    const chat = await bot.chat(DEMO.shilongVillage2);
    const answer = await chat.say('要几台电脑？');
    expect(answer).toContain('2台');
    expect(answer).not.toContain('5台');
    expect(await chat.say('我们要投影仪吗')).toContain('附件1对村级基层服务点没有“投影机、投影幕”的要求');
  });

  it('a bound town contact gets the town checklist with /acceptance and 验收', async () => {
    const chat = await bot.chat(DEMO.shilongTown);
    for (const message of ['/acceptance', '验收']) {
      const answer = await chat.say(message);
      expect(answer).toContain('验收清单（镇级基层服务点）');
      expect(answer).toContain('两个工作周');
      expect(answer).toContain('镇文广中心确认盖章');
      expect(answer).toContain('回复 1 查看全文');
      expect(answer.length).toBeLessThan(700);
      expect(answer).not.toContain('512k/s');
      // the whole checklist is one reply away
      const full = await chat.say('1');
      expect(full).toContain('申请单位名称（公章）');
      expect(full).toContain('二、验收步骤');
      expect(full).not.toContain('512k/s');
    }
  });

  it('a school contact is told that annex 1 has only the two tables', async () => {
    const chat = await bot.chat(DEMO.shilongSchool);
    const answer = await chat.say('/standards 每周开放多少小时');
    expect(answer).toContain('只有镇级和村级两张标准表');
    expect(answer).toContain('40小时');
    expect(answer).toContain('30小时');
  });

  it('a self-check is answered item by item', async () => {
    const chat = await bot.chat(DEMO.shilongVillage2);
    const answer = await chat.say('我们有3台电脑，宽带1M，每周开放25小时，达标吗？');
    expect(answer).toContain('电脑：3台，达标');
    expect(answer).toContain('25小时，未达标，低于村级标准30小时');
    expect(answer).toContain('未提及');
  });

  it('a monthly report is left to the report capability', async () => {
    const chat = await bot.chat(DEMO.shilongVillage1);
    const answer = await chat.say('服务人次120，开放天数22，开放时长176小时，活动3场');
    expect(answer).not.toContain('自查结果');
    expect(answer).toContain('176');
    await chat.say('取消');
  });

  it('off-topic text gets the short help', async () => {
    const chat = await bot.chat();
    expect(await chat.say('今天天气怎么样')).toContain('我可以回答');
  });

  it('exports, refuses a bad file without any change, and imports an operator edit that the bot then uses', async () => {
    const file = join(dir, 'rules.csv');
    expect(await cli('export', file)).toBe(0);
    const original = readFileSync(file, 'utf8');
    const lines = original.split('\n');
    const village = lines.findIndex((l) => l.startsWith('村级,硬件要求,电脑,'));
    expect(village).toBeGreaterThan(0);

    const bad = [...lines];
    bad[village] = bad[village]!.replace('村级,硬件要求,电脑,2,', '村级,硬件要求,电脑,很多,');
    writeFileSync(join(dir, 'bad.csv'), bad.join('\n'));
    expect(await cli('import', join(dir, 'bad.csv'))).toBe(1);
    expect(output.join('\n')).toContain(`第${village + 1}行：数量“很多”不是非负数字`);
    expect((await bot.db.rule.findUniqueOrThrow({ where: { level_item: { level: 'village', item: '电脑' } } })).quantity).toBe(2);

    const edited = [...lines];
    edited[village] = edited[village]!.replace('村级,硬件要求,电脑,2,', '村级,硬件要求,电脑,3,');
    writeFileSync(join(dir, 'edited.csv'), edited.join('\n'));
    expect(await cli('import', join(dir, 'edited.csv'))).toBe(0);
    expect(output.join('\n')).toContain(`已导入 ${RULE_SEEDS.length} 条规则：新增 0，更新 ${RULE_SEEDS.length}，删除 0`);
    const chat = await bot.chat();
    expect(await chat.say('村级服务点需要几台电脑？')).toContain('3台');

    // seeding again (every start does) keeps the operator's edit
    await seedRules(bot.db);
    expect((await bot.db.rule.findUniqueOrThrow({ where: { level_item: { level: 'village', item: '电脑' } } })).quantity).toBe(3);

    // and the original file brings the table back exactly
    writeFileSync(join(dir, 'original.csv'), original);
    expect(await cli('import', join(dir, 'original.csv'))).toBe(0);
    expect(await cli('export', join(dir, 'again.csv'))).toBe(0);
    expect(readFileSync(join(dir, 'again.csv'), 'utf8')).toBe(original);
  });

  it('round-trips through .xlsx and removes rules missing from the file', async () => {
    const file = join(dir, 'rules.xlsx');
    expect(await cli('export', file)).toBe(0);
    expect(await cli('import', file)).toBe(0);
    expect(output.join('\n')).toContain('删除 0');
    const csv = join(dir, 'fewer.csv');
    expect(await cli('export', csv)).toBe(0);
    const lines = readFileSync(csv, 'utf8').split('\n').filter((l) => !l.startsWith('村级,其他要求,工作记录,'));
    writeFileSync(csv, lines.join('\n'));
    expect(await cli('import', csv)).toBe(0);
    expect(output.join('\n')).toContain('删除 1');
    expect(await bot.db.rule.count()).toBe(RULE_SEEDS.length - 1);
    expect(await bot.db.auditLog.count({ where: { action: 'rules.import' } })).toBeGreaterThan(0);
  });

  it('a file that would remove more than a tenth of the rules is previewed and needs --confirm', async () => {
    const csv = join(dir, 'three.csv');
    expect(await cli('export', csv)).toBe(0);
    const count = await bot.db.rule.count();
    writeFileSync(csv, readFileSync(csv, 'utf8').split('\n').slice(0, 4).join('\n'));
    expect(await cli('import', csv, '--dry-run')).toBe(0);
    expect(output.join('\n')).toContain(`预览，规则表没有任何改动。导入后将是 3 条规则：新增 0，更新 3，删除 ${count - 3}。`);
    expect(await cli('import', csv)).toBe(1);
    expect(output.join('\n')).toContain(`将删除现有 ${count} 条规则中的 ${count - 3} 条（超过 10%）。确认无误后加上 --confirm 重新运行`);
    expect(await bot.db.rule.count()).toBe(count);
    expect(await cli('import', csv, '--confirm')).toBe(0);
    expect(await bot.db.rule.count()).toBe(3);
  });
});
