// The rules table (annex 1) as an office suite writes it (made by LibreOffice:
// scripts/make-spreadsheet-fixtures.sh): a workbook of one sheet per level after a notes sheet, a
// title and a spaced header above the village rules; a GBK .csv under a title; a workbook with a
// bad figure and a sheet short of columns. Read the way the directory is: every sheet with the
// rules header, the others named as skipped. Then, on both databases, `gxgc rules import` (dry run,
// the stop when most rules would go, --confirm) and the same files sent in the chat.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../bot/core/types.ts';
import { silentLogger } from '../../bot/logger.ts';
import { runRulesCli } from '../../commands/standards/cli.ts';
import { readRulesFile } from '../../commands/standards/rules-import.ts';
import { parseRulesSheets, ruleProblemText, RULE_COLUMNS, type RuleInput } from '../../commands/standards/rulesFile.ts';
import { RULE_SEEDS } from '../../prisma/seed/rules.ts';
import { TEST_PROVIDERS } from '../support/database.ts';
import { choiceLabelled, createTestBot, DEMO, type TestBot } from '../support/harness.ts';

const OFFICE = join(import.meta.dirname, 'fixtures', 'office');
const file = (name: string) => join(OFFICE, name);
const byKey = <T extends { level: string; item: string }>(rows: readonly T[]) =>
  [...rows].map((r) => ({ ...r })).sort((a, b) => `${a.level}|${a.item}`.localeCompare(`${b.level}|${b.item}`));
const seeded = (level?: 'town' | 'village') => byKey(RULE_SEEDS.filter((r) => !level || r.level === level));
const TOWN_RULES = RULE_SEEDS.filter((r) => r.level === 'town').length;
const LEVELS_READING = '（Excel 工作簿，读取工作表：“村级”、“镇级”；跳过不是规则表的工作表：“填表说明”）';

describe('rules files made by an office suite', () => {
  it.each([
    ['rules-levels.xlsx', { format: 'xlsx', encoding: null, sheetsRead: ['村级', '镇级'], sheetsSkipped: ['填表说明'] }, seeded()],
    ['rules-village.xlsx', { format: 'xlsx', encoding: null, sheetsRead: ['村级'], sheetsSkipped: [] }, seeded('village')],
    ['rules-gbk.csv', { format: 'csv', encoding: 'GBK/GB18030', sheetsRead: [], sheetsSkipped: [] }, seeded()],
  ])('%s reads as the seeded rules', async (name, reading, rules) => {
    const read = await readRulesFile(file(name));
    expect(read.kind).toBe('read');
    if (read.kind !== 'read') return;
    expect(read.reading).toEqual(reading);
    expect(byKey(read.rules)).toEqual(rules);
  });

  it('a bad figure and a sheet short of columns are named by sheet and row, in Chinese', async () => {
    const read = await readRulesFile(file('rules-damaged.xlsx'));
    expect(read.kind === 'bad rows' && read.problems.map(ruleProblemText)).toEqual([
      '工作表“村级”第4行：数量“很多”不是非负数字',
      `工作表“镇级”第1行：表头缺少列：排序、来源（应为 ${RULE_COLUMNS.join(',')}）`,
    ]);
  });
});

describe('a workbook of rules sheets (parseRulesSheets)', () => {
  const header = [...RULE_COLUMNS];
  const computer = ['村级', '硬件要求', '电脑', '2', '台', '>=', '', '', '10', '附件1 · 村级基层服务点 · 硬件要求'];
  const tv = ['镇级', '硬件要求', '电视机', '1', '台', '>=', '', '', '20', '附件1 · 镇级基层服务点 · 硬件要求'];
  const items = (parsed: ReturnType<typeof parseRulesSheets>) => (parsed.ok ? parsed.rules.map((r: RuleInput) => `${r.level} ${r.item}`) : parsed.problems.map(ruleProblemText));

  it.each([
    ['one sheet per level, the notes skipped', [{ name: '说明', rows: [['填表说明']] }, { name: '村', rows: [header, computer] }, { name: '镇', rows: [header, tv] }], ['village 电脑', 'town 电视机'], ['村', '镇'], ['说明']],
    ['a header below a title and a blank row, cells spaced and full-width', [{ name: '表', rows: [['附件1'], [], ['级 别', '类别', '项　目', '数量', '单位', '比较', '备注', '关键词', '排序', '来源*'], computer] }], ['village 电脑'], ['表'], []],
    ['an empty sheet', [{ name: '空', rows: [] }, { name: '表', rows: [header, tv] }], ['town 电视机'], ['表'], ['空']],
  ])('%s', (_, sheets, rules, read, skipped) => {
    const parsed = parseRulesSheets(sheets);
    expect(items(parsed)).toEqual(rules);
    expect(parsed.ok && parsed.sheets).toEqual({ read, skipped });
  });

  it.each([
    ['the same rule on two sheets', [{ name: '甲', rows: [header, computer] }, { name: '乙', rows: [['标题'], header, computer] }], ['工作表“乙”第3行：与工作表“甲”第2行重复：同一级别的“电脑”只能有一行']],
    ['no sheet with the header', [{ name: '说明', rows: [['填表说明']] }], [`第1行：没有找到规则表的表头（工作表 “说明” 都不是规则表）。表头应为：${RULE_COLUMNS.join(',')}`]],
    ['a sheet with most columns', [{ name: '村', rows: [header.slice(0, 7), computer.slice(0, 7)] }], [`工作表“村”第1行：表头缺少列：关键词、排序、来源（应为 ${RULE_COLUMNS.join(',')}）`]],
  ])('refuses %s', (_, sheets, problems) => {
    expect(items(parseRulesSheets(sheets))).toEqual(problems);
  });
});

describe.each(TEST_PROVIDERS)('importing office rules files on %s', (provider) => {
  let bot: TestBot;
  let output: string[];
  const cli = async (...argv: string[]) => {
    output = [];
    const code = await runRulesCli(argv, { db: bot.db, log: silentLogger, out: (l) => output.push(l) });
    return { code, text: output.join('\n') };
  };
  const stored = async () => byKey(await bot.db.rule.findMany({ select: { level: true, category: true, item: true, quantity: true, unit: true, comparator: true, note: true, keywords: true, sortOrder: true, source: true } }));
  const texts = (replies: Reply[]) => replies.map((r) => r.text).join('\n');

  beforeAll(async () => {
    bot = await createTestBot({ provider });
  });
  afterAll(async () => bot?.close());

  it('a dry run of the workbook says which sheets it read and changes nothing', async () => {
    const { code, text } = await cli('import', file('rules-levels.xlsx'), '--dry-run');
    expect(code).toBe(0);
    expect(text).toContain(`读取规则表 ${file('rules-levels.xlsx')}${LEVELS_READING}。`);
    expect(text).toContain(`预览，规则表没有任何改动。导入后将是 ${RULE_SEEDS.length} 条规则：新增 0，更新 ${RULE_SEEDS.length}，删除 0。`);
    expect(await stored()).toEqual(seeded());
  });

  it('the village sheet alone would remove every town rule: it stops, and --confirm imports it', async () => {
    const refused = await cli('import', file('rules-village.xlsx'));
    expect(refused.code).toBe(1);
    expect(refused.text).toContain(`尚未导入，规则表没有任何改动。导入后将是 ${RULE_SEEDS.length - TOWN_RULES} 条规则：新增 0，更新 ${RULE_SEEDS.length - TOWN_RULES}，删除 ${TOWN_RULES}。`);
    expect(refused.text).toContain(`将删除现有 ${RULE_SEEDS.length} 条规则中的 ${TOWN_RULES} 条（超过 10%）。确认无误后加上 --confirm 重新运行`);
    expect(await stored()).toEqual(seeded());
    expect((await cli('import', file('rules-village.xlsx'), '--confirm')).code).toBe(0);
    expect(await stored()).toEqual(seeded('village'));
  });

  it('the workbook, its rules sheets after a notes sheet, brings the town rules back', async () => {
    const { code, text } = await cli('import', file('rules-levels.xlsx'));
    expect(code).toBe(0);
    expect(text).toContain(`已导入 ${RULE_SEEDS.length} 条规则：新增 ${TOWN_RULES}，更新 ${RULE_SEEDS.length - TOWN_RULES}，删除 0。`);
    expect(await stored()).toEqual(seeded());
  });

  it('the GBK .csv says its encoding and imports', async () => {
    const { code, text } = await cli('import', file('rules-gbk.csv'));
    expect(code).toBe(0);
    expect(text).toContain('（CSV 文件，按 GBK/GB18030 编码读取）');
    expect(text).toContain(`已导入 ${RULE_SEEDS.length} 条规则：新增 0，更新 ${RULE_SEEDS.length}，删除 0。`);
  });

  it('the damaged workbook is refused with every problem and nothing changes', async () => {
    const { code, text } = await cli('import', file('rules-damaged.xlsx'));
    expect(code).toBe(1);
    expect(text).toContain('导入失败，规则表没有任何改动。请修改以下问题后重新导入：');
    expect(text).toContain('工作表“村级”第4行：数量“很多”不是非负数字');
    expect(text).toContain('工作表“镇级”第1行：表头缺少列：排序、来源');
    expect(await stored()).toEqual(seeded());
  });

  describe('sent in the chat', () => {
    const send = (chatId: string, name: string) => {
      const content = new Uint8Array(readFileSync(file(name)));
      bot.clock.advance(5_000);
      return bot.core.handleMessage({ channel: 'console', chatId, document: { filename: name, size: content.length, content } });
    };
    const waiting = (chatId: string) => bot.db.pendingUpload.count({ where: { channel: 'console', chatId } });

    it('the workbook is recognised as the rules table by its second sheet, previewed, and imported after 确认导入', async () => {
      const operator = await bot.chat(DEMO.operator);
      const preview = await send(operator.chatId, 'rules-levels.xlsx');
      expect(texts(preview)).toContain(`收到规则表“rules-levels.xlsx”${LEVELS_READING}。规则表还没有改动`);
      expect(texts(preview)).toContain(`导入后将是 ${RULE_SEEDS.length} 条规则：新增 0，更新 ${RULE_SEEDS.length}，删除 0。`);
      expect(await waiting(operator.chatId)).toBe(1);
      bot.clock.advance(5_000);
      const done = await bot.core.handleMessage({ channel: 'console', chatId: operator.chatId, choice: choiceLabelled(preview, '确认导入') });
      expect(texts(done)).toContain(`已导入 ${RULE_SEEDS.length} 条规则：新增 0，更新 ${RULE_SEEDS.length}，删除 0。`);
      expect(await waiting(operator.chatId)).toBe(0);
      expect(await stored()).toEqual(seeded());
    });

    it('the village sheet alone is flagged; 取消 changes nothing and lets the file go', async () => {
      const operator = await bot.chat(DEMO.operator);
      const preview = texts(await send(operator.chatId, 'rules-village.xlsx'));
      expect(preview).toContain(`请特别注意：将删除现有 ${RULE_SEEDS.length} 条规则中的 ${TOWN_RULES} 条（超过 10%）`);
      bot.clock.advance(5_000);
      expect(await operator.say('取消')).toContain('已取消，规则表没有任何改动');
      expect(await waiting(operator.chatId)).toBe(0);
      expect(await stored()).toEqual(seeded());
    });

    it('the damaged workbook gets every problem by sheet and row, and nothing waits', async () => {
      const operator = await bot.chat(DEMO.operator);
      const answer = texts(await send(operator.chatId, 'rules-damaged.xlsx'));
      expect(answer).toContain('规则表有问题，没有导入，规则表没有任何改动。请修改后重新发送：');
      expect(answer).toContain('· 工作表“村级”第4行：数量“很多”不是非负数字');
      expect(answer).toContain('· 工作表“镇级”第1行：表头缺少列：排序、来源');
      expect(await waiting(operator.chatId)).toBe(0);
    });
  });
});
